//! Depth, alt reads and VAF of one allele in one sample, read the way each caller writes them.

use serde::{Deserialize, Serialize};

use crate::io::vcf::{RecordView, VcfHeader};

/// The variant caller that wrote a VCF: it decides which FORMAT fields hold the read counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Caller {
    /// GATK Mutect2: AD (ref, alts), AF (per alt), DP.
    Mutect2,
    /// Strelka2 somatic: SNVs AU/CU/GU/TU tier-1 counts, indels TAR/TIR tier-1 counts, DP.
    Strelka2,
    /// VarScan2 somatic: RD, AD (one alt), FREQ (percent), DP.
    Varscan2,
    /// FreeBayes: RO, AO (per alt), DP.
    Freebayes,
    /// Any caller with AD (ref, alts) and optionally DP and AF.
    Generic,
}

impl Caller {
    /// A label for the JSON: the calling program the header's `##source`/command-line lines
    /// name, else the one its FORMAT definitions suggest. It does not decide how reads are
    /// counted: [`crate::variant::support`] decides that per record.
    pub fn detect(header: &VcfHeader) -> Caller {
        let has = |k: &str| header.format.contains_key(k);
        let source = header.simple("source").unwrap_or("").to_ascii_lowercase();
        if source.contains("mutect2") || header.mentions("<ID=Mutect2") {
            Caller::Mutect2
        } else if source.contains("strelka")
            || (has("TIR") && has("TAR"))
            || (has("AU") && has("TU"))
        {
            Caller::Strelka2
        } else if source.contains("varscan") || (has("RD") && has("FREQ")) {
            Caller::Varscan2
        } else if source.contains("freebayes") || (has("RO") && has("AO")) {
            Caller::Freebayes
        } else {
            Caller::Generic
        }
    }
}

/// Read support of one allele in one sample; `None` where the VCF does not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct AlleleSupport {
    pub depth: Option<u32>,
    pub alt_reads: Option<u32>,
    pub vaf: Option<f64>,
}

fn int(v: &str, key: &str) -> Result<Option<u32>, String> {
    if v == "." || v.is_empty() {
        return Ok(None);
    }
    v.parse::<u32>()
        .map(Some)
        .or_else(|_| {
            // Some tools write integers as floats ("12.0").
            v.parse::<f64>()
                .ok()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0)
                .map(|f| Some(f as u32))
                .ok_or(())
        })
        .map_err(|_| format!("FORMAT/{key} value '{v}' is not a non-negative whole number"))
}

/// A fraction in [0, 1] (FORMAT/AF): 7.5 is not a VAF, whatever wrote it.
fn fraction(v: &str, key: &str) -> Result<Option<f64>, String> {
    match float(v, key)? {
        Some(f) if !(0.0..=1.0).contains(&f) => Err(format!(
            "FORMAT/{key} value '{v}' is not a fraction between 0 and 1"
        )),
        other => Ok(other),
    }
}

fn float(v: &str, key: &str) -> Result<Option<f64>, String> {
    if v == "." || v.is_empty() {
        return Ok(None);
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite())
        .map(Some)
        .ok_or_else(|| format!("FORMAT/{key} value '{v}' is not a number"))
}

/// The `i`-th comma-separated element of a FORMAT value.
fn nth(value: Option<&str>, i: usize) -> Option<&str> {
    crate::io::vcf::nth_field(value?, b',', i)
}

fn sum_ints(value: &str, key: &str) -> Result<Option<u32>, String> {
    let mut total = 0u32;
    let mut any = false;
    for part in value.split(',') {
        if let Some(n) = int(part, key)? {
            total = total.checked_add(n).ok_or_else(|| too_large(key))?;
            any = true;
        }
    }
    Ok(any.then_some(total))
}

/// Read counts whose sum does not fit 32 bits are corrupted, not deep: refused rather than
/// wrapped or saturated into a plausible-looking depth.
pub(crate) fn too_large(key: &str) -> String {
    format!("FORMAT/{key} read counts add up to more than 4,294,967,295: the record is corrupted")
}

