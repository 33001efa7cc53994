//! Class II neoantigens: 15-mer epitopes of the mutant windows with their wild-type pairs, mixed
//! class I / class II `--alleles`, typed class II molecules, the class II tables and pVACseq's
//! `MHC_II` files. Runs that score class II read the IPD-IMGT/HLA release in `../shared` and skip
//! with a message when it is absent.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::neoantigen::epitopes::enumerate;
use immunoprofile::peptides::window::build;
use immunoprofile::peptides::{Downstream, SampleValues, VariantEntry, VariantType};
use immunoprofile::stage::neoantigens::Params;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn imgt() -> Option<PathBuf> {
    let p = root().join("../shared/data/imgt-hla/3.30.0");
    if p.join("fasta/DRB1_prot.fasta").is_file() {
        Some(p)
    } else {
        util::skip(&format!("skipping: {} is absent", p.display()));
        None
    }
}

/// A missense entry of a 40-residue protein (ACDEFGHIKLMNPQRSTVWY twice).
fn missense(position: u64, change: &str) -> VariantEntry {
    VariantEntry {
        number: 1,
        chrom: "chr1".into(),
        pos: 100,
        reference: "C".into(),
        alt: "T".into(),
        gene: "G1".into(),
        gene_id: None,
        transcript: "T1".into(),
        biotype: Some("protein_coding".into()),
        variant_type: VariantType::Missense,
        protein_position: position.to_string(),
        amino_acid_change: change.into(),
        change: format!("{position}{change}"),
        canonical: true,
        tsl: Some("1".into()),
        wildtype_protein: "ACDEFGHIKLMNPQRSTVWY".repeat(2),
        frameshift_sequence: String::new(),
        values: SampleValues::default(),
        hgvsc: None,
        hgvsp: None,
        normal: Default::default(),
    }
}

/// The 15-mer epitopes of a missense: every 15-residue stretch that covers the change, each
/// paired with the wild-type stretch at the same place.
fn fifteen_mers(e: &VariantEntry) -> Vec<(usize, String, String, String)> {
    let w = build(e, 14, Downstream::Limit(1000), 15).unwrap();
    enumerate(&w, VariantType::Missense, 15)
        .into_iter()
        .map(|x| {
            (
                x.start,
                x.mt.clone(),
                x.wt.clone().unwrap(),
                x.mutation_position_text(),
            )
        })
        .collect()
}

#[test]
fn a_missense_mid_protein_gives_fifteen_15mers() {
    // Y20G: residues 6..34 form the window; the 15 stretches starting at residues 6..20 cover
    // residue 20 (min(15, 20, 40 - 20 + 1) = 15), the change at epitope position 15, 14, ... 1.
    let eps = fifteen_mers(&missense(20, "Y/G"));
    assert_eq!(eps.len(), 15);
    assert_eq!(
        eps[0],
        (
            1,
            "GHIKLMNPQRSTVWG".to_string(),
            "GHIKLMNPQRSTVWY".to_string(),
            "15".to_string()
        )
    );
    assert_eq!(
        eps[14],
        (
            15,
            "GACDEFGHIKLMNPQ".to_string(),
            "YACDEFGHIKLMNPQ".to_string(),
            "1".to_string()
        )
    );
    for (k, (start, mt, wt, pos)) in eps.iter().enumerate() {
        assert_eq!(*start, k + 1);
        let p: usize = pos.parse().unwrap();
        assert_eq!(p, 15 - k);
        // WT pairing: the same stretch, differing only at the change.
        let diff: Vec<usize> = mt
            .bytes()
            .zip(wt.bytes())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(diff, vec![p]);
        assert_eq!(mt.as_bytes()[p - 1], b'G');
        assert_eq!(wt.as_bytes()[p - 1], b'Y');
    }
}

#[test]
fn a_missense_near_the_start_gives_as_many_15mers_as_residues_before_it() {
    // E4K: only stretches starting at residues 1..4 cover residue 4.
    let eps = fifteen_mers(&missense(4, "E/K"));
    assert_eq!(eps.len(), 4);
    assert_eq!(eps[0].1, "ACDKFGHIKLMNPQR");
    assert_eq!(eps[0].2, "ACDEFGHIKLMNPQR");
    assert_eq!(eps[0].3, "4");
    assert_eq!(eps[3].1, "KFGHIKLMNPQRSTV");
    assert_eq!(eps[3].3, "1");
}

