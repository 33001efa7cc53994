#!/usr/bin/env python3
"""Writes edge.gtf and edge.sam: a tiny annotation and coordinate-sorted paired-end alignments
exercising featureCounts' counting rules (see README.md for each case). Stdlib only;
deterministic. Usage: python3 make_edge.py (writes into this folder)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CONTIGS = [("e1", 20000), ("e2", 5000)]

# (gene, contig, strand, [(start, end) 1-based inclusive exons, one list per transcript])
GENES = [
    ("GA", "e1", "+", [[(1001, 1100), (1201, 1300)], [(1051, 1150)]]),
    ("GB", "e1", "-", [[(1251, 1400)]]),
    ("GC", "e1", "+", [[(3001, 3200), (5001, 5200)]]),
    ("GF", "e1", "-", [[(3301, 3400)]]),
    ("GD", "e1", "+", [[(7001, 7100)]]),
    ("GE", "e2", "-", [[(501, 700)]]),
]

def gtf():
    out = []
    for gene, contig, strand, txs in GENES:
        lo = min(s for t in txs for s, _ in t)
        hi = max(e for t in txs for _, e in t)
        attrs = f'gene_id "{gene}"; gene_name "{gene}_name";'
        out.append(f"{contig}\ttest\tgene\t{lo}\t{hi}\t.\t{strand}\t.\t{attrs}")
        for i, t in enumerate(txs):
            ta = f'{attrs} transcript_id "{gene}.t{i}";'
            out.append(f"{contig}\ttest\ttranscript\t{min(s for s, _ in t)}\t{max(e for _, e in t)}\t.\t{strand}\t.\t{ta}")
            for s, e in t:
                out.append(f"{contig}\ttest\texon\t{s}\t{e}\t.\t{strand}\t.\t{ta}")
    # A gene declared without exons: featureCounts ignores it; so do we (and report it).
    out.append('e1\ttest\tgene\t9001\t9100\t.\t+\t.\tgene_id "GNOEX"; gene_name "GNOEX_name";')
    return "\n".join(out) + "\n"

def qlen(cigar):
    n, num = 0, ""
    for ch in cigar:
        if ch.isdigit():
            num += ch
        else:
            if ch in "MIS=X":
                n += int(num)
            num = ""
    return n

def rlen(cigar):
    n, num = 0, ""
    for ch in cigar:
        if ch.isdigit():
            num += ch
        else:
            if ch in "MDN=X":
                n += int(num)
            num = ""
    return n

RECS = []

def rec(name, flag, contig, pos, mapq, cigar, mcontig, mpos, tags=("NH:i:1",)):
    tlen = 0
    if contig != "*" and mcontig == "=" and not flag & 0xC:
        tlen = 0  # featureCounts does not use TLEN without -P
    n = qlen(cigar) if cigar != "*" else 50
    RECS.append((contig, pos, name, flag, mapq, cigar, mcontig, mpos, tlen, "A" * n, "*", list(tags)))

def pair(name, r1, r2, nh=1, extra1=(), extra2=()):
    """r = (contig, pos, cigar, reverse, mapq) or None (unmapped)."""
    def flags(me, mate, first):
        f = 0x1 | (0x40 if first else 0x80)
        if me is None:
            f |= 0x4
        elif me[3]:
            f |= 0x10
        if mate is None:
            f |= 0x8
        elif mate[3]:
            f |= 0x20
        if me is not None and mate is not None:
            f |= 0x2
        return f
    tags = (f"NH:i:{nh}",)
    for me, mate, first, extra in ((r1, r2, True, extra1), (r2, r1, False, extra2)):
        place = me if me is not None else mate
        if place is None:
            RECS.append(("*", 0, name, flags(me, mate, first), 0, "*", "*", 0, 0, "A" * 50, "*", []))
            continue
        mplace = mate if mate is not None else me
        mcontig = "=" if mplace[0] == place[0] else mplace[0]
        if me is None:
            rec(name, flags(me, mate, first), place[0], place[1], 0, "*", mcontig, mplace[1], ())
        else:
            rec(name, flags(me, mate, first), me[0], me[1], me[4], me[2], mcontig, mplace[1], tags + tuple(extra))

def R(contig, pos, cigar, reverse=False, mapq=60):
    return (contig, pos, cigar, reverse, mapq)

# 1. proper pair inside GC exon 1 -> GC
pair("p01_gc_exon", R("e1", 3010, "50M"), R("e1", 3100, "50M", True))
# 2. spliced read (N) joining GC exons, mate in exon 2 -> GC
pair("p02_spliced", R("e1", 3151, "50M1800N50M"), R("e1", 5100, "50M", True))
# 3. one mate unmapped, the other in GD -> GD
pair("p03_mate_unmapped", R("e1", 7020, "50M"), None)
# 4. read 2 mapped alone (read 1 unmapped), reverse strand in GB-only region
pair("p04_read1_unmapped", None, R("e1", 1320, "50M", True))
# 5. multi-mapper: two reported alignments (NH:2), both in GC -> MultiMapping x2
pair("p05_multi", R("e1", 3020, "50M"), R("e1", 3120, "50M", True), nh=2, extra1=("HI:i:1",), extra2=("HI:i:1",))
RECS.append(("e1", 5020, "p05_multi", 0x1 | 0x40 | 0x2 | 0x20 | 0x100, 0, "50M", "=", 5120, 0, "A" * 50, "*", ["NH:i:2", "HI:i:2"]))
RECS.append(("e1", 5120, "p05_multi", 0x1 | 0x80 | 0x2 | 0x10 | 0x100, 0, "50M", "=", 5020, 0, "A" * 50, "*", ["NH:i:2", "HI:i:2"]))
# 6. pair in GA exon 2 / GB overlap (opposite strands): ambiguous unstranded, GA with -s 1, GB with -s 2
pair("p06_overlap_fwd", R("e1", 1255, "40M"), R("e1", 1260, "40M", True))
# 7. read running past GD's last base -> GD (1 base of overlap is enough)
pair("p07_past_end", R("e1", 7060, "50M"), R("e1", 7090, "50M", True))
# 8. votes: section 1 on GA only, section 2 (10M5D10M) on GB only -> does D split a section?
pair("p08_vote_deletion", R("e1", 1011, "30M240N10M5D10M"), None)
# 9. votes: section 2 with an insertion (10M2I10M) on GB only
pair("p09_vote_insertion", R("e1", 1011, "30M240N10M2I10M"), None)
# 10. votes: section 1 in GA exons of two transcripts (overlapping exon lines), section 2 on GB only
pair("p10_vote_two_exons", R("e1", 1061, "20M230N20M"), None)
# 11. chimeric pair: read 1 spliced in GC (2 sections), read 2 on e2 in GE (1 section) -> GC by votes
pair("p11_chimeric", R("e1", 3161, "40M1800N30M"), R("e2", 550, "50M", True))
# 12. mates in GC and GF (one section each) -> ambiguous
pair("p12_two_genes", R("e1", 3150, "50M"), R("e1", 3320, "50M", True))
# 13. both mates unmapped -> Unassigned_Unmapped
pair("p13_unmapped", None, None)
# 14. low mapping quality on both mates -> MappingQuality with -Q 10; one good mate is enough
pair("p14_lowq", R("e1", 3030, "50M", mapq=5), R("e1", 3130, "50M", True, mapq=5))
pair("p15_one_lowq", R("e1", 3040, "50M", mapq=5), R("e1", 3140, "50M", True, mapq=60))
# 16. intergenic pair -> NoFeatures
pair("p16_intergenic", R("e1", 9500, "50M"), R("e1", 9600, "50M", True))
# 17. supplementary alignment of read 1 in GC while the pair lies in GD
pair("p17_supplementary", R("e1", 7010, "30M20S"), R("e1", 7050, "50M", True), extra1=("SA:Z:e1,3050,+,30S20M,60,0;",))
RECS.append(("e1", 3050, "p17_supplementary", 0x1 | 0x40 | 0x2 | 0x20 | 0x800, 60, "30H20M", "=", 7050, 0, "A" * 20, "*", ["NH:i:1", "SA:Z:e1,7010,+,30M20S,60,0;"]))
# 18. spliced read whose intron (N) spans GF's exon: the skipped bases do not count -> GC
pair("p18_intron_over_gene", R("e1", 3181, "20M1800N30M"), R("e1", 5050, "50M", True))
# 19. mates overlapping each other, reverse-stranded library orientation, in GB-only region
pair("p19_reverse_pair", R("e1", 1350, "40M", True), R("e1", 1340, "40M"))
# 20. read with soft clips hanging before GC exon 1: clipped bases do not count -> NoFeatures
pair("p20_softclip", R("e1", 2950, "20S50M"), R("e1", 2960, "50M", True))
# 21. section covering GA exon 2 and GB together plus one GA-only section -> GA by votes
pair("p21_vote_overlap", R("e1", 1081, "20M150N30M"), None)
# 22. deletion spanning into an exon: only the D bases touch GD -> does D count as covered?
pair("p22_deletion_edge", R("e1", 6981, "15M10D5M"), None)

# 23. a pair reported twice with NH:i:1 (the aligner's secondary copy of a unique pair, as some
#     aligners write): the primary pair lies in GC, the secondary pair (0x100) in GD.
#     featureCounts decides multi-mapping by NH alone, so the secondary pair is one more fragment
#     (GD); with --primary it is Unassigned_Secondary.
pair("p23_secondary_nh1", R("e1", 3060, "50M"), R("e1", 3160, "50M", True))
RECS.append(("e1", 7030, "p23_secondary_nh1", 0x1 | 0x40 | 0x2 | 0x20 | 0x100, 0, "50M", "=", 7050, 0, "A" * 50, "*", ["NH:i:1"]))
RECS.append(("e1", 7050, "p23_secondary_nh1", 0x1 | 0x80 | 0x2 | 0x10 | 0x100, 0, "50M", "=", 7030, 0, "A" * 50, "*", ["NH:i:1"]))
# 24. a secondary alignment with NH:i:1 of read 1 only (its mate has no secondary copy), in GE on
#     e2, while the pair lies in GC: counted as one more read by featureCounts (its mate is not
#     found, so it is a singleton fragment).
pair("p24_secondary_single", R("e1", 3070, "50M"), R("e1", 3170, "50M", True))
RECS.append(("e2", 600, "p24_secondary_single", 0x1 | 0x40 | 0x2 | 0x20 | 0x100, 0, "50M", "e1", 3170, 0, "A" * 50, "*", ["NH:i:1"]))
# 25. the same with read 2's secondary copy only (NH:i:1, on GD, mapping quality 3), the pair in GC.
pair("p25_secondary_read2", R("e1", 3080, "50M"), R("e1", 3180, "50M", True))
RECS.append(("e1", 7040, "p25_secondary_read2", 0x1 | 0x80 | 0x2 | 0x10 | 0x100, 3, "50M", "=", 3080, 0, "A" * 50, "*", ["NH:i:1"]))
# 26. a secondary copy of read 1 without an NH tag (NH taken as 1, as featureCounts does), on
#     GD, the pair in GC.
pair("p26_secondary_no_nh", R("e1", 3090, "50M"), R("e1", 3190, "50M", True))
RECS.append(("e1", 7070, "p26_secondary_no_nh", 0x1 | 0x40 | 0x2 | 0x20 | 0x100, 0, "50M", "=", 3190, 0, "A" * 50, "*", []))

def main():
    order = {c: i for i, (c, _) in enumerate(CONTIGS)}
    mapped = [r for r in RECS if r[0] != "*"]
    unmapped = [r for r in RECS if r[0] == "*"]
    mapped.sort(key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    lines = ["@HD\tVN:1.6\tSO:coordinate"]
    lines += [f"@SQ\tSN:{c}\tLN:{n}" for c, n in CONTIGS]
    lines.append("@PG\tID:make_edge\tPN:make_edge.py")
    for r in mapped + unmapped:
        contig, pos, name, flag, mapq, cigar, mcontig, mpos, tlen, seq, qual, tags = r
        lines.append("\t".join([name, str(flag), contig, str(pos), str(mapq), cigar, mcontig, str(mpos), str(tlen), seq, qual] + tags))
    with open(os.path.join(HERE, "edge.sam"), "w") as f:
        f.write("\n".join(lines) + "\n")
    # Single-end copy: every mapped record (both mates, secondary and supplementary included)
    # as an unpaired read; pair flags and mate fields cleared.
    se = lines[:4]
    for r in mapped:
        contig, pos, name, flag, mapq, cigar, mcontig, mpos, tlen, seq, qual, tags = r
        if flag & 0x4:
            continue
        flag &= ~(0x1 | 0x2 | 0x8 | 0x20 | 0x40 | 0x80)
        suffix = "/1" if r[3] & 0x40 else ("/2" if r[3] & 0x80 else "")
        se.append("\t".join([name + suffix, str(flag), contig, str(pos), str(mapq), cigar, "*", "0", "0", seq, qual] + tags))
    with open(os.path.join(HERE, "edge_se.sam"), "w") as f:
        f.write("\n".join(se) + "\n")
    with open(os.path.join(HERE, "edge.gtf"), "w") as f:
        f.write(gtf())

if __name__ == "__main__":
    main()
