//! `neoantigens`: its description, parameters and entry point.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::peptides::{in_memory, parse_downstream};
use super::{fraction, need, opt, req, values, Stage, StageInfo};
use crate::error::{Error, Result};
use crate::neoantigen::{
    self, bam::CountParams, BindingRule, FilterParams, NeoantigenParams, NeoantigenSummary,
    PredictorSpec,
};
use crate::peptides::EntryFilter;

pub const INFO: StageInfo = StageInfo {
    name: "neoantigens",
    after: &["annotate", "hla", "quant"],
    default: true,
    outputs: &[
        req("neoantigens.json"),
        req("neoantigens.tsv"),
        req("neoantigens.all.tsv"),
        req("neoantigens.fasta"),
        // Class II molecules.
        opt("neoantigens.class2.tsv"),
        opt("neoantigens.class2.all.tsv"),
        opt("neoantigens.class2.fasta"),
        // pVACseq 7's files, with `format = "both"`.
        opt("MHC_I.all_epitopes.tsv"),
        opt("MHC_I.filtered.tsv"),
        opt("MHC_I.all_epitopes.aggregated.tsv"),
        opt("MHC_I.all_epitopes.aggregated.metrics.json"),
        opt("MHC_II.all_epitopes.tsv"),
        opt("MHC_II.filtered.tsv"),
        opt("MHC_II.all_epitopes.aggregated.tsv"),
        opt("MHC_II.all_epitopes.aggregated.metrics.json"),
    ],
    reserved: &[
        "vcf",
        "alleles",
        "hla-json",
        "tumor-bam",
        "rna-bam",
        "expression",
        "output",
    ],
};

pub struct Neoantigens;

/// The options of `immunoprofile neoantigens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub vcf: Option<PathBuf>,
    pub sample: Option<String>,
    pub normal_sample: Option<String>,
    /// Class I alleles and class II molecules, mixed.
    pub alleles: Vec<String>,
    /// `immunoprofile hla`'s summary: its calls are used when `alleles` is empty.
    pub hla_json: Option<PathBuf>,
    pub lengths: Vec<usize>,
    /// Class II epitope lengths.
    pub class2_lengths: Vec<usize>,
    /// IPD-IMGT/HLA release folder (class II pseudo-sequences are built from it).
    pub imgt: Option<PathBuf>,
    pub predictor: String,
    pub tumor_bam: Option<PathBuf>,
    pub rna_bam: Option<PathBuf>,
    pub min_mapping_quality: u8,
    pub min_base_quality: u8,
    pub expression: Vec<PathBuf>,
    pub downstream_length: String,
    pub biotypes: Vec<String>,
    pub allow_incomplete_transcripts: bool,
    pub pass_only: bool,
    pub binding_threshold: f64,
    pub percentile_threshold: f64,
    /// No percentile criterion: the IC50 alone decides.
    pub no_percentile_threshold: bool,
    #[serde(with = "values::req_enum")]
    pub percentile_threshold_strategy: BindingRule,
    pub min_dna_depth: u32,
    pub min_dna_vaf: f64,
    pub min_rna_depth: u32,
    pub min_rna_vaf: f64,
    pub min_expression: f64,
    pub tumor_purity: Option<f64>,
    pub gtf: Option<PathBuf>,
    pub fasta: Option<PathBuf>,
    pub allow_mismatch: bool,
    /// Tables written: ours, pVACseq 7's (for pVACview), or both.
    #[serde(with = "values::req_enum")]
    pub format: crate::neoantigen::pvacseq::OutputFormat,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            vcf: None,
            sample: None,
            normal_sample: None,
            alleles: Vec::new(),
            hla_json: None,
            lengths: vec![8, 9, 10, 11],
            class2_lengths: vec![15],
            imgt: None,
            predictor: "builtin".into(),
            tumor_bam: None,
            rna_bam: None,
            min_mapping_quality: 1,
            min_base_quality: 20,
            expression: Vec::new(),
            downstream_length: "1000".into(),
            biotypes: vec!["protein_coding".into()],
            allow_incomplete_transcripts: false,
            pass_only: false,
            binding_threshold: 500.0,
            percentile_threshold: 2.0,
            no_percentile_threshold: false,
            percentile_threshold_strategy: BindingRule::Conservative,
            min_dna_depth: 10,
            min_dna_vaf: 0.25,
            min_rna_depth: 10,
            min_rna_vaf: 0.25,
            min_expression: 1.0,
            tumor_purity: None,
            gtf: None,
            fasta: None,
            allow_mismatch: false,
            format: crate::neoantigen::pvacseq::OutputFormat::default(),
        }
    }
}

