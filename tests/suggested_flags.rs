//! Every `--flag` a message suggests must exist on the stage that can print it (issue 11: tmb,
//! peptides and neoantigens suggested `--allow-mismatch` and then rejected it).
//!
//! The string literals of the modules a stage runs are scanned for `--name` and each name is
//! looked up among the stage's options (and the global ones).

use std::collections::BTreeSet;
use std::path::Path;

use clap::CommandFactory;
use immunoprofile::cli::Cli;

/// `--flags` inside string literals (comment lines skipped).
fn suggested(file: &str) -> BTreeSet<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    // Unit tests pass made-up flags around; only the code above them counts.
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let t = line.trim_start();
        if t.starts_with("//") {
            continue;
        }
        for (i, piece) in line.split('"').enumerate() {
            if i % 2 == 0 {
                continue; // outside a literal
            }
            let bytes = piece.as_bytes();
            let mut k = 0;
            while let Some(p) = piece[k..].find("--") {
                let start = k + p + 2;
                let end = start
                    + bytes[start..]
                        .iter()
                        .take_while(|b| b.is_ascii_lowercase() || **b == b'-')
                        .count();
                let before_ok = k + p == 0 || !bytes[k + p - 1].is_ascii_alphanumeric();
                if before_ok && end > start + 1 {
                    out.insert(piece[start..end].trim_end_matches('-').to_string());
                }
                k = end.max(start);
            }
        }
    }
    out
}

fn flags_of(stage: &str) -> BTreeSet<String> {
    let cmd = Cli::command();
    let mut out: BTreeSet<String> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    let sub = cmd
        .find_subcommand(stage)
        .unwrap_or_else(|| panic!("no subcommand {stage}"));
    out.extend(
        sub.get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string)),
    );
    out.insert("help".into());
    out
}

/// Flags that name other tools' options in messages, not ours: VEP's `--plugin`.
const OTHER_TOOLS: &[&str] = &["plugin"];

#[test]
fn every_flag_a_message_suggests_exists_on_its_stage() {
    let shared_annotation = [
        "src/annotate/model.rs",
        "src/annotate/refcheck.rs",
        "src/annotate/mod.rs",
        "src/io/fasta.rs",
        "src/io/gtf.rs",
    ];
    let cases: &[(&str, &[&str])] = &[
        (
            "tmb",
            &[
                "src/tmb/mod.rs",
                "src/tmb/filters.rs",
                "src/tmb/territory.rs",
                "src/variant/support.rs",
                "src/variant/caller.rs",
                "src/io/vcf.rs",
                "src/cli/tmb.rs",
            ],
        ),
        (
            "annotate",
            &["src/annotate/stage.rs", "src/cli/annotate.rs"],
        ),
        (
            "peptides",
            &[
                "src/peptides/mod.rs",
                "src/peptides/entry.rs",
                "src/cli/peptides.rs",
            ],
        ),
        (
            "neoantigens",
            &[
                "src/neoantigen/mod.rs",
                "src/neoantigen/bam.rs",
                "src/neoantigen/expression.rs",
                "src/io/vcf.rs",
                "src/cli/neoantigens.rs",
            ],
        ),
    ];
    let mut problems = Vec::new();
    for (stage, files) in cases {
        let have = flags_of(stage);
        for file in files.iter().chain(shared_annotation.iter()) {
            for flag in suggested(file) {
                if !have.contains(&flag) && !OTHER_TOOLS.contains(&flag.as_str()) {
                    problems.push(format!("{stage}: {file} suggests --{flag}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
