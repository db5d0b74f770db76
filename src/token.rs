//! Token discovery (contract order): `GH_TOKEN`, `GITHUB_TOKEN`, `[github] token_command`,
//! `gh auth token --hostname HOST`. Only the *source* is ever shown or logged.

use std::process::{Command, Stdio};

#[derive(Clone)]
pub struct Token {
    pub value: String,
    /// e.g. `$GH_TOKEN`, `token_command`, `gh auth token --hostname github.com`.
    pub source: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("source", &self.source)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no GitHub token found; tried: {}. Set GH_TOKEN, set [github] token_command, or run `gh auth login`", tried.join("; "))]
pub struct NoToken {
    pub tried: Vec<String>,
}

/// Finds a token. `env` is injectable so tests need not touch the process environment.
pub fn discover(
    token_command: Option<&str>,
    host: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Token, NoToken> {
    let mut tried = Vec::new();
    for var in ["GH_TOKEN", "GITHUB_TOKEN"] {
        match env(var).map(|v| v.trim().to_string()) {
            Some(v) if !v.is_empty() => {
                return Ok(Token {
                    value: v,
                    source: format!("${var}"),
                });
            }
            _ => tried.push(format!("${var} (unset)")),
        }
    }
    match token_command {
        Some(cmd) => match run_capture("sh", &["-c", cmd]) {
            Ok(v) if !v.is_empty() => {
                return Ok(Token {
                    value: v,
                    source: "[github] token_command".into(),
                });
            }
            Ok(_) => tried.push("[github] token_command (printed nothing)".into()),
            Err(e) => tried.push(format!("[github] token_command ({e})")),
        },
        None => tried.push("[github] token_command (not set)".into()),
    }
    let gh_label = format!("gh auth token --hostname {host}");
    match run_capture("gh", &["auth", "token", "--hostname", host]) {
        Ok(v) if !v.is_empty() => {
            return Ok(Token {
                value: v,
                source: gh_label,
            });
        }
        Ok(_) => tried.push(format!("{gh_label} (no token)")),
        Err(e) => tried.push(format!("{gh_label} ({e})")),
    }
    Err(NoToken { tried })
}

/// Runs a helper command; its stderr is discarded because it may echo secrets.
fn run_capture(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{program} not installed"),
            _ => e.to_string(),
        })?;
    if !out.status.success() {
        return Err(format!("exit status {}", out.status.code().unwrap_or(-1)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn gh_token_wins_over_github_token() {
        let t = discover(
            None,
            "github.com",
            &env_of(&[("GH_TOKEN", "a"), ("GITHUB_TOKEN", "b")]),
        )
        .unwrap();
        assert_eq!((t.value.as_str(), t.source.as_str()), ("a", "$GH_TOKEN"));
        let t = discover(None, "github.com", &env_of(&[("GITHUB_TOKEN", "b")])).unwrap();
        assert_eq!(t.source, "$GITHUB_TOKEN");
    }

    #[test]
    fn token_command_is_used_and_named() {
        let t = discover(Some("echo s3cret"), "github.com", &env_of(&[])).unwrap();
        assert_eq!(t.value, "s3cret");
        assert_eq!(t.source, "[github] token_command");
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn nothing_found_lists_what_was_tried() {
        let e = discover(Some("false"), "ghe.example.com", &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("$GH_TOKEN (unset)"), "{e}");
        assert!(e.contains("token_command (exit status 1)"), "{e}");
        assert!(e.contains("--hostname ghe.example.com"), "{e}");
    }
}
