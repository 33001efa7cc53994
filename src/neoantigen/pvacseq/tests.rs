//! Expected headers are pVACseq 7.1.5's, copied by hand from the pvactools 7.1.5 wheel's
//! `pvactools/tools/pvacseq/example_data/results/MHC_Class_I/HCC1395_TUMOR_DNA.MHC_I.*`, keeping
//! only one predictor's columns. The aggregated
//! tiers and best peptides below were worked out by hand from `aggregate_all_epitopes.py`,
//! `get_best_candidate.py` and `update_tiers.py`.

use std::collections::BTreeMap;

use super::*;
use crate::binding::{HlaAllele, Prediction};
use crate::neoantigen::epitopes::Epitope;
use crate::neoantigen::{NeoantigenParams, NeoantigenSummary, Tier};
use crate::peptides::SampleValues;

const ALL_EPITOPES_HEADER: &str = "Chromosome\tStart\tStop\tReference\tVariant\tTranscript\tTranscript Support Level\tTranscript Length\tCanonical\tMANE Select\tBiotype\tTranscript CDS Flags\tEnsembl Gene ID\tVariant Type\tMutation\tProtein Position\tGene Name\tHGVSc\tHGVSp\tHLA Allele\tPeptide Length\tSub-peptide Position\tMutation Position\tMT Epitope Seq\tWT Epitope Seq\tBest MT IC50 Score Method\tBest MT IC50 Score\tCorresponding WT IC50 Score\tCorresponding Fold Change\tBest MT Percentile Method\tBest MT Percentile\tCorresponding WT Percentile\tBest MT IC50 Percentile Method\tBest MT IC50 Percentile\tCorresponding WT IC50 Percentile\tBest MT Immunogenicity Percentile Method\tBest MT Immunogenicity Percentile\tCorresponding WT Immunogenicity Percentile\tBest MT Presentation Percentile Method\tBest MT Presentation Percentile\tCorresponding WT Presentation Percentile\tTumor DNA Depth\tTumor DNA VAF\tTumor RNA Depth\tTumor RNA VAF\tNormal Depth\tNormal VAF\tGene Expression\tTranscript Expression\tMedian MT IC50 Score\tMedian WT IC50 Score\tMedian Fold Change\tMedian MT Percentile\tMedian WT Percentile\tMedian MT IC50 Percentile\tMedian WT IC50 Percentile\tMedian MT Immunogenicity Percentile\tMedian WT Immunogenicity Percentile\tMedian MT Presentation Percentile\tMedian WT Presentation Percentile\tNetMHCpan WT IC50 Score\tNetMHCpan MT IC50 Score\tNetMHCpan WT Percentile\tNetMHCpan MT Percentile\tIndex\tGene of Interest\tcterm_7mer_gravy_score\tmax_7mer_gravy_score\tdifficult_n_terminal_residue\tc_terminal_cysteine\tc_terminal_proline\tcysteine_count\tn_terminal_asparagine\tasparagine_proline_bond_count";

const AGGREGATED_HEADER: &str = "ID\tIndex\tA*29:02\tB*45:01\tB*82:02\tGene\tAA Change\tNum Passing Transcripts\tBest Peptide\tBest Transcript\tMANE Select\tCanonical\tTSL\tAllele\tPos\tProb Pos\tNum Included Peptides\tNum Passing Peptides\tIC50 MT\tIC50 WT\t%ile MT\t%ile WT\tIC50 %ile MT\tIC50 %ile WT\tIM %ile MT\tIM %ile WT\tPres %ile MT\tPres %ile WT\tRNA Expr\tRNA VAF\tAllele Expr\tRNA Depth\tDNA VAF\tTier\tEvaluation";

#[test]
fn headers_equal_pvacseq_7() {
    assert_eq!(
        epitope_header(method_name("netmhcpan-import")).join("\t"),
        ALL_EPITOPES_HEADER
    );
    let mut agg = vec!["ID", "Index", "A*29:02", "B*45:01", "B*82:02"];
    agg.extend(aggregate::AGGREGATED_TAIL);
    assert_eq!(agg.join("\t"), AGGREGATED_HEADER);
}

#[test]
fn manufacturability_matches_pvacseq_example() {
    // pVACseq's example row for VVFEYVAIY: cterm 1.0285714285714287, max 1.8142857142857145.
    let m = manufacturability("VVFEYVAIY");
    assert_eq!(m[0], "1.028571");
    assert_eq!(m[1], "1.814286");
    assert_eq!(&m[2..], ["False", "False", "False", "0", "False", "0"]);
    let m = manufacturability("NPCLNPC");
    assert_eq!(&m[2..], ["False", "True", "False", "2", "True", "2"]);
}

