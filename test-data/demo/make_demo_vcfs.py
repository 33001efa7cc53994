#!/usr/bin/env python3
"""Writes the demo cohort's somatic VCFs and target BED (stdlib only, seeded, deterministic).

Three tumours, Mutect2-style two-sample VCFs annotated with VEP-style CSQ over a synthetic
two-contig genome (chr1, chr2; 1 Mb each) whose genes carry real immune/signature gene names:

  tumour_hyper  hypermutated (MSI-like): many nonsynonymous SNVs and frameshift indels
  tumour_hot    moderate burden (immune-hot in the full demo)
  tumour_cold   few mutations

The BED targets 1,000,000 bp (two 500 kb blocks), so TMB = counted mutations per Mb is easy to
check by hand: with the demo's filters (min depth 20, min alt reads 2, min VAF 0.05, max
population AF 0.001) every record whose ID is `pass` is counted and nothing else.

Run from the repository root:  python3 test-data/demo/make_demo_vcfs.py
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
GENES = ["GZMA", "PRF1", "CD8A", "CXCL9", "IFNG", "STAT1", "HLA-A", "B2M", "CD274", "IDO1",
         "LAG3", "TP53", "KRAS", "PIK3CA", "ARID1A", "MLH1", "PTEN", "APC", "BRAF", "JAK1"]
CSQ = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|"
       "HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|"
       "DISTANCE|STRAND|FLAGS|CANONICAL|MANE_SELECT|gnomADe_AF|MAX_AF")
HEADER = """##fileformat=VCFv4.2
##source=Mutect2
##tumor_sample={s}
##normal_sample={s}_normal
##contig=<ID=chr1,length=1000000>
##contig=<ID=chr2,length=1000000>
##FILTER=<ID=PASS,Description="All filters passed">
##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {csq}">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">
##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{s}_normal\t{s}
"""
# name: (counted nonsynonymous SNVs, counted frameshifts, synonymous, filtered, mean VAF)
COHORT = {
    "tumour_hyper": (48, 12, 20, 6, 0.30),
    "tumour_hot": (11, 1, 5, 3, 0.35),
    "tumour_cold": (2, 0, 2, 2, 0.20),
}


def csq(allele, consequence, gene, impact, af=""):
    v = {"Allele": allele, "Consequence": consequence, "IMPACT": impact, "SYMBOL": gene,
         "Gene": "ENSG_" + gene, "Feature_type": "Transcript", "Feature": "ENST_" + gene,
         "BIOTYPE": "protein_coding", "STRAND": "1", "CANONICAL": "YES", "gnomADe_AF": af}
    return "|".join(v.get(f, "") for f in CSQ.split("|"))


def main():
    with open(os.path.join(HERE, "targets.bed"), "w") as f:
        f.write("chr1\t0\t500000\nchr2\t0\t500000\n")
    for name, (snv, fs, syn, filtered, vaf) in COHORT.items():
        rng = random.Random(name)
        kinds = ["pass"] * snv + ["fs"] * fs + ["syn"] * syn + ["filtered"] * filtered
        positions = sorted(rng.sample(range(1000, 999_000, 37), len(kinds)))
        rng.shuffle(kinds)
        lines = []
        for i, (pos, kind) in enumerate(zip(positions, kinds)):
            chrom = "chr1" if i % 2 == 0 else "chr2"
            pos = pos // 2  # inside the 500 kb target block of each contig
            gene = GENES[rng.randrange(len(GENES))]
            depth = rng.randrange(60, 140)
            alt_reads = max(3, round(depth * min(0.9, max(0.08, rng.gauss(vaf, 0.08)))))
            ref, alt, cons, impact, flt, ident = "C", "T", "missense_variant", "MODERATE", "PASS", "pass"
            if kind == "fs":
                ref, alt, cons, impact = "A", "AT", "frameshift_variant", "HIGH"
            elif kind == "syn":
                cons, impact, ident = "synonymous_variant", "LOW", "not_nonsynonymous"
            elif kind == "filtered":
                flt, ident = "weak_evidence", "not_pass"
            ann = csq(alt[1:] or alt if kind == "fs" else alt, cons, gene, impact)
            lines.append((chrom, pos, ident, ref, alt, flt, ann, depth, alt_reads))
        lines.sort(key=lambda r: (r[0], r[1]))
        with open(os.path.join(HERE, name + ".vcf"), "w") as f:
            f.write(HEADER.format(s=name, csq=CSQ))
            for chrom, pos, ident, ref, alt, flt, ann, depth, alt_reads in lines:
                af = alt_reads / depth
                f.write(f"{chrom}\t{pos}\t{ident}\t{ref}\t{alt}\t.\t{flt}\tCSQ={ann}\tGT:AD:AF:DP\t"
                        f"0/0:40,0:0.0:40\t0/1:{depth - alt_reads},{alt_reads}:{af:.3f}:{depth}\n")


if __name__ == "__main__":
    main()
