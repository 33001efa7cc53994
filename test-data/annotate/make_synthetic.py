#!/usr/bin/env python3
"""Seeded synthetic genome, GTF and VCF for the annotate conformance test (stdlib only).

Writes, into the directory given (default: this script's directory):
  genome.fa      two contigs of random sequence with genes written into them
  genes.gtf      Ensembl-style GTF: genes on both strands, alternative transcripts (exon
                 skipping, alternative first exon), lncRNAs, NMD, cds_start_NF / cds_end_NF
  variants.vcf   several hundred variants of every class (coding SNVs/MNVs, in-frame and
                 frameshift indels, start/stop codons, splice sites and regions, UTRs, introns,
                 non-coding exons, up/downstream, intergenic, exon-intron spanning deletions)

Usage: python3 make_synthetic.py [OUTDIR] [--genes N] [--variants-per-transcript K] [--seed S]
The same seed always gives the same files. With --genes 20000 it makes the benchmark
annotation (~60,000 transcripts) and --records N gives an N-record VCF of random variants.
"""
import argparse
import os
import random

STOPS = {"TAA", "TAG", "TGA"}
ALT_COPIES = 0
BASES = "ACGT"
COMP = str.maketrans("ACGTN", "TGCAN")


def rc(s):
    return s.translate(COMP)[::-1]


def rand_seq(rng, n):
    return "".join(rng.choice(BASES) for _ in range(n))


def rand_codon(rng):
    while True:
        c = rand_seq(rng, 3)
        if c not in STOPS:
            return c


FAST = bytes.maketrans(bytes(range(256)), bytes(b"ACGT"[i % 4] for i in range(256)))


class Contig:
    def __init__(self, name, length, rng, fast_rng=None):
        self.name = name
        if fast_rng is not None:
            # Benchmark genomes: bulk random bytes (the per-base generator is too slow at 100 Mb).
            self.seq = bytearray(fast_rng.randbytes(length).translate(FAST))
        else:
            self.seq = bytearray(rand_seq(rng, length), "ascii")

    def put(self, start, s):  # 0-based
        self.seq[start:start + len(s)] = s.encode()


