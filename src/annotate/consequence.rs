//! Sequence Ontology consequence terms, ranked as Ensembl VEP ranks them, with the classes the
//! stages count (coding, nonsynonymous). snpEff's own spellings map onto the same terms.

use serde::{Serialize, Serializer};

/// VEP's IMPACT classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Impact {
    High,
    Moderate,
    Low,
    Modifier,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::High => "HIGH",
            Impact::Moderate => "MODERATE",
            Impact::Low => "LOW",
            Impact::Modifier => "MODIFIER",
        }
    }
}

macro_rules! consequences {
    ($( $variant:ident = $term:literal, $impact:ident, $class:ident; )*) => {
        /// A Sequence Ontology consequence term. Declaration order is VEP's severity order (most
        /// severe first), so `Ord` ranks them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Consequence { $( $variant, )* }

        const ALL: &[(Consequence, &str, Impact, Class)] = &[
            $( (Consequence::$variant, $term, Impact::$impact, Class::$class), )*
        ];
    };
}

/// Which TMB/peptide class a term belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Changes the protein sequence (or its splicing): counted as nonsynonymous.
    NonSynonymous,
    /// In the coding sequence without changing the protein.
    CodingSilent,
    Other,
}

// Ensembl VEP's consequence table (Constants.pm, OVERLAP_CONSEQUENCES), most severe first,
// followed by terms only snpEff writes.
consequences! {
    TranscriptAblation = "transcript_ablation", High, NonSynonymous;
    SpliceAcceptorVariant = "splice_acceptor_variant", High, NonSynonymous;
    SpliceDonorVariant = "splice_donor_variant", High, NonSynonymous;
    StopGained = "stop_gained", High, NonSynonymous;
    FrameshiftVariant = "frameshift_variant", High, NonSynonymous;
    StopLost = "stop_lost", High, NonSynonymous;
    StartLost = "start_lost", High, NonSynonymous;
    TranscriptAmplification = "transcript_amplification", High, Other;
    FeatureElongation = "feature_elongation", High, Other;
    FeatureTruncation = "feature_truncation", High, Other;
    InframeInsertion = "inframe_insertion", Moderate, NonSynonymous;
    InframeDeletion = "inframe_deletion", Moderate, NonSynonymous;
    MissenseVariant = "missense_variant", Moderate, NonSynonymous;
    ProteinAlteringVariant = "protein_altering_variant", Moderate, NonSynonymous;
    SpliceDonor5thBaseVariant = "splice_donor_5th_base_variant", Low, Other;
    SpliceRegionVariant = "splice_region_variant", Low, Other;
    SpliceDonorRegionVariant = "splice_donor_region_variant", Low, Other;
    SplicePolypyrimidineTractVariant = "splice_polypyrimidine_tract_variant", Low, Other;
    IncompleteTerminalCodonVariant = "incomplete_terminal_codon_variant", Low, CodingSilent;
    StartRetainedVariant = "start_retained_variant", Low, CodingSilent;
    StopRetainedVariant = "stop_retained_variant", Low, CodingSilent;
    SynonymousVariant = "synonymous_variant", Low, CodingSilent;
    CodingSequenceVariant = "coding_sequence_variant", Modifier, CodingSilent;
    MatureMirnaVariant = "mature_miRNA_variant", Modifier, Other;
    FivePrimeUtrVariant = "5_prime_UTR_variant", Modifier, Other;
    ThreePrimeUtrVariant = "3_prime_UTR_variant", Modifier, Other;
    NonCodingTranscriptExonVariant = "non_coding_transcript_exon_variant", Modifier, Other;
    IntronVariant = "intron_variant", Modifier, Other;
    NmdTranscriptVariant = "NMD_transcript_variant", Modifier, Other;
    NonCodingTranscriptVariant = "non_coding_transcript_variant", Modifier, Other;
    CodingTranscriptVariant = "coding_transcript_variant", Modifier, Other;
    UpstreamGeneVariant = "upstream_gene_variant", Modifier, Other;
    DownstreamGeneVariant = "downstream_gene_variant", Modifier, Other;
    TfbsAblation = "TFBS_ablation", Modifier, Other;
    TfbsAmplification = "TFBS_amplification", Modifier, Other;
    TfBindingSiteVariant = "TF_binding_site_variant", Modifier, Other;
    RegulatoryRegionAblation = "regulatory_region_ablation", Modifier, Other;
    RegulatoryRegionAmplification = "regulatory_region_amplification", Modifier, Other;
    RegulatoryRegionVariant = "regulatory_region_variant", Modifier, Other;
    IntergenicVariant = "intergenic_variant", Modifier, Other;
    SequenceVariant = "sequence_variant", Modifier, Other;
    // snpEff-only terms.
    ExonLossVariant = "exon_loss_variant", High, NonSynonymous;
    RareAminoAcidVariant = "rare_amino_acid_variant", High, NonSynonymous;
    GeneFusion = "gene_fusion", High, Other;
    BidirectionalGeneFusion = "bidirectional_gene_fusion", High, Other;
    FivePrimeUtrPrematureStartCodonGainVariant = "5_prime_UTR_premature_start_codon_gain_variant", Low, Other;
    IntragenicVariant = "intragenic_variant", Modifier, Other;
    ConservedIntronVariant = "conserved_intron_variant", Modifier, Other;
    ConservedIntergenicVariant = "conserved_intergenic_variant", Modifier, Other;
    SequenceFeature = "sequence_feature", Modifier, Other;
    StructuralInteractionVariant = "structural_interaction_variant", Modifier, Other;
    ProteinProteinContact = "protein_protein_contact", Modifier, Other;
}

