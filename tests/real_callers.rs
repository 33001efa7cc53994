//! Real VCFs from other projects (issue 11), read from `../shared/data/upstream` (never copied):
//! GATK Mutect2 calls from nf-core/test-datasets (tumour/normal raw and FilterMutectCalls
//! output, tumour-only), pVACtools' HCC1395 somatic VCFs (a MuTect2-based pipeline and a merged
//! tumour/normal file of Mutect, VarScan2 and Strelka2 records), GATK HaplotypeCaller and RNA
//! calls, Ensembl VEP's genotype-only test VCF, and FreeBayes 1.3.6 (Debian) run at test time on
//! nf-core's real tumour/normal BAMs. Our per-allele depth, alt
//! reads and VAF, our filter decisions and TMB counts, and our counts of fields with the wrong
//! number of values are checked against values computed from bcftools' own reading of each
//! file (`bcftools query`/`view -i`), never against our own output.
//!
//! Strelka2 and VarScan2 have no real file here (none in ../shared; no openly licensed small
//! one in Debian or PyPI): README "Trust and validation" names the gap.

mod util;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn upstream() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/upstream");
    if p.is_dir() {
        Some(p)
    } else {
        util::skip("skipped: ../shared/data/upstream is absent");
        None
    }
}

fn have(tool: &str) -> bool {
    let ok = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty());
    if !ok {
        util::skip(&format!("skipped: {tool} is not installed"));
    }
    ok
}

fn bcftools(args: &[&str]) -> String {
    let o = Command::new("bcftools").args(args).output().unwrap();
    assert!(
        o.status.success(),
        "bcftools {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

const M2: &str = "nf-core-test-datasets/data/genomics/homo_sapiens/illumina/gatk";
const PVAC: &str = "pVACtools/tests/test_data";

/// One row of `PREFIX.tmb.variants.tsv`.
#[derive(Debug)]
struct Row {
    allele: String,
    depth: Option<u32>,
    alt_reads: Option<u32>,
    vaf: Option<f64>,
    counted: bool,
}

fn na<T: std::str::FromStr>(v: &str) -> Option<T> {
    if v == "NA" || v == "." || v.is_empty() {
        None
    } else {
        Some(
            v.parse()
                .ok()
                .unwrap_or_else(|| panic!("not a number: {v}")),
        )
    }
}

fn tmb(vcf: &Path, args: &[&str], dir: &Path) -> (serde_json::Value, Vec<Row>, String) {
    let prefix = dir.join("S");
    let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args([
            "tmb",
            "--vcf",
            vcf.to_str().unwrap(),
            "-o",
            prefix.to_str().unwrap(),
        ])
        .args(["--effective-size", "1000000"])
        .args(args)
        .env("IMMUNOPROFILE_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}.tmb.json", prefix.display())).unwrap(),
    )
    .unwrap();
    let table = std::fs::read_to_string(format!("{}.tmb.variants.tsv", prefix.display())).unwrap();
    let rows = table
        .lines()
        .skip(1)
        .map(|l| {
            // chrom pos ref alt gene consequence depth alt_reads vaf population_af counted reason
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                allele: format!("{}:{}:{}>{}", f[0], f[1], f[2], f[3]),
                depth: na(f[6]),
                alt_reads: na(f[7]),
                vaf: na(f[8]),
                counted: f[10] == "true",
            }
        })
        .collect();
    (json, rows, stderr)
}

/// An allele (`chrom:pos:ref>alt`) with its expected depth, alt reads and VAF.
type Expected = (String, Option<u32>, Option<u32>, Option<f64>);

