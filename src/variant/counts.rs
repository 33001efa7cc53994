//! Value counts of the VCF fields whose header says `Number=A` (one per ALT), `R` (one per
//! allele, REF first) or `G` (one per genotype). A list of the wrong length shifts every value
//! onto the wrong allele, so a field a stage reads is refused at the first bad record; real
//! files often get other fields wrong (GATK FilterMutectCalls' own `INFO/AS_FilterStatus`,
//! `FORMAT/QSS` in pVACtools' HCC1395 VCF), so those are counted and reported instead.

use std::collections::BTreeMap;

use crate::io::vcf::{split_ascii, RecordView, VcfHeader};

/// The fields of a header with a per-allele Number, set up once per file.
#[derive(Debug, Clone, Default)]
pub struct CountFields {
    info: BTreeMap<String, u8>,
    format: BTreeMap<String, u8>,
}

/// One field of one record with the wrong number of values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountMismatch {
    /// `INFO/KEY` or `FORMAT/KEY`.
    pub field: String,
    pub found: usize,
    /// What the header's Number asks for, in words.
    pub expected: String,
}

impl CountMismatch {
    /// The reason, without file and record (the caller adds them).
    pub fn message(&self) -> String {
        format!(
            "{} has {} value(s) where its header asks for {}",
            self.field, self.found, self.expected
        )
    }
}

impl CountFields {
    pub fn from_header(header: &VcfHeader) -> Self {
        let pick = |defs: &BTreeMap<String, crate::io::vcf::FieldDef>| {
            defs.iter()
                .filter_map(|(k, d)| match d.number.as_str() {
                    "A" | "R" | "G" => Some((k.clone(), d.number.as_bytes()[0])),
                    _ => None,
                })
                .collect()
        };
        Self {
            info: pick(&header.info),
            format: pick(&header.format),
        }
    }

