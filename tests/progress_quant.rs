//! `quant`'s progress bar: its total is the BAM index's mapped + unmapped counts over the
//! contigs, and the reads the regions hand to it add up to exactly that total whatever the
//! region size (each record counted once, in the region it starts in), so the bar ends at 100%.
//! The total is also checked against `samtools idxstats` when samtools is installed.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command;

use immunoprofile::quant::count::count_with_regions;
use immunoprofile::quant::{CountOptions, GeneModel};

fn demo(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("test-data/demo")
        .join(name)
}

#[test]
fn bar_total_is_the_index_count_and_is_reached() {
    let model = GeneModel::from_gtf(&demo("genes.gtf")).unwrap();
    let bam = demo("tumour_hot.rna.bam");
    let mut totals = Vec::new();
    for region_bp in [1_000_000, 1000, 37] {
        let c = count_with_regions(&bam, &model, &CountOptions::default(), region_bp).unwrap();
        let indexed = c.indexed_records.expect("a BAI holds counts");
        assert_eq!(c.placed_records, indexed, "regions of {region_bp} bp");
        totals.push(indexed);
    }
    assert!(totals[0] > 1000, "{totals:?}");
    let Ok(out) = Command::new("samtools").arg("idxstats").arg(&bam).output() else {
        util::skip("skipping the samtools idxstats comparison: samtools is absent");
        return;
    };
    // idxstats: contig, length, mapped, unmapped; the `*` line holds the unplaced reads.
    let want: u64 = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[0] != "*")
        .map(|f| f[2].parse::<u64>().unwrap() + f[3].parse::<u64>().unwrap())
        .sum();
    assert_eq!(totals[0], want);
}
