//! Hand-worked cases on a small two-exon gene, on both strands.

use super::*;
use crate::annotate::model::ModelOptions;
use crate::genome::codon::reverse_complement;
use crate::io::fasta::Reference;

// A hand-made gene: 5' UTR CCC, CDS ATG GCT TGG AAA CCC GG|A TTT CAG TAA (MAWKPGFQ*) split by
// a 20 bp intron (GT...AG), then a 10 bp 3' UTR. Exons 11-30 and 51-70.
const UP: &str = "AAAAAAAAAA";
const EXON1: &str = "CCCATGGCTTGGAAACCCGG";
const INTRON: &str = "GTAAGTTTTTTTTTTTTCAG";
const EXON2: &str = "ATTTCAGTAACCCCCCCCCC";
const DOWN: &str = "TTTTTTTTTT";

fn forward_seq() -> String {
    format!("{UP}{EXON1}{INTRON}{EXON2}{DOWN}")
}

fn gtf_lines(reverse: bool) -> String {
    // (start, end) on the forward layout, mirrored for the reverse-strand copy.
    let m = |s: u64, e: u64| if reverse { (81 - e, 81 - s) } else { (s, e) };
    let strand = if reverse { '-' } else { '+' };
    let attrs = "gene_id \"G1\"; gene_name \"GENE\"; transcript_id \"T1\"; transcript_version \"3\"; transcript_biotype \"protein_coding\"; tag \"Ensembl_canonical\";";
    let mut out = String::new();
    for (feature, s, e, frame) in [
        ("exon", 11, 30, "."),
        ("exon", 51, 70, "."),
        ("CDS", 14, 30, "0"),
        ("CDS", 51, 57, "1"),
        ("start_codon", 14, 16, "0"),
        ("stop_codon", 58, 60, "0"),
    ] {
        let (a, b) = m(s, e);
        out.push_str(&format!(
            "c\tt\t{feature}\t{a}\t{b}\t.\t{strand}\t{frame}\t{attrs}\n"
        ));
    }
    out
}

fn model(reverse: bool) -> (tempfile::TempDir, TranscriptModel) {
    let dir = tempfile::tempdir().unwrap();
    let seq = if reverse {
        String::from_utf8(reverse_complement(forward_seq().as_bytes())).unwrap()
    } else {
        forward_seq()
    };
    std::fs::write(dir.path().join("g.fa"), format!(">c\n{seq}\n")).unwrap();
    std::fs::write(dir.path().join("g.gtf"), gtf_lines(reverse)).unwrap();
    let mut r = Reference::open(&dir.path().join("g.fa")).unwrap();
    let m = TranscriptModel::from_gtf(&dir.path().join("g.gtf"), &mut r, ModelOptions::default())
        .unwrap();
    (dir, m)
}

/// Annotates a change given on the forward layout (1-based first changed base, forward-strand
/// REF/ALT without anchor), mirrored onto the reverse-strand copy when `reverse`.
fn ann(m: &TranscriptModel, reverse: bool, pos: u64, r: &str, a: &str) -> TranscriptAnnotation {
    let (pos, r, a) = if reverse {
        let rc = |x: &str| String::from_utf8(reverse_complement(x.as_bytes())).unwrap();
        let len = r.len().max(1) as u64;
        // An insertion before forward base `pos` sits after reverse base 81 - pos.
        let p = if r.is_empty() {
            82 - pos
        } else {
            81 - (pos + len - 1)
        };
        (p, rc(r), rc(a))
    } else {
        (pos, r.to_string(), a.to_string())
    };
    let allele = Allele::new(pos, r.as_bytes(), a.as_bytes(), a.clone());
    let allele = if r.is_empty() {
        // Allele::new wants a real VCF allele for insertions: anchor on the previous base.
        Allele {
            start: pos,
            end: pos - 1,
            ..allele
        }
    } else {
        allele
    };
    let mut v = annotate_allele(m, "c", &allele);
    assert_eq!(v.len(), 1, "{v:?}");
    v.remove(0)
}

fn terms(a: &TranscriptAnnotation) -> Vec<&'static str> {
    a.consequences.iter().map(|c| c.as_str()).collect()
}

