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
pub mod run;
pub mod signatures;
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
}

impl InMemoryAnnotationArgs {
    pub fn into_annotation(self) -> Option<crate::annotate::InMemoryAnnotation> {
        self.gtf
            .zip(self.fasta)
            .map(|(gtf, fasta)| crate::annotate::InMemoryAnnotation { gtf, fasta })
    }
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
            Command::Msi(args) => msi::run(args),
            Command::Quant(args) => quant::run(args),
            Command::Signatures(args) => signatures::run(args),
            Command::Annotate(args) => annotate::run(args, threads),
            Command::Peptides(args) => peptides::run(args, threads),
            Command::Neoantigens(args) => neoantigens::run(args, threads),
            Command::Report(args) => report::run(args, threads),
            Command::Run(args) => run::run(args, threads),
            Command::Binding(args) => binding::run(args, threads),
            Command::Hla(args) => hla::run(args),
        }
    }
}