#[allow(clippy::too_many_arguments)]
fn entry(
    number: u64,
    chrom: &str,
    pos: u64,
    r: &str,
    a: &str,
    tx: &str,
    canonical: bool,
    tsl: &str,
    values: SampleValues,
) -> VariantEntry {
    VariantEntry {
        number,
        chrom: chrom.into(),
        pos,
        reference: r.into(),
        alt: a.into(),
        gene: format!("G{number}"),
        gene_id: None,
        transcript: tx.into(),
        biotype: Some("protein_coding".into()),
        variant_type: VariantType::Missense,
        protein_position: "10".into(),
        amino_acid_change: "S/F".into(),
        change: "10S/F".into(),
        canonical,
        tsl: Some(tsl.into()),
        wildtype_protein: String::new(),
        frameshift_sequence: String::new(),
        values,
        hgvsc: None,
        hgvsp: None,
        normal: Default::default(),
    }
}

fn cand(
    entry: usize,
    allele: usize,
    pep: &str,
    pos: u32,
    mt: f64,
    wt: f64,
    values: SampleValues,
) -> Candidate {
    Candidate {
        entry,
        allele,
        epitope: Epitope {
            length: pep.len(),
            start: 1,
            mt: pep.into(),
            wt: Some("W".repeat(pep.len())),
            mutation_positions: vec![pos],
        },
        mt: Some(Prediction {
            ic50: mt,
            percentile: Some(mt / 100.0),
        }),
        wt: Some(Prediction {
            ic50: wt,
            percentile: None,
        }),
        agretopicity: Some(wt / mt),
        allele_expression: values
            .gene_expression
            .zip(values.rna_vaf)
            .map(|(g, r)| g * r),
        values,
        core: None,
        order: 0,
    }
}

fn sv(dna: f64, rna: f64, ge: f64, te: f64) -> SampleValues {
    SampleValues {
        dna_depth: Some(40),
        dna_vaf: Some(dna),
        rna_depth: Some(30),
        rna_vaf: Some(rna),
        gene_expression: Some(ge),
        transcript_expression: Some(te),
    }
}

/// Five variants, one per tier case (values chosen so each tier follows from one rule).
fn hand_made() -> NeoantigenResult {
    let v1a = sv(0.4, 0.5, 20.0, 10.0);
    let v1b = sv(0.4, 0.5, 20.0, 50.0);
    let v2 = sv(0.1, 0.5, 20.0, 5.0);
    let v3 = sv(0.45, 0.2, 2.0, 5.0);
    let v4 = sv(0.4, 0.0, 0.0, 0.0);
    let v5 = sv(0.4, 0.5, 20.0, 5.0);
    let entries = vec![
        entry(1, "chr1", 100, "C", "T", "T1", true, "1", v1a),
        entry(1, "chr1", 100, "C", "T", "T2", false, "2", v1b),
        entry(2, "chr1", 200, "G", "A", "T3", true, "1", v2),
        entry(3, "chr2", 50, "A", "T", "T4", true, "1", v3),
        entry(4, "chr2", 80, "T", "C", "T5", true, "1", v4),
        entry(5, "chr3", 10, "C", "G", "T6", true, "1", v5),
    ];
    let all = vec![
        // V1: AAAAAAAAA binds A*02:01 equally from T1 (canonical) and T2; CCCCCCCCC binds
        // better but only changes anchor 2 and its WT binds (anchor fail); DDDDDDDDD is included
        // (< 5000) but not passing; EEEEEEEEE is above the inclusion threshold.
        cand(0, 0, "AAAAAAAAA", 5, 100.0, 1000.0, v1a),
        cand(0, 1, "CCCCCCCCC", 2, 50.0, 200.0, v1a),
        cand(0, 0, "DDDDDDDDD", 4, 3000.0, 3000.0, v1a),
        cand(0, 1, "EEEEEEEEE", 4, 8000.0, 9000.0, v1a),
        cand(1, 0, "AAAAAAAAA", 5, 100.0, 1000.0, v1b),
        // V2: subclonal (0.1 < 0.45 / 2) and anchor-only change: two strikes, Poor.
        cand(2, 0, "FFFFFFFFF", 9, 80.0, 300.0, v2),
        // V3: allele expression 2 × 0.2 = 0.4 ≤ 2.5 but above 0: LowExpr.
        cand(3, 0, "GGGGGGGGG", 5, 200.0, 900.0, v3),
        // V4: no expression: NoExpr.
        cand(4, 1, "HHHHHHHHH", 5, 300.0, 900.0, v4),
        // V5: only anchor 1 changes and the WT binds (100 < 500): Anchor.
        cand(5, 0, "KKKKKKKKK", 1, 40.0, 100.0, v5),
    ];
    let params = NeoantigenParams {
        alleles: vec![
            HlaAllele::parse("A*02:01").unwrap(),
            HlaAllele::parse("B*07:02").unwrap(),
        ],
        format: OutputFormat::Pvacseq,
        ..Default::default()
    };
    let ranked = all.iter().map(|c| (Tier::Pass, c.clone())).collect();
    NeoantigenResult {
        summary: NeoantigenSummary {
            schema_version: 1,
            version: "test",
            sample: "S".into(),
            normal_sample: None,
            predictor: "netmhcpan-import".into(),
            alleles: vec![],
            transcripts: 6,
            epitopes: all.len() as u64,
            candidates: 0,
            filtered: BTreeMap::new(),
            by_class: BTreeMap::new(),
            by_tier: BTreeMap::new(),
            neoantigen_load: 0,
            neoantigen_load_pass: 0,
            clonal_vaf: 0.45,
            skipped: BTreeMap::new(),
            ref_check: None,
            read_support: Default::default(),
            class2: None,
            params,
        },
        entries,
        ranked,
        all,
        class2: None,
    }
}

