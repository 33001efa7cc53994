#!/bin/sh
# Regenerates vep115.csq.vcf.gz: Ensembl VEP 115's annotation of the synthetic inputs (the
# expected data of tests/annotate_vep.rs). VEP runs offline from the GTF + FASTA alone, no cache.
#
# VEP 115 from source (git checkouts, no INSTALL.pl), in $VEP_DIR:
#   ensembl-vep        tag release/115.2
#   ensembl            branch release/115 (266b84da6)
#   ensembl-variation  branch release/115 (23c76f60b)
#   ensembl-io         branch release/115 (25061d3)
#   ensembl-funcgen    branch release/115 (57f70613; VEP loads its RegulatoryFeature module)
#   plugins/Frameshift.pm from pVACtools (pvactools/tools/pvacseq/VEP_plugins/, 0c05768b)
# Perl modules from Debian 12: apt-get install libbio-perl-perl libdbi-perl libbio-db-hts-perl
#   libset-intervaltree-perl libjson-perl libjson-xs-perl libperlio-gzip-perl
#   liblist-moreutils-perl tabix
set -eu
: "${VEP_DIR:?set VEP_DIR to the folder holding the checkouts above}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
cd "$work"
export PERL5LIB="$VEP_DIR/ensembl/modules:$VEP_DIR/ensembl-variation/modules:$VEP_DIR/ensembl-io/modules:$VEP_DIR/ensembl-vep/modules:$VEP_DIR/ensembl-funcgen/modules"
zcat "$here/genome.fa.gz" > genome.fa
# VEP reads a GTF through tabix: sorted, bgzipped, indexed.
zcat "$here/genes.gtf.gz" | grep -v '^#' | sort -t "$(printf '\t')" -k1,1 -k4,4n -k5,5n | bgzip > genes.gtf.gz
tabix -p gff genes.gtf.gz
zcat "$here/variants.vcf.gz" > variants.vcf
perl "$VEP_DIR/ensembl-vep/vep" --gtf genes.gtf.gz --fasta genome.fa -i variants.vcf --vcf --hgvs \
  --symbol --biotype --numbers --canonical --tsl --mane_select --transcript_version \
  --dir_plugins "$VEP_DIR/plugins" --plugin Frameshift \
  --fields "Allele,Consequence,IMPACT,SYMBOL,Gene,Feature_type,Feature,BIOTYPE,EXON,INTRON,HGVSc,HGVSp,cDNA_position,CDS_position,Protein_position,Amino_acids,Codons,STRAND,CANONICAL,TSL,FrameshiftSequence,DISTANCE" \
  --no_stats --force_overwrite -o vep.vcf
# Drop the header lines that record this machine's paths and the run time.
grep -v -e '^##VEP-command-line' -e '^##VEP=' vep.vcf | gzip -9n > "$here/vep115.csq.vcf.gz"
rm -rf "$work"
