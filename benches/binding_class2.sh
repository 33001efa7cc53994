#!/usr/bin/env bash
# Class II binding throughput, whole process: builds `binding2-throughput` (release), then times
# it scoring 200,000 random 15-mers against DRB1*01:01 on one thread (reading the IPD-IMGT/HLA
# protein files and the molecule's 2,000-peptide percentile background included).
#
#   benches/binding_class2.sh [IMGT_DIR] [RUNS]
#
# Prints user CPU seconds per run and predictions per CPU-second.
set -euo pipefail
cd "$(dirname "$0")/.."
IMGT=${1:-../shared/data/imgt-hla/3.30.0}
RUNS=${2:-3}
cargo build --release --example binding2-throughput >&2
BIN=${CARGO_TARGET_DIR:-target}/release/examples/binding2-throughput
for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%U %S %e' "$BIN" "$IMGT" 2>&1 >/dev/null | tail -1 |
        awk '{ printf "user %.2f s, sys %.2f s, wall %.2f s: %.3f M predictions per user CPU-second\n", $1, $2, $3, 0.2 / $1 }'
done
