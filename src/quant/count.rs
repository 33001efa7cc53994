//! Counting an indexed, coordinate-sorted BAM/CRAM against a [`GeneModel`], in parallel over
//! genomic regions with one reader per worker (perbase's scheme).
//!
//! A record belongs to the region holding its start. Mates that start in the same region are
//! joined there; pairs that cross a region boundary or contigs are joined afterwards from a short
//! list, so memory stays bounded by the pairs open in one region, not by the BAM size.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_htslib::bam::{self, Read as _};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::genome::ContigMatcher;
use crate::quant::assign::{assign, Fragment, Scratch, Strandedness, Unassigned};
use crate::quant::genes::{ContigHandle, GeneModel};

/// Region size for the parallel split: small enough to balance two workers on a chromosome,
/// large enough that few pairs straddle a boundary.
pub const REGION_BP: u64 = 4_000_000;

const FLAG_PAIRED: u16 = 0x1;
const FLAG_UNMAPPED: u16 = 0x4;
const FLAG_MATE_UNMAPPED: u16 = 0x8;
const FLAG_REVERSE: u16 = 0x10;
const FLAG_READ1: u16 = 0x40;
const FLAG_READ2: u16 = 0x80;
const FLAG_SECONDARY: u16 = 0x100;
const FLAG_SUPPLEMENTARY: u16 = 0x800;

/// Counting options (featureCounts defaults).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountOptions {
    pub strandedness: Strandedness,
    /// `None`: detected from the first records' flags.
    pub paired: Option<bool>,
    /// Minimum mapping quality (for a pair, at least one mate).
    pub min_mapq: u8,
    /// Count primary alignments only (featureCounts `--primary`): a secondary alignment (flag
    /// 0x100) with `NH` ≤ 1 is then `Unassigned_Secondary` instead of one more read.
    pub primary_only: bool,
    /// Reference for CRAM.
    pub fasta: Option<PathBuf>,
}

impl Default for CountOptions {
    fn default() -> Self {
        Self {
            strandedness: Strandedness::None,
            paired: None,
            min_mapq: 0,
            primary_only: false,
            fasta: None,
        }
    }
}

/// Per-gene counts and the fate of every read or fragment.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    /// Indexed like `GeneModel::genes`.
    pub genes: Vec<u64>,
    pub assigned: u64,
    /// Indexed by [`Unassigned::index`].
    pub unassigned: [u64; Unassigned::ALL.len()],
    /// Whether fragments (pairs) were counted.
    pub paired: bool,
    /// Records read from the contigs (each once, in the region it starts in): the progress
    /// bar's unit.
    pub placed_records: u64,
    /// The index's mapped + unmapped counts over the contigs: the progress bar's total (`None`
    /// for a CRAM index, which holds no counts).
    pub indexed_records: Option<u64>,
}

/// One mate waiting for the other.
#[derive(Debug, Clone)]
struct Mate {
    blocks: Vec<(u32, u64, u64)>,
    read1: bool,
    reverse: bool,
    mapq: u8,
    /// A secondary alignment (flag 0x100); it pairs only with its mate's secondary copy.
    secondary: bool,
}

#[derive(Debug, Default)]
struct Tally {
    genes: HashMap<u32, u64>,
    assigned: u64,
    unassigned: [u64; Unassigned::ALL.len()],
}

impl Tally {
    fn add(&mut self, outcome: std::result::Result<u32, Unassigned>) {
        match outcome {
            Ok(g) => {
                *self.genes.entry(g).or_insert(0) += 1;
                self.assigned += 1;
            }
            Err(u) => self.unassigned[u.index()] += 1,
        }
    }
    fn merge(&mut self, other: Tally) {
        for (g, n) in other.genes {
            *self.genes.entry(g).or_insert(0) += n;
        }
        self.assigned += other.assigned;
        for (a, b) in self.unassigned.iter_mut().zip(other.unassigned) {
            *a += b;
        }
    }
}

struct RegionOut {
    tally: Tally,
    /// Mates whose partner starts in another region, in BAM order.
    open: Vec<(Vec<u8>, Mate)>,
    /// Records that start in the region (the progress bar's unit).
    records: u64,
}

/// Shared, read-only context of a run.
struct Ctx<'a> {
    path: &'a Path,
    model: &'a GeneModel,
    /// Overlap index per BAM tid.
    contigs: Vec<Option<ContigHandle<'a>>>,
    opts: &'a CountOptions,
    paired: bool,
}

