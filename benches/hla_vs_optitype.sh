#!/usr/bin/env bash
# `immunoprofile hla` against OptiType on the same simulated samples: class I two-field
# concordance of each, and the wall-time ratio, measured in one run.
#
#   bash benches/hla_vs_optitype.sh [SAMPLES] [SEED]      # defaults: 20 samples, seed 1
#
# Environment: IMGT_DIR (default ../shared/data/imgt-hla/3.30.0), OPTITYPE_DIR (a checkout of
# FRED-2/OptiType with its data/ folder: alleles.h5, hla_reference_dna.fasta,
# hla_reference_rna.fasta; default /work/tools/OptiType), OUT (default /tmp/hla-vs-optitype).
# OptiType needs razers3 (Debian: seqan-apps), glpsol (glpk-utils) and Python with pyomo,
# pysam, tables, numpy, pandas, matplotlib, future. When any of that is missing the script says
# exactly what, and reports our side alone.
#
# The samples are written by `examples/hla-evaluate.rs --fastq-dir` (DNA and RNA, one read
# length per sample, errors, decoys; see reference/hla/EVALUATION.md). Both tools read the same
# FASTQ files; ours types A, B, C with a warm index cache (the build is timed separately), so
# the ratio is typing time per sample, as OptiType's is (its reference is prebuilt).
set -euo pipefail
cd "$(dirname "$0")/.."
SAMPLES=${1:-20}
SEED=${2:-1}
IMGT_DIR=${IMGT_DIR:-$(pwd)/../shared/data/imgt-hla/3.30.0}
OPTITYPE_DIR=${OPTITYPE_DIR:-/work/tools/OptiType}
OUT=${OUT:-/tmp/hla-vs-optitype}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$(pwd)/target}
mkdir -p "$OUT"

if [ ! -d "$IMGT_DIR" ]; then
    echo "skipped: $IMGT_DIR absent (set IMGT_DIR to an IPD-IMGT/HLA release folder)"
    exit 0
fi

# Release binaries (LTO off: this measures our code, not the link).
CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    nice cargo build --release --bin immunoprofile --example hla-evaluate >&2
BIN=$CARGO_TARGET_DIR/release/immunoprofile
EVAL=$CARGO_TARGET_DIR/release/examples/hla-evaluate

echo "simulating $SAMPLES DNA + $SAMPLES RNA samples (seed $SEED) into $OUT/fastq" >&2
"$EVAL" --imgt "$IMGT_DIR" --samples "$SAMPLES" --seed "$SEED" \
    --fastq-dir "$OUT/fastq" --out "$OUT/EVALUATION.md" >&2

