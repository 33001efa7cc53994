//! Regression tests for issue 11 ("no silent wrong result"), one per defect class, on inline
//! files whose expected numbers are worked out by hand in the comments.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args)
        .output()
        .expect("run immunoprofile")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json(path: PathBuf) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tmb(vcf: &Path, extra: &[&str], dir: &Path) -> (Output, PathBuf) {
    let prefix = dir.join("S");
    let mut args = vec![
        "tmb",
        "--vcf",
        vcf.to_str().unwrap(),
        "-o",
        prefix.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (run(&args), prefix)
}

const HEAD: &str = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=5000>\n";

/// Defects 4 and 5: a merged VCF whose `##source` names several callers. Each record is read
/// by its own FORMAT fields, and VarScan2's germline/LOH calls are not counted.
#[test]
fn merged_callers_and_varscan_somatic_status() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = format!(
        "{HEAD}##source=strelka\n##source=VarscanSomatic\n##source=Mutect2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n\
chr1\t100\t.\tC\tT\t.\tPASS\t.\tDP:AU:CU:GU:TU\t45:0,0:30,32:0,0:10,11\n\
chr1\t200\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/1:30,10:40\n\
chr1\t300\t.\tA\tG\t.\tPASS\tSS=2\tGT:GQ:DP:RD:AD:FREQ\t0/1:.:40:30:10:25%\n\
chr1\t400\t.\tA\tG\t.\tPASS\tSS=1\tGT:GQ:DP:RD:AD:FREQ\t0/1:.:40:20:20:50%\n\
chr1\t500\t.\tA\tG\t.\tPASS\tSS=3\tGT:GQ:DP:RD:AD:FREQ\t1/1:.:40:0:40:100%\n"
    );
    let vcf = write(dir.path(), "merged.vcf", &vcf);
    let (o, prefix) = tmb(
        &vcf,
        &[
            "--effective-size",
            "1000000",
            "--count",
            "all",
            "--min-alt-reads",
            "5",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(prefix.with_extension("tmb.json"));
    // Strelka2 (TU 10), AD (10) and the SS=2 VarScan2 call (AD 10) pass 5 alt reads: 3 counted.
    // Reading the whole file as Strelka2 (the old ##source rule) gave the AD record no alt reads.
    assert_eq!(j["variants_counted"], 3, "{j}");
    assert_eq!(j["excluded"]["varscan_germline"], 1);
    assert_eq!(j["excluded"]["varscan_loh"], 1);
    let rules = &j["read_support"]["records_by_rule"];
    assert_eq!(rules["strelka2_tier1"], 1);
    assert_eq!(rules["ad_af_dp"], 1);
    assert_eq!(rules["varscan2_rd_ad_freq"], 3);
    // --varscan-somatic-status 1,2 counts the germline call too: 4.
    let (o, prefix) = tmb(
        &vcf,
        &[
            "--effective-size",
            "1000000",
            "--count",
            "all",
            "--varscan-somatic-status",
            "1,2",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        json(prefix.with_extension("tmb.json"))["variants_counted"],
        4
    );
}

/// Defect 6: PCGR-style DPT/ADT fields. Without naming them a depth filter is refused (it would
/// remove everything and report 0.00); named, they are read.
#[test]
fn custom_depth_fields_are_named_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = format!(
        "{HEAD}##FORMAT=<ID=DPT,Number=1,Type=Integer,Description=\"d\">\n##FORMAT=<ID=ADT,Number=R,Type=Integer,Description=\"a\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n\
chr1\t100\t.\tC\tT\t.\tPASS\t.\tGT:DPT:ADT\t0/1:40:30,10\n\
chr1\t200\t.\tA\tG\t.\tPASS\t.\tGT:DPT:ADT\t0/1:10:8,2\n"
    );
    let vcf = write(dir.path(), "pcgr.vcf", &vcf);
    let base = [
        "--effective-size",
        "1000000",
        "--count",
        "all",
        "--min-depth",
        "20",
    ];
    let (o, prefix) = tmb(&vcf, &base, dir.path());
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("ADT, DPT, GT") && e.contains("--depth-field"),
        "{e}"
    );
    assert!(!prefix.with_extension("tmb.json").exists());
    let mut args = base.to_vec();
    args.extend(["--depth-field", "DPT", "--alt-reads-field", "ADT"]);
    let (o, prefix) = tmb(&vcf, &args, dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(prefix.with_extension("tmb.json"));
    // Depths 40 and 10: only the first passes --min-depth 20.
    assert_eq!(j["variants_counted"], 1);
    assert_eq!(j["excluded"]["low_depth"], 1);
    assert_eq!(j["read_support"]["records_by_rule"]["custom_fields"], 2);
}

/// Defect 8: an interval to 9,000 on a 5,000-bp contig counts 1,000 bp from 4,000, not 5,000.
#[test]
fn bed_past_the_contig_end_is_clipped() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = format!(
        "{HEAD}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\nchr1\t4500\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\n"
    );
    let vcf = write(dir.path(), "v.vcf", &vcf);
    let bed = write(dir.path(), "t.bed", "chr1\t4000\t9000\n");
    let (o, prefix) = tmb(
        &vcf,
        &["--targets", bed.to_str().unwrap(), "--count", "all"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("clipped"));
    let j = json(prefix.with_extension("tmb.json"));
    assert_eq!(j["effective_size_bp"], 1000);
    // 1 mutation in 0.001 Mb.
    assert_eq!(j["tmb"], 1000.0);
}

/// Defect 1: `;`-separated alleles all reach the stage, trailing junk is refused.
#[test]
fn allele_lists_with_any_separator() {
    let dir = tempfile::tempdir().unwrap();
    let peptides = write(dir.path(), "p.fa", ">a\nSIINFEKLL\n");
    let prefix = dir.path().join("B");
    let o = run(&[
        "binding",
        "--peptides",
        peptides.to_str().unwrap(),
        "--alleles",
        "HLA-A*02:01;HLA-B*07:02 | HLA-A*24:09N",
        "--lengths",
        "9",
        "-o",
        prefix.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("null allele"), "{stderr}");
    let j = json(PathBuf::from(format!("{}.binding.json", prefix.display())));
    assert_eq!(
        j["alleles"],
        serde_json::json!(["HLA-A*02:01", "HLA-B*07:02"]),
        "{j}"
    );
    let o = run(&[
        "binding",
        "--peptides",
        peptides.to_str().unwrap(),
        "--alleles",
        "HLA-A*02:01xyz",
        "-o",
        prefix.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("'xyz'"));
}

/// Defect 9: `-o folder/` would write hidden `folder/.tmb.json`.
#[test]
fn an_output_prefix_naming_a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vcf = format!(
        "{HEAD}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\nchr1\t4500\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\n"
    );
    let vcf = write(dir.path(), "v.vcf", &vcf);
    let folder = format!("{}/out/", dir.path().display());
    let o = run(&[
        "tmb",
        "--vcf",
        vcf.to_str().unwrap(),
        "--effective-size",
        "1000000",
        "--count",
        "all",
        "-o",
        &folder,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("names a folder"));
    assert!(!Path::new(&format!("{folder}.tmb.json")).exists());
}

/// A mitochondrial gene (see src/annotate/engine.rs's mito test): 10 A, CDS ATG TGA ATA CCC
/// AGA (table 2: M W M P *), 5 bp UTR, 5 A.
fn mito(dir: &Path) -> (PathBuf, PathBuf) {
    let fa = write(dir, "mt.fa", ">chrM\nAAAAAAAAAAATGTGAATACCCAGACCCCCAAAAA\n");
    let a = "gene_id \"G\"; transcript_id \"T\";";
    let gtf = write(
        dir,
        "mt.gtf",
        &format!("chrM\tt\texon\t11\t30\t.\t+\t.\t{a}\nchrM\tt\tCDS\t11\t22\t.\t+\t0\t{a}\nchrM\tt\tstop_codon\t23\t25\t.\t+\t0\t{a}\n"),
    );
    (fa, gtf)
}

/// Defect 2: TGA>TGG in a mitochondrial gene is Trp>Trp (synonymous), not stop_lost, and is
/// not counted as nonsynonymous; TGA>AGA (a table-2 stop) is.
#[test]
fn mitochondrial_code_in_tmb() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, gtf) = mito(dir.path());
    let vcf = write(
        dir.path(),
        "mt.vcf",
        "##fileformat=VCFv4.2\n##contig=<ID=chrM,length=35>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n\
chrM\t14\t.\tT\tA\t.\tPASS\t.\tGT\t0/1\n\
chrM\t16\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n",
    );
    let (o, prefix) = tmb(
        &vcf,
        &[
            "--effective-size",
            "1000000",
            "--gtf",
            gtf.to_str().unwrap(),
            "--fasta",
            fa.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = std::fs::read_to_string(prefix.with_extension("tmb.variants.tsv")).unwrap();
    assert!(table.contains("chrM\t14\tT\tA\tG\tstop_gained"), "{table}");
    assert!(
        table.contains("chrM\t16\tA\tG\tG\tsynonymous_variant"),
        "{table}"
    );
    let j = json(prefix.with_extension("tmb.json"));
    assert_eq!(j["variants_counted"], 1);
    assert_eq!(j["ref_check"]["checked"], 2);
    assert_eq!(j["ref_check"]["mismatched"], 0);
}

/// Defect 3: a VCF whose REF disagrees with the FASTA is refused by annotate, with nothing
/// left behind; --allow-mismatch annotates and reports the count.
#[test]
fn ref_mismatch_is_refused_by_annotate() {
    let dir = tempfile::tempdir().unwrap();
    let (fa, gtf) = mito(dir.path());
    // Positions 14 and 16 are T and A; the VCF says G and C: 2 of 2 mismatch.
    let vcf = write(
        dir.path(),
        "wrong.vcf",
        "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n\
chrM\t14\t.\tG\tA\t.\tPASS\t.\nchrM\t16\t.\tC\tG\t.\tPASS\t.\n",
    );
    let out = dir.path().join("out").join("A");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "annotate",
            "--vcf",
            vcf.to_str().unwrap(),
            "--gtf",
            gtf.to_str().unwrap(),
            "--fasta",
            fa.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args(&[]))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("2 of 2 records") && e.contains("chrM:14 REF=G FASTA=T"),
        "{e}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
        .args(args(&["--allow-mismatch"]))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j = json(PathBuf::from(format!("{}.annotate.json", out.display())));
    assert_eq!(j["ref_check"]["mismatched"], 2);
}
