//! REF against the FASTA: every record's REF bases are compared with the reference before a VCF
//! is annotated (on disk or in memory). A VCF called on another build than the FASTA gives
//! confident, wrong HGVS; its REF disagrees with the genome at most SNVs (a random base matches
//! one time in four), while the right build disagrees almost nowhere. bcftools `norm -c` offers
//! warn/exclude/error per record; we count, warn with the first few loci, and refuse the file
//! when more than [`REFUSE_FRACTION`] of the checked records disagree.

use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::ContigMatcher;
use crate::io::fasta::Reference;
use crate::io::vcf::{RecordView, VcfReader};

/// Refuse when more than this fraction of checked records have a REF that disagrees with the
/// FASTA (10%: far above the odd mismatch of a right-build file, far below the ~75% of a wrong
/// build).
pub const REFUSE_FRACTION: f64 = 0.10;
const EXAMPLES: usize = 5;

/// What the check found, stored in the stage's JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RefCheckReport {
    /// Records whose REF was compared with the FASTA.
    pub checked: u64,
    /// ... of which disagree at an A/C/G/T base or run past the contig end.
    pub mismatched: u64,
    /// Records on contigs the FASTA lacks (not checked).
    pub on_contigs_absent_from_fasta: u64,
    /// The refusal threshold used (fraction of checked records).
    pub refuse_above_fraction: f64,
    /// The first few mismatches, `chrom:pos REF=x FASTA=y`.
    pub examples: Vec<String>,
    /// Whether the refusal was overridden (`--allow-mismatch`).
    pub allowed: bool,
}

/// Compares the REF of every record of `vcf` with `reference`.
///
/// # Errors
/// Unreadable or malformed VCF lines; more than [`REFUSE_FRACTION`] of the checked records
/// mismatching (unless `allow_mismatch`).
pub fn check_vcf(
    vcf: &Path,
    reference: &mut Reference,
    allow_mismatch: bool,
) -> Result<RefCheckReport> {
    let mut reader = VcfReader::open(vcf, 1)?;
    let mut checker = RefChecker::new(reference, allow_mismatch);
    let mut buf = Vec::new();
    while reader.read_line(&mut buf)? {
        let no = reader.line_no();
        let line = std::str::from_utf8(&buf)
            .map_err(|_| Error::at_line(vcf, no, "the line is not UTF-8 text"))?;
        let rec = RecordView::parse(line).map_err(|r| Error::at_line(vcf, no, r))?;
        checker.check(&rec)?;
    }
    checker.finish(vcf)
}

/// The check fed one record at a time (for stages that stream the VCF once).
pub struct RefChecker<'r> {
    reference: &'r mut Reference,
    matcher: ContigMatcher,
    /// The contig in hand (VCFs come grouped by contig, so each is read once).
    current: Option<(String, Option<Vec<u8>>)>,
    report: RefCheckReport,
}

impl<'r> RefChecker<'r> {
    pub fn new(reference: &'r mut Reference, allow_mismatch: bool) -> Self {
        let matcher = ContigMatcher::new(reference.contigs().iter().map(|(n, _)| n.clone()));
        Self {
            reference,
            matcher,
            current: None,
            report: RefCheckReport {
                refuse_above_fraction: REFUSE_FRACTION,
                allowed: allow_mismatch,
                ..RefCheckReport::default()
            },
        }
    }

    /// Compares one record's REF.
    ///
    /// # Errors
    /// The FASTA cannot be read.
    pub fn check(&mut self, rec: &RecordView<'_>) -> Result<()> {
        if self.current.as_ref().map(|(c, _)| c.as_str()) != Some(rec.chrom) {
            let seq = match self.matcher.resolve(rec.chrom) {
                Ok(Some(name)) => {
                    let name = name.to_string();
                    Some(self.reference.fetch_contig(&name)?)
                }
                _ => None,
            };
            self.current = Some((rec.chrom.to_string(), seq));
        }
        let report = &mut self.report;
        let Some((_, Some(seq))) = &self.current else {
            report.on_contigs_absent_from_fasta += 1;
            return Ok(());
        };
        report.checked += 1;
        if let Some(fasta) = disagreement(seq, rec.pos, rec.reference.as_bytes()) {
            report.mismatched += 1;
            if report.examples.len() < EXAMPLES {
                report.examples.push(format!(
                    "{} REF={} FASTA={}",
                    rec.locus(),
                    shorten(rec.reference),
                    if fasta.starts_with("past") {
                        fasta
                    } else {
                        shorten(&fasta)
                    }
                ));
            }
        }
        Ok(())
    }

    /// The forward sequence of the contig of the last record checked (`None` when the FASTA
    /// lacks it), for the reference windows HGVS shifting reads.
    pub fn current_sequence(&self) -> Option<&[u8]> {
        self.current.as_ref().and_then(|(_, s)| s.as_deref())
    }

    /// The report, after warning or refusing.
    ///
    /// # Errors
    /// More than [`REFUSE_FRACTION`] of the checked records mismatch and no override was given.
    pub fn finish(self, vcf: &Path) -> Result<RefCheckReport> {
        judge(vcf, self.reference.path(), &self.report)?;
        Ok(self.report)
    }
}

