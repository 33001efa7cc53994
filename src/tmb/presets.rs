//! Published TMB definitions. A preset fills the filters; options given explicitly override it.
//! Sources are cited in the README ("TMB presets").

use serde::{Deserialize, Serialize};

use crate::tmb::filters::{CountClass, FilterParams};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// FoundationOne CDx-like (Chalmers et al. 2017): coding SNVs and indels, synonymous
    /// included, VAF >= 5%, germline removed by population frequency.
    FoundationOneCdx,
    /// MSK-IMPACT-like (Zehir et al. 2017; Cheng et al. 2015): nonsynonymous SNVs and indels,
    /// depth >= 20, >= 8 alt reads, VAF >= 5%.
    MskImpact,
    /// pyTMB's README whole-exome recipe: PASS, VAF >= 0.05, depth >= 20, >= 2 alt reads,
    /// population AF < 0.001, non-coding and synonymous removed, 33.28 Mb by default.
    PytmbWes,
}

/// Filter values left unset by the user (`None`) are taken from the preset, then the defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FilterOverrides {
    pub pass_only: Option<bool>,
    pub min_depth: Option<u32>,
    pub min_alt_reads: Option<u32>,
    pub min_vaf: Option<f64>,
    pub max_vaf: Option<f64>,
    pub max_population_af: Option<f64>,
    pub population_af_fields: Option<Vec<String>>,
    pub count: Option<CountClass>,
    pub exclude_indels: Option<bool>,
    pub min_normal_depth: Option<u32>,
    pub max_normal_vaf: Option<f64>,
    pub varscan_somatic_status: Option<Vec<u8>>,
}

impl Preset {
    /// The filters this preset sets.
    pub fn filters(self) -> FilterOverrides {
        match self {
            Preset::FoundationOneCdx => FilterOverrides {
                pass_only: Some(true),
                min_vaf: Some(0.05),
                // "two or more counts in ExAC" removed as germline: about 1.6e-5 of 121,412
                // alleles; 1e-5 keeps the same side of that line for gnomAD-sized cohorts.
                max_population_af: Some(0.00001),
                count: Some(CountClass::Coding),
                exclude_indels: Some(false),
                ..Default::default()
            },
            Preset::MskImpact => FilterOverrides {
                pass_only: Some(true),
                min_depth: Some(20),
                min_alt_reads: Some(8),
                min_vaf: Some(0.05),
                count: Some(CountClass::Nonsynonymous),
                exclude_indels: Some(false),
                ..Default::default()
            },
            Preset::PytmbWes => FilterOverrides {
                pass_only: Some(true),
                min_depth: Some(20),
                min_alt_reads: Some(2),
                min_vaf: Some(0.05),
                max_population_af: Some(0.001),
                count: Some(CountClass::Nonsynonymous),
                exclude_indels: Some(false),
                ..Default::default()
            },
        }
    }

    /// The effective size the preset assumes when neither targets nor a size are given.
    pub fn default_effective_size(self) -> Option<u64> {
        match self {
            Preset::PytmbWes => Some(33_280_000),
            _ => None,
        }
    }
}

impl FilterOverrides {
    /// Explicit values win over the preset's, which win over the defaults.
    pub fn resolve(&self, preset: Option<Preset>) -> FilterParams {
        let p = preset.map(Preset::filters).unwrap_or_default();
        let d = FilterParams::default();
        FilterParams {
            pass_only: self.pass_only.or(p.pass_only).unwrap_or(d.pass_only),
            min_depth: self.min_depth.or(p.min_depth),
            min_alt_reads: self.min_alt_reads.or(p.min_alt_reads),
            min_vaf: self.min_vaf.or(p.min_vaf),
            max_vaf: self.max_vaf.or(p.max_vaf),
            max_population_af: self.max_population_af.or(p.max_population_af),
            population_af_fields: self
                .population_af_fields
                .clone()
                .or(p.population_af_fields)
                .unwrap_or(d.population_af_fields),
            count: self.count.or(p.count).unwrap_or(d.count),
            varscan_somatic_status: self
                .varscan_somatic_status
                .clone()
                .unwrap_or(d.varscan_somatic_status),
            exclude_indels: self
                .exclude_indels
                .or(p.exclude_indels)
                .unwrap_or(d.exclude_indels),
            min_normal_depth: self.min_normal_depth.or(p.min_normal_depth),
            max_normal_vaf: self.max_normal_vaf.or(p.max_normal_vaf),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_values_override_the_preset() {
        let o = FilterOverrides {
            min_vaf: Some(0.1),
            ..Default::default()
        };
        let f = o.resolve(Some(Preset::MskImpact));
        assert_eq!(f.min_vaf, Some(0.1));
        assert_eq!(f.min_alt_reads, Some(8));
        assert_eq!(f.count, CountClass::Nonsynonymous);
        let f = FilterOverrides::default().resolve(None);
        assert_eq!(f, FilterParams::default());
    }
}
