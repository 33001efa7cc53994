//! Class II pseudo-sequences built at run time from the user's IPD-IMGT/HLA protein files.
//!
//! A molecule is described, as in NetMHCIIpan-3.x (Karosiene E et al., Immunogenetics
//! 2013;65:711-724), by the 34 groove residues that contact a bound peptide: 15 of the alpha
//! chain and 19 of the beta chain, in mature-protein numbering (see [`ALPHA_POSITIONS`],
//! [`BETA_POSITIONS`]). For DRA*01:01/DRB1*01:01 they read `QEFFIASGAAVDAIM` +
//! `WLFLECYDLQRATYHVGFT`, the pseudo-sequence NetMHCIIpan publishes for DRB1_0101.
//!
//! Licence: the IPD-IMGT/HLA files are CC BY-ND. Neither they nor anything derived from them
//! (these pseudo-sequences included) is embedded in the binary or the repository; the model
//! stores network weights and molecule names only and reads the residues from the `--imgt`
//! folder the user supplies. (The class I model is different: its 34-residue pseudo-sequences
//! come from MHCflurry's Apache-2.0 table and ship inside `model.bin`.)
//!
//! Numbering: the protein FASTA holds full-length sequences (leader included) and shorter
//! ones (often exon 2 alone). Each sequence is aligned (semi-global, BLOSUM62) to its gene's
//! first full-length allele in the file, whose leader length is a fixed fact of the gene
//! ([`LEADER`]); a residue's number is its reference position minus the leader. Each gene keeps
//! its own mature numbering (DQ and DP chains are not re-aligned onto DR).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bio::alignment::pairwise::Aligner;
use bio::alignment::AlignmentOperation;

use crate::binding::class2::allele::{Chain, Class2Molecule};
use crate::error::{Error, Result};

/// Alpha-chain groove positions (mature numbering).
pub const ALPHA_POSITIONS: [usize; 15] =
    [9, 11, 22, 24, 31, 52, 53, 58, 59, 61, 65, 66, 68, 72, 73];
/// Beta-chain groove positions (mature numbering).
pub const BETA_POSITIONS: [usize; 19] = [
    9, 11, 13, 26, 28, 30, 47, 57, 67, 70, 71, 74, 77, 78, 81, 85, 86, 89, 90,
];
/// Pseudo-sequence length (alpha then beta residues).
pub const PSEUDO_LEN: usize = ALPHA_POSITIONS.len() + BETA_POSITIONS.len();

/// Signal-peptide length of each gene's full-length protein (UniProt: DRA P01903 25,
/// DRB1 P01911 29, DQA1 P01909 23, DQB1 P01920 32, DPA1 P20036 31, DPB1 P04440 29; DRB3/4/5
/// as DRB1).
pub const LEADER: &[(&str, usize)] = &[
    ("DRA", 25),
    ("DRB1", 29),
    ("DRB3", 29),
    ("DRB4", 29),
    ("DRB5", 29),
    ("DQA1", 23),
    ("DQB1", 32),
    ("DPA1", 31),
    ("DPB1", 29),
];

/// The per-gene protein files read, and which genes each may hold.
const FILES: &[&str] = &["DRA", "DRB1", "DRB345", "DQA1", "DQB1", "DPA1", "DPB1"];

/// A chain's sequences: every allele's protein sequence by full name, and the gene's reference.
#[derive(Debug, Default)]
struct Gene {
    /// (full allele name without the gene, e.g. `03:01:01:01`; sequence), file order.
    alleles: Vec<(String, Vec<u8>)>,
    /// The first full-length allele (starts with M, longest seen first).
    reference: Option<Vec<u8>>,
}

/// The class II protein sequences of an IPD-IMGT/HLA release, with pseudo-sequences computed
/// on demand and cached.
#[derive(Debug)]
pub struct Class2Sequences {
    dir: PathBuf,
    genes: BTreeMap<String, Gene>,
    cache: Mutex<HashMap<Chain, std::result::Result<Vec<u8>, String>>>,
}

