#!/usr/bin/env python3
"""Seeded synthetic RNA-seq input for benches/quant.sh: a GTF of N genes (1-6 exons, both
strands, some overlapping) on 20 contigs and a coordinate-sorted SAM of P read pairs (2x100 bp;
~75% exonic, ~20% spliced across an intron, ~5% multi-mapping with NH:2, some intergenic).
Stdlib only. Usage: make_rna_bench.py OUTDIR [N_GENES] [N_PAIRS] [SEED]; writes OUTDIR/bench.gtf
and prints the SAM on stdout (pipe it to `samtools view -b -o bench.bam -`)."""
import os
import random
import sys

out = sys.argv[1]
n_genes = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
n_pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
CONTIGS = [(f"chr{i + 1}", 10_000_000) for i in range(20)]
READ = 100
SEQ = ("ACGT" * 25)[:READ]

genes = []  # (contig, strand, [(s, e)] 1-based inclusive)
per = n_genes // len(CONTIGS)
for c, length in CONTIGS:
    starts = sorted(rng.randrange(1000, length - 60000) for _ in range(per))
    for s in starts:
        exons, pos = [], s
        for _ in range(rng.randint(1, 6)):
            e = pos + rng.randint(80, 800)
            exons.append((pos, e))
            pos = e + rng.randint(200, 8000)
        genes.append((c, rng.choice("+-"), exons))
with open(os.path.join(out, "bench.gtf"), "w") as f:
    for i, (c, strand, exons) in enumerate(genes):
        gid = f"G{i:06d}"
        a = f'gene_id "{gid}"; gene_name "GENE{i}"; transcript_id "{gid}.1";'
        f.write(f"{c}\tbench\tgene\t{exons[0][0]}\t{exons[-1][1]}\t.\t{strand}\t.\t{a}\n")
        for s, e in exons:
            f.write(f"{c}\tbench\texon\t{s}\t{e}\t.\t{strand}\t.\t{a}\n")

by_contig = {c: [] for c, _ in CONTIGS}
w = sys.stdout.write
w("@HD\tVN:1.6\tSO:coordinate\n")
for c, n in CONTIGS:
    w(f"@SQ\tSN:{c}\tLN:{n}\n")
for k in range(n_pairs):
    name = f"r{k}"
    c, strand, exons = rng.choice(genes)
    kind = rng.random()
    nh = 2 if kind < 0.05 else 1
    if kind < 0.80 or len(exons) == 1:
        s, e = rng.choice(exons)
        p1 = rng.randint(max(1, s - 50), e)
        cig1 = f"{READ}M"
    else:
        j = rng.randrange(len(exons) - 1)
        left = rng.randint(10, READ - 10)
        p1 = exons[j][1] - left + 1
        gap = exons[j + 1][0] - exons[j][1] - 1
        cig1 = f"{left}M{gap}N{READ - left}M"
    if rng.random() < 0.03:
        p1 = rng.randint(1, 9_000_000)
        cig1 = f"{READ}M"
    p2 = p1 + rng.randint(0, 300)
    rev = rng.random() < 0.5
    f1 = 0x1 | 0x2 | 0x40 | (0x10 if rev else 0x20)
    f2 = 0x1 | 0x2 | 0x80 | (0x20 if rev else 0x10)
    tags = f"NH:i:{nh}\tHI:i:1"
    by_contig[c].append((p1, f"{name}\t{f1}\t{c}\t{p1}\t255\t{cig1}\t=\t{p2}\t0\t{SEQ}\t*\t{tags}\n"))
    by_contig[c].append((p2, f"{name}\t{f2}\t{c}\t{p2}\t255\t{READ}M\t=\t{p1}\t0\t{SEQ}\t*\t{tags}\n"))
for c, _ in CONTIGS:
    for _, line in sorted(by_contig[c], key=lambda x: x[0]):
        w(line)
