//! `cockpit completions SHELL` and `cockpit man`, run as the built binary: every shell gets a
//! script naming every command, bash accepts its script, and the man page is roff that names
//! the commands. The commands are read from `cockpit --help`, so a new one is checked too.

use std::path::Path;
use std::process::{Command, Output};

fn cockpit(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(args)
        // Generating text must touch no config, state or log file.
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env_remove("COCKPIT_CONFIG")
        .output()
        .unwrap();
    assert!(
        !dir.path().join("state").exists(),
        "cockpit {args:?} wrote into the state directory"
    );
    out
}

fn stdout_of(args: &[&str]) -> String {
    let out = cockpit(args);
    assert!(
        out.status.success(),
        "cockpit {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The commands `cockpit --help` lists (without `help`).
fn commands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let list = help
        .split("Commands:")
        .nth(1)
        .and_then(|rest| rest.split("\n\n").next())
        .unwrap_or_default();
    let names: Vec<String> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(String::from)
        .collect();
    for known in [
        "demo",
        "status",
        "check-config",
        "audit",
        "completions",
        "man",
    ] {
        assert!(names.iter().any(|n| n == known), "{known} not in {names:?}");
    }
    names
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    let commands = commands();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.len() > 500, "{shell}: {script}");
        for name in &commands {
            assert!(
                script.contains(name.as_str()),
                "{shell} script lacks {name}"
            );
        }
        // Nested commands and global flags too.
        assert!(
            script.contains("verify"),
            "{shell} script lacks audit verify"
        );
        assert!(
            script.contains("read-only"),
            "{shell} script lacks --read-only"
        );
    }
}

#[test]
fn bash_accepts_the_bash_script() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cockpit.bash");
    std::fs::write(&path, stdout_of(&["completions", "bash"])).unwrap();
    let check = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // And sourcing it registers the completion.
    let source = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p cockpit", path.display()))
        .output()
        .unwrap();
    let registered = String::from_utf8_lossy(&source.stdout);
    assert!(registered.contains("_cockpit"), "{registered}");
}

#[test]
fn an_unknown_shell_is_bad_usage() {
    let out = cockpit(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bash") && err.contains("zsh"), "{err}");
}

/// roff escapes `-` as `\-`.
fn roff(name: &str) -> String {
    name.replace('-', "\\-")
}

#[test]
fn the_man_page_is_roff_naming_every_command() {
    let page = stdout_of(&["man"]);
    // clap_mangen's preamble defines the apostrophe string; the page itself starts at .TH.
    let first = page
        .lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or_default();
    assert!(first.starts_with(".TH cockpit 1"), "{first}");
    for section in [
        "NAME",
        "SYNOPSIS",
        "OPTIONS",
        "SUBCOMMANDS",
        "\"EXIT STATUS\"",
        "FILES",
    ] {
        assert!(page.contains(&format!(".SH {section}")), "no {section}");
    }
    for name in commands() {
        assert!(
            page.contains(&format!("cockpit\\-{}(1)", roff(&name))),
            "the man page does not name {name}"
        );
    }
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let listed = stdout_of(&["man", "--dir", out.to_str().unwrap()]);
    let page = |name: &str| out.join(name);
    assert!(page("cockpit.1").is_file());
    assert!(page("cockpit-audit-verify.1").is_file());
    for name in commands() {
        let file = format!("cockpit-{name}.1");
        assert!(page(&file).is_file(), "{file} not written");
        assert!(listed.contains(&file), "{file} not listed: {listed}");
        let text = std::fs::read_to_string(page(&file)).unwrap();
        // Every page names the program and its version, not just the command.
        let version = env!("CARGO_PKG_VERSION");
        assert!(
            text.contains(&format!(".TH cockpit-{name} 1  \"cockpit {version}\"")),
            "{file}: {}",
            text.lines().take(3).collect::<Vec<_>>().join("\n")
        );
    }
    assert!(!Path::new(&out).join("cockpit-help.1").exists());
}
