#!/usr/bin/env python3
"""Writes the small VCFs and BEDs that the `tmb` tests use (stdlib only, deterministic).

Every data line carries, in its ID column, the decision a careful reader expects under the
"standard" settings used by tests/tmb_cli.rs:

    --targets targets.bed --min-depth 20 --min-alt-reads 2 --min-vaf 0.05 --max-population-af 0.001
    (count nonsynonymous unless the file says otherwise)

as `exp=REASON[,REASON...]`, one reason per ALT allele (`pass` = counted). The expectations were
written by hand from the FORMAT values and consequences below, not from the program's output.

Run from the repository root:  python3 test-data/tmb/make_tmb_data.py
If bcftools is installed it also writes mutect2_vep.bcf (bcftools view -Ob).
"""
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))

CSQ_FIELDS = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
              "cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|DISTANCE|"
              "STRAND|FLAGS|CANONICAL|MANE_SELECT|gnomADe_AF|MAX_AF")


def csq(allele, consequence, symbol, transcript="ENST0001", canonical="YES", gnomad="", max_af="", impact="MODERATE"):
    """One VEP CSQ entry with the fields above (most left empty, as VEP does)."""
    values = {
        "Allele": allele, "Consequence": consequence, "IMPACT": impact, "SYMBOL": symbol,
        "Gene": "ENSG_" + symbol, "Feature_type": "Transcript", "Feature": transcript,
        "BIOTYPE": "protein_coding", "STRAND": "1", "CANONICAL": canonical,
        "gnomADe_AF": gnomad, "MAX_AF": max_af,
    }
    return "|".join(values.get(f, "") for f in CSQ_FIELDS.split("|"))


def write(name, text):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(text)


MUTECT2_HEADER = """##fileformat=VCFv4.2
##source=Mutect2
##GATKCommandLine=<ID=Mutect2,CommandLine="Mutect2 -R ref.fa -I tumour.bam -I normal.bam",Version="4.2.0.0">
##tumor_sample=tumour
##normal_sample=normal
##contig=<ID=chr1,length=1000000>
##contig=<ID=chr2,length=1000000>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {csq}">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tnormal\ttumour
""".replace("{csq}", CSQ_FIELDS)

NORMAL = "0/0:40,0:0.024:40"


def m2(chrom, pos, exp, ref, alt, filt, entries, tumour, normal=NORMAL):
    info = "CSQ=" + ",".join(entries) if entries else "."
    return "\t".join([chrom, str(pos), "exp=" + exp, ref, alt, ".", filt, info, "GT:AD:AF:DP", normal, tumour]) + "\n"


