//! `immunoprofile run` end to end on the demo cohort of test-data/demo (TMB 60, 12 and 2 per Mb
//! by construction, see make_demo_vcfs.py).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// `immunoprofile run ARGS`.
fn run(args: &[&str]) -> Output {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    bin(&all)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A manifest + samplesheet in `dir` over the demo VCFs, with `extra` appended to the manifest.
fn write_manifest(dir: &Path, tmb_params: &str, extra_rows: &str) -> PathBuf {
    let demo = root().join("test-data/demo");
    let sheet = dir.join("samples.csv");
    std::fs::write(
        &sheet,
        format!(
            "sample,vcf,tumor_bam,normal_bam,rna_bam,expression,hla_alleles\n\
             hyper,{d}/tumour_hyper.vcf,,,,,\n\
             hot,{d}/tumour_hot.vcf,,,,,\n\
             cold,{d}/tumour_cold.vcf,,,,,\n{extra_rows}",
            d = demo.display()
        ),
    )
    .unwrap();
    let manifest = dir.join("m.toml");
    std::fs::write(
        &manifest,
        format!(
            "output = \"out\"\nsamplesheet = \"samples.csv\"\nstages = [\"tmb\", \"report\"]\n\
             [reference]\ntargets = \"{}\"\n[params.tmb]\n{tmb_params}\n",
            demo.join("targets.bed").display()
        ),
    )
    .unwrap();
    manifest
}

fn ran(o: &Output) -> usize {
    stderr(o).matches(": ran in ").count()
}

fn up_to_date(o: &Output) -> usize {
    stderr(o).matches(": up to date").count()
}

#[test]
fn reruns_do_only_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_manifest(dir.path(), "min_depth = 20", "");
    let m = m.to_str().unwrap();
    let first = run(&[m]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(ran(&first), 6);
    let out = dir.path().join("out");
    let cohort = std::fs::read_to_string(out.join("cohort.tsv")).unwrap();
    let tmb: Vec<&str> = cohort
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap())
        .collect();
    // cold, hot, hyper (sorted by name): 2, 12 and 60 counted mutations over 1 Mb.
    assert_eq!(tmb, ["2", "12", "60"]);
    for f in [
        "immunoprofile_general_stats_mqc.tsv",
        "immunoprofile_tmb_mqc.json",
        "hot/hot.report.html",
        "hot/manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }

    // Nothing changed: nothing runs.
    let again = run(&[m]);
    assert!(again.status.success());
    assert_eq!(
        (ran(&again), up_to_date(&again)),
        (0, 6),
        "{}",
        stderr(&again)
    );

    // Forcing tmb re-runs it; its outputs are the same bytes, so the reports stay up to date.
    let forced = run(&[m, "--force", "tmb", "--samples", "hot"]);
    assert_eq!(
        (ran(&forced), up_to_date(&forced)),
        (1, 1),
        "{}",
        stderr(&forced)
    );

    // A new tmb parameter re-runs tmb and its dependant (report) for every sample.
    write_manifest(dir.path(), "min_depth = 20\nmin_vaf = 0.1", "");
    let changed = run(&[m]);
    assert_eq!(ran(&changed), 6, "{}", stderr(&changed));
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cold/manifest.json")).unwrap())
            .unwrap();
    let rec = &state["stages"]["tmb"];
    assert_eq!(rec["status"], "ok");
    assert_eq!(rec["params"]["min_vaf"], 0.1);
    assert!(rec["command"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "--min-vaf"));
    assert_eq!(rec["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(rec["outputs"].as_array().unwrap().len(), 2);

    // --only report with nothing changed: up to date; --dry-run of a forced stage runs nothing.
    let only = run(&[m, "--only", "report"]);
    assert_eq!((ran(&only), up_to_date(&only)), (0, 3));
    let before = std::fs::read(out.join("hot/hot.tmb.json")).unwrap();
    let dry = run(&[m, "--dry-run", "--force", "tmb"]);
    let plan = String::from_utf8_lossy(&dry.stdout);
    assert!(plan.contains("would run (forced)") && plan.contains("would run (after tmb)"));
    assert!(plan.contains("immunoprofile tmb --vcf "));
    assert_eq!(ran(&dry), 0);
    assert_eq!(std::fs::read(out.join("hot/hot.tmb.json")).unwrap(), before);
}

#[test]
fn one_failing_sample_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    // snpeff_ann.vcf declares chr1 only: the demo BED's chr2 block is an error for it.
    let bad = format!(
        "broken,{},,,,,\n",
        root().join("test-data/tmb/snpeff_ann.vcf").display()
    );
    let m = write_manifest(dir.path(), "", &bad);
    let o = run(&[m.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("1 of 4 samples failed"), "{err}");
    assert!(err.contains("broken, stage tmb:"), "{err}");
    let out = dir.path().join("out");
    for s in ["hyper", "hot", "cold"] {
        assert!(out.join(s).join(format!("{s}.report.html")).is_file());
    }
    assert!(!out.join("broken/broken.tmb.json").exists());
    assert!(!out.join("broken/broken.report.html").exists());
    assert_eq!(
        std::fs::read_to_string(out.join("cohort.tsv"))
            .unwrap()
            .lines()
            .count(),
        4
    );
}

#[test]
fn an_invalid_manifest_lists_every_problem_and_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let demo = root().join("test-data/demo");
    std::fs::write(
        dir.path().join("s.csv"),
        format!(
            "sample,vcf,tumour_bam\nA,{d}/tumour_hot.vcf,\nA,{d}/tumour_cold.vcf,\nB,{d}/missing.vcf,\n",
            d = demo.display()
        ),
    )
    .unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(
        &m,
        "outptu = \"x\"\noutput = \"out\"\nsamplesheet = \"s.csv\"\nstages = [\"tmb\", \"tbm\"]\n\
         [reference]\ntargets = \"nope.bed\"\n[params.tmb]\nmin_dpeth = 3\nvcf = \"x\"\n",
    )
    .unwrap();
    let o = run(&[m.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "unknown key 'outptu'",
        "unknown stage \"tbm\"",
        "reference.targets:",
        "params.tmb.min_dpeth: `immunoprofile tmb` has no --min-dpeth",
        "params.tmb.vcf: --vcf is set by the runner",
        "unknown column 'tumour_bam'",
        "duplicate sample 'A' (first on line 2)",
        "vcf ",
        "missing.vcf does not exist",
        "8 problems",
    ] {
        assert!(err.contains(needle), "missing '{needle}' in:\n{err}");
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_restart_after_a_kill_redoes_only_the_unfinished_work() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_manifest(dir.path(), "min_depth = 20", "");
    let m = m.to_str().unwrap();
    assert!(run(&[m]).status.success());
    let out = dir.path().join("out");
    // Killed after hot's tmb outputs were renamed into place but before its record was saved.
    let state_path = out.join("hot/manifest.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    state["stages"].as_object_mut().unwrap().remove("tmb");
    std::fs::write(&state_path, serde_json::to_string(&state).unwrap()).unwrap();
    // A leftover temporary file of a killed writer, and an output damaged after the fact.
    std::fs::write(out.join("cold/cold.report.json.partial"), "{\"trunc").unwrap();
    let html = out.join("cold/cold.report.html");
    let full = std::fs::read(&html).unwrap();
    std::fs::write(&html, &full[..100]).unwrap();

    let again = run(&[m]);
    assert!(again.status.success(), "{}", stderr(&again));
    let err = stderr(&again);
    // hot tmb re-runs (no record) and writes the same bytes, so hot's report stays up to date;
    // cold's damaged report is rebuilt; everything else is up to date.
    assert_eq!((ran(&again), up_to_date(&again)), (2, 4), "{err}");
    assert!(
        err.contains("hot tmb: ran") && err.contains("cold report: ran"),
        "{err}"
    );
    assert_eq!(std::fs::read(&html).unwrap(), full);
}

/// The bundled demo (`workflows/demo.toml`, made by test-data/demo/make_demo_genome.py) runs
/// every offline stage from raw inputs, and the three reports come out as designed: the
/// generator plants 30, 6 and 1 counted nonsynonymous mutations in a 0.5 Mb genome (TMB 60, 12,
/// 2 per Mb), 20 of 40 unstable microsatellites in the hypermutated tumour only, and immune
/// genes at ~260 / ~70 / ~3 reads against the same housekeeping genes (hot > hyper > cold).
#[test]
fn the_demo_runs_every_offline_stage_and_its_reports_rank_the_tumours_as_designed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = run(&["workflows/demo.toml", "--output", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 10 stages (annotate, hla, tmb, peptides, neoantigens, quant, signatures, msi, response,
    // report) x 3.
    assert_eq!(ran(&o), 30, "{}", stderr(&o));
    // The headline cards of the HTML reports: TMB by construction; MSI as the share of
    // evaluated sites (the hypermutated tumour's value is checked as a range below).
    let tmb_msi: std::collections::HashMap<&str, (&str, &str)> = [
        ("tumour_hyper", ("60 /Mb", "")),
        ("tumour_hot", ("12 /Mb", "0 %")),
        ("tumour_cold", ("2 /Mb", "0 %")),
    ]
    .into();
    let headline = |s: &str| -> serde_json::Value {
        let dir = out.join(s);
        let html = std::fs::read_to_string(dir.join(format!("{s}.report.html"))).unwrap();
        let (tmb, msi) = (tmb_msi[s].0, tmb_msi[s].1);
        for (card, value) in [
            ("Tumour mutational burden", tmb),
            ("Microsatellite instability", msi),
        ] {
            let shown = format!("<div class=\"k\">{card}</div><div class=\"v\">{value}");
            assert!(html.contains(&shown), "{s}: report.html lacks {shown}");
        }
        // A 95% CI that crosses the 10/Mb cut-off is flagged borderline: 12/Mb (4.4-26.1) and
        // 2/Mb (0.05-11.1) cross it, 60/Mb (40.5-85.7) does not.
        let borderline = html.contains("pill unk\">borderline");
        let expect_borderline = matches!(s, "tumour_hot" | "tumour_cold");
        assert_eq!(borderline, expect_borderline, "{s}: borderline flag");
        let json = std::fs::read_to_string(dir.join(format!("{s}.report.json"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for stage in [
            "annotate",
            "tmb",
            "peptides",
            "neoantigens",
            "quant",
            "signatures",
            "msi",
            "hla",
            "response",
        ] {
            assert_eq!(v["stages"][stage]["status"], "ok", "{s} {stage}");
        }
        v["headline"].clone()
    };
    let (hyper, hot, cold) = (
        headline("tumour_hyper"),
        headline("tumour_hot"),
        headline("tumour_cold"),
    );
    let num = |h: &serde_json::Value, k: &str| h[k].as_f64().unwrap_or_else(|| panic!("{k}: {h}"));
    assert_eq!(num(&hyper, "tmb"), 60.0);
    assert_eq!(num(&hot, "tmb"), 12.0);
    assert_eq!(num(&cold, "tmb"), 2.0);
    assert_eq!(hyper["msi_status"], "MSI-H");
    assert_eq!(hot["msi_status"], "MSS");
    assert_eq!(cold["msi_status"], "MSS");
    assert!(num(&hyper, "msi_score") > 20.0, "{hyper}");
    // tumour_cold has no alleles in the samplesheet: its reads (test-data/hla/README.md: made-up
    // genotype A*01:02/A*02:02, B*01:01 twice, C*02:01/C*03:01) are typed exactly, and
    // neoantigens scores the typed alleles the model serves (not the made-up B*01:01, C*02:01).
    assert_eq!(
        cold["hla_typed"], "A*02:02/A*01:02 B*01:01/B*01:01 C*02:01/C*03:01",
        "{cold}"
    );
    assert_eq!(cold["hla_scored"], "A*02:02 A*01:02 C*03:01", "{cold}");
    // No HLA reads in the other tumours' BAMs: undetermined, never a guess; the given alleles
    // are scored.
    assert_eq!(
        hot["hla_typed"],
        "A undetermined B undetermined C undetermined"
    );
    assert_eq!(hot["hla_scored"], "A*01:01 B*08:01 C*07:01");
    // Response: TMB 60/Mb with MSI-H gives a higher probability than TMB 2/Mb, MSS; each lies
    // inside its interval.
    for h in [&hyper, &hot, &cold] {
        let p = num(h, "response_probability");
        let ci = &h["response_ci95"];
        assert!(
            ci[0].as_f64().unwrap() < p && p < ci[1].as_f64().unwrap(),
            "{h}"
        );
    }
    assert!(num(&hyper, "response_probability") > num(&cold, "response_probability"));
    assert!(num(&hot, "cyt") > num(&hyper, "cyt") && num(&hyper, "cyt") > num(&cold, "cyt"));
    assert!(num(&hot, "gep") > num(&hyper, "gep") && num(&hyper, "gep") > num(&cold, "gep"));
    // Each report places its sample in the three-sample cohort: 60/Mb is above two samples,
    // so its mid-rank percentile is (2 + 0.5) / 3.
    let report = |s: &str| -> serde_json::Value {
        let p = out.join(s).join(format!("{s}.report.json"));
        serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
    };
    let placed = report("tumour_hyper")["placement"]["tmb"].as_f64().unwrap();
    assert!((placed - 100.0 * 2.5 / 3.0).abs() < 1e-9, "{placed}");
    assert_eq!(report("tumour_cold")["cohort"]["n_samples"], 3);
    // The gene x sample matrices hold each sample's quant column as the sample's table has it.
    for (matrix, column) in [("cohort.counts.tsv", 3), ("cohort.tpm.tsv", 4)] {
        let text = std::fs::read_to_string(out.join(matrix)).unwrap();
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(
            rows[0],
            ["gene_id", "tumour_cold", "tumour_hot", "tumour_hyper"]
        );
        for (i, s) in ["tumour_cold", "tumour_hot", "tumour_hyper"]
            .iter()
            .enumerate()
        {
            let quant =
                std::fs::read_to_string(out.join(s).join(format!("{s}.quant.tsv"))).unwrap();
            let own: Vec<(String, String)> = quant
                .lines()
                .skip(1)
                .map(|l| {
                    let f: Vec<&str> = l.split('\t').collect();
                    (f[0].to_string(), f[column].to_string())
                })
                .collect();
            let got: Vec<(String, String)> = rows[1..]
                .iter()
                .map(|r| (r[0].to_string(), r[i + 1].to_string()))
                .collect();
            assert_eq!(got, own, "{matrix} {s}");
        }
    }
    // A cohort file removed is written again by the next run, with every stage up to date.
    std::fs::remove_file(out.join("cohort.tpm.tsv")).unwrap();
    let again = run(&["workflows/demo.toml", "--output", out.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(ran(&again), 0, "{}", stderr(&again));
    assert!(out.join("cohort.tpm.tsv").is_file());
    // Our own annotation gives each planted variant its designed consequence (the VCF ID says
    // what was planted: GENE_missense, _fs, _syn, _weak).
    for s in ["tumour_hyper", "tumour_hot", "tumour_cold"] {
        let vcf = std::fs::read_to_string(root().join(format!("test-data/demo/{s}.somatic.vcf")))
            .unwrap();
        let planted: std::collections::HashMap<String, String> = vcf
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (format!("{}:{}", f[0], f[1]), f[2].to_string())
            })
            .collect();
        let tsv = out.join(s).join(format!("{s}.tmb.variants.tsv"));
        let tsv = std::fs::read_to_string(tsv).unwrap();
        let mut rows = 0;
        for l in tsv.lines().skip(1) {
            let f: Vec<&str> = l.split('\t').collect();
            let id = &planted[&format!("{}:{}", f[0], f[1])];
            let (gene, kind) = id.rsplit_once('_').unwrap();
            let expected = match kind {
                "missense" | "weak" => "missense_variant",
                "fs" => "frameshift_variant",
                "syn" => "synonymous_variant",
                other => panic!("unknown planted kind {other}"),
            };
            assert_eq!((f[4], f[5]), (gene, expected), "{s} {l}");
            assert_eq!(
                f[10] == "true",
                kind == "missense" || kind == "fs",
                "{s} {l}"
            );
            rows += 1;
        }
        assert_eq!(rows, planted.len(), "{s}");
    }
    let cohort = std::fs::read_to_string(out.join("cohort.tsv")).unwrap();
    assert_eq!(cohort.lines().count(), 4, "{cohort}");
}
