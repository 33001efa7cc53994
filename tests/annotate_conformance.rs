//! Conformance of our own annotation with snpEff 5.1d on the synthetic genome in
//! `test-data/annotate/` (commands in its README), and the chr22 mini-genome checks.

mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use immunoprofile::annotate::{
    annotate_record, AnnotationSchema, Consequence, ModelOptions, TranscriptAnnotation,
    TranscriptModel,
};
use immunoprofile::io::fasta::Reference;
use immunoprofile::io::vcf::{read_to_memory, RecordView};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/annotate")
        .join(name)
}

fn gunzip_to(src: &Path, dst: &Path) {
    let mut text = Vec::new();
    flate2::read::MultiGzDecoder::new(std::fs::File::open(src).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    std::fs::File::create(dst)
        .unwrap()
        .write_all(&text)
        .unwrap();
}

fn synthetic_model(dir: &Path) -> TranscriptModel {
    let fasta = dir.join("genome.fa");
    gunzip_to(&data("genome.fa.gz"), &fasta);
    let mut reference = Reference::open(&fasta).unwrap();
    TranscriptModel::from_gtf(
        &data("genes.gtf.gz"),
        &mut reference,
        ModelOptions::default(),
    )
    .unwrap()
}

/// Consequence terms compared: ours minus the VEP-only terms snpEff never writes (README,
/// "Differences from snpEff").
fn comparable(a: &TranscriptAnnotation, ours: bool) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = a
        .consequences
        .iter()
        .map(|c| c.as_str().to_string())
        .collect();
    set.extend(a.other_terms.iter().cloned());
    if ours {
        // VEP's splice sub-classes: snpEff writes splice_region_variant for the donor region
        // and 5th base (which replace it in VEP) and nothing for the polypyrimidine tract.
        for sub in [
            "splice_donor_region_variant",
            "splice_donor_5th_base_variant",
        ] {
            if set.remove(sub) {
                set.insert("splice_region_variant".to_string());
            }
        }
        set.remove("splice_polypyrimidine_tract_variant");
        set.remove("NMD_transcript_variant");
        set.remove("non_coding_transcript_variant");
        set.remove("coding_transcript_variant");
    }
    set
}