#[test]
fn aggregated_best_peptides_counts_and_tiers_follow_pvacseq() {
    let r = hand_made();
    let p = AggregateParams::from_filters(&r.summary.params.filters);
    let agg = aggregate(&r.class1(), &p, "NetMHCpan");
    assert_eq!(
        agg.header[..5].join("\t"),
        "ID\tIndex\tA*02:01\tB*07:02\tGene"
    );
    let ids: Vec<(&str, &str)> = agg.rows.iter().map(|r| (r.id.as_str(), r.tier)).collect();
    // Report order: Pass, LowExpr, Anchor, Poor, NoExpr (pVACseq's tier sorter).
    assert_eq!(
        ids,
        [
            ("chr1-99-100-C-T", "Pass"),
            ("chr2-49-50-A-T", "LowExpr"),
            ("chr3-9-10-C-G", "Anchor"),
            ("chr1-199-200-G-A", "Poor"),
            ("chr2-79-80-T-C", "NoExpr"),
        ]
    );
    let h = |name: &str| agg.header.iter().position(|c| c == name).unwrap();
    let v1 = &agg.rows[0].record;
    assert_eq!(v1[h("Index")], "1.G1.T1.missense.10S/F");
    assert_eq!(v1[h("Best Peptide")], "AAAAAAAAA");
    assert_eq!(v1[h("Best Transcript")], "T1"); // canonical wins the IC50 tie
    assert_eq!(v1[h("Allele")], "HLA-A*02:01");
    assert_eq!(v1[h("A*02:01")], "1");
    assert_eq!(v1[h("B*07:02")], "1");
    assert_eq!(v1[h("Num Passing Transcripts")], "2");
    assert_eq!(v1[h("Num Included Peptides")], "3");
    assert_eq!(v1[h("Num Passing Peptides")], "2");
    assert_eq!(v1[h("AA Change")], "S10F");
    assert_eq!(v1[h("IC50 MT")], "100.000");
    assert_eq!(v1[h("Allele Expr")], "10.000");
    assert_eq!(v1[h("Evaluation")], "Pending");
    // V2's only peptide fails the anchor test, so the fallback keeps it.
    assert_eq!(agg.rows[3].record[h("Best Peptide")], "FFFFFFFFF");
    assert_eq!(agg.rows[3].record[h("A*02:01")], "1");
    assert_eq!(agg.rows[3].record[h("B*07:02")], "");

    let m = &agg.metrics;
    assert_eq!(m.vaf_clonal, 0.45);
    assert_eq!(m.vaf_subclonal, 0.225);
    let v1m = &m.variants["chr1-99-100-C-T"];
    assert_eq!(v1m.sets, ["Transcript Set 1", "Transcript Set 2"]);
    assert_eq!(v1m.peptide_counts, [3, 1]);
    assert_eq!(v1m.set_expr, [10.0, 50.0]);
    let set1 = &v1m.good_binders.0[0].1;
    let order: Vec<&str> = set1.peptides.0.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(order, ["AAAAAAAAA", "DDDDDDDDD", "CCCCCCCCC"]);
    let ccc = &set1.peptides.0[2].1;
    assert_eq!(ccc.anchor_fails, "HLA-B*07:02");
    assert_eq!(
        ccc.ic50s_mt,
        [metrics::Value::Text("X".into()), metrics::Value::Num(50.0)]
    );
}