def mutect2():
    r = []
    # 1 missense, VAF 0.25 at depth 80: counted.
    r.append(m2("chr1", 1500, "pass", "C", "T", "PASS", [csq("T", "missense_variant", "GENEA")], "0/1:60,20:0.25:80"))
    # 2 synonymous: coding but not protein-changing.
    r.append(m2("chr1", 2500, "not_nonsynonymous", "G", "A", "PASS", [csq("A", "synonymous_variant", "GENEA", impact="LOW")], "0/1:60,20:0.25:80"))
    # 3 stop gained.
    r.append(m2("chr1", 3500, "pass", "C", "A", "PASS", [csq("A", "stop_gained", "GENEA", impact="HIGH")], "0/1:60,20:0.25:80"))
    # 4 frameshift insertion (VEP allele drops the padding base: T).
    r.append(m2("chr1", 4500, "pass", "A", "AT", "PASS", [csq("T", "frameshift_variant", "GENEB", impact="HIGH")], "0/1:60,20:0.25:80"))
    # 5 in-frame deletion of TC (VEP allele '-').
    r.append(m2("chr1", 5500, "pass", "GTC", "G", "PASS", [csq("-", "inframe_deletion", "GENEB")], "0/1:60,20:0.25:80"))
    # 6 splice region in an intron: not protein-changing (pyTMB would count it).
    r.append(m2("chr1", 6500, "not_nonsynonymous", "A", "G", "PASS", [csq("G", "splice_region_variant&intron_variant", "GENEB", impact="LOW")], "0/1:60,20:0.25:80"))
    # 7 intron.
    r.append(m2("chr1", 7500, "not_nonsynonymous", "T", "C", "PASS", [csq("C", "intron_variant", "GENEB", impact="MODIFIER")], "0/1:60,20:0.25:80"))
    # 8 missense that failed Mutect2's filters.
    r.append(m2("chr1", 8500, "not_pass", "C", "T", "weak_evidence", [csq("T", "missense_variant", "GENEC")], "0/1:60,20:0.25:80"))
    # 9 missense at depth 8 (< 20).
    r.append(m2("chr1", 9500, "low_depth", "C", "T", "PASS", [csq("T", "missense_variant", "GENEC")], "0/1:5,3:0.375:8"))
    # 10 missense, 2 alt reads of 100: VAF 0.02 < 0.05 (alt reads 2 >= 2 pass).
    r.append(m2("chr1", 10500, "low_vaf", "C", "T", "PASS", [csq("T", "missense_variant", "GENEC")], "0/1:98,2:0.02:100"))
    # 11 missense, common in gnomAD exomes (0.02 > 0.001).
    r.append(m2("chr1", 11500, "population_af", "G", "A", "PASS", [csq("A", "missense_variant", "GENEC", gnomad="0.02", max_af="0.03")], "0/1:60,20:0.25:80"))
    # 12 multi-allelic: A missense (VAF 0.2), T synonymous.
    r.append(m2("chr1", 12500, "pass,not_nonsynonymous", "C", "A,T", "PASS",
                [csq("A", "missense_variant", "GENED"), csq("T", "synonymous_variant", "GENED", impact="LOW")],
                "0/1/2:50,15,10:0.2,0.133:75", normal="0/0:40,0,0:0.02,0.02:40"))
    # 13 splice donor.
    r.append(m2("chr1", 13500, "pass", "A", "G", "PASS", [csq("G", "splice_donor_variant", "GENED", impact="HIGH")], "0/1:60,20:0.25:80"))
    # 14 two transcripts: missense on the non-canonical one, synonymous on the canonical one.
    r.append(m2("chr1", 14500, "pass", "C", "T", "PASS",
                [csq("T", "missense_variant", "GENEE", transcript="ENST0002", canonical=""),
                 csq("T", "synonymous_variant", "GENEE", transcript="ENST0003", impact="LOW")],
                "0/1:60,20:0.25:80"))
    # 15 missense outside the targets (chr1 targets end at 200,000).
    r.append(m2("chr1", 250000, "outside_targets", "C", "T", "PASS", [csq("T", "missense_variant", "GENEF")], "0/1:60,20:0.25:80"))
    # 16 missense with no read counts in the tumour: depth cannot be checked.
    r.append(m2("chr2", 5000, "missing_depth", "G", "C", "PASS", [csq("C", "missense_variant", "GENEG")], "0/1:.:.:."))
    # 17 C missense + '*' (a spanning deletion, not a new event).
    r.append(m2("chr2", 6000, "pass,spanning_deletion", "T", "C,*", "PASS",
                [csq("C", "missense_variant", "GENEG")], "0/1/2:50,20,10:0.25,0.125:80", normal="0/0:40,0,0:0.02,0.02:40"))
    # 18 stop lost.
    r.append(m2("chr2", 7000, "pass", "A", "G", "PASS", [csq("G", "stop_lost", "GENEH", impact="HIGH")], "0/1:60,20:0.25:80"))
    # 19 5' UTR.
    r.append(m2("chr2", 8000, "not_nonsynonymous", "C", "T", "PASS", [csq("T", "5_prime_UTR_variant", "GENEH", impact="MODIFIER")], "0/1:60,20:0.25:80"))
    # 20 missense also seen in the normal at VAF 0.333 (only a normal filter removes it).
    r.append(m2("chr2", 9000, "pass", "G", "T", "PASS", [csq("T", "missense_variant", "GENEI")], "0/1:60,20:0.25:80", normal="0/1:20,10:0.333:30"))
    # 21 start lost.
    r.append(m2("chr2", 10000, "pass", "A", "C", "PASS", [csq("C", "start_lost", "GENEI", impact="HIGH")], "0/1:60,20:0.25:80"))
    # 22 no CSQ on the record.
    r.append(m2("chr2", 11000, "no_annotation", "G", "A", "PASS", [], "0/1:60,20:0.25:80"))
    write("mutect2_vep.vcf", MUTECT2_HEADER + "".join(r))
    # Same calls, header only: an empty VCF.
    write("empty.vcf", MUTECT2_HEADER)