#[test]
fn agrees_with_snpeff_on_synthetic_genome() {
    let dir = tempfile::tempdir().unwrap();
    let model = synthetic_model(dir.path());
    let (header, lines) = read_to_memory(&data("snpeff.ann.vcf.gz")).unwrap();
    let schema = AnnotationSchema::from_info_key(&header, "ANN").unwrap();
    let mut pairs = 0usize;
    let mut agree = 0usize;
    let mut diffs: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut documented: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut per_term: BTreeMap<&'static str, usize> = BTreeMap::new();
    for (_, line) in &lines {
        let rec = RecordView::parse(line).unwrap();
        let ours = annotate_record(&model, &rec, 1);
        for a in &ours {
            for c in &a.consequences {
                *per_term.entry(c.as_str()).or_default() += 1;
            }
        }
        let theirs = schema.annotations_for_allele(&rec, 1);
        let ours_by: BTreeMap<String, &TranscriptAnnotation> = ours
            .iter()
            .map(|a| {
                (
                    a.transcript_id
                        .clone()
                        .unwrap_or_else(|| "intergenic".into()),
                    a,
                )
            })
            .collect();
        let only_intergenic = ours.iter().all(|a| a.transcript_id.is_none());
        // snpEff writes some terms of one transcript as separate entries: merge them.
        let mut theirs_by: BTreeMap<String, TranscriptAnnotation> = BTreeMap::new();
        for a in theirs
            .iter()
            .filter(|a| a.feature_type.as_deref() != Some("intergenic_region") || only_intergenic)
        {
            let key = if a.feature_type.as_deref() == Some("intergenic_region") {
                "intergenic".to_string()
            } else {
                a.transcript_id.clone().unwrap_or_default()
            };
            match theirs_by.get_mut(&key) {
                None => {
                    theirs_by.insert(key, a.clone());
                }
                Some(m) => {
                    m.consequences.extend(a.consequences.iter().copied());
                    m.other_terms.extend(a.other_terms.iter().cloned());
                    if m.protein_position.is_none() {
                        m.protein_position = a.protein_position.clone();
                        m.amino_acids = a.amino_acids.clone();
                    }
                }
            }
        }
        let keys: BTreeSet<&String> = ours_by.keys().chain(theirs_by.keys()).collect();
        for k in keys {
            pairs += 1;
            let (o, t) = (ours_by.get(k), theirs_by.get(k));
            let verdict = match (o, t) {
                (Some(o), Some(t)) => {
                    let (co, ct) = (comparable(o, true), comparable(t, false));
                    let coding = o.consequences.iter().any(|c| c.is_coding());
                    // An insertion between two codons is "201-202" in VEP, "202" in snpEff.
                    let ours_end = o
                        .protein_position
                        .as_deref()
                        .and_then(|p| p.split('-').nth(1))
                        .and_then(|x| x.parse::<u32>().ok());
                    let pos_ok = !coding
                        || t.protein_start().is_none()
                        || o.protein_start() == t.protein_start()
                        || (o.protein_start() < t.protein_start() && ours_end >= t.protein_start());
                    let snv = rec.reference.len() == 1 && rec.alt.len() == 1;
                    let aa_ok = !(snv && o.consequences.contains(&Consequence::MissenseVariant))
                        || o.amino_acids == t.amino_acids;
                    if co != ct {
                        match documented_difference(&model, &rec, o, t, &co, &ct) {
                            Some(name) => {
                                *documented.entry(name).or_default() += 1;
                                None
                            }
                            None => Some(format!("{:?} vs snpEff {:?}", co, ct)),
                        }
                    } else if !pos_ok
                        && !t
                            .extra
                            .get("ERRORS")
                            .is_some_and(|e| e.contains("INFO_REALIGN_3_PRIME"))
                    {
                        Some(format!(
                            "protein position {:?} vs {:?}",
                            o.protein_position, t.protein_position
                        ))
                    } else if !aa_ok {
                        Some(format!(
                            "amino acids {:?} vs {:?}",
                            o.amino_acids, t.amino_acids
                        ))
                    } else {
                        None
                    }
                }
                (Some(o), None) => Some(format!("only ours: {:?}", comparable(o, true))),
                (None, Some(t)) => Some(format!("only snpEff: {:?}", comparable(t, false))),
                (None, None) => None,
            };
            match verdict {
                None => agree += 1,
                Some(v) => {
                    let e = diffs.entry(v).or_insert((0, String::new()));
                    e.0 += 1;
                    if e.1.is_empty() {
                        e.1 = format!(
                            "{}:{} {}>{} {}",
                            rec.chrom, rec.pos, rec.reference, rec.alt, k
                        );
                    }
                }
            }
        }
    }
    let rate = agree as f64 / pairs as f64;
    let same: usize = agree - documented.values().sum::<usize>();
    eprintln!("identical {same}/{pairs}; agreement modulo documented differences {agree}/{pairs} = {rate:.4}");
    eprintln!("(allele, transcript) pairs per term: {per_term:?}");
    for (name, n) in &documented {
        eprintln!("{n:5}  documented: {name}");
    }
    let mut sorted: Vec<_> = diffs.iter().collect();
    sorted.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    for (what, (n, example)) in sorted.iter().take(40) {
        eprintln!("{n:5}  {what}  e.g. {example}");
    }
    assert!(pairs > 5000, "{pairs} pairs");
    assert!(rate >= 0.995, "agreement {rate:.4} below 99.5%");
}

const SPLICE_SITE: [&str; 2] = ["splice_donor_variant", "splice_acceptor_variant"];
const PROTEIN_TERMS: [&str; 12] = [
    "frameshift_variant",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "synonymous_variant",
    "stop_gained",
    "stop_lost",
    "stop_retained_variant",
    "start_lost",
    "start_retained_variant",
    "protein_altering_variant",
    "coding_sequence_variant",
];

