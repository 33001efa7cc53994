//! `immunoprofile signatures`.
use crate::error::Result;
use clap::Args;
#[derive(Debug, Args)]
pub struct SignaturesArgs {}
pub fn run(_a: SignaturesArgs) -> Result<()> {
    Ok(())
}
