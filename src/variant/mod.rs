//! The variant model every stage shares: records split into one allele per ALT, classified, with
//! the tumour (and normal) read support taken from the caller's FORMAT fields.

pub mod caller;
pub mod counts;
pub mod support;

pub use caller::{AlleleSupport, Caller};
pub use counts::{CountFields, CountTally};
pub use support::{ReadSupport, ReadSupportReport, SupportOptions, SupportRule, SupportTally};

use serde::{Deserialize, Serialize};

/// What kind of change an allele is, from REF and ALT alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantKind {
    Snv,
    /// Same-length substitution of two or more bases.
    Mnv,
    Insertion,
    Deletion,
    /// Different lengths and no shared padding base (e.g. `AT` > `GCC`).
    Complex,
    /// `<DEL>`, breakends and other symbolic alleles.
    Symbolic,
    /// `*`: a deletion upstream spans this position; not a new event.
    SpanningDeletion,
    /// `.` or empty ALT: no variant.
    NoAlt,
}

impl VariantKind {
    /// Classifies after trimming the bases REF and ALT share at both ends (VCF left-pads indels).
    pub fn classify(reference: &str, alt: &str) -> Self {
        match alt {
            "*" => return VariantKind::SpanningDeletion,
            "." | "" => return VariantKind::NoAlt,
            _ => {}
        }
        if alt.contains(['<', '[', ']']) || reference.contains('<') {
            return VariantKind::Symbolic;
        }
        let (r, a) = trim_shared(reference.as_bytes(), alt.as_bytes());
        match (r.len(), a.len()) {
            (0, 0) => VariantKind::NoAlt,
            (1, 1) => VariantKind::Snv,
            (x, y) if x == y => VariantKind::Mnv,
            (0, _) => VariantKind::Insertion,
            (_, 0) => VariantKind::Deletion,
            _ => VariantKind::Complex,
        }
    }

    /// Insertions, deletions and complex length-changing alleles.
    pub fn is_indel(self) -> bool {
        matches!(
            self,
            VariantKind::Insertion | VariantKind::Deletion | VariantKind::Complex
        )
    }
}

/// Drops the shared suffix, then the shared prefix: the minimal representation of a change.
pub fn trim_shared<'a>(mut r: &'a [u8], mut a: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    while let (Some(x), Some(y)) = (r.last(), a.last()) {
        if x.eq_ignore_ascii_case(y) {
            r = &r[..r.len() - 1];
            a = &a[..a.len() - 1];
        } else {
            break;
        }
    }
    while let (Some(x), Some(y)) = (r.first(), a.first()) {
        if x.eq_ignore_ascii_case(y) {
            r = &r[1..];
            a = &a[1..];
        } else {
            break;
        }
    }
    (r, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_alleles() {
        use VariantKind::*;
        assert_eq!(VariantKind::classify("A", "G"), Snv);
        assert_eq!(VariantKind::classify("AC", "GT"), Mnv);
        assert_eq!(VariantKind::classify("A", "AT"), Insertion);
        assert_eq!(VariantKind::classify("AT", "A"), Deletion);
        assert_eq!(VariantKind::classify("ATG", "GC"), Complex);
        // Padded multi-allelic representation: REF=ATT, ALT=AT is a 1-base deletion.
        assert_eq!(VariantKind::classify("ATT", "AT"), Deletion);
        assert_eq!(VariantKind::classify("ATT", "CTT"), Snv);
        assert_eq!(VariantKind::classify("A", "*"), SpanningDeletion);
        assert_eq!(VariantKind::classify("A", "<DEL>"), Symbolic);
        assert_eq!(VariantKind::classify("A", "."), NoAlt);
        assert!(Deletion.is_indel() && !Mnv.is_indel());
    }
}