#[test]
fn mixed_alleles_split_into_class_i_and_class_ii() {
    let p = Params {
        vcf: Some("v.vcf".into()),
        alleles: vec![
            "HLA-A*02:01;DRB1*03:01".into(),
            "DQA1*05:01-DQB1*03:02".into(),
            "HLA-DPA1*01:03/DPB1*02:01 B*07:02".into(),
            "HLA-DRA*01:01/DRB1*03:01".into(),
        ],
        imgt: Some("imgt".into()),
        class2_lengths: vec![16, 15, 15],
        ..Default::default()
    };
    let r = p.resolve(1).unwrap();
    let class1: Vec<String> = r.alleles.iter().map(ToString::to_string).collect();
    assert_eq!(class1, vec!["HLA-A*02:01", "HLA-B*07:02"]);
    let c2 = r.class2.unwrap();
    let given: Vec<&str> = c2.alleles.iter().map(|a| a.given.as_str()).collect();
    // The DR molecule spelled twice is scored once, under its first spelling.
    assert_eq!(
        given,
        vec![
            "DRB1*03:01",
            "DQA1*05:01-DQB1*03:02",
            "HLA-DPA1*01:03/DPB1*02:01"
        ]
    );
    let molecules: Vec<String> = c2.alleles.iter().map(|a| a.molecule.to_string()).collect();
    assert_eq!(
        molecules,
        vec![
            "HLA-DRA*01:01/DRB1*03:01",
            "HLA-DQA1*05:01/DQB1*03:02",
            "HLA-DPA1*01:03/DPB1*02:01"
        ]
    );
    assert_eq!(c2.lengths, vec![15, 16]);
    assert_eq!(c2.imgt, PathBuf::from("imgt"));

    // Class I only: no class II part, --imgt not needed.
    let p = Params {
        vcf: Some("v.vcf".into()),
        alleles: vec!["A*02:01".into()],
        ..Default::default()
    };
    assert!(p.resolve(1).unwrap().class2.is_none());
    // Bad class II lengths, as `binding --class2-lengths` refuses them.
    let p = Params {
        vcf: Some("v.vcf".into()),
        alleles: vec!["DRB1*03:01".into()],
        imgt: Some("imgt".into()),
        class2_lengths: vec![5],
        ..Default::default()
    };
    assert!(p
        .resolve(1)
        .unwrap_err()
        .to_string()
        .contains("--class2-lengths"));
}

#[test]
fn class_ii_without_imgt_is_an_error_naming_the_molecules() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["neoantigens", "--vcf"])
        .arg(root().join("test-data/demo/tumour_hyper.somatic.vcf"))
        .args([
            "--alleles",
            "HLA-A*02:01,DRB1*03:01,DQA1*05:01-DQB1*03:02",
            "-o",
        ])
        .arg(dir.path().join("S"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--imgt")
            && err.contains("DRB1*03:01")
            && err.contains("DQA1*05:01-DQB1*03:02"),
        "{err}"
    );
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

#[test]
fn typed_class_ii_calls_become_molecules() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("S.hla.json");
    std::fs::write(
        &json,
        r#"{"alleles": {"A": ["A*02:01", "A*01:01"], "DRB1": ["DRB1*03:01", "DRB1*03:01"],
            "DQA1": ["DQA1*05:01", "DQA1*01:02"], "DQB1": ["DQB1*02:01", "DQB1*06:02"],
            "DPB1": ["DPB1*04:01", "DPB1*04:01"]}}"#,
    )
    .unwrap();
    let calls = immunoprofile::hla::output::read_calls(&json).unwrap();
    let got = immunoprofile::neoantigen::class2::typed_molecules(&calls);
    // DRB1 homozygous: one molecule; DQ: 2 × 2 pairings; DPB1 without DPA1: none.
    assert_eq!(
        got,
        vec![
            "HLA-DRB1*03:01",
            "HLA-DQA1*05:01/DQB1*02:01",
            "HLA-DQA1*05:01/DQB1*06:02",
            "HLA-DQA1*01:02/DQB1*02:01",
            "HLA-DQA1*01:02/DQB1*06:02",
        ]
    );
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

