//! Conformance of `peptides` with pVACseq's `generate_protein_fasta` and of `neoantigens` with
//! pVACseq's VCF value extraction, plus bad-input behaviour. Tests that read `../shared` skip
//! with a message when it is absent.

mod util;

use std::io::Write;
use std::path::{Path, PathBuf};

use immunoprofile::binding::{BindingPredictor, HlaAllele, Prediction};
use immunoprofile::neoantigen::{self, NeoantigenParams, PredictorSpec};
use immunoprofile::peptides::{self, Downstream, EntryFilter, FastaGroups, PeptideParams};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/pVACtools/tests/test_data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        util::skip(&format!("skipping: {} is absent", p.display()));
        None
    }
}

fn expected(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(rel),
    )
    .unwrap()
}

fn fasta_of(params: &PeptideParams) -> String {
    let mut groups = FastaGroups::default();
    peptides::compute(params, &mut groups, &mut std::io::sink()).unwrap();
    let mut out = Vec::new();
    groups.write(&mut out, params.mutant_only).unwrap();
    String::from_utf8(out).unwrap()
}

fn pparams(vcf: PathBuf, flank: usize, downstream: Downstream, biotypes: &[&str]) -> PeptideParams {
    PeptideParams {
        vcf,
        flank,
        downstream,
        filter: EntryFilter {
            biotypes: biotypes.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[test]
fn pvacseq_generate_protein_fasta_output_is_reproduced() {
    let (Some(vcf), Some(out)) = (
        shared("pvacseq_generate_protein_fasta/input.vcf"),
        shared("pvacseq_generate_protein_fasta/output.fasta"),
    ) else {
        return;
    };
    let p = pparams(vcf, 10, Downstream::Full, &["protein_coding", "IG_V_gene"]);
    assert_eq!(fasta_of(&p), std::fs::read_to_string(out).unwrap());
}

#[test]
fn pvacseq_mutant_only_multi_sample_is_reproduced() {
    let (Some(vcf), Some(out)) = (
        shared("pvacseq_generate_protein_fasta/input_multi_sample.vcf"),
        shared("pvacseq_generate_protein_fasta/output_mutant_only.fasta"),
    ) else {
        return;
    };
    let mut p = pparams(vcf, 10, Downstream::Full, &["protein_coding", "IG_V_gene"]);
    p.sample = Some("H_NJ-HCC1395-HCC1395".into());
    p.mutant_only = true;
    assert_eq!(fasta_of(&p), std::fs::read_to_string(out).unwrap());
}

#[test]
fn other_flanks_and_vcfs_match_pvacseq() {
    // Outputs of pvacseq generate_protein_fasta kept in tests/data/peptides (commands in its README).
    if let Some(vcf) = shared("pvacseq/input_somatic.vcf.gz") {
        assert_eq!(
            fasta_of(&pparams(vcf, 10, Downstream::Full, &["protein_coding"])),
            expected("peptides/input_somatic.flank10.full.fasta")
        );
    }
    if let Some(vcf) = shared("pvacseq_generate_protein_fasta/input.vcf") {
        assert_eq!(
            fasta_of(&pparams(vcf, 7, Downstream::Limit(20), &["protein_coding"])),
            expected("peptides/input.flank7.d20.fasta")
        );
    }
    if let Some(vcf) = shared("pvacsplice/inputs/annotated.expression_chr1.vcf.gz") {
        let mut p = pparams(vcf, 8, Downstream::Full, &["protein_coding"]);
        p.sample = Some("HCC1395_TUMOR_DNA".into());
        assert_eq!(
            fasta_of(&p),
            expected("peptides/annotated_expression_chr1.flank8.full.fasta")
        );
    }
}

/// A deterministic stand-in for a binding model: IC50 from a hash of allele and peptide.
struct HashPredictor;

impl BindingPredictor for HashPredictor {
    fn name(&self) -> &str {
        "test-hash"
    }
    fn supports(&self, allele: &HlaAllele) -> bool {
        allele.gene() != "C"
    }
    fn predict(
        &self,
        allele: &HlaAllele,
        peptides: &[&str],
    ) -> immunoprofile::Result<Vec<Prediction>> {
        Ok(peptides
            .iter()
            .map(|p| {
                let mut h: u64 = 0xcbf29ce484222325;
                for b in allele.to_string().bytes().chain(p.bytes()) {
                    h = (h ^ u64::from(b)).wrapping_mul(0x100000001b3);
                }
                Prediction {
                    ic50: 1.0 + (h % 50_000) as f64 / 2.0,
                    percentile: Some((h % 10_000) as f64 / 100.0),
                }
            })
            .collect())
    }
}

fn nparams(vcf: PathBuf, sample: Option<&str>) -> NeoantigenParams {
    NeoantigenParams {
        vcf,
        sample: sample.map(str::to_string),
        alleles: ["HLA-A*02:01", "B*07:02"]
            .iter()
            .map(|a| HlaAllele::parse(a).unwrap())
            .collect(),
        lengths: vec![8, 9, 10, 11],
        predictor: PredictorSpec::Builtin,
        ..Default::default()
    }
}

fn run_neo(params: &NeoantigenParams) -> (String, neoantigen::NeoantigenResult) {
    let mut all = Vec::new();
    let mut fasta = FastaGroups::default();
    let r = neoantigen::compute_with(params, &HashPredictor, &mut all, &mut fasta).unwrap();
    (String::from_utf8(all).unwrap(), r)
}

#[test]
fn vcf_values_match_pvacseq_converter() {
    let Some(vcf) = shared("pvacsplice/inputs/annotated.expression_chr1.vcf.gz") else {
        return;
    };
    let (all, _) = run_neo(&nparams(vcf, Some("HCC1395_TUMOR_DNA")));
    let mut ours = std::collections::HashMap::new();
    let mut lines = all.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let key = format!(
            "{} {} {} {}",
            f[col("chrom")],
            f[col("ref")],
            f[col("alt")],
            f[col("transcript")]
        );
        let vals: Vec<String> = [
            "dna_depth",
            "dna_vaf",
            "rna_depth",
            "rna_vaf",
            "gene_expression",
            "transcript_expression",
        ]
        .iter()
        .map(|c| f[col(c)].to_string())
        .collect();
        ours.insert(key, vals);
    }
    let num = |s: &str| {
        if s == "NA" {
            None
        } else {
            Some(s.parse::<f64>().unwrap())
        }
    };
    let mut compared = 0;
    for l in expected("neoantigens/annotated_expression_chr1.values.tsv")
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = l.split('\t').collect();
        let Some(v) = ours.get(&format!("{} {} {} {}", f[0], f[1], f[2], f[3])) else {
            continue;
        };
        for (theirs, mine) in f[4..].iter().zip(v) {
            match (num(theirs), num(mine)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-5, "{l}: {theirs} vs {mine}"),
                (a, b) => assert_eq!(a, b, "{l}"),
            }
        }
        compared += 1;
    }
    assert!(compared > 50, "only {compared} transcripts compared");
}

