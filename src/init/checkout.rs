//! Reading a repository checkout from disk: its top directory and `origin` remote (from git
//! itself, so `insteadOf` rewrites and worktrees behave as they do for git) and its workflow
//! files.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::remote::{RemoteRepo, parse_remote};
use super::scan::WorkflowFile;
use super::{InitError, Starter, starter};

/// The starter config for the checkout containing `dir`. With `repo` (`owner/name`), the
/// remote is not read, and `dir` need not be a git checkout.
pub fn read(dir: &Path, repo: Option<&str>) -> Result<Starter, InitError> {
    let (root, repo, source) = match repo {
        Some(full) => {
            let root = toplevel(dir).unwrap_or_else(|_| dir.to_owned());
            (root, RemoteRepo::from_full_name(full)?, "--repo")
        }
        None => {
            let root = toplevel(dir)?;
            let url = origin_url(&root)?;
            (root, parse_remote(&url)?, "the `origin` remote")
        }
    };
    let files = workflow_files(&root)?;
    Ok(starter(repo, source, &files))
}

/// `git rev-parse --show-toplevel`, so `cockpit init` works from any subdirectory.
pub fn toplevel(dir: &Path) -> Result<PathBuf, InitError> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !out.status.success() {
        return Err(InitError::NotARepository {
            // `.` says nothing in a message; the absolute path does.
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned()),
            detail: stderr_line(&out.stderr),
        });
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// `git remote get-url origin`.
pub fn origin_url(root: &Path) -> Result<String, InitError> {
    let out = git(root, &["remote", "get-url", "origin"])?;
    let url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || url.is_empty() {
        return Err(InitError::NoOrigin {
            root: root.to_owned(),
            detail: stderr_line(&out.stderr),
        });
    }
    Ok(url)
}

/// `.github/workflows/*.yml` and `*.yaml` (GitHub reads no subdirectories), sorted by name.
/// No such directory is no workflows, not an error.
pub fn workflow_files(root: &Path) -> Result<Vec<WorkflowFile>, InitError> {
    let dir = root.join(".github").join("workflows");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(InitError::Read { path: dir, source }),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| InitError::Read {
            path: dir.clone(),
            source,
        })?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) || !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| InitError::Read {
            path: path.clone(),
            source,
        })?;
        files.push(WorkflowFile {
            file: name,
            // Not UTF-8 means not YAML: the scan then reports the file as unreadable.
            text: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    files.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(files)
}

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, InitError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(InitError::Git)
}

fn stderr_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = line.trim();
    if line.is_empty() {
        "git said nothing".into()
    } else {
        format!("git: {line}")
    }
}
