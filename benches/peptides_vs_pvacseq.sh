#!/usr/bin/env bash
# Times `immunoprofile peptides` against `pvacseq generate_protein_fasta` on the pVACtools test
# VCFs (same settings, same run), checks the FASTAs are identical, and prints wall-clock and CPU
# (user+sys) seconds and their ratios. Ours is the mean of REPS runs.
# Needs: cargo build --release; pvacseq on PATH or PVACSEQ=/path/to/pvacseq; GNU time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
S="$here/../shared/data/upstream/pVACtools/tests/test_data"
BIN="$here/target/release/immunoprofile"
PV=${PVACSEQ:-pvacseq}
REPS=${REPS:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Prints "wall cpu" of a command (GNU time).
timed() { /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" > /dev/null 2>&1; awk '{printf "%s %s\n", $1, $2 + $3}' "$tmp/t"; }
printf "%-38s %9s %9s %9s %9s %7s %7s %s\n" input pv_wall pv_cpu our_wall our_cpu x_wall x_cpu identical
run() {
  local name=$1 vcf=$2 flank=$3 ours_extra=$4; shift 4
  read -r pw pc < <(timed "$PV" generate_protein_fasta "$vcf" "$flank" "$tmp/pv.fasta" "$@")
  local ow=0 oc=0 w c
  for ((r = 0; r < REPS; r++)); do
    # shellcheck disable=SC2086
    read -r w c < <(timed "$BIN" -q peptides --vcf "$vcf" --flank "$flank" $ours_extra -o "$tmp/ours")
    ow=$(echo "$ow + $w" | bc -l); oc=$(echo "$oc + $c" | bc -l)
  done
  ow=$(echo "$ow / $REPS" | bc -l); oc=$(echo "$oc / $REPS" | bc -l)
  # GNU time resolves 10 ms: floor our CPU at that so the ratio stays finite.
  local ocf=$oc; (( $(echo "$oc < 0.01" | bc -l) )) && ocf=0.01
  local same=no
  cmp -s "$tmp/pv.fasta" "$tmp/ours.peptides.fasta" && same=yes
  printf "%-38s %9.3f %9.3f %9.4f %9.4f %7.0f %7.0f %s\n" "$name" "$pw" "$pc" "$ow" "$oc" \
    "$(echo "$pw / $ow" | bc -l)" "$(echo "$pc / $ocf" | bc -l)" "$same"
}
run "generate_protein_fasta/input.vcf" "$S/pvacseq_generate_protein_fasta/input.vcf" 10 \
  "-d full --biotypes protein_coding,IG_V_gene" -d full --biotypes protein_coding,IG_V_gene
run "pvacseq/input_somatic.vcf.gz" "$S/pvacseq/input_somatic.vcf.gz" 10 "-d full" -d full
run "pvacsplice/annotated.expression_chr1" "$S/pvacsplice/inputs/annotated.expression_chr1.vcf.gz" 8 \
  "-d full --sample HCC1395_TUMOR_DNA" -d full -s HCC1395_TUMOR_DNA
