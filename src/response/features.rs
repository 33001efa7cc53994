//! Model inputs: the training table's columns, their codings (Chowell et al. 2022), how a text
//! cell is read, which values are impossible, and the design columns the model sees.

use serde::Serialize;

/// The 16 cancer types of the training cohort (its `CancerType` column, same spelling).
/// NSCLC, the largest group, is the reference level of the one-hot coding.
pub const CANCER_TYPES: [&str; 16] = [
    "NSCLC",
    "Bladder",
    "Breast",
    "Colorectal",
    "Endometrial",
    "Esophageal",
    "Gastric",
    "Head & Neck",
    "Hepatobiliary",
    "Melanoma",
    "Mesothelioma",
    "Ovarian",
    "Pancreatic",
    "Renal",
    "SCLC",
    "Sarcoma",
];

/// Other spellings accepted for a cancer type (lower case, after trimming).
const CANCER_ALIASES: [(&str, &str); 14] = [
    ("non-small cell lung cancer", "NSCLC"),
    ("lung adenocarcinoma", "NSCLC"),
    ("lung squamous cell carcinoma", "NSCLC"),
    ("small cell lung cancer", "SCLC"),
    ("head and neck", "Head & Neck"),
    ("hnscc", "Head & Neck"),
    ("head & neck", "Head & Neck"),
    ("urothelial", "Bladder"),
    ("bladder cancer", "Bladder"),
    ("kidney", "Renal"),
    ("rcc", "Renal"),
    ("esophagogastric", "Gastric"),
    ("crc", "Colorectal"),
    ("skin cutaneous melanoma", "Melanoma"),
];

/// Cancer-type cells that mean "not known": scored as a missing input (documented fallback).
const CANCER_UNKNOWN: [&str; 5] = ["other", "unknown", "na", "n/a", "."];

/// One model input: the column name in the feature table and in the training CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Input {
    Tmb,
    Pdl1,
    PriorTherapy,
    Albumin,
    CancerType,
    Nlr,
    Age,
    Fcna,
    Drug,
    Sex,
    Msi,
    Stage,
    HlaLoh,
    Hed,
    Platelets,
    Hgb,
    Bmi,
}

impl Input {
    pub const ALL: [Input; 17] = [
        Input::Tmb,
        Input::Pdl1,
        Input::PriorTherapy,
        Input::Albumin,
        Input::CancerType,
        Input::Nlr,
        Input::Age,
        Input::Fcna,
        Input::Drug,
        Input::Sex,
        Input::Msi,
        Input::Stage,
        Input::HlaLoh,
        Input::Hed,
        Input::Platelets,
        Input::Hgb,
        Input::Bmi,
    ];

    /// The genomic inputs (tumour sequencing and HLA typing only).
    pub const GENOMIC: [Input; 5] = [
        Input::Tmb,
        Input::Fcna,
        Input::Hed,
        Input::HlaLoh,
        Input::Msi,
    ];