    /// Every INFO and FORMAT value (all samples) of `rec` whose count disagrees with its
    /// header Number. Missing values (`.`) fit any Number; a record without ALT (`.`) has no
    /// per-allele values to check. For Number=G the ploidy comes from the sample's GT, and
    /// without a GT a haploid or a diploid count is accepted.
    pub fn mismatches(&self, rec: &RecordView<'_>) -> Vec<CountMismatch> {
        let mut out = Vec::new();
        if self.info.is_empty() && self.format.is_empty() {
            return out;
        }
        if rec.alt == "." || rec.alt.is_empty() {
            return out;
        }
        let n_alts = rec.alts().count();
        if !self.info.is_empty() && rec.info != "." {
            for entry in split_ascii(rec.info, b';') {
                let Some((key, value)) = entry.split_once('=') else {
                    continue;
                };
                if let Some(&number) = self.info.get(key) {
                    if let Some(m) = check(number, n_alts, None, value) {
                        out.push(CountMismatch {
                            field: format!("INFO/{key}"),
                            found: m.0,
                            expected: m.1,
                        });
                    }
                }
            }
        }
        let Some(format) = rec.format else {
            return out;
        };
        if self.format.is_empty() {
            return out;
        }
        let keys: Vec<&str> = split_ascii(format, b':').collect();
        if !keys.iter().any(|k| self.format.contains_key(*k)) {
            return out;
        }
        let mut sample = 0;
        while let Some(column) = rec.sample_column(sample) {
            sample += 1;
            let values: Vec<&str> = split_ascii(column, b':').collect();
            let ploidy = (keys.first() == Some(&"GT"))
                .then(|| values.first())
                .flatten()
                .filter(|gt| !gt.is_empty() && **gt != ".")
                .map(|gt| gt.split(['/', '|']).count());
            for (key, value) in keys.iter().zip(&values) {
                if let Some(&number) = self.format.get(*key) {
                    if let Some(m) = check(number, n_alts, Some(ploidy), value) {
                        let field = format!("FORMAT/{key}");
                        // One report per field and record, not per sample.
                        if !out.iter().any(|o: &CountMismatch| o.field == field) {
                            out.push(CountMismatch {
                                field,
                                found: m.0,
                                expected: m.1,
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

/// `None` when `value` has a count `number` allows, else (found, expected in words).
/// `ploidy` is `Some(None)` for a sample without a usable GT, `None` for INFO.
fn check(
    number: u8,
    n_alts: usize,
    ploidy: Option<Option<usize>>,
    value: &str,
) -> Option<(usize, String)> {
    if value.is_empty() || value == "." {
        return None;
    }
    let found = split_ascii(value, b',').count();
    let n_alleles = n_alts + 1;
    let expected = match number {
        b'A' => (found != n_alts).then(|| format!("one per ALT ({n_alts}, Number=A)")),
        b'R' => (found != n_alleles)
            .then(|| format!("one per allele, REF first ({n_alleles}, Number=R)")),
        _ => {
            // Genotypes of `p` copies over `n` alleles: C(n + p - 1, p).
            let genotypes = |p: usize| binomial(n_alleles + p - 1, p);
            match ploidy.flatten() {
                Some(p) => (found != genotypes(p))
                    .then(|| format!("one per genotype ({}, Number=G, ploidy {p})", genotypes(p))),
                None => (found != genotypes(1) && found != genotypes(2)).then(|| {
                    format!(
                        "one per genotype ({} diploid or {} haploid, Number=G)",
                        genotypes(2),
                        genotypes(1)
                    )
                }),
            }
        }
    };
    expected.map(|e| (found, e))
}

fn binomial(n: usize, k: usize) -> usize {
    // Small n (alleles) and k (ploidy): saturating so a corrupted GT cannot overflow.
    let mut r: usize = 1;
    for i in 0..k.min(n) {
        r = r.saturating_mul(n - i) / (i + 1);
    }
    r
}

/// Records with a wrong count per field, summed over a file; the first few loci per field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountTally {
    pub by_field: BTreeMap<String, (u64, Vec<String>)>,
}

const FIRST_LOCI: usize = 3;

impl CountTally {
    /// Counts the mismatches of `rec`, or refuses one of `used` (the fields the stage reads).
    ///
    /// # Errors
    /// The reason, naming the field, when a used field has the wrong count.
    pub fn check(
        &mut self,
        fields: &CountFields,
        rec: &RecordView<'_>,
        used: &[impl AsRef<str>],
    ) -> Result<(), String> {
        for m in fields.mismatches(rec) {
            if used.iter().any(|u| u.as_ref() == m.field) {
                return Err(format!(
                    "{}: the values cannot be matched to the alleles",
                    m.message()
                ));
            }
            let (n, loci) = self.by_field.entry(m.field).or_default();
            *n += 1;
            if loci.len() < FIRST_LOCI {
                loci.push(rec.locus());
            }
        }
        Ok(())
    }

    /// Adds a later chunk's tally (file order keeps the first loci first).
    pub fn add(&mut self, other: &CountTally) {
        for (field, (n, loci)) in &other.by_field {
            let (mine, first) = self.by_field.entry(field.clone()).or_default();
            *mine += n;
            for l in loci {
                if first.len() < FIRST_LOCI {
                    first.push(l.clone());
                }
            }
        }
    }

    /// Records per field, for the stage's JSON.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.by_field
            .iter()
            .map(|(k, (n, _))| (k.clone(), *n))
            .collect()
    }

    /// One warning line, or `None` when every count was right.
    pub fn warning(&self) -> Option<String> {
        if self.by_field.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .by_field
            .iter()
            .map(|(f, (n, loci))| format!("{f} in {n} record(s), first at {}", loci.join(", ")))
            .collect();
        Some(format!(
            "values whose count disagrees with the header's Number (A, R or G): {}; these fields are not used",
            parts.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(lines: &str) -> CountFields {
        let mut l: Vec<String> = lines.lines().map(str::to_string).collect();
        l.push("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT".into());
        CountFields::from_header(&VcfHeader::parse(&l, std::path::Path::new("x.vcf")).unwrap())
    }

    const HEADER: &str = "##INFO=<ID=XA,Number=A,Type=Float,Description=\"x\">\n\
        ##INFO=<ID=XR,Number=R,Type=Integer,Description=\"x\">\n\
        ##INFO=<ID=X1,Number=1,Type=Integer,Description=\"x\">\n\
        ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"x\">\n\
        ##FORMAT=<ID=PL,Number=G,Type=Integer,Description=\"x\">\n\
        ##FORMAT=<ID=FA,Number=A,Type=Float,Description=\"x\">";

    fn found(line: &str) -> Vec<String> {
        let rec = RecordView::parse(line).unwrap();
        fields(HEADER)
            .mismatches(&rec)
            .into_iter()
            .map(|m| format!("{}:{}", m.field, m.found))
            .collect()
    }

    #[test]
    fn counts_follow_the_alleles_and_the_ploidy() {
        // Two ALTs: A = 2, R = 3, G diploid = C(4,2) = 6, haploid = 3, triploid = C(5,3) = 10.
        let ok = "1\t5\t.\tA\tG,T\t.\tPASS\tXA=0.1,0.2;XR=1,2,3;X1=7\tGT:PL:FA\t0/1:1,2,3,4,5,6:.\t1:1,2,3:0.1,0.2";
        assert!(found(ok).is_empty(), "{:?}", found(ok));
        let triploid = "1\t5\t.\tA\tG,T\t.\tPASS\t.\tGT:PL\t0/1/2:1,2,3,4,5,6,7,8,9,10\t.";
        assert!(found(triploid).is_empty());
        let bad = "1\t5\t.\tA\tG,T\t.\tPASS\tXA=0.1;XR=1,2;X1=7,8\tGT:PL:FA\t0/1:1,2,3:0.1\t0/1:1,2,3,4,5,6:0.1,0.2,0.3";
        assert_eq!(
            found(bad),
            ["INFO/XA:1", "INFO/XR:2", "FORMAT/PL:3", "FORMAT/FA:1"]
        );
        // Without GT either ploidy fits; missing values and a missing ALT fit anything.
        let no_gt = "1\t5\t.\tA\tG\t.\tPASS\t.\tPL\t1,2,3\t1,2";
        assert!(found(no_gt).is_empty());
        assert!(found("1\t5\t.\tA\t.\t.\tPASS\tXA=1,2,3\tFA\t.\t.").is_empty());
        assert!(found("1\t5\t.\tA\tG\t.\tPASS\tXA=.\tFA:PL\t.:.\t.").is_empty());
    }

    #[test]
    fn used_fields_are_refused_and_others_counted() {
        let f = fields(HEADER);
        let mut t = CountTally::default();
        let line = "1\t5\t.\tA\tG\t.\tPASS\tXA=0.1,0.2\tFA\t0.1\t0.1";
        let rec = RecordView::parse(line).unwrap();
        t.check(&f, &rec, &[] as &[&str]).unwrap();
        t.check(&f, &rec, &[] as &[&str]).unwrap();
        assert_eq!(t.counts()["INFO/XA"], 2);
        let w = t.warning().unwrap();
        assert!(
            w.contains("INFO/XA in 2 record(s), first at 1:5, 1:5"),
            "{w}"
        );
        let e = t.check(&f, &rec, &["INFO/XA"]).unwrap_err();
        assert!(
            e.contains("INFO/XA has 2 value(s)") && e.contains("one per ALT (1"),
            "{e}"
        );
    }
}
