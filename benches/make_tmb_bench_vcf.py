#!/usr/bin/env python3
"""Writes a seeded, realistic Mutect2 tumour/normal VCF with VEP CSQ for benchmarking `tmb`.

usage: make_tmb_bench_vcf.py N_RECORDS OUT.vcf   (then `bgzip -@2 OUT.vcf`)
Records are sorted, ~3% multi-allelic, ~10% indels, 2-3 transcripts each, gnomAD AFs on some.
"""
import random
import sys

CSQ = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
       "cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|DISTANCE|STRAND|"
       "FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL|MANE_SELECT|gnomADe_AF|MAX_AF")
TERMS = [("missense_variant", "MODERATE"), ("synonymous_variant", "LOW"), ("intron_variant", "MODIFIER"),
         ("stop_gained", "HIGH"), ("splice_region_variant&intron_variant", "LOW"),
         ("3_prime_UTR_variant", "MODIFIER"), ("downstream_gene_variant", "MODIFIER"),
         ("upstream_gene_variant", "MODIFIER"), ("frameshift_variant", "HIGH")]


def main():
    n = int(sys.argv[1])
    rng = random.Random(20261124)
    out = open(sys.argv[2], "w")
    out.write("##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR_S1\n##normal_sample=NORMAL_S1\n")
    for c in range(1, 23):
        out.write(f"##contig=<ID=chr{c},length=250000000>\n")
    out.write('##FILTER=<ID=PASS,Description="All filters passed">\n')
    out.write(f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: {CSQ}">\n')
    out.write('##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">\n')
    for f, num, t in [("GT", "1", "String"), ("AD", "R", "Integer"), ("AF", "A", "Float"), ("DP", "1", "Integer"),
                      ("F1R2", "R", "Integer"), ("F2R1", "R", "Integer")]:
        out.write(f'##FORMAT=<ID={f},Number={num},Type={t},Description="{f}">\n')
    out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL_S1\tTUMOR_S1\n")
    per_chrom = n // 22 + 1
    written = 0
    bases = "ACGT"
    for c in range(1, 23):
        pos = 10000
        for _ in range(per_chrom):
            if written == n:
                break
            pos += rng.randint(1, 200)
            ref = rng.choice(bases)
            kind = rng.random()
            if kind < 0.05:
                alts = [ref + "".join(rng.choice(bases) for _ in range(rng.randint(1, 4)))]
            elif kind < 0.10:
                ref = ref + "".join(rng.choice(bases) for _ in range(rng.randint(1, 4)))
                alts = [ref[0]]
            else:
                alts = [rng.choice([b for b in bases if b != ref[0]])]
            if rng.random() < 0.03 and len(ref) == 1:
                alts.append(rng.choice([b for b in bases if b != ref and b not in alts]))
            dp = rng.randint(5, 300)
            alt_reads = [max(0, int(dp * rng.uniform(0.0, 0.5))) for _ in alts]
            ref_reads = max(0, dp - sum(alt_reads))
            afs = ",".join(f"{a / max(dp, 1):.3f}" for a in alt_reads)
            entries = []
            for i, a in enumerate(alts):
                allele = a[1:] if len(a) > 1 and all(x[0] == ref[0] for x in alts) else a
                allele = allele or "-"
                for t in range(rng.randint(2, 3)):
                    term, impact = rng.choice(TERMS)
                    gnomad = f"{rng.random() * 0.01:.5f}" if rng.random() < 0.2 else ""
                    fields = [allele, term, impact, f"GENE{c}_{pos // 50000}", f"ENSG{c:02d}{pos // 50000:07d}",
                              "Transcript", f"ENST{c:02d}{pos:09d}{t}", "protein_coding", "", "", "", "", "", "", "",
                              "", "", "", "", "1", "", "HGNC", "", "YES" if t == 0 else "", "", gnomad, gnomad]
                    entries.append("|".join(fields))
            filt = "PASS" if rng.random() < 0.7 else "weak_evidence"
            tlod = ",".join(f"{rng.uniform(3, 80):.2f}" for _ in alts)
            normal_ad = ",".join([str(rng.randint(20, 80))] + ["0"] * len(alts))
            tumour = f"0/{'/'.join(str(i + 1) for i in range(len(alts)))}:{ref_reads},{','.join(map(str, alt_reads))}:{afs}:{dp}:{ref_reads // 2},{','.join(str(a // 2) for a in alt_reads)}:{ref_reads - ref_reads // 2},{','.join(str(a - a // 2) for a in alt_reads)}"
            normal = f"0/0:{normal_ad}:{','.join('0.010' for _ in alts)}:50:25,{','.join('0' for _ in alts)}:25,{','.join('0' for _ in alts)}"
            out.write(f"chr{c}\t{pos}\t.\t{ref}\t{','.join(alts)}\t.\t{filt}\tTLOD={tlod};CSQ={','.join(entries)}\tGT:AD:AF:DP:F1R2:F2R1\t{normal}\t{tumour}\n")
            written += 1
    out.close()


if __name__ == "__main__":
    main()
