#!/usr/bin/env python3
"""T1K's HLA reference (`PREFIX_rna_seq.fa`, `PREFIX_dna_seq.fa`) from an IPD-IMGT/HLA release's
FASTA files, for `benches/hla_vs_t1k.sh`.

    python3 benches/t1k_reference.py IMGT_DIR OUT_DIR [PREFIX]      # PREFIX defaults to hlaidx

T1K builds its reference with `t1k-build.pl -d hla.dat` (its ParseDatFile.pl reads the exon
annotations of the EMBL-format `hla.dat`). `hla.dat` is not in the release folders the project
reads (per-locus `fasta/*_nuc.fasta`, `*_gen.fasta`, or `hla_nuc.fasta`/`hla_gen.fasta`), so this
rebuilds the same two files from the FASTA, following ParseDatFile.pl (T1K v1.0.9-r239) step by
step; every place where the FASTA forces a different choice is marked "DIFFERS" and listed in
reference/hla/PEERS.md. The output is derived from IMGT data: it goes to OUT_DIR (a cache
outside the repository), never into the repository (IPD-IMGT/HLA licence, CC BY-ND).

Output records, as ParseDatFile.pl writes them: `>HLA-A*01:01:01:01 NEXONS s1 e1 s2 e2 ...` (exon
extents in the output sequence, 0-based inclusive) and the sequence on one line.
  rna: 50 bp of 5' UTR + the coding sequence + 50 bp of 3' UTR.
  dna: 50 bp of 5' UTR + exons with 200 bp of each flanking intron; an intron longer than 400 bp
       is cut to its two 200 bp ends joined by one `N`; 50 bp of 3' UTR.
"""
import collections
import os
import sys

UTR = 50  # ParseDatFile.pl $utrLength
PAD = 200  # ParseDatFile.pl $intronPaddingLength
SEED = 12  # exact seed for placing an exon of the CDS in the genomic sequence


def read_fasta(path):
    """(allele name, sequence) in file order; IMGT headers are `>HLA:HLA00001 A*01:01:01:01 ...`."""
    out, name, seq = [], None, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith(">"):
                if name:
                    out.append((name, "".join(seq).upper()))
                cols = line[1:].split()
                name, seq = cols[1] if len(cols) > 1 else cols[0], []
            elif line:
                seq.append(line)
    if name:
        out.append((name, "".join(seq).upper()))
    return out


def load(imgt):
    """Alleles as {name: {"cds":..., "gen":..., "order": i}}, both file layouts of a release."""
    pairs = []
    fasta = os.path.join(imgt, "fasta")
    if os.path.isdir(fasta):
        for f in sorted(os.listdir(fasta)):
            if f.endswith("_nuc.fasta"):
                pairs.append(("cds", os.path.join(fasta, f)))
            elif f.endswith("_gen.fasta"):
                pairs.append(("gen", os.path.join(fasta, f)))
    for kind, f in (("cds", "hla_nuc.fasta"), ("gen", "hla_gen.fasta")):
        if os.path.exists(os.path.join(imgt, f)):
            pairs.append((kind, os.path.join(imgt, f)))
    if not pairs:
        sys.exit(f"error: no *_nuc.fasta / *_gen.fasta under {imgt}/fasta nor hla_nuc.fasta in {imgt}")
    alleles = {}
    for kind, path in pairs:
        for name, seq in read_fasta(path):
            name = name if name.startswith("HLA-") else "HLA-" + name
            a = alleles.setdefault(name, {"order": len(alleles)})
            a[kind] = seq
    return alleles


def exon_walk(cds, gen):
    """Exons of `cds` in `gen` as [start, end] (0-based inclusive, genomic coordinates), or None.

    DIFFERS: hla.dat annotates exons; the FASTA does not, so the coding sequence is walked through
    the genomic one: each exon starts where the next coding bases first occur (12-base exact
    seed) and runs while they match, stepping back up to 3 bases to a GT splice donor when the
    intron happens to begin like the next exon; a last exon shorter than the seed (5 bp in HLA-A)
    is placed at the first `AG` + its bases at least 30 bp downstream."""
    exons, c, g = [], 0, 0
    while c < len(cds):
        seed = cds[c:c + SEED]
        if len(seed) < SEED and exons:
            at = gen.find("AG" + seed, g + 30)
            if at < 0:
                return None
            exons.append([at + 2, at + 2 + len(seed) - 1])
            c = len(cds)
            break
        at = gen.find(seed, g)
        if at < 0:
            return None
        start_c, cc, gg = c, c, at
        while cc < len(cds) and gg < len(gen) and cds[cc] == gen[gg]:
            cc += 1
            gg += 1
        if cc < len(cds):
            for d in range(0, min(3, cc - start_c - 1) + 1):
                if gen.startswith("GT", gg - d):
                    cc -= d
                    gg -= d
                    break
        exons.append([at, gg - 1])
        c, g = cc, gg
    return exons if c == len(cds) else None


