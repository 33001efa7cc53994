//! `immunoprofile neoantigens`.

use std::path::PathBuf;

use clap::Args;

use crate::binding::HlaAllele;
use crate::cli::peptides::parse_downstream;
use crate::error::{Error, Result};
use crate::neoantigen::{
    self, bam::CountParams, BindingRule, FilterParams, NeoantigenParams, PredictorSpec,
};
use crate::peptides::EntryFilter;

/// Ranked neoantigen candidates of one tumour sample (pVACseq's all_epitopes / filtered tables).
#[derive(Debug, Args)]
pub struct NeoantigensArgs {
    /// VEP-annotated VCF/BCF whose CSQ has WildtypeProtein and FrameshiftSequence.
    #[arg(long)]
    pub vcf: PathBuf,
    /// Tumour sample (default: ##tumor_sample, a sample named TUMOR, or the only sample).
    #[arg(long)]
    pub sample: Option<String>,
    /// HLA class I alleles, comma-separated (HLA-A*02:01, A*02:01, A02:01, HLA-A02:01).
    #[arg(long, value_delimiter = ',', required = true)]
    pub alleles: Vec<String>,
    /// Epitope lengths, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "8,9,10,11")]
    pub lengths: Vec<usize>,
    /// Binding predictor: `builtin`, or imported results `netmhcpan:FILE[,FILE]` (NetMHCpan 4.x
    /// -xls or text output, run with -BA) or `mhcflurry:FILE` (mhcflurry-predict CSV).
    #[arg(long, default_value = "builtin")]
    pub predictor: String,
    /// Tumour DNA BAM (indexed): DNA depth and VAF are counted from it instead of FORMAT.
    #[arg(long)]
    pub tumor_bam: Option<PathBuf>,
    /// Tumour RNA BAM (indexed): RNA depth and VAF are counted from it instead of FORMAT.
    #[arg(long)]
    pub rna_bam: Option<PathBuf>,
    /// Minimum mapping quality of reads counted from the BAMs.
    #[arg(long, default_value_t = 1)]
    pub min_mapping_quality: u8,
    /// Minimum base quality of bases counted from the BAMs.
    #[arg(long, default_value_t = 20)]
    pub min_base_quality: u8,
    /// Expression table(s): `immunoprofile quant` output, salmon quant.sf, kallisto
    /// abundance.tsv, RSEM *.results (TPM). Overrides FORMAT GX/TX.
    #[arg(long, value_delimiter = ',')]
    pub expression: Vec<PathBuf>,
    /// Frameshift windows: amino acids kept downstream of the frameshift, or `full`.
    #[arg(short = 'd', long, default_value = "1000", value_name = "N|full")]
    pub downstream_length: String,
    /// Transcript biotypes kept (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "protein_coding")]
    pub biotypes: Vec<String>,
    /// Keep transcripts flagged cds_start_NF / cds_end_NF.
    #[arg(long)]
    pub allow_incomplete_transcripts: bool,
    /// Only FILTER=PASS (or '.') records.
    #[arg(long)]
    pub pass_only: bool,
    /// MT IC50 cut-off (nM): candidates bind below it.
    #[arg(long, default_value_t = 500.0)]
    pub binding_threshold: f64,
    /// MT percentile cut-off: candidates bind at or below it.
    #[arg(long, default_value_t = 2.0)]
    pub percentile_threshold: f64,
    /// `either` (IC50 or percentile) or `both`.
    #[arg(long, value_enum, default_value = "either")]
    pub binding_rule: BindingRule,
    /// Minimum tumour DNA depth.
    #[arg(long, default_value_t = 10)]
    pub min_dna_depth: u32,
    /// Minimum tumour DNA VAF.
    #[arg(long, default_value_t = 0.25)]
    pub min_dna_vaf: f64,
    /// Minimum tumour RNA depth.
    #[arg(long, default_value_t = 10)]
    pub min_rna_depth: u32,
    /// Minimum tumour RNA VAF.
    #[arg(long, default_value_t = 0.25)]
    pub min_rna_vaf: f64,
    /// Minimum gene and transcript expression (TPM).
    #[arg(long, default_value_t = 1.0)]
    pub min_expression: f64,
    /// Tumour purity (0-1) for the clonal VAF used by the Subclonal tier (default: estimated).
    #[arg(long)]
    pub tumor_purity: Option<f64>,
    /// Tables written: `ours`, `pvacseq` (pVACseq 7's PREFIX.MHC_I.all_epitopes.tsv,
    /// .filtered.tsv, .all_epitopes.aggregated.tsv and its .metrics.json, for pVACview) or `both`.
    #[arg(long, value_enum, default_value = "ours")]
    pub format: neoantigen::pvacseq::OutputFormat,
    #[command(flatten)]
    pub annotation: super::InMemoryAnnotationArgs,
    /// Output prefix: PREFIX.neoantigens.all.tsv, .neoantigens.tsv, .neoantigens.json, .peptides.fasta.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

fn fraction(name: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::usage(format!(
            "--{name} {v} must be a fraction between 0 and 1"
        )))
    }
}