/// pVACseq 7.1.5's `HCC1395_TUMOR_DNA.MHC_II.all_epitopes.tsv` header (pvactools 7.1.5 wheel,
/// `pvactools/tools/pvacseq/example_data/results/MHC_Class_II/`), with its eight predictors'
/// columns replaced by one predictor's four (`X WT IC50 Score`, `X MT IC50 Score`,
/// `X WT Percentile`, `X MT Percentile`, pVACseq's pattern for IC50 predictors).
fn pvacseq_mhc2_header(method: &str) -> String {
    format!("Chromosome\tStart\tStop\tReference\tVariant\tTranscript\tTranscript Support Level\tTranscript Length\tCanonical\tMANE Select\tBiotype\tTranscript CDS Flags\tEnsembl Gene ID\tVariant Type\tMutation\tProtein Position\tGene Name\tHGVSc\tHGVSp\tHLA Allele\tPeptide Length\tSub-peptide Position\tMutation Position\tMT Epitope Seq\tWT Epitope Seq\tBest MT IC50 Score Method\tBest MT IC50 Score\tCorresponding WT IC50 Score\tCorresponding Fold Change\tBest MT Percentile Method\tBest MT Percentile\tCorresponding WT Percentile\tBest MT IC50 Percentile Method\tBest MT IC50 Percentile\tCorresponding WT IC50 Percentile\tBest MT Immunogenicity Percentile Method\tBest MT Immunogenicity Percentile\tCorresponding WT Immunogenicity Percentile\tBest MT Presentation Percentile Method\tBest MT Presentation Percentile\tCorresponding WT Presentation Percentile\tTumor DNA Depth\tTumor DNA VAF\tTumor RNA Depth\tTumor RNA VAF\tNormal Depth\tNormal VAF\tGene Expression\tTranscript Expression\tMedian MT IC50 Score\tMedian WT IC50 Score\tMedian Fold Change\tMedian MT Percentile\tMedian WT Percentile\tMedian MT IC50 Percentile\tMedian WT IC50 Percentile\tMedian MT Immunogenicity Percentile\tMedian WT Immunogenicity Percentile\tMedian MT Presentation Percentile\tMedian WT Presentation Percentile\t{method} WT IC50 Score\t{method} MT IC50 Score\t{method} WT Percentile\t{method} MT Percentile\tIndex\tGene of Interest\tcterm_7mer_gravy_score\tmax_7mer_gravy_score\tdifficult_n_terminal_residue\tc_terminal_cysteine\tc_terminal_proline\tcysteine_count\tn_terminal_asparagine\tasparagine_proline_bond_count")
}

/// The same run's `HCC1395_TUMOR_DNA.MHC_II.all_epitopes.aggregated.tsv` header after its
/// allele columns.
const PVACSEQ_AGGREGATED_TAIL: &str = "Gene\tAA Change\tNum Passing Transcripts\tBest Peptide\tBest Transcript\tMANE Select\tCanonical\tTSL\tAllele\tPos\tProb Pos\tNum Included Peptides\tNum Passing Peptides\tIC50 MT\tIC50 WT\t%ile MT\t%ile WT\tIC50 %ile MT\tIC50 %ile WT\tIM %ile MT\tIM %ile WT\tPres %ile MT\tPres %ile WT\tRNA Expr\tRNA VAF\tAllele Expr\tRNA Depth\tDNA VAF\tTier\tEvaluation";

const CLASS2_TSV_HEADER: &str = "rank\ttier\tchrom\tpos\tref\talt\tgene\ttranscript\tvariant_type\tprotein_change\tprotein_position\tallele\tlength\tmt_epitope\twt_epitope\tmutation_position\tmt_core\tmt_ic50\twt_ic50\tmt_percentile\twt_percentile\tagretopicity\tdna_depth\tdna_vaf\trna_depth\trna_vaf\tgene_expression\ttranscript_expression\tallele_expression\tindex";