/// Expected support per allele, from bcftools' reading of the raw FORMAT values of `sample`,
/// by the documented rules: GATK style (depth DP, else the AD sum; alt reads AD; VAF AF, else
/// alt/depth) or FreeBayes (depth DP, else RO + the AO sum; alt reads AO; VAF alt/depth).
fn expected(vcf: &Path, sample: &str, freebayes: bool) -> Vec<Expected> {
    // bcftools refuses tags the header does not define: Strelka2's only where declared.
    // A literal '.' stands in for an AF the header does not define (HaplotypeCaller).
    let header = bcftools(&["view", "-h", vcf.to_str().unwrap()]);
    let af = if header.contains("##FORMAT=<ID=AF,") {
        "%AF"
    } else {
        "."
    };
    let fields = if freebayes {
        "[\t%DP\t%RO\t%AO]".to_string()
    } else if header.contains("##FORMAT=<ID=AU,") {
        format!("[\t%DP\t%AD\t{af}\t%AU\t%CU\t%GU\t%TU]")
    } else {
        format!("[\t%DP\t%AD\t{af}]")
    };
    let text = bcftools(&[
        "query",
        "-s",
        sample,
        "-f",
        &format!("%CHROM\t%POS\t%REF\t%ALT{fields}\n"),
        vcf.to_str().unwrap(),
    ]);
    let ints = |v: &str| -> Vec<Option<u32>> { v.split(',').map(na).collect() };
    let mut out = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let dp: Option<u32> = na(f[4]);
        for (i, alt) in f[3].split(',').enumerate() {
            let (depth, alt_reads, vaf) = if freebayes {
                let ro: Option<u32> = na(f[5]);
                let ao = ints(f[6]);
                let sum: Option<u32> = ao.iter().copied().sum();
                let depth = dp.or(ro.zip(sum).map(|(r, a)| r + a));
                let alt_reads = ao[i];
                let vaf = alt_reads
                    .zip(depth)
                    .filter(|(_, d)| *d > 0)
                    .map(|(a, d)| f64::from(a) / f64::from(d));
                (depth, alt_reads, vaf)
            } else if f.get(7).is_some_and(|v| *v != "." && !v.is_empty()) {
                // Strelka2 SNV record (AU/CU/GU/TU, tier 1 first): alt and ref tier-1 counts,
                // depth DP, VAF alt / (ref + alt) as Strelka2 documents it.
                let tier1 = |base: &str| -> Option<u32> {
                    let col = match base {
                        "A" => 7,
                        "C" => 8,
                        "G" => 9,
                        "T" => 10,
                        _ => return None,
                    };
                    f.get(col)?.split(',').next().and_then(na)
                };
                let (r, a) = (tier1(f[2]), tier1(alt));
                let both = r.zip(a).map(|(r, a)| r + a);
                let vaf = a
                    .zip(both)
                    .filter(|(_, b)| *b > 0)
                    .map(|(a, b)| f64::from(a) / f64::from(b));
                (dp.or(both), a, vaf)
            } else {
                let ad = ints(f[5]);
                let depth = dp.or(ad.iter().copied().sum());
                let alt_reads = ad.get(i + 1).copied().flatten();
                let af: Option<f64> = f[6].split(',').nth(i).and_then(na);
                let vaf = af.or(alt_reads
                    .zip(depth)
                    .filter(|(_, d)| *d > 0)
                    .map(|(a, d)| f64::from(a) / f64::from(d)));
                (depth, alt_reads, vaf)
            };
            out.push((
                format!("{}:{}:{}>{alt}", f[0], f[1], f[2]),
                depth,
                alt_reads,
                vaf,
            ));
        }
    }
    out
}

fn assert_support(who: &str, rows: &[Row], want: &[Expected]) {
    assert_eq!(rows.len(), want.len(), "{who}: allele count");
    for (r, (allele, depth, alt_reads, vaf)) in rows.iter().zip(want) {
        assert_eq!(&r.allele, allele, "{who}: allele order");
        assert_eq!(
            (r.depth, r.alt_reads),
            (*depth, *alt_reads),
            "{who}: {allele}"
        );
        match (r.vaf, vaf) {
            // Our table prints 3 decimals.
            (Some(a), Some(b)) => assert!(
                (a - b).abs() <= 0.0005 + 1e-9,
                "{who}: {allele} VAF {a} vs {b}"
            ),
            (a, b) => assert_eq!(a, *b, "{who}: {allele} VAF"),
        }
    }
}

