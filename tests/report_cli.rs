//! `immunoprofile report` end to end: tmb outputs made by the real `tmb` stage, plus the
//! hand-written contract fixtures of test-data/report for the stages of other branches.

mod util;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `dir/NAME/NAME.tmb.*` from the real stage.
fn tmb(dir: &Path, name: &str) -> PathBuf {
    let sample = dir.join(name);
    std::fs::create_dir_all(&sample).unwrap();
    let prefix = sample.join(name);
    ok(bin()
        .args(["-q", "tmb", "--vcf"])
        .arg(root().join("test-data/tmb/mutect2_vep.vcf"))
        .arg("--targets")
        .arg(root().join("test-data/tmb/targets.bed"))
        .arg("-o")
        .arg(&prefix)
        .output()
        .unwrap());
    sample
}

fn with_fixtures(sample_dir: &Path) {
    for entry in std::fs::read_dir(root().join("test-data/report")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("S1.") {
            std::fs::copy(&p, sample_dir.join(&name)).unwrap();
        }
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn stages_not_run_are_shown_as_not_run_never_zero() {
    let dir = tempfile::tempdir().unwrap();
    let s = tmb(dir.path(), "S1");
    ok(bin()
        .args(["-q", "report", "--dir"])
        .arg(&s)
        .output()
        .unwrap());
    let r = json(&s.join("S1.report.json"));
    assert_eq!(r["sample"], "S1");
    assert_eq!(r["stages"]["tmb"]["status"], "ok");
    for stage in ["msi", "neoantigens", "signatures", "quant", "annotate"] {
        assert_eq!(r["stages"][stage]["status"], "not_run", "{stage}");
    }
    assert!(r["headline"]["msi_score"].is_null());
    assert!(r["headline"]["neoantigens"].is_null());
    // mutect2_vep.vcf with default filters: 15 alleles counted over 298,002 bp (tmb_cli.rs).
    assert_eq!(r["headline"]["variants_counted"], 15);
    let tmb = r["headline"]["tmb"].as_f64().unwrap();
    assert!((tmb - 15.0 / 0.298002).abs() < 1e-9);
    let html = std::fs::read_to_string(s.join("S1.report.html")).unwrap();
    assert_eq!(
        html.matches("<div class=\"v\">not run</div>").count(),
        6,
        "MSI, neoantigens, CYT, GEP, HLA, response"
    );
    assert!(html.contains("50.34 /Mb"));
}

#[test]
fn headline_values_come_from_the_stage_contracts_and_input_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let s = tmb(dir.path(), "S1");
    with_fixtures(&s);
    ok(bin()
        .args(["-q", "report", "--dir"])
        .arg(&s)
        .arg("-o")
        .arg(dir.path().join("out/S1"))
        .output()
        .unwrap());
    let r = json(&dir.path().join("out/S1.report.json"));
    let h = &r["headline"];
    assert_eq!(h["msi_score"], 35.2);
    assert_eq!(h["msi_status"], "MSI-H");
    assert_eq!(h["neoantigens"], 3);
    assert_eq!(h["cyt"], 12.5);
    assert_eq!(h["gep"], 0.41);
    assert_eq!(r["stages"]["msi"]["summary"]["sites_evaluated"], 125);
    // The checksum recorded is the file's (compared with coreutils when present).
    let recorded = r["stages"]["tmb"]["files"][0]["sha256"].as_str().unwrap();
    assert_eq!(recorded.len(), 64);
    if let Ok(o) = Command::new("sha256sum")
        .arg(s.join("S1.tmb.json"))
        .output()
    {
        let text = String::from_utf8_lossy(&o.stdout);
        assert_eq!(text.split_whitespace().next().unwrap(), recorded);
    }

    let html = std::fs::read_to_string(dir.path().join("out/S1.report.html")).unwrap();
    // The page's own sorting script is the only script; the gene name is text.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "a gene name became markup"
    );
    assert!(!html[html.find("<script>").unwrap()..].contains("alert"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // Self-contained: no script, stylesheet link, image or frame source, no remote URL other
    // than the SVG namespace.
    for banned in ["<link", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
    // VAF histogram, TMB bars, IC50 scatter, signature rows.
    assert_eq!(html.matches("<svg ").count(), 4);
    assert!(html.contains("KLVVVGADG") && html.contains("35.2 %") && html.contains("MSI-H"));
    assert!(html.contains("<th>GZMA</th>") && html.contains("150.5"));
}

#[test]
fn cohort_table_and_multiqc_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = tmb(dir.path(), "A");
    let s1 = tmb(dir.path(), "S1");
    with_fixtures(&s1);
    for s in [&a, &s1] {
        ok(bin()
            .args(["-q", "report", "--dir"])
            .arg(s)
            .arg("--cohort")
            .arg(dir.path())
            .output()
            .unwrap());
    }
    let r = json(&s1.join("S1.report.json"));
    assert_eq!(r["cohort"]["n_samples"], 2);
    assert_eq!(r["cohort"]["members"].as_object().unwrap().len(), 2);
    // A and S1 have the same TMB: each is half below, half above the other.
    assert_eq!(r["cohort"]["tmb"]["n"], 2);
    assert_eq!(r["placement"]["tmb"], 50.0);
    ok(bin()
        .args(["-q", "report", "--cohort"])
        .arg(dir.path())
        .output()
        .unwrap());
    let cohort = std::fs::read_to_string(dir.path().join("cohort.tsv")).unwrap();
    let lines: Vec<&str> = cohort.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("A\t50.3352\t"), "{}", lines[1]);
    assert!(
        lines[1].ends_with("\t15\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA"),
        "A ran tmb only: {}",
        lines[1]
    );
    assert!(
        // No class II molecules scored, hla and response not run: NA.
        lines[2].ends_with("\t35.2\tMSI-H\t3\tNA\t12.5\t0.41\tNA\tNA\tNA\tNA\tNA"),
        "{}",
        lines[2]
    );
    let bar = json(&dir.path().join("immunoprofile_neoantigens_mqc.json"));
    assert_eq!(bar["plot_type"], "bargraph");
    assert_eq!(bar["data"]["S1"]["neoantigens"], 3.0);
    assert!(bar["data"].get("A").is_none(), "not run is not zero");

    // MultiQC renders them with --strict when installed (CI installs it).
    let probe = Command::new("multiqc").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        util::skip("skipped the MultiQC check: `multiqc` is not installed (pip install multiqc)");
        return;
    }
    let mqc_out = dir.path().join("multiqc");
    let out = Command::new("multiqc")
        .args(["--strict", "--force", "--no-ansi", "-o"])
        .arg(&mqc_out)
        .arg(dir.path())
        .output()
        .unwrap();
    let log =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{log}");
    assert!(!log.contains("No data found"), "{log}");
    let report = std::fs::read_to_string(mqc_out.join("multiqc_report.html")).unwrap();
    assert!(report.contains("immunoprofile_tmb"));
    assert!(report.contains("immunoprofile_neoantigens"));
}

#[test]
fn the_html_renders_in_headless_chromium() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        util::skip("skipped: no chromium on PATH (Debian: apt-get install -y chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let s = tmb(dir.path(), "S1");
    with_fixtures(&s);
    ok(bin()
        .args(["-q", "report", "--dir"])
        .arg(&s)
        .output()
        .unwrap());
    let page = format!("file://{}", s.join("S1.report.html").display());
    let common = |cmd: &mut Command| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,1800",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ));
    };
    let shot = dir.path().join("shot.png");
    let mut cmd = Command::new(chromium);
    common(&mut cmd);
    ok(cmd
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&page)
        .output()
        .unwrap());
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    // A blank 1280x1800 page compresses to a few KB; text, cards and plots do not.
    assert!(
        png.len() > 40_000,
        "screenshot looks blank: {} bytes",
        png.len()
    );
    // The plots are in the rendered DOM.
    let mut cmd = Command::new(chromium);
    common(&mut cmd);
    let dom = ok(cmd.arg("--dump-dom").arg(&page).output().unwrap());
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg ").count(), 4);
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}