#[test]
fn class_ii_tables_and_pvacseq_mhc_ii_files() {
    let Some(imgt) = imgt() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("S");
    let demo = root().join("test-data/demo");
    let p = |p: &Path| p.to_string_lossy().into_owned();
    let mut args: Vec<String> = vec![
        "neoantigens".into(),
        "--vcf".into(),
        p(&demo.join("tumour_hyper.somatic.vcf")),
        "--gtf".into(),
        p(&demo.join("genes.gtf")),
        "--fasta".into(),
        p(&demo.join("genome.fa")),
    ];
    args.extend(
        [
            "--alleles",
            "HLA-A*02:01,DRB1*01:01,DQA1*05:01-DQB1*02:01",
            "--format",
            "both",
            // Depth/VAF/expression filters off: every binder passes.
            "--min-dna-depth",
            "0",
            "--min-dna-vaf",
            "0",
            "--min-rna-depth",
            "0",
            "--min-rna-vaf",
            "0",
            "--min-expression",
            "0",
            "--imgt",
        ]
        .map(String::from),
    );
    args.extend([p(&imgt), "-o".into(), p(&prefix)]);
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(&args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = |s: &str| dir.path().join(format!("S.{s}"));

    // Our class II tables.
    let all = lines(&file("neoantigens.class2.all.tsv"));
    assert_eq!(all[0], CLASS2_TSV_HEADER["rank\ttier\t".len()..]);
    assert!(all.len() > 1, "no class II epitope");
    let cols: Vec<&str> = all[0].split('\t').collect();
    let col = |name: &str| cols.iter().position(|c| *c == name).unwrap();
    for row in &all[1..] {
        let f: Vec<&str> = row.split('\t').collect();
        assert_eq!(f.len(), cols.len());
        assert!(["DRB1*01:01", "DQA1*05:01-DQB1*02:01"].contains(&f[col("allele")]));
        assert_eq!(f[col("length")], "15");
        let mt = f[col("mt_epitope")];
        assert_eq!(mt.len(), 15);
        // The binding core is 9 residues of the epitope.
        let core = f[col("mt_core")];
        assert_eq!(core.len(), 9);
        assert!(mt.contains(core), "{core} not in {mt}");
        if f[col("variant_type")] == "missense" {
            let wt = f[col("wt_epitope")];
            let p: usize = f[col("mutation_position")].parse().unwrap();
            let diff: Vec<usize> = mt
                .bytes()
                .zip(wt.bytes())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .map(|(i, _)| i + 1)
                .collect();
            assert_eq!(diff, vec![p], "{row}");
        }
    }
    let ranked = lines(&file("neoantigens.class2.tsv"));
    assert_eq!(ranked[0], CLASS2_TSV_HEADER);
    // Class I tables keep their own columns (no core).
    assert!(!lines(&file("neoantigens.all.tsv"))[0].contains("mt_core"));
    assert!(file("neoantigens.class2.fasta").is_file());

    // The summary: class I keys as before, class II counts beside them.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file("neoantigens.json")).unwrap()).unwrap();
    assert_eq!(
        json["epitopes"].as_u64().unwrap() as usize,
        lines(&file("neoantigens.all.tsv")).len() - 1
    );
    assert_eq!(json["alleles"], serde_json::json!(["HLA-A*02:01"]));
    let c2 = &json["class2"];
    assert_eq!(c2["epitopes"].as_u64().unwrap() as usize, all.len() - 1);
    assert_eq!(
        c2["candidates"].as_u64().unwrap() as usize,
        ranked.len() - 1
    );
    assert_eq!(
        c2["molecules"],
        serde_json::json!(["HLA-DRA*01:01/DRB1*01:01", "HLA-DQA1*05:01/DQB1*02:01"])
    );
    assert_eq!(c2["lengths"], serde_json::json!([15]));

    // pVACseq's MHC_II files: its header, its allele spelling, the same rows as ours.
    for name in ["MHC_II.all_epitopes.tsv", "MHC_II.filtered.tsv"] {
        let l = lines(&file(name));
        assert_eq!(l[0], pvacseq_mhc2_header("builtin-class2-v1"), "{name}");
        for row in &l[1..] {
            let allele = row.split('\t').nth(19).unwrap();
            assert!(
                ["DRB1*01:01", "DQA1*05:01-DQB1*02:01"].contains(&allele),
                "{allele}"
            );
        }
    }
    assert_eq!(lines(&file("MHC_II.all_epitopes.tsv")).len(), all.len());
    assert_eq!(lines(&file("MHC_II.filtered.tsv")).len(), ranked.len());
    let agg = lines(&file("MHC_II.all_epitopes.aggregated.tsv"));
    let head: Vec<&str> = agg[0].split('\t').collect();
    assert_eq!(&head[..2], &["ID", "Index"]);
    // pVACseq's allele columns: the molecules with rows, sorted, in its spelling.
    assert_eq!(
        head[2..].join("\t"),
        format!("DQA1*05:01-DQB1*02:01\tDRB1*01:01\t{PVACSEQ_AGGREGATED_TAIL}")
    );
    assert!(file("MHC_II.all_epitopes.aggregated.metrics.json").is_file());
    assert!(file("MHC_I.all_epitopes.tsv").is_file());

    // Same bytes with one thread as with several.
    for threads in ["1", "3"] {
        let other = dir.path().join(format!("T{threads}"));
        let mut args = args.clone();
        let o = args.iter().position(|a| a == "-o").unwrap();
        args[o + 1] = other.to_string_lossy().into_owned();
        args.extend(["--threads".to_string(), threads.to_string()]);
        let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
        for suffix in [
            "neoantigens.class2.all.tsv",
            "neoantigens.class2.tsv",
            "MHC_II.all_epitopes.aggregated.tsv",
        ] {
            assert_eq!(
                std::fs::read(file(suffix)).unwrap(),
                std::fs::read(dir.path().join(format!("T{threads}.{suffix}"))).unwrap(),
                "{suffix} with {threads} threads"
            );
        }
    }
}
