//! Immune signature scores from gene expression: the shipped published signatures (CYT, IFN-γ,
//! expanded immune, T-cell-inflamed GEP, MCP-counter, Danaher 2017, IMPRES, immunophenoscore,
//! the 28 immune cell types by ssGSEA) and any GMT collection by ssGSEA, per sample of a
//! single-sample table or a cohort matrix.

pub mod genesets;
pub mod matching;
pub mod methods;
pub mod ssgsea;

pub use genesets::{Collection, Member, Method, Signature};

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::output::{commit_all, fmt_opt, json_file, prefixed, AtomicFile};
use crate::quant::tables::read_expression;
use crate::quant::{ExpressionMatrix, Scale, TableFormat};
use matching::GeneIndex;

/// Version of the `signatures.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Header of `PREFIX.signatures.tsv`.
pub const TSV_HEADER: &str =
    "sample\tsignature\tscore\tmethod\tn_genes_found\tn_genes\traw_score\n";

/// ssGSEA weight exponent (Barbie 2009; GSVA's `tau`/`alpha`, gseapy's `weight`).
pub const SSGSEA_ALPHA: f64 = 0.25;

/// Everything `signatures` needs, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignaturesParams {
    pub expression: PathBuf,
    /// Layout of the expression file (`None`: recognised from its header).
    pub format: Option<TableFormat>,
    /// GTF mapping transcripts to genes (transcript-level tables) and gene IDs to symbols
    /// (any table).
    pub gtf: Option<PathBuf>,
    /// Extra GMT collections scored by ssGSEA.
    pub gene_sets: Vec<PathBuf>,
    /// Score the shipped signatures.
    pub built_in: bool,
    /// The values' scale (`None`: detected).
    pub scale: Option<Scale>,
    /// The count column of a featureCounts table (its header, file name or file name without
    /// `.bam`), or the name of a single-sample table's sample (default: the file name).
    pub sample: Option<String>,
    /// Whose ssGSEA to reproduce: GSVA's (default) or gseapy's.
    pub ssgsea: ssgsea::Flavour,
}

/// One row of `PREFIX.signatures.tsv`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    pub sample: String,
    pub signature: String,
    pub score: Option<f64>,
    pub method: Method,
    pub n_genes_found: usize,
    pub n_genes: usize,
    /// ssGSEA's enrichment score before normalisation (GSVA's `ssgsea.norm = FALSE`); `None`
    /// for the other methods.
    pub raw_score: Option<f64>,
}

/// Per signature: which genes were found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureReport {
    pub signature: String,
    pub collection: String,
    pub method: Method,
    pub n_genes: usize,
    pub n_genes_found: usize,
    pub genes_missing: Vec<String>,
}

/// `PREFIX.signatures.json`.
#[derive(Debug, Clone, Serialize)]
pub struct SignaturesSummary {
    pub schema_version: u32,
    pub version: &'static str,
    pub input_format: TableFormat,
    pub scale_detected: Scale,
    pub scale_used: Scale,
    pub samples: Vec<String>,
    pub genes: usize,
    pub signatures: Vec<SignatureReport>,
    pub params: SignaturesParams,
}

/// The result of [`compute`]: rows by signature, then sample.
#[derive(Debug, Clone)]
pub struct SignaturesResult {
    pub rows: Vec<ScoreRow>,
    pub summary: SignaturesSummary,
}

/// Values of a matrix on the two scales the methods use.
struct Values<'a> {
    m: &'a ExpressionMatrix,
    scale: Scale,
}

impl Values<'_> {
    fn tpm(&self, row: usize, s: usize) -> f64 {
        let v = self.m.values[row][s];
        match self.scale {
            Scale::Log2Tpm1 => v.exp2() - 1.0,
            _ => v,
        }
    }
    fn log2(&self, row: usize, s: usize) -> f64 {
        let v = self.m.values[row][s];
        match self.scale {
            Scale::Log2Tpm1 => v,
            _ => (v + 1.0).log2(),
        }
    }
}

