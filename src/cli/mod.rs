//! Command-line layer: one file per subcommand, each turning its clap `Args` into validated
//! library parameters (no I/O in the conversion) and calling the stage.

pub mod annotate;
pub mod binding;
pub mod hla;
pub mod msi;
pub mod neoantigens;
pub mod peptides;
pub mod quant;
pub mod report;
pub mod response;
pub mod run;
pub mod signatures;
pub mod stages;
pub mod tmb;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "immunoprofile",
    version,
    about = "Immunotherapy biomarkers (TMB, neoantigens, immune signatures, MSI) from tumour sequencing files",
    propagate_version = true
)]
pub struct Cli {
    /// Worker threads (default: all cores). Outputs are identical for any value.
    #[arg(short = 't', long, global = true, value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Only warnings and errors on stderr; no progress bars.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(usize::from)
    }
}

/// `--gtf G --fasta F`: annotate in memory with our own engine instead of reading the VCF's CSQ
/// (no VEP plugins needed), for the stages that cut peptides.
#[derive(Debug, Args)]
pub struct InMemoryAnnotationArgs {
    /// GTF: with --fasta, annotate in memory with our own engine instead of reading CSQ (no VEP
    /// plugins needed).
    #[arg(long, requires = "fasta")]
    pub gtf: Option<PathBuf>,
    /// Reference FASTA for --gtf.
    #[arg(long, requires = "gtf")]
    pub fasta: Option<PathBuf>,
    /// Annotate in memory even when no GTF CDS translates against the FASTA or more than 10% of
    /// the VCF's REF alleles disagree with it (normally a refusal: wrong build).
    #[arg(long, requires = "gtf")]
    pub allow_mismatch: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Tumour mutational burden (mutations per Mb) with filters and published presets.
    Tmb(tmb::TmbArgs),
    /// Microsatellite instability (MSI-H/MSS) from tumour and normal BAM/CRAM, or tumour and a baseline.
    Msi(msi::MsiArgs),
    /// Gene counts and TPM from an RNA BAM/CRAM (featureCounts' rules) or a quantification table.
    Quant(quant::QuantArgs),
    /// Immune signature scores (CYT, IFN-γ, GEP, MCP-counter, Danaher, IMPRES, IPS, ssGSEA).
    Signatures(signatures::SignaturesArgs),
    /// Transcript consequences and protein changes from a GTF + FASTA (VEP-layout CSQ).
    Annotate(annotate::AnnotateArgs),
    /// Mutant and wild-type protein windows around protein-changing variants (pVACseq's FASTA).
    Peptides(peptides::PeptidesArgs),
    /// Ranked neoantigen candidates: epitopes, binding, VAF, expression, filters and tiers.
    Neoantigens(neoantigens::NeoantigensArgs),
    /// Per-sample JSON + HTML report, and cohort table + MultiQC files.
    Report(report::ReportArgs),
    /// Every stage for every sample of a manifest, resumable.
    Run(run::RunArgs),
    /// Predicted peptide–HLA class I binding (IC50 nM, percentile rank) from the built-in model.
    Binding(binding::BindingArgs),
    /// Probability of response to immune checkpoint blockade (calibrated, with interval), or HED.
    Response(response::ResponseArgs),
    /// The stages: names, dependencies and output files (`--json` for tools).
    Stages(stages::StagesArgs),
    /// HLA class I and II typing from reads (FASTQ or BAM/CRAM) against an IPD-IMGT/HLA release.
    Hla(hla::HlaArgs),
}

