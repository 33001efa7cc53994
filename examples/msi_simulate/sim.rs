//! Simulator for the `msi` stage: a reference with planted microsatellites and tumour/normal
//! BAMs in which a known set of sites is unstable. Used by `examples/msi_simulate` (which
//! writes `test-data/msi/`), by `tests/msi.rs` (cases made at run time in a temporary folder)
//! and by `benches/msi.rs`.
//!
//! Model: the background sequence is random but never holds a homopolymer of 3 or three
//! copies of a 2-5 bp unit, so the only microsatellites are the planted ones. Every read is
//! 100 bp, single-end, MAPQ 60, and spans its site with at least 12 bp on each side. A read's
//! repeat length is the length of the allele it comes from, then PCR stutter (with probability
//! `stutter`, one unit lost (70%) or gained (30%)); bases get substitution errors at
//! `error_rate`. At an unstable site a share `purity` of tumour reads comes from tumour cells
//! whose two alleles are (reference + d1, reference + d2), d1 ≠ 0 and d2 = 0 or ≠ 0.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_htslib::bam::{
    self,
    header::{Header, HeaderRecord},
    record::{Cigar, CigarString},
};

/// The contig name of simulated references.
pub const CONTIG: &str = "sim1";
pub const READ_LEN: usize = 100;
const MIN_ANCHOR: usize = 12;

/// splitmix64: small, seeded, identical on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, n)`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

const BASES: [u8; 4] = *b"ACGT";

/// A planted microsatellite (0-based start).
#[derive(Debug, Clone, PartialEq)]
pub struct Planted {
    pub start: usize,
    pub unit: Vec<u8>,
    pub repeats: u32,
}

impl Planted {
    pub fn end(&self) -> usize {
        self.start + self.unit.len() * self.repeats as usize
    }
}

/// Would appending `b` create a homopolymer of 3 or three copies of a 2-5 bp unit?
fn creates_repeat(seq: &[u8], b: u8) -> bool {
    let n = seq.len();
    if n >= 2 && seq[n - 1] == b && seq[n - 2] == b {
        return true;
    }
    for k in 2..=5 {
        if n + 1 < 3 * k {
            continue;
        }
        let start = n + 1 - 3 * k;
        let at = |i: usize| if i == n { b } else { seq[i] };
        if (start..n + 1 - k).all(|i| at(i) == at(i + k)) {
            return true;
        }
    }
    false
}

/// No repeat of another unit length ends inside the first unit of the repeat at `start`.
fn junction_ok(seq: &[u8], start: usize, k: usize) -> bool {
    (start..start + k).all(|j| {
        (1..=5).filter(|&k2| k2 != k).all(|k2| {
            let copies = if k2 == 1 { 3 } else { 3 * k2 };
            j + 1 < copies || ((j + 1 - copies)..(j + 1 - k2)).any(|i| seq[i] != seq[i + k2])
        })
    })
}

fn background(seq: &mut Vec<u8>, len: usize, rng: &mut Rng, avoid_last: Option<u8>) {
    for i in 0..len {
        let offset = rng.below(4) as usize;
        let mut chosen = BASES[offset];
        for j in 0..4 {
            let b = BASES[(offset + j) % 4];
            let last = i + 1 == len;
            let forbidden_last = last && avoid_last == Some(b);
            if !creates_repeat(seq, b) && !forbidden_last {
                chosen = b;
                break;
            }
        }
        seq.push(chosen);
    }
}

/// A reference of `n_sites` planted repeats `spacing` bp apart (homopolymers, then 2-, 3-, 4-
/// and 5-bp units in turn), with `spacing` bp of background at both ends.
pub fn make_reference(n_sites: usize, spacing: usize, seed: u64) -> (Vec<u8>, Vec<Planted>) {
    let mut rng = Rng::new(seed);
    let mut seq = Vec::new();
    let mut planted = Vec::new();
    for i in 0..n_sites {
        let k = i % 5 + 1;
        let (unit, repeats) = loop {
            let unit: Vec<u8> = (0..k).map(|_| BASES[rng.below(4) as usize]).collect();
            let primitive = (1..k)
                .filter(|d| k.is_multiple_of(*d))
                .all(|d| unit.chunks(d).any(|c| c != &unit[..d]));
            // Units with a run of three (AAAC) hold a homopolymer of their own.
            if !primitive || unit.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
                continue;
            }
            let repeats = match k {
                1 => 8 + rng.below(9),
                2 => 5 + rng.below(8),
                3 => 4 + rng.below(5),
                4 => 3 + rng.below(4),
                _ => 3 + rng.below(3),
            } as u32;
            break (unit, repeats);
        };
        // The base before the repeat must not continue it leftwards, and background + repeat
        // must not form another short repeat at the junction (`ACACA` + `CTCT..`).
        let before = seq.len();
        let start = loop {
            seq.truncate(before);
            background(&mut seq, spacing, &mut rng, Some(unit[k - 1]));
            let start = seq.len();
            for _ in 0..repeats {
                seq.extend_from_slice(&unit);
            }
            if junction_ok(&seq, start, k) {
                break start;
            }
        };
        planted.push(Planted {
            start,
            unit,
            repeats,
        });
    }
    background(&mut seq, spacing, &mut rng, None);
    (seq, planted)
}