impl Class2Sequences {
    /// Reads `fasta/{DRA,DRB1,DRB345,DQA1,DQB1,DPA1,DPB1}_prot.fasta` (or the same files at
    /// the top of `dir`), or `hla_prot.fasta` when the release ships one file for all loci.
    ///
    /// # Errors
    /// No class II protein file in the folder; an unreadable or malformed file.
    pub fn load(dir: &Path) -> Result<Self> {
        let mut paths = Vec::new();
        for sub in [dir.join("fasta"), dir.to_path_buf()] {
            for f in FILES {
                let p = sub.join(format!("{f}_prot.fasta"));
                if p.is_file() {
                    paths.push(p);
                }
            }
            if !paths.is_empty() {
                break;
            }
        }
        if paths.is_empty() && dir.join("hla_prot.fasta").is_file() {
            paths.push(dir.join("hla_prot.fasta"));
        }
        if paths.is_empty() {
            return Err(Error::usage(format!(
                "{}: no class II protein FASTA (fasta/DRB1_prot.fasta …, or hla_prot.fasta): give an IPD-IMGT/HLA release folder with --imgt",
                dir.display()
            )));
        }
        let mut genes: BTreeMap<String, Gene> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for p in &paths {
            for (name, seq) in crate::hla::imgt::read_fasta(p)? {
                let Some((gene, fields)) = name.split_once('*') else {
                    continue;
                };
                if !LEADER.iter().any(|(g, _)| *g == gene) || !seen.insert(name.clone()) {
                    continue;
                }
                let entry = genes.entry(gene.to_string()).or_default();
                if entry.reference.is_none() && seq.first() == Some(&b'M') && seq.len() > 200 {
                    entry.reference = Some(seq.clone());
                }
                entry.alleles.push((fields.to_string(), seq));
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            genes,
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every two-field allele of `gene` in the release (expressed alleles only), sorted.
    pub fn chains(&self, gene: &str) -> Vec<Chain> {
        let mut out: Vec<Chain> = self
            .genes
            .get(gene)
            .map(|g| {
                g.alleles
                    .iter()
                    .filter(|(f, _)| !f.ends_with('N'))
                    .filter_map(|(f, _)| {
                        let mut it = f.split(':');
                        let group = it.next()?.parse().ok()?;
                        let protein = it
                            .next()?
                            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
                            .parse()
                            .ok()?;
                        Some(Chain {
                            gene: gene.to_string(),
                            group,
                            protein,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out.dedup();
        out
    }

    /// The 34-residue pseudo-sequence of `molecule` (`X` where the release has no residue).
    ///
    /// # Errors
    /// A chain the release does not hold, or whose sequence misses most groove positions.
    pub fn pseudo(&self, molecule: &Class2Molecule) -> std::result::Result<Vec<u8>, String> {
        let mut out = self.chain_residues(&molecule.alpha, &ALPHA_POSITIONS)?;
        out.extend(self.chain_residues(&molecule.beta, &BETA_POSITIONS)?);
        Ok(out)
    }

    fn chain_residues(
        &self,
        chain: &Chain,
        positions: &[usize],
    ) -> std::result::Result<Vec<u8>, String> {
        if let Some(r) = self.cache.lock().ok().and_then(|c| c.get(chain).cloned()) {
            return r;
        }
        let r = self.compute(chain, positions);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(chain.clone(), r.clone());
        }
        r
    }

    fn compute(&self, chain: &Chain, positions: &[usize]) -> std::result::Result<Vec<u8>, String> {
        let gene = self.genes.get(&chain.gene).ok_or_else(|| {
            format!(
                "{}: no {} sequences in the IPD-IMGT/HLA folder {}",
                chain,
                chain.gene,
                self.dir.display()
            )
        })?;
        let prefix = format!("{:02}:{:02}", chain.group, chain.protein);
        // Same two fields means the same protein: take the longest sequence of the group
        // (full-length over exon-2-only), the first in file order among equals.
        let seq = gene
            .alleles
            .iter()
            .filter(|(f, _)| {
                (f == &prefix || f.starts_with(&format!("{prefix}:"))) && !f.ends_with('N')
            })
            .max_by(|a, b| a.1.len().cmp(&b.1.len()).then(b.0.cmp(&a.0)))
            .map(|(_, s)| s)
            .ok_or_else(|| {
                format!(
                    "{chain} is not an expressed allele in the IPD-IMGT/HLA folder {} (see its {}_prot.fasta)",
                    self.dir.display(),
                    chain.gene
                )
            })?;
        let reference = gene.reference.as_ref().ok_or_else(|| {
            format!(
                "no full-length {} sequence to number residues against",
                chain.gene
            )
        })?;
        let leader = LEADER
            .iter()
            .find(|(g, _)| *g == chain.gene)
            .map_or(0, |(_, l)| *l);
        let residues = residues_at(seq, reference, leader, positions);
        let missing = residues.iter().filter(|&&c| c == b'X').count();
        if missing * 2 > positions.len() {
            return Err(format!(
                "{chain}: the IPD-IMGT/HLA sequence covers only {} of the {} groove positions",
                positions.len() - missing,
                positions.len()
            ));
        }
        Ok(residues)
    }
}

/// Residues of `seq` at mature `positions` (1-based after a `leader`-residue signal peptide of
/// `reference`), by semi-global alignment of `seq` into `reference`; `X` where `seq` has a gap or
/// does not reach.
pub fn residues_at(seq: &[u8], reference: &[u8], leader: usize, positions: &[usize]) -> Vec<u8> {
    let score = |a: u8, b: u8| bio::scores::blosum62(a, b);
    let mut aligner = Aligner::with_capacity(seq.len(), reference.len(), -11, -1, &score);
    let aln = aligner.semiglobal(seq, reference);
    // Reference index (0-based) -> residue of seq.
    let mut at = vec![b'X'; reference.len()];
    let (mut x, mut y) = (aln.xstart, aln.ystart);
    for op in &aln.operations {
        match op {
            AlignmentOperation::Match | AlignmentOperation::Subst => {
                at[y] = seq[x];
                x += 1;
                y += 1;
            }
            AlignmentOperation::Del => y += 1,
            AlignmentOperation::Ins => x += 1,
            AlignmentOperation::Xclip(n) => x += n,
            AlignmentOperation::Yclip(n) => y += n,
        }
    }
    positions
        .iter()
        .map(|&p| at.get(leader + p - 1).copied().unwrap_or(b'X'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_34_and_sorted() {
        assert_eq!(PSEUDO_LEN, 34);
        assert!(ALPHA_POSITIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(BETA_POSITIONS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn residues_follow_the_reference_numbering_through_partial_sequences_and_gaps() {
        // A made-up reference: 3-residue leader "MAS", then mature positions 1.. = the alphabet.
        let reference = b"MASACDEFGHIKLMNPQRSTVWY";
        // Mature numbering: 1 A, 2 C, 3 D, 4 E, 5 F, 6 G, 7 H, 8 I, 9 K, 10 L, 11 M, 12 N.
        assert_eq!(residues_at(reference, reference, 3, &[1, 5, 9]), b"AFK");
        // A partial sequence starting at mature position 4 (E...), position 10 mutated L->W.
        let partial = b"EFGHIKWMNPQRS";
        assert_eq!(residues_at(partial, reference, 3, &[1, 5, 9, 10]), b"XFKW");
        // One residue deleted (H, position 7): positions after it still line up.
        let deleted = b"MASACDEFGIKLMNPQRSTVWY";
        assert_eq!(residues_at(deleted, reference, 3, &[6, 7, 8, 12]), b"GXIN");
    }

    #[test]
    fn dr0101_reads_the_published_pseudo_sequence() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/imgt-hla/3.30.0"
        );
        if !Path::new(dir).join("fasta/DRB1_prot.fasta").is_file() {
            eprintln!("skipped: {dir} not present");
            return;
        }
        let s = Class2Sequences::load(Path::new(dir)).unwrap();
        let m = Class2Molecule::parse("HLA-DRB1*01:01").unwrap();
        // NetMHCIIpan's published pseudo-sequence of DRB1_0101.
        assert_eq!(
            String::from_utf8(s.pseudo(&m).unwrap()).unwrap(),
            "QEFFIASGAAVDAIMWLFLECYDLQRATYHVGFT"
        );
        // DRB1*01:01 and *15:01 differ at beta 86 (G vs V, the P1 pocket dimorphism).
        let m15 = Class2Molecule::parse("DRB1*15:01").unwrap();
        let p15 = s.pseudo(&m15).unwrap();
        assert_eq!(p15[15 + 16], b'V');
        assert!(s
            .pseudo(&Class2Molecule::parse("DRB1*99:99").unwrap())
            .is_err());
        assert!(s.chains("DQA1").len() > 20);
    }
}