fn without(set: &BTreeSet<String>, drop: &[&str]) -> BTreeSet<String> {
    set.iter()
        .filter(|x| !drop.contains(&x.as_str()))
        .cloned()
        .collect()
}

/// Which documented difference (README, "Differences from snpEff") explains a disagreement.
fn documented_difference(
    model: &TranscriptModel,
    rec: &RecordView<'_>,
    ours: &TranscriptAnnotation,
    theirs: &TranscriptAnnotation,
    co: &BTreeSet<String>,
    ct: &BTreeSet<String>,
) -> Option<&'static str> {
    let has = |s: &BTreeSet<String>, t: &str| s.contains(t);
    // 1. snpEff realigns indels to their 3'-most position before predicting; VEP does not.
    if theirs
        .extra
        .get("ERRORS")
        .is_some_and(|e| e.contains("INFO_REALIGN_3_PRIME"))
    {
        return Some("snpEff shifts indels 3' before predicting");
    }
    // snpEff-only terms and terms it adds next to splice sites.
    let mut ct2 = without(
        ct,
        &[
            "5_prime_UTR_premature_start_codon_gain_variant",
            "non_coding_transcript_variant",
        ],
    );
    let mut co2 = co.clone();
    if SPLICE_SITE.iter().any(|t| has(ct, t)) {
        ct2 = without(&ct2, &["splice_region_variant"]);
        if SPLICE_SITE.iter().any(|t| has(co, t)) && !has(co, "intron_variant") {
            ct2 = without(&ct2, &["intron_variant"]);
        }
    }
    if co2 == ct2 {
        return Some("snpEff adds intron_variant/splice_region_variant to splice-site variants");
    }
    // 2. Variants that span an exon-intron junction (or insertions exactly at one): VEP predicts
    //    no protein change; compare only whether both see a splice effect.
    let tx = model
        .transcripts()
        .iter()
        .find(|t| Some(t.stable_id()) == ours.transcript_id);
    if let Some(t) = tx {
        let (rb, ab) = (rec.reference.as_bytes(), rec.alt.as_bytes());
        let pre = rb.iter().zip(ab).take_while(|(x, y)| x == y).count() as u64;
        let (r, a) = (rb.len() as u64, ab.len() as u64);
        let (first, last) = if r == pre {
            (rec.pos + pre - 1, rec.pos + pre)
        } else {
            (rec.pos + pre, rec.pos + r - 1)
        };
        let _ = a;
        let ex = |g: u64| t.cdna_pos_1(g).is_some();
        let spans = (first..=last.max(first)).any(ex)
            && !(first..=last.max(first)).all(ex)
            && last <= t.span().end
            && first > t.span().start;
        if spans {
            let splice = |s: &BTreeSet<String>| s.iter().any(|x| x.starts_with("splice_"));
            if splice(co) && splice(ct) {
                return Some("exon-intron junction variants: VEP predicts no protein change");
            }
        }
        // 3. nonsense_mediated_decay transcripts: snpEff treats them as non-coding.
        if t.biotype == "nonsense_mediated_decay" && has(ct, "non_coding_transcript_exon_variant") {
            co2 = without(&co2, &PROTEIN_TERMS);
            co2 = without(&co2, &["5_prime_UTR_variant", "3_prime_UTR_variant"]);
            co2.insert("non_coding_transcript_exon_variant".into());
            if co2 == without(&ct2, &["5_prime_UTR_variant", "3_prime_UTR_variant"]) {
                return Some("NMD transcripts: snpEff annotates them as non-coding");
            }
        }
    }
    // Insertions next to a splice site (between its 2nd and 3rd base, or at the exon edge): VEP
    // calls them splice_region_variant, snpEff splice donor/acceptor.
    if rec.alt.len() > rec.reference.len()
        && has(co, "splice_region_variant")
        && SPLICE_SITE.iter().any(|x| has(ct, x))
    {
        return Some("insertions beside splice sites: splice_region_variant in VEP");
    }
    // Changes that straddle the CDS start or end (UTR and CDS bases): VEP predicts no peptide.
    let utr = |s: &BTreeSet<String>| has(s, "5_prime_UTR_variant") || has(s, "3_prime_UTR_variant");
    if utr(co) && utr(ct) && without(co, &PROTEIN_TERMS) == without(&ct2, &PROTEIN_TERMS) {
        return Some("changes straddling the CDS start or end");
    }
    // snpEff flags the first and last 3 bases of a transcript as splice_region_variant.
    if let Some(t) = tx {
        let span = t.span();
        let near_end = rec.pos + 3 > span.start && rec.pos <= span.start + 3
            || rec.pos + 3 >= span.end && rec.pos <= span.end + 3;
        if near_end && without(&ct2, &["splice_region_variant"]) == co2 {
            return Some("snpEff calls transcript ends splice regions");
        }
    }
    // In-frame insertions that also lose the start or stop or gain a stop: VEP reports the start
    // or stop term alone when the peptide is not a simple insertion.
    if has(ct, "inframe_insertion") && without(&ct2, &["inframe_insertion"]) == co2 {
        return Some("in-frame insertions with start/stop changes");
    }
    // Frameshifts whose new frame stops at once: VEP calls stop_gained only for a stop inside the
    // inserted bases.
    if has(co, "frameshift_variant")
        && has(ct, "stop_gained")
        && without(&ct2, &["stop_gained"]) == co2
    {
        return Some("frameshifts that stop at the next codon");
    }
    // 4. In-frame indels whose peptides are not a simple insertion/deletion: VEP says
    //    protein_altering_variant, snpEff inframe_insertion/deletion.
    if has(co, "protein_altering_variant")
        && (has(ct, "inframe_insertion") || has(ct, "inframe_deletion"))
    {
        return Some("protein_altering_variant for in-frame indels that change the flanking codon");
    }
    // 5. Alternative start codons: snpEff keeps CTG/TTG as starts (start_retained_variant).
    if has(co, "start_lost") && has(ct, "start_retained_variant") {
        return Some("snpEff accepts CTG/TTG start codons");
    }
    // 6. 5' UTR deletions next to the start codon: snpEff adds start_retained_variant.
    if has(ct, "start_retained_variant")
        && !has(co, "start_retained_variant")
        && without(ct, &["start_retained_variant"]) == *co
    {
        return Some("snpEff adds start_retained_variant to 5' UTR indels next to the start codon");
    }
    None
}

