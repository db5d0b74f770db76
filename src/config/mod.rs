//! The config file: where it is, what it may say, what it must not say, and how it reads back
//! to the user (`cockpit check-config`). See the contract's "Config file (TOML)" section.
//!
//! ```no_run
//! # fn main() -> Result<(), cockpit::config::ConfigError> {
//! let path = cockpit::config::discover(None)?;
//! let config = cockpit::config::load_file(&path)?;
//! println!("{}", cockpit::config::describe(&config, &path));
//! # Ok(())
//! # }
//! ```

mod describe;
mod error;
mod load;
mod schema;
mod spans;
mod validate;

pub use describe::{describe, describe_with_env};
pub use error::{ConfigError, ConfigOrigin, Diagnostic};
pub use load::{
    CONFIG_ENV, CONFIG_FILE_NAME, config_dir, default_audit_path, default_path, discover,
    discover_and_load, discover_from, load_file, parse_str, resolve, resolve_from, state_dir,
};
pub use schema::{
    AuditConfig, CheckConfig, Config, DEFAULT_API_URL, DEFAULT_SSH_PORT, DEFAULT_THEME,
    DURATION_EXPECTED, EnvironmentConfig, GithubConfig, KeyBinding, MonitorConfig, NotifyConfig,
    RepoConfig, RollbackConfig, Transport, UiConfig, VersionConfig,
};
pub(crate) use spans::line_col;
pub use spans::value_location;
pub use validate::{notes, redact_url};