#[test]
fn metrics_json_has_the_keys_pvacview_reads() {
    let r = hand_made();
    let p = AggregateParams::from_filters(&r.summary.params.filters);
    let agg = aggregate(&r.class1(), &p, "NetMHCpan");
    let text = serde_json::to_string_pretty(&agg.metrics).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // pVACview (server.R) reads these run settings, and passes the first 21 keys to its tier().
    for k in [
        "tumor_purity",
        "vaf_clonal",
        "vaf_subclonal",
        "binding_threshold",
        "trna_vaf",
        "trna_cov",
        "allele_expr_threshold",
        "transcript_prioritization_strategy",
        "maximum_transcript_support_level",
        "binding_percentile_threshold",
        "percentile_threshold_strategy",
        "use_allele_specific_binding_thresholds",
        "mt_top_score_metric",
        "wt_top_score_metric",
        "allele_specific_binding_thresholds",
        "allele_specific_anchors",
        "alleles",
        "anchor_contribution_threshold",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    let first: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  \""))
        .map(|l| l.trim().split('"').nth(1).unwrap())
        .take(3)
        .collect();
    assert_eq!(first, ["tumor_purity", "vaf_clonal", "vaf_subclonal"]);
    // Per variant: what the transcript-set, peptide and VAF panels read.
    let var = &v["chr1-99-100-C-T"];
    for k in [
        "good_binders",
        "sets",
        "transcript_counts",
        "peptide_counts",
        "set_expr",
        "DNA VAF",
        "RNA VAF",
        "gene_expr",
    ] {
        assert!(var.get(k).is_some(), "{k}");
    }
    let set = &var["good_binders"]["Transcript Set 1"];
    for k in [
        "transcripts",
        "transcript_expr",
        "mane_select",
        "canonical",
        "tsl",
        "biotype",
        "transcript_length",
        "peptides",
    ] {
        assert!(set.get(k).is_some(), "{k}");
    }
    let pep = &set["peptides"]["AAAAAAAAA"];
    for k in [
        "ic50s_MT",
        "ic50s_WT",
        "combined_percentiles_MT",
        "hla_types",
        "mutation_position",
        "anchor_fails",
        "individual_ic50_calls",
        "wt_peptide",
    ] {
        assert!(pep.get(k).is_some(), "{k}");
    }
    assert_eq!(pep["ic50s_MT"], serde_json::json!([100.0, "X"]));
}

#[test]
fn coordinates_are_pvacseqs() {
    let v = SampleValues::default();
    let snv = entry(1, "1", 100, "C", "T", "T", true, "1", v);
    assert_eq!(start_stop(&snv), (99, 100));
    let ins = entry(1, "1", 100, "C", "CTT", "T", true, "1", v);
    assert_eq!(start_stop(&ins), (100, 100));
    let del = entry(1, "1", 100, "CAG", "C", "T", true, "1", v);
    assert_eq!(start_stop(&del), (100, 102));
}

#[test]
fn epitope_rows_fill_every_column() {
    let r = hand_made();
    let head = epitope_header("NetMHCpan");
    let c = &r.all[0];
    let row = epitope_record(&r.entries[0], "HLA-A*02:01", c, "NetMHCpan", false);
    assert_eq!(row.len(), head.len());
    let get = |n: &str| row[head.iter().position(|h| h == n).unwrap()].as_str();
    assert_eq!(get("Start"), "99");
    assert_eq!(get("Stop"), "100");
    assert_eq!(get("Mutation"), "S/F");
    assert_eq!(get("Best MT IC50 Score"), "100");
    assert_eq!(get("Median MT IC50 Score"), "100");
    assert_eq!(get("NetMHCpan MT IC50 Score"), "100");
    assert_eq!(get("Corresponding Fold Change"), "10");
    assert_eq!(get("Best MT Percentile"), "1");
    assert_eq!(get("Corresponding WT Percentile"), "NA");
    assert_eq!(get("MANE Select"), "Not Run");
    assert_eq!(get("Normal VAF"), "NA");
    assert_eq!(get("Index"), "1.G1.T1.missense.10S/F");
}

