//! The HTML report as a reader meets it: the headline neoantigen load counts mutations, the
//! provenance is collapsible, every table sits in a scrolling wrapper, the one inline script is
//! allowed by its CSP hash, and, measured in headless Chromium at phone and desktop widths, no
//! table sticks out of its card and the page never scrolls sideways.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A sample folder with the real tmb stage's outputs and the contract fixtures of
/// test-data/report; `extra_row` duplicates the first neoantigen candidate for another allele
/// (same mutation, a second epitope-allele row).
fn report(dir: &Path, extra_row: bool) -> String {
    report_with(dir, |_| {}, extra_row)
}

/// As [`report`], with `edit` applied to the sample folder before the report is made.
fn report_with(dir: &Path, edit: impl FnOnce(&Path), extra_row: bool) -> String {
    let s = dir.join("S1");
    std::fs::create_dir_all(&s).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["-q", "tmb", "--vcf"])
        .arg(root().join("test-data/tmb/mutect2_vep.vcf"))
        .arg("--targets")
        .arg(root().join("test-data/tmb/targets.bed"))
        .arg("-o")
        .arg(s.join("S1"))
        .output()
        .unwrap();
    assert!(out.status.success());
    for e in std::fs::read_dir(root().join("test-data/report")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("S1.") {
            std::fs::copy(&p, s.join(&name)).unwrap();
        }
    }
    if extra_row {
        let p = s.join("S1.neoantigens.tsv");
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let header: Vec<&str> = lines[0].split('\t').collect();
        let allele = header.iter().position(|c| *c == "allele").unwrap();
        let mut copy: Vec<String> = lines[1].split('\t').map(str::to_string).collect();
        copy[allele] = "HLA-C*07:02".into();
        lines.insert(2, copy.join("\t"));
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    }
    edit(&s);
    let out = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["-q", "report", "--dir"])
        .arg(&s)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(s.join("S1.report.html")).unwrap()
}