/// Counts reads (or fragments, for paired-end data) per gene.
///
/// # Errors
/// A BAM/CRAM that cannot be opened, has no index, is not coordinate-sorted, or is damaged; a
/// CRAM without `--fasta` when its reference is not reachable.
pub fn count(path: &Path, model: &GeneModel, opts: &CountOptions) -> Result<Counts> {
    count_with_regions(path, model, opts, REGION_BP)
}

/// [`count`] with regions of `region_bp` (tests use tiny regions to exercise pairs that cross
/// region boundaries; the result does not depend on it).
///
/// # Errors
/// As [`count`].
pub fn count_with_regions(
    path: &Path,
    model: &GeneModel,
    opts: &CountOptions,
    region_bp: u64,
) -> Result<Counts> {
    let region_bp = region_bp.max(1);
    let (mut reader, header) = open(path, opts)?;
    let matcher = ContigMatcher::new(model.contigs().map(str::to_string));
    let names: Vec<String> = header
        .target_names()
        .iter()
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    let mut contigs = Vec::with_capacity(names.len());
    for name in &names {
        let handle = match matcher.resolve(name) {
            Ok(Some(t)) => model.contig_index(t),
            Ok(None) => None,
            Err(many) => {
                return Err(Error::invalid(
                    path,
                    None,
                    format!(
                        "contig {name} matches several GTF contigs ({}); rename one",
                        many.join(", ")
                    ),
                ))
            }
        };
        contigs.push(handle);
    }
    if !contigs.iter().any(Option::is_some) {
        log::warn!(
            "{}: no BAM contig matches a GTF contig (BAM: {}; GTF: {}): every read will be unassigned",
            path.display(),
            names.iter().take(5).cloned().collect::<Vec<_>>().join(", "),
            model.contigs().take(5).collect::<Vec<_>>().join(", ")
        );
    }
    let paired = match opts.paired {
        Some(p) => p,
        None => detect_paired(&mut reader, path)?,
    };
    let ctx = Ctx {
        path,
        model,
        contigs,
        opts,
        paired,
    };

    let mut regions = Vec::new();
    for tid in 0..header.target_count() {
        let len = header.target_len(tid).unwrap_or(0);
        let mut start = 0;
        while start < len {
            let end = (start + region_bp).min(len);
            regions.push((tid, start, end));
            start = end;
        }
    }
    // The index's mapped + unmapped counts of the placed reads are the records the regions
    // hold (each record is counted in the region it starts in); a CRAM index has no counts, so
    // the bar then counts regions.
    let placed: Option<u64> = reader
        .index_stats()
        .ok()
        .map(|stats| stats.iter().filter(|s| s.0 >= 0).map(|s| s.2 + s.3).sum());
    let bar = crate::progress::bar(placed.or(Some(regions.len() as u64)), "quant reads");
    let outs: Vec<Result<RegionOut>> = regions
        .par_iter()
        .map_init(
            || open(path, opts).map(|(r, _)| r),
            |reader, &(tid, start, end)| {
                let reader = reader.as_mut().map_err(|e| clone_err(e))?;
                let out = count_region(&ctx, reader, tid, start, end);
                match (&out, placed) {
                    (Ok(o), Some(_)) => bar.inc(o.records),
                    _ => bar.inc(1),
                }
                out
            },
        )
        .collect();
    bar.finish_and_clear();

    let mut tally = Tally::default();
    let mut open_mates: Vec<(Vec<u8>, Mate)> = Vec::new();
    let mut placed_records = 0;
    for out in outs {
        let out = out?;
        placed_records += out.records;
        tally.merge(out.tally);
        open_mates.extend(out.open);
    }
    join_open_mates(&ctx, open_mates, &mut tally);
    count_unplaced(&ctx, &mut reader, &mut tally)?;

    let mut genes = vec![0u64; model.genes.len()];
    for (g, n) in tally.genes {
        genes[g as usize] = n;
    }
    Ok(Counts {
        genes,
        assigned: tally.assigned,
        unassigned: tally.unassigned,
        paired,
        placed_records,
        indexed_records: placed,
    })
}

/// The worker's copy of an error met while opening its reader (the message already names the
/// file).
fn clone_err(e: &Error) -> Error {
    Error::usage(e.to_string())
}