    /// Column name in the training file (and in `--features` tables).
    pub fn column(self) -> &'static str {
        match self {
            Input::Tmb => "TMB",
            Input::Pdl1 => "PDL1_TPS(%)",
            Input::PriorTherapy => "Systemic_therapy_history",
            Input::Albumin => "Albumin",
            Input::CancerType => "CancerType",
            Input::Nlr => "NLR",
            Input::Age => "Age",
            Input::Fcna => "FCNA",
            Input::Drug => "Drug",
            Input::Sex => "Sex",
            Input::Msi => "MSI",
            Input::Stage => "Stage",
            Input::HlaLoh => "HLA_LOH",
            Input::Hed => "HED",
            Input::Platelets => "Platelets",
            Input::Hgb => "HGB",
            Input::Bmi => "BMI",
        }
    }

    pub fn from_column(name: &str) -> Option<Input> {
        Input::ALL.into_iter().find(|i| i.column() == name.trim())
    }

    /// Allowed range of a numeric input (inclusive), with a hint for values outside it.
    fn range(self) -> Option<(f64, f64, &'static str)> {
        Some(match self {
            Input::Tmb => (0.0, 1000.0, "nonsynonymous mutations per Mb"),
            Input::Pdl1 => (0.0, 100.0, "tumour proportion score in percent"),
            Input::Albumin => (0.5, 7.0, "g/dL (a value like 38 is g/L: divide by 10)"),
            Input::Nlr => (0.01, 500.0, "neutrophil/lymphocyte ratio, must be > 0"),
            Input::Age => (0.0, 120.0, "years"),
            Input::Fcna => (0.0, 1.0, "a fraction of the genome between 0 and 1"),
            Input::Hed => (0.0, 215.0, "mean Grantham distance, 0 to 215"),
            Input::Platelets => (1.0, 3000.0, "10^9/L"),
            Input::Hgb => (2.0, 25.0, "g/dL (a value like 120 is g/L: divide by 10)"),
            Input::Bmi => (8.0, 100.0, "kg/m^2"),
            _ => return None,
        })
    }
}

/// One patient's inputs; `None` is a missing value. Codings are those of the training file
/// (see the README's `response` section).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FeatureRow {
    pub sample: String,
    /// TMB on the MSK-IMPACT scale (nonsynonymous mutations/Mb); see [`crate::response::tmb_scale`]
    /// for other assays.
    pub tmb: Option<f64>,
    /// Standard deviation of `tmb` from putting another assay on the panel scale (0 or `None`
    /// when measured on the training panel).
    pub tmb_sd: Option<f64>,
    /// PD-L1 tumour proportion score, percent.
    pub pdl1_tps: Option<f64>,
    /// Prior chemotherapy or targeted therapy.
    pub prior_therapy: Option<bool>,
    /// Serum albumin, g/dL.
    pub albumin: Option<f64>,
    /// One of [`CANCER_TYPES`].
    pub cancer_type: Option<&'static str>,
    pub nlr: Option<f64>,
    pub age: Option<f64>,
    pub fcna: Option<f64>,
    /// Anti-PD-1/PD-L1 combined with anti-CTLA-4 (training `Drug` = 1).
    pub drug_combination: Option<bool>,
    /// Training `Sex` = 1 (male; see README on this coding).
    pub sex_male: Option<bool>,
    pub msi_high: Option<bool>,
    /// Stage IV at the start of immunotherapy (training `Stage` = 1).
    pub stage_iv: Option<bool>,
    pub hla_loh: Option<bool>,
    pub hed: Option<f64>,
    pub platelets: Option<f64>,
    pub hgb: Option<f64>,
    pub bmi: Option<f64>,
}

impl FeatureRow {
    /// Whether `input` has a value.
    pub fn has(&self, input: Input) -> bool {
        match input {
            Input::Tmb => self.tmb.is_some(),
            Input::Pdl1 => self.pdl1_tps.is_some(),
            Input::PriorTherapy => self.prior_therapy.is_some(),
            Input::Albumin => self.albumin.is_some(),
            Input::CancerType => self.cancer_type.is_some(),
            Input::Nlr => self.nlr.is_some(),
            Input::Age => self.age.is_some(),
            Input::Fcna => self.fcna.is_some(),
            Input::Drug => self.drug_combination.is_some(),
            Input::Sex => self.sex_male.is_some(),
            Input::Msi => self.msi_high.is_some(),
            Input::Stage => self.stage_iv.is_some(),
            Input::HlaLoh => self.hla_loh.is_some(),
            Input::Hed => self.hed.is_some(),
            Input::Platelets => self.platelets.is_some(),
            Input::Hgb => self.hgb.is_some(),
            Input::Bmi => self.bmi.is_some(),
        }
    }

