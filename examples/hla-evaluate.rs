//! Writes `reference/hla/EVALUATION.md`: per-locus concordance of `immunoprofile hla` on seeded
//! simulations (DNA and RNA reads from an IPD-IMGT/HLA release, with an Illumina-like error
//! profile and decoys from HLA-E/F/G, DRA, DRB3/4/5, pseudogene-like copies and random sequence).
//!
//! ```text
//! cargo run --release --example hla-evaluate -- [--imgt DIR] [--samples N] [--seed S]
//!     [--loci A,B,C] [--out FILE] [--fastq-dir DIR] [--verbose]
//! ```
//! Defaults: `../shared/data/imgt-hla/3.30.0`, 100 samples per library, the evaluation seed
//! below, the file above. Development (choosing anything) uses other seeds (`--seed 1`, …):
//! the evaluation seed is only ever used for the reported figures. `--fastq-dir` also writes
//! every sample as paired FASTQ with its truth and our call (`benches/hla_vs_optitype.sh` runs
//! OptiType on the same files). `--verbose` prints each discordant call.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use immunoprofile::hla::imgt::two_field;
use immunoprofile::hla::simulate::{simulate, Library, Rng, SimSpec};
use immunoprofile::hla::{self, HlaIndex, HlaParams, Imgt, ReadStats, DEFAULT_LOCI};

/// The seed of the reported figures, run once with the final method. The previous evaluation
/// seed, 20261202, had its results (and discordant calls) seen while the method was developed,
/// so it no longer counts as held out.
const EVAL_SEED: u64 = 20_261_203;
/// Read lengths drawn per sample (common Illumina read lengths).
const READ_LENS: [usize; 4] = [76, 100, 126, 150];

struct Args {
    imgt: PathBuf,
    samples: usize,
    seed: u64,
    out: PathBuf,
    fastq_dir: Option<PathBuf>,
    verbose: bool,
    loci: Vec<String>,
}