/// Scores every collection on every sample of `matrix`.
///
/// # Errors
/// A count-scale matrix (counts cannot become TPM without gene lengths).
pub fn score(
    matrix: &ExpressionMatrix,
    scale: Scale,
    collections: &[Collection],
    flavour: ssgsea::Flavour,
) -> Result<(Vec<ScoreRow>, Vec<SignatureReport>)> {
    if scale == Scale::Counts {
        return Err(Error::usage(
            "the expression values look like read counts, which cannot become TPM without gene lengths: give TPM (quant output, salmon, RSEM, kallisto, featureCounts with lengths) or --scale tpm|log2tpm1 if the values are TPM",
        ));
    }
    let index = GeneIndex::new(matrix);
    let vals = Values { m: matrix, scale };
    let n_samples = matrix.samples.len();
    let mut rows = Vec::new();
    let mut reports = Vec::new();
    let needs_ranking = collections
        .iter()
        .any(|c| c.signatures.iter().any(|s| s.method == Method::Ssgsea));
    let rankings: Vec<ssgsea::Ranking> = if needs_ranking {
        (0..n_samples)
            .into_par_iter()
            .map(|s| {
                let col: Vec<f64> = matrix.values.iter().map(|r| r[s]).collect();
                ssgsea::rank_sample(&col, SSGSEA_ALPHA, flavour)
            })
            .collect()
    } else {
        Vec::new()
    };
    for collection in collections {
        let mut ssgsea_block: Vec<(usize, usize)> = Vec::new();
        for sig in &collection.signatures {
            let found: Vec<Option<usize>> = sig.members.iter().map(|m| index.resolve(m)).collect();
            let n_found = found.iter().flatten().count();
            reports.push(SignatureReport {
                signature: sig.name.clone(),
                collection: collection.name.clone(),
                method: sig.method,
                n_genes: sig.members.len(),
                n_genes_found: n_found,
                genes_missing: sig
                    .members
                    .iter()
                    .zip(&found)
                    .filter(|(_, f)| f.is_none())
                    .map(|(m, _)| m.symbol.clone())
                    .collect(),
            });
            let mut push = |name: String, score: Option<f64>, s: usize| {
                rows.push(ScoreRow {
                    sample: matrix.samples[s].clone(),
                    signature: name,
                    score,
                    method: sig.method,
                    n_genes_found: n_found,
                    n_genes: sig.members.len(),
                    raw_score: None,
                });
            };
            match sig.method {
                Method::GeometricMean => {
                    for s in 0..n_samples {
                        let t: Vec<f64> = found.iter().flatten().map(|&r| vals.tpm(r, s)).collect();
                        push(sig.name.clone(), methods::geometric_mean(&t), s);
                    }
                }
                Method::MeanLog2 => {
                    for s in 0..n_samples {
                        let l: Vec<f64> =
                            found.iter().flatten().map(|&r| vals.log2(r, s)).collect();
                        push(sig.name.clone(), methods::mean(&l), s);
                    }
                }
                Method::WeightedHousekeeping => {
                    for s in 0..n_samples {
                        let mut pred = Vec::new();
                        let mut hk = Vec::new();
                        for (m, f) in sig.members.iter().zip(&found) {
                            let Some(r) = f else { continue };
                            if m.role.as_deref() == Some("housekeeping") {
                                hk.push(vals.log2(*r, s));
                            } else if let Some(w) = m.weight {
                                pred.push((w, vals.log2(*r, s)));
                            }
                        }
                        push(
                            sig.name.clone(),
                            methods::weighted_housekeeping(&pred, &hk),
                            s,
                        );
                    }
                }
                Method::PairComparison => {
                    for s in 0..n_samples {
                        let pairs = impres_pairs(&sig.members, &found, |r| vals.log2(r, s));
                        push(sig.name.clone(), methods::pair_comparison(&pairs), s);
                    }
                }
                Method::Immunophenoscore => {
                    for s in 0..n_samples {
                        let all: Vec<f64> =
                            (0..matrix.genes.len()).map(|r| vals.log2(r, s)).collect();
                        let v: Vec<Option<f64>> = found.iter().map(|f| f.map(|r| all[r])).collect();
                        let ips = methods::immunophenoscore(&sig.members, &v, &all);
                        push(sig.name.clone(), ips.map(|x| x.ips), s);
                        for (part, get) in [
                            (
                                "MHC",
                                (|x: &methods::Ips| x.mhc) as fn(&methods::Ips) -> f64,
                            ),
                            ("CP", |x| x.cp),
                            ("EC", |x| x.ec),
                            ("SC", |x| x.sc),
                            ("AZ", |x| x.az),
                        ] {
                            push(format!("{}:{part}", sig.name), ips.as_ref().map(get), s);
                        }
                    }
                }
                Method::Ssgsea => {
                    let mut set: Vec<usize> = found.iter().flatten().copied().collect();
                    set.sort_unstable();
                    set.dedup();
                    for (s, ranking) in rankings.iter().enumerate() {
                        push(sig.name.clone(), ssgsea::enrichment_score(ranking, &set), s);
                    }
                    let end = rows.len();
                    ssgsea_block.extend((end - n_samples..end).map(|i| (i, 0)));
                }
            }
        }
        // GSVA's normalisation: over the whole collection and every sample.
        let mut es: Vec<Option<f64>> = ssgsea_block.iter().map(|&(i, _)| rows[i].score).collect();
        ssgsea::normalise(&mut es);
        for (&(i, _), v) in ssgsea_block.iter().zip(es) {
            rows[i].raw_score = rows[i].score;
            rows[i].score = v;
        }
    }
    Ok((rows, reports))
}