#[test]
fn hand_worked_consequences_on_both_strands() {
    for reverse in [false, true] {
        let (_d, m) = model(reverse);
        let t = &m.transcripts()[0];
        assert_eq!(
            t.coding.as_ref().unwrap().protein,
            b"MAWKPGFQ",
            "reverse={reverse}"
        );
        assert!(m.report().complete_cds_clean == 1);

        // CDS 4 G>C: GCT (Ala) -> CCT (Pro).
        let a = ann(&m, reverse, 17, "G", "C");
        assert_eq!(terms(&a), ["missense_variant"]);
        assert_eq!(a.protein_position.as_deref(), Some("2"));
        assert_eq!(a.amino_acids.as_deref(), Some("A/P"));
        assert_eq!(a.codons.as_deref(), Some("Gct/Cct"));
        assert_eq!(a.cds_position.as_deref(), Some("4"));
        assert_eq!(a.cdna_position.as_deref(), Some("7"));
        assert_eq!(a.exon.as_deref(), Some("1/2"));
        assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.4G>C"));
        assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Ala2Pro"));
        assert_eq!(a.wildtype_protein.as_deref(), Some("MAWKPGFQ"));
        assert_eq!(ann(&m, reverse, 40, "T", "C").wildtype_protein, None);
        assert_eq!(a.strand, Some(if reverse { -1 } else { 1 }));
        assert!(a.canonical);

        // CDS 9 G>A: TGG (Trp) -> TGA.
        let a = ann(&m, reverse, 22, "G", "A");
        assert_eq!(terms(&a), ["stop_gained"]);
        assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Trp3Ter"));

        // Deleting CDS 10 (first A of AAA): frameshift, HGVS shifted to c.12del. The new frame
        // reads ATG GCT TGG AAC CCG GAT TTC AGT AAC CCC CCC CCC C: no stop before the end.
        let a = ann(&m, reverse, 23, "A", "");
        assert_eq!(terms(&a), ["frameshift_variant"]);
        assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.12del"));
        assert_eq!(a.frameshift_sequence.as_deref(), Some("MAWNPDFSNPPP"));
        assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Lys4AsnfsTer?"));
        assert_eq!(a.amino_acids.as_deref(), Some("K/X"));

        // Deleting CDS 4-6 (GCT): in-frame deletion of Ala2.
        let a = ann(&m, reverse, 17, "GCT", "");
        assert_eq!(terms(&a), ["inframe_deletion"]);
        assert_eq!(a.amino_acids.as_deref(), Some("A/-"));
        assert_eq!(a.hgvsp.as_deref(), Some("T1.3:p.Ala2del"));

        // Start and stop codons.
        assert_eq!(terms(&ann(&m, reverse, 14, "A", "G")), ["start_lost"]);
        let a = ann(&m, reverse, 58, "T", "C");
        assert_eq!(terms(&a), ["stop_lost"]);
        assert_eq!(a.amino_acids.as_deref(), Some("*/Q"));
        assert_eq!(
            terms(&ann(&m, reverse, 60, "A", "G")),
            ["stop_retained_variant"]
        );
        // Last exon base (CDS 17, GGA -> GCA): missense and splice region.
        assert_eq!(
            terms(&ann(&m, reverse, 30, "G", "C")),
            ["missense_variant", "splice_region_variant"]
        );

        // Intron: +1 donor, +3 region, deep, -2 acceptor. The reverse copy mirrors the whole
        // gene, so the biology (and the expected terms) are the same on both strands.
        assert_eq!(
            terms(&ann(&m, reverse, 31, "G", "A")),
            ["splice_donor_variant"]
        );
        assert_eq!(
            terms(&ann(&m, reverse, 49, "A", "G")),
            ["splice_acceptor_variant"]
        );
        // Intron base 10 of 20 is acceptor -11: inside VEP's polypyrimidine tract (the last 3
        // to 17 intron bases, `_intron_effects` `polypyrimidine_splice_site`).
        let a = ann(&m, reverse, 40, "T", "C");
        assert_eq!(
            terms(&a),
            ["splice_polypyrimidine_tract_variant", "intron_variant"]
        );
        assert_eq!(a.intron.as_deref(), Some("1/1"));
        assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.17+10T>C"));
        // Donor +3: VEP's donor region (+3 to +6), which replaces splice_region_variant
        // (`splice_region` returns 0 when `splice_donor_region_variant` holds).
        assert_eq!(
            terms(&ann(&m, reverse, 33, "A", "C")),
            ["splice_donor_region_variant", "intron_variant"]
        );
        // Donor +5: the 5th base term replaces the donor region one; base 35 is also acceptor
        // -16 of this short intron, so the polypyrimidine tract term comes with it.
        assert_eq!(
            terms(&ann(&m, reverse, 35, "G", "C")),
            [
                "splice_donor_5th_base_variant",
                "splice_polypyrimidine_tract_variant",
                "intron_variant"
            ]
        );
        // Acceptor -3 (exonic flank excluded): splice region and polypyrimidine tract together,
        // as VEP writes them.
        assert_eq!(
            terms(&ann(&m, reverse, 48, "C", "T")),
            [
                "splice_region_variant",
                "splice_polypyrimidine_tract_variant",
                "intron_variant"
            ]
        );
        // A deletion from acceptor -2 into the exon touches an exon, so no polypyrimidine term
        // (Config.pm: `include => {exon => 0}`).
        assert!(!terms(&ann(&m, reverse, 49, "AGA", ""))
            .contains(&"splice_polypyrimidine_tract_variant"));

        // UTRs and flanks.
        assert_eq!(
            terms(&ann(&m, reverse, 12, "C", "T")),
            ["5_prime_UTR_variant"]
        );
        let a = ann(&m, reverse, 65, "C", "T");
        assert_eq!(terms(&a), ["3_prime_UTR_variant"]);
        assert_eq!(a.hgvsc.as_deref(), Some("T1.3:c.*5C>T"));
        assert_eq!(
            terms(&ann(&m, reverse, 5, "A", "C")),
            ["upstream_gene_variant"]
        );
        assert_eq!(
            terms(&ann(&m, reverse, 75, "T", "C")),
            ["downstream_gene_variant"]
        );
    }
}