fn open(path: &Path, opts: &CountOptions) -> Result<(bam::IndexedReader, bam::HeaderView)> {
    // One-line refusals shared with the other alignment readers: missing file, a folder, not a
    // BAM/CRAM, a CRAM without --fasta (htslib would otherwise try to download the reference).
    crate::io::alignments::check(path, opts.fasta.as_deref(), Some("--fasta"))?;
    if !has_index(path) {
        return Err(Error::invalid(
            path,
            None,
            "no index (.bai, .csi or .crai) beside it: sort and index it (samtools sort, samtools index)",
        ));
    }
    let mut reader = bam::IndexedReader::from_path(path).map_err(|e| {
        Error::invalid(
            path,
            None,
            format!("cannot open with its index ({e}): sort and index it (samtools sort, samtools index)"),
        )
    })?;
    if let Some(fasta) = &opts.fasta {
        reader.set_reference(fasta).map_err(|e| {
            Error::invalid(fasta, None, format!("cannot use as CRAM reference: {e}"))
        })?;
    }
    let header = reader.header().clone();
    let text = String::from_utf8_lossy(header.as_bytes());
    if let Some(hd) = text.lines().find(|l| l.starts_with("@HD")) {
        if let Some(so) = hd.split('\t').find_map(|f| f.strip_prefix("SO:")) {
            if so != "coordinate" {
                return Err(Error::invalid(
                    path,
                    Some("@HD".into()),
                    format!("sorted by '{so}', not by coordinate: run samtools sort, then samtools index"),
                ));
            }
        }
    }
    Ok((reader, header))
}

/// An index file where htslib looks for one (`X.bam.bai`, `X.bai`, `.csi`, `.crai`); checked
/// first so the user gets our message rather than htslib's.
fn has_index(path: &Path) -> bool {
    let name = path.as_os_str().to_string_lossy();
    let stem = path.with_extension("");
    let stem = stem.as_os_str().to_string_lossy();
    ["bai", "csi", "crai"].iter().any(|ext| {
        Path::new(&format!("{name}.{ext}")).exists() || Path::new(&format!("{stem}.{ext}")).exists()
    })
}