/// IMPRES pairs whose two genes were both found, as `(value of gene1, value of gene2)`.
fn impres_pairs(
    members: &[Member],
    found: &[Option<usize>],
    value: impl Fn(usize) -> f64,
) -> Vec<(f64, f64)> {
    let mut ids: Vec<u32> = members.iter().filter_map(|m| m.pair).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let get = |role: &str| {
                members
                    .iter()
                    .zip(found)
                    .find(|(m, _)| m.pair == Some(id) && m.role.as_deref() == Some(role))
                    .and_then(|(_, f)| *f)
            };
            Some((value(get("gene1")?), value(get("gene2")?)))
        })
        .collect()
}

fn default_sample_name(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sample".into());
    for suffix in [
        ".quant.tsv",
        ".quant.sf",
        ".genes.sf",
        ".genes.results",
        ".tsv",
        ".txt",
        ".sf",
    ] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_string();
        }
    }
    name
}

/// Reads the expression and gene sets and scores them.
///
/// # Errors
/// Unreadable or malformed expression table or GMT file; count-scale values.
pub fn compute(params: &SignaturesParams) -> Result<SignaturesResult> {
    let matrix = read_expression(
        &params.expression,
        params.format,
        params.gtf.as_deref(),
        params.sample.as_deref(),
        &default_sample_name(&params.expression),
    )?;
    let scale = params.scale.unwrap_or(matrix.scale);
    let mut collections = if params.built_in {
        genesets::built_in()
    } else {
        Vec::new()
    };
    for gmt in &params.gene_sets {
        collections.push(genesets::read_gmt(gmt)?);
    }
    if collections.is_empty() {
        return Err(Error::usage(
            "no gene sets to score: drop --no-built-in or give --gene-sets FILE.gmt",
        ));
    }
    let (rows, reports) = score(&matrix, scale, &collections, params.ssgsea)?;
    let empty: Vec<&str> = reports
        .iter()
        .filter(|r| r.n_genes_found == 0)
        .map(|r| r.signature.as_str())
        .collect();
    if let Some(first) = empty.first() {
        log::warn!(
            "{} signatures have none of their genes in {} (first: {first}); they score NA",
            empty.len(),
            params.expression.display()
        );
    }
    Ok(SignaturesResult {
        rows,
        summary: SignaturesSummary {
            schema_version: SCHEMA_VERSION,
            version: crate::VERSION,
            input_format: matrix.format,
            scale_detected: matrix.scale,
            scale_used: scale,
            samples: matrix.samples.clone(),
            genes: matrix.genes.len(),
            signatures: reports,
            params: params.clone(),
        },
    })
}

/// One line of `PREFIX.signatures.tsv` as written: scores with up to 10 decimals, `NA` when
/// missing.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SignaturesTsvRow {
    pub sample: String,
    pub signature: String,
    pub score: String,
    pub method: String,
    pub n_genes_found: usize,
    pub n_genes: usize,
    pub raw_score: String,
}

impl From<&ScoreRow> for SignaturesTsvRow {
    fn from(r: &ScoreRow) -> Self {
        SignaturesTsvRow {
            sample: r.sample.clone(),
            signature: r.signature.clone(),
            score: fmt_opt(r.score, 10),
            method: r.method.as_str().to_string(),
            n_genes_found: r.n_genes_found,
            n_genes: r.n_genes,
            raw_score: fmt_opt(r.raw_score, 10),
        }
    }
}

/// Writes the rows as `PREFIX.signatures.tsv` text (header [`TSV_HEADER`]).
///
/// # Errors
/// Write failures.
pub fn write_tsv(rows: &[ScoreRow], out: &mut dyn Write, path: &Path) -> Result<()> {
    let err = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut w = crate::io::table::writer(out);
    if rows.is_empty() {
        // serde writes the header with the first row; an empty table still has one.
        w.write_record(TSV_HEADER.trim_end().split('\t'))
            .map_err(err)?;
    }
    for r in rows {
        w.serialize(SignaturesTsvRow::from(r)).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(path, e))
}

/// Runs the stage: `PREFIX.signatures.tsv` and `PREFIX.signatures.json`.
///
/// # Errors
/// As [`compute`], plus write failures.
pub fn run(params: &SignaturesParams, prefix: &Path) -> Result<SignaturesSummary> {
    let result = compute(params)?;
    let path = prefixed(prefix, "signatures.tsv");
    let mut tsv = AtomicFile::create(&path)?;
    write_tsv(&result.rows, &mut tsv, &path)?;
    let json = json_file(prefixed(prefix, "signatures.json"), &result.summary)?;
    commit_all(vec![tsv, json])?;
    Ok(result.summary)
}