# Our CLI: one cold build of the index (timed), then every sample against the cache.
rm -rf "$OUT/ours" "$OUT/cache" && mkdir -p "$OUT/ours"
first=$(ls "$OUT"/fastq/*_R1.fq | head -1)
start=$(date +%s.%N)
"$BIN" -q hla --fastq "$first" --fastq2 "${first%_R1.fq}_R2.fq" --imgt "$IMGT_DIR" \
    --loci A,B,C --index-cache "$OUT/cache" -o "$OUT/ours/warmup"
build_s=$(echo "$(date +%s.%N) - $start" | bc)
ours_s=0
for r1 in "$OUT"/fastq/*_R1.fq; do
    name=$(basename "${r1%_R1.fq}")
    start=$(date +%s.%N)
    "$BIN" -q hla --fastq "$r1" --fastq2 "${r1%_R1.fq}_R2.fq" --imgt "$IMGT_DIR" \
        --loci A,B,C --index-cache "$OUT/cache" -o "$OUT/ours/$name"
    ours_s=$(echo "$ours_s + $(date +%s.%N) - $start" | bc)
done

# OptiType, when it can run here.
why=""
[ -f "$OPTITYPE_DIR/OptiTypePipeline.py" ] || why="no OptiType checkout at $OPTITYPE_DIR (set OPTITYPE_DIR)"
for f in alleles.h5 hla_reference_dna.fasta hla_reference_rna.fasta; do
    if [ -z "$why" ] && [ ! -s "$OPTITYPE_DIR/data/$f" ]; then
        why="OptiType's reference $OPTITYPE_DIR/data/$f is absent: OptiType ships it in its repository (built from IMGT 3.14 with its own hla.dat-based script); without it OptiType cannot type"
    fi
done
[ -n "$why" ] || command -v razers3 >/dev/null || why="razers3 not on PATH (apt-get install seqan-apps)"
[ -n "$why" ] || command -v glpsol >/dev/null || why="glpsol not on PATH (apt-get install glpk-utils)"
[ -n "$why" ] || python3 -c "import pyomo, pysam, tables, numpy, pandas, matplotlib, future" 2>/dev/null \
    || why="python3 lacks one of pyomo pysam tables numpy pandas matplotlib future (pip install them)"
opti_s=""
if [ -z "$why" ]; then
    rm -rf "$OUT/optitype" && mkdir -p "$OUT/optitype"
    cat > "$OUT/optitype/config.ini" <<EOF
[mapping]
razers3=$(command -v razers3)
threads=2
[ilp]
solver=glpk
threads=1
[behavior]
deletebam=true
unpaired_weight=0
use_discordant=false
EOF
    opti_s=0
    for r1 in "$OUT"/fastq/*_R1.fq; do
        name=$(basename "${r1%_R1.fq}")
        kind=--dna
        case $name in rna*) kind=--rna ;; esac
        start=$(date +%s.%N)
        if ! python3 "$OPTITYPE_DIR/OptiTypePipeline.py" -i "$r1" "${r1%_R1.fq}_R2.fq" $kind \
            -c "$OUT/optitype/config.ini" -o "$OUT/optitype" -p "$name" >"$OUT/optitype/$name.log" 2>&1; then
            why="OptiType failed on $name: see $OUT/optitype/$name.log ($(tail -1 "$OUT/optitype/$name.log"))"
            opti_s=""
            break
        fi
        opti_s=$(echo "$opti_s + $(date +%s.%N) - $start" | bc)
    done
fi

OUT="$OUT" OPTI_S="$opti_s" OURS_S="$ours_s" BUILD_S="$build_s" WHY="$why" python3 - <<'PY'
import csv, glob, json, os
out = os.environ["OUT"]
truth = {}
for row in csv.DictReader(open(f"{out}/fastq/calls.tsv"), delimiter="\t"):
    if row["locus"] in ("A", "B", "C"):
        truth[(row["sample"], row["locus"])] = [row["truth1"], row["truth2"]]

def two(name):
    name = name.replace("HLA-", "")
    locus, fields = name.split("*")
    return locus + "*" + ":".join(fields.split(":")[:2])

def score(calls):
    by = {"dna": [0, 0], "rna": [0, 0]}
    for (sample, locus), t in truth.items():
        lib = sample[:3]
        c = calls.get((sample, locus), ["NA", "NA"])
        t2 = [two(x) for x in t]
        c2 = [two(x) if "*" in x else x for x in c]
        m = max((t2[0] == c2[0]) + (t2[1] == c2[1]), (t2[0] == c2[1]) + (t2[1] == c2[0]))
        by[lib][0] += m
        by[lib][1] += 2
    return by

ours = {}
for path in glob.glob(f"{out}/ours/*.hla.json"):
    sample = os.path.basename(path)[: -len(".hla.json")]
    for locus, pair in json.load(open(path))["alleles"].items():
        ours[(sample, locus)] = pair
opti = {}
for path in glob.glob(f"{out}/optitype/*_result.tsv"):
    sample = os.path.basename(path)[: -len("_result.tsv")]
    row = list(csv.DictReader(open(path), delimiter="\t"))[0]
    for locus in "ABC":
        opti[(sample, locus)] = [row.get(f"{locus}1") or "NA", row.get(f"{locus}2") or "NA"]

n = len({s for s, _ in truth})
lines = ["| tool | DNA class I two-field | RNA class I two-field | wall time per sample |", "|---|---|---|---|"]
so = score(ours)
ours_s = float(os.environ["OURS_S"]) / max(n, 1)
pct = lambda v: f"{100 * v[0] / max(v[1], 1):.1f}% ({v[0]}/{v[1]})"
lines.append(f"| immunoprofile hla | {pct(so['dna'])} | {pct(so['rna'])} | {ours_s:.2f} s |")
if os.environ["OPTI_S"]:
    sp = score(opti)
    opti_s = float(os.environ["OPTI_S"]) / max(n, 1)
    lines.append(f"| OptiType | {pct(sp['dna'])} | {pct(sp['rna'])} | {opti_s:.2f} s |")
    lines.append("")
    lines.append(f"Wall-time ratio OptiType / immunoprofile: {opti_s / ours_s:.1f}×")
else:
    lines.append("")
    lines.append(f"OptiType not run: {os.environ['WHY']}")
lines.append(f"Index built once from the release in {float(os.environ['BUILD_S']):.1f} s (then read from the cache).")
text = "\n".join(lines) + "\n"
open(f"{out}/summary.md", "w").write(text)
print(text)
PY
