#!/usr/bin/env bash
# `immunoprofile hla` against T1K (Song, Li & Li, Genome Research 2023;33:923-931) on the same
# simulated samples and on the GM12878 RNA-seq BAM: class I two-field concordance per locus of
# each, wall and CPU time per sample, their ratio and peak RSS, measured in one run.
#
#   bash benches/hla_vs_t1k.sh [SAMPLES] [SEED]      # defaults: 20 DNA + 20 RNA samples, seed 20261204
#
# T1K, built outside the repository (no peer code is committed), e.g. from a clone or mirror:
#   mkdir -p /work/peers/t1k && git -C T1K.git archive HEAD | tar -x -C /work/peers/t1k
#   git -C T1K.git rev-parse HEAD > /work/peers/t1k/.commit && make -C /work/peers/t1k
# Environment: IMGT_DIR (default ../shared/data/imgt-hla/3.30.0); T1K_DIR (that built work tree,
# default /work/peers/t1k); OUT (default /tmp/hla-vs-t1k); THREADS (default 2, given to both
# tools); GM_BAM (the GM12878 chr6 BAM of ../shared/data/upstream; skipped when absent).
# Needs samtools and GNU time (/usr/bin/time). Results: OUT/summary.md.
#
# Seed 20261204 is this comparison's own: not the development seeds (1-3) nor the evaluation
# seeds of reference/hla/EVALUATION*.md (20261202, 20261203). Nothing here was tuned on it.
#
# T1K needs its reference built from `hla.dat`, which an IPD-IMGT/HLA release folder of FASTA
# files does not hold: benches/t1k_reference.py rebuilds T1K's two files from the FASTA the way
# T1K's ParseDatFile.pl does (see reference/hla/PEERS.md for every difference), into
# $OUT/t1k-ref, never into the repository (IMGT licence). Both references are built once and
# timed apart from typing: our k-mer index (cold run into an empty cache) and T1K's FASTA.
# T1K loads its FASTA and builds its k-mer index inside every run, so that cost is in its
# per-sample time, as our cache load is in ours.
#
# Both tools run under `nice -n 10` with THREADS threads on the same FASTQ files; T1K as its
# README shows for HLA (`--preset hla`, the RNA reference for RNA samples, the DNA reference for
# DNA samples) plus --skipPostAnalysis (the post-analysis calls novel SNPs and does not change
# the genotype). T1K's alleles with quality <= 0 are ignored, as its README recommends (a locus
# left with one allele is read as homozygous); the table also scores T1K's alleles as reported.
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-20}
SEED=${2:-20261204}
IMGT_DIR=${IMGT_DIR:-$(pwd)/../shared/data/imgt-hla/3.30.0}
T1K_DIR=${T1K_DIR:-/work/peers/t1k}
OUT=${OUT:-/tmp/hla-vs-t1k}
THREADS=${THREADS:-2}
GM_BAM=${GM_BAM:-$(pwd)/../shared/data/upstream/nf-core-test-datasets/data/genomics/homo_sapiens/illumina/bam/test.rna.paired_end.sorted.chr6.bam}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/target}
script_start=$(date +%s)
mkdir -p "$OUT"

if [ ! -d "$IMGT_DIR" ]; then
    echo "skipped: $IMGT_DIR absent (set IMGT_DIR to an IPD-IMGT/HLA release folder)"
    exit 0
fi
for f in run-t1k genotyper fastq-extractor; do
    if [ ! -x "$T1K_DIR/$f" ]; then
        echo "T1K not built: $T1K_DIR/$f missing (git archive github.com/mourisl/T1K into T1K_DIR, run make)" >&2
        exit 1
    fi
done
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) missing: apt-get install time" >&2; exit 1; }

# `timed FILE CMD...`: runs CMD under nice, appending "wall user sys maxrss_kB" to FILE.
timed() {
    local file=$1
    shift
    /usr/bin/time -o "$file.one" -f "%e %U %S %M" nice -n 10 "$@"
    cat "$file.one" >>"$file" && rm -f "$file.one"
}

# Release binaries (LTO off: this measures our code, not the link).
CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    nice -n 10 cargo build --release --bin immunoprofile --example hla-evaluate >&2
BIN=$CARGO_TARGET_DIR/release/immunoprofile
EVAL=$CARGO_TARGET_DIR/release/examples/hla-evaluate