    /// Drops `input` (sets it missing).
    pub fn clear(&mut self, input: Input) {
        match input {
            Input::Tmb => {
                self.tmb = None;
                self.tmb_sd = None;
            }
            Input::Pdl1 => self.pdl1_tps = None,
            Input::PriorTherapy => self.prior_therapy = None,
            Input::Albumin => self.albumin = None,
            Input::CancerType => self.cancer_type = None,
            Input::Nlr => self.nlr = None,
            Input::Age => self.age = None,
            Input::Fcna => self.fcna = None,
            Input::Drug => self.drug_combination = None,
            Input::Sex => self.sex_male = None,
            Input::Msi => self.msi_high = None,
            Input::Stage => self.stage_iv = None,
            Input::HlaLoh => self.hla_loh = None,
            Input::Hed => self.hed = None,
            Input::Platelets => self.platelets = None,
            Input::Hgb => self.hgb = None,
            Input::Bmi => self.bmi = None,
        }
    }

    /// Sets `input` from a table cell (empty = missing).
    ///
    /// # Errors
    /// A value that is not a number, outside the input's range, or not one of its codes; the
    /// message names the column and the accepted values (the caller adds file and row).
    pub fn set_cell(&mut self, input: Input, cell: &str) -> Result<(), String> {
        let cell = cell.trim();
        if cell.is_empty() || cell.eq_ignore_ascii_case("NA") || cell.eq_ignore_ascii_case("NaN") {
            self.clear(input);
            return Ok(());
        }
        let col = input.column();
        let number = || -> Result<f64, String> {
            let v: f64 = cell
                .parse()
                .map_err(|_| format!("column {col}: '{cell}' is not a number"))?;
            if let Some((lo, hi, unit)) = input.range() {
                if !(v.is_finite() && v >= lo && v <= hi) {
                    return Err(format!(
                        "column {col}: {cell} is impossible (expected {lo}–{hi}; {unit})"
                    ));
                }
            }
            Ok(v)
        };
        match input {
            Input::Tmb => self.tmb = Some(number()?),
            Input::Pdl1 => self.pdl1_tps = Some(number()?),
            Input::Albumin => self.albumin = Some(number()?),
            Input::Nlr => self.nlr = Some(number()?),
            Input::Age => self.age = Some(number()?),
            Input::Fcna => self.fcna = Some(number()?),
            Input::Hed => self.hed = Some(number()?),
            Input::Platelets => self.platelets = Some(number()?),
            Input::Hgb => self.hgb = Some(number()?),
            Input::Bmi => self.bmi = Some(number()?),
            Input::CancerType => self.cancer_type = parse_cancer_type(cell)?,
            Input::PriorTherapy => self.prior_therapy = Some(binary(col, cell, &["yes"], &["no"])?),
            Input::Msi => {
                self.msi_high = Some(binary(
                    col,
                    cell,
                    &["msi-h", "msi-high", "msih"],
                    &["mss", "msi-l", "msi-low"],
                )?)
            }
            Input::HlaLoh => self.hla_loh = Some(binary(col, cell, &["yes", "loh"], &["no"])?),
            Input::Sex => {
                self.sex_male = Some(binary(col, cell, &["m", "male"], &["f", "female"])?)
            }
            Input::Stage => self.stage_iv = Some(parse_stage(cell)?),
            Input::Drug => {
                self.drug_combination = Some(match cell {
                    // 2 occurs for 5 training patients and is not described; coded like 0
                    // (not the PD-1/PD-L1 + CTLA-4 combination), as in training.
                    "0" | "0.0" | "2" | "2.0" => false,
                    "1" | "1.0" => true,
                    c if c.eq_ignore_ascii_case("combination") || c.eq_ignore_ascii_case("combo") => true,
                    c if c.eq_ignore_ascii_case("monotherapy") || c.eq_ignore_ascii_case("pd-1")
                        || c.eq_ignore_ascii_case("pd-l1") => false,
                    _ => {
                        return Err(format!(
                            "column Drug: '{cell}' is not a code (1 = anti-PD-1/PD-L1 plus anti-CTLA-4, 0 = anti-PD-1/PD-L1 alone)"
                        ))
                    }
                })
            }
        }
        Ok(())
    }
}

