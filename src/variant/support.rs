//! The one read-support model every stage uses (tmb, peptides, neoantigens): which FORMAT fields
//! give an allele's depth, alt reads and VAF, decided per record from the fields the record
//! actually carries, never from `##source` (a merged VCF names several callers there).
//!
//! Rules, first that fits the record's FORMAT keys:
//! 1. user-named fields (`--depth-field`/`--alt-reads-field`) when the record carries them;
//! 2. `TAR`+`TIR` or `AU`+`CU`+`GU`+`TU`: Strelka2 tier-1 counts;
//! 3. `RD` with `FREQ` or `AD`: VarScan2 (AD is the alt count, FREQ a percentage);
//! 4. `RO`+`AO`: FreeBayes;
//! 5. any of `AD` (REF first, Number=R), `AF`, `DP`: GATK style;
//! 6. none: depth, alt reads and VAF unknown.
//!
//! `--caller` forces one caller's rule on every record instead.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::io::vcf::{RecordView, VcfHeader};
use crate::variant::caller::{allele_support, AlleleSupport, Caller};

/// How a record's read support was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportRule {
    /// User-named depth / alt-reads fields.
    Custom,
    Strelka2,
    Varscan2,
    Freebayes,
    /// `AD` (+ `AF`, `DP`): GATK Mutect2 and most other callers.
    Ad,
    /// No field the model knows: nothing read.
    None,
}

impl SupportRule {
    pub fn as_str(self) -> &'static str {
        match self {
            SupportRule::Custom => "custom_fields",
            SupportRule::Strelka2 => "strelka2_tier1",
            SupportRule::Varscan2 => "varscan2_rd_ad_freq",
            SupportRule::Freebayes => "freebayes_ro_ao",
            SupportRule::Ad => "ad_af_dp",
            SupportRule::None => "none",
        }
    }

    fn of_caller(c: Caller) -> Self {
        match c {
            Caller::Mutect2 | Caller::Generic => SupportRule::Ad,
            Caller::Strelka2 => SupportRule::Strelka2,
            Caller::Varscan2 => SupportRule::Varscan2,
            Caller::Freebayes => SupportRule::Freebayes,
        }
    }
}

/// The user's choices (all optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SupportOptions {
    /// Read every record with this caller's rule.
    pub caller: Option<Caller>,
    /// FORMAT field holding the depth (one integer).
    pub depth_field: Option<String>,
    /// FORMAT field holding the alt read counts (one per ALT, or REF first when the header says
    /// Number=R).
    pub alt_reads_field: Option<String>,
}

/// The model, set up once per file.
#[derive(Debug, Clone)]
pub struct ReadSupport {
    options: SupportOptions,
    /// The custom alt field lists REF first (Number=R).
    alt_field_ref_first: bool,
}

impl ReadSupport {
    pub fn new(options: SupportOptions, header: &VcfHeader) -> Self {
        let alt_field_ref_first = options
            .alt_reads_field
            .as_deref()
            .and_then(|f| header.format.get(f))
            .is_some_and(|d| d.number == "R");
        Self {
            options,
            alt_field_ref_first,
        }
    }

    pub fn options(&self) -> &SupportOptions {
        &self.options
    }

    /// The rule for one record, from its FORMAT keys.
    pub fn rule(&self, rec: &RecordView<'_>) -> SupportRule {
        let Some(format) = rec.format else {
            return SupportRule::None;
        };
        let has = |k: &str| crate::io::vcf::split_ascii(format, b':').any(|x| x == k);
        let o = &self.options;
        if o.depth_field.as_deref().is_some_and(has)
            || o.alt_reads_field.as_deref().is_some_and(has)
        {
            return SupportRule::Custom;
        }
        if let Some(c) = o.caller {
            return SupportRule::of_caller(c);
        }
        // VarScan2 writes AD as the alt count alone; merged files (GATK-style reformatting)
        // keep RD/FREQ but list AD REF first, which the AD rule reads.
        let ad_ref_first = rec
            .sample_value(0, "AD")
            .is_some_and(|v| v.split(',').count() == rec.alts().count() + 1);
        if (has("TAR") && has("TIR")) || (has("AU") && has("CU") && has("GU") && has("TU")) {
            SupportRule::Strelka2
        } else if has("RD") && (has("FREQ") || has("AD")) && !ad_ref_first {
            SupportRule::Varscan2
        } else if has("RO") && has("AO") {
            SupportRule::Freebayes
        } else if has("AD") || has("AF") || has("DP") {
            SupportRule::Ad
        } else {
            SupportRule::None
        }
    }

