//! Mutant and wild-type protein windows around a change, placed as pVACseq's `FastaGenerator`
//! places them (its rules near protein ends, for insertions, deletions and frameshifts).

use serde::Serialize;

use super::entry::{VariantEntry, VariantType};

/// The twenty amino acids pVACseq accepts in a peptide.
pub fn is_supported_aa(b: u8) -> bool {
    matches!(
        b,
        b'A' | b'R'
            | b'N'
            | b'D'
            | b'C'
            | b'E'
            | b'Q'
            | b'G'
            | b'H'
            | b'I'
            | b'L'
            | b'K'
            | b'M'
            | b'F'
            | b'P'
            | b'S'
            | b'T'
            | b'W'
            | b'Y'
            | b'V'
    )
}

/// The downstream length of frameshift windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Downstream {
    /// Up to the first stop.
    Full,
    /// At most this many amino acids from the frameshift on.
    Limit(usize),
}

/// A matched pair of windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub wt: String,
    pub mt: String,
}

/// Why a transcript gave no window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoWindow {
    /// Expected (pVACseq skips it silently): position past the protein, no novel sequence, too short.
    Silent,
    /// The VEP amino acids disagree with WildtypeProtein at the position: different builds or
    /// transcript versions. Warned about.
    ReferenceMismatch { expected: String, found: String },
    /// An amino acid other than the twenty (e.g. U) inside the window.
    UnsupportedAminoAcid,
}

/// Python-style clamped slice.
fn sub(s: &[u8], start: usize, end: usize) -> &[u8] {
    let end = end.min(s.len());
    let start = start.min(end);
    &s[start..end]
}

/// pVACseq's `get_wildtype_subsequence`: returns (mutation start in the window, window).
fn wildtype_subsequence(
    position: usize,
    full: &[u8],
    change_len: usize,
    flank: usize,
) -> (usize, &[u8]) {
    let len = (2 * flank + change_len).min(full.len());
    let from_end = full.len() as isize - 1 - position as isize;
    if position < flank {
        (position, &full[..len])
    } else if from_end < flank as isize {
        let start = full.len() - len;
        (
            (len as isize - from_end - 1).max(0) as usize,
            &full[start..],
        )
    } else {
        let start = position - flank;
        (flank, sub(full, start, start + len))
    }
}

/// Splits `X/Y` and drops everything from a stop (`*`) or `X` on, as pVACseq does; the flag says
/// whether the mutant side gained a stop.
fn split_change(change: &str) -> Option<(String, String, bool)> {
    let (wt, mt) = change.split_once('/')?;
    let cut = |s: &str| -> (String, bool) {
        if let Some(i) = s.find('*') {
            (s[..i].to_string(), true)
        } else if let Some(i) = s.find('X') {
            (s[..i].to_string(), true)
        } else {
            (s.to_string(), false)
        }
    };
    let (wt, _) = cut(wt);
    let (mt, stop) = cut(mt);
    Some((wt, mt, stop))
}

fn first_number(pos: &str) -> Option<usize> {
    pos.split('-').next()?.trim().parse().ok()
}