/// Class II lengths, ascending: the same bounds as `binding --class2-lengths`.
fn class2_lengths(list: &[usize]) -> Result<Vec<usize>> {
    crate::binding::stage::check_class2_lengths(list)?;
    let mut l = list.to_vec();
    l.sort_unstable();
    l.dedup();
    Ok(l)
}

fn lengths(list: &[usize]) -> Result<Vec<usize>> {
    let mut l = list.to_vec();
    l.sort_unstable();
    l.dedup();
    if l.is_empty() || l.iter().any(|l| !(7..=15).contains(l)) {
        return Err(Error::usage(
            "--lengths must be class I epitope lengths between 7 and 15 (default 8,9,10,11)",
        ));
    }
    Ok(l)
}

impl Params {
    /// The library parameters (no file is opened here).
    ///
    /// # Errors
    /// Unparseable alleles or predictor, out-of-range values.
    pub fn resolve(&self, threads: usize) -> Result<NeoantigenParams> {
        self.resolve_with(threads, false)
    }

    /// As [`Params::resolve`]; `typed`: the alleles came from HLA typing (class II molecules the
    /// release cannot serve are then dropped with a warning, not an error).
    fn resolve_with(&self, threads: usize, typed: bool) -> Result<NeoantigenParams> {
        Neoantigens::check(self)?;
        let (class1, class2_names) = super::binding::split_classes(&self.alleles);
        let alleles = if class1.is_empty() {
            Vec::new()
        } else {
            super::parse_alleles(&class1)?
        };
        let molecules = neoantigen::class2::parse_molecules(&class2_names)?;
        if alleles.is_empty() && molecules.is_empty() {
            return Err(Error::usage(
                "neoantigens needs --alleles (class I alleles and/or class II molecules)",
            ));
        }
        let class2 = if molecules.is_empty() {
            None
        } else {
            let Some(imgt) = self.imgt.clone() else {
                return Err(Error::usage(format!(
                    "class II molecules ({}) need --imgt DIR, an IPD-IMGT/HLA release folder: their pseudo-sequences are built from its protein files, which the program does not ship",
                    molecules.iter().map(|m| m.given.as_str()).collect::<Vec<_>>().join(", ")
                )));
            };
            Some(neoantigen::Class2Params {
                alleles: molecules,
                lengths: class2_lengths(&self.class2_lengths)?,
                imgt,
                drop_unservable: typed,
            })
        };
        Ok(NeoantigenParams {
            class2,
            annotation: in_memory(&self.gtf, &self.fasta, self.allow_mismatch)?,
            vcf: need(&self.vcf, "neoantigens", "vcf")?,
            sample: self.sample.clone(),
            normal_sample: self.normal_sample.clone(),
            alleles,
            lengths: lengths(&self.lengths)?,
            predictor: PredictorSpec::parse(&self.predictor)?,
            tumor_bam: self.tumor_bam.clone(),
            rna_bam: self.rna_bam.clone(),
            counting: CountParams {
                min_mapping_quality: self.min_mapping_quality,
                min_base_quality: self.min_base_quality,
            },
            expression: self.expression.clone(),
            entries: EntryFilter {
                biotypes: self.biotypes.clone(),
                allow_incomplete: self.allow_incomplete_transcripts,
                pass_only: self.pass_only,
            },
            downstream: parse_downstream(&self.downstream_length)?,
            filters: FilterParams {
                binding_threshold: self.binding_threshold,
                percentile_threshold: (!self.no_percentile_threshold)
                    .then_some(self.percentile_threshold),
                binding_rule: self.percentile_threshold_strategy,
                min_dna_depth: self.min_dna_depth,
                min_dna_vaf: self.min_dna_vaf,
                min_rna_depth: self.min_rna_depth,
                min_rna_vaf: self.min_rna_vaf,
                min_expression: self.min_expression,
                tumor_purity: self.tumor_purity,
            },
            threads,
            format: self.format,
        })
    }
}

impl Stage for Neoantigens {
    const INFO: StageInfo = INFO;
    type Params = Params;
    type Summary = NeoantigenSummary;