def strelka():
    head = """##fileformat=VCFv4.1
##source=strelka
##source_version=2.9.10
##contig=<ID=chr1,length=1000000>
##contig=<ID=chr2,length=1000000>
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1 (used+filtered)">
##FORMAT=<ID=FDP,Number=1,Type=Integer,Description="Number of basecalls filtered from original read depth for tier1">
##FORMAT=<ID=AU,Number=2,Type=Integer,Description="Number of 'A' alleles used in tiers 1,2">
##FORMAT=<ID=CU,Number=2,Type=Integer,Description="Number of 'C' alleles used in tiers 1,2">
##FORMAT=<ID=GU,Number=2,Type=Integer,Description="Number of 'G' alleles used in tiers 1,2">
##FORMAT=<ID=TU,Number=2,Type=Integer,Description="Number of 'T' alleles used in tiers 1,2">
##FORMAT=<ID=TAR,Number=2,Type=Integer,Description="Reads strongly supporting alternate allele for tiers 1,2">
##FORMAT=<ID=TIR,Number=2,Type=Integer,Description="Reads strongly supporting indel allele for tiers 1,2">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR
"""
    f = "DP:FDP:AU:CU:GU:TU"
    snvs = [
        # C>T: CU tier1 30, TU tier1 10: VAF 10/40 = 0.25, DP 41.
        ("chr1", 1500, "pass", "C", "T", "PASS", "41:1:0,0:30,31:0,0:10,10", "35:0:0,0:35,35:0,0:0,0"),
        # G>A: GU 95, AU 3: VAF 3/98 = 0.0306 < 0.05.
        ("chr1", 2500, "low_vaf", "G", "A", "PASS", "98:0:3,3:0,0:95,96:0,0", "35:0:0,0:0,0:35,35:0,0"),
        # A>G: AU 10, GU 5: DP 15 < 20.
        ("chr1", 3500, "low_depth", "A", "G", "PASS", "15:0:10,10:0,0:5,5:0,0", "35:0:35,35:0,0:0,0:0,0"),
        # T>C that Strelka filtered (LowEVS).
        ("chr1", 4500, "not_pass", "T", "C", "LowEVS", "41:0:0,0:10,10:0,0:30,31", "35:0:0,0:0,0:0,0:35,35"),
    ]
    text = head + "".join(
        "\t".join([c, str(p), "exp=" + e, r, a, ".", flt, "SOMATIC", f, n, t]) + "\n"
        for c, p, e, r, a, flt, t, n in snvs
    )
    write("strelka_snvs.vcf", text)
    g = "DP:DP2:TAR:TIR"
    indels = [
        # CA>C: TAR tier1 36, TIR tier1 12: VAF 12/48 = 0.25.
        ("chr1", 5500, "pass", "CA", "C", "PASS", "50:50:36,40:12,13", "40:40:40,40:0,0"),
        # G>GT: TAR 60, TIR 2: VAF 2/62 = 0.032.
        ("chr2", 5000, "low_vaf", "G", "GT", "PASS", "62:62:60,61:2,2", "40:40:40,40:0,0"),
    ]
    text = head + "".join(
        "\t".join([c, str(p), "exp=" + e, r, a, ".", flt, "SOMATIC", g, n, t]) + "\n"
        for c, p, e, r, a, flt, t, n in indels
    )
    write("strelka_indels.vcf", text)


def varscan():
    head = """##fileformat=VCFv4.1
##source=VarScan2
##contig=<ID=chr1,length=1000000>
##contig=<ID=chr2,length=1000000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">
##FORMAT=<ID=RD,Number=1,Type=Integer,Description="Depth of reference-supporting bases (reads1)">
##FORMAT=<ID=AD,Number=1,Type=Integer,Description="Depth of variant-supporting bases (reads2)">
##FORMAT=<ID=FREQ,Number=1,Type=String,Description="Variant allele frequency">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR
"""
    rows = [
        # 30 ref + 10 alt: FREQ 25%.
        ("chr1", 1500, "pass", "C", "T", "0/1:.:40:30:10:25%"),
        # 97 ref + 3 alt: FREQ 3%.
        ("chr1", 2500, "low_vaf", "G", "A", "0/1:.:100:97:3:3%"),
        # 1 alt read of 30.
        ("chr1", 3500, "low_alt_reads", "A", "G", "0/1:.:30:29:1:3.33%"),
    ]
    text = head + "".join(
        "\t".join([c, str(p), "exp=" + e, r, a, ".", "PASS", "SOMATIC;SS=2", "GT:GQ:DP:RD:AD:FREQ", "0/0:.:40:40:0:0%", t]) + "\n"
        for c, p, e, r, a, t in rows
    )
    write("varscan.vcf", text)