/// Builds the windows of `entry` with `flank` amino acids each side. With `epitope_len > 0` (the
/// neoantigen mode), a window is kept only when some mutant `epitope_len`-mer is absent from the
/// wild-type window and both windows are at least that long; otherwise only when the mutant
/// window is not inside the wild-type one.
///
/// # Errors
/// [`NoWindow`] says why there is none.
pub fn build(
    entry: &VariantEntry,
    flank: usize,
    downstream: Downstream,
    epitope_len: usize,
) -> Result<Window, NoWindow> {
    let full = entry.wildtype_protein.as_bytes();
    let (mut wt, mut mt): (Vec<u8>, Vec<u8>);
    if entry.variant_type == VariantType::Frameshift {
        let position = first_number(&entry.protein_position)
            .ok_or(NoWindow::Silent)?
            .checked_sub(1)
            .ok_or(NoWindow::Silent)?;
        if position > full.len().saturating_sub(1) || full.is_empty() {
            return Err(NoWindow::Silent);
        }
        let full_mt = entry.frameshift_sequence.as_bytes();
        if full.starts_with(full_mt) {
            return Err(NoWindow::Silent);
        }
        let start = position.saturating_sub(flank);
        wt = sub(full, start, position + flank).to_vec();
        mt = match downstream {
            Downstream::Full => sub(full_mt, start, full_mt.len()).to_vec(),
            Downstream::Limit(n) => sub(full_mt, start, position + n).to_vec(),
        };
    } else {
        let (wt_aa, mt_aa, stop_added) =
            split_change(&entry.amino_acid_change).ok_or(NoWindow::Silent)?;
        let first = first_number(&entry.protein_position).ok_or(NoWindow::Silent)?;
        let (position, wt_len, mt_aa) = if entry.variant_type == VariantType::InframeDel {
            let mt_aa = if mt_aa == "-" { String::new() } else { mt_aa };
            (
                first.checked_sub(1).ok_or(NoWindow::Silent)?,
                wt_aa.len(),
                mt_aa,
            )
        } else if wt_aa == "-" {
            // Insertion between two residues: the window starts at the residue after it.
            (first, 0, mt_aa)
        } else {
            (
                first.checked_sub(1).ok_or(NoWindow::Silent)?,
                wt_aa.len(),
                mt_aa,
            )
        };
        if full.is_empty() || position > full.len() - 1 {
            return Err(NoWindow::Silent);
        }
        let size_len = if entry.variant_type == VariantType::InframeIns {
            mt_aa.len()
        } else {
            wt_len
        };
        let (start, window) = wildtype_subsequence(position, full, size_len, flank);
        let end = start + wt_len;
        if wt_aa != "-" && wt_aa.as_bytes() != sub(window, start, end) {
            return Err(NoWindow::ReferenceMismatch {
                expected: wt_aa,
                found: String::from_utf8_lossy(sub(window, start, end)).into_owned(),
            });
        }
        wt = window.to_vec();
        mt = sub(window, 0, start).to_vec();
        mt.extend_from_slice(mt_aa.as_bytes());
        if !stop_added {
            mt.extend_from_slice(sub(window, end, window.len()));
        }
    }
    for seq in [&mut wt, &mut mt] {
        if seq.first().is_some_and(|b| !is_supported_aa(*b)) {
            seq.remove(0);
        }
        if seq.last().is_some_and(|b| !is_supported_aa(*b)) {
            seq.pop();
        }
        if !seq.iter().all(|b| is_supported_aa(*b)) {
            return Err(NoWindow::UnsupportedAminoAcid);
        }
    }
    if wt.is_empty() || mt.is_empty() {
        return Err(NoWindow::Silent);
    }
    if epitope_len > 0 {
        let novel = mt.len() >= epitope_len && mt.windows(epitope_len).any(|e| !contains(&wt, e));
        if !novel {
            return Err(NoWindow::Silent);
        }
    } else if contains(&wt, &mt) {
        return Err(NoWindow::Silent);
    }
    if wt.len() < epitope_len || mt.len() < epitope_len {
        return Err(NoWindow::Silent);
    }
    // Only the twenty amino acid letters are left, so the bytes are ASCII.
    Ok(Window {
        wt: String::from_utf8_lossy(&wt).into_owned(),
        mt: String::from_utf8_lossy(&mt).into_owned(),
    })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::peptides::entry::SampleValues;

    fn entry(t: VariantType, pos: &str, aa: &str, protein: &str, fs: &str) -> VariantEntry {
        VariantEntry {
            number: 1,
            chrom: "1".into(),
            pos: 1,
            reference: "A".into(),
            alt: "G".into(),
            gene: "G".into(),
            gene_id: None,
            transcript: "T".into(),
            biotype: Some("protein_coding".into()),
            variant_type: t,
            protein_position: pos.into(),
            amino_acid_change: aa.into(),
            change: String::new(),
            canonical: false,
            tsl: None,
            wildtype_protein: protein.into(),
            frameshift_sequence: fs.into(),
            values: SampleValues::default(),
            hgvsc: None,
            hgvsp: None,
            normal: Default::default(),
        }
    }

    const P: &str = "MKTAYIAKQRQISFVKSHFSRQ";

    #[test]
    fn missense_in_the_middle_and_near_ends() {
        let p = "MKTAYIAKQRQISFVKSHFSRQ";
        // Position 11 (Q) with flank 3: 3 each side.
        let w = build(
            &entry(VariantType::Missense, "11", "Q/W", p, ""),
            3,
            Downstream::Full,
            0,
        )
        .unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("KQRQISF", "KQRWISF"));
        // Position 2 (K): the window starts at the protein start, 2*3+1 long.
        let w = build(
            &entry(VariantType::Missense, "2", "K/E", p, ""),
            3,
            Downstream::Full,
            0,
        )
        .unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("MKTAYIA", "METAYIA"));
        // Last residue: the window ends at the protein end.
        let w = build(
            &entry(VariantType::Missense, "22", "Q/R", p, ""),
            3,
            Downstream::Full,
            0,
        )
        .unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("KSHFSRQ", "KSHFSRR"));
    }

    #[test]
    fn wildtype_mismatch_is_reported() {
        let e = entry(VariantType::Missense, "3", "W/R", "MKTAYIAKQR", "");
        assert!(matches!(
            build(&e, 3, Downstream::Full, 0),
            Err(NoWindow::ReferenceMismatch { .. })
        ));
    }

    #[test]
    fn insertion_deletion_and_frameshift() {
        // Insertion of L between residues 5 and 6 (VEP: 5-6, -/L).
        let w = build(
            &entry(VariantType::InframeIns, "5-6", "-/L", "MKTAYIAKQR", ""),
            2,
            Downstream::Full,
            0,
        )
        .unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("AYIAK", "AYLIAK"));
        // Deletion of 3-4 (TA/-).
        let w = build(
            &entry(VariantType::InframeDel, "3-4", "TA/-", "MKTAYIAKQR", ""),
            2,
            Downstream::Full,
            0,
        )
        .unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("MKTAYI", "MKYI"));
        // Frameshift at residue 5: flank 2 upstream of both, mutant to the end.
        let e = entry(VariantType::Frameshift, "5", "", "MKTAYIAKQR", "MKTAGGGPW");
        let w = build(&e, 2, Downstream::Full, 0).unwrap();
        assert_eq!((w.wt.as_str(), w.mt.as_str()), ("TAYI", "TAGGGPW"));
        let w = build(&e, 2, Downstream::Limit(3), 0).unwrap();
        assert_eq!(w.mt, "TAGGG");
    }

    #[test]
    fn epitope_mode_needs_a_novel_epitope() {
        let e = entry(VariantType::Missense, "2", "K/E", P, "");
        assert!(build(&e, 8, Downstream::Full, 9).is_ok());
        // Windows shorter than the epitope length give nothing.
        let e = entry(VariantType::Missense, "2", "K/E", "MKTA", "");
        assert_eq!(build(&e, 8, Downstream::Full, 9), Err(NoWindow::Silent));
        // A selenocysteine inside the window is refused.
        let e = entry(VariantType::Missense, "2", "K/E", "MKTUAYIAKQ", "");
        assert_eq!(
            build(&e, 3, Downstream::Full, 0),
            Err(NoWindow::UnsupportedAminoAcid)
        );
    }
}