fn chr22_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens/genome");
    if d.join("genome.gtf").exists() {
        Some(d)
    } else {
        util::skip(&format!("skipped: {} is absent", d.display()));
        None
    }
}

/// The GTF with every coordinate moved by `shift`, features past the 40,001 bp contig clipped or
/// dropped (the same awk as test-data/annotate/chr22/README.md).
fn shifted_gtf(src: &Path, dst: &Path, shift: u64) {
    let text = std::fs::read_to_string(src).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with('#') {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut f: Vec<String> = line.split('\t').map(str::to_string).collect();
        let s = f[3].parse::<u64>().unwrap() + shift;
        let e = (f[4].parse::<u64>().unwrap() + shift).min(40_001);
        if s > 40_001 {
            continue;
        }
        f[3] = s.to_string();
        f[4] = e.to_string();
        out.push_str(&f.join("\t"));
        out.push('\n');
    }
    std::fs::write(dst, out).unwrap();
}

#[test]
fn chr22_shifted_gtf_translates_cct8l2_and_matches_snpeff() {
    let Some(dir) = chr22_dir() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let gtf = tmp.path().join("shifted.gtf");
    shifted_gtf(&dir.join("genome.gtf"), &gtf, 2027);
    let mut reference = Reference::open(&dir.join("genome.fasta")).unwrap();
    let model = TranscriptModel::from_gtf(&gtf, &mut reference, ModelOptions::default()).unwrap();
    let cct = model
        .transcripts()
        .iter()
        .find(|t| t.gene_name.as_deref() == Some("CCT8L2"))
        .unwrap();
    let protein = &cct.coding.as_ref().unwrap().protein;
    // UniProt Q96SF2 (CCT8L2) is 557 residues.
    assert_eq!(protein.len(), 557);
    assert_eq!(protein[0], b'M');
    assert!(!protein.contains(&b'*'));
    assert_eq!(model.report().complete_cds_clean, 1);

    let (header, lines) = read_to_memory(&data("chr22/snpeff.dbsnp_cct8l2.ann.vcf.gz")).unwrap();
    let schema = AnnotationSchema::from_info_key(&header, "ANN").unwrap();
    let id = cct.stable_id();
    let (mut compared, mut agree) = (0, 0);
    for (_, line) in &lines {
        let rec = RecordView::parse(line).unwrap();
        for alt in 1..=rec.alts().count() {
            let theirs: Vec<TranscriptAnnotation> = schema
                .annotations_for_allele(&rec, alt)
                .into_iter()
                .filter(|a| a.transcript_id.as_deref() == Some(id.as_str()))
                .collect();
            let coding = theirs
                .iter()
                .any(|a| a.consequences.iter().any(|c| c.is_coding()));
            if !coding {
                continue;
            }
            let ours = annotate_record(&model, &rec, alt);
            let o = ours
                .iter()
                .find(|a| a.transcript_id.as_deref() == Some(id.as_str()))
                .unwrap();
            let mut t = theirs[0].clone();
            for x in &theirs[1..] {
                t.consequences.extend(x.consequences.iter().copied());
                t.other_terms.extend(x.other_terms.iter().cloned());
            }
            compared += 1;
            let (co, ct) = (comparable(o, true), comparable(&t, false));
            let same = co == ct
                || documented_difference(&model, &rec, o, &t, &co, &ct).is_some()
                || without(&ct, &["5_prime_UTR_premature_start_codon_gain_variant"]) == co;
            let snv =
                rec.reference.len() == 1 && rec.alts().nth(alt - 1).is_some_and(|a| a.len() == 1);
            // VEP writes a synonymous change as "K", snpEff's HGVS.p gives "K/K".
            let aa = |x: &Option<String>| {
                x.as_deref().map(|v| match v.split_once('/') {
                    Some((a, b)) if a == b => a.to_string(),
                    _ => v.to_string(),
                })
            };
            let aa_ok = !snv
                || o.protein_start() == t.protein_start()
                    && (t.amino_acids.is_none() || aa(&o.amino_acids) == aa(&t.amino_acids));
            if same && aa_ok {
                agree += 1;
            } else {
                eprintln!(
                    "{}:{} {}>{}: ours {:?} {:?} {:?}, snpEff {:?} {:?} {:?}",
                    rec.chrom,
                    rec.pos,
                    rec.reference,
                    rec.alt,
                    co,
                    o.protein_position,
                    o.amino_acids,
                    ct,
                    t.protein_position,
                    t.amino_acids
                );
            }
        }
    }
    eprintln!("CCT8L2 coding dbSNP alleles: {agree}/{compared} agree with snpEff");
    assert_eq!(compared, 367);
    assert_eq!(agree, compared);
}

#[test]
fn chr22_unshifted_gtf_is_refused() {
    let Some(dir) = chr22_dir() else { return };
    let mut reference = Reference::open(&dir.join("genome.fasta")).unwrap();
    let err = TranscriptModel::from_gtf(
        &dir.join("genome.gtf"),
        &mut reference,
        ModelOptions::default(),
    )
    .err()
    .expect("the offset GTF must be refused");
    let text = err.to_string();
    assert!(text.contains("does not match the FASTA"), "{text}");
    assert!(text.contains("ENST00000359963"), "{text}");
    // Asked to, it loads anyway and reports the broken CDS.
    let model = TranscriptModel::from_gtf(
        &dir.join("genome.gtf"),
        &mut reference,
        ModelOptions {
            allow_mismatch: true,
        },
    )
    .unwrap();
    assert_eq!(model.report().complete_cds_clean, 0);
    assert_eq!(model.report().cds_with_internal_stop, 1);
}
