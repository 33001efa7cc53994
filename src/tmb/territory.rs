//! The denominator of TMB: the size of the territory in which mutations were looked for.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::{ContigMatcher, Interval, IntervalSet};
use crate::io::bed::read_bed;
use crate::io::gtf::{GtfReader, GtfRecord};
use crate::io::vcf::VcfHeader;

/// How the effective size is obtained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// A size given by the user (bp).
    EffectiveSize(u64),
    /// Merged target intervals, optionally restricted to the coding exons of a GTF.
    Targets { bed: PathBuf, gtf: Option<PathBuf> },
}

/// The territory used: its size, how it was made, and the intervals (to keep variants inside it).
#[derive(Debug, Clone)]
pub struct Territory {
    pub size_bp: u64,
    pub description: String,
    pub intervals: Option<IntervalSet>,
}

/// Coding territory of a GTF: its CDS and stop codons, merged.
///
/// # Errors
/// Unreadable or malformed GTF.
pub fn coding_exons(gtf: &Path) -> Result<IntervalSet> {
    let mut reader = GtfReader::from_path(gtf)?;
    let mut record = GtfRecord::default();
    let mut items = Vec::new();
    while reader.read_record(&mut record)? {
        if record.feature == "CDS" || record.feature == "stop_codon" {
            items.push((
                record.seqname.clone(),
                Interval::new(record.start - 1, record.end),
            ));
        }
    }
    if items.is_empty() {
        return Err(Error::invalid(
            gtf,
            None,
            "no CDS lines: is this a GTF with coding transcripts?",
        ));
    }
    Ok(IntervalSet::from_intervals(items))
}

/// Builds the territory and checks the target contigs against the VCF's `##contig` lines.
///
/// # Errors
/// Unreadable files, an empty territory, target contigs the VCF does not know.
pub fn build(denominator: &Denominator, header: &VcfHeader, vcf: &Path) -> Result<Territory> {
    match denominator {
        Denominator::EffectiveSize(bp) => {
            if *bp == 0 {
                return Err(Error::usage("--effective-size must be greater than 0"));
            }
            Ok(Territory {
                size_bp: *bp,
                description: format!("given effective size ({bp} bp)"),
                intervals: None,
            })
        }
        Denominator::Targets { bed, gtf } => {
            let mut targets = read_bed(bed)?;
            if targets.is_empty() {
                return Err(Error::invalid(bed, None, "no intervals in the targets BED"));
            }
            if !header.contigs.is_empty() {
                let vcf_contigs = ContigMatcher::new(header.contigs.iter().map(|(n, _)| n.clone()));
                for contig in targets.contig_names() {
                    match vcf_contigs.resolve(contig) {
                        Ok(Some(_)) => {}
                        Ok(None) => {
                            return Err(Error::invalid(
                                bed,
                                Some(format!("contig {contig}")),
                                format!(
                                    "contig '{contig}' is not among the VCF's ##contig lines ({}); is the BED for the same reference?",
                                    vcf.display()
                                ),
                            ))
                        }
                        Err(many) => {
                            return Err(Error::invalid(
                                bed,
                                Some(format!("contig {contig}")),
                                format!("contig '{contig}' matches several VCF contigs ({}); rename the BED contigs", many.join(", ")),
                            ))
                        }
                    }
                }
            }
            // Intervals past a contig's end (the VCF header gives its length) are cut there.
            let lengths = ContigMatcher::new(header.contigs.iter().map(|(n, _)| n.clone()));
            let clipped = targets.clip_to_lengths(|c| {
                let name = lengths.resolve(c).ok().flatten()?;
                header
                    .contigs
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, l)| *l)
            });
            if !clipped.is_empty() {
                let list: Vec<String> = clipped
                    .iter()
                    .take(5)
                    .map(|(c, len, bp)| format!("{c} ({bp} bp past its end at {len})"))
                    .collect();
                log::warn!(
                    "{}: intervals run past the contig lengths of the VCF header and were clipped: {}",
                    bed.display(),
                    list.join(", ")
                );
            }
            if targets.is_empty() {
                return Err(Error::invalid(
                    bed,
                    None,
                    "every interval lies past the end of its contig (VCF ##contig lengths): is the BED for the same reference?",
                ));
            }
            let bed_bp = targets.total_len();
            match gtf {
                None => Ok(Territory {
                    size_bp: bed_bp,
                    description: format!(
                        "targets BED {} merged ({bed_bp} bp){}",
                        bed.display(),
                        if clipped.is_empty() {
                            ""
                        } else {
                            ", clipped to the contig lengths"
                        }
                    ),
                    intervals: Some(targets),
                }),
                Some(gtf) => {
                    let cds = coding_exons(gtf)?;
                    let matcher = ContigMatcher::new(targets.contig_names().map(str::to_string));
                    let cds = cds.rename_contigs(|c| match matcher.resolve(c) {
                        Ok(Some(t)) => t.to_string(),
                        _ => c.to_string(),
                    });
                    let coding = targets.intersect(&cds);
                    let size = coding.total_len();
                    if size == 0 {
                        return Err(Error::invalid(
                            gtf,
                            None,
                            format!("no CDS of the GTF lies inside the targets BED {}: check both use the same reference and contig names", bed.display()),
                        ));
                    }
                    Ok(Territory {
                        size_bp: size,
                        description: format!(
                            "targets BED {} ({bed_bp} bp{}) intersected with the CDS of {} ({size} bp)",
                            bed.display(),
                            if clipped.is_empty() { "" } else { ", clipped to the contig lengths" },
                            gtf.display()
                        ),
                        intervals: Some(coding),
                    })
                }
            }
        }
    }
}
