//! featureCounts' own files beside `quant.tsv`, so tools that read featureCounts output (DESeq2
//! and edgeR import scripts, MultiQC) take ours unchanged: `PREFIX.featureCounts.txt` (the gene
//! table, each gene's exon lines `;`-joined) and `PREFIX.featureCounts.txt.summary` (every
//! status row, zeros included). Byte for byte as featureCounts 2.0.3 writes the same counts,
//! except the `# Program:` line, which names this tool and its command.
//!
//! featureCounts lists a gene's exons as its internal index holds them: the exon lines of each
//! contig (contigs in order of first appearance) sorted by start with its own merge sort, which
//! is not stable (tied starts come out in an order that depends on the neighbouring lines); then
//! per gene, grouped by (contig, strand) in order of first appearance. [`listed_exons`]
//! reproduces that order exactly; `Length` is the union of each group's exons, summed.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::Strand;
use crate::quant::count::CountOptions;
use crate::quant::genes::{ExonFeature, GeneModel};
use crate::quant::{Strandedness, Unassigned};

/// featureCounts 2.0.3's summary rows, in its order (`readSummary.c`, `fc_write_final_counts`).
pub const SUMMARY_ROWS: [&str; 14] = [
    "Assigned",
    "Unassigned_Unmapped",
    "Unassigned_Read_Type",
    "Unassigned_Singleton",
    "Unassigned_MappingQuality",
    "Unassigned_Chimera",
    "Unassigned_FragmentLength",
    "Unassigned_Duplicate",
    "Unassigned_MultiMapping",
    "Unassigned_Secondary",
    "Unassigned_NonSplit",
    "Unassigned_NoFeatures",
    "Unassigned_Overlapping_Length",
    "Unassigned_Ambiguity",
];

/// One gene row of `PREFIX.featureCounts.txt` (the count column's header is the BAM path, so
/// the header line is written from [`TABLE_HEAD`] plus that path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureCountsRow {
    pub geneid: String,
    /// `;`-joined, one entry per listed exon (as `start`, `end` and `strand`).
    pub chr: String,
    pub start: String,
    pub end: String,
    pub strand: String,
    pub length: u64,
    pub count: u64,
}

/// The gene table's columns before the per-BAM count column.
pub const TABLE_HEAD: [&str; 6] = ["Geneid", "Chr", "Start", "End", "Strand", "Length"];

/// One row of `PREFIX.featureCounts.txt.summary`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SummaryRow {
    pub status: &'static str,
    pub count: u64,
}

/// Both files' content, ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureCountsTables {
    /// Header of the count columns: the BAM path as given (featureCounts writes it so).
    pub column: String,
    pub rows: Vec<FeatureCountsRow>,
    pub summary: Vec<SummaryRow>,
}

/// featureCounts' `merge_sort` on one contig's exon lines by start: halves above 11 items
/// (ties taken from the right half first), selection sort with swaps below.
fn fc_sort(a: &mut [ExonFeature]) {
    let n = a.len();
    if n > 11 {
        let half = n / 2;
        fc_sort(&mut a[..half]);
        fc_sort(&mut a[half..]);
        let mut out = Vec::with_capacity(n);
        let (mut i, mut j) = (0, half);
        while out.len() < n {
            if i >= half || (j < n && a[i].start >= a[j].start) {
                out.push(a[j]);
                j += 1;
            } else {
                out.push(a[i]);
                i += 1;
            }
        }
        a.copy_from_slice(&out);
    } else {
        for i in 0..n.saturating_sub(1) {
            let mut min = i;
            for j in i + 1..n {
                if a[min].start > a[j].start {
                    min = j;
                }
            }
            a.swap(i, min);
        }
    }
}

/// Each gene's exon lines in the order featureCounts lists them (see the module docs).
pub fn listed_exons(model: &GeneModel) -> Vec<Vec<ExonFeature>> {
    let contig_rank: HashMap<&str, usize> = model
        .contig_order
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut per_contig: Vec<Vec<ExonFeature>> = vec![Vec::new(); model.contig_order.len()];
    for f in &model.features {
        let contig = model.genes[f.gene as usize].contig.as_str();
        per_contig[contig_rank[contig]].push(*f);
    }
    let mut sorted: Vec<Vec<ExonFeature>> = vec![Vec::new(); model.genes.len()];
    for mut block in per_contig {
        fc_sort(&mut block);
        for f in block {
            sorted[f.gene as usize].push(f);
        }
    }
    // Group by strand (one contig per gene here), groups in order of first appearance.
    sorted
        .into_iter()
        .map(|exons| {
            let mut strands: Vec<Strand> = Vec::new();
            for e in &exons {
                if !strands.contains(&e.strand) {
                    strands.push(e.strand);
                }
            }
            strands
                .iter()
                .flat_map(|s| exons.iter().filter(move |e| e.strand == *s).copied())
                .collect()
        })
        .collect()
}

/// featureCounts' `Length`: per strand group, the union of the exons, summed.
fn union_length(exons: &[ExonFeature]) -> u64 {
    let mut total = 0;
    for strand in [Strand::Forward, Strand::Reverse, Strand::Unknown] {
        let mut ivs: Vec<(u64, u64)> = exons
            .iter()
            .filter(|e| e.strand == strand)
            .map(|e| (e.start, e.end + 1))
            .collect();
        ivs.sort_unstable();
        let mut cur: Option<(u64, u64)> = None;
        for (s, e) in ivs {
            cur = match cur {
                Some((cs, ce)) if s <= ce => Some((cs, ce.max(e))),
                Some((cs, ce)) => {
                    total += ce - cs;
                    Some((s, e))
                }
                None => Some((s, e)),
            };
        }
        if let Some((cs, ce)) = cur {
            total += ce - cs;
        }
    }
    total
}

