#!/usr/bin/env bash
# Times `immunoprofile peptides` against `pvacseq generate_protein_fasta` on the pVACtools test
# VCFs (same settings, same run), checks the FASTAs are identical, and prints the ratio.
# Needs: a release build (cargo build --release), pvacseq on PATH or PVACSEQ=/path/to/pvacseq.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
S="$here/../shared/data/upstream/pVACtools/tests/test_data"
BIN="$here/target/release/immunoprofile"
PV=${PVACSEQ:-pvacseq}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
printf "%-40s %10s %10s %8s %s\n" input pvacseq_s ours_s ratio identical
run() {
  local name=$1 vcf=$2 flank=$3; shift 3
  local t0 t1 t2 reps=20
  t0=$(now)
  "$PV" generate_protein_fasta "$vcf" "$flank" "$tmp/pv.fasta" "$@" > /dev/null 2>&1
  t1=$(now)
  # Our run is short: repeat it and take the mean.
  local ours_args=(--vcf "$vcf" --flank "$flank" -q -o "$tmp/ours")
  local extra=("$@")
  for ((i = 0; i < ${#extra[@]}; i++)); do
    case ${extra[$i]} in
      -d) ours_args+=(-d "${extra[$((i + 1))]}") ;;
      --biotypes) ours_args+=(--biotypes "${extra[$((i + 1))]}") ;;
      -s) ours_args+=(--sample "${extra[$((i + 1))]}") ;;
    esac
  done
  local s=$(now)
  for ((r = 0; r < reps; r++)); do "$BIN" peptides "${ours_args[@]}"; done
  t2=$(now)
  local pv ours
  pv=$(echo "$t1 - $t0" | bc -l)
  ours=$(echo "($t2 - $s) / $reps" | bc -l)
  local same=no
  cmp -s "$tmp/pv.fasta" "$tmp/ours.peptides.fasta" && same=yes
  printf "%-40s %10.3f %10.4f %8.0f %s\n" "$name" "$pv" "$ours" "$(echo "$pv / $ours" | bc -l)" "$same"
}
run "pvacseq_generate_protein_fasta/input.vcf" "$S/pvacseq_generate_protein_fasta/input.vcf" 10 -d full --biotypes protein_coding,IG_V_gene
run "pvacseq/input_somatic.vcf.gz" "$S/pvacseq/input_somatic.vcf.gz" 10 -d full
run "pvacsplice/annotated.expression_chr1" "$S/pvacsplice/inputs/annotated.expression_chr1.vcf.gz" 8 -d full -s HCC1395_TUMOR_DNA
