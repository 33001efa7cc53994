//! Assigning one read or fragment to a gene, with featureCounts' default rules: at least one
//! aligned base on an exon of the gene, exactly one such gene (else ambiguous), strand checked
//! when the library is stranded.

use serde::{Deserialize, Serialize};

use crate::genome::Strand;
use crate::quant::genes::{ContigHandle, GeneModel};

/// Library strandedness (featureCounts `-s 0|1|2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Strandedness {
    /// Reads count for genes on either strand.
    #[default]
    None,
    /// Read 1 (or a single-end read) lies on the gene's strand.
    Forward,
    /// Read 1 lies on the opposite strand (dUTP, Illumina TruSeq stranded).
    Reverse,
}

/// Why a read or fragment was not counted; the names are featureCounts' summary rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unassigned {
    Unmapped,
    MappingQuality,
    MultiMapping,
    /// A secondary alignment (flag 0x100) when only primary alignments count (`--primary`).
    Secondary,
    NoFeatures,
    Ambiguity,
}

impl Unassigned {
    pub const ALL: [Unassigned; 6] = [
        Unassigned::Unmapped,
        Unassigned::MappingQuality,
        Unassigned::MultiMapping,
        Unassigned::Secondary,
        Unassigned::NoFeatures,
        Unassigned::Ambiguity,
    ];