impl Consequence {
    /// Parses a term as VEP or snpEff writes it; snpEff's synonyms map to the SO term VEP uses.
    pub fn parse(term: &str) -> Option<Self> {
        let canonical = match term {
            "conservative_inframe_insertion" | "disruptive_inframe_insertion" => {
                "inframe_insertion"
            }
            "conservative_inframe_deletion" | "disruptive_inframe_deletion" => "inframe_deletion",
            "intergenic_region" => "intergenic_variant",
            "non_coding_exon_variant" => "non_coding_transcript_exon_variant",
            "initiator_codon_variant" | "start_retained" => "start_retained_variant",
            "exon_loss" => "exon_loss_variant",
            "5_prime_UTR_truncation" | "3_prime_UTR_truncation" => "feature_truncation",
            other => other,
        };
        ALL.iter()
            .find(|(_, t, _, _)| *t == canonical)
            .map(|(c, ..)| *c)
    }

    fn entry(self) -> &'static (Consequence, &'static str, Impact, Class) {
        // ALL is in declaration order, so the discriminant indexes it.
        &ALL[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.entry().1
    }

    pub fn impact(self) -> Impact {
        self.entry().2
    }

    /// Changes the protein: missense, nonsense, frameshift, in-frame indels, start/stop loss,
    /// splice donor/acceptor (±1–2 bp).
    pub fn is_nonsynonymous(self) -> bool {
        self.entry().3 == Class::NonSynonymous
    }

    /// In the coding sequence: nonsynonymous ones plus synonymous, start/stop retained,
    /// incomplete terminal codon and unspecified coding changes.
    pub fn is_coding(self) -> bool {
        matches!(self.entry().3, Class::NonSynonymous | Class::CodingSilent)
    }
}

impl std::fmt::Display for Consequence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Consequence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_discriminant() {
        for (i, (c, ..)) in ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }

    #[test]
    fn severity_order_follows_vep() {
        assert!(Consequence::StopGained < Consequence::MissenseVariant);
        assert!(Consequence::MissenseVariant < Consequence::SpliceRegionVariant);
        assert!(Consequence::SynonymousVariant < Consequence::IntronVariant);
        assert_eq!(Consequence::FrameshiftVariant.impact(), Impact::High);
    }

    #[test]
    fn snpeff_synonyms() {
        assert_eq!(
            Consequence::parse("disruptive_inframe_deletion"),
            Some(Consequence::InframeDeletion)
        );
        assert_eq!(
            Consequence::parse("intergenic_region"),
            Some(Consequence::IntergenicVariant)
        );
        assert_eq!(Consequence::parse("no_such_term"), None);
    }

    #[test]
    fn classes() {
        assert!(Consequence::SpliceDonorVariant.is_nonsynonymous());
        assert!(!Consequence::SpliceRegionVariant.is_coding());
        assert!(Consequence::SynonymousVariant.is_coding());
        assert!(!Consequence::SynonymousVariant.is_nonsynonymous());
        assert!(!Consequence::FivePrimeUtrVariant.is_coding());
    }
}