#[test]
fn read_support_of_real_mutect2_files_matches_bcftools() {
    let Some(u) = upstream() else { return };
    if !have("bcftools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            format!("{M2}/paired_mutect2_calls/test_test2_paired_mutect2_calls.vcf.gz"),
            "tumour",
            40,
        ),
        (
            format!("{M2}/paired_mutect2_calls/test_test2_paired_filtered_mutect2_calls.vcf.gz"),
            "tumour",
            40,
        ),
        (
            format!("{M2}/pon_mutect2_calls/test_pon.vcf.gz"),
            "tumour",
            1329,
        ),
        // No FORMAT/DP: the depth is the AD sum.
        (
            format!("{PVAC}/pvacseq/input_somatic.vcf.gz"),
            "H_NJ-HCC1395-HCC1395",
            2734,
        ),
        // GATK HaplotypeCaller (AD and DP, no AF: VAF = alt reads / DP), germline calls but
        // the same fields (733 records, 7 with two ALTs: 740 alleles), and calls from an RNA BAM.
        (
            format!("{M2}/haplotypecaller_calls/test2_haplotc.vcf.gz"),
            "disease_103",
            740,
        ),
        (
            "nf-core-test-datasets/data/genomics/homo_sapiens/illumina/vcf/test.rnaseq.vcf"
                .to_string(),
            "GM12878",
            39,
        ),
        // A merged file (GATK CombineVariants of Mutect, VarScan2 and Strelka2): 102 Mutect2
        // records, 12 VarScan2 ones reformatted with a REF-first AD (read by the AD rule) and
        // one Strelka2 SNV (AU..TU, read by its tier-1 rule): per record, not per file.
        (
            format!("{PVAC}/pvacsplice/inputs/annotated.expression_chr1.vcf.gz"),
            "HCC1395_TUMOR_DNA",
            117,
        ),
    ];
    for (i, (file, sample, n)) in cases.iter().enumerate() {
        let vcf = u.join(file);
        let d = dir.path().join(i.to_string());
        std::fs::create_dir(&d).unwrap();
        let (json, rows, _) = tmb(&vcf, &["--count", "all", "--sample", sample], &d);
        assert_eq!(rows.len(), *n, "{file}");
        assert_support(file, &rows, &expected(&vcf, sample, false));
        assert_eq!(
            json["read_support"]["alleles_with_depth"], *n as u64,
            "{file}"
        );
    }
}

