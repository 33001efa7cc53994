//! `msi scan`: perfect tandem repeats of the reference (MSIsensor's site definition, Niu 2014):
//! homopolymers and 2-5 bp units repeated enough times, with unique-base flanks on both sides.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::{ContigMatcher, IntervalSet};
use crate::io::bed::read_bed;
use crate::io::fasta::Reference;
use crate::io::output::AtomicFile;

use super::sites::{write_contig_lines, Site, SITES_COLUMNS, SITES_MAGIC};

/// What counts as a site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanParams {
    /// Shortest homopolymer, in bases (MSIsensor `-r`: 5).
    pub min_homopolymer: u32,
    /// Fewest copies of a 2-5 bp unit (MSIsensor `-p`: 3).
    pub min_repeats: u32,
    /// Longest unit (MSIsensor `-s`: 5).
    pub max_unit: usize,
    /// Longest repeat in bases; longer ones are seldom spanned by short reads with both flanks.
    pub max_repeat_bp: u32,
    /// Flank length written with each site and matched in reads (MSIsensor `-l`: 5).
    pub flank: usize,
}

impl Default for ScanParams {
    fn default() -> Self {
        Self {
            min_homopolymer: 5,
            min_repeats: 3,
            max_unit: 5,
            max_repeat_bp: 60,
            flank: 5,
        }
    }
}

impl ScanParams {
    /// # Errors
    /// Values out of range.
    pub fn validate(&self) -> Result<()> {
        if !(1..=5).contains(&self.max_unit) {
            return Err(Error::usage("--max-unit must be 1 to 5"));
        }
        if self.min_homopolymer < 2 || self.min_repeats < 2 {
            return Err(Error::usage(
                "--min-homopolymer and --min-repeats must be at least 2",
            ));
        }
        if !(1..=50).contains(&self.flank) {
            return Err(Error::usage("--flank must be 1 to 50 bases"));
        }
        Ok(())
    }
}

fn is_base(b: u8) -> bool {
    matches!(b, b'A' | b'C' | b'G' | b'T')
}

/// A unit is primitive when it is not itself a repeat of a shorter unit (`ATAT` is `AT` twice).
fn is_primitive(unit: &[u8]) -> bool {
    let k = unit.len();
    (1..k)
        .filter(|d| k.is_multiple_of(*d))
        .all(|d| unit.chunks(d).any(|c| c != &unit[..d]))
}

/// Scans one contig's upper-case sequence. Each repeat is reported once, from its first base,
/// with the unit that covers the most bases (the shorter unit on ties). Repeats longer than
/// `max_repeat_bp` are skipped whole, never reported as a truncated piece.
pub fn scan_sequence(chrom: &str, seq: &[u8], params: &ScanParams) -> Vec<Site> {
    let n = seq.len();
    let flank = params.flank;
    let mut sites = Vec::new();
    let mut i = 0usize;
    while i < n {
        if !is_base(seq[i]) {
            i += 1;
            continue;
        }
        // (bases covered, unit length, copies) of the best qualifying unit at i, and the
        // longest repeat of any unit at i (to jump past repeats that are too long).
        let mut best: Option<(usize, usize, usize)> = None;
        let mut longest = 0usize;
        for k in 1..=params.max_unit {
            let min = if k == 1 {
                params.min_homopolymer
            } else {
                params.min_repeats
            } as usize;
            let need = min * k;
            // Most positions fail here, at the first base that breaks the period.
            if i + need > n || !(i + k..i + need).all(|j| seq[j] == seq[j - k]) {
                continue;
            }
            let unit = &seq[i..i + k];
            if !unit.iter().all(|&b| is_base(b)) || !is_primitive(unit) {
                continue;
            }
            let mut j = i + need;
            while j < n && seq[j] == seq[j - k] {
                j += 1;
            }
            let copies = (j - i) / k;
            let bases = copies * k;
            longest = longest.max(bases);
            if best.is_none_or(|(b, _, _)| bases > b) {
                best = Some((bases, k, copies));
            }
        }
        match best {
            Some((bases, k, copies)) => {
                let end = i + bases;
                if bases <= params.max_repeat_bp as usize
                    && i >= flank
                    && end + flank <= n
                    && seq[i - flank..i].iter().all(|&b| is_base(b))
                    && seq[end..end + flank].iter().all(|&b| is_base(b))
                {
                    sites.push(Site {
                        chrom: chrom.to_string(),
                        start: i as u64,
                        unit: seq[i..i + k].to_vec(),
                        repeats: copies as u32,
                        left_flank: seq[i - flank..i].to_vec(),
                        right_flank: seq[end..end + flank].to_vec(),
                    });
                }
                i += longest.max(1);
            }
            None => i += 1,
        }
    }
    sites
}

/// Keeps the sites whose repeat overlaps a target.
pub fn restrict_to_targets(sites: Vec<Site>, targets: &IntervalSet) -> Vec<Site> {
    sites
        .into_iter()
        .filter(|s| targets.overlaps(&s.chrom, crate::genome::Interval::new(s.start, s.end())))
        .collect()
}