fn strand_char(s: Strand) -> &'static str {
    match s {
        Strand::Forward => "+",
        Strand::Reverse => "-",
        Strand::Unknown => ".",
    }
}

/// The two tables for `counts` (indexed like `model.genes`) of the BAM `column`.
pub fn tables(
    model: &GeneModel,
    genes: &[u64],
    assigned: u64,
    unassigned: &[u64],
    column: &str,
) -> FeatureCountsTables {
    let listed = listed_exons(model);
    let join = |exons: &[ExonFeature], f: &dyn Fn(&ExonFeature) -> String| {
        exons.iter().map(f).collect::<Vec<_>>().join(";")
    };
    let rows = model
        .genes
        .iter()
        .zip(&listed)
        .zip(genes)
        .map(|((g, exons), &count)| FeatureCountsRow {
            geneid: g.id.clone(),
            chr: join(exons, &|_| g.contig.clone()),
            start: join(exons, &|e| e.start.to_string()),
            end: join(exons, &|e| e.end.to_string()),
            strand: join(exons, &|e| strand_char(e.strand).to_string()),
            length: union_length(exons),
            count,
        })
        .collect();
    let by_label: HashMap<&str, u64> = Unassigned::ALL
        .iter()
        .map(|u| (u.label(), unassigned[u.index()]))
        .collect();
    let summary = SUMMARY_ROWS
        .iter()
        .map(|&status| SummaryRow {
            status,
            count: if status == "Assigned" {
                assigned
            } else {
                by_label.get(status).copied().unwrap_or(0)
            },
        })
        .collect();
    FeatureCountsTables {
        column: column.to_string(),
        rows,
        summary,
    }
}

/// `# Program:immunoprofile vX; Command:"immunoprofile" "quant" ...` in featureCounts' layout
/// (each argument quoted, followed by a space), rebuilt from the parameters so that the same
/// options give the same bytes however the stage was started (`run`, Snakemake, the CLI).
pub fn program_line(bam: &Path, gtf: &Path, options: &CountOptions, prefix: &Path) -> String {
    let mut args: Vec<String> = vec!["immunoprofile".into(), "quant".into()];
    let mut push = |a: &str| args.push(a.to_string());
    push("--bam");
    push(&bam.display().to_string());
    push("--gtf");
    push(&gtf.display().to_string());
    if let Some(f) = &options.fasta {
        push("--fasta");
        push(&f.display().to_string());
    }
    match options.strandedness {
        Strandedness::None => {}
        Strandedness::Forward => {
            push("--strand");
            push("forward");
        }
        Strandedness::Reverse => {
            push("--strand");
            push("reverse");
        }
    }
    if let Some(p) = options.paired {
        push("--paired");
        push(if p { "true" } else { "false" });
    }
    if options.min_mapq > 0 {
        push("--min-mapq");
        push(&options.min_mapq.to_string());
    }
    if options.primary_only {
        push("--primary");
    }
    push("-o");
    push(&prefix.display().to_string());
    let command: String = args.iter().map(|a| format!("\"{a}\" ")).collect();
    format!(
        "# Program:immunoprofile v{}; Command:{command}",
        crate::VERSION
    )
}

/// A TSV writer as `crate::io::table::writer`, without the automatic header: both files name
/// their count column after the BAM.
fn headless_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .delimiter(b'\t')
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .from_writer(w)
}

fn csv_err(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::io(path, std::io::Error::other(e))
}

/// Writes `PREFIX.featureCounts.txt`.
///
/// # Errors
/// Write failures.
pub fn write_table(
    t: &FeatureCountsTables,
    program: &str,
    out: &mut dyn Write,
    path: &Path,
) -> Result<()> {
    writeln!(out, "{program}").map_err(|e| Error::io(path, e))?;
    let mut w = headless_writer(out);
    let mut header: Vec<&str> = TABLE_HEAD.to_vec();
    header.push(&t.column);
    w.write_record(&header).map_err(csv_err(path))?;
    for r in &t.rows {
        w.serialize(r).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Writes `PREFIX.featureCounts.txt.summary`.
///
/// # Errors
/// Write failures.
pub fn write_summary(t: &FeatureCountsTables, out: &mut dyn Write, path: &Path) -> Result<()> {
    let mut w = headless_writer(out);
    w.write_record(["Status", t.column.as_str()])
        .map_err(csv_err(path))?;
    for r in &t.summary {
        w.serialize(r).map_err(csv_err(path))?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(gene: u32, start: u64, end: u64) -> ExonFeature {
        ExonFeature {
            gene,
            start,
            end,
            strand: Strand::Forward,
        }
    }

    #[test]
    fn small_blocks_are_selection_sorted_with_swaps() {
        // Selection sort swaps the first minimum forward: [5a, 1b, 5c, 1d] -> 1b, 1d, 5c, 5a
        // (5a was swapped behind 5c when 1b moved to the front).
        let mut a = vec![f(0, 5, 1), f(0, 1, 2), f(0, 5, 3), f(0, 1, 4)];
        fc_sort(&mut a);
        let ends: Vec<u64> = a.iter().map(|e| e.end).collect();
        assert_eq!(ends, vec![2, 4, 3, 1]);
    }

    #[test]
    fn union_length_is_per_strand() {
        // 1-10 and 5-20 merge to 20 bp; 15-30 on the other strand adds its 16 bp.
        let mut e = vec![f(0, 1, 10), f(0, 5, 20), f(0, 15, 30)];
        e[2].strand = Strand::Reverse;
        assert_eq!(union_length(&e), 20 + 16);
    }
}