#[test]
fn insertion_and_intergenic() {
    let (_d, m) = model(false);
    // Inserting TAG after CDS 9 (between codons 3 and 4): in-frame stop.
    let a = ann(&m, false, 23, "", "TAG");
    assert_eq!(terms(&a), ["stop_gained", "inframe_insertion"]);
    assert_eq!(a.protein_position.as_deref(), Some("3-4"));
    assert_eq!(a.amino_acids.as_deref(), Some("-/*"));
    // 10 kb away: intergenic, one entry without a transcript.
    let far = Allele::new(5200, b"A", b"C", "C".into());
    let v = annotate_allele(&m, "c", &far);
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].consequences, [Consequence::IntergenicVariant]);
    assert!(v[0].transcript_id.is_none());
}

#[test]
fn vep_allele_labels_drop_the_shared_base_of_indels() {
    assert_eq!(vep_allele_labels("GA", &["G"]), ["-"]);
    assert_eq!(vep_allele_labels("G", &["GTT", "GA"]), ["TT", "A"]);
    assert_eq!(vep_allele_labels("AC", &["AT"]), ["AT"]);
    assert_eq!(vep_allele_labels("A", &["C"]), ["C"]);
}

/// A mitochondrial gene on `contig`: 10 A, CDS ATG TGA ATA CCC AGA (table 2: M W M P *;
/// the standard code would read M * I P R), a 5 bp 3' UTR, 5 A.
fn mito_model(
    contig: &str,
    attrs: &str,
) -> crate::error::Result<(tempfile::TempDir, TranscriptModel)> {
    let dir = tempfile::tempdir().unwrap();
    let seq = "AAAAAAAAAAATGTGAATACCCAGACCCCCAAAAA";
    std::fs::write(dir.path().join("g.fa"), format!(">{contig}\n{seq}\n")).unwrap();
    let a = format!("gene_id \"G\"; transcript_id \"T\"; {attrs}");
    let gtf = format!(
        "{contig}\tt\texon\t11\t30\t.\t+\t.\t{a}\n{contig}\tt\tCDS\t11\t22\t.\t+\t0\t{a}\n{contig}\tt\tstop_codon\t23\t25\t.\t+\t0\t{a}\n"
    );
    std::fs::write(dir.path().join("g.gtf"), gtf).unwrap();
    let mut r = Reference::open(&dir.path().join("g.fa")).unwrap();
    let m = TranscriptModel::from_gtf(&dir.path().join("g.gtf"), &mut r, ModelOptions::default())?;
    Ok((dir, m))
}

fn one(m: &TranscriptModel, contig: &str, pos: u64, r: &str, a: &str) -> Vec<&'static str> {
    let allele = Allele::new(pos, r.as_bytes(), a.as_bytes(), a.to_string());
    let v = annotate_allele(m, contig, &allele);
    assert_eq!(v.len(), 1, "{v:?}");
    terms(&v[0])
}

#[test]
fn mitochondrial_transcripts_use_table_2() {
    for contig in ["chrM", "MT"] {
        let (_d, m) = mito_model(contig, "").unwrap();
        let t = &m.transcripts()[0];
        assert_eq!(
            t.code,
            crate::genome::codon::GeneticCode::VertebrateMitochondrial
        );
        assert_eq!(t.coding.as_ref().unwrap().protein, b"MWMP");
        assert_eq!(m.report().complete_cds_clean, 1);
        // TGA>TGG (16 A>G): Trp to Trp, synonymous, not stop_lost.
        assert_eq!(one(&m, contig, 16, "A", "G"), ["synonymous_variant"]);
        // TGA>AGA (14 T>A): Trp to a table-2 stop.
        assert_eq!(one(&m, contig, 14, "T", "A"), ["stop_gained"]);
        // ATA>ATG (19 A>G): Met to Met (Ile to Met in the standard code).
        assert_eq!(one(&m, contig, 19, "A", "G"), ["synonymous_variant"]);
        // The stop AGA>AGG (25 A>G) stays a stop; AGA>TGA (23 A>T) becomes Trp.
        assert_eq!(one(&m, contig, 25, "A", "G"), ["stop_retained_variant"]);
        assert_eq!(one(&m, contig, 23, "A", "T"), ["stop_lost"]);
    }
}

#[test]
fn transl_table_attribute_sets_the_code() {
    // On a contig not named as mitochondrial, the attribute decides.
    let (_d, m) = mito_model("c", "transl_table \"2\";").unwrap();
    assert_eq!(m.transcripts()[0].coding.as_ref().unwrap().protein, b"MWMP");
    // Without it the standard code reads an internal stop and no final stop: refused.
    let e = mito_model("c", "").err().unwrap().to_string();
    assert!(e.contains("internal stop"), "{e}");
    let e = mito_model("c", "transl_table \"5\";")
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("transl_table") && e.contains("line 1"), "{e}");
}
