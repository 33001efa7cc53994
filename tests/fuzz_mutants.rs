//! The fuzz targets on stable Rust (issue 11): a bounded, deterministic mutation driver. Every
//! target of `fuzz/targets.rs` (the bodies the nightly `cargo fuzz` binaries run) is called on
//! seeded mutants of the project's own test files (bit flips, byte insertions and deletions,
//! truncation, splicing two inputs, CRLF line ends, repeated chunks, huge numbers), asserting no
//! panic. A share of the VCF/BCF and GTF mutants also goes through the CLI (`tmb`, `annotate`),
//! asserting exit 0 or 1 (never 2 or a signal), an error of at most three lines naming the file,
//! and no output left behind on failure.
//!
//! `IMMUNOPROFILE_FUZZ_CASES` (library-level mutants, all targets together; default 400),
//! `IMMUNOPROFILE_FUZZ_CLI_CASES` (default 30) and `IMMUNOPROFILE_FUZZ_SEED` set the bounds; CI
//! runs 10,000 and 300. A failing mutant is saved under the target directory and named in the
//! failure, to be replayed or added to `tests/bad_inputs/`.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::io::Read;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// splitmix64: a small deterministic generator (the mutants must be the same on every machine).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// The decompressed bytes of a gzip/bgzip file (whole members), else the file as it is.
fn decompressed(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return None;
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// Seeds per target: the project's own test files of that format, compressed ones also
/// decompressed (so mutations reach the parser, not only the decompressor), each cut to 24 kB.
fn seeds() -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let mut all = Vec::new();
    files(&root().join("test-data"), &mut all);
    files(&root().join("tests/bad_inputs"), &mut all);
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let read = |p: &Path| {
        let b = std::fs::read(p).unwrap_or_default();
        let mut v = vec![b.clone()];
        if let Some(d) = decompressed(&b) {
            v.push(d);
        }
        v.into_iter()
            .map(|mut x| {
                x.truncate(24_000);
                x
            })
            .collect::<Vec<_>>()
    };
    let with = |pred: &dyn Fn(&str) -> bool| -> Vec<Vec<u8>> {
        all.iter()
            .filter(|p| pred(&name(p)) && std::fs::metadata(p).is_ok_and(|m| m.len() < 400_000))
            .flat_map(|p| read(p))
            .collect()
    };
    let vcfs = with(&|n| n.contains(".vcf") || n.ends_with(".bcf"));
    // Data lines (and a few header lines) of the text VCFs for the record parser.
    let mut lines: Vec<Vec<u8>> = vcfs
        .iter()
        .filter(|v| v.starts_with(b"##"))
        .flat_map(|v| {
            v.split(|&b| b == b'\n')
                .filter(|l| !l.starts_with(b"##"))
                .take(40)
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect();
    lines.dedup();
    let fasta: Vec<Vec<u8>> = all
        .iter()
        .filter(|p| {
            let n = name(p);
            (n.ends_with(".fa") || n.ends_with(".fa.gz"))
                && std::fs::metadata(p).is_ok_and(|m| m.len() < 400_000)
        })
        .flat_map(|p| {
            let fai = std::fs::read(p.with_extension("fa.fai")).ok();
            read(p).into_iter().map(move |mut seq| {
                if let Some(fai) = &fai {
                    seq.push(0);
                    seq.extend_from_slice(fai);
                }
                seq
            })
        })
        .collect();
    let mut alleles = with(&|n| n.starts_with("alleles_"));
    for s in [
        "HLA-A*02:01,HLA-B*07:02",
        "HLA-A*02:01;HLA-B*07:02|HLA-C*07:01 HLA-A*01:01N",
        "A*02:01:01:02L, B*57:01",
        "HLA-DRB1*15:01,HLA-DQA1*01:02-DQB1*06:02",
    ] {
        alleles.push(s.as_bytes().to_vec());
    }
    let expression = with(&|n| {
        n.ends_with(".featureCounts.txt") || n.ends_with("quant.tsv") || n.ends_with(".sf")
    });
    let mut manifest = std::fs::read(root().join("workflows/demo.toml")).unwrap();
    manifest.push(0);
    manifest.extend(std::fs::read(root().join("workflows/demo_samples.csv")).unwrap());
    vec![
        ("vcf_record", lines),
        ("vcf_file", vcfs),
        ("gtf", with(&|n| n.contains(".gtf"))),
        ("bed", with(&|n| n.ends_with(".bed"))),
        ("fasta", fasta),
        ("alleles", alleles),
        ("expression", expression),
        ("manifest", vec![manifest]),
    ]
}

const INTERESTING: &[u8] = b"\0\xff\t\n\r,;=:.|-9<>*[]\"#";

/// One to four stacked mutations of `seed`; `other` is a second input of the same format.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let n = d.len();
        match rng.below(10) {
            0 if n > 0 => {
                let i = rng.below(n);
                d[i] ^= 1 << rng.below(8);
            }
            1 if n > 0 => {
                let i = rng.below(n);
                d[i] = INTERESTING[rng.below(INTERESTING.len())];
            }
            2 => {
                let i = rng.below(n + 1);
                let b = if rng.below(2) == 0 {
                    INTERESTING[rng.below(INTERESTING.len())]
                } else {
                    rng.next() as u8
                };
                d.insert(i, b);
            }
            3 if n > 0 => {
                let i = rng.below(n);
                let len = 1 + rng.below(16.min(n - i));
                d.drain(i..i + len);
            }
            4 => d.truncate(rng.below(n + 1)),
            5 => {
                // Splice: a prefix of this input and a suffix of the other.
                let cut = rng.below(n + 1);
                let from = rng.below(other.len() + 1);
                d.truncate(cut);
                d.extend_from_slice(&other[from..]);
            }
            6 => {
                let mut crlf = Vec::with_capacity(n + n / 20);
                for &b in &d {
                    if b == b'\n' {
                        crlf.push(b'\r');
                    }
                    crlf.push(b);
                }
                d = crlf;
            }
            7 if n > 0 => {
                // Repeat a chunk (duplicated lines, fields, records).
                let i = rng.below(n);
                let len = 1 + rng.below(64.min(n - i));
                let chunk = d[i..i + len].to_vec();
                let at = rng.below(n + 1);
                d.splice(at..at, chunk);
            }
            8 if n > 0 => {
                // A digit run replaced by a huge or negative number.
                let i = rng.below(n);
                if let Some(j) = d[i..].iter().position(u8::is_ascii_digit) {
                    let at = i + j;
                    let end = d[at..]
                        .iter()
                        .position(|b| !b.is_ascii_digit())
                        .map_or(d.len(), |k| at + k);
                    let big: &[u8] = match rng.below(4) {
                        0 => b"18446744073709551616",
                        1 => b"-1",
                        2 => b"4294967296",
                        _ => b"99999999999999999999999999",
                    };
                    d.splice(at..end, big.iter().copied());
                }
            }
            _ if n > 0 => {
                // A byte run of one interesting value (long lines, NUL blocks).
                let i = rng.below(n);
                let b = INTERESTING[rng.below(INTERESTING.len())];
                let len = 1 + rng.below(300);
                d.splice(i..i, std::iter::repeat_n(b, len));
            }
            _ => d.push(rng.next() as u8),
        }
    }
    d
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn failures_dir() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn every_target_survives_seeded_mutants() {
    let cases = env_count("IMMUNOPROFILE_FUZZ_CASES", 400);
    let seed = env_count("IMMUNOPROFILE_FUZZ_SEED", 11) as u64;
    let seeds = seeds();
    let bodies: std::collections::BTreeMap<&str, targets::Body> =
        targets::TARGETS.iter().copied().collect();
    assert_eq!(bodies.len(), seeds.len(), "a target without seeds");
    for (name, s) in &seeds {
        assert!(!s.is_empty(), "{name}: no seed files found");
        assert!(bodies.contains_key(name), "{name}: not a target");
    }
    // A dependency panic caught inside the library is fine (it becomes an error there); any
    // other panic is remembered for the report and kept quiet here.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        if !immunoprofile::io::panic_is_caught() {
            *PANIC_MESSAGE.lock().unwrap() = Some(info.to_string());
        }
    }));
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut slowest = (std::time::Duration::ZERO, String::new());
    let mut per_target = std::collections::BTreeMap::<&str, (usize, std::time::Duration)>::new();
    for case in 0..cases {
        let (name, inputs) = &seeds[case % seeds.len()];
        let a = &inputs[rng.below(inputs.len())];
        let b = &inputs[rng.below(inputs.len())];
        let mutant = mutate(&mut rng, a, b);
        let body = bodies[name];
        let start = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| body(&mutant)));
        let took = start.elapsed();
        let t = per_target.entry(name).or_default();
        t.0 += 1;
        t.1 += took;
        if took > slowest.0 {
            slowest = (took, format!("{name} case {case}"));
            std::fs::write(failures_dir().join("slowest.bin"), &mutant).unwrap();
        }
        if outcome.is_err() {
            let file = failures_dir().join(format!("{name}-seed{seed}-case{case}.bin"));
            std::fs::write(&file, &mutant).unwrap();
            let message = PANIC_MESSAGE.lock().unwrap().take().unwrap_or_default();
            failures.push(format!("{name}: panic on {}: {message}", file.display()));
        }
    }
    std::panic::set_hook(previous);
    eprintln!("fuzz_mutants: {cases} mutants (seed {seed}): {per_target:?}; slowest {slowest:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn cli_fails_cleanly_on_seeded_mutants() {
    let cases = env_count("IMMUNOPROFILE_FUZZ_CLI_CASES", 30);
    let seed = env_count("IMMUNOPROFILE_FUZZ_SEED", 11) as u64 ^ 0xC11;
    let seeds = seeds();
    let get = |n: &str| seeds.iter().find(|(name, _)| *name == n).unwrap().1.clone();
    let (vcfs, gtfs) = (get("vcf_file"), get("gtf"));
    let demo = root().join("test-data/demo");
    let mut rng = Rng(seed);
    let mut failures = Vec::new();
    let mut exits = std::collections::BTreeMap::<String, usize>::new();
    for case in 0..cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out").join("S");
        // Two thirds VCF/BCF through tmb, one third GTF through annotate.
        let (file, args): (PathBuf, Vec<String>) = if case % 3 < 2 {
            let (a, b) = (rng.below(vcfs.len()), rng.below(vcfs.len()));
            let m = mutate(&mut rng, &vcfs[a], &vcfs[b]);
            let f = dir.path().join(format!("mutant{case}.vcf"));
            std::fs::write(&f, &m).unwrap();
            let args = format!(
                "tmb --vcf {} --effective-size 1000000 --count all -o {}",
                f.display(),
                out.display()
            );
            (f, args.split(' ').map(str::to_string).collect())
        } else {
            let (a, b) = (rng.below(gtfs.len()), rng.below(gtfs.len()));
            let m = mutate(&mut rng, &gtfs[a], &gtfs[b]);
            let f = dir.path().join(format!("mutant{case}.gtf"));
            std::fs::write(&f, &m).unwrap();
            let args = format!(
                "annotate --vcf {} --gtf {} --fasta {} -o {}",
                demo.join("tumour_hot.somatic.vcf").display(),
                f.display(),
                demo.join("genome.fa").display(),
                out.display()
            );
            (f, args.split(' ').map(str::to_string).collect())
        };
        let o = Command::new(env!("CARGO_BIN_EXE_immunoprofile"))
            .args(&args)
            .env("IMMUNOPROFILE_LOG", "error")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        let code = o.status.code();
        *exits.entry(format!("{code:?}")).or_default() += 1;
        let keep = |why: &str| {
            let saved = failures_dir().join(file.file_name().unwrap());
            std::fs::copy(&file, &saved).unwrap();
            format!("{} ({}): {why}: {stderr}", saved.display(), args[0])
        };
        match code {
            Some(0) => {}
            Some(1) => {
                let error: Vec<&str> = stderr
                    .lines()
                    .skip_while(|l| !l.starts_with("immunoprofile: error"))
                    .collect();
                let file_name = file.file_name().unwrap().to_string_lossy();
                if error.is_empty() || error.len() > 3 {
                    failures.push(keep(&format!("error of {} lines", error.len())));
                } else if !error.join(" ").contains(file_name.as_ref()) {
                    failures.push(keep("the error does not name the file"));
                }
                let mut left = Vec::new();
                files(&dir.path().join("out"), &mut left);
                if !left.is_empty() {
                    failures.push(keep(&format!("output left behind: {left:?}")));
                }
            }
            _ => failures.push(keep(&format!("exit {code:?}"))),
        }
    }
    eprintln!("fuzz_mutants CLI: {cases} runs, exit codes {exits:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