    fn check(p: &Params) -> Result<()> {
        lengths(&p.lengths)?;
        class2_lengths(&p.class2_lengths)?;
        if !(p.binding_threshold > 0.0 && p.percentile_threshold >= 0.0) {
            return Err(Error::usage(
                "--binding-threshold must be positive and --percentile-threshold non-negative",
            ));
        }
        fraction("min-dna-vaf", p.min_dna_vaf)?;
        fraction("min-rna-vaf", p.min_rna_vaf)?;
        if let Some(t) = p.tumor_purity {
            fraction("tumor-purity", t)?;
        }
        parse_downstream(&p.downstream_length)?;
        PredictorSpec::parse(&p.predictor)?;
        in_memory(&p.gtf, &p.fasta, p.allow_mismatch)?;
        Ok(())
    }

    fn run(params: &Params, prefix: &Path, threads: usize) -> Result<NeoantigenSummary> {
        let resolved = match (&params.hla_json, params.alleles.is_empty()) {
            (Some(path), true) => typed_params(params, path)?.resolve_with(threads, true)?,
            _ => params.resolve(threads)?,
        };
        if resolved.class2.is_none() {
            log::info!(
                "no HLA class II molecule given or typed (DRB1, DQA1/DQB1, DPA1/DPB1): class II epitopes are not predicted"
            );
        }
        let s = neoantigen::run(&resolved, prefix)?;
        log::info!(
            "{}: {} epitopes, {} candidates pass the filters ({} Pass tier); neoantigen load {}",
            s.sample,
            s.epitopes,
            s.candidates,
            s.by_tier.get("Pass").copied().unwrap_or(0),
            s.neoantigen_load
        );
        if let Some(c) = &s.class2 {
            log::info!(
                "{}: class II: {} epitopes, {} candidates pass the filters ({} Pass tier); neoantigen load {}",
                s.sample,
                c.epitopes,
                c.candidates,
                c.by_tier.get("Pass").copied().unwrap_or(0),
                c.neoantigen_load
            );
        }
        Ok(s)
    }
}

/// The parameters with `hla`'s calls as alleles: class I ones the built-in model serves, and
/// the class II molecules of the class II calls ([`neoantigen::class2::typed_molecules`]) when
/// `--imgt` is given (without it they are skipped with a warning).
fn typed_params(params: &Params, path: &Path) -> Result<Params> {
    let calls = crate::hla::output::read_calls(path)?;
    let class1 = crate::hla::output::class_i_alleles(&calls);
    let mut class2 = neoantigen::class2::typed_molecules(&calls);
    if !class2.is_empty() && params.imgt.is_none() {
        log::warn!(
            "{}: the typed class II molecules ({}) are not scored: give --imgt DIR (the IPD-IMGT/HLA release) to score them",
            path.display(),
            class2.join(", ")
        );
        class2.clear();
    }
    if class1.is_empty() && class2.is_empty() {
        return Err(Error::invalid(
            path,
            None,
            "HLA typing called no class I allele and no class II molecule (see its loci[].reason); give --alleles",
        ));
    }
    let class1 = if class1.is_empty() {
        class1
    } else {
        log::info!("class I alleles typed by `hla`: {}", class1.join(", "));
        servable(class1, &params.predictor, path, !class2.is_empty())?
    };
    if !class2.is_empty() {
        log::info!("class II molecules typed by `hla`: {}", class2.join(", "));
    }
    Ok(Params {
        alleles: class1.into_iter().chain(class2).collect(),
        ..params.clone()
    })
}

/// Typed alleles the built-in model cannot score (not in its pseudo-sequence table) are left out
/// with a warning naming them; none left is an error. Imported predictions are checked later,
/// as for given alleles.
fn servable(
    typed: Vec<String>,
    predictor: &str,
    hla_json: &Path,
    class2_left: bool,
) -> Result<Vec<String>> {
    if predictor != "builtin" {
        return Ok(typed);
    }
    let model = crate::binding::builtin::BuiltinPredictor::load_default()?;
    let known: std::collections::BTreeSet<String> = model
        .known_alleles()
        .into_iter()
        .map(|k| k.allele.to_string())
        .collect();
    let (kept, dropped): (Vec<String>, Vec<String>) = typed.into_iter().partition(|a| {
        crate::binding::HlaAllele::parse(a).is_ok_and(|h| known.contains(&h.to_string()))
    });
    if !dropped.is_empty() {
        log::warn!(
            "{}: typed alleles the built-in model does not serve are not scored: {}",
            hla_json.display(),
            dropped.join(", ")
        );
    }
    if kept.is_empty() && !class2_left {
        return Err(Error::invalid(
            hla_json,
            None,
            "none of the typed class I alleles is served by the built-in model; give --alleles",
        ));
    }
    Ok(kept)
}