    /// Read support of ALT `alt_index` (1-based) in `sample`, with the rule used.
    ///
    /// # Errors
    /// A value that is not a count or a fraction, or an AD with the wrong number of values (the
    /// message names the field).
    pub fn allele(
        &self,
        rec: &RecordView<'_>,
        sample: usize,
        alt_index: usize,
        is_indel: bool,
    ) -> Result<(SupportRule, AlleleSupport), String> {
        let rule = self.rule(rec);
        let support = match rule {
            SupportRule::None => AlleleSupport::default(),
            SupportRule::Custom => self.custom(rec, sample, alt_index)?,
            SupportRule::Ad => ad_rule(rec, sample, alt_index)?,
            SupportRule::Strelka2 => {
                allele_support(Caller::Strelka2, rec, sample, alt_index, is_indel)?
            }
            SupportRule::Varscan2 => {
                allele_support(Caller::Varscan2, rec, sample, alt_index, is_indel)?
            }
            SupportRule::Freebayes => {
                allele_support(Caller::Freebayes, rec, sample, alt_index, is_indel)?
            }
        };
        Ok((rule, support))
    }

    fn custom(
        &self,
        rec: &RecordView<'_>,
        sample: usize,
        alt_index: usize,
    ) -> Result<AlleleSupport, String> {
        let o = &self.options;
        let depth = match o.depth_field.as_deref() {
            Some(k) => rec
                .sample_value(sample, k)
                .map(|v| parse_count(v, k))
                .transpose()?
                .flatten(),
            None => None,
        };
        let alt_reads = match o.alt_reads_field.as_deref() {
            Some(k) => match rec.sample_value(sample, k) {
                Some(v) => {
                    let n_alts = rec.alts().count();
                    let values: Vec<&str> = v.split(',').collect();
                    let i = if self.alt_field_ref_first || values.len() == n_alts + 1 {
                        alt_index
                    } else {
                        alt_index - 1
                    };
                    if values.len() != n_alts && values.len() != n_alts + 1 {
                        return Err(format!(
                            "FORMAT/{k} has {} values for {n_alts} ALT alleles",
                            values.len()
                        ));
                    }
                    values
                        .get(i)
                        .map(|x| parse_count(x, k))
                        .transpose()?
                        .flatten()
                }
                None => None,
            },
            None => None,
        };
        let vaf = match (alt_reads, depth) {
            (Some(a), Some(d)) if d > 0 => Some(f64::from(a) / f64::from(d)),
            _ => None,
        };
        Ok(AlleleSupport {
            depth,
            alt_reads,
            vaf,
        })
    }
}

fn parse_count(v: &str, key: &str) -> Result<Option<u32>, String> {
    if v == "." || v.is_empty() {
        return Ok(None);
    }
    v.parse::<u32>()
        .map(Some)
        .map_err(|_| format!("FORMAT/{key} value '{v}' is not a non-negative whole number"))
}

