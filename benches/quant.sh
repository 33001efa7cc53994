#!/usr/bin/env bash
# Times `immunoprofile quant` against featureCounts 2.0.3 on a seeded synthetic RNA BAM
# (benches/make_rna_bench.py: 20,000 genes, 1,000,000 read pairs), with 1 and 2 threads, and
# checks the gene counts are identical. Needs samtools, featureCounts and /usr/bin/time.
# Usage: benches/quant.sh [WORKDIR]   (results go in benches/README.md by hand)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-$(mktemp -d)}
bin="$here/../target/release/immunoprofile"
[ -x "$bin" ] || (cd "$here/.." && cargo build --release)
if [ ! -s "$work/bench.bam.bai" ]; then
  python3 "$here/make_rna_bench.py" "$work" 20000 1000000 42 | samtools view -b -o "$work/bench.bam" -
  samtools index "$work/bench.bam"
fi
ls -l "$work/bench.bam"
for t in 1 2; do
  /usr/bin/time -f "featureCounts -T $t: %e s, %M KB" \
    featureCounts -T "$t" -p --countReadPairs -a "$work/bench.gtf" -o "$work/fc.$t.txt" "$work/bench.bam" > /dev/null 2> "$work/fc.$t.log" || cat "$work/fc.$t.log"
  tail -1 "$work/fc.$t.log"
  /usr/bin/time -f "immunoprofile quant -t $t: %e s, %M KB" \
    "$bin" -q -t "$t" quant --bam "$work/bench.bam" --gtf "$work/bench.gtf" -o "$work/ours.$t"
  diff <(tail -n +3 "$work/fc.$t.txt" | cut -f1,7) <(tail -n +2 "$work/ours.$t.quant.tsv" | cut -f1,4) > /dev/null \
    && echo "counts identical (-t $t)" || echo "COUNTS DIFFER (-t $t)"
done