/// Scans every contig of `fasta` (in parallel, one reference reader per worker), restricted to
/// the targets when given, and returns the sites in reference order with the contig list.
///
/// Contigs are processed in batches of one per worker so memory holds a few contigs at a time.
///
/// # Errors
/// Unreadable FASTA or BED, or BED contigs that match no contig of the FASTA.
pub fn scan_reference(
    fasta: &Path,
    targets: Option<&IntervalSet>,
    params: &ScanParams,
    mut sink: impl FnMut(&[Site]) -> Result<()>,
) -> Result<Vec<(String, u64)>> {
    params.validate()?;
    let reference = Reference::open(fasta)?;
    let contigs = reference.contigs().to_vec();
    drop(reference);
    let targets = match targets {
        Some(t) => Some(rename_to_reference(t, &contigs)?),
        None => None,
    };
    let wanted: Vec<&(String, u64)> = contigs
        .iter()
        .filter(|(name, _)| {
            targets
                .as_ref()
                .is_none_or(|t| !t.intervals(name).is_empty())
        })
        .collect();
    let progress = crate::progress::bar(Some(wanted.iter().map(|c| c.1).sum()), "msi scan");
    let batch = rayon::current_num_threads().max(1);
    for chunk in wanted.chunks(batch) {
        let results: Vec<Result<Vec<Site>>> = chunk
            .par_iter()
            .map_init(
                || Reference::open(fasta),
                |reader, (name, len)| {
                    let reader = reader
                        .as_mut()
                        .map_err(|e| Error::invalid(fasta, None, e.to_string()))?;
                    let seq = reader.fetch_contig(name)?;
                    let sites = scan_sequence(name, &seq, params);
                    progress.inc(*len);
                    Ok(match &targets {
                        Some(t) => restrict_to_targets(sites, t),
                        None => sites,
                    })
                },
            )
            .collect();
        for r in results {
            sink(&r?)?;
        }
    }
    progress.finish_and_clear();
    Ok(contigs)
}

/// The targets with contig names spelled as in the reference (`1` vs `chr1`).
fn rename_to_reference(targets: &IntervalSet, contigs: &[(String, u64)]) -> Result<IntervalSet> {
    let matcher = ContigMatcher::new(contigs.iter().map(|(n, _)| n.clone()));
    let mut unknown = Vec::new();
    let renamed = targets.rename_contigs(|name| match matcher.resolve(name) {
        Ok(Some(t)) => t.to_string(),
        _ => {
            unknown.push(name.to_string());
            name.to_string()
        }
    });
    if !targets.is_empty() && unknown.len() == targets.contig_names().count() {
        return Err(Error::usage(format!(
            "no contig of the targets BED ({}) is in the reference",
            unknown.join(", ")
        )));
    }
    Ok(renamed)
}

/// Everything `msi scan` needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanJob {
    pub fasta: PathBuf,
    pub targets: Option<PathBuf>,
    pub params: ScanParams,
    pub output: PathBuf,
}

/// Runs `msi scan`: writes the sites file atomically and returns how many sites it holds.
///
/// # Errors
/// Unreadable inputs, or the output cannot be written.
pub fn run_scan(job: &ScanJob) -> Result<u64> {
    job.params.validate()?;
    let targets = job.targets.as_deref().map(read_bed).transpose()?;
    let contigs = Reference::open(&job.fasta)?.contigs().to_vec();
    let mut out = AtomicFile::create(&job.output)?;
    let output = job.output.clone();
    let werr = |e| Error::io(&output, e);
    writeln!(out, "{SITES_MAGIC}").map_err(werr)?;
    writeln!(out, "##reference={}", job.fasta.display()).map_err(werr)?;
    write_contig_lines(&mut out, &contigs).map_err(werr)?;
    writeln!(out, "{SITES_COLUMNS}").map_err(werr)?;
    let mut count = 0u64;
    scan_reference(&job.fasta, targets.as_ref(), &job.params, |sites| {
        for s in sites {
            s.write_columns(&mut out).map_err(werr)?;
            out.write_all(b"\n").map_err(werr)?;
        }
        count += sites.len() as u64;
        Ok(())
    })?;
    out.commit()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(seq: &[u8]) -> Vec<(u64, String, u32)> {
        let p = ScanParams {
            flank: 3,
            ..ScanParams::default()
        };
        scan_sequence("c", seq, &p)
            .into_iter()
            .map(|s| (s.start, String::from_utf8(s.unit).unwrap(), s.repeats))
            .collect()
    }

    #[test]
    fn finds_homopolymers_and_short_unit_repeats() {
        // 0-based: AAAAAA at 3 (6 bases), CACACA at 12 (3 copies), GATC x3 at 21.
        let seq = b"CGTAAAAAAGCTCACACAGTAGATCGATCGATCTGCG";
        assert_eq!(
            scan(seq),
            vec![
                (3, "A".into(), 6),
                (12, "CA".into(), 3),
                (21, "GATC".into(), 3)
            ]
        );
    }

    #[test]
    fn ignores_short_repeats_missing_flanks_and_n() {
        // AAAA is one base short; TTTTT at the very start has no left flank; N breaks a run.
        assert!(scan(b"TTTTTGCAAAACGTGCCCNCCGTA").is_empty());
        // A repeat of a non-primitive unit is reported with its primitive unit.
        assert_eq!(scan(b"GGCTATATATATGCG"), vec![(3, "TA".into(), 4)]);
    }

    #[test]
    fn skips_too_long_repeats_whole() {
        let mut seq = b"GCT".to_vec();
        seq.extend(std::iter::repeat_n(b'A', 70));
        seq.extend_from_slice(b"GCTCCCCCGTA");
        // The 70-base run is over the 60-base limit and no suffix of it is reported.
        assert_eq!(scan(&seq), vec![(76, "C".into(), 5)]);
    }

    #[test]
    fn primitive_units() {
        assert!(is_primitive(b"A"));
        assert!(is_primitive(b"AC"));
        assert!(!is_primitive(b"AA"));
        assert!(!is_primitive(b"ACAC"));
        assert!(is_primitive(b"AACA"));
    }
}