fn args() -> Result<Args, Box<dyn std::error::Error>> {
    let mut a = Args {
        imgt: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/imgt-hla/3.30.0"
        )),
        samples: 100,
        seed: EVAL_SEED,
        out: PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/reference/hla/EVALUATION.md"
        )),
        fastq_dir: None,
        verbose: false,
        loci: DEFAULT_LOCI.iter().map(|s| s.to_string()).collect(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--imgt" => a.imgt = value()?.into(),
            "--samples" => a.samples = value()?.parse()?,
            "--seed" => a.seed = value()?.parse()?,
            "--out" => a.out = value()?.into(),
            "--fastq-dir" => a.fastq_dir = Some(value()?.into()),
            "--verbose" => a.verbose = true,
            "--loci" => a.loci = value()?.split(',').map(str::to_string).collect(),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(a)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args()?;
    let t = Instant::now();
    let imgt = Imgt::load(&a.imgt)?;
    let index = HlaIndex::build(&imgt);
    let build_s = t.elapsed().as_secs_f64();
    let params = HlaParams {
        loci: a.loci.clone(),
        ..HlaParams::new(&a.imgt)
    };
    let loci = a.loci.clone();
    let mut md = String::new();
    writeln!(md, "# HLA typing: evaluation on simulated reads\n")?;
    writeln!(md, "Written by `cargo run --release --example hla-evaluate -- --samples {} --seed {} --loci {}` against IPD-IMGT/HLA {} ({} alleles indexed; release read and index built in {build_s:.1} s, {} build). The seed {} is the evaluation seed, run once with the final method: the method and its defaults (read likelihood with ε = 0.01 floored at one mismatch, β = {} nats a read for a homozygous pair, {} reads a locus, {} shared k-mers) were developed on seeds 1–3 only. The earlier evaluation seed 20261202 was seen during development (its discordant calls were looked at), so it is no longer reported.\n",
        a.samples, a.seed, a.loci.join(","), imgt.release, index.alleles.len(), build_kind(), a.seed, params.homozygosity_penalty, params.min_reads, params.min_kmers)?;
    writeln!(md, "Each sample draws two alleles per locus uniformly from the release's expressed alleles that have a genomic sequence (so rare alleles are as likely as common ones, a harder set than real cohorts), and simulates read pairs of one length drawn per sample from {READ_LENS:?} bp (insert 300 ± 20%) with Illumina-like errors (substitutions averaging 0.5% a base, rising from 0.2% at the first base to 0.8% at the last; one-base indels at 0.02% a base): **DNA** from the genomic sequences (exons and introns, so many reads are intronic) at 30× per allele; **RNA** from the coding sequences at 20–80× per allele (allelic imbalance up to 4:1). Every sample also carries decoys at one allele's depth: one allele each of HLA-E, -F, -G, DRA, DRB3, DRB4 and DRB5; for each typed locus a pseudogene-like copy (a drawn allele with 6–14% of its bases changed, standing in for HLA-H/J/K/L and DRB2/6/7/8/9, absent from the release's nucleotide files); and 200 random pairs for the rest of the genome.\n")?;
    writeln!(md, "Concordance counts alleles (two per locus): *two-field* the called name equals the true allele's first two fields; *G group* the called G group holds the true allele (the resolution of exons 2–3 / exon 2). Undetermined loci count as wrong. Both are strict: a call is not counted right because the true allele is among the equivalent alleles the output lists.\n")?;
    if let Some(d) = &a.fastq_dir {
        std::fs::create_dir_all(d)?;
    }
    let mut truth_tsv = String::from("sample\tlibrary\tlocus\ttruth1\ttruth2\tcalled1\tcalled2\n");
    let mut summary = Vec::new();
    for (library, depth) in [(Library::Dna, 30.0), (Library::Rna, 40.0)] {
        let mut rng = Rng::new(a.seed ^ (library as u64 + 1).wrapping_mul(0x9E37_79B9));
        let mut tally: BTreeMap<String, [u64; 4]> = BTreeMap::new();
        let mut typing_s = 0.0;
        let lib = if library == Library::Dna {
            "dna"
        } else {
            "rna"
        };
        for s in 0..a.samples {
            let spec = SimSpec {
                library,
                loci: loci.clone(),
                depth,
                read_len: READ_LENS[rng.below(READ_LENS.len())],
                insert: 300,
                error_rate: 0.005,
                indel_rate: 0.0002,
                decoys: ["E", "F", "G", "DRA", "DRB3", "DRB4", "DRB5"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                pseudogenes: true,
                random_pairs: 200,
            };
            let sample = simulate(&imgt, &spec, &mut rng);
            let name = format!("{lib}{s:03}");
            if let Some(d) = &a.fastq_dir {
                write_fastq(d, &name, &sample.fragments)?;
            }
            let n = sample.fragments.len() as u64;
            let stats = ReadStats {
                records_scanned: n,
                fragments_kept: n,
                region: None,
            };
            let t = Instant::now();
            let debug_frags = a.verbose.then(|| sample.fragments.clone());
            let res = hla::type_fragments(&imgt, &index, sample.fragments, stats, &params)?;
            typing_s += t.elapsed().as_secs_f64();
            for (locus, truth) in &sample.truth {
                let e = tally.entry(locus.clone()).or_default();
                e[3] += 2;
                let call = res
                    .loci
                    .iter()
                    .find(|l| &l.locus == locus)
                    .and_then(|l| l.call.as_ref());
                let called: Vec<String> = call.map_or(vec!["NA".into(), "NA".into()], |c| {
                    c.alleles
                        .iter()
                        .map(|a| a.allele.trim_start_matches("HLA-").to_string())
                        .collect()
                });
                writeln!(
                    truth_tsv,
                    "{name}\t{lib}\t{locus}\t{}\t{}\t{}\t{}",
                    truth[0], truth[1], called[0], called[1]
                )?;
                let Some(call) = call else {
                    if a.verbose {
                        eprintln!("{name} {locus}: undetermined, truth {truth:?}");
                    }
                    continue;
                };
                let groups: Vec<String> = call
                    .alleles
                    .iter()
                    .map(|a| a.g_group.trim_start_matches("HLA-").to_string())
                    .collect();
                let tf: Vec<String> = truth.iter().map(|a| two_field(a)).collect();
                let tg: Vec<String> = truth.iter().map(|a| imgt.g_group(a).to_string()).collect();
                let (m2, mg) = (best_match(&tf, &called), best_match(&tg, &groups));
                e[0] += m2;
                e[1] += mg;
                if a.verbose && (m2 < 2 || mg < 2) {
                    eprintln!(
                        "{name} {locus}: truth {truth:?} G {tg:?}; called {called:?} G {groups:?} reps {:?} equivalent {:?} reads {} margin {:.1}",
                        [&call.alleles[0].representative, &call.alleles[1].representative],
                        [&call.alleles[0].equivalent, &call.alleles[1].equivalent],
                        call.explained,
                        call.margin,
                    );
                    if let Some(f) = &debug_frags {
                        explain(
                            &index,
                            f,
                            &params,
                            truth,
                            &call.alleles[0].representative,
                            &call.alleles[1].representative,
                        );
                    }
                }
            }
        }
        let secs = typing_s / a.samples.max(1) as f64;
        writeln!(
            md,
            "## {}\n",
            if library == Library::Dna {
                "DNA (genomic sequences, 30× per allele)"
            } else {
                "RNA (coding sequences, 20–80× per allele)"
            }
        )?;
        writeln!(
            md,
            "Typing time {secs:.2} s per sample (eight loci, index built; {} build, 2 shared cores).\n",
            build_kind()
        )?;
        writeln!(
            md,
            "| locus | alleles | two-field concordance | G-group concordance |"
        )?;
        writeln!(md, "|---|---|---|---|")?;
        let mut class1 = [0u64; 3];
        for locus in &loci {
            let Some(e) = tally.get(locus) else { continue };
            writeln!(
                md,
                "| HLA-{locus} | {} | {:.1}% | {:.1}% |",
                e[3],
                pct(e[0], e[3]),
                pct(e[1], e[3])
            )?;
            if ["A", "B", "C"].contains(&locus.as_str()) {
                class1[0] += e[0];
                class1[1] += e[1];
                class1[2] += e[3];
            }
        }
        writeln!(
            md,
            "| class I | {} | {:.1}% | {:.1}% |\n",
            class1[2],
            pct(class1[0], class1[2]),
            pct(class1[1], class1[2])
        )?;
        summary.push(format!(
            "{library:?}: class I two-field {:.1}%, G {:.1}%; {secs:.2} s a sample",
            pct(class1[0], class1[2]),
            pct(class1[1], class1[2])
        ));
    }
    writeln!(md, "Published anchors: OptiType 97–99% two-field class I concordance on exomes and 1000 Genomes RNA-seq (Szolek et al., Bioinformatics 2014;30:3310–3316); arcasHLA ≈ 99% class I on RNA-seq (Orenbuch et al., Bioinformatics 2020;36:33–40). Those are on real samples of common alleles; the uniform draw here weighs every allele alike.")?;
    for s in &summary {
        eprintln!("{s}");
    }
    if let Some(d) = &a.fastq_dir {
        std::fs::write(d.join("calls.tsv"), &truth_tsv)?;
    }
    std::fs::create_dir_all(a.out.parent().unwrap_or(std::path::Path::new(".")))?;
    std::fs::write(&a.out, md)?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}

/// Development aid (`--verbose`): the fragments the called pair explains and the true pair
/// does not, and the other way round.
fn explain(
    index: &HlaIndex,
    fragments: &[immunoprofile::hla::Fragment],
    params: &HlaParams,
    truth: &[String; 2],
    c1: &str,
    c2: &str,
) {
    use immunoprofile::hla::matching::{dedup, match_all, Fate};
    let id = |n: &str| {
        let n = n.trim_start_matches("HLA-");
        index
            .alleles
            .iter()
            .position(|a| a.name == n)
            .map(|i| i as u32)
    };
    let t: Vec<Option<u32>> = truth.iter().map(|n| id(n)).collect();
    let c: Vec<Option<u32>> = [c1, c2].iter().map(|n| id(n)).collect();
    let d = dedup(fragments.to_vec());
    let fates = match_all(index, &d, params.min_kmers);
    let (mut only_called, mut only_truth) = (0u32, 0u32);
    let mut shown = 0;
    for ((f, w), fate) in d.iter().zip(&fates) {
        let Fate::Locus { alleles, score, .. } = fate else {
            continue;
        };
        let has = |v: &[Option<u32>]| v.iter().flatten().any(|x| alleles.binary_search(x).is_ok());
        let (ht, hc) = (has(&t), has(&c));
        if hc && !ht {
            only_called += w;
            if shown < 4 {
                shown += 1;
                let names: Vec<&str> = alleles
                    .iter()
                    .take(4)
                    .map(|&x| index.alleles[x as usize].name.as_str())
                    .collect();
                eprintln!(
                    "    called-only: score {score} best {} e.g. {names:?} mates {:?}",
                    alleles.len(),
                    f.mates
                        .iter()
                        .map(|m| String::from_utf8_lossy(m).into_owned())
                        .collect::<Vec<_>>()
                );
            }
        }
        if ht && !hc {
            only_truth += w;
        }
    }
    let core = |x: Option<u32>| {
        x.map(|i| {
            let c = &index.alleles[i as usize].core;
            (
                c.len(),
                index.alleles[i as usize].partial,
                String::from_utf8_lossy(&c[..30.min(c.len())]).into_owned(),
                String::from_utf8_lossy(&c[c.len().saturating_sub(30)..]).into_owned(),
            )
        })
    };
    eprintln!("    fragments explained only by the call {only_called}, only by the truth {only_truth}; truth ids {t:?} cores {:?}, called {c:?} cores {:?}", t.iter().map(|&x| core(x)).collect::<Vec<_>>(), c.iter().map(|&x| core(x)).collect::<Vec<_>>());
}

fn build_kind() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// `DIR/NAME_R1.fq` and `_R2.fq` (quality `I` throughout: the simulation has no qualities).
fn write_fastq(
    dir: &std::path::Path,
    name: &str,
    fragments: &[immunoprofile::hla::Fragment],
) -> std::io::Result<()> {
    let mut files = [1, 2].map(|m| {
        std::fs::File::create(dir.join(format!("{name}_R{m}.fq"))).map(std::io::BufWriter::new)
    });
    for (i, f) in fragments.iter().enumerate() {
        for (m, file) in files.iter_mut().enumerate() {
            let Ok(w) = file else { continue };
            let seq = f.mates.get(m).map_or(&b"N"[..], Vec::as_slice);
            writeln!(w, "@{name}.{i}/{}", m + 1)?;
            w.write_all(seq)?;
            writeln!(w, "\n+")?;
            w.write_all(&vec![b'I'; seq.len()])?;
            writeln!(w)?;
        }
    }
    for f in files {
        f?.flush()?;
    }
    Ok(())
}

/// Matched alleles between two unordered pairs.
fn best_match(truth: &[String], called: &[String]) -> u64 {
    let s = |a: &String, b: &String| u64::from(a == b);
    (s(&truth[0], &called[0]) + s(&truth[1], &called[1]))
        .max(s(&truth[0], &called[1]) + s(&truth[1], &called[0]))
}

fn pct(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}
