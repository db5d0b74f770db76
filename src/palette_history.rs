//! The palette's command history: what was run, oldest first, kept across sessions in
//! `<state_dir>/palette_history` (one command a line). `update` only changes the list; the
//! file is read at start-up and written by an effect.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Commands kept; older ones fall off.
pub const CAP: usize = 200;

/// The file name inside `<state_dir>`.
pub const FILE_NAME: &str = "palette_history";

/// `<state_dir>/palette_history`, if the platform has a state directory.
pub fn default_path() -> Option<PathBuf> {
    crate::config::state_dir().map(|dir| dir.join(FILE_NAME))
}

/// Adds a command that ran: trimmed, not twice in a row, at most [`CAP`] kept.
pub fn push(history: &mut Vec<String>, line: &str) {
    let line = line.trim();
    if line.is_empty() || history.last().is_some_and(|last| last == line) {
        return;
    }
    history.push(line.to_string());
    if history.len() > CAP {
        let excess = history.len() - CAP;
        history.drain(..excess);
    }
}

/// The saved history; none yet (no file) is an empty one.
pub fn load(path: &Path) -> io::Result<Vec<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut history = Vec::new();
    for line in text.lines() {
        push(&mut history, line);
    }
    Ok(history)
}

/// Replaces the file with `lines`. Written beside it and renamed over it, so a crash or a
/// full disk never leaves half a history.
pub fn save(path: &Path, lines: &[String]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    for line in lines {
        writeln!(file, "{line}")?;
    }
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_skips_blanks_and_repeats_and_keeps_the_newest() {
        let mut h = Vec::new();
        for line in ["logs 1", " logs 1 ", "", "watch staging", "logs 1"] {
            push(&mut h, line);
        }
        assert_eq!(h, ["logs 1", "watch staging", "logs 1"]);
        for i in 0..CAP + 5 {
            push(&mut h, &format!("logs {i}"));
        }
        assert_eq!(h.len(), CAP);
        assert_eq!(h.first().map(String::as_str), Some("logs 5"));
        assert_eq!(h.last().cloned(), Some(format!("logs {}", CAP + 4)));
    }

    #[test]
    fn saves_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/cockpit").join(FILE_NAME);
        assert_eq!(load(&path).unwrap(), Vec::<String>::new());
        let lines = vec!["watch production".to_string(), "logs 9004".to_string()];
        save(&path, &lines).unwrap();
        assert_eq!(load(&path).unwrap(), lines);
        assert!(!path.with_extension("tmp").exists());
    }

    #[test]
    fn an_unwritable_place_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        assert!(save(&blocker.join(FILE_NAME), &["x".into()]).is_err());
    }
}