/// The fixture's three candidates are three mutations; a second allele for the first mutation
/// adds an epitope-allele row, not a mutation (the regression: the headline counted rows).
#[test]
fn headline_load_counts_mutations_with_epitopes_beside() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path(), true);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("S1/S1.report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["headline"]["neoantigens"], 3);
    assert_eq!(json["headline"]["neoantigen_epitopes"], 4);
    assert!(
        html.contains(r#"<div class="v">3</div><div class="d">mutations with at least one candidate passing the filters; 4 epitope–allele candidates</div>"#),
        "headline card"
    );
}

/// No candidate: a sentence, not an empty sortable table; the load is 0, not "not run".
#[test]
fn no_candidate_is_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_with(
        dir.path(),
        |s| {
            let p = s.join("S1.neoantigens.tsv");
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{}\n", text.lines().next().unwrap())).unwrap();
        },
        false,
    );
    assert!(html.contains("No candidate passed the filters"));
    assert!(!html.contains(r#"<section id="neoantigens"><h2>Top neoantigen candidates</h2><p>0"#));
    assert!(html.contains(r#"<div class="v">0</div>"#));
}

/// Writes a class II ranked table beside the class I one: two molecules for one mutation and a
/// second mutation (3 epitope-molecule rows, 2 mutations).
fn add_class2(s: &Path) {
    let header = "rank\ttier\tchrom\tpos\tref\talt\tgene\ttranscript\tvariant_type\tprotein_change\tprotein_position\tallele\tlength\tmt_epitope\twt_epitope\tmutation_position\tmt_core\tmt_ic50\twt_ic50\tmt_percentile\twt_percentile\tagretopicity\tdna_depth\tdna_vaf\trna_depth\trna_vaf\tgene_expression\ttranscript_expression\tallele_expression\tindex";
    let row = |rank: u32, pos: u32, allele: &str, ic50: &str| {
        format!("{rank}\tPass\tchr1\t{pos}\tC\tT\tG1\tT1\tmissense\tS/F\t10\t{allele}\t15\tAAAAAFAAAAAAAAA\tAAAAASAAAAAAAAA\t6\tAFAAAAAAA\t{ic50}\t900\t0.5\t20\t20\t50\t0.4\tNA\tNA\tNA\tNA\tNA\t1.G1.T1.missense.10S/F")
    };
    let text = [
        header.to_string(),
        row(1, 100, "DRB1*03:01", "12.5"),
        row(2, 100, "DQA1*05:01-DQB1*02:01", "80"),
        row(3, 200, "DRB1*03:01", "300"),
    ]
    .join("\n");
    std::fs::write(s.join("S1.neoantigens.class2.tsv"), text + "\n").unwrap();
}

/// Class II candidates get their own table after the class I one, and their load (in mutations)
/// beside the class I load; without the class II file nothing changes.
#[test]
fn class_ii_candidates_have_their_own_table() {
    let dir = tempfile::tempdir().unwrap();
    let html = report_with(dir.path(), add_class2, false);
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("S1/S1.report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["headline"]["neoantigens"], 3);
    assert_eq!(json["headline"]["neoantigens_class2"], 2);
    assert_eq!(json["headline"]["neoantigen_epitopes_class2"], 3);
    let class1 = html.find(r#"<section id="neoantigens"><h2>Top neoantigen candidates</h2>"#);
    let class2 = html.find(r#"<section id="neoantigens-class2"><h2>Top class II neoantigen candidates</h2><p>3 class II epitope–molecule candidates from 2 mutations passed the filters"#);
    assert!(
        class1.is_some() && class2.is_some() && class1 < class2,
        "tables"
    );
    let section = &html[class2.unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert!(section.contains("<th>mt_core</th>"));
    assert!(section.contains(r#"<td class="mono">AFAAAAAAA</td>"#));
    assert!(section.contains("DQA1*05:01-DQB1*02:01"));
    assert!(html.contains("class II: 2 mutations, 3 epitope–molecule candidates"));

    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path(), false);
    assert!(!html.contains("neoantigens-class2") && !html.contains("class II:"));
    let json = std::fs::read_to_string(dir.path().join("S1/S1.report.json")).unwrap();
    assert!(!json.contains("neoantigens_class2"));
}

/// Collapsible provenance, tables in wrappers, the script allowed by its hash (computed here
/// by Python's hashlib, independently of our code).
#[test]
fn markup_details_wrappers_and_csp_hash() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(dir.path(), false);
    assert!(html.matches(r#"<details class="stage">"#).count() >= 3);
    assert_eq!(
        html.matches("<table").count(),
        html.matches(r#"<div class="wide"><table"#).count(),
        "every table is inside a scrolling wrapper"
    );
    assert!(html.contains(r#"<table class="sortable">"#));
    // Exactly one script, no external source, no inline handler.
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains("<script src") && !html.contains(" onclick="));
    let start = html.find("<script>").unwrap() + "<script>".len();
    let end = html.find("</script>").unwrap();
    let script = &html[start..end];
    let csp_start = html.find("script-src 'sha256-").unwrap() + "script-src 'sha256-".len();
    let csp_hash = &html[csp_start..csp_start + html[csp_start..].find('\'').unwrap()];
    let py = Command::new("python3")
        .args([
            "-c",
            "import sys,hashlib,base64;print(base64.b64encode(hashlib.sha256(sys.stdin.buffer.read()).digest()).decode())",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn();
    let Ok(mut py) = py else {
        util::skip("skipping the independent CSP hash check: python3 is absent");
        return;
    };
    use std::io::Write;
    py.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = py.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), csp_hash);
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The DOM after Chromium ran the page at `width` px.
fn dump_dom(browser: &str, page: &Path, width: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.path().display()),
            &format!("--window-size={width},900"),
            "--virtual-time-budget=2000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// In Chromium at 390 px (phone) and 1280 px (desktop), with every <details> opened: the page
/// has no sideways scroll, each table's wrapper ends inside its card, and the sorting script ran (the CSP let it: it marks
/// the headers focusable) and sorts numbers as numbers.
#[test]
fn chromium_tables_fit_their_cards_and_sorting_runs() {
    let Some(browser) = chromium() else {
        util::skip(
            "skipping the Chromium layout check: no chromium on PATH (apt-get install chromium)",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // With the class II table too: it must fit its card like the others.
    let html = report_with(dir.path(), add_class2, false);
    let page = dir.path().join("S1/S1.report.html");
    // The page as shipped: the script ran only if the CSP hash matched.
    let dom = dump_dom(browser, &page, 1280);
    assert!(
        dom.contains(r#"tabindex="0""#),
        "the sorting script did not run under the page's CSP"
    );
    // A measuring copy: a second script (its CSP widened for it) writes the measurements into
    // the title after clicking the mt_ic50 header twice (descending).
    let probe = r#"<script>
window.addEventListener('load',function(){
document.querySelectorAll('details').forEach(function(d){d.open=true;});
var bad=[];
document.querySelectorAll('div.wide').forEach(function(w){var c=w.closest('section').getBoundingClientRect(),r=w.getBoundingClientRect();if(r.right>c.right+0.5||r.left<c.left-0.5)bad.push(w.parentElement.id+':'+Math.round(r.right)+'>'+Math.round(c.right));});
var doc=document.documentElement,over=doc.scrollWidth-doc.clientWidth;
var t=document.querySelector('#neoantigens table'),hs=t.tHead.rows[0].cells,col=-1;
for(var i=0;i<hs.length;i++)if(hs[i].textContent==='mt_ic50')col=i;
hs[col].click();hs[col].click();
var v=Array.prototype.map.call(t.tBodies[0].rows,function(r){return r.cells[col].textContent;});
document.title=JSON.stringify({bad:bad,over:over,ic50:v});
});
</script>"#;
    let csp_end = html.find("script-src ").unwrap() + "script-src ".len();
    let probed = format!("{}'unsafe-inline' {}", &html[..csp_end], &html[csp_end..])
        .replace("</body>", &format!("{probe}</body>"));
    // 'unsafe-inline' is ignored when a hash is present: drop the hash in the probe copy.
    let probed = {
        let s = probed.find("'sha256-").unwrap();
        let e = s + 1 + probed[s + 1..].find('\'').unwrap() + 1;
        format!("{}{}", &probed[..s], &probed[e..])
    };
    let probe_page = dir.path().join("S1/probe.html");
    std::fs::write(&probe_page, probed).unwrap();
    for width in [390, 1280] {
        let dom = dump_dom(browser, &probe_page, width);
        let start = dom.find("<title>").unwrap() + "<title>".len();
        let end = dom.find("</title>").unwrap();
        let text = dom[start..end]
            .replace("&quot;", "\"")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
        let m: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{width} px: no measurement ({e}): {text}"));
        assert_eq!(m["bad"], serde_json::json!([]), "{width} px: {text}");
        assert_eq!(
            m["over"], 0,
            "{width} px: the page scrolls sideways: {text}"
        );
        // Fixture IC50s 35.2, 120 and 410 nM (test-data/report): descending as numbers is 410,
        // 120, 35.2; as text it would be 410, 35.2, 120.
        let ic50: Vec<f64> = m["ic50"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect();
        let mut want = ic50.clone();
        want.sort_by(|a, b| b.total_cmp(a));
        assert_eq!(ic50, want, "{width} px: sorted descending by number");
        assert_eq!(ic50.len(), 3);
    }
}