echo "simulating $SAMPLES DNA + $SAMPLES RNA samples (seed $SEED) into $OUT/fastq" >&2
rm -rf "$OUT/fastq" "$OUT/times" && mkdir -p "$OUT/times"
nice -n 10 "$EVAL" --imgt "$IMGT_DIR" --samples "$SAMPLES" --seed "$SEED" --loci A,B,C \
    --fastq-dir "$OUT/fastq" --out "$OUT/EVALUATION.md" >&2

# Our index: one cold run into an empty cache (timed), then every sample against the cache.
rm -rf "$OUT/ours" "$OUT/cache" && mkdir -p "$OUT/ours"
first=$(ls "$OUT"/fastq/*_R1.fq | head -1)
timed "$OUT/times/ours_build" "$BIN" -q -t "$THREADS" hla --fastq "$first" \
    --fastq2 "${first%_R1.fq}_R2.fq" --imgt "$IMGT_DIR" --loci A,B,C \
    --index-cache "$OUT/cache" -o "$OUT/ours/warmup"
# T1K's reference from the release FASTA (timed).
rm -rf "$OUT/t1k-ref" "$OUT/t1k" && mkdir -p "$OUT/t1k"
timed "$OUT/times/t1k_build" python3 benches/t1k_reference.py "$IMGT_DIR" "$OUT/t1k-ref" hlaidx

echo "typing with immunoprofile and T1K ($THREADS threads each)" >&2
for r1 in "$OUT"/fastq/*_R1.fq; do
    name=$(basename "${r1%_R1.fq}")
    r2=${r1%_R1.fq}_R2.fq
    lib=${name:0:3}
    timed "$OUT/times/ours_$lib" "$BIN" -q -t "$THREADS" hla --fastq "$r1" --fastq2 "$r2" \
        --imgt "$IMGT_DIR" --loci A,B,C --index-cache "$OUT/cache" -o "$OUT/ours/$name"
    timed "$OUT/times/t1k_$lib" "$T1K_DIR/run-t1k" -1 "$r1" -2 "$r2" --preset hla \
        -f "$OUT/t1k-ref/hlaidx_${lib}_seq.fa" -t "$THREADS" --skipPostAnalysis \
        -o "$name" --od "$OUT/t1k/$name" >"$OUT/t1k/$name.log" 2>&1 \
        || { echo "T1K failed on $name: see $OUT/t1k/$name.log" >&2; exit 1; }
done

# GM12878 RNA-seq (GRCh37 chr6 BAM): ours reads the BAM itself; T1K takes FASTQ, so the MHC
# (xMHC, 6:28,477,797-33,448,354) and unmapped reads are extracted with samtools, and ours is
# also run on that same FASTQ.
gm=""
if [ -f "$GM_BAM" ] && command -v samtools >/dev/null; then
    gm=1
    rm -rf "$OUT/gm" && mkdir -p "$OUT/gm/t1k"
    contig=$(samtools view -H "$GM_BAM" | awk '$1=="@SQ" && ($2=="SN:6" || $2=="SN:chr6") {print substr($2,4); exit}')
    timed "$OUT/times/gm_extract" bash -c "
        samtools view -b -o '$OUT/gm/mhc.bam' '$GM_BAM' '$contig:28477797-33448354' &&
        samtools view -b -f 4 -o '$OUT/gm/unmapped.bam' '$GM_BAM' &&
        samtools cat -o '$OUT/gm/both.bam' '$OUT/gm/mhc.bam' '$OUT/gm/unmapped.bam' &&
        samtools collate -O -u '$OUT/gm/both.bam' |
            samtools fastq -F 0x900 -1 '$OUT/gm/gm_R1.fq' -2 '$OUT/gm/gm_R2.fq' -s /dev/null -0 /dev/null - 2>/dev/null"
    timed "$OUT/times/gm_ours_bam" "$BIN" -q -t "$THREADS" hla --bam "$GM_BAM" --imgt "$IMGT_DIR" \
        --loci A,B,C --index-cache "$OUT/cache" -o "$OUT/gm/ours_bam"
    timed "$OUT/times/gm_ours_fastq" "$BIN" -q -t "$THREADS" hla --fastq "$OUT/gm/gm_R1.fq" \
        --fastq2 "$OUT/gm/gm_R2.fq" --imgt "$IMGT_DIR" --loci A,B,C --index-cache "$OUT/cache" \
        -o "$OUT/gm/ours_fastq"
    timed "$OUT/times/gm_t1k" "$T1K_DIR/run-t1k" -1 "$OUT/gm/gm_R1.fq" -2 "$OUT/gm/gm_R2.fq" \
        --preset hla -f "$OUT/t1k-ref/hlaidx_rna_seq.fa" -t "$THREADS" --skipPostAnalysis \
        -o gm --od "$OUT/gm/t1k" >"$OUT/gm/t1k.log" 2>&1
fi

T1K_COMMIT=$(cat "$T1K_DIR/.commit" 2>/dev/null || echo unknown)
T1K_VERSION=$(grep -o 'v[0-9][0-9.]*-r[0-9]*' "$T1K_DIR/run-t1k" | head -1)
OUT="$OUT" GM="$gm" THREADS="$THREADS" SEED="$SEED" T1K_VERSION="$T1K_VERSION" \
    T1K_COMMIT="$T1K_COMMIT" SCRIPT_S=$(($(date +%s) - script_start)) python3 - <<'PY'
import csv, glob, json, os
out = os.environ["OUT"]
LOCI = ("A", "B", "C")
truth = {}
for row in csv.DictReader(open(f"{out}/fastq/calls.tsv"), delimiter="\t"):
    if row["locus"] in LOCI:
        truth[(row["sample"], row["locus"])] = [row["truth1"], row["truth2"]]

def two(name):
    if "*" not in name:
        return name
    locus, fields = name.replace("HLA-", "").split("*")
    return locus + "*" + ":".join(fields.split(":")[:2])

def score(calls):
    """{(lib, locus): [matched, total]} over alleles, two per locus; no call counts as wrong."""
    by = {}
    for (sample, locus), t in truth.items():
        c = calls.get((sample, locus), ["NA", "NA"])
        t2, c2 = [two(x) for x in t], [two(x) for x in c]
        m = max((t2[0] == c2[0]) + (t2[1] == c2[1]), (t2[0] == c2[1]) + (t2[1] == c2[0]))
        for key in ((sample[:3], locus), (sample[:3], "all")):
            v = by.setdefault(key, [0, 0])
            v[0] += m
            v[1] += 2
    return by

def ours_calls(path):
    return {locus: pair for locus, pair in json.load(open(path))["alleles"].items()}

def t1k_calls(path, quality_filter):
    """T1K genotype.tsv: gene n a1 ab1 q1 a2 ab2 q2 [secondary]; ties are comma-joined (first
    taken). '.' and (with quality_filter) quality <= 0 mean no allele; one allele: homozygous."""
    calls = {}
    for line in open(path):
        c = line.rstrip("\n").split("\t")
        locus = c[0].replace("HLA-", "")
        alleles = []
        for a, q in ((c[2], c[4]), (c[5], c[7])):
            if a != "." and (not quality_filter or float(q) > 0):
                alleles.append(a.split(",")[0])
        if len(alleles) == 1:
            alleles.append(alleles[0])
        if alleles:
            calls[locus] = alleles
    return calls

ours, t1k, t1k_raw = {}, {}, {}
samples = sorted({s for s, _ in truth})
for s in samples:
    for locus, pair in ours_calls(f"{out}/ours/{s}.hla.json").items():
        ours[(s, locus)] = pair
    g = f"{out}/t1k/{s}/{s}_genotype.tsv"
    for table, qf in ((t1k, True), (t1k_raw, False)):
        for locus, pair in t1k_calls(g, qf).items():
            table[(s, locus)] = pair

def times(name):
    rows = [list(map(float, l.split())) for l in open(f"{out}/times/{name}")]
    return rows

pct = lambda v: f"{100 * v[0] / max(v[1], 1):.1f}% ({v[0]}/{v[1]})"
lines = []
nd = sum(s.startswith("dna") for s in samples)
lines.append(f"{nd} DNA + {len(samples) - nd} RNA simulated samples, seed {os.environ['SEED']}, {os.environ['THREADS']} threads each; "
             f"T1K {os.environ['T1K_VERSION']} (commit {os.environ['T1K_COMMIT']}).\n")
lines.append("Class I two-field concordance (alleles matched / alleles):\n")
lines.append("| tool | library | HLA-A | HLA-B | HLA-C | class I |")
lines.append("|---|---|---|---|---|---|")
for label, calls in (("immunoprofile hla", ours), ("T1K (quality > 0)", t1k), ("T1K (as reported)", t1k_raw)):
    sc = score(calls)
    for lib in ("dna", "rna"):
        lines.append(f"| {label} | {lib.upper()} | " + " | ".join(pct(sc.get((lib, l), [0, 0])) for l in (*LOCI, "all")) + " |")
refs = {lib: {l[1:].split()[0] for l in open(f"{out}/t1k-ref/hlaidx_{lib}_seq.fa") if l.startswith(">")}
        for lib in ("dna", "rna")}
absent = sum(1 for (s, _), t in truth.items() for a in t
             if ("HLA-" + a.replace("HLA-", "")) not in refs[s[:3]])
lines.append(f"\nTrue alleles absent from T1K's reference for their library: {absent} of {2 * len(truth)}.")
lines.append("")
lines.append("Time and memory per sample (mean wall clock, mean CPU = user + sys, max peak RSS):\n")
lines.append("| tool | library | wall / sample | CPU / sample | peak RSS |")
lines.append("|---|---|---|---|---|")
summary = {}
for tool, label in (("ours", "immunoprofile hla"), ("t1k", "T1K")):
    for lib in ("dna", "rna"):
        rows = times(f"{tool}_{lib}")
        wall = sum(r[0] for r in rows) / len(rows)
        cpu = sum(r[1] + r[2] for r in rows) / len(rows)
        rss = max(r[3] for r in rows) / 1024
        summary[(tool, lib)] = (wall, cpu)
        lines.append(f"| {label} | {lib.upper()} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB |")
lines.append("")
for lib in ("dna", "rna"):
    (ow, oc), (tw, tc) = summary[("ours", lib)], summary[("t1k", lib)]
    lines.append(f"- {lib.upper()}: T1K / immunoprofile = {tw / ow:.1f}x wall, {tc / oc:.1f}x CPU per sample.")
ob, tb = times("ours_build")[0], times("t1k_build")[0]
lines.append(f"- Reference build, once: ours {ob[0]:.1f} s wall ({ob[1] + ob[2]:.1f} s CPU, {ob[3] / 1024:.0f} MB; "
             f"a cold `hla` run on the first sample: release read, index built and cached, sample typed); "
             f"T1K's FASTA via benches/t1k_reference.py {tb[0]:.1f} s wall ({tb[1] + tb[2]:.1f} s CPU, {tb[3] / 1024:.0f} MB).")
if os.environ["GM"]:
    lines.append("")
    lines.append("GM12878 RNA-seq (GRCh37 chr6 BAM; published type A*01:01/A*11:01, B*08:01/B*56:01, C*01:02/C*07:01):\n")
    lines.append("| tool (input) | HLA-A | HLA-B | HLA-C | wall | CPU | peak RSS |")
    lines.append("|---|---|---|---|---|---|---|")
    def row(label, calls, tname, detail=None):
        t = times(tname)[0]
        cells = []
        for l in LOCI:
            pair = calls.get(l)
            cells.append(" / ".join(x.replace("HLA-", "") for x in pair) if pair else "no call")
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {t[0]:.1f} s | {t[1] + t[2]:.1f} s | {t[3] / 1024:.0f} MB |")
    row("immunoprofile (BAM)", ours_calls(f"{out}/gm/ours_bam.hla.json"), "gm_ours_bam")
    row("immunoprofile (extracted FASTQ)", ours_calls(f"{out}/gm/ours_fastq.hla.json"), "gm_ours_fastq")
    row("T1K (extracted FASTQ), quality > 0", t1k_calls(f"{out}/gm/t1k/gm_genotype.tsv", True), "gm_t1k")
    row("T1K (same run), as reported", t1k_calls(f"{out}/gm/t1k/gm_genotype.tsv", False), "gm_t1k")
    e = times("gm_extract")[0]
    lines.append(f"\nExtraction of the MHC + unmapped reads with samtools: {e[0]:.1f} s wall (not counted above). "
                 f"T1K's full line per locus is in {out}/gm/t1k/gm_genotype.tsv.")
lines.append(f"\nWhole script: {int(os.environ['SCRIPT_S'])} s wall (including the cargo build check and the simulation).")
text = "\n".join(lines) + "\n"
open(f"{out}/summary.md", "w").write(text)
print(text)
PY
