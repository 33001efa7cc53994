#!/usr/bin/env bash
# Times `immunoprofile run` against Snakemake (workflows/snakemake/Snakefile) on the same
# manifest: N samples made by copying the demo tumours, stages tmb + report + cohort files.
# Run from the repository root:  benches/run_vs_snakemake.sh [N] [BINARY]
# Prints wall seconds for: run (fresh), run (all up to date), snakemake (fresh), snakemake (no-op).
set -euo pipefail
N=${1:-30}
BIN=${2:-target/release/immunoprofile}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
echo "sample,vcf,tumor_bam,normal_bam,rna_bam,expression,hla_alleles" > "$WORK/samples.csv"
kinds=(hyper hot cold)
for i in $(seq 1 "$N"); do
    k=${kinds[$((i % 3))]}
    cp "test-data/demo/tumour_$k.vcf" "$WORK/s$i.vcf"
    echo "s$i,s$i.vcf,,,,," >> "$WORK/samples.csv"
done
cp test-data/demo/targets.bed "$WORK/"
cat > "$WORK/m.toml" <<TOML
output = "out-run"
samplesheet = "samples.csv"
stages = ["tmb", "report"]
[reference]
targets = "targets.bed"
[params.tmb]
min_depth = 20
TOML
t() { local s=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
echo "samples: $N  binary: $BIN  cores: $(nproc)"
echo "run fresh:           $(t "$BIN" -q run "$WORK/m.toml") s"
echo "run up to date:      $(t "$BIN" -q run "$WORK/m.toml") s"
if command -v snakemake > /dev/null; then
    SMK="snakemake -s workflows/snakemake/Snakefile --cores $(nproc) --quiet --config manifest=$WORK/m.toml output=$WORK/out-smk immunoprofile=$BIN"
    echo "snakemake fresh:     $(t $SMK) s"
    echo "snakemake no-op:     $(t $SMK) s"
fi