impl Command {
    /// Runs the subcommand with `threads` workers available (the global rayon pool is already
    /// sized by the binary).
    ///
    /// # Errors
    /// Whatever the stage reports.
    pub fn run(self, threads: usize) -> Result<()> {
        match self {
            Command::Tmb(args) => tmb::run(args, threads),
            Command::Msi(args) => msi::run(args, threads),
            Command::Quant(args) => quant::run(args, threads),
            Command::Signatures(args) => signatures::run(args, threads),
            Command::Annotate(args) => annotate::run(args, threads),
            Command::Peptides(args) => peptides::run(args, threads),
            Command::Neoantigens(args) => neoantigens::run(args, threads),
            Command::Report(args) => report::run(args, threads),
            Command::Run(args) => run::run(args, threads),
            Command::Binding(args) => binding::run(args, threads),
            Command::Response(args) => response::run(args, threads),
            Command::Stages(args) => stages::run(args),
            Command::Hla(args) => hla::run(args, threads),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use clap::Parser;

    use super::{Cli, Command};
    use crate::stage::{self, Stage};

    fn parse(args: &[&str]) -> Command {
        Cli::try_parse_from(std::iter::once("immunoprofile").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"))
            .command
    }

    /// The command-line defaults are the manifest defaults: a minimal command line gives
    /// `Params::default()` plus its inputs.
    #[test]
    fn command_line_and_manifest_defaults_agree() {
        let o = PathBuf::from("p");
        let Command::Tmb(a) = parse(&["tmb", "--vcf", "v", "-o", "p"]) else {
            panic!()
        };
        let want = stage::tmb::Params {
            vcf: Some("v".into()),
            ..Default::default()
        };
        assert_eq!(a.into_stage(), (want, o.clone()));
        let Command::Neoantigens(a) = parse(&[
            "neoantigens",
            "--vcf",
            "v",
            "--alleles",
            "A*02:01",
            "-o",
            "p",
        ]) else {
            panic!()
        };
        let want = stage::neoantigens::Params {
            vcf: Some("v".into()),
            alleles: vec!["A*02:01".into()],
            ..Default::default()
        };
        assert_eq!(a.into_stage(), (want, o.clone()));
        let Command::Peptides(a) = parse(&["peptides", "--vcf", "v", "-o", "p"]) else {
            panic!()
        };
        let want = stage::peptides::Params {
            vcf: Some("v".into()),
            ..Default::default()
        };
        assert_eq!(a.into_stage(), (want, o.clone()));
        let Command::Msi(a) = parse(&["msi", "--tumor-bam", "t", "--fasta", "f", "-o", "p"]) else {
            panic!()
        };
        let want = stage::msi::Params {
            tumor_bam: Some("t".into()),
            fasta: Some("f".into()),
            ..Default::default()
        };
        assert_eq!(a.score.into_stage().unwrap(), (want, o.clone()));
        let Command::Quant(a) = parse(&["quant", "--bam", "b", "--gtf", "g", "-o", "p"]) else {
            panic!()
        };
        let want = stage::quant::Params {
            bam: Some("b".into()),
            gtf: Some("g".into()),
            ..Default::default()
        };
        assert_eq!(a.into_stage(), (want, o.clone()));
        let Command::Binding(a) = parse(&[
            "binding",
            "--alleles",
            "A*02:01",
            "--peptides",
            "x",
            "-o",
            "p",
        ]) else {
            panic!()
        };
        let want = stage::binding::Params {
            alleles: vec!["A*02:01".into()],
            peptides: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(a.into_stage().unwrap(), (want, o));
    }

    /// `to_args` is a command line that parses back into the same parameters.
    #[test]
    fn to_args_round_trips_through_the_command_line() {
        let p = stage::tmb::Params {
            vcf: Some("v.vcf".into()),
            targets: Some("t.bed".into()),
            min_vaf: Some(0.05),
            min_depth: Some(20),
            pass_only: Some(false),
            exclude_indels: Some(true),
            population_af_field: Some(vec!["A".into(), "B".into()]),
            count: Some(crate::tmb::CountClass::Coding),
            preset: Some(crate::tmb::Preset::MskImpact),
            threshold: 12.5,
            ..Default::default()
        };
        let args = stage::tmb::Tmb::to_args(&p, Path::new("out/x"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let Command::Tmb(a) = parse(&args) else {
            panic!()
        };
        assert_eq!(a.into_stage(), (p, PathBuf::from("out/x")));

        let p = stage::neoantigens::Params {
            vcf: Some("v.vcf".into()),
            alleles: vec!["HLA-A*02:01".into(), "B*07:02".into()],
            lengths: vec![9, 10],
            percentile_threshold_strategy: crate::neoantigen::BindingRule::Exploratory,
            min_dna_vaf: 0.1,
            expression: vec!["e.tsv".into()],
            downstream_length: "full".into(),
            allow_incomplete_transcripts: true,
            ..Default::default()
        };
        let args = stage::neoantigens::Neoantigens::to_args(&p, Path::new("o"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let Command::Neoantigens(a) = parse(&args) else {
            panic!()
        };
        assert_eq!(a.into_stage(), (p, PathBuf::from("o")));

        let p = stage::signatures::Params {
            expression: Some("m.tsv".into()),
            format: Some(crate::quant::TableFormat::FeatureCounts),
            scale: Some(crate::quant::Scale::Log2Tpm1),
            no_built_in: true,
            ..Default::default()
        };
        let args = stage::signatures::Signatures::to_args(&p, Path::new("o"));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let Command::Signatures(a) = parse(&args) else {
            panic!()
        };
        assert_eq!(a.into_stage(), (p, PathBuf::from("o")));
    }
}
