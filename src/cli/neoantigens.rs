//! `immunoprofile neoantigens`.

use std::path::PathBuf;

use clap::Args;

use super::InMemoryAnnotationArgs;
use crate::error::Result;
use crate::neoantigen::BindingRule;
use crate::stage::neoantigens::{Neoantigens, Params};
use crate::stage::Stage;

/// Shown after `immunoprofile neoantigens --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile neoantigens --vcf tumour.vep.vcf.gz --alleles HLA-A*02:01,HLA-B*07:02 -o out/S1
  immunoprofile neoantigens --vcf tumour.vep.vcf.gz --hla-json out/S1.hla.json --tumor-bam tumour.bam --rna-bam rna.bam --expression out/S1.quant.tsv --format both -o out/S1
  immunoprofile neoantigens --vcf tumour.vep.vcf.gz --alleles HLA-A*02:01,HLA-DRB1*03:01,DQA1*05:01-DQB1*02:01 --imgt IMGTHLA -o out/S1
  immunoprofile neoantigens --vcf tumour.vep.vcf.gz --alleles A*02:01 -o - | head -5";

/// Ranked neoantigen candidates of one tumour sample (pVACseq's all_epitopes / filtered tables).
#[derive(Debug, Args)]
pub struct NeoantigensArgs {
    /// VEP-annotated VCF/BCF whose CSQ has WildtypeProtein and FrameshiftSequence.
    #[arg(long)]
    pub vcf: PathBuf,
    /// Tumour sample (default: ##tumor_sample, a sample named TUMOR, or the only sample).
    #[arg(long)]
    pub sample: Option<String>,
    /// Matched normal sample for the pVACseq tables' Normal Depth / Normal VAF (pVACseq's
    /// --normal-sample-name) [default: ##normal_sample, a sample named NORMAL, or the other of
    /// two samples].
    #[arg(long)]
    pub normal_sample: Option<String>,
    /// HLA class I alleles and class II molecules separated by , ; | or spaces: class I as
    /// HLA-A*02:01, A*02:01, A02:01; class II as HLA-DRA*01:01/DRB1*03:01,
    /// HLA-DQA1*05:01/DQB1*03:02, DQA1*05:01-DQB1*03:02 or a DRB chain alone (HLA-DRB1*03:01,
    /// DRA*01:01 implied; class II needs --imgt). Null alleles (…N) are not scored.
    #[arg(long, value_delimiter = ',', required_unless_present = "hla_json")]
    pub alleles: Vec<String>,
    /// `immunoprofile hla`'s PREFIX.hla.json: its calls are scored when --alleles is not given
    /// (class I; class II as DRB alone and every DQA1×DQB1, DPA1×DPB1 pairing, with --imgt).
    #[arg(long)]
    pub hla_json: Option<PathBuf>,
    /// Class I epitope lengths, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "8,9,10,11")]
    pub lengths: Vec<usize>,
    /// Class II epitope lengths, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "15")]
    pub class2_lengths: Vec<usize>,
    /// IPD-IMGT/HLA release folder (with fasta/DRB1_prot.fasta …): class II molecules'
    /// pseudo-sequences are built from it.
    #[arg(long, value_name = "DIR")]
    pub imgt: Option<PathBuf>,
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
    /// MT IC50 cut-off (nM): candidates bind at or below it (pVACseq -b).
    #[arg(long, default_value_t = 500.0)]
    pub binding_threshold: f64,
    /// MT percentile cut-off: candidates bind at or below it (pVACseq
    /// --binding-percentile-threshold).
    #[arg(long, default_value_t = 2.0)]
    pub percentile_threshold: f64,
    /// No percentile criterion: the IC50 alone decides.
    #[arg(long, conflicts_with = "percentile_threshold")]
    pub no_percentile_threshold: bool,
    /// How IC50 and percentile combine: conservative (both must pass, pVACseq's default) or
    /// exploratory (either; `both`/`either` are accepted as aliases).
    #[arg(
        long,
        visible_alias = "binding-rule",
        value_enum,
        default_value = "conservative"
    )]
    pub percentile_threshold_strategy: BindingRule,
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
    /// .filtered.tsv, .all_epitopes.aggregated.tsv and its .metrics.json, for pVACview; MHC_II
    /// files too with class II molecules) or `both`.
    #[arg(long, value_enum, default_value = "ours")]
    pub format: crate::neoantigen::pvacseq::OutputFormat,
    #[command(flatten)]
    pub annotation: InMemoryAnnotationArgs,
    /// Output prefix: PREFIX.neoantigens.all.tsv, .neoantigens.tsv, .neoantigens.json,
    /// .neoantigens.fasta, and .neoantigens.class2.{all.tsv,tsv,fasta} with class II molecules.
    /// `-`: the ranked class I candidates (.neoantigens.tsv) on stdout.
    #[arg(short = 'o', long)]
    pub output: PathBuf,
}

impl NeoantigensArgs {
    /// The stage parameters and output prefix (no check, no I/O).
    pub fn into_stage(self) -> (Params, PathBuf) {
        let NeoantigensArgs {
            vcf,
            sample,
            normal_sample,
            alleles,
            hla_json,
            lengths,
            class2_lengths,
            imgt,
            predictor,
            tumor_bam,
            rna_bam,
            min_mapping_quality,
            min_base_quality,
            expression,
            downstream_length,
            biotypes,
            allow_incomplete_transcripts,
            pass_only,
            binding_threshold,
            percentile_threshold,
            no_percentile_threshold,
            percentile_threshold_strategy,
            min_dna_depth,
            min_dna_vaf,
            min_rna_depth,
            min_rna_vaf,
            min_expression,
            tumor_purity,
            format,
            annotation:
                InMemoryAnnotationArgs {
                    gtf,
                    fasta,
                    allow_mismatch,
                },
            output,
        } = self;
        let params = Params {
            vcf: Some(vcf),
            sample,
            normal_sample,
            alleles,
            hla_json,
            lengths,
            class2_lengths,
            imgt,
            predictor,
            tumor_bam,
            rna_bam,
            min_mapping_quality,
            min_base_quality,
            expression,
            downstream_length,
            biotypes,
            allow_incomplete_transcripts,
            pass_only,
            binding_threshold,
            percentile_threshold,
            no_percentile_threshold,
            percentile_threshold_strategy,
            min_dna_depth,
            min_dna_vaf,
            min_rna_depth,
            min_rna_vaf,
            min_expression,
            tumor_purity,
            gtf,
            fasta,
            allow_mismatch,
            format,
        };
        (params, output)
    }
}

/// # Errors
/// Bad options or inputs.
pub fn run(args: NeoantigensArgs, threads: usize) -> Result<()> {
    let (params, prefix) = args.into_stage();
    super::stdout::with_prefix(&prefix, "neoantigens", &["neoantigens.tsv"], |prefix| {
        Neoantigens::run(&params, prefix, threads).map(|_| ())
    })
}
