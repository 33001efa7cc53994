//! Seeded read simulation for the evaluation (`examples/hla-evaluate.rs`) and the tests: random
//! diploid genotypes drawn from the release's alleles that have a genomic sequence, paired reads
//! from their genomic (DNA: exons and introns) or coding (RNA) sequences with an Illumina-like
//! error profile (substitutions rising along the read, rare indels) and varying insert sizes,
//! plus decoys: reads from the release's other loci (HLA-E/F/G, DRA, DRB3/4/5), from
//! pseudogene-like copies of the typed loci (a drawn allele with 6–14% of its bases changed,
//! standing in for HLA-H/J/K/L and DRB2/6/7/8/9, which a release's nucleotide files lack) and
//! random sequence for the rest of the genome.

use std::collections::BTreeMap;

use super::imgt::Imgt;
use super::index::revcomp;
use super::matching::Fragment;

/// A small, fast, seedable generator (SplitMix64): the simulation must be reproducible
/// byte for byte and needs no statistical finesse.
#[derive(Debug, Clone)]
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
    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Library type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// Fragments from the genomic sequence (exons and introns), even depth.
    Dna,
    /// Fragments from the coding sequence, with allelic imbalance (0.5–2×).
    Rna,
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimSpec {
    pub library: Library,
    pub loci: Vec<String>,
    /// Mean read depth per allele.
    pub depth: f64,
    pub read_len: usize,
    pub insert: usize,
    /// Mean per-base substitution rate (rising along the read from 0.4× to 1.6× this).
    pub error_rate: f64,
    /// Per-base rate of a one-base insertion or deletion.
    pub indel_rate: f64,
    /// Decoy loci (reads at the same depth as one allele).
    pub decoys: Vec<String>,
    /// Pseudogene-like decoys: one per typed locus, a drawn allele's genomic (DNA) or coding
    /// (RNA) sequence with 6–14% of its bases substituted, at one allele's depth.
    pub pseudogenes: bool,
    /// Random-sequence pairs per sample.
    pub random_pairs: usize,
}

/// One simulated sample.
#[derive(Debug, Clone)]
pub struct SimSample {
    /// Locus → the two true alleles (full names).
    pub truth: BTreeMap<String, [String; 2]>,
    pub fragments: Vec<Fragment>,
}

/// Alleles of `locus` that can be drawn: with a genomic sequence (complete, well characterised)
/// and expressed (no N/Q/L/S/C/A suffix).
pub fn drawable<'a>(imgt: &'a Imgt, locus: &str) -> Vec<&'a super::imgt::Allele> {
    imgt.alleles
        .iter()
        .filter(|a| {
            a.locus == locus
                && imgt.genomic.contains_key(&a.name)
                && a.name.ends_with(|c: char| c.is_ascii_digit())
        })
        .collect()
}

/// Simulates one sample.
pub fn simulate(imgt: &Imgt, spec: &SimSpec, rng: &mut Rng) -> SimSample {
    let mut truth = BTreeMap::new();
    let mut fragments = Vec::new();
    for locus in &spec.loci {
        let pool = drawable(imgt, locus);
        if pool.is_empty() {
            continue;
        }
        let pair = [pool[rng.below(pool.len())], pool[rng.below(pool.len())]];
        for a in pair {
            let seq = source(imgt, spec.library, &a.name, &a.cds);
            let scale = match spec.library {
                Library::Dna => 1.0,
                Library::Rna => 0.5 + 1.5 * rng.unit(),
            };
            reads_from(seq, spec, spec.depth * scale, rng, &mut fragments);
        }
        truth.insert(locus.clone(), [pair[0].name.clone(), pair[1].name.clone()]);
    }
    for locus in &spec.decoys {
        let pool: Vec<_> = imgt.alleles.iter().filter(|a| &a.locus == locus).collect();
        if pool.is_empty() {
            continue;
        }
        let a = pool[rng.below(pool.len())];
        let seq = source(imgt, spec.library, &a.name, &a.cds);
        reads_from(seq, spec, spec.depth, rng, &mut fragments);
    }
    if spec.pseudogenes {
        for locus in &spec.loci {
            let pool = drawable(imgt, locus);
            if pool.is_empty() {
                continue;
            }
            let a = pool[rng.below(pool.len())];
            let mut seq = source(imgt, spec.library, &a.name, &a.cds).to_vec();
            let divergence = 0.06 + 0.08 * rng.unit();
            for b in &mut seq {
                if rng.unit() < divergence {
                    *b = substitute(*b, rng);
                }
            }
            reads_from(&seq, spec, spec.depth, rng, &mut fragments);
        }
    }
    for _ in 0..spec.random_pairs {
        let seq: Vec<u8> = (0..spec.insert).map(|_| b"ACGT"[rng.below(4)]).collect();
        push_pair(&seq, 0, spec.insert, spec, rng, &mut fragments);
    }
    // Input order must not matter: shuffle (Fisher–Yates).
    for i in (1..fragments.len()).rev() {
        fragments.swap(i, rng.below(i + 1));
    }
    SimSample { truth, fragments }
}