fn add(a: u32, b: u32, key: &str) -> Result<u32, String> {
    a.checked_add(b).ok_or_else(|| too_large(key))
}

fn ratio(num: Option<u32>, den: Option<u32>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(f64::from(n) / f64::from(d)),
        _ => None,
    }
}

/// Read support of ALT number `alt_index` (1-based, as in GT) in sample `sample`.
///
/// # Errors
/// A non-numeric value in a field the caller defines (the message names the field).
pub fn allele_support(
    caller: Caller,
    rec: &RecordView<'_>,
    sample: usize,
    alt_index: usize,
    is_indel: bool,
) -> Result<AlleleSupport, String> {
    let get = |k: &str| rec.sample_value(sample, k);
    let dp = get("DP").map(|v| int(v, "DP")).transpose()?.flatten();
    match caller {
        Caller::Mutect2 | Caller::Generic => {
            let ad = get("AD");
            let alt_reads = nth(ad, alt_index)
                .map(|v| int(v, "AD"))
                .transpose()?
                .flatten();
            let ad_total = ad.map(|v| sum_ints(v, "AD")).transpose()?.flatten();
            let af = nth(get("AF"), alt_index - 1)
                .map(|v| fraction(v, "AF"))
                .transpose()?
                .flatten();
            // Without AF: alt reads over the depth (DP, else the AD total), as pVACseq does.
            let depth = dp.or(ad_total);
            Ok(AlleleSupport {
                depth,
                alt_reads,
                vaf: af.or_else(|| ratio(alt_reads, depth)),
            })
        }
        Caller::Strelka2 => {
            let tier1 = |k: &str| -> Result<Option<u32>, String> {
                nth(get(k), 0)
                    .map(|v| int(v, k))
                    .transpose()
                    .map(Option::flatten)
            };
            let (ref_reads, alt_reads) = if is_indel {
                (tier1("TAR")?, tier1("TIR")?)
            } else {
                let base_key = |s: &str| -> Option<String> {
                    let b = s.chars().next()?.to_ascii_uppercase();
                    matches!(b, 'A' | 'C' | 'G' | 'T').then(|| format!("{b}U"))
                };
                let alt = rec.alts().nth(alt_index - 1).unwrap_or("");
                let r = match base_key(rec.reference) {
                    Some(k) => tier1(&k)?,
                    None => None,
                };
                let a = match base_key(alt) {
                    Some(k) => tier1(&k)?,
                    None => None,
                };
                (r, a)
            };
            let both = match (ref_reads, alt_reads) {
                (Some(r), Some(a)) => {
                    Some(add(r, a, if is_indel { "TAR/TIR" } else { "AU/CU/GU/TU" })?)
                }
                _ => None,
            };
            // Strelka2's documented somatic VAF: tier-1 alt / (tier-1 ref + tier-1 alt).
            Ok(AlleleSupport {
                depth: dp.or(both),
                alt_reads,
                vaf: ratio(alt_reads, both),
            })
        }
        Caller::Varscan2 => {
            let rd = get("RD").map(|v| int(v, "RD")).transpose()?.flatten();
            let ad = nth(get("AD"), alt_index - 1)
                .map(|v| int(v, "AD"))
                .transpose()?
                .flatten();
            let freq = match get("FREQ") {
                Some(v) if alt_index == 1 => match float(v.trim_end_matches('%'), "FREQ")? {
                    Some(f) if !(0.0..=100.0).contains(&f) => {
                        return Err(format!(
                            "FORMAT/FREQ value '{v}' is not a percentage between 0 and 100"
                        ))
                    }
                    f => f.map(|f| f / 100.0),
                },
                _ => None,
            };
            let both = rd.zip(ad).map(|(r, a)| add(r, a, "RD/AD")).transpose()?;
            Ok(AlleleSupport {
                depth: dp.or(both),
                alt_reads: ad,
                vaf: freq.or_else(|| ratio(ad, both)),
            })
        }
        Caller::Freebayes => {
            let ro = get("RO").map(|v| int(v, "RO")).transpose()?.flatten();
            let ao_all = get("AO");
            let ao = nth(ao_all, alt_index - 1)
                .map(|v| int(v, "AO"))
                .transpose()?
                .flatten();
            let observed = match (ro, ao_all.map(|v| sum_ints(v, "AO")).transpose()?.flatten()) {
                (Some(r), Some(a)) => Some(add(r, a, "RO/AO")?),
                _ => None,
            };
            let depth = dp.or(observed);
            Ok(AlleleSupport {
                depth,
                alt_reads: ao,
                vaf: ratio(ao, depth),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(line: &str) -> RecordView<'_> {
        RecordView::parse(line).unwrap()
    }

    #[test]
    fn mutect2_uses_af_and_dp() {
        let l = "1\t5\t.\tA\tG,T\t.\tPASS\t.\tGT:AD:AF:DP\t0/1/2:20,6,4:0.2,0.13:31";
        let r = rec(l);
        let s = allele_support(Caller::Mutect2, &r, 0, 2, false).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(31),
                alt_reads: Some(4),
                vaf: Some(0.13)
            }
        );
    }

    #[test]
    fn generic_falls_back_to_ad_ratio() {
        let r = rec("1\t5\t.\tA\tG\t.\tPASS\t.\tGT:AD\t0/1:30,10");
        let s = allele_support(Caller::Generic, &r, 0, 1, false).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(40),
                alt_reads: Some(10),
                vaf: Some(0.25)
            }
        );
    }

    #[test]
    fn strelka_snv_tier1_counts() {
        // REF C, ALT T: CU tier1 = 30, TU tier1 = 10 -> VAF 10/40.
        let r = rec(
            "1\t5\t.\tC\tT\t.\tPASS\t.\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t45:0:0:0:0,0:30,32:0,0:10,11",
        );
        let s = allele_support(Caller::Strelka2, &r, 0, 1, false).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(45),
                alt_reads: Some(10),
                vaf: Some(0.25)
            }
        );
    }

    #[test]
    fn strelka_indel_tar_tir() {
        let r = rec("1\t5\t.\tCA\tC\t.\tPASS\t.\tDP:DP2:TAR:TIR:TOR\t50:50:36,40:12,13:2,2");
        let s = allele_support(Caller::Strelka2, &r, 0, 1, true).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(50),
                alt_reads: Some(12),
                vaf: Some(0.25)
            }
        );
    }

    #[test]
    fn varscan_freq_percent() {
        let r = rec("1\t5\t.\tA\tG\t.\tPASS\t.\tGT:GQ:DP:RD:AD:FREQ\t0/1:.:40:30:10:25%");
        let s = allele_support(Caller::Varscan2, &r, 0, 1, false).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(40),
                alt_reads: Some(10),
                vaf: Some(0.25)
            }
        );
    }

    #[test]
    fn freebayes_ro_ao() {
        let r = rec("1\t5\t.\tA\tG,C\t.\tPASS\t.\tGT:DP:RO:AO\t0/1:40:28:10,2");
        let s = allele_support(Caller::Freebayes, &r, 0, 1, false).unwrap();
        assert_eq!(
            s,
            AlleleSupport {
                depth: Some(40),
                alt_reads: Some(10),
                vaf: Some(0.25)
            }
        );
    }

    #[test]
    fn missing_fields_are_none_and_garbage_is_an_error() {
        let r = rec("1\t5\t.\tA\tG\t.\tPASS\t.\tGT\t0/1");
        assert_eq!(
            allele_support(Caller::Mutect2, &r, 0, 1, false).unwrap(),
            AlleleSupport::default()
        );
        let r = rec("1\t5\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/1:5,x:9");
        let e = allele_support(Caller::Mutect2, &r, 0, 1, false).unwrap_err();
        assert!(e.contains("FORMAT/AD") && e.contains("'x'"), "{e}");
    }
}
