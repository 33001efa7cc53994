//! The transcript model: every transcript of a GTF with its spliced sequence from the reference
//! FASTA, indexed for overlap queries, and checked against the FASTA (a GTF made for another
//! assembly, or shifted, gives CDS that do not translate).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use bio::data_structures::interval_tree::ArrayBackedIntervalTree;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::codon::{reverse_complement, GeneticCode};
use crate::genome::transcript::protein_of;
use crate::genome::{Coding, ContigMatcher, Interval, Strand, Transcript};
use crate::io::fasta::Reference;
use crate::io::gtf::{GtfReader, GtfRecord};

/// VEP's and snpEff's up/downstream distance.
pub const FLANK: u64 = 5000;

/// How strictly to check the GTF against the FASTA.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ModelOptions {
    /// Load even when no complete CDS translates (normally a refusal: wrong FASTA or GTF).
    pub allow_mismatch: bool,
}

/// What loading found, reported in the stage's JSON and logged as warnings.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelReport {
    pub transcripts: usize,
    pub coding_transcripts: usize,
    /// GTF lines without a `transcript_id` (genes excepted), skipped.
    pub lines_without_transcript_id: usize,
    /// Transcripts on contigs the FASTA does not have, skipped; contig → count.
    pub missing_contigs: BTreeMap<String, usize>,
    /// Transcripts with CDS lines but no exon lines: exons taken from the CDS.
    pub cds_without_exons: usize,
    /// Transcripts whose exons run past the contig end, skipped.
    pub beyond_contig_end: usize,
    /// Complete CDS (no cds_start_NF/cds_end_NF) checked for a clean open reading frame.
    pub complete_cds_checked: usize,
    /// ... of which translate with ATG start, a final stop and no stop inside.
    pub complete_cds_clean: usize,
    pub cds_with_internal_stop: usize,
    pub cds_without_start: usize,
    pub cds_without_stop: usize,
    pub cds_length_not_multiple_of_3: usize,
    /// Canonical (Ensembl_canonical / MANE / first basic) complete CDS with internal stops.
    pub canonical_with_internal_stop: usize,
    /// A few transcripts that failed the checks, for the message.
    pub examples: Vec<String>,
}

/// All transcripts of a GTF, with sequences, indexed by contig.
pub struct TranscriptModel {
    transcripts: Vec<Transcript>,
    index: HashMap<String, ContigIndex>,
    /// The model's contig names, for VCF names spelled another way (`1` / `chr1`).
    contig_names: ContigMatcher,
    report: ModelReport,
}

/// Flanked transcript spans of one contig as half-open `[start, end + 1)` intervals (1-based)
/// holding the transcript's model index: rust-bio's implicit augmented interval tree
/// (cgranges layout), queried in O(log n + hits).
type ContigIndex = ArrayBackedIntervalTree<u64, usize>;

#[derive(Default)]
struct Pending {
    seqname: String,
    strand: Option<Strand>,
    gene_id: String,
    gene_name: Option<String>,
    biotype: Option<String>,
    version: Option<String>,
    tags: Vec<String>,
    tsl: Option<String>,
    protein_id: Option<String>,
    exons: Vec<Interval>,
    cds: Vec<(Interval, Option<u8>)>,
    start_codon: bool,
    stop_codon: Vec<Interval>,
    first_line: usize,
    /// The GTF's `transl_table` attribute (NCBI-style GTFs carry it for organelle genes).
    transl_table: Option<String>,
}

impl Pending {
    fn absorb(&mut self, r: &GtfRecord) {
        if self.gene_id.is_empty() {
            if let Some(g) = r.attr("gene_id") {
                self.gene_id = g.to_string();
            }
        }
        if self.gene_name.is_none() {
            self.gene_name = r
                .attr("gene_name")
                .or_else(|| r.attr("gene_symbol"))
                .map(str::to_string);
        }
        if self.biotype.is_none() {
            self.biotype = r
                .attr("transcript_biotype")
                .or_else(|| r.attr("transcript_type"))
                .map(str::to_string);
        }
        if self.version.is_none() {
            self.version = r.attr("transcript_version").map(str::to_string);
        }
        if self.tsl.is_none() {
            self.tsl = r
                .attr("transcript_support_level")
                .map(|t| t.split_whitespace().next().unwrap_or(t).to_string())
                // "NA" (no support level assessed): VEP writes an empty TSL.
                .filter(|t| t != "NA");
        }
        if self.protein_id.is_none() {
            if let Some(p) = r.attr("protein_id") {
                self.protein_id = Some(match r.attr("protein_version") {
                    Some(v) => format!("{p}.{v}"),
                    None => p.to_string(),
                });
            }
        }
        if self.transl_table.is_none() {
            self.transl_table = r.attr("transl_table").map(str::to_string);
        }
        for t in r.attrs("tag") {
            if !self.tags.iter().any(|x| x == t) {
                self.tags.push(t.to_string());
            }
        }
    }
}

