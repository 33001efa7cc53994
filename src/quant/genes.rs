//! Gene model for counting: each gene is the union of its exons (featureCounts' meta-feature),
//! indexed per contig as elementary segments, so a query returns the genes covering any base.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{Error, Result};
use crate::genome::{Interval, Strand};
use crate::io::gtf::{GtfReader, GtfRecord};

/// One gene: the union of its exons.
#[derive(Debug, Clone, PartialEq)]
pub struct Gene {
    pub id: String,
    pub name: Option<String>,
    pub contig: String,
    pub strand: Strand,
    /// Merged exons, 0-based half-open, sorted.
    pub exons: Vec<Interval>,
}

impl Gene {
    /// Union-of-exons length (featureCounts' `Length`).
    pub fn length(&self) -> u64 {
        self.exons.iter().map(Interval::len).sum()
    }
}

/// A stretch of a contig where the set of covering genes does not change.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: u64,
    end: u64,
    /// Range into `ContigIndex::genes`.
    first: u32,
    count: u32,
}

#[derive(Debug, Clone, Default)]
struct ContigIndex {
    segments: Vec<Segment>,
    genes: Vec<u32>,
}

/// One exon line as the GTF gives it (unmerged): featureCounts lists these in its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExonFeature {
    /// Index into `GeneModel::genes`.
    pub gene: u32,
    /// 1-based, inclusive (GTF coordinates).
    pub start: u64,
    pub end: u64,
    pub strand: Strand,
}

/// Genes and an overlap index over their exons.
#[derive(Debug, Clone, Default)]
pub struct GeneModel {
    /// In GTF order of first appearance (featureCounts' row order).
    pub genes: Vec<Gene>,
    /// Genes that had a `gene` or `transcript` line but no exon: not counted, reported.
    pub genes_without_exons: Vec<String>,
    /// Every exon line, in GTF order.
    pub features: Vec<ExonFeature>,
    /// Contigs in order of first appearance among the exon lines.
    pub contig_order: Vec<String>,
    index: HashMap<String, ContigIndex>,
}

impl GeneModel {
    /// Reads the exons (`feature == "exon"`) of a GTF, grouped by `gene_id`.
    ///
    /// # Errors
    /// Unreadable or malformed GTF, an exon without `gene_id`, a gene whose exons lie on more
    /// than one contig or strand, or a GTF with no exon at all.
    pub fn from_gtf(path: &Path) -> Result<Self> {
        let mut reader = GtfReader::from_path(path)?;
        let mut record = GtfRecord::default();
        let mut genes: Vec<Gene> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let mut declared: Vec<String> = Vec::new();
        let mut features: Vec<ExonFeature> = Vec::new();
        while reader.read_record(&mut record)? {
            let Some(gene_id) = record.attr("gene_id") else {
                if record.feature == "exon" {
                    return Err(Error::at_line(
                        path,
                        reader.line_no(),
                        "exon without a gene_id attribute: counting groups exons by gene_id",
                    ));
                }
                continue;
            };
            if record.feature != "exon" {
                if record.feature == "gene" || record.feature == "transcript" {
                    declared.push(gene_id.to_string());
                }
                continue;
            }
            let strand = record.strand.unwrap_or(Strand::Unknown);
            let exon = Interval::new(record.start - 1, record.end);
            features.push(ExonFeature {
                gene: by_id.get(gene_id).map_or(genes.len(), |&i| i) as u32,
                start: record.start,
                end: record.end,
                strand,
            });
            match by_id.get(gene_id) {
                Some(&i) => {
                    let g = &mut genes[i];
                    if g.contig != record.seqname {
                        return Err(Error::at_line(
                            path,
                            reader.line_no(),
                            format!(
                                "gene {gene_id} has exons on {} and {}: give each copy its own gene_id",
                                g.contig, record.seqname
                            ),
                        ));
                    }
                    if g.name.is_none() {
                        g.name = record.attr("gene_name").map(str::to_string);
                    }
                    g.exons.push(exon);
                }
                None => {
                    by_id.insert(gene_id.to_string(), genes.len());
                    genes.push(Gene {
                        id: gene_id.to_string(),
                        name: record.attr("gene_name").map(str::to_string),
                        contig: record.seqname.clone(),
                        strand,
                        exons: vec![exon],
                    });
                }
            }
        }
        if genes.is_empty() {
            return Err(Error::invalid(
                path,
                None,
                "no exon lines: quant counts reads over exons (GTF feature 'exon')",
            ));
        }
        let mut genes_without_exons: Vec<String> = declared
            .into_iter()
            .filter(|id| !by_id.contains_key(id))
            .collect();
        genes_without_exons.sort();
        genes_without_exons.dedup();
        Ok(Self::build(genes, genes_without_exons, features))
    }

    /// Builds the index from genes (exons need not be sorted or merged); the exon features are
    /// the genes' exons in gene order.
    pub fn from_genes(genes: Vec<Gene>, genes_without_exons: Vec<String>) -> Self {
        let features = genes
            .iter()
            .enumerate()
            .flat_map(|(i, g)| {
                g.exons.iter().map(move |e| ExonFeature {
                    gene: i as u32,
                    start: e.start + 1,
                    end: e.end,
                    strand: g.strand,
                })
            })
            .collect();
        Self::build(genes, genes_without_exons, features)
    }

