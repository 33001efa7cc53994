//! Command-line layer: one file per subcommand, each turning its clap `Args` into validated
//! library parameters (no I/O in the conversion) and calling the stage.

pub mod annotate;
pub mod binding;
pub mod docs;
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
pub mod stdout;
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
    #[command(after_help = tmb::EXAMPLES)]
    Tmb(tmb::TmbArgs),
    /// Microsatellite instability (MSI-H/MSS) from tumour and normal BAM/CRAM, or tumour and a baseline.
    #[command(after_help = msi::EXAMPLES)]
    Msi(msi::MsiArgs),
    /// Gene counts and TPM from an RNA BAM/CRAM (featureCounts' rules) or a quantification table.
    #[command(after_help = quant::EXAMPLES)]
    Quant(quant::QuantArgs),
    /// Immune signature scores (CYT, IFN-γ, GEP, MCP-counter, Danaher, IMPRES, IPS, ssGSEA).
    #[command(after_help = signatures::EXAMPLES)]
    Signatures(signatures::SignaturesArgs),
    /// Transcript consequences and protein changes from a GTF + FASTA (VEP-layout CSQ).
    #[command(after_help = annotate::EXAMPLES)]
    Annotate(annotate::AnnotateArgs),
    /// Mutant and wild-type protein windows around protein-changing variants (pVACseq's FASTA).
    #[command(after_help = peptides::EXAMPLES)]
    Peptides(peptides::PeptidesArgs),
    /// Ranked neoantigen candidates: epitopes, binding, VAF, expression, filters and tiers.
    #[command(after_help = neoantigens::EXAMPLES)]
    Neoantigens(neoantigens::NeoantigensArgs),
    /// Per-sample JSON + HTML report, and cohort table + MultiQC files.
    #[command(after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Every stage for every sample of a manifest, resumable.
    #[command(after_help = run::EXAMPLES)]
    Run(run::RunArgs),
    /// Predicted peptide–HLA class I binding (IC50 nM, percentile rank) from the built-in model.
    #[command(after_help = binding::EXAMPLES)]
    Binding(binding::BindingArgs),
    /// Probability of response to immune checkpoint blockade (calibrated, with interval), or HED.
    #[command(after_help = response::EXAMPLES)]
    Response(response::ResponseArgs),
    /// The stages: names, dependencies and output files (`--json` for tools).
    #[command(after_help = stages::EXAMPLES)]
    Stages(stages::StagesArgs),
    /// HLA class I and II typing from reads (FASTQ or BAM/CRAM) against an IPD-IMGT/HLA release.
    #[command(after_help = hla::EXAMPLES)]
    Hla(hla::HlaArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) on stdout.
    #[command(after_help = docs::COMPLETIONS_EXAMPLES)]
    Completions(docs::CompletionsArgs),
    /// Write man pages generated from these definitions, one per subcommand.
    #[command(after_help = docs::MAN_EXAMPLES)]
    Man(docs::ManArgs),
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
            Command::Completions(args) => docs::completions(args),
            Command::Man(args) => docs::man(args),
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

    /// Every subcommand (at any depth) with its path, e.g. `["msi", "scan"]`.
    fn subcommands(
        cmd: &clap::Command,
        path: Vec<String>,
        out: &mut Vec<(Vec<String>, clap::Command)>,
    ) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            out.push((p.clone(), sub.clone()));
            subcommands(sub, p, out);
        }
    }

    fn all_subcommands() -> Vec<(Vec<String>, clap::Command)> {
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        let mut out = Vec::new();
        subcommands(&cmd, Vec::new(), &mut out);
        out
    }

    /// `--help` documents every flag and positional argument of every subcommand.
    #[test]
    fn every_argument_has_help() {
        let mut missing = Vec::new();
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        let mut all = vec![(vec![], cmd)];
        all.extend(all_subcommands());
        for (path, cmd) in &all {
            for arg in cmd.get_arguments() {
                let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
                if help.trim().is_empty() {
                    missing.push(format!("{} --{}", path.join(" "), arg.get_id()));
                }
            }
        }
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }

    /// Every subcommand's `--help` ends with examples, and each example is a command line that
    /// parses (what follows a pipe or `>` is another program's).
    #[test]
    fn every_subcommand_has_an_example_that_parses() {
        let all = all_subcommands();
        assert!(all.len() >= 18, "{} subcommands", all.len());
        for (path, cmd) in &all {
            // `msi` itself lists its subcommands; its examples score a tumour.
            let text = cmd
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                text.starts_with("Examples:"),
                "{}: no examples in --help",
                path.join(" ")
            );
            let prefix = format!("immunoprofile {}", path.join(" "));
            let mut lines = 0;
            for line in text.lines().skip(1) {
                let line = line.trim();
                for part in line.split("&&") {
                    let command = part.split(['|', '>']).next().unwrap().trim();
                    if !command.starts_with("immunoprofile ") {
                        continue;
                    }
                    let words: Vec<&str> = command.split_whitespace().collect();
                    if let Err(e) = Cli::try_parse_from(&words) {
                        panic!("example `{command}` does not parse: {e}");
                    }
                }
                assert!(
                    line.starts_with(&prefix),
                    "{}: the example `{line}` is another subcommand's",
                    path.join(" ")
                );
                lines += 1;
            }
            assert!(lines >= 1, "{}: no example lines", path.join(" "));
        }
    }

    /// The man pages: one per subcommand, each a roff page naming its command.
    #[test]
    fn man_pages_cover_every_subcommand() {
        let dir = std::env::temp_dir().join(format!("immunoprofile-man-{}", std::process::id()));
        let mut cmd = <Cli as clap::CommandFactory>::command();
        cmd.build();
        let pages = super::docs::write_pages(&cmd, &dir).unwrap();
        assert_eq!(pages.len(), all_subcommands().len() + 1);
        let tmb = std::fs::read_to_string(dir.join("immunoprofile-tmb.1")).unwrap();
        assert!(tmb.starts_with(".ie"), "{}", &tmb[..40]);
        assert!(tmb.contains(".TH immunoprofile-tmb 1"), "{tmb}");
        assert!(tmb.contains("min\\-vaf"), "the flags are on the page");
        assert!(tmb.contains("Examples:"), "the examples are on the page");
        assert!(dir.join("immunoprofile-msi-scan.1").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