def freebayes():
    head = """##fileformat=VCFv4.2
##source=freeBayes v1.3.6
##contig=<ID=chr1,length=1000000>
##contig=<ID=chr2,length=1000000>
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">
##FORMAT=<ID=RO,Number=1,Type=Integer,Description="Reference allele observation count">
##FORMAT=<ID=AO,Number=A,Type=Integer,Description="Alternate allele observation count">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ttumour
"""
    rows = [
        # AO 10 of DP 40: VAF 0.25.
        ("chr1", 1500, "pass", "C", "T", "0/1:40:30:10"),
        # Multi-allelic: G AO 12 (0.3 of 40), A AO 1 (alt reads 1 < 2).
        ("chr1", 2500, "pass,low_alt_reads", "C", "G,A", "1/2:40:27:12,1"),
        # DP 10 < 20.
        ("chr1", 3500, "low_depth", "A", "G", "0/1:10:5:5"),
    ]
    text = head + "".join(
        "\t".join([c, str(p), "exp=" + e, r, a, "50", ".", ".", "GT:DP:RO:AO", t]) + "\n"
        for c, p, e, r, a, t in rows
    )
    write("freebayes.vcf", text)


def snpeff():
    head = """##fileformat=VCFv4.2
##source=HaplotypeCaller
##SnpEffVersion="5.1d"
##contig=<ID=chr1,length=1000000>
##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency, for each ALT allele, in the same order as listed">
##INFO=<ID=ANN,Number=.,Type=String,Description="Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' ">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tsample1
"""

    def ann(allele, effect, impact, gene, hgvsp="", aa=""):
        return f"{allele}|{effect}|{impact}|{gene}|{gene}|transcript|ENST_{gene}|protein_coding|2/5|c.1A>G|{hgvsp}|10/100|10/90|{aa}||"

    rows = [
        # INFO/AF=0.5 is this sample's genotype frequency, not a population AF: still counted.
        ("chr1", 1500, "pass", "C", "T", "AF=0.5;ANN=" + ann("T", "missense_variant", "MODERATE", "GENEA", "p.Arg4His", "4/30")),
        ("chr1", 2500, "pass", "GTCA", "G", "AF=0.5;ANN=" + ann("G", "conservative_inframe_deletion", "MODERATE", "GENEA", "p.Val5del", "5/30")),
        ("chr1", 3500, "not_nonsynonymous", "A", "G", "AF=1.00;ANN=" + ann("G", "synonymous_variant", "LOW", "GENEA", "p.Leu6Leu", "6/30")),
        ("chr1", 4500, "not_nonsynonymous", "T", "C", "AF=0.5;ANN=" + ann("C", "intergenic_region", "MODIFIER", "GENEA")),
        ("chr1", 5500, "pass", "G", "A", "AF=0.5;ANN=" + ann("A", "missense_variant&splice_region_variant", "MODERATE", "GENEB", "p.Gly7Asp", "7/30")),
    ]
    text = head + "".join(
        "\t".join([c, str(p), "exp=" + e, r, a, "100", "PASS", info, "GT:AD:DP", "0/1:30,30:60"]) + "\n"
        for c, p, e, r, a, info in rows
    )
    write("snpeff_ann.vcf", text)


def beds():
    write("targets.bed", "track name=targets\n# two target blocks\nchr1\t999\t100000\nchr1\t50000\t200000\nchr2\t999\t100000\n")
    write("targets_nochr.bed", "1\t999\t100000\n1\t50000\t200000\n2\t999\t100000\n")
    write("targets_unknown_contig.bed", "chr1\t999\t200000\nchr9\t0\t1000\n")


if __name__ == "__main__":
    mutect2()
    strelka()
    varscan()
    freebayes()
    snpeff()
    beds()
    if shutil.which("bcftools"):
        subprocess.run(["bcftools", "view", "-Ob", "-o", os.path.join(HERE, "mutect2_vep.bcf"),
                        os.path.join(HERE, "mutect2_vep.vcf")], check=True)