fn detect_paired(reader: &mut bam::IndexedReader, path: &Path) -> Result<bool> {
    reader
        .fetch(bam::FetchDefinition::All)
        .map_err(|e| Error::invalid(path, None, format!("cannot read: {e}")))?;
    let mut record = bam::Record::new();
    for _ in 0..10_000 {
        match reader.read(&mut record) {
            None => break,
            Some(Err(e)) => return Err(damaged(path, &e)),
            Some(Ok(())) => {
                if record.flags() & FLAG_PAIRED != 0 {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

fn damaged(path: &Path, e: &rust_htslib::errors::Error) -> Error {
    Error::invalid(
        path,
        None,
        format!("cannot read a record ({e}): the file is truncated or damaged"),
    )
}

/// NH tag (number of reported alignments); 1 when absent.
fn hits(record: &bam::Record) -> i64 {
    use bam::record::Aux;
    match record.aux(b"NH") {
        Ok(Aux::U8(v)) => i64::from(v),
        Ok(Aux::I8(v)) => i64::from(v),
        Ok(Aux::U16(v)) => i64::from(v),
        Ok(Aux::I16(v)) => i64::from(v),
        Ok(Aux::U32(v)) => i64::from(v),
        Ok(Aux::I32(v)) => i64::from(v),
        _ => 1,
    }
}

/// Reference blocks of an alignment: M/=/X and D extend a block, N starts a new one (so a
/// spliced read covers only its exonic parts).
fn blocks(record: &bam::Record, tag: u32, out: &mut Vec<(u32, u64, u64)>) {
    let mut pos = record.pos().max(0) as u64;
    let mut block_start = pos;
    for &c in record.raw_cigar() {
        let len = u64::from(c >> 4);
        match c & 0xf {
            0 | 2 | 7 | 8 => pos += len,
            3 => {
                if pos > block_start {
                    out.push((tag, block_start, pos));
                }
                pos += len;
                block_start = pos;
            }
            _ => {}
        }
    }
    if pos > block_start {
        out.push((tag, block_start, pos));
    }
}

/// What to do with one record.
enum Kind {
    /// Not counted by itself (an unmapped mate carried by its partner, the second copy of a
    /// multi-mapping pair).
    Skip,
    Multi,
    /// Counted alone: a single-end read, a pair whose mate is unmapped, or a supplementary
    /// alignment (featureCounts counts it as one more read).
    Single,
    /// Waits for its mate.
    Mate,
}

fn kind(record: &bam::Record, paired: bool) -> Kind {
    let flags = record.flags();
    let is_pair = paired && flags & FLAG_PAIRED != 0;
    if flags & FLAG_UNMAPPED != 0 {
        return Kind::Skip;
    }
    let mate_unmapped =
        !is_pair || flags & FLAG_MATE_UNMAPPED != 0 || flags & FLAG_SUPPLEMENTARY != 0;
    // featureCounts decides multi-mapping by NH alone: a secondary alignment with NH ≤ 1 is one
    // more read (or, with `--primary`, `Unassigned_Secondary`, decided in `finish`).
    if hits(record) > 1 {
        // One count per reported alignment of the read (pair): taken from read 1, or from the
        // only mapped mate.
        return if !is_pair || flags & FLAG_READ1 != 0 || mate_unmapped {
            Kind::Multi
        } else {
            Kind::Skip
        };
    }
    if mate_unmapped {
        Kind::Single
    } else {
        Kind::Mate
    }
}

fn fragment_reverse(flags: u16, paired: bool) -> bool {
    let reverse = flags & FLAG_REVERSE != 0;
    if paired && flags & FLAG_PAIRED != 0 && flags & FLAG_READ2 != 0 {
        !reverse
    } else {
        reverse
    }
}

/// The key pairing a mate with its partner: the name, plus whether it is a secondary copy (so a
/// pair's primary and secondary alignments never pair across).
fn mate_key(record: &bam::Record, key: &mut Vec<u8>) {
    key.clear();
    key.extend_from_slice(record.qname());
    key.push(u8::from(record.flags() & FLAG_SECONDARY != 0));
}

/// featureCounts' order of checks after multi-mapping: secondary (with `--primary`), then
/// mapping quality, then features.
fn finish(
    ctx: &Ctx<'_>,
    fragment: &Fragment,
    mapq: u8,
    secondary: bool,
    scratch: &mut Scratch,
) -> std::result::Result<u32, Unassigned> {
    if secondary && ctx.opts.primary_only {
        return Err(Unassigned::Secondary);
    }
    if mapq < ctx.opts.min_mapq {
        return Err(Unassigned::MappingQuality);
    }
    assign(
        ctx.model,
        &ctx.contigs,
        fragment,
        ctx.opts.strandedness,
        scratch,
    )
}

fn join(
    ctx: &Ctx<'_>,
    a: Mate,
    b: &Mate,
    fragment: &mut Fragment,
    scratch: &mut Scratch,
) -> std::result::Result<u32, Unassigned> {
    let (first, second) = if a.read1 || !b.read1 {
        (&a, b)
    } else {
        (b, &a)
    };
    fragment.blocks.clear();
    fragment.blocks.extend_from_slice(&first.blocks);
    fragment.split = fragment.blocks.len();
    fragment.blocks.extend_from_slice(&second.blocks);
    fragment.reverse = if first.read1 {
        first.reverse
    } else {
        !first.reverse
    };
    finish(
        ctx,
        fragment,
        a.mapq.max(b.mapq),
        a.secondary || b.secondary,
        scratch,
    )
}

fn count_region(
    ctx: &Ctx<'_>,
    reader: &mut bam::IndexedReader,
    tid: u32,
    start: u64,
    end: u64,
) -> Result<RegionOut> {
    reader
        .fetch((tid as i32, start as i64, end as i64))
        .map_err(|e| {
            Error::invalid(
                ctx.path,
                None,
                format!("cannot fetch region {tid}:{start}-{end}: {e}"),
            )
        })?;
    let mut record = bam::Record::new();
    let mut tally = Tally::default();
    let mut pending: HashMap<Vec<u8>, Mate> = HashMap::new();
    let mut open: Vec<(Vec<u8>, Mate)> = Vec::new();
    let mut fragment = Fragment::default();
    let mut scratch = Scratch::default();
    let mut key = Vec::new();
    let mut last_pos = 0i64;
    let mut records = 0u64;
    while let Some(res) = reader.read(&mut record) {
        res.map_err(|e| damaged(ctx.path, &e))?;
        let pos = record.pos();
        if pos < start as i64 {
            continue;
        }
        records += 1;
        if pos < last_pos {
            return Err(Error::invalid(
                ctx.path,
                Some(format!(
                    "{}:{}",
                    String::from_utf8_lossy(record.qname()),
                    pos + 1
                )),
                "records are not sorted by coordinate: run samtools sort, then samtools index",
            ));
        }
        last_pos = pos;
        match kind(&record, ctx.paired) {
            Kind::Skip => {}
            Kind::Multi => tally.add(Err(Unassigned::MultiMapping)),
            Kind::Single => {
                fragment.blocks.clear();
                blocks(&record, tid, &mut fragment.blocks);
                fragment.split = fragment.blocks.len();
                fragment.reverse = fragment_reverse(record.flags(), ctx.paired);
                let secondary = record.flags() & FLAG_SECONDARY != 0;
                tally.add(finish(
                    ctx,
                    &fragment,
                    record.mapq(),
                    secondary,
                    &mut scratch,
                ));
            }
            Kind::Mate => {
                let mut mate_blocks = Vec::new();
                blocks(&record, tid, &mut mate_blocks);
                let mate = Mate {
                    blocks: mate_blocks,
                    read1: record.flags() & FLAG_READ1 != 0,
                    reverse: record.flags() & FLAG_REVERSE != 0,
                    mapq: record.mapq(),
                    secondary: record.flags() & FLAG_SECONDARY != 0,
                };
                mate_key(&record, &mut key);
                if let Some(other) = pending.remove(key.as_slice()) {
                    tally.add(join(ctx, mate, &other, &mut fragment, &mut scratch));
                    continue;
                }
                let mate_here = record.mtid() == tid as i32
                    && record.mpos() >= pos
                    && (record.mpos() as u64) < end;
                if mate_here {
                    pending.insert(key.clone(), mate);
                } else {
                    open.push((key.clone(), mate));
                }
            }
        }
    }
    // Mates announced in this region that never came: joined (or counted alone) at the end.
    let mut rest: Vec<(Vec<u8>, Mate)> = pending.into_iter().collect();
    rest.sort_by(|a, b| a.0.cmp(&b.0));
    open.extend(rest);
    Ok(RegionOut {
        tally,
        open,
        records,
    })
}

fn join_open_mates(ctx: &Ctx<'_>, open: Vec<(Vec<u8>, Mate)>, tally: &mut Tally) {
    let mut waiting: HashMap<Vec<u8>, Mate> = HashMap::new();
    let mut fragment = Fragment::default();
    let mut scratch = Scratch::default();
    for (name, mate) in open {
        match waiting.remove(&name) {
            Some(other) => tally.add(join(ctx, mate, &other, &mut fragment, &mut scratch)),
            None => {
                waiting.insert(name, mate);
            }
        }
    }
    // A mate whose partner is missing from the BAM counts as a single read.
    for (_, mate) in waiting {
        fragment.blocks.clear();
        fragment.blocks.extend_from_slice(&mate.blocks);
        fragment.split = fragment.blocks.len();
        fragment.reverse = if mate.read1 {
            mate.reverse
        } else {
            !mate.reverse
        };
        tally.add(finish(
            ctx,
            &fragment,
            mate.mapq,
            mate.secondary,
            &mut scratch,
        ));
    }
}

/// Reads without a position (both mates unmapped): one `Unassigned_Unmapped` per read or pair.
fn count_unplaced(ctx: &Ctx<'_>, reader: &mut bam::IndexedReader, tally: &mut Tally) -> Result<()> {
    if reader.fetch(bam::FetchDefinition::Unmapped).is_err() {
        return Ok(());
    }
    let mut record = bam::Record::new();
    while let Some(res) = reader.read(&mut record) {
        res.map_err(|e| damaged(ctx.path, &e))?;
        let flags = record.flags();
        if record.tid() >= 0 && flags & FLAG_MATE_UNMAPPED == 0 {
            continue;
        }
        let is_pair = ctx.paired && flags & FLAG_PAIRED != 0;
        if !is_pair || flags & FLAG_READ1 != 0 {
            tally.add(Err(Unassigned::Unmapped));
        }
    }
    Ok(())
}
