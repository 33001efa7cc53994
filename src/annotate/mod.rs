//! The annotation model: one entry per (ALT allele, transcript), read from Ensembl VEP `CSQ` or
//! snpEff `ANN` by the field names in the header, never by position.

pub mod consequence;
pub mod engine;
pub mod fields;
pub mod hgvs;
pub mod model;
pub mod refcheck;
pub mod stage;
pub mod writer;

pub use consequence::{Consequence, Impact};
pub use engine::{
    annotate_allele, annotate_allele_with, annotate_record, annotate_record_with, window_for,
    Allele, RefWindow,
};
pub use fields::{AnnotationSchema, AnnotationSource, Entry};
pub use model::{ModelOptions, ModelReport, TranscriptModel};

use std::collections::BTreeMap;

use serde::Serialize;

/// A GTF + FASTA pair given as `--gtf/--fasta` to a stage that annotates in memory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InMemoryAnnotation {
    pub gtf: std::path::PathBuf,
    pub fasta: std::path::PathBuf,
    /// Go on when the GTF does not translate against the FASTA or the VCF's REF disagrees with
    /// it (`--allow-mismatch`).
    pub allow_mismatch: bool,
}

impl InMemoryAnnotation {
    /// Loads the transcript model (sequences included, so annotation needs no FASTA access).
    ///
    /// # Errors
    /// As [`model::TranscriptModel::from_gtf`].
    pub fn load(&self) -> crate::Result<model::TranscriptModel> {
        let mut reference = crate::io::fasta::Reference::open(&self.fasta)?;
        let model = model::TranscriptModel::from_gtf(
            &self.gtf,
            &mut reference,
            model::ModelOptions {
                allow_mismatch: self.allow_mismatch,
            },
        )?;
        log::info!(
            "annotating in memory with {} transcripts from {}",
            model.report().transcripts,
            self.gtf.display()
        );
        Ok(model)
    }

    /// Checks the REF of every record of `vcf` against the FASTA (see [`refcheck`]); `None` for
    /// stdin, which cannot be read twice (a warning says so).
    ///
    /// # Errors
    /// As [`refcheck::check_vcf`].
    pub fn check_ref(
        &self,
        vcf: &std::path::Path,
    ) -> crate::Result<Option<refcheck::RefCheckReport>> {
        if vcf == std::path::Path::new("-") {
            log::warn!("the VCF comes from stdin: its REF is not checked against {} (give a file to check it)", self.fasta.display());
            return Ok(None);
        }
        let mut reference = crate::io::fasta::Reference::open(&self.fasta)?;
        refcheck::check_vcf(vcf, &mut reference, self.allow_mismatch).map(Some)
    }
}

/// One allele's effect on one feature (usually a transcript), whatever tool annotated it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TranscriptAnnotation {
    /// The allele as the annotator wrote it (VEP trims the shared first base: `-` for a deletion).
    pub allele: String,
    /// SO terms, most severe first.
    pub consequences: Vec<Consequence>,
    /// Terms we do not know, kept verbatim.
    pub other_terms: Vec<String>,
    pub impact: Option<Impact>,
    pub symbol: Option<String>,
    pub gene_id: Option<String>,
    pub feature_type: Option<String>,
    pub transcript_id: Option<String>,
    pub biotype: Option<String>,
    pub exon: Option<String>,
    pub intron: Option<String>,
    pub hgvsc: Option<String>,
    pub hgvsp: Option<String>,
    pub cdna_position: Option<String>,
    pub cds_position: Option<String>,
    /// As written: `123`, `123-124`, or `123/456` (snpEff); see [`TranscriptAnnotation::protein_start`].
    pub protein_position: Option<String>,
    /// `R/H` (VEP style); derived from HGVSp for snpEff.
    pub amino_acids: Option<String>,
    pub codons: Option<String>,
    pub strand: Option<i8>,
    pub canonical: bool,
    pub mane_select: Option<String>,
    pub tsl: Option<String>,
    /// VEP FLAGS such as `cds_start_NF`, `cds_end_NF`.
    pub flags: Option<String>,
    pub wildtype_protein: Option<String>,
    pub frameshift_sequence: Option<String>,
    /// Every other non-empty field, by header name.
    pub extra: BTreeMap<String, String>,
}

impl TranscriptAnnotation {
    /// The most severe consequence, if any known term is present.
    pub fn most_severe(&self) -> Option<Consequence> {
        self.consequences.first().copied()
    }

    /// First protein position (1-based) of the change.
    pub fn protein_start(&self) -> Option<u32> {
        let p = self.protein_position.as_deref()?;
        let first = p.split(['-', '/']).next()?;
        first.trim().parse().ok()
    }

    /// Whether the transcript's CDS is incomplete at its start or end.
    pub fn incomplete_cds(&self) -> bool {
        self.flags
            .as_deref()
            .is_some_and(|f| f.contains("cds_start_NF") || f.contains("cds_end_NF"))
    }
}

/// Three-letter amino-acid code to one letter (HGVS p. notation); `Ter`/`*` is `*`.
pub fn amino_acid_one_letter(three: &str) -> Option<char> {
    Some(match three {
        "Ala" => 'A',
        "Arg" => 'R',
        "Asn" => 'N',
        "Asp" => 'D',
        "Cys" => 'C',
        "Gln" => 'Q',
        "Glu" => 'E',
        "Gly" => 'G',
        "His" => 'H',
        "Ile" => 'I',
        "Leu" => 'L',
        "Lys" => 'K',
        "Met" => 'M',
        "Phe" => 'F',
        "Pro" => 'P',
        "Ser" => 'S',
        "Thr" => 'T',
        "Trp" => 'W',
        "Tyr" => 'Y',
        "Val" => 'V',
        "Sec" => 'U',
        "Pyl" => 'O',
        "Ter" | "*" => '*',
        "Xaa" => 'X',
        _ => return None,
    })
}
