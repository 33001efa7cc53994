#!/usr/bin/env bash
# Times `immunoprofile tmb` against bcftools (same FILTER/depth/VAF filters) and pyTMB on the same
# seeded 1,000,000-record VEP-annotated Mutect2 VCF. Needs bcftools, bgzip, hyperfine (apt-get
# install bcftools tabix hyperfine) and optionally pyTMB (pip install pytmb-curie).
# usage: benches/tmb_vs_peers.sh [N_RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
mkdir -p bench-data
vcf=bench-data/tmb${n}.vcf.gz
if [ ! -s "$vcf" ]; then
  python3 benches/make_tmb_bench_vcf.py "$n" "bench-data/tmb${n}.vcf"
  bgzip -@2 -f "bench-data/tmb${n}.vcf"
fi
cargo build --release -q
bin=target/release/immunoprofile
filters="--min-depth 20 --min-vaf 0.05 --count all --effective-size 33000000"
# The same decisions in bcftools: PASS, tumour (2nd sample) DP >= 20 and AF >= 0.05 for any ALT.
bcf_expr='FORMAT/DP[1] >= 20 && FORMAT/AF[1:*] >= 0.05'
echo "records: $n ($(du -h "$vcf" | cut -f1) bgzipped)"
"$bin" -q tmb --vcf "$vcf" $filters -o bench-data/ours
echo "counted by immunoprofile: $(grep -o '"variants_counted": [0-9]*' bench-data/ours.tmb.json)"
echo "records kept by bcftools: $(bcftools view -H -f PASS,. -i "$bcf_expr" "$vcf" | wc -l)"
hyperfine --warmup 1 --runs 3 --export-markdown bench-data/tmb_hyperfine.md \
  -n "immunoprofile tmb (2 threads)" "$bin -q -t 2 tmb --vcf $vcf $filters -o bench-data/ours" \
  -n "immunoprofile tmb (1 thread)" "$bin -q -t 1 tmb --vcf $vcf $filters -o bench-data/ours1" \
  -n "bcftools view -i (VCF out)" "bcftools view -f PASS,. -i '$bcf_expr' -o /dev/null $vcf"
cat bench-data/tmb_hyperfine.md
if command -v pyTMB >/dev/null; then
  cfg=$(python3 -c "import pytmb,os;print(os.path.join(os.path.dirname(os.path.dirname(pytmb.__file__)),'config'))")
  /usr/bin/time -f "pyTMB: %e s, %M KB max RSS" pyTMB -i "$vcf" --effGenomeSize 33000000 --vaf 0.05 --minDepth 20 \
    --filterLowQual --dbConfig "$cfg/vep.yml" --varConfig "$cfg/mutect2.yml" --sample TUMOR_S1 | grep -E "after filters"
fi
/usr/bin/time -f "immunoprofile: %e s, %M KB max RSS" "$bin" -q tmb --vcf "$vcf" $filters -o bench-data/ours