/// One simulated sample.
#[derive(Debug, Clone)]
pub struct SampleSpec {
    pub depth: u32,
    /// Share of reads from tumour cells at unstable sites (0 for a normal).
    pub purity: f64,
    pub stutter: f64,
    pub error_rate: f64,
    pub seed: u64,
}

impl SampleSpec {
    pub fn normal(depth: u32, seed: u64) -> Self {
        Self {
            depth,
            purity: 0.0,
            stutter: 0.04,
            error_rate: 0.001,
            seed,
        }
    }
    pub fn tumor(depth: u32, purity: f64, seed: u64) -> Self {
        Self {
            depth,
            purity,
            stutter: 0.04,
            error_rate: 0.001,
            seed,
        }
    }
}

/// The per-site tumour allele shifts (units) of the unstable sites; `None` for stable ones.
/// `count` sites are chosen at random (the same for a given seed).
pub fn choose_unstable(planted: &[Planted], count: usize, seed: u64) -> Vec<Option<(i32, i32)>> {
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..planted.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let mut out = vec![None; planted.len()];
    for &i in order.iter().take(count) {
        let shifts = [-3, -2, -1, -1, -2, 1, 2];
        let pick = |rng: &mut Rng| shifts[rng.below(shifts.len() as u64) as usize];
        let d1 = pick(&mut rng);
        let d2 = if rng.chance(0.5) { 0 } else { pick(&mut rng) };
        out[i] = Some((d1, d2));
    }
    out
}

struct SimRead {
    pos: usize,
    cigar: Vec<Cigar>,
    seq: Vec<u8>,
    reverse: bool,
}

fn reads_for_sample(
    reference: &[u8],
    planted: &[Planted],
    unstable: &[Option<(i32, i32)>],
    spec: &SampleSpec,
) -> Vec<SimRead> {
    let mut rng = Rng::new(spec.seed);
    let mut reads = Vec::new();
    for (site, shift) in planted.iter().zip(unstable) {
        let k = site.unit.len();
        let rlen = site.end() - site.start;
        for _ in 0..spec.depth {
            let mut units = site.repeats as i32;
            if let Some((d1, d2)) = shift {
                if rng.chance(spec.purity) {
                    units += if rng.chance(0.5) { *d1 } else { *d2 };
                }
            }
            if rng.chance(spec.stutter) {
                units += if rng.chance(0.7) { -1 } else { 1 };
            }
            let units = units.max(1) as usize;
            let alen = units * k;
            // Start so that at least MIN_ANCHOR bases of reference flank each side.
            let span = MIN_ANCHOR + alen.max(rlen) + MIN_ANCHOR;
            let slack = READ_LEN.saturating_sub(span);
            let before = MIN_ANCHOR + rng.below(slack as u64 + 1) as usize;
            let pos = site.start - before;
            let mut seq = reference[pos..site.start].to_vec();
            for _ in 0..units {
                seq.extend_from_slice(&site.unit);
            }
            let after = READ_LEN - seq.len();
            seq.extend_from_slice(&reference[site.end()..site.end() + after]);
            for b in seq.iter_mut() {
                if rng.chance(spec.error_rate) {
                    *b = BASES[(BASES.iter().position(|x| x == b).unwrap_or(0)
                        + 1
                        + rng.below(3) as usize)
                        % 4];
                }
            }
            let shared = before + alen.min(rlen);
            let mut cigar = vec![Cigar::Match(shared as u32)];
            if alen > rlen {
                cigar.push(Cigar::Ins((alen - rlen) as u32));
            } else if rlen > alen {
                cigar.push(Cigar::Del((rlen - alen) as u32));
            }
            let used: usize = shared + alen.saturating_sub(rlen);
            let rest = (READ_LEN - used) as u32;
            match cigar.as_mut_slice() {
                [Cigar::Match(n)] => *n += rest,
                _ => cigar.push(Cigar::Match(rest)),
            }
            reads.push(SimRead {
                pos,
                cigar,
                seq,
                reverse: rng.chance(0.5),
            });
        }
    }
    reads.sort_by_key(|r| r.pos);
    reads
}