def make_gene(rng, contig, pos, gi, strand, kind):
    """Writes one gene at 0-based `pos` on `contig`; returns (end, gtf_lines, transcripts)."""
    n_exons = rng.randint(1, 7) if kind != "lnc" else rng.randint(1, 4)
    # Exon and intron lengths in transcript order.
    exon_lens = [rng.randint(60, 260) for _ in range(n_exons)]
    intron_lens = [rng.choice([rng.randint(60, 900), rng.randint(30, 60)]) for _ in range(n_exons - 1)]
    if kind == "coding" and n_exons >= 4:
        exon_lens[2] = 3 * rng.randint(25, 60)  # a cassette exon that keeps the frame when skipped
    tlen = sum(exon_lens)
    # Transcript-oriented mRNA.
    mrna = list(rand_seq(rng, tlen))
    cds = None
    if kind in ("coding", "nmd", "start_nf", "end_nf"):
        utr5 = rng.randint(5, min(150, max(6, tlen // 4)))
        utr3 = rng.randint(5, min(150, max(6, tlen // 4)))
        if kind == "start_nf":
            utr5 = 0
        if kind == "end_nf":
            utr3 = 0
        ncod = (tlen - utr5 - utr3) // 3
        if ncod < 6:
            kind = "lnc"
        else:
            body = "".join(rand_codon(rng) for _ in range(ncod - 2))
            first = "ATG" if kind != "start_nf" else rand_codon(rng)
            last = rng.choice(sorted(STOPS)) if kind != "end_nf" else rand_codon(rng)
            orf = first + body + last
            extra = (tlen - utr5 - utr3) - len(orf)
            utr3 += extra
            if kind == "end_nf":
                # Incomplete CDS runs to the end of the transcript (partial last codon allowed).
                orf = orf + rand_seq(rng, extra)
                utr3 = 0
            mrna[utr5:utr5 + len(orf)] = list(orf)
            cds = (utr5, utr5 + len(orf))
    mrna = "".join(mrna)
    # Lay it out on the genome (transcript order -> genomic order).
    segs = []  # (exon genomic start, end) in transcript order
    glen = tlen + sum(intron_lens)
    cur = 0
    for i, el in enumerate(exon_lens):
        segs.append((cur, cur + el))
        cur += el
        if i < len(intron_lens):
            cur += intron_lens[i]
    # transcript-oriented coordinates -> genomic (0-based, relative to pos)
    gene_seq = [None] * glen
    off = 0
    for i, (s, e) in enumerate(segs):
        gene_seq[s:e] = list(mrna[off:off + (e - s)])
        off += e - s
        if i < len(intron_lens):
            il = intron_lens[i]
            intron = "GT" + rand_seq(rng, il - 4) + "AG"
            gene_seq[e:e + il] = list(intron)
    gene_seq = "".join(gene_seq)
    if strand == "-":
        contig.put(pos, rc(gene_seq))
    else:
        contig.put(pos, gene_seq)

    def to_genomic(a, b):  # transcript-relative [a,b) -> 1-based inclusive genomic
        if strand == "+":
            return pos + a + 1, pos + b
        return pos + glen - b + 1, pos + glen - a

    gene_id = "GENE%05d" % gi
    name = "G%d" % gi
    biotype = {"coding": "protein_coding", "nmd": "protein_coding", "start_nf": "protein_coding",
               "end_nf": "protein_coding", "lnc": "lncRNA"}[kind]
    # Alternative transcripts: full; exon-skipping (cassette exon 3); alternative first exon start.
    variants = [("full", list(range(n_exons)), 0)]
    if n_exons >= 4 and kind in ("coding", "lnc"):
        variants.append(("skip", [i for i in range(n_exons) if i != 2], 0))
    if n_exons >= 2 and rng.random() < 0.5:
        variants.append(("short5", list(range(n_exons)), rng.randint(1, 4)))
    if kind == "nmd":
        variants = [("full", list(range(n_exons)), 0)]
    if ALT_COPIES:
        # Benchmark annotations: more isoforms per gene (~3, as in Ensembl), same structures.
        variants += [("copy%d" % k, list(range(n_exons)), 0) for k in range(ALT_COPIES)]
    lines = []
    gs, ge = to_genomic(0, glen)
    attrs_g = f'gene_id "{gene_id}"; gene_version "1"; gene_name "{name}"; gene_source "synthetic"; gene_biotype "{biotype}";'
    lines.append((gs, 0, f"{contig.name}\tsynthetic\tgene\t{gs}\t{ge}\t.\t{strand}\t.\t{attrs_g}"))
    transcripts = []
    for ti, (label, exon_idx, trim5) in enumerate(variants):
        tid = "TX%05d%d" % (gi, ti)
        # exon list in transcript order, relative transcript coords of each kept exon
        exons = []
        for i in exon_idx:
            s, e = segs[i]
            if i == 0 and trim5:
                s = min(s + trim5, e - 1)
            exons.append((s, e))
        # CDS in transcript-relative genomic offsets: map mrna cds onto kept exons
        cds_segs = []
        frame_list = []
        has_cds = cds is not None and kind != "lnc"
        if has_cds:
            # mrna offset of each original exon
            mo = []
            acc = 0
            for (s, e) in segs:
                mo.append(acc)
                acc += e - s
            cs, ce = cds
            if label == "short5" and trim5 and cs < trim5 and kind != "start_nf":
                has_cds = False
            elif label == "skip":
                s2, e2 = segs[2]
                # the cassette exon must be entirely coding to keep the frame
                if not (mo[2] >= cs + 3 and mo[2] + (e2 - s2) <= ce - 3):
                    has_cds = False
        extra_tags = []
        if has_cds:
            for i in exon_idx:
                s, e = segs[i]
                ms = mo[i]
                a = max(ms, cs) - ms
                b = min(ms + e - s, ce) - ms
                if label == "short5" and i == 0 and trim5:
                    a = max(a, trim5)
                if a < b:
                    cds_segs.append((s + a, s + b))
            total = sum(b - a for a, b in cds_segs)
            # stop codon: the last 3 bases of the ORF (not for cds_end_NF)
            if kind == "start_nf":
                extra_tags.append("cds_start_NF")
            if kind == "end_nf":
                extra_tags.append("cds_end_NF")
        if has_cds:
            tbiotype = "nonsense_mediated_decay" if kind == "nmd" else biotype
        elif biotype == "protein_coding":
            tbiotype = "processed_transcript"
        else:
            tbiotype = biotype
        tattrs = (f'gene_id "{gene_id}"; gene_version "1"; transcript_id "{tid}"; transcript_version "1"; '
                  f'gene_name "{name}"; gene_source "synthetic"; gene_biotype "{biotype}"; '
                  f'transcript_name "{name}-{201 + ti}"; transcript_source "synthetic"; transcript_biotype "{tbiotype}";')
        tags = []
        if ti == 0:
            tags.append("Ensembl_canonical")
        tags.append("basic")
        tags += extra_tags
        tag_text = "".join(f' tag "{t}";' for t in tags)
        tsl = f' transcript_support_level "{1 + ti}";'
        ts = min(to_genomic(s, e)[0] for s, e in exons)
        te = max(to_genomic(s, e)[1] for s, e in exons)
        lines.append((ts, 1, f"{contig.name}\tsynthetic\ttranscript\t{ts}\t{te}\t.\t{strand}\t.\t{tattrs}{tag_text}{tsl}"))
        # CDS features exclude the stop codon (Ensembl style); phase from cumulative length
        stop_len = 3 if (has_cds and kind != "end_nf") else 0
        cds_feat = []
        remaining = sum(b - a for a, b in cds_segs) - stop_len
        start_phase = 0
        if kind == "start_nf":
            start_phase = 0
        acc = 0
        for (a, b) in cds_segs:
            take = min(b - a, max(0, remaining - acc))
            if take > 0:
                cds_feat.append((a, a + take, (3 - (acc % 3)) % 3))
            acc += take
        stop_feat = []
        if stop_len:
            # last 3 coding bases, possibly split over two exons
            need = 3
            for (a, b) in reversed(cds_segs):
                take = min(need, b - a)
                stop_feat.append((b - take, b))
                need -= take
                if need == 0:
                    break
        start_feat = []
        if has_cds and kind != "start_nf":
            need = 3
            for (a, b) in cds_segs:
                take = min(need, b - a)
                start_feat.append((a, a + take))
                need -= take
                if need == 0:
                    break
        for n, (s, e) in enumerate(exons, 1):
            gs_, ge_ = to_genomic(s, e)
            lines.append((gs_, 2, f"{contig.name}\tsynthetic\texon\t{gs_}\t{ge_}\t.\t{strand}\t.\t{tattrs} exon_number \"{n}\"; exon_id \"{tid}E{n}\"; exon_version \"1\";{tag_text}{tsl}"))
        for (a, b, ph) in cds_feat:
            gs_, ge_ = to_genomic(a, b)
            lines.append((gs_, 3, f"{contig.name}\tsynthetic\tCDS\t{gs_}\t{ge_}\t.\t{strand}\t{ph}\t{tattrs} protein_id \"P{tid[2:]}\"; protein_version \"1\";{tag_text}{tsl}"))
        for (a, b) in start_feat:
            gs_, ge_ = to_genomic(a, b)
            lines.append((gs_, 4, f"{contig.name}\tsynthetic\tstart_codon\t{gs_}\t{ge_}\t.\t{strand}\t0\t{tattrs}{tag_text}{tsl}"))
        for (a, b) in stop_feat:
            gs_, ge_ = to_genomic(a, b)
            lines.append((gs_, 5, f"{contig.name}\tsynthetic\tstop_codon\t{gs_}\t{ge_}\t.\t{strand}\t0\t{tattrs}{tag_text}{tsl}"))
        transcripts.append({
            "exons": [to_genomic(s, e) for s, e in exons],
            "cds": [to_genomic(a, b) for a, b in cds_segs],
            "strand": strand,
        })
    return pos + glen, [l for _, _, l in sorted(lines, key=lambda x: (x[1] > 0, x[0], x[1]))], transcripts


def variant_positions(rng, tx, contig_len):
    """Positions (1-based) that hit each class for one transcript."""
    out = []
    ex = sorted(tx["exons"])
    cds = sorted(tx["cds"])
    strand = tx["strand"]
    for s, e in cds:
        for _ in range(max(1, (e - s) // 40)):
            out.append(("cds", rng.randint(s, e)))
    if cds:
        five = cds[0][0] if strand == "+" else cds[-1][1] - 2
        three = cds[-1][1] - 2 if strand == "+" else cds[0][0]
        for k in range(3):
            out.append(("start", five + k))
            out.append(("stop", three + k))
    for (s1, e1), (s2, e2) in zip(ex, ex[1:]):
        # intron e1+1 .. s2-1
        for d in (1, 2):
            out.append(("splice", e1 + d))
            out.append(("splice", s2 - d))
        for d in (rng.randint(3, 8), rng.randint(3, 8)):
            out.append(("region", e1 + d))
            out.append(("region", s2 - d))
        for d in (0, 1, 2):
            out.append(("region", e1 - d))
            out.append(("region", s2 + d))
        if s2 - e1 > 40:
            out.append(("intron", rng.randint(e1 + 10, s2 - 10)))
        out.append(("span", e1 - rng.randint(0, 3)))
    if not cds:
        for s, e in ex:
            out.append(("ncexon", rng.randint(s, e)))
    else:
        lo, hi = cds[0][0], cds[-1][1]
        for s, e in ex:
            if s < lo:
                out.append(("utr", rng.randint(s, min(e, lo - 1))))
            if e > hi:
                out.append(("utr", rng.randint(max(s, hi + 1), e)))
    t0, t1 = ex[0][0], ex[-1][1]
    out.append(("flank", max(1, t0 - rng.randint(1, 5200))))
    out.append(("flank", min(contig_len - 10, t1 + rng.randint(1, 5200))))
    return out


def make_allele(rng, seq, pos, kind):
    """REF/ALT at 1-based pos: SNV, MNV, insertion or deletion."""
    p = pos - 1
    r = rng.random()
    if kind == "span":
        n = rng.randint(2, 9)
        return pos, seq[p:p + n + 1], seq[p]
    if r < 0.45:
        ref = seq[p]
        return pos, ref, rng.choice([b for b in BASES if b != ref])
    if r < 0.55:
        n = rng.choice([2, 3])
        ref = seq[p:p + n]
        alt = "".join(rng.choice([b for b in BASES if b != c]) for c in ref)
        return pos, ref, alt
    if r < 0.78:
        n = rng.choice([1, 2, 3, 4, 6])
        return pos, seq[p], seq[p] + rand_seq(rng, n)
    n = rng.choice([1, 2, 3, 4, 6])
    return pos, seq[p:p + n + 1], seq[p]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir", nargs="?", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--genes", type=int, default=40)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--records", type=int, default=0, help="random records instead of per-class ones")
    ap.add_argument("--extra-isoforms", type=int, default=0, help="identical extra transcripts per gene (benchmarks)")
    a = ap.parse_args()
    global ALT_COPIES
    ALT_COPIES = a.extra_isoforms
    rng = random.Random(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    n_contigs = 2 if a.genes <= 100 else 24
    per = (a.genes + n_contigs - 1) // n_contigs
    kinds = ["coding"] * 6 + ["lnc", "nmd", "start_nf", "end_nf"]
    contigs, gtf, txs = [], [], []
    gi = 0
    for ci in range(n_contigs):
        # Rough length; trimmed after placing genes.
        big = a.genes > 100
        c = Contig("chr%d" % (ci + 1), per * 16000 + 20000, rng, random.Random(a.seed + ci) if big else None)
        pos = 6000
        for _ in range(per):
            if gi >= a.genes:
                break
            gi += 1
            kind = kinds[gi % len(kinds)] if gi > 2 else "coding"
            strand = rng.choice("+-")
            end, lines, t = make_gene(rng, c, pos, gi, strand, kind)
            gtf += lines
            txs += [(c, x) for x in t]
            # Gaps below and above the 5 kb up/downstream distance.
            if a.genes > 100:
                pos = end + rng.randint(500, 9000)
            else:
                pos = end + rng.choice([rng.randint(50, 400), rng.randint(800, 4000), rng.randint(6000, 14000)])
        # A gene-free stretch at the end of each contig for intergenic variants.
        c.seq = c.seq[:pos + (6000 if a.genes > 100 else 46000)]
        contigs.append(c)
    with open(os.path.join(a.outdir, "genome.fa"), "w") as f:
        for c in contigs:
            f.write(f">{c.name}\n")
            s = c.seq.decode()
            for i in range(0, len(s), 60):
                f.write(s[i:i + 60] + "\n")
    with open(os.path.join(a.outdir, "genes.gtf"), "w") as f:
        f.write("#!genome-build synthetic\n")
        for l in gtf:
            f.write(l + "\n")
    recs = set()
    if a.records:
        by = {c.name: c for c in contigs}
        names = [c.name for c in contigs]
        while len(recs) < a.records:
            c = by[rng.choice(names)]
            pos = rng.randint(2, len(c.seq) - 20)
            s = c.seq
            p = pos - 1
            r = rng.random()
            if r < 0.8:
                ref = chr(s[p])
                alt = rng.choice([b for b in BASES if b != ref])
            elif r < 0.9:
                ref = chr(s[p])
                alt = ref + rand_seq(rng, rng.choice([1, 2, 3]))
            else:
                ref = s[p:p + rng.choice([2, 3, 4])].decode()
                alt = ref[0]
            recs.add((names.index(c.name), pos, ref, alt))
    else:
        for c, t in txs:
            s = c.seq.decode()
            for kind, pos in variant_positions(rng, t, len(s)):
                if 1 < pos < len(s) - 20:
                    recs.add((contigs.index(c), *make_allele(rng, s, pos, kind)))
        for ci, c in enumerate(contigs):
            # intergenic: far from every gene (checked by distance to all transcripts)
            spans = sorted((x["exons"][0][0], x["exons"][-1][1]) for cc, x in txs if cc is c)
            for _ in range(400):
                p = rng.randint(2, len(c.seq) - 20)
                if all(p < s - 5100 or p > e + 5100 for s, e in [(min(a, b), max(a, b)) for a, b in spans]):
                    recs.add((ci, *make_allele(rng, c.seq.decode(), p, "x")))
    with open(os.path.join(a.outdir, "variants.vcf"), "w") as f:
        f.write("##fileformat=VCFv4.2\n")
        for c in contigs:
            f.write(f"##contig=<ID={c.name},length={len(c.seq)}>\n")
        f.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for ci, pos, ref, alt in sorted(recs):
            f.write(f"{contigs[ci].name}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\t.\n")


if __name__ == "__main__":
    main()
