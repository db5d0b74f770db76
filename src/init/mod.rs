//! `cockpit init`: a commented starter config from a repository's GitHub Actions workflows.
//!
//! The core is pure: a repository (from the `origin` remote's URL) and the workflow files'
//! texts go in, TOML text comes out ([`starter`], [`render`]), so every case is testable
//! without git. [`checkout`] reads the repository from disk and [`write`] puts the result
//! where cockpit will read it; `main.rs` only wires them to the command line.

pub mod checkout;
pub mod envs;
mod expr_values;
pub mod remote;
pub mod render;
pub mod scan;
pub mod write;

use std::path::PathBuf;

pub use envs::{Environment, Stage};
pub use remote::{RemoteRepo, parse_remote};
pub use render::render;
pub use scan::{ScannedWorkflow, WorkflowFile};

/// Everything the starter config says, before it is written out as TOML.
#[derive(Debug, Clone, PartialEq)]
pub struct Starter {
    pub repo: RemoteRepo,
    /// Where the repository came from, for the comment next to its name
    /// (`the origin remote`, `--repo`).
    pub repo_source: String,
    /// Every workflow file, sorted by file name.
    pub workflows: Vec<ScannedWorkflow>,
    pub environments: Vec<Environment>,
}

impl Starter {
    /// The files listed in `[[repo]] workflows`: the readable ones that have runs of their
    /// own (a reusable workflow's jobs run inside its callers' runs).
    pub fn watched(&self) -> impl Iterator<Item = &ScannedWorkflow> {
        self.workflows
            .iter()
            .filter(|w| w.unreadable.is_none() && !w.reusable_only())
    }

    /// One line for the terminal: what was found.
    pub fn summary(&self) -> String {
        let protected: Vec<&str> = self
            .environments
            .iter()
            .filter(|e| e.protected)
            .map(|e| e.name.as_str())
            .collect();
        let envs: Vec<&str> = self.environments.iter().map(|e| e.name.as_str()).collect();
        let mut s = format!(
            "repo {}, {} workflow(s), {} environment(s)",
            self.repo.full_name(),
            self.watched().count(),
            envs.len()
        );
        if !envs.is_empty() {
            s.push_str(&format!(": {}", envs.join(", ")));
        }
        if !protected.is_empty() {
            s.push_str(&format!(" (protected: {})", protected.join(", ")));
        }
        s
    }

    /// Files that could not be read, with why: worth telling the user on stderr too.
    pub fn unreadable(&self) -> impl Iterator<Item = (&str, &str)> {
        self.workflows
            .iter()
            .filter_map(|w| Some((w.file.as_str(), w.unreadable.as_deref()?)))
    }
}

/// The starter config for `repo` from `files` (in any order; they are sorted by name).
pub fn starter(repo: RemoteRepo, repo_source: &str, files: &[WorkflowFile]) -> Starter {
    let mut workflows: Vec<ScannedWorkflow> = files.iter().map(scan::scan).collect();
    workflows.sort_by(|a, b| a.file.cmp(&b.file));
    let environments = envs::collect(&workflows);
    Starter {
        repo,
        repo_source: repo_source.to_owned(),
        workflows,
        environments,
    }
}

/// [`render`], then the same parsing and validation as `cockpit check-config`: a starter
/// config that would not load is a bug, reported instead of written. `path` is only named in
/// the error.
pub fn render_checked(s: &Starter, path: &std::path::Path) -> Result<String, InitError> {
    let text = render(s);
    crate::config::parse_str(&text, path).map_err(|e| InitError::Generated(e.to_string()))?;
    Ok(text)
}

/// `remote_url` (as `git remote get-url origin` prints it) and the workflow files → the
/// commented TOML text.
pub fn generate(remote_url: &str, files: &[WorkflowFile]) -> Result<String, InitError> {
    let repo = parse_remote(remote_url)?;
    Ok(render(&starter(repo, "the `origin` remote", files)))
}

/// Why `cockpit init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("remote URL {url:?} is not a GitHub repository: {why}; pass --repo OWNER/NAME")]
    BadRemote { url: String, why: String },
    #[error("--repo {value:?}: {why}")]
    BadRepo { value: String, why: String },
    #[error(
        "{} is not inside a git repository ({detail}): run `cockpit init` in your \
         repository's checkout, or pass --dir PATH",
        dir.display()
    )]
    NotARepository { dir: PathBuf, detail: String },
    #[error(
        "the repository at {} has no `origin` remote ({detail}): add one with \
         `git remote add origin URL`, or pass --repo OWNER/NAME",
        root.display()
    )]
    NoOrigin { root: PathBuf, detail: String },
    #[error("running git: {0}")]
    Git(#[source] std::io::Error),
    #[error("reading {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} already exists; nothing was changed. Pass --force to replace it, or --print to \
         see the starter config without writing it",
        path.display()
    )]
    Exists { path: PathBuf },
    #[error("no config directory on this platform: pass --config PATH, or --print")]
    NoConfigPath,
    #[error("writing {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A bug: what init wrote would not pass `check-config`.
    #[error("the generated config does not pass check-config (a bug in cockpit init): {0}")]
    Generated(String),
}

impl InitError {
    /// Errors the user fixes by changing their input or their checkout (exit code 2); the
    /// rest are runtime failures (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            InitError::BadRemote { .. }
                | InitError::BadRepo { .. }
                | InitError::NotARepository { .. }
                | InitError::NoOrigin { .. }
                | InitError::Exists { .. }
                | InitError::NoConfigPath
        )
    }
}