#[test]
fn filter_decisions_and_tmb_match_bcftools() {
    let Some(u) = upstream() else { return };
    if !have("bcftools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // (file, our options, the same filter as a bcftools expression; FILTER PASS or '.')
    let cases = [
        (
            format!("{PVAC}/pvacseq/input_somatic.vcf.gz"),
            vec![
                "--pass-only",
                "--min-depth",
                "20",
                "--min-alt-reads",
                "5",
                "--min-vaf",
                "0.1",
            ],
            "SUM(FMT/AD)>=20 && FMT/AD[0:1]>=5 && FMT/AF>=0.1",
        ),
        (
            format!("{M2}/pon_mutect2_calls/test_pon.vcf.gz"),
            vec![
                "--pass-only",
                "--min-depth",
                "10",
                "--min-alt-reads",
                "3",
                "--min-vaf",
                "0.05",
            ],
            "FMT/DP>=10 && FMT/AD[0:1]>=3 && FMT/AF>=0.05",
        ),
        (
            // Tumour and normal: sample 0 is the normal (##normal_sample), 1 the tumour.
            format!("{M2}/paired_mutect2_calls/test_test2_paired_mutect2_calls.vcf.gz"),
            vec![
                "--pass-only",
                "--min-depth",
                "8",
                "--min-alt-reads",
                "2",
                "--min-normal-depth",
                "10",
                "--max-normal-vaf",
                "0.05",
            ],
            "FMT/DP[1]>=8 && FMT/AD[1:1]>=2 && FMT/DP[0]>=10 && FMT/AF[0:0]<=0.05",
        ),
    ];
    for (i, (file, args, expr)) in cases.iter().enumerate() {
        let vcf = u.join(file);
        let d = dir.path().join(i.to_string());
        std::fs::create_dir(&d).unwrap();
        let mut a = vec!["--count", "all"];
        a.extend(args.iter().copied());
        let (json, rows, _) = tmb(&vcf, &a, &d);
        let ours: BTreeSet<String> = rows
            .iter()
            .filter(|r| r.counted)
            .map(|r| r.allele.clone())
            .collect();
        let theirs: BTreeSet<String> = bcftools(&[
            "query",
            "-f",
            "%CHROM:%POS:%REF>%ALT\n",
            "-i",
            &format!("(FILTER=\"PASS\" || FILTER=\".\") && {expr}"),
            vcf.to_str().unwrap(),
        ])
        .lines()
        .map(str::to_string)
        .collect();
        assert!(
            !theirs.is_empty() && theirs.len() < rows.len(),
            "{file}: a filter that decides nothing"
        );
        assert_eq!(ours, theirs, "{file}");
        // Effective size 1 Mb: TMB = counted alleles per Mb.
        assert_eq!(
            json["variants_counted"],
            theirs.len() as u64,
            "{file}: {json}"
        );
        let tmb = json["tmb"].as_f64().unwrap();
        assert!((tmb - theirs.len() as f64).abs() < 0.005, "{file}: {tmb}");
    }
}

#[test]
fn wrong_value_counts_in_real_files_are_counted_not_used() {
    let Some(u) = upstream() else { return };
    if !have("bcftools") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // GATK FilterMutectCalls writes INFO/AS_FilterStatus (Number=A) with one value per filter;
    // pVACtools' HCC1395 VCF has FORMAT/QSS (Number=A) with two values per one-ALT record.
    let cases = [
        (
            format!("{M2}/paired_mutect2_calls/test_test2_paired_filtered_mutect2_calls.vcf.gz"),
            "INFO/AS_FilterStatus",
            "%ALT\t%INFO/AS_FilterStatus\n",
        ),
        (
            format!("{PVAC}/pvacseq/input_somatic.vcf.gz"),
            "FORMAT/QSS",
            "%ALT[\t%QSS]\n",
        ),
    ];
    for (i, (file, field, query)) in cases.iter().enumerate() {
        let vcf = u.join(file);
        let wrong = bcftools(&["query", "-f", query, vcf.to_str().unwrap()])
            .lines()
            .filter(|l| {
                let (alt, value) = l.split_once('\t').unwrap();
                value != "." && value.split(',').count() != alt.split(',').count()
            })
            .count();
        assert!(wrong > 0, "{file}");
        let d = dir.path().join(i.to_string());
        std::fs::create_dir(&d).unwrap();
        let (json, _, stderr) = tmb(&vcf, &["--count", "all"], &d);
        assert_eq!(
            json["read_support"]["wrong_value_counts"][field], wrong as u64,
            "{file}"
        );
        assert!(
            stderr.contains(field) && stderr.contains("not used"),
            "{stderr}"
        );
    }
}

#[test]
fn freebayes_on_real_bams_matches_bcftools() {
    let Some(u) = upstream() else { return };
    if !have("bcftools") || !have("freebayes") {
        return;
    }
    let hs = u.join("nf-core-test-datasets/data/genomics/homo_sapiens");
    let dir = tempfile::tempdir().unwrap();
    // FreeBayes 1.3.6 on the real tumour (testT) and normal (testN) BAMs of the chr22 window.
    let o = Command::new("freebayes")
        .arg("-f")
        .arg(hs.join("genome/genome.fasta"))
        .arg(hs.join("illumina/bam/test2.paired_end.sorted.bam"))
        .arg(hs.join("illumina/bam/test.paired_end.sorted.bam"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let vcf = dir.path().join("freebayes.vcf");
    std::fs::write(&vcf, &o.stdout).unwrap();
    let want = expected(&vcf, "testT", true);
    assert!(want.len() >= 10, "{want:?}");
    let (json, rows, _) = tmb(
        &vcf,
        &[
            "--count",
            "all",
            "--sample",
            "testT",
            "--normal-sample",
            "testN",
        ],
        dir.path(),
    );
    assert_eq!(
        json["read_support"]["records_by_rule"]["freebayes_ro_ao"],
        bcftools(&["view", "-H", vcf.to_str().unwrap()])
            .lines()
            .count() as u64
    );
    assert_support("freebayes", &rows, &want);
}

#[test]
fn a_real_genotype_only_vcf_gives_no_read_counts_and_says_so() {
    let Some(u) = upstream() else { return };
    if !have("bcftools") {
        return;
    }
    // Ensembl VEP's test input: 1000 Genomes genotypes (FORMAT GT only), no read counts.
    let vcf = u.join("ensembl-vep/t/testdata/input/test.vcf");
    let records = bcftools(&["view", "-H", vcf.to_str().unwrap()])
        .lines()
        .count() as u64;
    let dir = tempfile::tempdir().unwrap();
    let (json, rows, stderr) = tmb(&vcf, &["--count", "all"], dir.path());
    assert_eq!(json["read_support"]["records_by_rule"]["none"], records);
    assert!(rows.iter().all(|r| r.depth.is_none() && r.vaf.is_none()));
    assert!(stderr.contains("no record gives a read depth"), "{stderr}");
    // A read filter on such a file would remove everything: refused, not a TMB of 0.
    let prefix = dir.path().join("filtered");
    let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(["tmb", "--vcf", vcf.to_str().unwrap(), "--count", "all"])
        .args(["--effective-size", "1000000", "--min-depth", "10"])
        .arg("-o")
        .arg(&prefix)
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains("test.vcf") && e.contains("--depth-field"), "{e}");
}