fn source<'a>(imgt: &'a Imgt, library: Library, name: &str, cds: &'a [u8]) -> &'a [u8] {
    match library {
        Library::Dna => imgt.genomic.get(name).map_or(cds, Vec::as_slice),
        Library::Rna => cds,
    }
}

/// Paired reads over `seq` at `depth` per base; inserts vary ±20% around `spec.insert`.
pub fn reads_from(seq: &[u8], spec: &SimSpec, depth: f64, rng: &mut Rng, out: &mut Vec<Fragment>) {
    if seq.len() < spec.read_len {
        return;
    }
    let n = (depth * seq.len() as f64 / (2 * spec.read_len) as f64).round() as usize;
    for _ in 0..n {
        // A triangular spread (sum of two uniforms) around the mean insert.
        let insert = (spec.insert as f64 * (0.8 + 0.2 * (rng.unit() + rng.unit()))) as usize;
        let span = insert.max(spec.read_len).min(seq.len());
        let start = rng.below(seq.len() - span + 1);
        push_pair(seq, start, span, spec, rng, out);
    }
}

/// A different base than `b`, uniformly.
fn substitute(b: u8, rng: &mut Rng) -> u8 {
    let others: Vec<u8> = b"ACGT".iter().copied().filter(|&x| x != b).collect();
    others[rng.below(3)]
}

/// One read of `len` bases from `frag` with the error profile: substitutions rising along
/// the read (Illumina quality decay), and rare one-base indels (the read keeps its length).
fn sequence_read(frag: &[u8], len: usize, spec: &SimSpec, rng: &mut Rng) -> Vec<u8> {
    let mut r = Vec::with_capacity(len);
    let mut i = 0;
    while r.len() < len && i < frag.len() {
        if rng.unit() < spec.indel_rate {
            if rng.below(2) == 0 {
                i += 1; // deletion
                continue;
            }
            r.push(b"ACGT"[rng.below(4)]); // insertion
            continue;
        }
        let pos = r.len() as f64 / len.max(2).saturating_sub(1) as f64;
        let rate = spec.error_rate * (0.4 + 1.2 * pos);
        let b = frag[i];
        r.push(if rng.unit() < rate {
            substitute(b, rng)
        } else {
            b
        });
        i += 1;
    }
    r
}

fn push_pair(
    seq: &[u8],
    start: usize,
    span: usize,
    spec: &SimSpec,
    rng: &mut Rng,
    out: &mut Vec<Fragment>,
) {
    let span = span.min(seq.len() - start);
    let frag = &seq[start..start + span];
    let len = spec.read_len.min(frag.len());
    let r1 = sequence_read(frag, len, spec, rng);
    let r2 = sequence_read(&revcomp(frag), len, spec, rng);
    // Half the pairs come off the other strand.
    let mates = if rng.below(2) == 0 {
        vec![r1, r2]
    } else {
        vec![r2, r1]
    };
    out.push(Fragment { mates });
}