impl NeoantigensArgs {
    /// Validates the options (no file is opened here).
    ///
    /// # Errors
    /// Unparseable alleles or predictor, out-of-range values.
    pub fn into_params(self, threads: usize) -> Result<(NeoantigenParams, PathBuf)> {
        let mut alleles = Vec::new();
        for a in &self.alleles {
            let a = HlaAllele::parse(a).map_err(|e| Error::usage(format!("--alleles: {e}")))?;
            if !alleles.contains(&a) {
                alleles.push(a);
            }
        }
        let mut lengths = self.lengths.clone();
        lengths.sort_unstable();
        lengths.dedup();
        if lengths.is_empty() || lengths.iter().any(|l| !(7..=15).contains(l)) {
            return Err(Error::usage(
                "--lengths must be class I epitope lengths between 7 and 15 (default 8,9,10,11)",
            ));
        }
        if !(self.binding_threshold > 0.0 && self.percentile_threshold >= 0.0) {
            return Err(Error::usage(
                "--binding-threshold must be positive and --percentile-threshold non-negative",
            ));
        }
        let params = NeoantigenParams {
            annotation: self.annotation.into_annotation(),
            vcf: self.vcf,
            sample: self.sample,
            alleles,
            lengths,
            predictor: PredictorSpec::parse(&self.predictor)?,
            tumor_bam: self.tumor_bam,
            rna_bam: self.rna_bam,
            counting: CountParams {
                min_mapping_quality: self.min_mapping_quality,
                min_base_quality: self.min_base_quality,
            },
            expression: self.expression,
            entries: EntryFilter {
                biotypes: self.biotypes,
                allow_incomplete: self.allow_incomplete_transcripts,
                pass_only: self.pass_only,
            },
            downstream: parse_downstream(&self.downstream_length)?,
            filters: FilterParams {
                binding_threshold: self.binding_threshold,
                percentile_threshold: self.percentile_threshold,
                binding_rule: self.binding_rule,
                min_dna_depth: self.min_dna_depth,
                min_dna_vaf: fraction("min-dna-vaf", self.min_dna_vaf)?,
                min_rna_depth: self.min_rna_depth,
                min_rna_vaf: fraction("min-rna-vaf", self.min_rna_vaf)?,
                min_expression: self.min_expression,
                tumor_purity: self
                    .tumor_purity
                    .map(|p| fraction("tumor-purity", p))
                    .transpose()?,
            },
            format: self.format,
            threads,
        };
        Ok((params, self.output))
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: NeoantigensArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_params(threads)?;
    let s = neoantigen::run(&params, &prefix)?;
    log::info!(
        "{}: {} epitopes, {} candidates pass the filters ({} Pass tier); neoantigen load {}",
        s.sample,
        s.epitopes,
        s.candidates,
        s.by_tier.get("Pass").copied().unwrap_or(0),
        s.neoantigen_load
    );
    Ok(())
}