impl TranscriptModel {
    /// Loads `gtf` (Ensembl or GENCODE GTF, any order, plain or gzip) against `reference`.
    ///
    /// # Errors
    /// Unreadable files, malformed GTF lines, no transcript on any FASTA contig, or (unless
    /// `options.allow_mismatch`) complete CDS of which none translates.
    pub fn from_gtf(gtf: &Path, reference: &mut Reference, options: ModelOptions) -> Result<Self> {
        let mut reader = GtfReader::from_path(gtf)?;
        let mut record = GtfRecord::default();
        let mut pending: HashMap<String, Pending> = HashMap::new();
        let mut report = ModelReport::default();
        let mut file_has_start_codons = false;
        let mut file_has_stop_codons = false;
        let mut lines = 0usize;
        let mut gff3_lines = 0usize;
        while reader.read_record(&mut record)? {
            lines += 1;
            // GFF3 attributes are `key=value` (ID=, Parent=), GTF's `key "value"`.
            if record.attributes.iter().any(|(k, _)| k.contains('=')) {
                gff3_lines += 1;
            }
            let feature = record.feature.as_str();
            if !matches!(
                feature,
                "exon" | "CDS" | "start_codon" | "stop_codon" | "transcript"
            ) {
                continue;
            }
            let Some(tid) = record.attr("transcript_id") else {
                report.lines_without_transcript_id += 1;
                continue;
            };
            let line = reader.line_no();
            let p = pending.entry(tid.to_string()).or_insert_with(|| Pending {
                seqname: record.seqname.clone(),
                strand: record.strand,
                first_line: line,
                ..Pending::default()
            });
            p.absorb(&record);
            let iv = Interval::new(record.start - 1, record.end);
            match feature {
                "exon" => p.exons.push(iv),
                "CDS" => p.cds.push((iv, record.frame)),
                "start_codon" => {
                    p.start_codon = true;
                    file_has_start_codons = true;
                }
                "stop_codon" => {
                    p.stop_codon.push(iv);
                    file_has_stop_codons = true;
                }
                _ => {}
            }
        }
        let matcher = ContigMatcher::new(reference.contigs().iter().map(|(n, _)| n.clone()));
        // Group by reference contig so each contig's sequence is read once.
        let mut by_contig: BTreeMap<String, Vec<(String, Pending)>> = BTreeMap::new();
        let mut ordered: Vec<(String, Pending)> = pending.into_iter().collect();
        ordered.sort_by_key(|(_, p)| p.first_line);
        for (id, p) in ordered {
            if let Some(table) = &p.transl_table {
                if table
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .and_then(GeneticCode::from_ncbi_table)
                    .is_none()
                {
                    return Err(Error::at_line(
                        gtf,
                        p.first_line,
                        format!(
                            "transcript {id} has transl_table \"{table}\"; only NCBI tables 1, 2 and 11 are supported (remove the transcript from the GTF to annotate the rest)"
                        ),
                    ));
                }
            }
            match matcher.resolve(&p.seqname) {
                Ok(Some(c)) => by_contig.entry(c.to_string()).or_default().push((id, p)),
                Ok(None) => *report.missing_contigs.entry(p.seqname.clone()).or_default() += 1,
                Err(many) => {
                    return Err(Error::invalid(
                        gtf,
                        None,
                        format!(
                            "contig '{}' matches several FASTA contigs ({}); rename one",
                            p.seqname,
                            many.join(", ")
                        ),
                    ))
                }
            }
        }
        let mut transcripts = Vec::new();
        for (contig, list) in by_contig {
            let seq = reference.fetch_contig(&contig)?;
            for (id, p) in list {
                if let Some(t) = build_transcript(
                    id,
                    p,
                    &contig,
                    &seq,
                    file_has_start_codons,
                    file_has_stop_codons,
                    &mut report,
                ) {
                    transcripts.push(t);
                }
            }
        }
        if lines == 0 {
            return Err(Error::invalid(
                gtf,
                None,
                "the GTF has no feature lines (empty, or only comments)",
            ));
        }
        if gff3_lines * 2 > lines {
            return Err(Error::invalid(
                gtf,
                None,
                "this is GFF3 (key=value attributes such as ID= and Parent=), not GTF: convert it with `gffread -T in.gff3 -o out.gtf` or use the GTF release of the annotation",
            ));
        }
        if pending_empty_because_no_ids(&report, transcripts.len()) {
            return Err(Error::invalid(
                gtf,
                None,
                format!(
                    "none of its {} exon/CDS lines has a transcript_id attribute: a GTF names each line's transcript (gene_id \"...\"; transcript_id \"...\";)",
                    report.lines_without_transcript_id
                ),
            ));
        }
        if transcripts.is_empty() {
            let missing: Vec<&str> = report
                .missing_contigs
                .keys()
                .map(String::as_str)
                .take(5)
                .collect();
            return Err(Error::invalid(
                gtf,
                None,
                format!(
                    "no transcript lies on a contig of the FASTA {} (GTF contigs: {}; FASTA contigs: {}); use the GTF made for this assembly",
                    reference.path().display(),
                    missing.join(", "),
                    reference.contigs().iter().take(5).map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        transcripts.sort_by(|a, b| {
            (
                a.contig.as_str(),
                a.span().start,
                a.span().end,
                a.id.as_str(),
            )
                .cmp(&(
                    b.contig.as_str(),
                    b.span().start,
                    b.span().end,
                    b.id.as_str(),
                ))
        });
        mark_canonical(&mut transcripts);
        check_translations(&transcripts, &mut report);
        report.transcripts = transcripts.len();
        report.coding_transcripts = transcripts.iter().filter(|t| t.coding.is_some()).count();
        report_problems(gtf, reference.path(), &report, options)?;
        let index = build_index(&transcripts);
        let contig_names = ContigMatcher::new(index.keys().cloned());
        Ok(Self {
            transcripts,
            index,
            contig_names,
            report,
        })
    }

    pub fn transcripts(&self) -> &[Transcript] {
        &self.transcripts
    }

    pub fn report(&self) -> &ModelReport {
        &self.report
    }

    /// Transcripts whose span extended by [`FLANK`] on both sides overlaps the 1-based inclusive
    /// range `[start, end]` (an insertion passes `end = start - 1`), in model order.
    pub fn overlapping(&self, contig: &str, start: u64, end: u64) -> Vec<&Transcript> {
        let Some(ix) = self.index.get(contig) else {
            return Vec::new();
        };
        let (lo, hi) = (start.min(end), start.max(end));
        let mut out: Vec<usize> = ix.find(lo..hi + 1).iter().map(|e| *e.data()).collect();
        out.sort_unstable();
        out.into_iter().map(|i| &self.transcripts[i]).collect()
    }

    /// Whether the model has any transcript on `contig` (a reference contig name).
    pub fn has_contig(&self, contig: &str) -> bool {
        self.index.contains_key(contig)
    }

    /// The model's name for a VCF contig: itself, or the only model contig that differs by a
    /// `chr` prefix or the mitochondrion's spelling ([`ContigMatcher`]); `None` when unknown or
    /// ambiguous.
    pub fn contig_name(&self, chrom: &str) -> Option<&str> {
        self.contig_names.resolve(chrom).ok().flatten()
    }

    /// Contig names of the model.
    pub fn contigs(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }
}

fn build_transcript(
    id: String,
    mut p: Pending,
    contig: &str,
    contig_seq: &[u8],
    file_has_start_codons: bool,
    file_has_stop_codons: bool,
    report: &mut ModelReport,
) -> Option<Transcript> {
    let strand = match p.strand {
        Some(Strand::Reverse) => Strand::Reverse,
        _ => Strand::Forward,
    };
    let mut coding_ivs: Vec<Interval> = p.cds.iter().map(|(iv, _)| *iv).collect();
    coding_ivs.extend(p.stop_codon.iter().copied());
    if p.exons.is_empty() {
        if coding_ivs.is_empty() {
            return None;
        }
        report.cds_without_exons += 1;
        p.exons = coding_ivs.clone();
    }
    let exons = merge(p.exons);
    let len = contig_seq.len() as u64;
    if exons.last().is_some_and(|e| e.end > len) {
        report.beyond_contig_end += 1;
        return None;
    }
    let mut seq = Vec::with_capacity(exons.iter().map(|e| e.len() as usize).sum());
    for e in &exons {
        seq.extend_from_slice(&contig_seq[e.start as usize..e.end as usize]);
    }
    if strand == Strand::Reverse {
        seq = reverse_complement(&seq);
    }
    let has = |t: &str| p.tags.iter().any(|x| x == t);
    // Checked in `from_gtf`: a present transl_table names a code we carry.
    let code = p
        .transl_table
        .as_deref()
        .and_then(|x| x.trim().parse::<u32>().ok())
        .and_then(GeneticCode::from_ncbi_table)
        .unwrap_or_else(|| GeneticCode::for_contig(contig));
    let mut t = Transcript {
        id,
        version: p.version,
        gene_id: p.gene_id,
        gene_name: p.gene_name,
        biotype: p.biotype.unwrap_or_else(|| {
            if coding_ivs.is_empty() {
                "unknown".into()
            } else {
                "protein_coding".into()
            }
        }),
        contig: contig.to_string(),
        strand,
        exons,
        coding: None,
        canonical: has("Ensembl_canonical") || has("canonical"),
        mane_select: if has("MANE_Select") {
            Some(String::new())
        } else {
            None
        },
        tsl: p.tsl,
        basic: has("basic"),
        seq,
        code,
    };
    if !coding_ivs.is_empty() {
        let span = Interval::new(
            coding_ivs.iter().map(|i| i.start).min().unwrap_or(0),
            coding_ivs.iter().map(|i| i.end).max().unwrap_or(0),
        );
        let (five, three) = if strand == Strand::Reverse {
            (span.end, span.start + 1)
        } else {
            (span.start + 1, span.end)
        };
        let (Some(c5), Some(c3)) = (t.cdna_pos_1(five), t.cdna_pos_1(three)) else {
            // CDS outside the exons: keep the transcript as non-coding rather than guess.
            return Some(t);
        };
        // The frame of the 5'-most CDS line.
        let first_frame = p
            .cds
            .iter()
            .min_by_key(|(iv, _)| {
                if strand == Strand::Reverse {
                    u64::MAX - iv.end
                } else {
                    iv.start
                }
            })
            .and_then(|(_, f)| *f)
            .unwrap_or(0) as usize;
        let start_nf = has("cds_start_NF")
            || (file_has_start_codons && !p.start_codon && has("mRNA_start_NF"));
        let end_nf = has("cds_end_NF")
            || (file_has_stop_codons && p.stop_codon.is_empty() && has("mRNA_end_NF"));
        let pad = if start_nf {
            (3 - first_frame % 3) % 3
        } else {
            0
        };
        let mut coding = Coding {
            span,
            cdna_start: c5,
            cdna_end: c3,
            start_nf,
            end_nf,
            pad,
            protein: Vec::new(),
            protein_id: p.protein_id,
        };
        let mut tseq = vec![b'N'; pad];
        tseq.extend_from_slice(&t.seq[c5 - 1..c3]);
        coding.protein = protein_of(&tseq, code);
        t.coding = Some(coding);
    }
    Some(t)
}

/// Every exon/CDS line lacked a transcript_id (so nothing could be built, whatever the FASTA).
fn pending_empty_because_no_ids(report: &ModelReport, built: usize) -> bool {
    built == 0 && report.lines_without_transcript_id > 0 && report.missing_contigs.is_empty()
}

fn merge(mut ivs: Vec<Interval>) -> Vec<Interval> {
    ivs.sort();
    let mut out: Vec<Interval> = Vec::with_capacity(ivs.len());
    for iv in ivs {
        match out.last_mut() {
            Some(last) if iv.start <= last.end => last.end = last.end.max(iv.end),
            _ => out.push(iv),
        }
    }
    out
}

/// Genes without an `Ensembl_canonical` tag get their MANE, else longest basic coding, else
/// longest transcript as canonical (what VEP's cache does for GTFs without the tag).
fn mark_canonical(ts: &mut [Transcript]) {
    let mut by_gene: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, t) in ts.iter().enumerate() {
        by_gene
            .entry((t.contig.clone(), t.gene_id.clone()))
            .or_default()
            .push(i);
    }
    for members in by_gene.values() {
        if members.iter().any(|&i| ts[i].canonical) {
            continue;
        }
        let best = members.iter().copied().max_by_key(|&i| {
            let t = &ts[i];
            (
                t.mane_select.is_some(),
                t.coding.is_some(),
                t.basic,
                t.cds_len(),
                t.cdna_len(),
                std::cmp::Reverse(t.id.clone()),
            )
        });
        if let Some(b) = best {
            ts[b].canonical = true;
        }
    }
}

fn check_translations(ts: &[Transcript], report: &mut ModelReport) {
    for t in ts {
        let Some(c) = &t.coding else { continue };
        if c.start_nf || c.end_nf {
            continue;
        }
        report.complete_cds_checked += 1;
        let cds = &t.seq[c.cdna_start - 1..c.cdna_end];
        let aa = t.code.translate(cds);
        let mut problems = Vec::new();
        if cds.len() % 3 != 0 {
            report.cds_length_not_multiple_of_3 += 1;
            problems.push("length not a multiple of 3".to_string());
        }
        if !t.code.is_start(&cds[..cds.len().min(3)]) {
            report.cds_without_start += 1;
            problems.push(format!(
                "starts with {}",
                String::from_utf8_lossy(&cds[..cds.len().min(3)])
            ));
        }
        if aa.last() != Some(&b'*') {
            report.cds_without_stop += 1;
            problems.push("no stop codon at the end".into());
        }
        let internal = aa[..aa.len().saturating_sub(1)]
            .iter()
            .filter(|&&a| a == b'*')
            .count();
        if internal > 0 {
            report.cds_with_internal_stop += 1;
            if t.canonical {
                report.canonical_with_internal_stop += 1;
            }
            problems.push(format!("{internal} internal stop codons"));
        }
        if problems.is_empty() {
            report.complete_cds_clean += 1;
        } else if report.examples.len() < 3 {
            report.examples.push(format!(
                "{} ({}): {}",
                t.stable_id(),
                t.gene_name.as_deref().unwrap_or(&t.gene_id),
                problems.join(", ")
            ));
        }
    }
}

fn report_problems(gtf: &Path, fasta: &Path, r: &ModelReport, options: ModelOptions) -> Result<()> {
    if !r.missing_contigs.is_empty() {
        let n: usize = r.missing_contigs.values().sum();
        let names: Vec<&str> = r
            .missing_contigs
            .keys()
            .map(String::as_str)
            .take(5)
            .collect();
        log::warn!(
            "{}: {n} transcripts on contigs absent from the FASTA were skipped ({})",
            gtf.display(),
            names.join(", ")
        );
    }
    if r.lines_without_transcript_id > 0 {
        log::warn!(
            "{}: {} exon/CDS lines without transcript_id were skipped",
            gtf.display(),
            r.lines_without_transcript_id
        );
    }
    if r.cds_without_exons > 0 {
        log::warn!(
            "{}: {} transcripts have CDS but no exon lines; their exons are taken from the CDS",
            gtf.display(),
            r.cds_without_exons
        );
    }
    if r.beyond_contig_end > 0 {
        log::warn!(
            "{}: {} transcripts run past the end of their FASTA contig and were skipped",
            gtf.display(),
            r.beyond_contig_end
        );
    }
    let failed = r.complete_cds_checked - r.complete_cds_clean;
    if failed > 0 {
        let message = format!(
            "{} of {} complete CDS do not translate cleanly against {} ({} with internal stops, {} canonical; {} without ATG; {} without final stop), e.g. {}",
            failed,
            r.complete_cds_checked,
            fasta.display(),
            r.cds_with_internal_stop,
            r.canonical_with_internal_stop,
            r.cds_without_start,
            r.cds_without_stop,
            r.examples.join("; ")
        );
        if r.complete_cds_checked >= 1 && r.complete_cds_clean == 0 && !options.allow_mismatch {
            return Err(Error::invalid(
                gtf,
                None,
                format!("the GTF does not match the FASTA: {message}. Check that both are for the same assembly and coordinates (--allow-mismatch annotates anyway)"),
            ));
        }
        if failed * 2 > r.complete_cds_checked {
            log::warn!(
                "{}: most CDS do not translate, the GTF may not match the FASTA: {message}",
                gtf.display()
            );
        } else {
            log::warn!("{}: {message}", gtf.display());
        }
    }
    Ok(())
}

fn build_index(ts: &[Transcript]) -> HashMap<String, ContigIndex> {
    let mut by: HashMap<String, Vec<(u64, u64, usize)>> = HashMap::new();
    for (i, t) in ts.iter().enumerate() {
        let span = t.span();
        // 1-based inclusive, flanked.
        let s = (span.start + 1).saturating_sub(FLANK).max(1);
        let e = span.end + FLANK;
        by.entry(t.contig.clone()).or_default().push((s, e, i));
    }
    by.into_iter()
        .map(|(c, v)| {
            let tree: ContigIndex = v.into_iter().map(|(s, e, i)| (s..e + 1, i)).collect();
            (c, tree)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // chr1: 10 A, exon 11-30 holding ATG AAA TGG GGG CCC TAA (MKWGP*), 10 T.
    const SEQ: &str = "AAAAAAAAAACCATGAAATGGGGGCCCTAAGGTTTTTTTTTT";

    fn load(gtf: &str) -> Result<TranscriptModel> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.fa"), format!(">chr1\n{SEQ}\n")).unwrap();
        std::fs::write(dir.path().join("g.gtf"), gtf).unwrap();
        // No .fai: the reference indexes itself in memory.
        let mut r = Reference::open(&dir.path().join("g.fa")).unwrap();
        TranscriptModel::from_gtf(&dir.path().join("g.gtf"), &mut r, ModelOptions::default())
    }

    #[test]
    fn bad_input_is_handled() {
        // Unsorted lines, GTF contig "1" against FASTA "chr1", an exon line without transcript_id,
        // and a transcript with CDS but no exons.
        let gtf = "\
1\tt\tstop_codon\t28\t30\t.\t+\t0\tgene_id \"G\"; transcript_id \"T\";
1\tt\tCDS\t13\t27\t.\t+\t0\tgene_id \"G\"; transcript_id \"T\"; gene_name \"GN\";
1\tt\texon\t11\t32\t.\t+\t.\tgene_id \"G\"; transcript_id \"T\"; transcript_biotype \"protein_coding\";
1\tt\texon\t11\t32\t.\t+\t.\tgene_id \"G\";
1\tt\tCDS\t13\t27\t.\t+\t0\tgene_id \"G2\"; transcript_id \"U\";
1\tt\tstop_codon\t28\t30\t.\t+\t0\tgene_id \"G2\"; transcript_id \"U\";
";
        let m = load(gtf).unwrap();
        let r = m.report();
        assert_eq!(r.transcripts, 2);
        assert_eq!(r.lines_without_transcript_id, 1);
        assert_eq!(r.cds_without_exons, 1);
        assert_eq!(r.complete_cds_clean, 2);
        let t = m.transcripts().iter().find(|t| t.id == "T").unwrap();
        assert_eq!(t.contig, "chr1");
        assert_eq!(t.coding.as_ref().unwrap().protein, b"MKWGP");
        assert_eq!(t.gene_name.as_deref(), Some("GN"));
        assert!(t.canonical, "the only transcript of its gene is canonical");
        assert_eq!(m.overlapping("chr1", 20, 20).len(), 2);
        assert_eq!(m.overlapping("chr1", 9000, 9000).len(), 0);
    }

    #[test]
    fn nothing_on_the_fasta_is_an_error() {
        let gtf = "chr9\tt\texon\t11\t32\t.\t+\t.\tgene_id \"G\"; transcript_id \"T\";\n";
        let e = load(gtf).err().unwrap().to_string();
        assert!(
            e.contains("no transcript lies on a contig of the FASTA"),
            "{e}"
        );
        assert!(e.contains("chr9"), "{e}");
    }

    #[test]
    fn each_unusable_gtf_has_its_own_message() {
        let e = load("#!genome-build x\n").err().unwrap().to_string();
        assert!(e.contains("no feature lines"), "{e}");
        let gff3 = "##gff-version 3\nchr1\tt\tmRNA\t11\t32\t.\t+\t.\tID=T;Parent=G\nchr1\tt\texon\t11\t32\t.\t+\t.\tParent=T\n";
        let e = load(gff3).err().unwrap().to_string();
        assert!(e.contains("GFF3") && e.contains("gffread"), "{e}");
        let e = load("chr1\tt\texon\t11\t32\t.\t+\t.\tgene_id \"G\";\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("transcript_id"), "{e}");
    }

    #[test]
    fn cds_that_do_not_translate_are_refused() {
        // The CDS shifted by one base: no ATG, no final stop.
        let gtf = "chr1\tt\tCDS\t14\t28\t.\t+\t0\tgene_id \"G\"; transcript_id \"T\";\nchr1\tt\tstop_codon\t29\t31\t.\t+\t0\tgene_id \"G\"; transcript_id \"T\";\n";
        let e = load(gtf).err().unwrap().to_string();
        assert!(e.contains("does not match the FASTA"), "{e}");
    }
}