/// A synthetic release in IMGT's file layout (made-up sequences, no IMGT data): loci A, B, C and
/// the decoy E, each with a class I–like exon layout (exons of 73, 270, 276, 276, 117, 33, 48
/// and 5 bp; random introns with GT…AG ends). Per locus: `*01:01:01:01` (the base),
/// `*01:02:01` one substitution in exon 2 away from it, `*02:01:01:01` 12 substitutions in
/// exons 2–3, `*02:02:01` one substitution in exon 4 away from `*02:01:01:01` (same G group),
/// and `*03:01` partial (exons 2–3 only, no genomic sequence). E is the A base with one
/// substitution every 12 bases. Returns the files written.
///
/// # Errors
/// A file cannot be written.
pub fn write_synthetic_release(
    dir: &std::path::Path,
    seed: u64,
) -> crate::Result<Vec<std::path::PathBuf>> {
    use crate::error::Error;
    let mut rng = Rng::new(seed);
    let exon_lens = [73usize, 270, 276, 276, 117, 33, 48, 5];
    let random =
        |rng: &mut Rng, n: usize| -> Vec<u8> { (0..n).map(|_| b"ACGT"[rng.below(4)]).collect() };
    let mutate = |rng: &mut Rng, exons: &mut [Vec<u8>], which: &[usize], n: usize| {
        for _ in 0..n {
            let e = which[rng.below(which.len())];
            let p = rng.below(exons[e].len());
            let b = exons[e][p];
            let others: Vec<u8> = b"ACGT".iter().copied().filter(|&x| x != b).collect();
            exons[e][p] = others[rng.below(3)];
        }
    };
    let mut files = Vec::new();
    let fasta_dir = dir.join("fasta");
    std::fs::create_dir_all(&fasta_dir).map_err(|e| Error::io(&fasta_dir, e))?;
    let mut g_lines =
        String::from("# file: hla_nom_g.txt (synthetic alleles for tests, not IMGT data)\n");
    let a_base: Vec<Vec<u8>> = exon_lens.iter().map(|&n| random(&mut rng, n)).collect();
    for (li, locus) in ["A", "B", "C", "E"].iter().enumerate() {
        let base: Vec<Vec<u8>> = match *locus {
            "A" => a_base.clone(),
            "E" => {
                let mut e = a_base.clone();
                for ex in &mut e {
                    for p in (5..ex.len()).step_by(12) {
                        ex[p] = match ex[p] {
                            b'A' => b'C',
                            b'C' => b'G',
                            b'G' => b'T',
                            _ => b'A',
                        };
                    }
                }
                e
            }
            _ => exon_lens.iter().map(|&n| random(&mut rng, n)).collect(),
        };
        let introns: Vec<Vec<u8>> = (0..exon_lens.len() - 1)
            .map(|_| {
                let mut i = b"GTAAG".to_vec();
                let n = 80 + rng.below(120);
                i.extend(random(&mut rng, n));
                i.extend_from_slice(b"TTTCAG");
                i
            })
            .collect();
        let flank5 = random(&mut rng, 150);
        let flank3 = random(&mut rng, 150);
        let mut a0102 = base.clone();
        mutate(&mut rng, &mut a0102, &[1], 1);
        let mut a0201 = base.clone();
        mutate(&mut rng, &mut a0201, &[1, 2], 12);
        let mut a0202 = a0201.clone();
        mutate(&mut rng, &mut a0202, &[3], 1);
        let mut a0301 = base.clone();
        mutate(&mut rng, &mut a0301, &[1, 2], 8);
        let full = [
            ("01:01:01:01", base),
            ("01:02:01", a0102),
            ("02:01:01:01", a0201),
            ("02:02:01", a0202),
        ];
        let mut nuc = String::new();
        let mut gen = String::new();
        for (i, (name, exons)) in full.iter().enumerate() {
            let cds: Vec<u8> = exons.concat();
            let mut g = flank5.clone();
            for (e, ex) in exons.iter().enumerate() {
                g.extend_from_slice(ex);
                if e < introns.len() {
                    g.extend_from_slice(&introns[e]);
                }
            }
            g.extend_from_slice(&flank3);
            let id = format!("HLA{:05}", 90_000 + li * 10 + i);
            push_fasta(&mut nuc, &id, &format!("{locus}*{name}"), &cds);
            push_fasta(&mut gen, &id, &format!("{locus}*{name}"), &g);
        }
        let partial: Vec<u8> = [a0301[1].clone(), a0301[2].clone()].concat();
        push_fasta(
            &mut nuc,
            &format!("HLA{:05}", 90_000 + li * 10 + 9),
            &format!("{locus}*03:01"),
            &partial,
        );
        for (name, text) in [
            (format!("{locus}_nuc.fasta"), nuc),
            (format!("{locus}_gen.fasta"), gen),
        ] {
            let p = fasta_dir.join(name);
            std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
            files.push(p);
        }
        g_lines.push_str(&format!("{locus}*;01:01:01:01;\n{locus}*;01:02:01;\n{locus}*;02:01:01:01/02:02:01;02:01:01G\n{locus}*;03:01;\n"));
    }
    let wmda = dir.join("wmda");
    std::fs::create_dir_all(&wmda).map_err(|e| Error::io(&wmda, e))?;
    let p = wmda.join("hla_nom_g.txt");
    std::fs::write(&p, g_lines).map_err(|e| Error::io(&p, e))?;
    files.push(p);
    Ok(files)
}

fn push_fasta(out: &mut String, id: &str, name: &str, seq: &[u8]) {
    out.push_str(&format!(">HLA:{id} {name} {} bp\n", seq.len()));
    for chunk in seq.chunks(60) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
}