    /// featureCounts' summary label.
    pub fn label(self) -> &'static str {
        match self {
            Unassigned::Unmapped => "Unassigned_Unmapped",
            Unassigned::MappingQuality => "Unassigned_MappingQuality",
            Unassigned::MultiMapping => "Unassigned_MultiMapping",
            Unassigned::Secondary => "Unassigned_Secondary",
            Unassigned::NoFeatures => "Unassigned_NoFeatures",
            Unassigned::Ambiguity => "Unassigned_Ambiguity",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The aligned blocks of a fragment (one read, or both mates) on one contig each.
#[derive(Debug, Clone, Default)]
pub struct Fragment {
    /// `(contig tag, start, end)`: 0-based half-open reference blocks; `blocks[..split]` are
    /// the first read's, the rest the mate's.
    pub blocks: Vec<(u32, u64, u64)>,
    /// Where the mate's blocks start (`blocks.len()` for a single read).
    pub split: usize,
    /// Strand of the fragment as read 1 sees it (read 2 alone is flipped).
    pub reverse: bool,
}

/// Reusable scratch space for [`assign`].
#[derive(Debug, Default)]
pub struct Scratch {
    first: Vec<u32>,
    second: Vec<u32>,
}

fn genes_of(
    model: &GeneModel,
    contigs: &[Option<ContigHandle<'_>>],
    blocks: &[(u32, u64, u64)],
    wanted: Option<Strand>,
    out: &mut Vec<u32>,
) {
    out.clear();
    for &(tag, start, end) in blocks {
        if let Some(Some(ix)) = contigs.get(tag as usize) {
            ix.query(start, end, out);
        }
    }
    if let Some(w) = wanted {
        out.retain(|&g| {
            let s = model.genes[g as usize].strand;
            s == w || s == Strand::Unknown
        });
    }
    out.sort_unstable();
    out.dedup();
}

/// The gene a fragment counts for, or why it does not.
///
/// Each read votes once for every gene it overlaps (on the right strand); the gene with the most
/// votes wins, and a tie is ambiguous. So a pair with both mates on gene A and one mate also
/// touching gene B counts for A, as featureCounts does.
///
/// `contigs[tag]` is the overlap index of the contig that block tag refers to (`None`: the GTF
/// has no gene there).
pub fn assign(
    model: &GeneModel,
    contigs: &[Option<ContigHandle<'_>>],
    fragment: &Fragment,
    strandedness: Strandedness,
    scratch: &mut Scratch,
) -> Result<u32, Unassigned> {
    let wanted = match (strandedness, fragment.reverse) {
        (Strandedness::None, _) => None,
        (Strandedness::Forward, false) | (Strandedness::Reverse, true) => Some(Strand::Forward),
        (Strandedness::Forward, true) | (Strandedness::Reverse, false) => Some(Strand::Reverse),
    };
    let split = fragment.split.min(fragment.blocks.len());
    let (a, b) = fragment.blocks.split_at(split);
    genes_of(model, contigs, a, wanted, &mut scratch.first);
    genes_of(model, contigs, b, wanted, &mut scratch.second);
    let (x, y) = (&scratch.first, &scratch.second);
    if x.is_empty() && y.is_empty() {
        return Err(Unassigned::NoFeatures);
    }
    // Genes hit by both reads have 2 votes; they win if there is exactly one such gene.
    let mut both = x.iter().filter(|g| y.binary_search(g).is_ok());
    match (both.next(), both.next()) {
        (Some(&g), None) => return Ok(g),
        (Some(_), Some(_)) => return Err(Unassigned::Ambiguity),
        _ => {}
    }
    match (x.len() + y.len(), x.first(), y.first()) {
        (1, Some(&g), _) | (1, None, Some(&g)) => Ok(g),
        _ => Err(Unassigned::Ambiguity),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genome::Interval;
    use crate::quant::genes::Gene;

    fn model() -> GeneModel {
        let g = |id: &str, strand, s, e| Gene {
            id: id.into(),
            name: None,
            contig: "c".into(),
            strand,
            exons: vec![Interval::new(s, e)],
        };
        // A (+) 100-200, B (-) 150-250: overlapping genes on both strands.
        GeneModel::from_genes(
            vec![
                g("A", Strand::Forward, 100, 200),
                g("B", Strand::Reverse, 150, 250),
            ],
            vec![],
        )
    }

    fn frag(blocks: &[(u64, u64)], reverse: bool) -> Fragment {
        Fragment {
            blocks: blocks.iter().map(|&(s, e)| (0, s, e)).collect(),
            split: blocks.len(),
            reverse,
        }
    }

    fn pair(first: &[(u64, u64)], second: &[(u64, u64)]) -> Fragment {
        let mut f = frag(first, false);
        f.blocks.extend(second.iter().map(|&(s, e)| (0, s, e)));
        f
    }

    #[test]
    fn overlapping_genes_need_strand_to_resolve() {
        let m = model();
        let c = [m.contig_index("c")];
        let mut s = Scratch::default();
        let f = frag(&[(160, 170)], false);
        assert_eq!(
            assign(&m, &c, &f, Strandedness::None, &mut s),
            Err(Unassigned::Ambiguity)
        );
        assert_eq!(assign(&m, &c, &f, Strandedness::Forward, &mut s), Ok(0));
        assert_eq!(assign(&m, &c, &f, Strandedness::Reverse, &mut s), Ok(1));
        // One base on A's exon is enough; blocks in the intron-like gap count for nothing.
        assert_eq!(
            assign(
                &m,
                &c,
                &frag(&[(50, 101)], false),
                Strandedness::None,
                &mut s
            ),
            Ok(0)
        );
        assert_eq!(
            assign(
                &m,
                &c,
                &frag(&[(50, 100), (260, 300)], false),
                Strandedness::None,
                &mut s
            ),
            Err(Unassigned::NoFeatures)
        );
        // One read on A and on B (two blocks): ambiguous.
        assert_eq!(
            assign(
                &m,
                &c,
                &frag(&[(100, 120), (230, 240)], false),
                Strandedness::None,
                &mut s
            ),
            Err(Unassigned::Ambiguity)
        );
        // Mates on A only and on B only: one vote each, ambiguous.
        assert_eq!(
            assign(
                &m,
                &c,
                &pair(&[(100, 120)], &[(230, 240)]),
                Strandedness::None,
                &mut s
            ),
            Err(Unassigned::Ambiguity)
        );
        // Both mates on A, one of them also on B: A has two votes.
        assert_eq!(
            assign(
                &m,
                &c,
                &pair(&[(100, 120)], &[(110, 120), (230, 240)]),
                Strandedness::None,
                &mut s
            ),
            Ok(0)
        );
        // Both mates on A and B: ambiguous.
        assert_eq!(
            assign(
                &m,
                &c,
                &pair(&[(160, 170)], &[(160, 170)]),
                Strandedness::None,
                &mut s
            ),
            Err(Unassigned::Ambiguity)
        );
    }
}
