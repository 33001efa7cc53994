//! Genomic coordinates. Inside the library every interval is 0-based and half-open; 1-based
//! positions from VCF, GTF and SAM text are converted once, at the reader.

pub mod codon;
pub mod contig;
pub mod interval;
pub mod transcript;

pub use contig::ContigMatcher;
pub use interval::{Interval, IntervalSet};
pub use transcript::{Coding, Transcript};

use serde::{Deserialize, Serialize};

/// Strand of a feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub enum Strand {
    #[serde(rename = "+")]
    Forward,
    #[serde(rename = "-")]
    Reverse,
    #[serde(rename = ".")]
    Unknown,
}

impl Strand {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "+" => Some(Strand::Forward),
            "-" => Some(Strand::Reverse),
            "." | "?" => Some(Strand::Unknown),
            _ => None,
        }
    }
}
