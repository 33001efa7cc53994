//! Field-for-field comparison of our `CSQ` with Ensembl VEP 115's on the synthetic genome in
//! `test-data/annotate/` (VEP's output and the exact command that produced it:
//! `test-data/annotate/vep115.csq.vcf.gz`, `make_vep_expected.sh`).
//!
//! Every (allele, transcript) row is compared on every field both write. The remaining
//! differences are listed in the README (section `annotate`, "Conformance with Ensembl VEP"),
//! each with its reason; run with `--nocapture` to print them.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use immunoprofile::annotate::writer::{push_csq_entry, CSQ_FIELDS};
use immunoprofile::annotate::{annotate_record_with, window_for, ModelOptions, TranscriptModel};
use immunoprofile::io::fasta::Reference;
use immunoprofile::io::vcf::{read_to_memory, RecordView};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/annotate")
        .join(name)
}

fn gunzip(src: &Path) -> String {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(src).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// The fields compared: all we write except `WildtypeProtein` (VEP's plugin writes it on every
/// entry of a coding transcript, we only on entries with a coding consequence), `FLAGS` and
/// `MANE_SELECT` (VEP's GTF reader takes neither from the GTF's tags).
const COMPARED: &[&str] = &[
    "Allele",
    "Consequence",
    "IMPACT",
    "SYMBOL",
    "Gene",
    "Feature_type",
    "Feature",
    "BIOTYPE",
    "EXON",
    "INTRON",
    "HGVSc",
    "HGVSp",
    "cDNA_position",
    "CDS_position",
    "Protein_position",
    "Amino_acids",
    "Codons",
    "STRAND",
    "CANONICAL",
    "TSL",
    "FrameshiftSequence",
    "DISTANCE",
];

type Key = (String, u64, String, String, String, String);
type Row = BTreeMap<String, String>;

/// VEP's GTF mode writes transcript IDs without their version (`--transcript_version` needs a
/// cache) and version 1 for every protein: compare IDs without versions, in Feature and in the
/// HGVS prefixes.
fn strip_version(field: &str, value: &str) -> String {
    match field {
        "Feature" | "HGVSc" | "HGVSp" => {
            let (id, rest) = value.split_once(':').unwrap_or((value, ""));
            let id = match id.rsplit_once('.') {
                Some((base, v)) if v.bytes().all(|b| b.is_ascii_digit()) => base,
                _ => id,
            };
            if rest.is_empty() {
                id.to_string()
            } else {
                format!("{id}:{rest}")
            }
        }
        _ => value.to_string(),
    }
}

fn row(names: &[&str], entry: &str) -> Row {
    names
        .iter()
        .zip(entry.split('|'))
        .map(|(n, v)| (n.to_string(), strip_version(n, v)))
        .collect()
}

fn key(rec: &RecordView<'_>, r: &Row) -> Key {
    (
        rec.chrom.to_string(),
        rec.pos,
        rec.reference.to_string(),
        rec.alts().collect::<Vec<_>>().join(","),
        r["Allele"].clone(),
        r.get("Feature").cloned().unwrap_or_default(),
    )
}

fn vep_rows(path: &Path) -> BTreeMap<Key, Row> {
    let text = gunzip(path);
    let mut names: Vec<String> = Vec::new();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("##INFO=<ID=CSQ,") {
            let format = rest.split("Format: ").nth(1).unwrap();
            names = format
                .trim_end_matches("\">")
                .split('|')
                .map(str::to_string)
                .collect();
        }
        if line.starts_with('#') {
            continue;
        }
        let rec = RecordView::parse(line).unwrap();
        let csq = rec
            .info
            .split(';')
            .find_map(|kv| kv.strip_prefix("CSQ="))
            .unwrap();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        for entry in csq.split(',') {
            let r = row(&refs, entry);
            out.insert(key(&rec, &r), r);
        }
    }
    out
}

fn our_rows() -> BTreeMap<Key, Row> {
    let dir = tempfile::tempdir().unwrap();
    let fasta = dir.path().join("genome.fa");
    std::fs::File::create(&fasta)
        .unwrap()
        .write_all(gunzip(&data("genome.fa.gz")).as_bytes())
        .unwrap();
    let (_, lines) = read_to_memory(&data("variants.vcf.gz")).unwrap();
    let lines: Vec<String> = lines.into_iter().map(|(_, l)| l).collect();
    annotate_lines(&data("genes.gtf.gz"), &fasta, &lines)
}

/// Our rows for VCF `lines`, annotated as the `annotate` stage does (with the reference window
/// around each indel).
fn annotate_lines(gtf: &Path, fasta: &Path, lines: &[String]) -> BTreeMap<Key, Row> {
    let mut reference = Reference::open(fasta).unwrap();
    let model = TranscriptModel::from_gtf(gtf, &mut reference, ModelOptions::default()).unwrap();
    let mut contigs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for line in lines {
        let rec = RecordView::parse(line).unwrap();
        let seq = contigs
            .entry(rec.chrom.to_string())
            .or_insert_with(|| reference.fetch_contig(rec.chrom).unwrap());
        let window = window_for(&rec, seq);
        for i in 1..=rec.alts().count() {
            for a in annotate_record_with(&model, &rec, i, window.as_ref()) {
                let mut text = String::new();
                push_csq_entry(&mut text, &a);
                let r = row(CSQ_FIELDS, &text);
                out.insert(key(&rec, &r), r);
            }
        }
    }
    out
}