fn binary(col: &str, cell: &str, yes: &[&str], no: &[&str]) -> Result<bool, String> {
    let lower = cell.to_ascii_lowercase();
    match lower.as_str() {
        "1" | "1.0" => Ok(true),
        "0" | "0.0" => Ok(false),
        l if yes.contains(&l) => Ok(true),
        l if no.contains(&l) => Ok(false),
        _ => Err(format!(
            "column {col}: '{cell}' is not a code (1/{} or 0/{})",
            yes.first().copied().unwrap_or("yes"),
            no.first().copied().unwrap_or("no")
        )),
    }
}

fn parse_stage(cell: &str) -> Result<bool, String> {
    let lower = cell.to_ascii_lowercase();
    let t = lower.trim_start_matches("stage").trim();
    match t {
        "1" | "1.0" => return Ok(true),
        "0" | "0.0" => return Ok(false),
        _ => {}
    }
    let roman: String = t.chars().take_while(|c| matches!(c, 'i' | 'v')).collect();
    match roman.as_str() {
        "iv" => Ok(true),
        "i" | "ii" | "iii" => Ok(false),
        _ => Err(format!(
            "column Stage: '{cell}' is not a code (1 = stage IV, 0 = stage I–III; or I, II, III, IV)"
        )),
    }
}

/// Canonical cancer type for a cell; `Ok(None)` for the documented "unknown" spellings.
///
/// # Errors
/// A type outside the training cohort's 16, with the list of accepted names.
pub fn parse_cancer_type(cell: &str) -> Result<Option<&'static str>, String> {
    let lower = cell.trim().to_ascii_lowercase();
    if CANCER_UNKNOWN.contains(&lower.as_str()) {
        return Ok(None);
    }
    if let Some(t) = CANCER_TYPES
        .iter()
        .find(|t| t.to_ascii_lowercase() == lower)
    {
        return Ok(Some(t));
    }
    if let Some((_, t)) = CANCER_ALIASES.iter().find(|(a, _)| *a == lower) {
        return Ok(Some(t));
    }
    Err(format!(
        "column CancerType: '{}' is not one of the training cohort's types ({}); write 'Other' to score without a cancer type",
        cell.trim(),
        CANCER_TYPES.join(", ")
    ))
}

