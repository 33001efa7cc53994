//! `immunoprofile completions SHELL` and `immunoprofile man DIR`: shell completions and man pages
//! generated from the clap definitions, so they cannot drift from the parser.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::error::{Error, Result};
use crate::io::output::AtomicFile;

pub const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  immunoprofile completions bash > ~/.local/share/bash-completion/completions/immunoprofile
  immunoprofile completions zsh > ~/.zfunc/_immunoprofile
  immunoprofile completions fish > ~/.config/fish/completions/immunoprofile.fish";

/// Print a completion script for a shell on stdout.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// # Errors
/// Writing to stdout fails (a closed pipe is quiet in the binary).
pub fn completions(args: CompletionsArgs) -> Result<()> {
    let mut cmd = super::Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "immunoprofile", &mut buf);
    std::io::stdout()
        .lock()
        .write_all(&buf)
        .map_err(|e| Error::io("<stdout>", e))
}

pub const MAN_EXAMPLES: &str = "\
Examples:
  immunoprofile man /usr/local/share/man/man1
  immunoprofile man man1 && man -l man1/immunoprofile-tmb.1";

/// Write the man pages: immunoprofile.1 and one immunoprofile-SUBCOMMAND.1 per subcommand.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Folder to write the pages into (created when missing).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// # Errors
/// A page cannot be written.
pub fn man(args: ManArgs) -> Result<()> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let written = write_pages(&cmd, &args.dir)?;
    log::info!(
        "wrote {} man pages into {}",
        written.len(),
        args.dir.display()
    );
    Ok(())
}

/// The pages of `cmd` and, recursively, of its subcommands (`immunoprofile-msi-scan.1`); the
/// files written, in order.
///
/// # Errors
/// A page cannot be written.
pub fn write_pages(cmd: &clap::Command, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    write_page(cmd, cmd.get_name().to_string(), dir, &mut written)?;
    Ok(written)
}

fn write_page(
    cmd: &clap::Command,
    name: String,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> Result<()> {
    // The page's title is the full name (`immunoprofile-tmb`), as git's and cargo's pages are.
    let page = cmd.clone().name(name.clone());
    let path = dir.join(format!("{name}.1"));
    let mut file = AtomicFile::create(&path)?;
    clap_mangen::Man::new(page)
        .render(&mut file)
        .map_err(|e| Error::io(&path, e))?;
    written.push(file.commit()?);
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        write_page(sub, format!("{name}-{}", sub.get_name()), dir, written)?;
    }
    Ok(())
}
