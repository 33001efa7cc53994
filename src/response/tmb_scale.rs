//! Putting a TMB measured by another assay (whole exome, another panel) on the scale of the
//! training panel (MSK-IMPACT, nonsynonymous mutations per Mb), with the uncertainty this adds.
//!
//! The Friends of Cancer Research TMB Harmonization Project (Merino et al., J Immunother Cancer
//! 2020;8:e000147) compared panel TMB with whole-exome TMB computed from the same TCGA calls:
//! panel and WES TMB are linearly related, but the relation (slope, intercept) differs between
//! panels and pipelines, and the spread of panel TMB around WES TMB grows as the panel gets
//! smaller, because a panel counts few mutations. We therefore (1) apply a linear calibration
//! `panel = intercept + slope × other`, defaulting to the identity (both count nonsynonymous
//! coding mutations per Mb; no published calibration of MSK-IMPACT against a given exome pipeline
//! is assumed), which a laboratory replaces with its own calibration against a reference set as
//! Merino et al. recommend; and (2) add the sampling noise the training panel itself would have
//! had: a panel with a TMB territory of `L` Mb observes a Poisson count with mean `TMB × L`, so
//! the panel-scale value has standard deviation √(TMB / L). Residual calibration error, when
//! the laboratory knows it, is added in quadrature.

use serde::Serialize;

/// TMB territory (Mb) of the MSK-IMPACT versions in the training era (341, 410 and 468 genes:
/// 0.98, 1.06 and 1.22 Mb, as used by Samstein et al. 2019); the smallest is used, which gives
/// the widest (most conservative) noise.
pub const PANEL_TERRITORY_MB: f64 = 0.98;

/// Which assay measured the TMB.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum TmbSource {
    /// Already on the MSK-IMPACT scale: used as is.
    TrainingPanel,
    /// Whole exome or another assay, with a linear calibration to the training panel
    /// (`panel = intercept + slope × value`) and the residual SD of that calibration
    /// (mutations/Mb; 0 when unknown).
    Other {
        slope: f64,
        intercept: f64,
        residual_sd: f64,
    },
}

impl TmbSource {
    /// Whole exome with the default identity calibration and no known residual.
    pub const WES_IDENTITY: TmbSource = TmbSource::Other {
        slope: 1.0,
        intercept: 0.0,
        residual_sd: 0.0,
    };
}

/// A TMB on the training panel's scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PanelTmb {
    pub tmb: f64,
    /// Standard deviation (mutations/Mb) to carry into the model (`FeatureRow::tmb_sd`).
    pub sd: f64,
}

/// Converts `value` (mutations/Mb) from `source` to the training panel's scale.
pub fn to_panel_scale(value: f64, source: TmbSource) -> PanelTmb {
    match source {
        TmbSource::TrainingPanel => PanelTmb {
            tmb: value,
            sd: 0.0,
        },
        TmbSource::Other {
            slope,
            intercept,
            residual_sd,
        } => {
            let tmb = (intercept + slope * value).max(0.0);
            // Poisson noise of a panel count; at TMB 0 use the noise of one mutation so that a
            // zero from another assay is not treated as exact.
            let poisson_var = tmb.max(1.0 / PANEL_TERRITORY_MB) / PANEL_TERRITORY_MB;
            PanelTmb {
                tmb,
                sd: (poisson_var + residual_sd * residual_sd).sqrt(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wes_tmb_gets_poisson_noise_of_the_panel() {
        let p = to_panel_scale(9.8, TmbSource::WES_IDENTITY);
        assert_eq!(p.tmb, 9.8);
        // 9.8 / 0.98 = 10 → sd √10.
        assert!((p.sd - 10f64.sqrt()).abs() < 1e-12);
        let q = to_panel_scale(
            10.0,
            TmbSource::Other {
                slope: 0.5,
                intercept: 1.0,
                residual_sd: 2.0,
            },
        );
        assert_eq!(q.tmb, 6.0);
        assert!((q.sd - (6.0 / 0.98 + 4.0f64).sqrt()).abs() < 1e-12);
        assert_eq!(to_panel_scale(3.0, TmbSource::TrainingPanel).sd, 0.0);
    }
}
