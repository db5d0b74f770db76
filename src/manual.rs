//! `cockpit completions SHELL` and `cockpit man`: both generated from the clap definition
//! (clap_complete, clap_mangen), so they name exactly the commands and flags the binary has.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Command;
use clap_complete::Shell;
use roff::{Roff, bold, roman};

/// The completion script for `shell`. Built in memory: clap_complete panics when its writer
/// fails, and stdout may be a closed pipe.
pub fn completions(cmd: &mut Command, shell: Shell) -> Vec<u8> {
    let name = cmd.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, name, &mut script);
    script
}

/// The `cockpit(1)` page: synopsis, options and commands from clap, then what clap does not
/// know (exit status, environment, files).
pub fn man_page(cmd: Command, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    clap_mangen::Man::new(cmd).render(out)?;
    extra_sections().to_writer(out)
}

/// `cockpit.1` and one page per command (`cockpit-demo.1`, `cockpit-audit-verify.1`, ...) in
/// `dir`, created if missing. Returns the files written.
pub fn man_pages(cmd: Command, dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    // Subcommands carry no version of their own: every page names the program's.
    let source = format!(
        "{} {}",
        cmd.get_name(),
        cmd.get_version().unwrap_or_default()
    );
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        sub_pages(sub.clone(), dir, &source, &mut written)?;
    }
    let top = clap_mangen::Man::new(cmd.clone());
    let path = dir.join(top.get_filename());
    let mut file = std::fs::File::create(&path)?;
    top.render(&mut file)?;
    extra_sections().to_writer(&mut file)?;
    file.flush()?;
    written.push(path);
    Ok(written)
}

fn sub_pages(cmd: Command, dir: &Path, source: &str, written: &mut Vec<PathBuf>) -> io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        sub_pages(sub.clone(), dir, source, written)?;
    }
    let page = clap_mangen::Man::new(cmd).source(source.to_string());
    written.push(page.generate_to(dir)?);
    Ok(())
}

/// The contract's exit codes, environment and files, which no clap attribute describes.
fn extra_sections() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "success"),
        ("1", "runtime failure (audit verify: the log is broken)"),
        (
            "2",
            "bad usage or bad config; the message names the file, line and column",
        ),
    ] {
        r.control("TP", [])
            .text([bold(code)])
            .text([roman(meaning)]);
    }
    r.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in [
        (
            "COCKPIT_CONFIG",
            "the config file, when --config is not given",
        ),
        (
            "GH_TOKEN, GITHUB_TOKEN",
            "the GitHub token (else [github] token_command, else gh auth token)",
        ),
        ("NO_COLOR", "no colours, symbols only"),
        (
            "XDG_CONFIG_HOME, XDG_STATE_HOME",
            "where the config, logs, audit log and palette history live",
        ),
    ] {
        r.control("TP", [])
            .text([bold(name)])
            .text([roman(meaning)]);
    }
    r.control("SH", ["FILES"]);
    for (path, meaning) in [
        (
            "$XDG_CONFIG_HOME/cockpit/cockpit.toml",
            "the config (see docs/config.md)",
        ),
        (
            "$XDG_STATE_HOME/cockpit/logs/cockpit.log.YYYY-MM-DD",
            "the log, daily",
        ),
        (
            "$XDG_STATE_HOME/cockpit/audit.jsonl",
            "the audit log of every mutating action, unless [audit] path is set",
        ),
        (
            "$XDG_STATE_HOME/cockpit/palette_history",
            "commands run from the : palette, newest last",
        ),
    ] {
        r.control("TP", [])
            .text([bold(path)])
            .text([roman(meaning)]);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> Command {
        Command::new("tool")
            .about("does things")
            .subcommand(Command::new("run").about("runs"))
            .subcommand(
                Command::new("audit").subcommand(Command::new("verify").about("checks the log")),
            )
    }

    #[test]
    fn one_page_per_command() {
        let dir = tempfile::tempdir().unwrap();
        let mut names: Vec<String> = man_pages(cli(), dir.path())
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "tool-audit-verify.1",
                "tool-audit.1",
                "tool-run.1",
                "tool.1"
            ]
        );
        let top = std::fs::read_to_string(dir.path().join("tool.1")).unwrap();
        assert!(top.contains(".SH \"EXIT STATUS\""), "{top}");
        let run = std::fs::read_to_string(dir.path().join("tool-run.1")).unwrap();
        assert!(run.contains(".TH tool-run 1  \"tool \""), "{run}");
    }
}