/// HGVSc/HGVSp and the matched normal's depth and VAF in pVACseq's all_epitopes.tsv columns,
/// against pVACtools' own converter output for the same VCF with
/// `normal_sample_name='HCC1395_NORMAL_DNA'` (tests/data/neoantigens/README.md).
#[test]
fn hgvs_and_normal_columns_match_pvacseq_converter() {
    let Some(vcf) = shared("pvacsplice/inputs/annotated.expression_chr1.vcf.gz") else {
        return;
    };
    let mut params = nparams(vcf, Some("HCC1395_TUMOR_DNA"));
    params.normal_sample = Some("HCC1395_NORMAL_DNA".into());
    params.format = neoantigen::pvacseq::OutputFormat::Pvacseq;
    let (_, r) = run_neo(&params);
    assert_eq!(
        r.summary.normal_sample.as_deref(),
        Some("HCC1395_NORMAL_DNA")
    );
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("S");
    immunoprofile::io::output::commit_all(neoantigen::pvacseq::write(&r, &prefix).unwrap())
        .unwrap();
    let table = std::fs::read_to_string(dir.path().join("S.MHC_I.all_epitopes.tsv")).unwrap();
    let mut lines = table.lines();
    let head: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let mut ours: std::collections::HashMap<String, Vec<String>> = Default::default();
    for l in lines {
        let f: Vec<&str> = l.split('\t').collect();
        let key = ["Chromosome", "Reference", "Variant", "Transcript"]
            .map(|c| f[col(c)])
            .join(" ");
        let vals: Vec<String> = ["HGVSc", "HGVSp", "Normal Depth", "Normal VAF"]
            .iter()
            .map(|c| f[col(c)].to_string())
            .collect();
        // Every epitope row of one transcript carries the same values.
        if let Some(prev) = ours.insert(key.clone(), vals.clone()) {
            assert_eq!(prev, vals, "{key}");
        }
    }
    let mut compared = 0;
    for l in expected("neoantigens/annotated_expression_chr1.normal_hgvs.tsv")
        .lines()
        .skip(1)
    {
        let f: Vec<&str> = l.split('\t').collect();
        let Some(v) = ours.get(&f[..4].join(" ")) else {
            continue;
        };
        assert_eq!((v[0].as_str(), v[1].as_str()), (f[4], f[5]), "{l}");
        assert_eq!(v[2], f[6], "{l}");
        let (a, b): (f64, f64) = (f[7].parse().unwrap(), v[3].parse().unwrap());
        assert!((a - b).abs() < 1e-6, "{l}: {} vs {}", f[7], v[3]);
        compared += 1;
    }
    assert!(compared > 50, "only {compared} transcripts compared");

    // A normal that is not in the VCF is refused, naming the samples.
    params.normal_sample = Some("NOPE".into());
    let mut all = Vec::new();
    let Err(e) = neoantigen::compute_with(
        &params,
        &HashPredictor,
        &mut all,
        &mut FastaGroups::default(),
    ) else {
        panic!("an absent normal sample was accepted");
    };
    let e = e.to_string();
    assert!(
        e.contains("NOPE") && e.contains("HCC1395_NORMAL_DNA"),
        "{e}"
    );
}