    fn build(
        mut genes: Vec<Gene>,
        genes_without_exons: Vec<String>,
        features: Vec<ExonFeature>,
    ) -> Self {
        let mut contig_order: Vec<String> = Vec::new();
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for f in &features {
            let c = genes[f.gene as usize].contig.as_str();
            if seen.insert(c) {
                contig_order.push(c.to_string());
            }
        }
        for g in &mut genes {
            g.exons = merge(std::mem::take(&mut g.exons));
        }
        let mut per_contig: BTreeMap<&str, Vec<(u64, u64, u32)>> = BTreeMap::new();
        for (i, g) in genes.iter().enumerate() {
            let list = per_contig.entry(g.contig.as_str()).or_default();
            list.extend(g.exons.iter().map(|e| (e.start, e.end, i as u32)));
        }
        let index = per_contig
            .into_iter()
            .map(|(contig, exons)| (contig.to_string(), build_index(exons)))
            .collect();
        Self {
            genes,
            genes_without_exons,
            features,
            contig_order,
            index,
        }
    }

    pub fn contigs(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// Adds to `out` every gene with an exon base in `[start, end)` on `contig` (may repeat).
    pub fn genes_overlapping(&self, contig: &str, start: u64, end: u64, out: &mut Vec<u32>) {
        if let Some(ix) = self.index.get(contig) {
            ix.query(start, end, out);
        }
    }

    /// The per-contig index handle, to skip the name lookup in hot loops.
    pub fn contig_index(&self, contig: &str) -> Option<ContigHandle<'_>> {
        self.index.get(contig).map(ContigHandle)
    }
}

/// Borrowed overlap index of one contig.
#[derive(Debug, Clone, Copy)]
pub struct ContigHandle<'a>(&'a ContigIndex);

impl ContigHandle<'_> {
    /// See [`GeneModel::genes_overlapping`].
    pub fn query(&self, start: u64, end: u64, out: &mut Vec<u32>) {
        self.0.query(start, end, out);
    }
}

impl ContigIndex {
    fn query(&self, start: u64, end: u64, out: &mut Vec<u32>) {
        let first = self.segments.partition_point(|s| s.end <= start);
        for s in &self.segments[first..] {
            if s.start >= end {
                break;
            }
            let a = s.first as usize;
            out.extend_from_slice(&self.genes[a..a + s.count as usize]);
        }
    }
}

fn merge(mut ivs: Vec<Interval>) -> Vec<Interval> {
    ivs.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(ivs.len());
    for iv in ivs {
        match out.last_mut() {
            // Touching exons merge too: the union's length is the same either way.
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => out.push(iv),
        }
    }
    out
}

/// Sweeps exon boundaries into segments with a constant set of covering genes.
fn build_index(exons: Vec<(u64, u64, u32)>) -> ContigIndex {
    let mut events: Vec<(u64, bool, u32)> = Vec::with_capacity(exons.len() * 2);
    for (s, e, g) in exons {
        events.push((s, true, g));
        events.push((e, false, g));
    }
    events.sort_unstable();
    let mut active: BTreeMap<u32, u32> = BTreeMap::new();
    let mut ix = ContigIndex::default();
    let mut i = 0;
    while i < events.len() {
        let pos = events[i].0;
        while i < events.len() && events[i].0 == pos {
            let (_, open, g) = events[i];
            if open {
                *active.entry(g).or_insert(0) += 1;
            } else if let Some(n) = active.get_mut(&g) {
                *n -= 1;
                if *n == 0 {
                    active.remove(&g);
                }
            }
            i += 1;
        }
        if !active.is_empty() && i < events.len() {
            let first = ix.genes.len() as u32;
            ix.genes.extend(active.keys().copied());
            ix.segments.push(Segment {
                start: pos,
                end: events[i].0,
                first,
                count: active.len() as u32,
            });
        }
    }
    ix
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gene(id: &str, strand: Strand, exons: &[(u64, u64)]) -> Gene {
        Gene {
            id: id.into(),
            name: None,
            contig: "c".into(),
            strand,
            exons: exons.iter().map(|&(s, e)| Interval::new(s, e)).collect(),
        }
    }

    #[test]
    fn union_length_and_overlap_queries() {
        // A: exons 10-20 and 15-30 overlap -> union 10-30 (20 bp) plus 50-60 (10 bp).
        // B: 25-40 on the other strand overlaps A's 25-30.
        let m = GeneModel::from_genes(
            vec![
                gene("A", Strand::Forward, &[(15, 30), (10, 20), (50, 60)]),
                gene("B", Strand::Reverse, &[(25, 40)]),
            ],
            vec![],
        );
        assert_eq!(m.genes[0].length(), 30);
        let q = |s, e| {
            let mut v = Vec::new();
            m.genes_overlapping("c", s, e, &mut v);
            v.sort();
            v.dedup();
            v
        };
        assert_eq!(q(0, 10), Vec::<u32>::new());
        assert_eq!(q(9, 11), vec![0]);
        assert_eq!(q(26, 27), vec![0, 1]);
        assert_eq!(q(30, 50), vec![1]);
        assert_eq!(q(40, 50), Vec::<u32>::new());
        assert_eq!(q(59, 100), vec![0]);
        assert!(q(60, 100).is_empty());
    }
}