#[test]
fn files_appear_only_when_asked() {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/test-data/demo");
    let dir = tempfile::tempdir().unwrap();
    let base = NeoantigenParams {
        vcf: format!("{demo}/tumour_hot.somatic.vcf").into(),
        annotation: Some(crate::annotate::InMemoryAnnotation {
            gtf: format!("{demo}/genes.gtf").into(),
            fasta: format!("{demo}/genome.fa").into(),
            allow_mismatch: false,
        }),
        alleles: vec![HlaAllele::parse("A*02:01").unwrap()],
        lengths: vec![9],
        ..Default::default()
    };
    let pv = [
        "MHC_I.all_epitopes.tsv",
        "MHC_I.filtered.tsv",
        "MHC_I.all_epitopes.aggregated.tsv",
        "MHC_I.all_epitopes.aggregated.metrics.json",
    ];
    let ours = [
        "neoantigens.all.tsv",
        "neoantigens.tsv",
        "neoantigens.json",
        "neoantigens.fasta",
    ];
    let exists = |p: &std::path::Path, s: &str| crate::io::output::prefixed(p, s).exists();
    for (name, format, want_ours, want_pv) in [
        ("o", OutputFormat::Ours, true, false),
        ("p", OutputFormat::Pvacseq, false, true),
        ("b", OutputFormat::Both, true, true),
    ] {
        let prefix = dir.path().join(name);
        let params = NeoantigenParams {
            format,
            ..base.clone()
        };
        crate::neoantigen::run(&params, &prefix).unwrap();
        for s in ours {
            assert_eq!(exists(&prefix, s), want_ours, "{name} {s}");
        }
        for s in pv {
            assert_eq!(exists(&prefix, s), want_pv, "{name} {s}");
        }
        if want_pv {
            // Every all_epitopes row of ours is there, in pVACseq's columns.
            let text =
                std::fs::read_to_string(crate::io::output::prefixed(&prefix, pv[0])).unwrap();
            let first = text.lines().next().unwrap();
            assert!(first.starts_with(&EPITOPE_HEAD.join("\t")));
            assert!(first.ends_with(&EPITOPE_TAIL.join("\t")));
            assert!(text.lines().count() > 1);
            let json =
                std::fs::read_to_string(crate::io::output::prefixed(&prefix, pv[3])).unwrap();
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert_eq!(v["alleles"], serde_json::json!(["HLA-A*02:01"]));
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .to_string_lossy()
                    .ends_with(".partial")
            })
            .collect();
        assert!(leftovers.is_empty());
    }
    let o = dir.path().join("o");
    let b = dir.path().join("b");
    // The default output is the same with or without the pVACseq files.
    for s in ours {
        let a = std::fs::read(crate::io::output::prefixed(&o, s)).unwrap();
        let c = std::fs::read(crate::io::output::prefixed(&b, s)).unwrap();
        if s != "neoantigens.json" {
            assert_eq!(a, c, "{s}");
        }
    }
}

#[test]
fn hgvs_and_normal_fill_their_columns() {
    let mut e = entry(
        1,
        "1",
        100,
        "C",
        "T",
        "ENST1.2",
        true,
        "1",
        sv(0.4, 0.3, 5.0, 2.0),
    );
    e.hgvsc = Some("ENST1.2:c.29C>T".into());
    e.hgvsp = Some("ENSP1.1:p.Ser10Phe".into());
    e.normal = crate::peptides::entry::NormalValues {
        depth: Some(52),
        vaf: Some(0.0192307),
    };
    let c = cand(0, 0, "AAFAAAAAA", 3, 50.0, 500.0, sv(0.4, 0.3, 5.0, 2.0));
    let header = epitope_header("NetMHCpan");
    let rec = epitope_record(&e, "HLA-A*02:01", &c, "NetMHCpan", false);
    let get = |name: &str| rec[header.iter().position(|h| h == name).unwrap()].as_str();
    assert_eq!(get("HGVSc"), "ENST1.2:c.29C>T");
    assert_eq!(get("HGVSp"), "ENSP1.1:p.Ser10Phe");
    assert_eq!(get("Normal Depth"), "52");
    assert_eq!(get("Normal VAF"), "0.019231");
    // Without them: NA, as pVACseq writes for a field the CSQ lacks or without a normal.
    let plain = entry(
        1,
        "1",
        100,
        "C",
        "T",
        "ENST1.2",
        true,
        "1",
        sv(0.4, 0.3, 5.0, 2.0),
    );
    let rec = epitope_record(&plain, "HLA-A*02:01", &c, "NetMHCpan", false);
    let get = |name: &str| rec[header.iter().position(|h| h == name).unwrap()].as_str();
    for col in ["HGVSc", "HGVSp", "Normal Depth", "Normal VAF"] {
        assert_eq!(get(col), "NA", "{col}");
    }
}