#[test]
fn output_is_the_same_for_one_or_two_threads() {
    let Some(vcf) = shared("pvacseq_generate_protein_fasta/input.vcf") else {
        return;
    };
    let p = nparams(vcf, None);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| run_neo(&p).0);
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
        .install(|| run_neo(&p).0);
    assert!(one.lines().count() > 100);
    assert_eq!(one, two);
}

const HEADER: &str = "##fileformat=VCFv4.2\n##contig=<ID=chr9,length=1000>\n";
const CSQ: &str = "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL|Gene|Feature|BIOTYPE|Protein_position|Amino_acids|Codons|FLAGS|WildtypeProtein|FrameshiftSequence\">\n";

fn vcf(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn vcf_without_csq_names_the_missing_fields() {
    let f = vcf(&format!("{HEADER}##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\nchr9\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n"));
    let e = peptides::compute(
        &pparams(f.path().into(), 10, Downstream::Full, &["protein_coding"]),
        &mut FastaGroups::default(),
        &mut std::io::sink(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("WildtypeProtein")
            && e.contains("FrameshiftSequence")
            && e.contains("Wildtype and Frameshift plugins")
            && e.contains("immunoprofile annotate"),
        "{e}"
    );
    let no_fs = CSQ.replace("|WildtypeProtein|FrameshiftSequence", "|WildtypeProtein");
    let f = vcf(&format!(
        "{HEADER}{no_fs}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n"
    ));
    let e = peptides::compute(
        &pparams(f.path().into(), 10, Downstream::Full, &["protein_coding"]),
        &mut FastaGroups::default(),
        &mut std::io::sink(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("lacks the field(s) FrameshiftSequence"), "{e}");
}

#[test]
fn wildtype_protein_disagreeing_with_vep_skips_only_that_transcript() {
    // T1 says residue 3 is T (it is), T2 says it is W (WildtypeProtein has T): T2 is skipped.
    let rec = "chr9\t10\t.\tA\tG\t.\tPASS\tCSQ=G|missense_variant|GENE|ENSG1|T1|protein_coding|3|T/K|aCc/aAc||MKTAYIAKQRQISFVKSHFSRQ|,G|missense_variant|GENE|ENSG1|T2|protein_coding|3|W/K|aCc/aAc||MKTAYIAKQRQISFVKSHFSRQ|\tGT\t0/1\n";
    let f = vcf(&format!("{HEADER}{CSQ}##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n{rec}"));
    let mut groups = FastaGroups::default();
    let s = peptides::compute(
        &pparams(f.path().into(), 3, Downstream::Full, &["protein_coding"]),
        &mut groups,
        &mut std::io::sink(),
    )
    .unwrap();
    assert_eq!(s.windows, 1);
    assert_eq!(s.skipped.get("wildtype_protein_mismatch"), Some(&1));
    let mut out = Vec::new();
    groups.write(&mut out, false).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        ">WT.1.GENE.T1.missense.3T/K\nMKTAYIA\n>MT.1.GENE.T1.missense.3T/K\nMKKAYIA\n"
    );
}

#[test]
fn unsupported_allele_lists_close_matches_and_bam_contigs_are_checked() {
    let rec = "chr9\t10\t.\tA\tG\t.\tPASS\tCSQ=G|missense_variant|GENE|ENSG1|T1|protein_coding|11|Q/K|aCc/aAc||MKTAYIAKQRQISFVKSHFSRQ|\tGT\t0/1\n";
    let f = vcf(&format!("{HEADER}{CSQ}##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n{rec}"));
    let mut p = nparams(f.path().into(), None);
    p.alleles.push(HlaAllele::parse("C*07:99").unwrap());
    let e = neoantigen::compute_with(
        &p,
        &HashPredictor,
        &mut Vec::new(),
        &mut FastaGroups::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("HLA-C*07:99 is not supported"), "{e}");
    // A BAM on contig c1 only, for a VCF on chr9.
    use rust_htslib::bam::{self, header::HeaderRecord, Header, Writer};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.bam");
    let mut header = Header::new();
    header.push_record(
        HeaderRecord::new(b"HD")
            .push_tag(b"VN", "1.6")
            .push_tag(b"SO", "coordinate"),
    );
    header.push_record(
        HeaderRecord::new(b"SQ")
            .push_tag(b"SN", "c1")
            .push_tag(b"LN", 100),
    );
    drop(Writer::from_path(&path, &header, bam::Format::Bam).unwrap());
    bam::index::build(&path, None, bam::index::Type::Bai, 1).unwrap();
    let mut p = nparams(f.path().into(), None);
    p.tumor_bam = Some(path);
    let e = neoantigen::compute_with(
        &p,
        &HashPredictor,
        &mut Vec::new(),
        &mut FastaGroups::default(),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("different references"), "{e}");
}

/// `--gtf/--fasta` (our engine in memory) must give the same windows as reading the CSQ that
/// `annotate` writes from the same GTF and FASTA.
#[test]
fn peptides_from_gtf_fasta_equal_peptides_from_annotate_csq() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-data/demo");
    let (gtf, fasta) = (demo.join("genes.gtf"), demo.join("genome.fa"));
    let dir = tempfile::tempdir().unwrap();
    for s in ["tumour_hyper", "tumour_hot"] {
        let vcf = demo.join(format!("{s}.somatic.vcf"));
        let ann = dir.path().join(format!("{s}.A"));
        let ok = |args: &[&str]| {
            let o = std::process::Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
                .arg("-q")
                .args(args)
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        };
        let p = |x: &Path| x.to_str().unwrap().to_string();
        ok(&[
            "annotate",
            "--vcf",
            &p(&vcf),
            "--gtf",
            &p(&gtf),
            "--fasta",
            &p(&fasta),
            "-o",
            &p(&ann),
        ]);
        let csq = dir.path().join(format!("{s}.csq"));
        let mem = dir.path().join(format!("{s}.mem"));
        let annotated = format!("{}.annotated.vcf.gz", ann.display());
        ok(&[
            "peptides",
            "--vcf",
            &annotated,
            "--flank",
            "10",
            "-o",
            &p(&csq),
        ]);
        ok(&[
            "peptides",
            "--vcf",
            &p(&vcf),
            "--gtf",
            &p(&gtf),
            "--fasta",
            &p(&fasta),
            "--flank",
            "10",
            "-o",
            &p(&mem),
        ]);
        for ext in ["peptides.fasta", "peptides.tsv"] {
            let a = std::fs::read_to_string(format!("{}.{ext}", csq.display())).unwrap();
            let b = std::fs::read_to_string(format!("{}.{ext}", mem.display())).unwrap();
            assert!(a.lines().count() > 2, "{s} {ext}: no windows");
            assert_eq!(a, b, "{s} {ext}");
        }
    }
}