/// The FASTA bases at the REF's place when they disagree with it (`None` when they agree).
/// Bases other than A/C/G/T on either side (N, IUPAC codes) are not compared.
fn disagreement(seq: &[u8], pos: u64, reference: &[u8]) -> Option<String> {
    let start = (pos - 1) as usize;
    let end = start.saturating_add(reference.len());
    if end > seq.len() {
        return Some(format!("past the contig end ({} bp)", seq.len()));
    }
    let fasta = &seq[start..end];
    let acgt = |b: u8| matches!(b, b'A' | b'C' | b'G' | b'T');
    let differs = reference.iter().zip(fasta).any(|(&r, &f)| {
        let (r, f) = (r.to_ascii_uppercase(), f.to_ascii_uppercase());
        acgt(r) && acgt(f) && r != f
    });
    differs.then(|| String::from_utf8_lossy(fasta).into_owned())
}

fn shorten(s: &str) -> String {
    if s.len() > 12 {
        format!("{}...", &s[..12])
    } else {
        s.to_string()
    }
}

fn judge(vcf: &Path, fasta: &Path, r: &RefCheckReport) -> Result<()> {
    if r.mismatched == 0 {
        return Ok(());
    }
    let fraction = r.mismatched as f64 / r.checked.max(1) as f64;
    let summary = format!(
        "REF disagrees with {} at {} of {} records ({:.1}%), e.g. {}",
        fasta.display(),
        r.mismatched,
        r.checked,
        100.0 * fraction,
        r.examples.join(", ")
    );
    if fraction > REFUSE_FRACTION && !r.allowed {
        return Err(Error::invalid(
            vcf,
            None,
            format!(
                "{summary}: more than {:.0}% means the VCF was called on another genome build. Give the FASTA the VCF was called on (see its ##reference and ##contig lines) or lift the VCF over (--allow-mismatch goes on anyway)",
                100.0 * REFUSE_FRACTION
            ),
        ));
    }
    log::warn!("{}: {summary}", vcf.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(records: &[&str], allow: bool) -> Result<RefCheckReport> {
        let dir = tempfile::tempdir().unwrap();
        // chr1 = ACGTACGTAC GGGGGCCCCC (20 bp), chr2 = NNNNAAAA.
        std::fs::write(
            dir.path().join("g.fa"),
            ">chr1\nACGTACGTACGGGGGCCCCC\n>chr2\nNNNNAAAA\n",
        )
        .unwrap();
        let mut vcf =
            "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n".to_string();
        for r in records {
            vcf.push_str(r);
            vcf.push('\n');
        }
        std::fs::write(dir.path().join("v.vcf"), vcf).unwrap();
        let mut reference = Reference::open(&dir.path().join("g.fa")).unwrap();
        check_vcf(&dir.path().join("v.vcf"), &mut reference, allow)
    }

    #[test]
    fn counts_mismatches_by_hand() {
        // 11 records on chr1 (one named `1`) and one on chr2 are checked; one is wrong (pos 3
        // is G, not C): 1/12 = 8.3%, under 10%: a warning, not a refusal.
        let mut recs = vec!["1\t3\t.\tC\tT\t.\tPASS\t."];
        let good = [
            "chr1\t1\t.\tA\tG\t.\tPASS\t.",
            "chr1\t2\t.\tC\tG\t.\tPASS\t.",
            "chr1\t4\t.\tTAC\tT\t.\tPASS\t.",
            "chr1\t11\t.\tGGGGGCCCCC\tG\t.\tPASS\t.",
            "chr1\t5\t.\ta\tG\t.\tPASS\t.",
            "chr1\t6\t.\tN\tG\t.\tPASS\t.",
            "chr1\t7\t.\tG\tA\t.\tPASS\t.",
            "chr1\t8\t.\tT\tA\t.\tPASS\t.",
            "chr1\t9\t.\tA\tC\t.\tPASS\t.",
            "chr1\t10\t.\tC\tA\t.\tPASS\t.",
        ];
        recs.extend(good);
        // chr2's N is not compared; chrX is absent from the FASTA.
        recs.push("chr2\t1\t.\tG\tA\t.\tPASS\t.");
        recs.push("chrX\t1\t.\tG\tA\t.\tPASS\t.");
        let r = run(&recs, false).unwrap();
        assert_eq!(r.checked, 12);
        assert_eq!(r.mismatched, 1);
        assert_eq!(r.on_contigs_absent_from_fasta, 1);
        assert_eq!(r.examples, ["1:3 REF=C FASTA=G"]);
    }

    #[test]
    fn a_wrong_build_is_refused_with_the_fix() {
        // 2 of 3 wrong (67%), one of them past the contig end.
        let recs = [
            "chr1\t1\t.\tA\tG\t.\tPASS\t.",
            "chr1\t2\t.\tT\tG\t.\tPASS\t.",
            "chr1\t20\t.\tCA\tC\t.\tPASS\t.",
        ];
        let e = run(&recs, false).unwrap_err().to_string();
        assert!(e.contains("2 of 3 records"), "{e}");
        assert!(e.contains("chr1:2 REF=T FASTA=C"), "{e}");
        assert!(e.contains("past the contig end"), "{e}");
        assert!(
            e.contains("another genome build") && e.contains("--allow-mismatch"),
            "{e}"
        );
        let r = run(&recs, true).unwrap();
        assert_eq!((r.checked, r.mismatched, r.allowed), (3, 2, true));
    }
}
