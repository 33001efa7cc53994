#!/bin/sh
# Times `immunoprofile annotate` against snpEff on the same generated input: a human-sized
# GTF-like annotation (~20,000 genes, ~60,000 transcripts on 24 contigs) and a 1,000,000-record
# VCF, both made at run time by the seeded generator (nothing large is committed).
# Needs python3, /usr/bin/time, and snpEff (Debian: apt-get install snpeff).
# Usage: benches/annotate_vs_snpeff.sh [WORKDIR] [GENES] [RECORDS]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d)}
genes=${2:-20000}
records=${3:-1000000}
mkdir -p "$work"
cd "$work"
if [ ! -s genes.gtf ]; then
  python3 "$here/test-data/annotate/make_synthetic.py" . --genes "$genes" --extra-isoforms 1 --records "$records" --seed 7
fi
echo "annotation: $(grep -c '	transcript	' genes.gtf) transcripts, $(grep -c '	gene	' genes.gtf) genes; VCF: $(grep -vc '^#' variants.vcf) records"
(cd "$here" && cargo build --release --quiet)
bin="$here/target/release/immunoprofile"
rm -f genome.fa.fai
# Ours: one run, default threads (all cores), index of the FASTA built in memory as a user would.
/usr/bin/time -f "immunoprofile annotate: %e s wall, %M KB max RSS" \
  "$bin" -q annotate --vcf variants.vcf --gtf genes.gtf --fasta genome.fa -o ours
# snpEff: database build (once per annotation) and annotation, timed separately.
mkdir -p snpeff/data/bench
cp genes.gtf snpeff/data/bench/genes.gtf
cp genome.fa snpeff/data/bench/sequences.fa
printf 'data.dir = %s/snpeff/data/\nbench.genome : bench\n' "$work" > snpeff/snpEff.config
grep -E '^codon\.Standard' /etc/snpeff/snpEff.config >> snpeff/snpEff.config
/usr/bin/time -f "snpEff build: %e s wall, %M KB max RSS" \
  snpEff -Xmx8g build -gtf22 -c snpeff/snpEff.config -noCheckCds -noCheckProtein bench > snpeff/build.log 2>&1
/usr/bin/time -f "snpEff ann: %e s wall, %M KB max RSS" \
  snpEff -Xmx8g ann -c snpeff/snpEff.config -noStats -noLog -noNextProt -noMotif bench variants.vcf > snpeff/ann.vcf 2> snpeff/ann.log
tail -1 snpeff/ann.log || true
