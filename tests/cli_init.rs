//! `cockpit init` as a user runs it: the real binary in a throw-away git repository holding
//! the shared pipeline (tests/fixtures/init/opticserp), then `cockpit check-config` on what
//! it wrote.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Repo {
    _tmp: tempfile::TempDir,
    /// The checkout.
    root: PathBuf,
    /// Stands in for $HOME's config and state directories.
    home: PathBuf,
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git is installed");
    assert!(out.status.success(), "git {args:?}: {out:?}");
}

/// A git repository with the shared workflows and, if given, an `origin` remote.
fn repo(origin: Option<&str>) -> Repo {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("opticserp");
    let home = tmp.path().join("home");
    let workflows = root.join(".github/workflows");
    std::fs::create_dir_all(&workflows).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/init/opticserp/.github/workflows");
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), workflows.join(entry.file_name())).unwrap();
    }
    git(&root, &["init", "-q"]);
    if let Some(url) = origin {
        git(&root, &["remote", "add", "origin", url]);
    }
    Repo {
        _tmp: tmp,
        root,
        home,
    }
}

fn cockpit(repo: &Repo, cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        .current_dir(cwd)
        .env("XDG_CONFIG_HOME", repo.home.join("config"))
        .env("XDG_STATE_HOME", repo.home.join("state"))
        .env("HOME", &repo.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("COCKPIT_CONFIG")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn writes_the_config_then_check_config_accepts_it() {
    let repo = repo(Some("git@github.com:optics/opticserp.git"));
    let config = repo.root.join("cockpit.toml");
    let out = cockpit(&repo, &repo.root, &["--config", "cockpit.toml", "init"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("wrote cockpit.toml"), "{stdout}");
    assert!(
        stdout.contains("repo optics/opticserp, 4 workflow(s), 2 environment(s): staging, production (protected: production)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("then run `cockpit check-config --config cockpit.toml`"),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.contains("name = \"optics/opticserp\""));
    assert!(written.contains("\"deploy-production.yml\","));

    let check = cockpit(
        &repo,
        &repo.root,
        &["--config", "cockpit.toml", "check-config"],
    );
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let summary = text(&check.stdout);
    for want in ["optics/opticserp", "staging", "production"] {
        assert!(summary.contains(want), "{want} missing from\n{summary}");
    }
}

#[test]
fn refuses_to_overwrite_and_changes_nothing() {
    let repo = repo(Some("https://github.com/optics/opticserp.git"));
    let config = repo.root.join("cockpit.toml");
    std::fs::write(&config, "# my own config\n").unwrap();
    let out = cockpit(&repo, &repo.root, &["--config", "cockpit.toml", "init"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("cockpit.toml already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "# my own config\n"
    );
}

#[test]
fn force_replaces_an_existing_file() {
    let repo = repo(Some("https://github.com/optics/opticserp.git"));
    let config = repo.root.join("cockpit.toml");
    std::fs::write(&config, "# my own config\n").unwrap();
    let out = cockpit(
        &repo,
        &repo.root,
        &["--config", "cockpit.toml", "init", "--force"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).starts_with("replaced cockpit.toml"));
    let written = std::fs::read_to_string(&config).unwrap();
    assert!(written.starts_with("# cockpit config for optics/opticserp"));
}

#[test]
fn print_writes_to_stdout_only() {
    let repo = repo(Some("git@github.com:optics/opticserp.git"));
    let out = cockpit(&repo, &repo.root, &["init", "--print"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("# cockpit config for optics/opticserp"));
    assert!(stdout.contains("[[environment]]\nname = \"production\""));
    // Progress went to stderr, so the output is the config alone...
    assert!(text(&out.stderr).contains("repo optics/opticserp"));
    // ...and nothing was written to the default location.
    assert!(!repo.home.join("config/cockpit/cockpit.toml").exists());
    // What was printed is a config check-config accepts.
    let saved = repo.home.join("printed.toml");
    std::fs::write(&saved, &stdout).unwrap();
    let check = cockpit(
        &repo,
        &repo.root,
        &["--config", saved.to_str().unwrap(), "check-config"],
    );
    assert_eq!(check.status.code(), Some(0), "{check:?}");
}

#[test]
fn default_location_from_a_subdirectory_then_plain_check_config() {
    let repo = repo(Some("ssh://git@ssh.github.com:443/optics/opticserp.git"));
    let sub = repo.root.join(".github/workflows");
    let out = cockpit(&repo, &sub, &["init"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let default = repo.home.join("config/cockpit/cockpit.toml");
    assert!(default.exists(), "{out:?}");
    assert!(text(&out.stdout).contains("then run `cockpit check-config`"));
    let check = cockpit(&repo, &repo.root, &["check-config"]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
}

#[test]
fn cockpit_config_env_names_where_to_write() {
    let repo = repo(Some("git@github.com:optics/opticserp.git"));
    let target = repo.home.join("elsewhere/cockpit.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["init", "--dir"])
        .arg(&repo.root)
        .env("COCKPIT_CONFIG", &target)
        .env("XDG_CONFIG_HOME", repo.home.join("config"))
        .env("XDG_STATE_HOME", repo.home.join("state"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(target.exists());
    assert!(!repo.home.join("config/cockpit/cockpit.toml").exists());
}

#[test]
fn outside_a_git_repository_is_a_usage_error() {
    let repo = repo(None);
    let out = cockpit(&repo, &repo.home, &["init", "--print"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("is not inside a git repository"),
        "{stderr}"
    );
    assert!(stdout_is_empty(&out));
}

#[test]
fn no_origin_is_a_usage_error_unless_repo_is_given() {
    let repo = repo(None);
    let out = cockpit(&repo, &repo.root, &["init", "--print"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("has no `origin` remote"), "{stderr}");
    assert!(stderr.contains("--repo OWNER/NAME"), "{stderr}");
    assert!(stdout_is_empty(&out));

    let out = cockpit(
        &repo,
        &repo.root,
        &["init", "--print", "--repo", "optics/opticserp"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).contains("name = \"optics/opticserp\"   # from --repo"));
}

#[test]
fn a_remote_that_is_not_github_is_a_usage_error_without_its_credentials() {
    let repo = repo(Some(
        "https://oauth2:glpat-SECRET@gitlab.example.com/group/sub/shop.git",
    ));
    let out = cockpit(&repo, &repo.root, &["init", "--print"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is not a GitHub repository"), "{stderr}");
    assert!(!stderr.contains("SECRET"), "{stderr}");
}

fn stdout_is_empty(out: &Output) -> bool {
    out.stdout.is_empty()
}
