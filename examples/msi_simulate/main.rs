//! Writes the committed `msi` test case into `test-data/msi/` (or the folder given):
//! a 60-site reference, a tumour (18 unstable sites, purity 0.7) and its normal at 30x.
//!
//! ```text
//! cargo run --example msi_simulate -- test-data/msi
//! ```
//! The tests make larger cases (MSI-high, MSS, borderline, low coverage) at run time with the
//! same code (`sim.rs`); see `test-data/msi/README.md`.

mod sim;

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "test-data/msi".into()),
    );
    let spec = sim::CaseSpec {
        n_sites: 60,
        spacing: 250,
        n_unstable: 18,
        tumor: sim::SampleSpec::tumor(30, 0.7, 11),
        normal: sim::SampleSpec::normal(30, 12),
        seed: 2024,
    };
    let case = sim::make_case(&dir, &spec)?;
    println!(
        "wrote {} sites ({} unstable) to {}",
        case.planted.len(),
        case.unstable.iter().filter(|u| u.is_some()).count(),
        dir.display()
    );
    Ok(())
}