/// Writes a FASTA (60 bases a line) with its `.fai`.
pub fn write_fasta(path: &Path, seq: &[u8]) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    let header = format!(">{CONTIG}\n");
    f.write_all(header.as_bytes())?;
    for line in seq.chunks(60) {
        f.write_all(line)?;
        f.write_all(b"\n")?;
    }
    f.flush()?;
    let mut fai = path.as_os_str().to_os_string();
    fai.push(".fai");
    std::fs::write(
        fai,
        format!("{CONTIG}\t{}\t{}\t60\t61\n", seq.len(), header.len()),
    )
}

/// Writes a coordinate-sorted, indexed BAM (or CRAM when `path` ends in `.cram`, with
/// `fasta` as its reference) of the sample.
pub fn write_alignments(
    path: &Path,
    fasta: &Path,
    reference: &[u8],
    planted: &[Planted],
    unstable: &[Option<(i32, i32)>],
    spec: &SampleSpec,
    sample: &str,
) -> Result<(), rust_htslib::errors::Error> {
    let mut header = Header::new();
    header.push_record(
        HeaderRecord::new(b"HD")
            .push_tag(b"VN", "1.6")
            .push_tag(b"SO", "coordinate"),
    );
    header.push_record(
        HeaderRecord::new(b"SQ")
            .push_tag(b"SN", CONTIG)
            .push_tag(b"LN", reference.len()),
    );
    header.push_record(
        HeaderRecord::new(b"RG")
            .push_tag(b"ID", sample)
            .push_tag(b"SM", sample),
    );
    let cram = path.extension().is_some_and(|e| e == "cram");
    let format = if cram {
        bam::Format::Cram
    } else {
        bam::Format::Bam
    };
    {
        let mut writer = bam::Writer::from_path(path, &header, format)?;
        if cram {
            writer.set_reference(fasta)?;
        }
        let qual = vec![35u8; READ_LEN];
        let mut rec = bam::Record::new();
        for (i, r) in reads_for_sample(reference, planted, unstable, spec)
            .iter()
            .enumerate()
        {
            let name = format!("{sample}.{i}");
            rec.set(
                name.as_bytes(),
                Some(&CigarString(r.cigar.clone())),
                &r.seq,
                &qual,
            );
            rec.set_tid(0);
            rec.set_pos(r.pos as i64);
            rec.set_mapq(60);
            rec.set_flags(if r.reverse { 16 } else { 0 });
            rec.set_mtid(-1);
            rec.set_mpos(-1);
            rec.set_insert_size(0);
            writer.write(&rec)?;
        }
    }
    let idx = if cram {
        bam::index::Type::Csi(14)
    } else {
        bam::index::Type::Bai
    };
    bam::index::build(path, None, idx, 1)
}

/// A whole case in `dir`: `ref.fa`, `tumor.bam`, `normal.bam`, `truth.tsv`. Returns the
/// paths and the per-site truth.
pub struct Case {
    pub fasta: PathBuf,
    pub tumor: PathBuf,
    pub normal: PathBuf,
    pub planted: Vec<Planted>,
    pub unstable: Vec<Option<(i32, i32)>>,
}

#[derive(Debug, Clone)]
pub struct CaseSpec {
    pub n_sites: usize,
    pub spacing: usize,
    pub n_unstable: usize,
    pub tumor: SampleSpec,
    pub normal: SampleSpec,
    pub seed: u64,
}

pub fn make_case(dir: &Path, spec: &CaseSpec) -> Result<Case, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let (reference, planted) = make_reference(spec.n_sites, spec.spacing, spec.seed);
    let unstable = choose_unstable(&planted, spec.n_unstable, spec.seed ^ 0xABCD);
    let fasta = dir.join("ref.fa");
    write_fasta(&fasta, &reference)?;
    let tumor = dir.join("tumor.bam");
    let normal = dir.join("normal.bam");
    write_alignments(
        &tumor,
        &fasta,
        &reference,
        &planted,
        &unstable,
        &spec.tumor,
        "TUMOR",
    )?;
    write_alignments(
        &normal,
        &fasta,
        &reference,
        &planted,
        &unstable,
        &spec.normal,
        "NORMAL",
    )?;
    let mut truth = String::from("chrom\tpos\tend\tunit\trepeats\tunstable\ttumor_shifts\n");
    for (p, u) in planted.iter().zip(&unstable) {
        truth.push_str(&format!(
            "{CONTIG}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            p.start + 1,
            p.end(),
            String::from_utf8_lossy(&p.unit),
            p.repeats,
            u.is_some(),
            u.map_or("NA".to_string(), |(a, b)| format!("{a},{b}"))
        ));
    }
    std::fs::write(dir.join("truth.tsv"), truth)?;
    Ok(Case {
        fasta,
        tumor,
        normal,
        planted,
        unstable,
    })
}
