#!/bin/sh
# Regenerates the synthetic inputs and snpEff's annotation of them (the expected data of
# tests/annotate_conformance.rs). Needs python3 and snpEff 5.1d (Debian: apt-get install snpeff).
set -eu
cd "$(dirname "$0")"
python3 make_synthetic.py .
work=$(mktemp -d)
mkdir -p "$work/data/synth"
cp genes.gtf "$work/data/synth/genes.gtf"
cp genome.fa "$work/data/synth/sequences.fa"
printf 'data.dir = %s/data/\nsynth.genome : synthetic\n' "$work" > "$work/snpEff.config"
grep -E '^codon\.Standard' /etc/snpeff/snpEff.config >> "$work/snpEff.config"
snpEff build -gtf22 -c "$work/snpEff.config" -noCheckCds -noCheckProtein synth > "$work/build.log" 2>&1
# The Debian wrapper echoes its command line on stdout first: keep the VCF from ##fileformat on.
snpEff ann -c "$work/snpEff.config" -noStats -noLog -noNextProt -noMotif synth variants.vcf 2>/dev/null \
  | sed -n '/^##fileformat/,$p' | gzip -9n > snpeff.ann.vcf.gz
gzip -9nf genes.gtf genome.fa variants.vcf
rm -rf "$work"
