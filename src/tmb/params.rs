//! The `tmb` filter options and the reasons an allele is not counted.

use serde::{Deserialize, Serialize};

/// Which variants make the numerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum CountClass {
    /// Protein-changing: missense, nonsense, frameshift, in-frame indels, start/stop loss,
    /// splice donor/acceptor.
    Nonsynonymous,
    /// Anything in the coding sequence, synonymous included.
    Coding,
    /// Every variant that passes the other filters (no annotation needed).
    All,
}

/// The filters of the numerator. `None` switches a filter off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilterParams {
    pub pass_only: bool,
    pub min_depth: Option<u32>,
    pub min_alt_reads: Option<u32>,
    pub min_vaf: Option<f64>,
    pub max_vaf: Option<f64>,
    pub max_population_af: Option<f64>,
    /// Annotation (CSQ) or INFO fields holding population allele frequencies.
    pub population_af_fields: Vec<String>,
    pub count: CountClass,
    pub exclude_indels: bool,
    pub min_normal_depth: Option<u32>,
    pub max_normal_vaf: Option<f64>,
    /// VarScan2 somatic statuses (INFO/SS) counted, on records read by the VarScan2 rule: 2
    /// (somatic) by default; 1 is germline, 3 LOH, 0 reference, 5 unknown.
    pub varscan_somatic_status: Vec<u8>,
}

/// Population-frequency fields read when none are named: gnomAD and VEP's maximum. INFO/AF is
/// deliberately absent: in most VCFs it is the cohort's allele frequency, not a population's.
pub const DEFAULT_POPULATION_AF_FIELDS: &[&str] = &[
    "gnomAD_AF",
    "gnomADe_AF",
    "gnomADg_AF",
    "gnomAD_exomes_AF",
    "gnomAD_genomes_AF",
    "MAX_AF",
    "AF_popmax",
];

impl Default for FilterParams {
    fn default() -> Self {
        Self {
            pass_only: true,
            min_depth: None,
            min_alt_reads: None,
            min_vaf: None,
            max_vaf: None,
            max_population_af: None,
            population_af_fields: DEFAULT_POPULATION_AF_FIELDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            count: CountClass::Nonsynonymous,
            exclude_indels: false,
            min_normal_depth: None,
            max_normal_vaf: None,
            varscan_somatic_status: vec![2],
        }
    }
}

macro_rules! reasons {
    ($( $v:ident = $s:literal ),* $(,)?) => {
        /// Why an allele is not counted (the first filter that applies, in this order).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum Reason { $( $v, )* }
        impl Reason {
            pub const ALL: &'static [Reason] = &[ $( Reason::$v, )* ];
            pub fn as_str(self) -> &'static str {
                match self { $( Reason::$v => $s, )* }
            }
        }
    };
}

reasons! {
    NoAlt = "no_alt",
    SpanningDeletion = "spanning_deletion",
    Symbolic = "symbolic_allele",
    OutsideTargets = "outside_targets",
    NotPass = "not_pass",
    VarscanGermline = "varscan_germline",
    VarscanLoh = "varscan_loh",
    VarscanNotSomatic = "varscan_not_somatic",
    NotInSample = "genotype_lacks_allele",
    Indel = "indel_excluded",
    MissingDepth = "missing_depth",
    LowDepth = "low_depth",
    MissingAltReads = "missing_alt_reads",
    LowAltReads = "low_alt_reads",
    MissingVaf = "missing_vaf",
    LowVaf = "low_vaf",
    HighVaf = "high_vaf",
    MissingNormalDepth = "missing_normal_depth",
    LowNormalDepth = "low_normal_depth",
    HighNormalVaf = "high_normal_vaf",
    PopulationAf = "population_af",
    NoAnnotation = "no_annotation",
    NotCoding = "not_coding",
    NotNonsynonymous = "not_nonsynonymous",
}
