#!/usr/bin/env python3
"""Writes the full demo cohort: a synthetic genome, its GTF and, per tumour, a raw somatic VCF,
an RNA BAM and tumour/normal DNA BAMs (stdlib Python, seeded, deterministic).

  genome.fa (+ .fai)   chr1, chr2 (200 kb each, genes) and chr3 (100 kb, planted microsatellites)
  genes.gtf            Ensembl-style GTF: 3-exon protein-coding genes on both strands named after
                       the CYT / GEP / IFN-gamma signature genes, the GEP housekeeping genes and a
                       few drivers
  genome.bed           the whole genome (0.5 Mb): the TMB territory
  tumour_X.somatic.vcf Mutect2-style two-sample VCF, unannotated (`annotate` adds CSQ)
  tumour_X.rna.bam     single-end 50 bp RNA reads inside exons (+ .bai)
  tumour_X.tumor.bam   100 bp DNA reads over the planted microsatellites (+ .bai)
  tumour_X.normal.bam  the matched normal (+ .bai)

Design (checked by tests/run_cli.rs):
  tumour_hyper  30 counted nonsynonymous (24 missense + 6 frameshift) -> TMB 60/Mb;
                20 of 40 microsatellites unstable (purity 0.6) -> MSI-H; moderately inflamed
  tumour_hot    6 counted (5 missense + 1 frameshift) -> 12/Mb; MSS; immune genes high (hot)
  tumour_cold   1 counted missense -> 2/Mb; MSS; immune genes barely expressed (cold)
Each tumour also has synonymous SNVs and `weak_evidence` records that TMB must not count.

Run from the repository root (samtools is needed here only, to write BAM/BAI/FAI):
  python3 test-data/demo/make_demo_genome.py
"""
import os
import random
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BASES = "ACGT"
COMP = str.maketrans("ACGT", "TGCA")
CODE = {"TCAG"[i // 16] + "TCAG"[(i // 4) % 4] + "TCAG"[i % 4]: a
        for i, a in enumerate("FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG")}
SENSE = sorted(c for c, a in CODE.items() if a != "*")

IMMUNE = ["GZMA", "PRF1", "CD8A", "CXCL9", "CXCL10", "IFNG", "STAT1", "HLA-A", "IDO1", "LAG3",
          "CD274", "PDCD1LG2", "TIGIT", "CD27", "CMKLR1", "CCL5", "HLA-DQA1", "HLA-DRB1", "HLA-E",
          "NKG7", "PSMB10", "CXCR6", "CD276", "HLA-DRA", "CD3D", "CD3E", "GZMB", "GZMK", "CD2",
          "CXCL13", "IL2RG", "CIITA", "TAGAP"]
HOUSEKEEPING = ["STK11IP", "ZBTB34", "TBC1D10B", "OAZ1", "POLR2A", "G6PD", "ABCF1", "C14orf102",
                "UBB", "TBP", "SDHA"]
OTHER = ["TP53", "KRAS", "PIK3CA", "ARID1A", "MLH1", "PTEN", "APC", "BRAF", "JAK1", "B2M",
         "ACTB", "GAPDH"]
GENE_CONTIGS = [("chr1", 200_000), ("chr2", 200_000)]
MS_CONTIG = ("chr3", 100_000)
# RNA reads per gene: (housekeeping, immune, other) by tumour
EXPRESSION = {"tumour_hyper": (200, 70, 60), "tumour_hot": (200, 260, 60),
              "tumour_cold": (200, 3, 60)}
# (missense, frameshift, synonymous, weak_evidence, mean VAF)
VARIANTS = {"tumour_hyper": (24, 6, 10, 4, 0.30), "tumour_hot": (5, 1, 3, 2, 0.35),
            "tumour_cold": (1, 0, 1, 1, 0.25)}
# (unstable sites of 40, tumour purity)
MSI = {"tumour_hyper": (20, 0.6), "tumour_hot": (0, 0.6), "tumour_cold": (0, 0.6)}
N_MS, MS_SPACING, DNA_DEPTH, READ_LEN, RNA_LEN = 40, 2_000, 30, 100, 50


def revcomp(s):
    return s.translate(COMP)[::-1]


def background(rng, n):
    return [rng.choice(BASES) for _ in range(n)]


def make_genes(rng, genome):
    """Places every gene on chr1/chr2; returns dicts with exons and CDS positions."""
    names = IMMUNE + HOUSEKEEPING + OTHER
    genes, pos = [], {c: 2_000 for c, _ in GENE_CONTIGS}
    for i, name in enumerate(names):
        contig = GENE_CONTIGS[i % 2][0]
        strand = "+" if (i // 2) % 2 == 0 else "-"
        codons = rng.randrange(200, 320)
        cds = "ATG" + "".join(rng.choice([c for c in SENSE if c != "ATG"]) for _ in range(codons - 2))
        cds += rng.choice(["TAA", "TAG", "TGA"])
        tx = "".join(background(rng, 60)) + cds + "".join(background(rng, 80))  # 5'UTR CDS 3'UTR
        cut1 = 60 + rng.randrange(120, len(cds) // 2 - 30)
        cut2 = rng.randrange(cut1 + 150, 60 + len(cds) - 60)
        pieces = [tx[:cut1], tx[cut1:cut2], tx[cut2:]]
        if strand == "-":
            pieces = [revcomp(p) for p in reversed(pieces)]
        start = pos[contig]
        exons, cur = [], start
        for k, p in enumerate(pieces):
            genome[contig][cur:cur + len(p)] = list(p)
            exons.append((cur, cur + len(p)))
            cur += len(p)
            if k < 2:
                cur += rng.randrange(300, 900)  # intron: background left as is
        pos[contig] = cur + rng.randrange(1_000, 2_500)
        assert pos[contig] < dict(GENE_CONTIGS)[contig], "genes do not fit"
        # genomic positions of the transcript, in transcript order
        tpos = [p for a, b in exons for p in range(a, b)]
        if strand == "-":
            tpos = tpos[::-1]
        genes.append({"name": name, "id": f"ENSGDEMO{i + 1:05d}", "tid": f"ENSTDEMO{i + 1:05d}",
                      "contig": contig, "strand": strand, "exons": exons,
                      "cds": tpos[60:60 + len(cds)], "cds_seq": cds})
    return genes


def segments(positions):
    """Sorted genomic half-open runs covering a set of positions."""
    ps = sorted(positions)
    runs, a = [], ps[0]
    for x, y in zip(ps, ps[1:] + [None]):
        if y != x + 1:
            runs.append((a, x + 1))
            a = y
    return runs


def write_gtf(genes, path):
    src = "demo"
    with open(path, "w") as f:
        f.write("#!genome-build immunoprofile-demo\n")
        for g in sorted(genes, key=lambda g: (g["contig"], g["exons"][0][0])):
            c, s = g["contig"], g["strand"]
            ga = f'gene_id "{g["id"]}"; gene_name "{g["name"]}"; gene_biotype "protein_coding";'
            ta = (ga[:-1] + f'; transcript_id "{g["tid"]}"; transcript_name "{g["name"]}-201"; '
                  'transcript_biotype "protein_coding"; tag "Ensembl_canonical";')
            lo, hi = g["exons"][0][0], g["exons"][-1][1]
            f.write(f"{c}\t{src}\tgene\t{lo + 1}\t{hi}\t.\t{s}\t.\t{ga}\n")
            f.write(f"{c}\t{src}\ttranscript\t{lo + 1}\t{hi}\t.\t{s}\t.\t{ta}\n")
            cds_core, stop = g["cds"][:-3], g["cds"][-3:]
            order = g["exons"] if s == "+" else g["exons"][::-1]
            done = 0  # CDS bases before this exon, in transcript order
            for n, (a, b) in enumerate(order, 1):
                f.write(f'{c}\t{src}\texon\t{a + 1}\t{b}\t.\t{s}\t.\t{ta} exon_number "{n}";\n')
                inside = [p for p in cds_core if a <= p < b]
                if inside:
                    phase = (3 - done % 3) % 3
                    lo2, hi2 = min(inside), max(inside) + 1
                    f.write(f'{c}\t{src}\tCDS\t{lo2 + 1}\t{hi2}\t.\t{s}\t{phase}\t{ta} '
                            f'exon_number "{n}";\n')
                    done += len(inside)
            for feat, ps in (("start_codon", g["cds"][:3]), ("stop_codon", stop)):
                for a, b in segments(ps):
                    f.write(f"{c}\t{src}\t{feat}\t{a + 1}\t{b}\t.\t{s}\t.\t{ta}\n")


def variants(rng, genes, genome, name):
    missense, fs, syn, weak, vaf = VARIANTS[name]
    kinds = ["missense"] * missense + ["fs"] * fs + ["syn"] * syn + ["weak"] * weak
    used, out = set(), []
    for kind in kinds:
        while True:
            g = rng.choice(genes)
            k = rng.randrange(2, len(g["cds"]) // 3 - 2)
            if (g["name"], k) in used:
                continue
            codon = g["cds_seq"][3 * k:3 * k + 3]
            plus = g["strand"] == "+"
            # keep clear of splice regions: the codon and 8 bases either side on one exon
            span = g["cds"][3 * k - 8:3 * k + 11]
            if max(span) - min(span) != len(span) - 1:
                continue
            if kind == "syn":
                if CODE[codon[:2] + "A"] != CODE[codon[:2] + "C"] or CODE[codon[:2] + "A"] == "*":
                    continue  # not 4-fold degenerate
                off = 2
                alts = [b for b in BASES if b != codon[2]]
            else:
                off = rng.randrange(2)
                alts = [b for b in BASES if b != codon[off]
                        and CODE[codon[:off] + b + codon[off + 1:]] not in ("*", CODE[codon])]
                if not alts:
                    continue
            used.add((g["name"], k))
            p = g["cds"][3 * k + off]
            seq = genome[g["contig"]]
            if kind == "fs":
                ins = [b for b in BASES if b != seq[p] and b != seq[p + 1]]
                ref, alt = seq[p], seq[p] + rng.choice(ins)
                # a frameshift, not a stop gained: the first changed codon is no stop
                cds, i = g["cds"], min(g["cds"].index(p), g["cds"].index(p + 1))
                x = alt[1] if plus else alt[1].translate(COMP)
                mutant = g["cds_seq"][:i + 1] + x + g["cds_seq"][i + 1:]
                c0 = (i + 1) // 3 * 3
                if CODE[mutant[c0:c0 + 3]] == "*":
                    continue
            else:
                b = rng.choice(alts)
                ref, alt = seq[p], (b if plus else b.translate(COMP))
            assert ref == "".join(seq[p:p + len(ref)])
            depth = rng.randrange(60, 140)
            alt_reads = max(4, round(depth * min(0.9, max(0.1, rng.gauss(vaf, 0.08)))))
            flt = "weak_evidence" if kind == "weak" else "PASS"
            out.append((g["contig"], p + 1, ref, alt, flt, depth, alt_reads, g["name"], kind))
            break
    out.sort()
    return out


def write_vcf(path, name, rows):
    with open(path, "w") as f:
        f.write("##fileformat=VCFv4.2\n##source=Mutect2\n")
        f.write(f"##tumor_sample={name}\n##normal_sample={name}_normal\n")
        for c, n in GENE_CONTIGS + [MS_CONTIG]:
            f.write(f"##contig=<ID={c},length={n}>\n")
        f.write('##FILTER=<ID=PASS,Description="All filters passed">\n'
                '##FILTER=<ID=weak_evidence,Description="Mutation does not meet likelihood threshold">\n'
                '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n'
                '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">\n'
                '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">\n'
                '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth">\n')
        f.write(f"#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t{name}_normal\t{name}\n")
        for c, pos, ref, alt, flt, depth, alt_reads, gene, kind in rows:
            af = alt_reads / depth
            f.write(f"{c}\t{pos}\t{gene}_{kind}\t{ref}\t{alt}\t.\t{flt}\t.\tGT:AD:AF:DP\t"
                    f"0/0:45,0:0.0:45\t0/1:{depth - alt_reads},{alt_reads}:{af:.3f}:{depth}\n")


def sam_header(rg):
    h = "@HD\tVN:1.6\tSO:unsorted\n"
    for c, n in GENE_CONTIGS + [MS_CONTIG]:
        h += f"@SQ\tSN:{c}\tLN:{n}\n"
    return h + f"@RG\tID:{rg}\tSM:{rg}\n@PG\tID:make_demo_genome\tPN:make_demo_genome.py\n"


def write_bam(path, header, reads):
    sam = path[:-4] + ".sam"
    with open(sam, "w") as f:
        f.write(header)
        f.writelines(reads)
    subprocess.run(["samtools", "sort", "--no-PG", "-l", "9", "-o", path, sam], check=True)
    subprocess.run(["samtools", "index", path], check=True)
    os.remove(sam)


def read_with(seq, start, length, variant):
    """A read of `length` bases from `start`, carrying `variant` (0-based pos, ref, alt) when
    given; returns (sequence, CIGAR)."""
    if variant is None:
        return "".join(seq[start:start + length]), f"{length}M"
    p, ref, alt = variant
    a = p - start + 1  # reference bases up to and including the variant's first base
    if len(ref) == len(alt):
        r = seq[start:start + length]
        r[p - start] = alt
        return "".join(r), f"{length}M"
    ins = alt[1:]
    r = "".join(seq[start:p + 1]) + ins + "".join(seq[p + 1:start + length - len(ins)])
    return r, f"{a}M{len(ins)}I{length - a - len(ins)}M"


def variant_reads(rng, genome, rows, tag, tumour):
    """DNA reads over every somatic variant: the tumour's AD as in the VCF, the normal 45x ref."""
    reads = []
    for i, (c, pos, ref, alt, _, depth, alt_reads, _, _) in enumerate(rows):
        p, n, k = pos - 1, (depth if tumour else 45), (alt_reads if tumour else 0)
        for j in range(n):
            start = p - rng.randrange(10, READ_LEN - 10)
            r, cigar = read_with(genome[c], start, READ_LEN, (p, ref, alt) if j < k else None)
            flag = 16 if rng.random() < 0.5 else 0
            reads.append(f"v{i}.{j}\t{flag}\t{c}\t{start + 1}\t60\t{cigar}\t*\t0\t0\t{r}\t*\t"
                         f"RG:Z:{tag}\n")
    return reads


def rna_reads(rng, genes, genome, name, rows):
    hk, imm, other = EXPRESSION[name]
    reads = []
    for g in genes:
        n = hk if g["name"] in HOUSEKEEPING else imm if g["name"] in IMMUNE else other
        n = max(0, round(n * rng.uniform(0.8, 1.25)))
        exons = [e for e in g["exons"] if e[1] - e[0] >= RNA_LEN]
        for j in range(n):
            a, b = rng.choice(exons)
            s = rng.randrange(a, b - RNA_LEN + 1)
            # the tumour's variants are expressed at their DNA allele fraction
            hit = [(pos - 1, ref, alt) for c, pos, ref, alt, _, depth, k, _, _ in rows
                   if c == g["contig"] and s <= pos - 1 < s + RNA_LEN - 2 and rng.random() < k / depth]
            seq, cigar = read_with(genome[g["contig"]], s, RNA_LEN, hit[0] if hit else None)
            flag = 16 if rng.random() < 0.5 else 0
            reads.append(f"{g['name']}.{j}\t{flag}\t{g['contig']}\t{s + 1}\t60\t{cigar}\t*\t0\t0\t"
                         f"{seq}\t*\tRG:Z:{name}_rna\n")
    return reads


def plant_microsatellites(rng, genome):
    contig = MS_CONTIG[0]
    sites = []
    for i in range(N_MS):
        start = 1_000 + i * MS_SPACING
        unit = ["A", "T", "CA", "AG"][i % 4]
        copies = rng.randrange(12, 17) if len(unit) == 1 else rng.randrange(8, 11)
        rep = unit * copies
        # flanks that cannot extend the repeat
        genome[contig][start - 1] = "G" if unit[0] != "G" else "C"
        genome[contig][start:start + len(rep)] = list(rep)
        genome[contig][start + len(rep)] = "C" if unit[-1] != "C" else "G"
        sites.append((start, start + len(rep), unit))
    return sites


def dna_reads(rng, genome, sites, unstable, purity, tag, tumour):
    contig, seq = MS_CONTIG[0], genome[MS_CONTIG[0]]
    reads = []
    for i, (rs, re_, unit) in enumerate(sites):
        shifts = unstable.get(i) if tumour else None
        for j in range(DNA_DEPTH):
            d = 0
            if shifts and rng.random() < purity:
                d = shifts[j % 2]
            if rng.random() < 0.03:  # PCR stutter
                d += -1 if rng.random() < 0.7 else 1
            allele = unit * ((re_ - rs) // len(unit) + d)
            ws, we = rs - 150, re_ + 150
            hap = "".join(seq[ws:rs]) + allele + "".join(seq[re_:we])
            lo = (rs - ws) + len(allele) + 15 - READ_LEN
            hi = (rs - ws) - 15
            o = rng.randrange(lo, hi + 1)
            a = (rs - ws) - o
            diff = len(allele) - (re_ - rs)
            if diff < 0:
                cigar = f"{a}M{-diff}D{READ_LEN - a}M"
            elif diff > 0:
                cigar = f"{a}M{diff}I{READ_LEN - a - diff}M"
            else:
                cigar = f"{READ_LEN}M"
            flag = 16 if rng.random() < 0.5 else 0
            reads.append(f"ms{i}.{j}\t{flag}\t{contig}\t{ws + o + 1}\t60\t{cigar}\t*\t0\t0\t"
                         f"{hap[o:o + READ_LEN]}\t*\tRG:Z:{tag}\n")
    return reads


def main():
    rng = random.Random("immunoprofile-demo-genome")
    genome = {c: background(rng, n) for c, n in GENE_CONTIGS + [MS_CONTIG]}
    genes = make_genes(rng, genome)
    sites = plant_microsatellites(rng, genome)
    with open(os.path.join(HERE, "genome.fa"), "w") as f:
        for c, _ in GENE_CONTIGS + [MS_CONTIG]:
            s = "".join(genome[c])
            f.write(f">{c}\n" + "".join(s[i:i + 60] + "\n" for i in range(0, len(s), 60)))
    subprocess.run(["samtools", "faidx", os.path.join(HERE, "genome.fa")], check=True)
    write_gtf(genes, os.path.join(HERE, "genes.gtf"))
    with open(os.path.join(HERE, "genome.bed"), "w") as f:
        for c, n in GENE_CONTIGS + [MS_CONTIG]:
            f.write(f"{c}\t0\t{n}\n")
    for name in VARIANTS:
        r = random.Random(name)
        rows = variants(r, genes, genome, name)
        write_vcf(os.path.join(HERE, f"{name}.somatic.vcf"), name, rows)
        write_bam(os.path.join(HERE, f"{name}.rna.bam"), sam_header(f"{name}_rna"),
                  rna_reads(r, genes, genome, name, rows))
        n_unstable, purity = MSI[name]
        unstable = {}
        for i in sorted(r.sample(range(N_MS), n_unstable)):
            d1 = -r.randrange(2, 5)
            unstable[i] = (d1, r.choice([0, d1 + 1, -r.randrange(1, 4)]) or d1)
        write_bam(os.path.join(HERE, f"{name}.tumor.bam"), sam_header(name),
                  dna_reads(r, genome, sites, unstable, purity, name, True)
                  + variant_reads(r, genome, rows, name, True))
        write_bam(os.path.join(HERE, f"{name}.normal.bam"), sam_header(f"{name}_normal"),
                  dna_reads(r, genome, sites, {}, purity, f"{name}_normal", False)
                  + variant_reads(r, genome, rows, f"{name}_normal", False))


if __name__ == "__main__":
    main()
