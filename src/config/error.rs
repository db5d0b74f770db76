//! Config errors. Parse and validation errors render as `PATH:LINE:COL: message` (1-based),
//! the form editors and terminals link to.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Where a config path came from (see the contract's "Files" section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigOrigin {
    /// `--config PATH`
    Flag,
    /// `$COCKPIT_CONFIG`
    Env,
    /// `<config_dir>/cockpit.toml`
    Default,
}

impl fmt::Display for ConfigOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConfigOrigin::Flag => "given with --config",
            ConfigOrigin::Env => "from $COCKPIT_CONFIG",
            ConfigOrigin::Default => "the default location",
        })
    }
}

/// One located problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No config file where we looked.
    #[error("{}", not_found_message(path, *origin))]
    NotFound { path: PathBuf, origin: ConfigOrigin },

    /// No `--config`, no `$COCKPIT_CONFIG`, and the platform has no config directory.
    #[error(
        "no config file: no --config given, $COCKPIT_CONFIG is not set, and this platform has \
         no config directory (no home directory?); pass `--config PATH`"
    )]
    NoConfigDir,

    /// The file exists but could not be read.
    #[error("{}: cannot read config file: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// TOML syntax error, unknown key, wrong type, bad duration...
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The file parsed but says something impossible. `line`/`column`/`message` are the first
    /// problem (in document order); `more` holds the rest.
    #[error("{}", invalid_message(path, *line, *column, message, more))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
        more: Vec<Diagnostic>,
    },
}

impl ConfigError {
    /// `(line, column)` of a parse or validation error.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            ConfigError::Parse { line, column, .. } | ConfigError::Invalid { line, column, .. } => {
                Some((*line, *column))
            }
            _ => None,
        }
    }

    /// The message of a parse or validation error, without the `PATH:LINE:COL: ` prefix.
    pub fn message(&self) -> Option<&str> {
        match self {
            ConfigError::Parse { message, .. } | ConfigError::Invalid { message, .. } => {
                Some(message)
            }
            _ => None,
        }
    }

    /// Every located problem (one for a parse error, all for a validation error).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ConfigError::Parse {
                line,
                column,
                message,
                ..
            } => vec![Diagnostic {
                line: *line,
                column: *column,
                message: message.clone(),
            }],
            ConfigError::Invalid {
                line,
                column,
                message,
                more,
                ..
            } => {
                let mut all = vec![Diagnostic {
                    line: *line,
                    column: *column,
                    message: message.clone(),
                }];
                all.extend(more.iter().cloned());
                all
            }
            _ => Vec::new(),
        }
    }
}

fn not_found_message(path: &std::path::Path, origin: ConfigOrigin) -> String {
    match origin {
        ConfigOrigin::Default => format!(
            "no config file: looked for {} (no --config given and $COCKPIT_CONFIG is not set); \
             create one with `cockpit init` or pass `--config PATH`",
            path.display()
        ),
        ConfigOrigin::Flag | ConfigOrigin::Env => format!(
            "config file {} not found ({origin}); create one with `cockpit init` or pass an \
             existing file with `--config PATH`",
            path.display()
        ),
    }
}

fn invalid_message(
    path: &std::path::Path,
    line: usize,
    column: usize,
    message: &str,
    more: &[Diagnostic],
) -> String {
    let mut out = format!("{}:{line}:{column}: {message}", path.display());
    for d in more {
        out.push_str(&format!(
            "\n{}:{}:{}: {}",
            path.display(),
            d.line,
            d.column,
            d.message
        ));
    }
    out
}
