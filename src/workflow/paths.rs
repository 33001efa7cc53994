//! How the runner writes paths on the command lines it builds. Stage JSON outputs record their
//! input paths as given, so `run`, Snakemake and Nextflow must spell them the same way: a path
//! from the manifest or samplesheet is taken relative to that file's folder, normalised
//! lexically, and written relative to the current directory when it lies under it (absolute
//! otherwise). `workflows/snakemake/Snakefile` applies the same rule (`os.path.normpath`,
//! `os.path.relpath`).

use std::path::{Component, Path, PathBuf};

/// Removes `.` and folds `..` without touching the file system (like Python's
/// `os.path.normpath`).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    normalize(&if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    })
}

/// `value` (from a file in folder `base`) as the runner writes it on a command line.
pub fn resolve(base: &Path, value: &str) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    resolve_from(base, value, &cwd)
}

/// [`resolve`] against an explicit current directory.
pub fn resolve_from(base: &Path, value: &str, cwd: &Path) -> PathBuf {
    let full = absolute(&absolute(base, cwd).join(value), cwd);
    match full.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_the_manifest_then_to_the_working_directory() {
        let cwd = Path::new("/repo");
        assert_eq!(
            resolve_from(Path::new("workflows"), "../test-data/tmb/a.vcf", cwd),
            PathBuf::from("test-data/tmb/a.vcf")
        );
        assert_eq!(
            resolve_from(Path::new("/repo/workflows"), "./x/../b.bed", cwd),
            PathBuf::from("workflows/b.bed")
        );
        assert_eq!(
            resolve_from(Path::new("workflows"), "/data/c.bam", cwd),
            PathBuf::from("/data/c.bam")
        );
        assert_eq!(
            resolve_from(Path::new(".."), "out", cwd),
            PathBuf::from("/out")
        );
        assert_eq!(resolve_from(Path::new(""), ".", cwd), PathBuf::from("."));
    }
}
