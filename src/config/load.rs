//! Finding, reading, parsing and validating the config file.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::{ConfigError, ConfigOrigin, Diagnostic};
use super::schema::Config;
use super::spans::{SpanIndex, line_col};
use super::validate;

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "COCKPIT_CONFIG";

/// The config file's name inside the config directory.
pub const CONFIG_FILE_NAME: &str = "cockpit.toml";

/// `<config_dir>`: `ProjectDirs::from("dev", "cockpit", "cockpit")`'s `config_dir()`
/// (on Linux `$XDG_CONFIG_HOME/cockpit`). `None` when the platform has no home directory.
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "cockpit", "cockpit").map(|d| d.config_dir().to_owned())
}

/// `<config_dir>/cockpit.toml`, where `cockpit init` writes by default.
pub fn default_path() -> Option<PathBuf> {
    config_dir().map(|dir| dir.join(CONFIG_FILE_NAME))
}

/// `<state_dir>` (on Linux `$XDG_STATE_HOME/cockpit`), or `data_dir()` where the platform has
/// no state dir. `None` when the platform has no home directory.
pub fn state_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("dev", "cockpit", "cockpit")
        .map(|d| d.state_dir().unwrap_or_else(|| d.data_dir()).to_owned())
}

/// `<state_dir>/audit.jsonl`, the audit log unless `[audit] path` is set.
pub fn default_audit_path() -> Option<PathBuf> {
    state_dir().map(|dir| dir.join("audit.jsonl"))
}

/// Where the config would be read from and why, without checking that it exists: `--config`,
/// else `$COCKPIT_CONFIG` (if set and non-empty), else the default path.
pub fn resolve(explicit: Option<&Path>) -> Option<(PathBuf, ConfigOrigin)> {
    resolve_from(explicit, std::env::var_os(CONFIG_ENV), default_path())
}

/// [`resolve`] with the environment variable's value and the default path passed in.
pub fn resolve_from(
    explicit: Option<&Path>,
    env_value: Option<OsString>,
    default: Option<PathBuf>,
) -> Option<(PathBuf, ConfigOrigin)> {
    if let Some(path) = explicit {
        return Some((path.to_owned(), ConfigOrigin::Flag));
    }
    if let Some(value) = env_value.filter(|v| !v.is_empty()) {
        return Some((PathBuf::from(value), ConfigOrigin::Env));
    }
    default.map(|path| (path, ConfigOrigin::Default))
}

/// The config file to use, in the contract's order: `explicit` (`--config`), else
/// `$COCKPIT_CONFIG`, else `<config_dir>/cockpit.toml`. The first one that is given is the one
/// used: a `--config` or `$COCKPIT_CONFIG` naming a missing file is an error, not a reason to
/// fall back to the next.
pub fn discover(explicit: Option<&Path>) -> Result<PathBuf, ConfigError> {
    discover_from(explicit, std::env::var_os(CONFIG_ENV), default_path())
}

/// [`discover`] with the environment variable's value and the default path passed in.
pub fn discover_from(
    explicit: Option<&Path>,
    env_value: Option<OsString>,
    default: Option<PathBuf>,
) -> Result<PathBuf, ConfigError> {
    let (path, origin) =
        resolve_from(explicit, env_value, default).ok_or(ConfigError::NoConfigDir)?;
    if path.exists() {
        Ok(path)
    } else {
        Err(ConfigError::NotFound { path, origin })
    }
}

/// Read, parse and validate the config file at `path`.
pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_owned(),
        source,
    })?;
    parse_str(&text, path)
}

/// [`discover`] then [`load_file`]; returns the path used too.
pub fn discover_and_load(explicit: Option<&Path>) -> Result<(PathBuf, Config), ConfigError> {
    let path = discover(explicit)?;
    let config = load_file(&path)?;
    Ok((path, config))
}