/// GATK style: depth DP, else the AD total; alt reads AD; VAF AF, else alt reads / depth. AD
/// lists REF first (Number=R, one value more than the ALTs); some callers write the ALTs only
/// (one per ALT), which pVACseq also accepts: then there is no AD total. Any other count, or an
/// AF without one value per ALT, is an error.
fn ad_rule(rec: &RecordView<'_>, sample: usize, alt_index: usize) -> Result<AlleleSupport, String> {
    let n_alts = rec.alts().count();
    let dp = rec
        .sample_value(sample, "DP")
        .map(|v| parse_count(v, "DP"))
        .transpose()?
        .flatten();
    let (alt_reads, ad_total) = match rec.sample_value(sample, "AD") {
        None => (None, None),
        Some(v) => {
            let values: Vec<&str> = v.split(',').collect();
            let counts = values
                .iter()
                .map(|x| parse_count(x, "AD"))
                .collect::<Result<Vec<_>, _>>()?;
            if values.len() == n_alts + 1 {
                let total = counts
                    .iter()
                    .flatten()
                    .try_fold(None, |acc: Option<u32>, &n| match acc {
                        None => Some(Some(n)),
                        Some(t) => t.checked_add(n).map(Some),
                    })
                    .ok_or_else(|| crate::variant::caller::too_large("AD"))?;
                (counts[alt_index], total)
            } else if values.len() == n_alts {
                (counts[alt_index - 1], None)
            } else {
                return Err(format!(
                    "FORMAT/AD has {} values for {n_alts} ALT allele(s); expected {} (REF first) or {n_alts}",
                    values.len(),
                    n_alts + 1
                ));
            }
        }
    };
    let af = match rec.sample_value(sample, "AF") {
        None => None,
        Some(v) => {
            let values: Vec<&str> = v.split(',').collect();
            if values.len() != n_alts {
                return Err(format!(
                    "FORMAT/AF has {} values for {n_alts} ALT allele(s) (Number=A: one per ALT)",
                    values.len()
                ));
            }
            parse_fraction(values[alt_index - 1], "AF")?
        }
    };
    let depth = dp.or(ad_total);
    let vaf = af.or(match (alt_reads, depth) {
        (Some(a), Some(d)) if d > 0 => Some(f64::from(a) / f64::from(d)),
        _ => None,
    });
    Ok(AlleleSupport {
        depth,
        alt_reads,
        vaf,
    })
}

fn parse_fraction(v: &str, key: &str) -> Result<Option<f64>, String> {
    if v == "." || v.is_empty() {
        return Ok(None);
    }
    match v.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(Some(f)),
        _ => Err(format!(
            "FORMAT/{key} value '{v}' is not a fraction between 0 and 1"
        )),
    }
}

/// Tallies of how read support was read, summed over chunks in file order.
#[derive(Debug, Clone, Default)]
pub struct SupportTally {
    pub records_by_rule: BTreeMap<SupportRule, u64>,
    pub alleles: u64,
    pub alleles_with_depth: u64,
    pub alleles_with_alt_reads: u64,
    /// FORMAT keys seen (the first 40 distinct ones), for the message when nothing was read.
    pub format_keys: BTreeSet<String>,
    /// Fields with the wrong number of values for their Number=A/R/G (not read by the stage).
    pub counts: crate::variant::CountTally,
}

impl SupportTally {
    pub fn record(&mut self, rec: &RecordView<'_>, rule: SupportRule) {
        *self.records_by_rule.entry(rule).or_default() += 1;
        if self.format_keys.len() < 40 {
            if let Some(f) = rec.format {
                for k in f.split(':') {
                    if !self.format_keys.contains(k) {
                        self.format_keys.insert(k.to_string());
                    }
                }
            }
        }
    }

    pub fn allele(&mut self, s: &AlleleSupport) {
        self.alleles += 1;
        self.alleles_with_depth += u64::from(s.depth.is_some());
        self.alleles_with_alt_reads += u64::from(s.alt_reads.is_some());
    }

    pub fn add(&mut self, o: &SupportTally) {
        for (k, v) in &o.records_by_rule {
            *self.records_by_rule.entry(*k).or_default() += v;
        }
        self.alleles += o.alleles;
        self.alleles_with_depth += o.alleles_with_depth;
        self.alleles_with_alt_reads += o.alleles_with_alt_reads;
        self.counts.add(&o.counts);
        for k in &o.format_keys {
            if self.format_keys.len() >= 40 {
                break;
            }
            self.format_keys.insert(k.clone());
        }
    }