#[test]
fn agrees_with_vep_115_field_for_field() {
    let vep = vep_rows(&data("vep115.csq.vcf.gz"));
    let ours = our_rows();
    let keys: BTreeSet<&Key> = vep.keys().chain(ours.keys()).collect();
    let mut identical = 0usize;
    let mut per_field: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unmatched = 0usize;
    let mut examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for k in &keys {
        let (Some(v), Some(o)) = (vep.get(*k), ours.get(*k)) else {
            unmatched += 1;
            println!(
                "row only in {}: {k:?}",
                if vep.contains_key(*k) { "VEP" } else { "ours" }
            );
            continue;
        };
        let mut same = true;
        for f in COMPARED {
            let (a, b) = (o.get(*f).map_or("", String::as_str), v[*f].as_str());
            if a != b {
                same = false;
                *per_field.entry(f).or_default() += 1;
                examples.entry(f).or_default().push(format!(
                    "{}:{} {}>{} {}  ours={a:?}  VEP={b:?}  ({} / {})",
                    k.0, k.1, k.2, k.3, k.5, o["Consequence"], v["Consequence"]
                ));
            }
        }
        identical += usize::from(same);
    }
    let total = keys.len();
    let pct = 100.0 * identical as f64 / total as f64;
    println!("{identical} of {total} (allele, transcript) rows identical on every compared field ({pct:.2}%)");
    for (f, n) in &per_field {
        println!("{f}: {n} rows differ");
        for e in &examples[f] {
            println!("    {e}");
        }
    }
    // The same rows exist on both sides: same transcripts within 5 kb, same intergenic calls.
    assert_eq!(unmatched, 0, "rows present on one side only");
    assert!(total > 20_000, "{total} rows");
    // Floors at the figures the README gives; a change that loses agreement fails here.
    assert!(pct >= 99.25, "{pct:.2}% of rows identical");
    let consequence_same = total - per_field.get("Consequence").copied().unwrap_or(0);
    assert!(
        consequence_same as f64 / total as f64 >= 0.996,
        "Consequence identical in {consequence_same} of {total}"
    );
    for f in [
        "Protein_position",
        "Amino_acids",
        "Codons",
        "cDNA_position",
        "CDS_position",
        "DISTANCE",
        "EXON",
        "INTRON",
    ] {
        let n = per_field.get(f).copied().unwrap_or(0);
        assert!(n <= 2, "{f} differs in {n} rows");
    }
}

/// The GTF with every coordinate moved by `shift`, features past the 40,001 bp contig clipped or
/// dropped (as `test-data/annotate/chr22/README.md` and tests/annotate_conformance.rs).
fn shifted_gtf(src: &Path, dst: &Path, shift: u64) {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let mut f: Vec<String> = line.split('\t').map(str::to_string).collect();
        let s = f[3].parse::<u64>().unwrap() + shift;
        let e = (f[4].parse::<u64>().unwrap() + shift).min(40_001);
        if s > 40_001 {
            continue;
        }
        f[3] = s.to_string();
        f[4] = e.to_string();
        out.push_str(&f.join("\t"));
        out.push('\n');
    }
    std::fs::write(dst, out).unwrap();
}

/// Real data: VEP 115 on the nf-core chr22 mini-genome (GTF shifted by +2027) and the dbSNP 146
/// records in CCT8L2 (`test-data/annotate/chr22/vep115.dbsnp_cct8l2.csq.vcf.gz`, made as in its
/// README). Every row both write is identical on every compared field except CANONICAL (this
/// GTF has no `Ensembl_canonical` tags; VEP's GTF mode then marks none, we pick one).
#[test]
fn agrees_with_vep_115_on_chr22_dbsnp() {
    let g = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens/genome");
    if !g.join("genome.gtf").exists() {
        util::skip(&format!("skipped: {} is absent", g.display()));
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let gtf = dir.path().join("genes.gtf");
    shifted_gtf(&g.join("genome.gtf"), &gtf, 2027);
    let expected = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/annotate/chr22/vep115.dbsnp_cct8l2.csq.vcf.gz");
    let vep = vep_rows(&expected);
    let lines: Vec<String> = gunzip(&expected)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let ours = annotate_lines(&gtf, &g.join("genome.fasta"), &lines);
    let mut compared = 0usize;
    let mut cct8l2 = 0usize;
    let mut differing = Vec::new();
    for (k, v) in &vep {
        // VEP's GTF reader drops the transcripts the shift cuts at the contig end.
        let Some(o) = ours.get(k) else { continue };
        compared += 1;
        cct8l2 += usize::from(k.5 == "ENST00000359963");
        for f in COMPARED.iter().filter(|f| **f != "CANONICAL") {
            let (a, b) = (o.get(*f).map_or("", String::as_str), v[*f].as_str());
            if a != b {
                differing.push(format!(
                    "{}:{} {}>{} {} {f}: ours={a:?} VEP={b:?}",
                    k.0, k.1, k.2, k.3, k.5
                ));
            }
        }
    }
    println!("{compared} chr22 rows compared, {} differ", differing.len());
    assert!(compared > 800, "{compared} rows");
    assert!(cct8l2 > 400, "{cct8l2} CCT8L2 rows");
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}