/// Design columns, in model order: 15 numeric/binary inputs, 15 cancer-type indicators (NSCLC is
/// the reference) — together the "Gaussian block" whose missing entries are integrated out — then
/// PD-L1 measured (0/1) and PD-L1 TPS/100 × measured (missing PD-L1 is coded, as in training
/// where 77% lack it, never integrated out).
pub fn design_names() -> Vec<String> {
    let mut v: Vec<String> = [
        "log2(TMB+1)",
        "FCNA",
        "HED",
        "HLA_LOH",
        "MSI",
        "Albumin",
        "ln(NLR)",
        "Platelets",
        "HGB",
        "BMI",
        "Age",
        "Sex",
        "Stage",
        "Drug",
        "Systemic_therapy_history",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(CANCER_TYPES[1..].iter().map(|t| format!("CancerType={t}")));
    v.push("PDL1_measured".into());
    v.push("PDL1_TPS/100".into());
    v
}

/// Number of design columns whose missing values are integrated out.
pub const GAUSSIAN_COLUMNS: usize = 30;
/// All design columns.
pub const DESIGN_COLUMNS: usize = 32;

/// The input each design column comes from.
pub fn design_input(column: usize) -> Input {
    const FIRST: [Input; 15] = [
        Input::Tmb,
        Input::Fcna,
        Input::Hed,
        Input::HlaLoh,
        Input::Msi,
        Input::Albumin,
        Input::Nlr,
        Input::Platelets,
        Input::Hgb,
        Input::Bmi,
        Input::Age,
        Input::Sex,
        Input::Stage,
        Input::Drug,
        Input::PriorTherapy,
    ];
    match column {
        c if c < 15 => FIRST[c],
        c if c < GAUSSIAN_COLUMNS => Input::CancerType,
        _ => Input::Pdl1,
    }
}

/// Transformed, unstandardised design values (`None` = missing).
pub fn design_values(row: &FeatureRow) -> [Option<f64>; DESIGN_COLUMNS] {
    let b = |v: Option<bool>| v.map(|x| if x { 1.0 } else { 0.0 });
    let mut d = [None; DESIGN_COLUMNS];
    d[0] = row.tmb.map(|t| (t + 1.0).log2());
    d[1] = row.fcna;
    d[2] = row.hed;
    d[3] = b(row.hla_loh);
    d[4] = b(row.msi_high);
    d[5] = row.albumin;
    d[6] = row.nlr.map(f64::ln);
    d[7] = row.platelets;
    d[8] = row.hgb;
    d[9] = row.bmi;
    d[10] = row.age;
    d[11] = b(row.sex_male);
    d[12] = b(row.stage_iv);
    d[13] = b(row.drug_combination);
    d[14] = b(row.prior_therapy);
    if let Some(t) = row.cancer_type {
        for (k, name) in CANCER_TYPES[1..].iter().enumerate() {
            d[15 + k] = Some(if *name == t { 1.0 } else { 0.0 });
        }
    }
    d[30] = Some(if row.pdl1_tps.is_some() { 1.0 } else { 0.0 });
    d[31] = Some(row.pdl1_tps.map_or(0.0, |v| v / 100.0));
    d
}

/// Derivative of design column 0 (log2(TMB+1)) with respect to TMB, for the delta method.
pub fn dlog2tmb(tmb: f64) -> f64 {
    1.0 / ((tmb + 1.0) * std::f64::consts::LN_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_with_their_codings() {
        let mut r = FeatureRow::default();
        r.set_cell(Input::Stage, "Stage IIIB").unwrap();
        assert_eq!(r.stage_iv, Some(false));
        r.set_cell(Input::Stage, "IV").unwrap();
        assert_eq!(r.stage_iv, Some(true));
        r.set_cell(Input::Sex, "Female").unwrap();
        assert_eq!(r.sex_male, Some(false));
        r.set_cell(Input::Msi, "MSI-H").unwrap();
        assert_eq!(r.msi_high, Some(true));
        r.set_cell(Input::CancerType, "head and neck").unwrap();
        assert_eq!(r.cancer_type, Some("Head & Neck"));
        r.set_cell(Input::CancerType, "Other").unwrap();
        assert_eq!(r.cancer_type, None);
        assert!(r
            .set_cell(Input::CancerType, "Glioblastoma")
            .unwrap_err()
            .contains("Glioblastoma"));
        assert!(r
            .set_cell(Input::Albumin, "-3")
            .unwrap_err()
            .contains("impossible"));
        assert!(r
            .set_cell(Input::Albumin, "38")
            .unwrap_err()
            .contains("g/L"));
        assert!(r.set_cell(Input::Tmb, "-1").is_err());
        assert!(r.set_cell(Input::Msi, "2").is_err());
        r.set_cell(Input::Tmb, "").unwrap();
        assert_eq!(r.tmb, None);
    }

    #[test]
    fn design_columns_line_up() {
        assert_eq!(design_names().len(), DESIGN_COLUMNS);
        let row = FeatureRow {
            tmb: Some(7.0),
            cancer_type: Some("Melanoma"),
            pdl1_tps: Some(50.0),
            ..Default::default()
        };
        let d = design_values(&row);
        assert_eq!(d[0], Some(3.0));
        let mel = design_names()
            .iter()
            .position(|n| n == "CancerType=Melanoma")
            .unwrap();
        assert_eq!(d[mel], Some(1.0));
        assert_eq!(d[30], Some(1.0));
        assert_eq!(d[31], Some(0.5));
        assert_eq!(d[1], None);
        assert_eq!(design_input(mel), Input::CancerType);
    }
}
