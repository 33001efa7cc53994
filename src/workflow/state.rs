//! `OUT/SAMPLE/manifest.json`: what each stage last did for the sample (command, inputs and
//! outputs with checksums, version, status, wall time), and whether a stage is up to date.
//!
//! The file is rewritten atomically after every stage, so a run killed at any point leaves
//! either the old record or the new one; a stage is up to date only if its record says `ok` and
//! its outputs still have the recorded checksums.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::output::json_file;
use crate::report::tables::sha256_file;

pub const SCHEMA_VERSION: u32 = 1;
pub const FILE_NAME: &str = "manifest.json";

/// A file with its checksum. `bytes` and `mtime_ns` let a re-run reuse the checksum of a file
/// that was not touched, so checking a large BAM costs a `stat`, not a read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    pub bytes: u64,
    pub mtime_ns: u128,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StageRecord {
    pub stage: String,
    /// `ok` or `failed`.
    pub status: String,
    pub version: String,
    /// The equivalent command line (without the program name).
    pub command: Vec<String>,
    /// The stage's typed parameters (the manifest's `[params.STAGE]`, defaults and inputs).
    pub params: BTreeMap<String, serde_json::Value>,
    pub inputs: Vec<FileRecord>,
    pub outputs: Vec<FileRecord>,
    pub wall_seconds: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `report`: SHA-256 of the cohort it placed the sample against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohort_sha256: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SampleState {
    pub schema_version: u32,
    pub sample: String,
    pub stages: BTreeMap<String, StageRecord>,
}

fn stat(path: &Path) -> Result<(u64, u128)> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Ok((meta.len(), mtime))
}

/// A file's record, reusing `known`'s checksum when size and modification time match.
///
/// # Errors
/// The file cannot be read.
pub fn record_file(path: &Path, known: Option<&FileRecord>) -> Result<FileRecord> {
    let (bytes, mtime_ns) = stat(path)?;
    let text = path.to_string_lossy().into_owned();
    if let Some(k) = known.filter(|k| k.path == text && k.bytes == bytes && k.mtime_ns == mtime_ns)
    {
        return Ok(k.clone());
    }
    Ok(FileRecord {
        path: text,
        bytes,
        mtime_ns,
        sha256: sha256_file(path)?,
    })
}

impl SampleState {
    /// The state in `dir`, or an empty one. An unreadable or foreign file is ignored (every stage
    /// then counts as never run), since it only ever saves work.
    pub fn load(dir: &Path, sample: &str) -> Self {
        std::fs::read_to_string(dir.join(FILE_NAME))
            .ok()
            .and_then(|t| serde_json::from_str::<SampleState>(&t).ok())
            .filter(|s| s.schema_version == SCHEMA_VERSION && s.sample == sample)
            .unwrap_or_else(|| SampleState {
                schema_version: SCHEMA_VERSION,
                sample: sample.to_string(),
                stages: BTreeMap::new(),
            })
    }

    /// # Errors
    /// The file cannot be written.
    pub fn save(&self, dir: &Path) -> Result<()> {
        json_file(dir.join(FILE_NAME), self)?.commit().map(|_| ())
    }

    /// `None` when the stage is up to date; else why it must run.
    ///
    /// # Errors
    /// An input cannot be read.
    pub fn outdated(
        &self,
        stage: &str,
        command: &[String],
        inputs: &[PathBuf],
        outputs: &[PathBuf],
        cohort_sha256: Option<&str>,
    ) -> Result<Option<String>> {
        let Some(rec) = self.stages.get(stage) else {
            return Ok(Some("never run".into()));
        };
        if rec.status != "ok" {
            return Ok(Some(format!("last run {}", rec.status)));
        }
        if rec.version != crate::VERSION {
            return Ok(Some(format!(
                "made by version {}, this is {}",
                rec.version,
                crate::VERSION
            )));
        }
        if rec.command != command {
            return Ok(Some("parameters or inputs changed".into()));
        }
        if rec.cohort_sha256.as_deref() != cohort_sha256 {
            return Ok(Some("the cohort changed".into()));
        }
        if rec.inputs.len() != inputs.len() {
            return Ok(Some("inputs changed".into()));
        }
        for (old, path) in rec.inputs.iter().zip(inputs) {
            if !path.is_file() {
                return Ok(Some(format!("input {} is missing", path.display())));
            }
            if record_file(path, Some(old))?.sha256 != old.sha256 {
                return Ok(Some(format!("input {} changed", path.display())));
            }
        }
        for path in outputs {
            let text = path.to_string_lossy();
            let Some(old) = rec.outputs.iter().find(|o| o.path == text) else {
                return Ok(Some(format!("output {} not recorded", path.display())));
            };
            if !path.is_file() {
                return Ok(Some(format!("output {} is missing", path.display())));
            }
            if record_file(path, Some(old))?.sha256 != old.sha256 {
                return Ok(Some(format!("output {} was modified", path.display())));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_input_or_output_makes_the_stage_outdated() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        let output = dir.path().join("out.txt");
        std::fs::write(&input, "a").unwrap();
        std::fs::write(&output, "b").unwrap();
        let cmd = vec!["tmb".to_string()];
        let (ins, outs) = (vec![input.clone()], vec![output.clone()]);
        let mut st = SampleState::load(dir.path(), "S");
        assert_eq!(
            st.outdated("tmb", &cmd, &ins, &outs, None)
                .unwrap()
                .as_deref(),
            Some("never run")
        );
        st.stages.insert(
            "tmb".into(),
            StageRecord {
                stage: "tmb".into(),
                status: "ok".into(),
                version: crate::VERSION.into(),
                command: cmd.clone(),
                params: BTreeMap::new(),
                inputs: vec![record_file(&input, None).unwrap()],
                outputs: vec![record_file(&output, None).unwrap()],
                wall_seconds: 0.0,
                error: None,
                cohort_sha256: None,
            },
        );
        st.save(dir.path()).unwrap();
        let st = SampleState::load(dir.path(), "S");
        assert_eq!(st.outdated("tmb", &cmd, &ins, &outs, None).unwrap(), None);
        let other = vec!["tmb".to_string(), "--min-depth".into(), "5".into()];
        assert!(st
            .outdated("tmb", &other, &ins, &outs, None)
            .unwrap()
            .is_some());
        std::fs::write(&output, "changed").unwrap();
        assert!(st
            .outdated("tmb", &cmd, &ins, &outs, None)
            .unwrap()
            .unwrap()
            .contains("modified"));
        std::fs::write(&output, "b").unwrap();
        std::fs::write(&input, "z").unwrap();
        assert!(st
            .outdated("tmb", &cmd, &ins, &outs, None)
            .unwrap()
            .unwrap()
            .contains("changed"));
    }
}