def mode(counter):
    """ParseDatFile.pl FindMode: the most frequent value, ties to the largest (string order)."""
    best, bestn = None, -1
    for k, n in counter.items():
        if n > bestn or (n == bestn and str(k) >= str(best)):
            best, bestn = k, n
    return best


def complete(cds, ref_end):
    """DIFFERS: hla.dat flags partial alleles (`/partial`); the FASTA does not. An allele counts as
    complete when its CDS starts with ATG and its last 20 bases differ from the locus's commonest
    last 20 bases of a genomic allele in at most 3 places (a partial allele lacks exon 1 or the
    last exon)."""
    tail = cds[-20:]
    return cds.startswith("ATG") and len(tail) == 20 and sum(x != y for x, y in zip(tail, ref_end)) <= 3


def build(alleles):
    genes = collections.OrderedDict()
    for name, a in sorted(alleles.items(), key=lambda kv: kv[1]["order"]):
        if "cds" in a:
            genes.setdefault(name.split("*")[0], []).append(name)
    rna_out, dna_out, notes = [], [], collections.Counter()
    for gene, names in genes.items():
        # Exon layout of every allele with a genomic sequence.
        layout = {}
        for n in names:
            a = alleles[n]
            if "gen" in a:
                ex = exon_walk(a["cds"], a["gen"])
                if ex:
                    layout[n] = ex
                else:
                    notes[f"{gene}: genomic sequence the CDS could not be walked through (treated as CDS-only)"] += 1
        ends = collections.Counter(alleles[n]["cds"][-20:] for n in layout)
        ref_end = mode(ends) if ends else ""
        full = {n for n in names if complete(alleles[n]["cds"], ref_end)}
        partial = [n for n in names if n not in full]
        notes[f"{gene}: partial CDS (no ATG start or foreign last 20 bp)"] += len(partial)

        # UTR paddings: the first allele (release order) with a full 50 bp UTR lends its UTR to
        # alleles with less (ParseDatFile.pl gene5UTRPadding / gene3UTRPadding).
        pad5 = pad3 = None
        for n in names:
            if n in layout:
                gen, ex = alleles[n]["gen"], layout[n]
                if pad5 is None and ex[0][0] >= UTR:
                    pad5 = gen[ex[0][0] - UTR:ex[0][0]]
                if pad3 is None and ex[-1][1] + UTR < len(gen):
                    pad3 = gen[ex[-1][1] + 1:ex[-1][1] + 1 + UTR]
        if pad5 is None or pad3 is None:
            notes[f"{gene}: skipped (no allele with 50 bp of UTR on both sides)"] += len(names)
            continue

        def utrs(n):
            """5' and 3' UTR of `n`, padded to 50 bp the way ParseDatFile.pl pads."""
            if n not in layout:
                return pad5, pad3
            gen, ex = alleles[n]["gen"], layout[n]
            u5 = gen[max(0, ex[0][0] - UTR):ex[0][0]]
            u3 = gen[ex[-1][1] + 1:ex[-1][1] + 1 + UTR]
            return pad5[:UTR - len(u5)] + u5, u3 + (pad3[len(pad3) - (UTR - len(u3)):] if len(u3) < UTR else "")

        # ---- RNA: complete alleles, and partial ones at least as long as the locus's mode.
        eff = collections.Counter(2 * UTR + len(alleles[n]["cds"]) for n in full)
        eff_mode = mode(eff)
        rna = {}
        for n in [*[m for m in names if m in full], *partial]:
            cds = alleles[n]["cds"]
            if n not in full and 2 * UTR + len(cds) < eff_mode:
                continue
            u5, u3 = utrs(n)
            if n in layout:
                ex, off, regions = layout[n], UTR, []
                for s, e in ex:
                    regions.append((off, off + e - s))
                    off += e - s + 1
            else:
                # DIFFERS: a CDS-only allele's exon split is unknown; one extent over the whole
                # CDS marks the same bases as exonic (T1K uses only their union in RNA mode).
                regions = [(UTR, UTR + len(cds) - 1)]
            rna[n] = (u5 + cds + u3, regions)

        # ---- DNA: alleles with an exon layout; CDS-only complete alleles of the mode layout
        # get the locus's commonest intron segments (ParseDatFile.pl's partial-allele rescue).
        dna, segs = {}, {}
        for n in names:
            if n not in layout or n not in full:
                continue
            gen, ex = alleles[n]["gen"], layout[n]
            u5, u3 = utrs(n)
            seq, regions, pieces = u5, [], []
            i = 0
            while i < len(ex):
                # One block: this exon and those after it whose intron is short (<= 400 bp).
                block_start = ex[i][0] if i == 0 else ex[i][0] - PAD
                j = i
                while j + 1 < len(ex) and min(ex[j][1] + PAD, len(gen) - 1) >= ex[j + 1][0] - PAD:
                    j += 1
                block_end = ex[j][1] if j == len(ex) - 1 else min(ex[j][1] + PAD, len(gen) - 1)
                if i > 0:
                    seq += "N"
                base = len(seq)
                for k in range(i, j + 1):
                    regions.append((base + ex[k][0] - block_start, base + ex[k][1] - block_start))
                seq += gen[block_start:block_end + 1]
                i = j + 1
            seq += u3
            for k in range(1, len(regions)):
                pieces.append(seq[regions[k - 1][1] + 1:regions[k][0]])
            dna[n] = (seq, regions)
            segs[n] = pieces
        exon_cnt = mode(collections.Counter(len(layout[n]) for n in dna)) if dna else 0
        exon_lens = None
        if dna:
            lens = collections.Counter(
                tuple(e - s + 1 for s, e in layout[n]) for n in dna if len(layout[n]) == exon_cnt)
            exon_lens = mode(lens)
            intron_mode = [
                mode(collections.Counter(segs[n][k] for n in dna if len(layout[n]) == exon_cnt))
                for k in range(exon_cnt - 1)
            ]
            dna_eff = mode(collections.Counter(2 * UTR + len(alleles[n]["cds"]) for n in dna))
            for n in names:
                cds = alleles[n]["cds"]
                if n in dna or 2 * UTR + len(cds) < dna_eff:
                    continue
                if len(cds) != sum(exon_lens):
                    # DIFFERS: hla.dat gives each CDS-only allele its own exon extents; without
                    # them only alleles of the commonest exon lengths can be split and rescued.
                    notes[f"{gene}: CDS-only allele of unusual length left out of DNA"] += 1
                    continue
                u5, u3 = utrs(n)
                seq, regions, c = u5, [], 0
                for k, L in enumerate(exon_lens):
                    if k:
                        seq += intron_mode[k - 1]
                    regions.append((len(seq), len(seq) + L - 1))
                    seq += cds[c:c + L]
                    c += L
                seq += u3
                dna[n] = (seq, regions)

        # fixGeneLength: trim a last exon longer than the locus's commonest last exon when the
        # sequence is longer than the locus's commonest length (both modes).
        for table in (rna, dna):
            if not table:
                continue
            len_mode = mode(collections.Counter(len(s) for s, _ in table.values()))
            last_mode = mode(collections.Counter(e - s + 1 for s, e in (layout[n][-1] for n in layout)))
            for n, (seq, regions) in table.items():
                last = regions[-1][1] - regions[-1][0] + 1 if n in layout else None
                if last is not None and len(regions) == len(layout[n]):
                    trim = last - last_mode
                    if len(seq) > len_mode and trim > 0:
                        table[n] = (seq[:len(seq) - trim], regions)
        # Output in ParseDatFile.pl's order: complete alleles first, then the rescued ones.
        for table, out in ((rna, rna_out), (dna, dna_out)):
            order = [n for n in names if n in table and n in full] + [n for n in names if n in table and n not in full]
            for n in order:
                seq, regions = table[n]
                out.append(f">{n} {len(regions)} " + " ".join(f"{s} {e}" for s, e in regions) + f"\n{seq}\n")
        notes[f"{gene}: rna alleles"] += len(rna)
        notes[f"{gene}: dna alleles"] += len(dna)
    return rna_out, dna_out, notes


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    imgt, out = sys.argv[1], sys.argv[2]
    prefix = sys.argv[3] if len(sys.argv) > 3 else "hlaidx"
    os.makedirs(out, exist_ok=True)
    rna, dna, notes = build(load(imgt))
    for kind, recs in (("rna", rna), ("dna", dna)):
        tmp = os.path.join(out, f".{prefix}_{kind}_seq.fa.tmp")
        with open(tmp, "w") as f:
            f.writelines(recs)
        os.replace(tmp, os.path.join(out, f"{prefix}_{kind}_seq.fa"))
    with open(os.path.join(out, f"{prefix}_build_notes.txt"), "w") as f:
        for k in sorted(notes):
            f.write(f"{k}\t{notes[k]}\n")
    print(f"wrote {len(rna)} rna and {len(dna)} dna alleles to {out}/{prefix}_{{rna,dna}}_seq.fa", file=sys.stderr)


if __name__ == "__main__":
    main()
