//! `immunoprofile stages`: the stage table (names, dependencies, output files), for tools that
//! drive the stages themselves (the Snakefile, Nextflow tests).

use clap::Args;

use crate::error::{Error, Result};
use crate::stage::STAGES;

/// Shown after `immunoprofile stages --help`.
pub const EXAMPLES: &str = "\
Examples:
  immunoprofile stages
  immunoprofile stages --json | jq '.[].name'";

/// List the stages: name, the stages each reads from, the files each writes.
#[derive(Debug, Args)]
pub struct StagesArgs {
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// # Errors
/// Writing to stdout fails (a closed pipe is quiet in the binary).
pub fn run(args: StagesArgs) -> Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e| Error::io("<stdout>", e);
    if args.json {
        let text = serde_json::to_string_pretty(STAGES)
            .map_err(|e| Error::Internal(format!("cannot serialise the stages: {e}")))?;
        writeln!(out, "{text}").map_err(io)?;
        return Ok(());
    }
    writeln!(
        out,
        "stage\tafter\toutputs (PREFIX.*; ? = not always written)"
    )
    .map_err(io)?;
    for s in STAGES {
        let outputs: Vec<String> = s
            .outputs
            .iter()
            .map(|o| format!("{}{}", o.suffix, if o.required { "" } else { "?" }))
            .collect();
        writeln!(
            out,
            "{}\t{}\t{}",
            s.name,
            if s.after.is_empty() {
                "-".to_string()
            } else {
                s.after.join(",")
            },
            outputs.join(" ")
        )
        .map_err(io)?;
    }
    Ok(())
}