    /// The report for the stage's JSON.
    pub fn report(&self, options: &SupportOptions) -> ReadSupportReport {
        ReadSupportReport {
            detection: match options.caller {
                Some(c) => format!(
                    "forced by --caller {}",
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
                None => "per record, from the FORMAT fields it carries".to_string(),
            },
            records_by_rule: self
                .records_by_rule
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
            alleles: self.alleles,
            alleles_with_depth: self.alleles_with_depth,
            alleles_with_alt_reads: self.alleles_with_alt_reads,
            depth_field: options.depth_field.clone(),
            alt_reads_field: options.alt_reads_field.clone(),
            wrong_value_counts: self.counts.counts(),
        }
    }

    /// A warning when alleles were read but none gave a depth (custom FORMAT fields such as
    /// PCGR's DPT/ADT), naming the fields seen and the flags that name the right ones.
    pub fn no_depth_message(&self) -> Option<String> {
        if self.alleles == 0 || self.alleles_with_depth > 0 {
            return None;
        }
        let seen: Vec<&str> = self.format_keys.iter().map(String::as_str).collect();
        Some(format!(
            "no record gives a read depth: none of its FORMAT fields ({}) is one the read-support rules know (AD/DP, Strelka2 AU..TU/TAR/TIR, VarScan2 RD/AD/FREQ, FreeBayes RO/AO); name the fields with --depth-field and --alt-reads-field",
            if seen.is_empty() { "none".to_string() } else { seen.join(", ") }
        ))
    }
}

/// How read support was read, in the stage's JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReadSupportReport {
    /// `per record, from the FORMAT fields it carries` or `forced by --caller X`.
    pub detection: String,
    /// Records per rule (`ad_af_dp`, `strelka2_tier1`, `varscan2_rd_ad_freq`, `freebayes_ro_ao`,
    /// `custom_fields`, `none`).
    pub records_by_rule: BTreeMap<String, u64>,
    /// Allele tallies (tmb; absent where a stage counts records only).
    #[serde(skip_serializing_if = "is_zero")]
    pub alleles: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub alleles_with_depth: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub alleles_with_alt_reads: u64,
    pub depth_field: Option<String>,
    pub alt_reads_field: Option<String>,
    /// Records per field (`INFO/X`, `FORMAT/X`) whose value count disagrees with the header's
    /// Number=A, R or G; such fields are not read (absent when every count was right).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub wrong_value_counts: BTreeMap<String, u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// VarScan2's somatic status (INFO/SS): 0 reference, 1 germline, 2 somatic, 3 LOH, 5 unknown.
pub fn varscan_somatic_status(rec: &RecordView<'_>) -> Option<u8> {
    rec.info_value("SS").flatten().and_then(|v| v.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(format_lines: &str) -> VcfHeader {
        let mut lines: Vec<String> = format_lines.lines().map(str::to_string).collect();
        lines.push("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT".into());
        VcfHeader::parse(&lines, std::path::Path::new("x.vcf")).unwrap()
    }

    fn read(
        s: &ReadSupport,
        line: &str,
        is_indel: bool,
    ) -> Result<(SupportRule, AlleleSupport), String> {
        s.allele(&RecordView::parse(line).unwrap(), 0, 1, is_indel)
    }

    #[test]
    fn each_record_is_read_by_its_own_fields() {
        // A merged file: a Strelka2 SNV, a Mutect2 record with AD, a VarScan2 record, a record
        // without counts. `##source` plays no part.
        let s = ReadSupport::new(SupportOptions::default(), &header(""));
        let (rule, x) = read(
            &s,
            "1\t5\t.\tC\tT\t.\tPASS\t.\tDP:AU:CU:GU:TU\t45:0,0:30,32:0,0:10,11",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::Strelka2);
        assert_eq!(
            (x.depth, x.alt_reads, x.vaf),
            (Some(45), Some(10), Some(0.25))
        );
        // AD 30,10 and DP 50, no AF: VAF = 10/50 (alt reads over the depth).
        let (rule, x) = read(
            &s,
            "1\t6\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/1:30,10:50",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::Ad);
        assert_eq!(
            (x.depth, x.alt_reads, x.vaf),
            (Some(50), Some(10), Some(0.2))
        );
        let (rule, x) = read(
            &s,
            "1\t7\t.\tA\tG\t.\tPASS\tSS=2\tGT:GQ:DP:RD:AD:FREQ\t0/1:.:40:30:10:25%",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::Varscan2);
        assert_eq!(
            (x.depth, x.alt_reads, x.vaf),
            (Some(40), Some(10), Some(0.25))
        );
        let (rule, x) = read(
            &s,
            "1\t8\t.\tA\tG\t.\tPASS\t.\tGT:DPT:ADT\t0/1:40:10",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::None);
        assert_eq!(x, AlleleSupport::default());
        // A merged file's VarScan2 record reformatted GATK-style (AD REF first, AF, FREQ as
        // URL-encoded percent): the AD rule reads it, alt reads 46 of DP 269, VAF AF 0.171.
        let (rule, x) = read(
            &s,
            "1\t9\t.\tC\tA\t.\tPASS\tSS=2\tGT:AD:DP:FREQ:RD:AF\t0/1:223,46:269:17.2%25:207:0.171",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::Ad);
        assert_eq!(
            (x.depth, x.alt_reads, x.vaf),
            (Some(269), Some(46), Some(0.171))
        );
    }

    #[test]
    fn named_fields_read_custom_format() {
        let h = header("##FORMAT=<ID=ADT,Number=R,Type=Integer,Description=\"x\">");
        let s = ReadSupport::new(
            SupportOptions {
                depth_field: Some("DPT".into()),
                alt_reads_field: Some("ADT".into()),
                ..SupportOptions::default()
            },
            &h,
        );
        // ADT is REF first (Number=R): 30 ref, 10 alt; DPT 40: VAF 0.25.
        let (rule, x) = read(
            &s,
            "1\t8\t.\tA\tG\t.\tPASS\t.\tGT:DPT:ADT\t0/1:40:30,10",
            false,
        )
        .unwrap();
        assert_eq!(rule, SupportRule::Custom);
        assert_eq!(
            (x.depth, x.alt_reads, x.vaf),
            (Some(40), Some(10), Some(0.25))
        );
    }

    #[test]
    fn wrong_ad_counts_and_vafs_are_errors() {
        let s = ReadSupport::new(SupportOptions::default(), &header(""));
        let e = read(&s, "1\t6\t.\tA\tG,T\t.\tPASS\t.\tGT:AD\t0/1:30", false).unwrap_err();
        assert!(e.contains("1 values for 2 ALT"), "{e}");
        let e = read(
            &s,
            "1\t6\t.\tA\tG,T\t.\tPASS\t.\tGT:AD:AF\t0/1:3,1,1:0.2",
            false,
        )
        .unwrap_err();
        assert!(e.contains("FORMAT/AF has 1 values for 2 ALT"), "{e}");
        // AD with one value per ALT (no REF), as some callers write it: alt reads only.
        let (_, x) = read(
            &s,
            "1\t6\t.\tA\tG,T\t.\tPASS\t.\tGT:AD:DP\t1/1:0,2:4",
            false,
        )
        .unwrap();
        assert_eq!((x.depth, x.alt_reads, x.vaf), (Some(4), Some(0), Some(0.0)));
        let e = read(
            &s,
            "1\t6\t.\tA\tG\t.\tPASS\t.\tGT:AD:AF\t0/1:30,10:7.5",
            false,
        )
        .unwrap_err();
        assert!(e.contains("FORMAT/AF") && e.contains("7.5"), "{e}");
    }

    #[test]
    fn no_depth_message_names_the_fields_and_flags() {
        let mut t = SupportTally::default();
        let r = RecordView::parse("1\t8\t.\tA\tG\t.\tPASS\t.\tGT:DPT:ADT\t0/1:40:10").unwrap();
        t.record(&r, SupportRule::None);
        t.allele(&AlleleSupport::default());
        let m = t.no_depth_message().unwrap();
        assert!(
            m.contains("ADT, DPT, GT") && m.contains("--depth-field"),
            "{m}"
        );
    }
}
