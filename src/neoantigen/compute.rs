//! The pass over the VCF: each batch of entries is cut into epitopes, scored and filtered once
//! per MHC class (class I, then class II when asked), rows streamed to each class's all.tsv.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use rayon::prelude::*;

use super::class2::{self, Class1Scorer, Class2Scorer, MhcClass, Scorer};
use super::epitopes::Epitope;
use super::result::{Class2Summary, ClassTables};
use super::rows::{self, columns, EntryRows};
use super::{
    apply_counts_and_expression, bam, check_alleles, entry_epitopes, expression, filters,
    normal_column, Candidate, ClassCounts, NeoantigenParams, NeoantigenResult, NeoantigenSummary,
    Tier, SCHEMA_VERSION,
};
use crate::binding::class2::predictor::Class2Predictor;
use crate::binding::BindingPredictor;
use crate::error::{Error, Result};
use crate::peptides::{self, window, EntryStream, FastaGroups, NoWindow, VariantEntry};

/// The class II predictor and where class II rows and windows go.
pub struct Class2Io<'a> {
    pub predictor: &'a Class2Predictor,
    pub all: &'a mut dyn Write,
    pub fasta: &'a mut FastaGroups,
}

/// One class during the pass.
struct ClassState<'a> {
    class: MhcClass,
    names: Vec<String>,
    lengths: Vec<usize>,
    scorer: Box<dyn Scorer + 'a>,
    all: &'a mut dyn Write,
    fasta: &'a mut FastaGroups,
    passing: Vec<Candidate>,
    all_rows: Vec<Candidate>,
    filtered: [u64; filters::FILTER_NAMES.len()],
    by_class: BTreeMap<String, ClassCounts>,
    n_rows: u64,
}

type Built = (Vec<Epitope>, Option<NoWindow>, Option<window::Window>);

fn wline(w: &mut dyn Write, s: &str) -> Result<()> {
    w.write_all(s.as_bytes())
        .map_err(|e| Error::io("neoantigens table", e))
}

/// A class's ranked candidates and loads.
struct Finished {
    ranked: Vec<(Tier, Candidate)>,
    by_tier: BTreeMap<String, u64>,
    load: u64,
    load_pass: u64,
}

fn finish(
    f: &filters::FilterParams,
    passing: Vec<Candidate>,
    clonal: f64,
    entries: &[VariantEntry],
) -> Finished {
    let mut ranked: Vec<(Tier, Candidate)> = passing
        .into_par_iter()
        .map(|c| (filters::tier(f, &c, clonal), c))
        .collect();
    ranked.par_sort_by(|a, b| filters::rank_order(&(a.0, &a.1), &(b.0, &b.1)));
    let mut by_tier: BTreeMap<String, u64> = BTreeMap::new();
    let mut load: BTreeSet<(&str, u64, &str, &str)> = BTreeSet::new();
    let mut load_pass: BTreeSet<(&str, u64, &str, &str)> = BTreeSet::new();
    for (t, c) in &ranked {
        *by_tier.entry(t.as_str().to_string()).or_default() += 1;
        let e = &entries[c.entry];
        let key = (
            e.chrom.as_str(),
            e.pos,
            e.reference.as_str(),
            e.alt.as_str(),
        );
        if *t == Tier::Pass {
            load_pass.insert(key);
        }
        load.insert(key);
    }
    Finished {
        by_tier,
        load: load.len() as u64,
        load_pass: load_pass.len() as u64,
        ranked,
    }
}

fn filtered_map(filtered: [u64; filters::FILTER_NAMES.len()]) -> BTreeMap<String, u64> {
    filters::FILTER_NAMES
        .iter()
        .zip(filtered)
        .map(|(n, c)| ((*n).to_string(), c))
        .collect()
}

