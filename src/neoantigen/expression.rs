//! Gene and transcript expression tables: `immunoprofile quant` output, salmon `quant.sf`,
//! kallisto `abundance.tsv`, RSEM `*.genes.results` / `*.isoforms.results`. Values are TPM.
//! IDs are matched as written and without Ensembl version suffixes.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::{open_decompressed, read_error};
use crate::peptides::entry::strip_version;

/// Which level a table describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Gene,
    Transcript,
}

/// The tables given, merged by level.
#[derive(Debug, Default, Clone)]
pub struct Expression {
    genes: HashMap<String, f64>,
    transcripts: HashMap<String, f64>,
}

impl Expression {
    /// Reads one table and adds it at the level its header shows.
    ///
    /// # Errors
    /// Unreadable file, unknown layout, non-numeric TPM.
    pub fn add_table(&mut self, path: &Path) -> Result<Level> {
        let (mut r, _) = open_decompressed(path, 1)?;
        let mut header = String::new();
        r.read_line(&mut header).map_err(|e| read_error(path, e))?;
        let cols: Vec<&str> = header.trim_end().split('\t').collect();
        let pos = |n: &str| cols.iter().position(|c| c.eq_ignore_ascii_case(n));
        // (level, id columns, TPM column)
        let (level, ids, tpm) = if let (Some(g), Some(t)) = (pos("gene_id"), pos("tpm")) {
            if let Some(tx) = pos("transcript_id").filter(|&tx| tx == 0) {
                // RSEM isoforms.results: transcript_id first, gene_id second.
                (Level::Transcript, vec![tx], t)
            } else {
                let mut ids = vec![g];
                ids.extend(pos("gene_name"));
                (Level::Gene, ids, t)
            }
        } else if let (Some(n), Some(t)) = (pos("Name"), pos("TPM")) {
            (Level::Transcript, vec![n], t)
        } else if let (Some(n), Some(t)) = (pos("target_id"), pos("tpm")) {
            (Level::Transcript, vec![n], t)
        } else {
            return Err(Error::at_line(
                path,
                1,
                "unknown expression table: expected `immunoprofile quant` (gene_id gene_name length count tpm), salmon quant.sf (Name ... TPM), kallisto abundance.tsv (target_id ... tpm) or RSEM *.results (gene_id/transcript_id ... TPM)",
            ));
        };
        let map = match level {
            Level::Gene => &mut self.genes,
            Level::Transcript => &mut self.transcripts,
        };
        let mut line = String::new();
        let mut no = 1;
        loop {
            line.clear();
            if r.read_line(&mut line).map_err(|e| read_error(path, e))? == 0 {
                break;
            }
            no += 1;
            let f: Vec<&str> = line.trim_end().split('\t').collect();
            if f.len() <= tpm {
                continue;
            }
            let v: f64 = f[tpm].parse().map_err(|_| {
                Error::at_line(path, no, format!("TPM '{}' is not a number", f[tpm]))
            })?;
            for &i in &ids {
                if let Some(id) = f.get(i).filter(|s| !s.is_empty() && **s != "NA") {
                    // Several genes can share a name: keep the larger value, as a reader of names would.
                    let e = map.entry((*id).to_string()).or_insert(v);
                    if i != ids[0] {
                        *e = e.max(v);
                    }
                    let bare = strip_version(id);
                    if bare != *id {
                        map.entry(bare.to_string()).or_insert(v);
                    }
                }
            }
        }
        Ok(level)
    }

    pub fn has_genes(&self) -> bool {
        !self.genes.is_empty()
    }

    pub fn has_transcripts(&self) -> bool {
        !self.transcripts.is_empty()
    }

    /// TPM of the gene, tried by each ID in turn, as written then without version.
    pub fn gene(&self, ids: &[&str]) -> Option<f64> {
        lookup(&self.genes, ids)
    }

    pub fn transcript(&self, id: &str) -> Option<f64> {
        lookup(&self.transcripts, &[id])
    }
}

fn lookup(map: &HashMap<String, f64>, ids: &[&str]) -> Option<f64> {
    ids.iter()
        .filter(|i| !i.is_empty())
        .find_map(|i| map.get(*i).or_else(|| map.get(strip_version(i))).copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn table(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    #[test]
    fn quant_salmon_kallisto_rsem() {
        let mut e = Expression::default();
        let q = table("gene_id\tgene_name\tlength\tcount\ttpm\nENSG1.5\tTP53\t100\t10\t12.5\n");
        assert_eq!(e.add_table(q.path()).unwrap(), Level::Gene);
        assert_eq!(e.gene(&["ENSG1", "x"]), Some(12.5));
        assert_eq!(e.gene(&["", "TP53"]), Some(12.5));
        let s =
            table("Name\tLength\tEffectiveLength\tTPM\tNumReads\nENST1.2\t1000\t800\t3.5\t20\n");
        assert_eq!(e.add_table(s.path()).unwrap(), Level::Transcript);
        assert_eq!(e.transcript("ENST1.7"), Some(3.5));
        let k = table("target_id\tlength\teff_length\test_counts\ttpm\nENST2\t10\t5\t1\t0.5\n");
        e.add_table(k.path()).unwrap();
        assert_eq!(e.transcript("ENST2"), Some(0.5));
        let r = table("transcript_id\tgene_id\tlength\teffective_length\texpected_count\tTPM\tFPKM\nENST3\tENSG3\t1\t1\t1\t7\t1\n");
        assert_eq!(e.add_table(r.path()).unwrap(), Level::Transcript);
        assert_eq!(e.transcript("ENST3"), Some(7.0));
        let bad = table("a\tb\n");
        assert!(e
            .add_table(bad.path())
            .unwrap_err()
            .to_string()
            .contains("unknown expression table"));
    }
}