/// Parse and validate config text; `path` is only used in error messages.
pub fn parse_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let index = SpanIndex::parse(text).map_err(|err| parse_error(text, path, &err, None))?;
    let config: Config =
        toml::from_str(text).map_err(|err| parse_error(text, path, &err, Some(&index)))?;
    let mut problems: Vec<(usize, Diagnostic)> = validate::validate(&config)
        .into_iter()
        .map(|problem| {
            let offset = problem.offset(&index);
            let (line, column) = line_col(text, offset);
            (
                offset,
                Diagnostic {
                    line,
                    column,
                    message: problem.message,
                },
            )
        })
        .collect();
    // Document order; the sort is stable so problems at one place keep their order.
    problems.sort_by_key(|(offset, _)| *offset);
    let mut problems = problems.into_iter().map(|(_, d)| d);
    match problems.next() {
        None => Ok(config),
        Some(first) => Err(ConfigError::Invalid {
            path: path.to_owned(),
            line: first.line,
            column: first.column,
            message: first.message,
            more: problems.collect(),
        }),
    }
}

fn parse_error(
    text: &str,
    path: &Path,
    err: &toml::de::Error,
    index: Option<&SpanIndex<'_>>,
) -> ConfigError {
    let offset = err.span().map_or(0, |span| span.start);
    let (line, column) = line_col(text, offset);
    let mut message = err.message().trim().to_owned();
    if let Some(key_path) = index.and_then(|index| index.path_at(offset)) {
        if !key_path.0.is_empty() {
            message = format!("{message} (at `{key_path}`)");
        }
    }
    ConfigError::Parse {
        path: path.to_owned(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, "").unwrap();
        path
    }

    #[test]
    fn explicit_wins_over_env_and_default() {
        let dir = tempfile::tempdir().unwrap();
        let flag = touch(dir.path(), "flag.toml");
        let env = touch(dir.path(), "env.toml");
        let default = touch(dir.path(), "cockpit.toml");
        let found = discover_from(Some(&flag), Some(env.into()), Some(default)).unwrap();
        assert_eq!(found, flag);
    }

    #[test]
    fn env_wins_over_default() {
        let dir = tempfile::tempdir().unwrap();
        let env = touch(dir.path(), "env.toml");
        let default = touch(dir.path(), "cockpit.toml");
        let found = discover_from(None, Some(env.clone().into()), Some(default)).unwrap();
        assert_eq!(found, env);
    }

    #[test]
    fn empty_env_is_unset() {
        let dir = tempfile::tempdir().unwrap();
        let default = touch(dir.path(), "cockpit.toml");
        let found = discover_from(None, Some(OsString::new()), Some(default.clone())).unwrap();
        assert_eq!(found, default);
    }

    #[test]
    fn default_is_last() {
        let dir = tempfile::tempdir().unwrap();
        let default = touch(dir.path(), "cockpit.toml");
        assert_eq!(
            discover_from(None, None, Some(default.clone())).unwrap(),
            default
        );
    }

    #[test]
    fn missing_explicit_does_not_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let default = touch(dir.path(), "cockpit.toml");
        let missing = dir.path().join("nope.toml");
        let err = discover_from(Some(&missing), None, Some(default)).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::NotFound {
                origin: ConfigOrigin::Flag,
                ..
            }
        ));
        assert!(err.to_string().contains("nope.toml"));
        assert!(err.to_string().contains("--config"));
    }

    #[test]
    fn missing_env_file_does_not_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        let default = touch(dir.path(), "cockpit.toml");
        let missing = dir.path().join("from-env.toml");
        let err = discover_from(None, Some(missing.into()), Some(default)).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::NotFound {
                origin: ConfigOrigin::Env,
                ..
            }
        ));
        assert!(err.to_string().contains("$COCKPIT_CONFIG"));
    }

    #[test]
    fn missing_default_says_where_and_how() {
        let dir = tempfile::tempdir().unwrap();
        let default = dir.path().join("cockpit.toml");
        let err = discover_from(None, None, Some(default.clone())).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&default.display().to_string()), "{msg}");
        assert!(msg.contains("cockpit init"), "{msg}");
        assert!(msg.contains("--config"), "{msg}");
    }

    #[test]
    fn no_config_dir() {
        let err = discover_from(None, None, None).unwrap_err();
        assert!(matches!(err, ConfigError::NoConfigDir));
        assert!(err.to_string().contains("--config"));
    }

    #[test]
    fn default_path_is_cockpit_toml_in_project_config_dir() {
        if let Some(path) = default_path() {
            assert!(path.ends_with("cockpit.toml"));
            assert_eq!(path.parent().map(Path::to_owned), config_dir());
        }
    }

    #[test]
    fn unreadable_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = load_file(dir.path()).unwrap_err();
        assert!(matches!(err, ConfigError::Unreadable { .. }), "{err:?}");
    }
}