/// As [`super::compute`], with a predictor built by the caller (tests, benchmarks, other front
/// ends); `params.predictor` is then only recorded. Class I only: `params.class2` must be unset
/// (use [`compute_full`]).
///
/// # Errors
/// As [`super::compute`].
pub fn compute_with(
    params: &NeoantigenParams,
    predictor: &dyn BindingPredictor,
    all: &mut dyn Write,
    fasta: &mut FastaGroups,
) -> Result<NeoantigenResult> {
    compute_full(params, predictor, all, fasta, None)
}

/// Both classes: class I rows to `all`/`fasta`, class II rows to `class2`'s.
///
/// # Errors
/// As [`super::compute`]; class II parameters without `class2`; no allele of either class.
pub fn compute_full(
    params: &NeoantigenParams,
    predictor: &dyn BindingPredictor,
    all: &mut dyn Write,
    fasta: &mut FastaGroups,
    class2: Option<Class2Io>,
) -> Result<NeoantigenResult> {
    let class2 = match (&params.class2, class2) {
        (Some(p), Some(io)) => {
            let kept = class2::servable(p, io.predictor)?;
            if kept.is_empty() {
                None
            } else {
                Some((p, kept, io))
            }
        }
        (Some(_), None) => {
            return Err(Error::Internal(
                "class II parameters without a class II predictor".into(),
            ))
        }
        (None, _) => None,
    };
    if params.alleles.is_empty() && class2.is_none() {
        return Err(Error::usage(
            "--alleles needs at least one HLA class I allele or class II molecule",
        ));
    }
    check_alleles(params, predictor)?;
    let mut expr = expression::Expression::default();
    for t in &params.expression {
        expr.add_table(t)?;
    }
    let mut stream = EntryStream::open(
        &params.vcf,
        params.sample.as_deref(),
        params.entries.clone(),
        params.annotation.as_ref(),
        params.threads,
    )?;
    stream.use_normal_sample(normal_column(&stream, params)?);
    for b in [&params.tumor_bam, &params.rna_bam].into_iter().flatten() {
        bam::BamCounter::open(b, params.counting)?.check_contigs(stream.header(), &params.vcf)?;
    }
    wline(all, columns(MhcClass::I))?;
    wline(all, "\n")?;
    let new_state = |class, names, lengths, scorer, all, fasta| ClassState {
        class,
        names,
        lengths,
        scorer,
        all,
        fasta,
        passing: Vec::new(),
        all_rows: Vec::new(),
        filtered: [0; filters::FILTER_NAMES.len()],
        by_class: BTreeMap::new(),
        n_rows: 0,
    };
    let mut states: Vec<ClassState> = Vec::new();
    if !params.alleles.is_empty() {
        states.push(new_state(
            MhcClass::I,
            params.alleles.iter().map(ToString::to_string).collect(),
            params.lengths.clone(),
            Box::new(Class1Scorer {
                predictor,
                alleles: &params.alleles,
            }),
            all,
            fasta,
        ));
    }
    let mut class2_alleles = Vec::new();
    if let Some((p, kept, io)) = class2 {
        wline(io.all, columns(MhcClass::II))?;
        wline(io.all, "\n")?;
        states.push(new_state(
            MhcClass::II,
            kept.iter().map(|a| a.given.clone()).collect(),
            p.lengths.clone(),
            Box::new(Class2Scorer {
                predictor: io.predictor,
                molecules: kept.iter().map(|a| a.molecule.clone()).collect(),
            }),
            io.all,
            io.fasta,
        ));
        class2_alleles = kept;
    }

    let mut entries: Vec<VariantEntry> = Vec::new();
    let mut type_transcripts: BTreeMap<String, u64> = BTreeMap::new();
    let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
    let mut vafs: Vec<f64> = Vec::new();
    let mut transcripts = 0u64;
    while let Some(mut batch) = stream.next_batch()? {
        apply_counts_and_expression(params, &mut batch, &expr)?;
        let mut built: Vec<Vec<Built>> = Vec::with_capacity(states.len());
        let mut predictions = Vec::with_capacity(states.len());
        for s in &states {
            let lengths = s.lengths.as_slice();
            let max_len = lengths.iter().copied().max().unwrap_or(9);
            let b: Vec<Built> = batch
                .par_iter()
                .map(|e| {
                    let (eps, why) = entry_epitopes(e, lengths, params.downstream);
                    let win = window::build(e, max_len - 1, params.downstream, 0).ok();
                    (eps, why, win)
                })
                .collect();
            let mut peptides: BTreeSet<&str> = BTreeSet::new();
            for (eps, _, _) in &b {
                for ep in eps {
                    peptides.insert(&ep.mt);
                    if let Some(w) = &ep.wt {
                        peptides.insert(w);
                    }
                }
            }
            let peptides: Vec<&str> = peptides.into_iter().collect();
            predictions.push(rows::predict_all(
                s.scorer.as_ref(),
                s.names.len(),
                &peptides,
            )?);
            built.push(b);
        }
        // Entries with epitopes of either class get the next entry numbers, in file order.
        let has_any: Vec<bool> = (0..batch.len())
            .map(|i| built.iter().any(|b| !b[i].0.is_empty()))
            .collect();
        let mut next = entries.len();
        let idxs: Vec<usize> = has_any
            .iter()
            .map(|&h| {
                let i = next;
                next += usize::from(h);
                i
            })
            .collect();
        // Rows are formatted and filtered in parallel per entry; order is restored below.
        let mut rows_by_class: Vec<std::vec::IntoIter<EntryRows>> = Vec::new();
        for (k, s) in states.iter().enumerate() {
            let (class, names) = (s.class, s.names.as_slice());
            let r: Vec<EntryRows> = batch
                .par_iter()
                .zip(built[k].par_iter())
                .zip(idxs.par_iter())
                .map(|((e, (eps, _, _)), &idx)| {
                    rows::entry_rows(params, class, names, e, eps, idx, &predictions[k])
                })
                .collect();
            rows_by_class.push(r.into_iter());
        }
        let mut built_by_class: Vec<std::vec::IntoIter<Built>> =
            built.into_iter().map(Vec::into_iter).collect();
        for (mut e, has) in batch.into_iter().zip(has_any) {
            transcripts += 1;
            let vt = e.variant_type.as_str();
            *type_transcripts.entry(vt.to_string()).or_default() += 1;
            if let Some(v) = e.values.dna_vaf {
                vafs.push(v);
            }
            let index = e.index();
            let mut first_why = None;
            let mut entry_rows: Vec<EntryRows> = Vec::with_capacity(states.len());
            for (k, s) in states.iter_mut().enumerate() {
                let (_, why, win) = built_by_class[k].next().unwrap_or_default();
                s.by_class.entry(vt.to_string()).or_default().transcripts += 1;
                if let Some(w) = win {
                    s.fasta.push(&w.wt, format!("WT.{index}"));
                    s.fasta.push(&w.mt, format!("MT.{index}"));
                }
                if k == 0 {
                    first_why = why;
                }
                entry_rows.push(rows_by_class[k].next().unwrap_or_default());
            }
            if !has {
                if let Some(why) = first_why {
                    peptides::warn_no_window(&e, &why);
                    let reason = match why {
                        NoWindow::Silent => "no_novel_epitope",
                        NoWindow::ReferenceMismatch { .. } => "wildtype_protein_mismatch",
                        NoWindow::UnsupportedAminoAcid => "unsupported_amino_acid",
                    };
                    *skipped.entry(reason.to_string()).or_default() += 1;
                }
                continue;
            }
            for (s, rows) in states.iter_mut().zip(entry_rows) {
                wline(s.all, &rows.text)?;
                let counts = s.by_class.entry(vt.to_string()).or_default();
                counts.epitopes += rows.n_rows;
                counts.candidates += rows.passing.len() as u64;
                for (i, n) in rows.filtered.iter().enumerate() {
                    s.filtered[i] += n;
                }
                let base = s.n_rows;
                s.passing.extend(rows.passing.into_iter().map(|mut c| {
                    c.order += base;
                    c
                }));
                s.all_rows.extend(rows.all.into_iter().map(|mut c| {
                    c.order += base;
                    c
                }));
                s.n_rows += rows.n_rows;
            }
            e.wildtype_protein = String::new();
            e.frameshift_sequence = String::new();
            entries.push(e);
        }
    }
    for (reason, n) in &stream.skipped {
        skipped.insert(reason.replace(' ', "_"), *n);
    }

    let f = &params.filters;
    let clonal = filters::clonal_vaf(f.tumor_purity, vafs);
    let mut class1 = None;
    let mut class2_out = None;
    for s in states {
        let done = finish(f, s.passing, clonal, &entries);
        let keep = (
            s.names,
            s.scorer.name(),
            done,
            s.all_rows,
            s.filtered,
            s.by_class,
            s.n_rows,
        );
        match s.class {
            MhcClass::I => class1 = Some(keep),
            MhcClass::II => class2_out = Some(keep),
        }
    }
    let (c1_ranked, c1_all, c1_summary) = match class1 {
        Some((_, _, done, all_rows, filtered, by_class, n_rows)) => (
            done.ranked,
            all_rows,
            (
                n_rows,
                filtered_map(filtered),
                by_class,
                done.by_tier,
                done.load,
                done.load_pass,
            ),
        ),
        None => (
            Vec::new(),
            Vec::new(),
            (
                0,
                filtered_map([0; filters::FILTER_NAMES.len()]),
                type_transcripts
                    .iter()
                    .map(|(k, &n)| {
                        (
                            k.clone(),
                            ClassCounts {
                                transcripts: n,
                                ..Default::default()
                            },
                        )
                    })
                    .collect(),
                BTreeMap::new(),
                0,
                0,
            ),
        ),
    };
    let (mut tables2, mut summary2) = (None, None);
    if let Some((names, predictor_name, done, all_rows, filtered, by_class, n_rows)) = class2_out {
        summary2 = Some(Class2Summary {
            predictor: predictor_name.clone(),
            alleles: names.clone(),
            molecules: class2_alleles
                .iter()
                .map(|a| a.molecule.to_string())
                .collect(),
            lengths: params
                .class2
                .as_ref()
                .map(|c| c.lengths.clone())
                .unwrap_or_default(),
            epitopes: n_rows,
            candidates: done.ranked.len() as u64,
            filtered: filtered_map(filtered),
            by_class,
            by_tier: done.by_tier,
            neoantigen_load: done.load,
            neoantigen_load_pass: done.load_pass,
        });
        tables2 = Some(ClassTables {
            class: MhcClass::II,
            alleles: names,
            pvacseq_alleles: class2_alleles
                .iter()
                .map(|a| class2::pvacseq_name(&a.molecule))
                .collect(),
            predictor: predictor_name,
            ranked: done.ranked,
            all: all_rows,
        });
    }
    let (epitopes, filtered, by_class, by_tier, load, load_pass) = c1_summary;
    let summary = NeoantigenSummary {
        schema_version: SCHEMA_VERSION,
        version: crate::VERSION,
        sample: stream.sample_name().to_string(),
        normal_sample: stream.normal_sample_name().map(str::to_string),
        predictor: predictor.name().to_string(),
        alleles: params.alleles.iter().map(ToString::to_string).collect(),
        transcripts,
        epitopes,
        candidates: c1_ranked.len() as u64,
        filtered,
        by_class,
        by_tier,
        neoantigen_load: load,
        neoantigen_load_pass: load_pass,
        clonal_vaf: clonal,
        skipped,
        ref_check: stream.ref_check.clone(),
        read_support: stream
            .support_tally
            .report(&crate::variant::SupportOptions::default()),
        class2: summary2,
        params: params.clone(),
    };
    Ok(NeoantigenResult {
        summary,
        entries,
        ranked: c1_ranked,
        all: c1_all,
        class2: tables2,
    })
}
