//! The config file's shape: one serde struct per TOML table.
//!
//! Every struct rejects unknown keys (`deny_unknown_fields`), so a typo is an error with a line
//! and column instead of a silently ignored setting. Durations are humantime strings
//! (`"500ms"`, `"10s"`, `"5m"`). Semantic rules (repo names, URLs, thresholds, ...) live in
//! `validate.rs`; this file only says what may be written and what the defaults are.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// The whole config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub github: GithubConfig,
    /// `[[repo]]` tables.
    #[serde(rename = "repo")]
    pub repos: Vec<RepoConfig>,
    /// `[[environment]]` tables.
    #[serde(rename = "environment")]
    pub environments: Vec<EnvironmentConfig>,
    pub monitor: MonitorConfig,
    pub notify: NotifyConfig,
    pub audit: AuditConfig,
    pub ui: UiConfig,
    /// Key overrides: action name -> key(s).
    pub keys: BTreeMap<String, KeyBinding>,
}

impl Config {
    /// The repo an environment belongs to: its `repo` if set, else the only `[[repo]]`.
    pub fn repo_for(&self, env: &EnvironmentConfig) -> Option<&RepoConfig> {
        match &env.repo {
            Some(name) => self.repo(name),
            None if self.repos.len() == 1 => self.repos.first(),
            None => None,
        }
    }

    /// The first environment with this (GitHub environment) name, if configured. Names are
    /// unique per repo only: with several repos, match `repo_for` too.
    pub fn environment(&self, name: &str) -> Option<&EnvironmentConfig> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// The repo with this `owner/name` (compared ASCII-case-insensitively, like GitHub does).
    pub fn repo(&self, name: &str) -> Option<&RepoConfig> {
        self.repos
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
    }
}

/// `[github]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubConfig {
    /// REST API base, `https://api.github.com` or `https://HOST/api/v3` for GitHub Enterprise.
    pub api_url: String,
    /// A shell command whose stdout is the token; tried after `GH_TOKEN` and `GITHUB_TOKEN`.
    pub token_command: Option<String>,
    /// Idle polling interval.
    #[serde(deserialize_with = "duration")]
    pub poll: Duration,
    /// Polling interval while runs are active or gates are open.
    #[serde(deserialize_with = "duration")]
    pub active_poll: Duration,
}

pub const DEFAULT_API_URL: &str = "https://api.github.com";

impl Default for GithubConfig {
    fn default() -> Self {
        Self {
            api_url: DEFAULT_API_URL.to_owned(),
            token_command: None,
            poll: Duration::from_secs(15),
            active_poll: Duration::from_secs(3),
        }
    }
}

impl GithubConfig {
    /// The host name used for `gh auth token --hostname HOST`: `github.com` for the public API,
    /// else the API URL's host.
    pub fn host(&self) -> String {
        match reqwest::Url::parse(&self.api_url) {
            Ok(url) => match url.host_str() {
                Some("api.github.com") | None => "github.com".to_owned(),
                Some(host) => host.to_owned(),
            },
            Err(_) => "github.com".to_owned(),
        }
    }
}

/// `[[repo]]`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoConfig {
    /// `owner/name`.
    pub name: String,
    /// Workflow file names (`ci.yml`); empty means all workflows.
    #[serde(default)]
    pub workflows: Vec<String>,
    /// Only show runs on this branch.
    #[serde(default)]
    pub branch: Option<String>,
}

impl RepoConfig {
    /// `("acme", "shop")` for `acme/shop`. A name without a slash (rejected by validation)
    /// gives `(name, "")`.
    pub fn owner_and_name(&self) -> (&str, &str) {
        match self.name.split_once('/') {
            Some((owner, name)) => (owner, name),
            None => (self.name.as_str(), ""),
        }
    }

    /// Whether runs of this workflow file are shown (`workflows` empty = all).
    pub fn includes_workflow(&self, file: &str) -> bool {
        self.workflows.is_empty() || self.workflows.iter().any(|w| w == file)
    }
}

/// `[[environment]]`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    /// The GitHub environment name.
    pub name: String,
    /// `owner/name` of a configured `[[repo]]`; optional when there is only one.
    #[serde(default)]
    pub repo: Option<String>,
    /// Production class: typed phrase, marked in red, never auto-anything.
    #[serde(default)]
    pub protected: bool,
    /// The phrase to type for actions on a protected environment (default `ENV VERSION`).
    #[serde(default)]
    pub confirm_phrase: Option<String>,
    /// The environment's public URL, shown and opened with `o`.
    #[serde(default)]
    pub url: Option<String>,
    /// `[[environment.check]]` health checks.
    #[serde(default, rename = "check")]
    pub checks: Vec<CheckConfig>,
    /// `[environment.version]`: where the live version is read.
    #[serde(default)]
    pub version: Option<VersionConfig>,
    /// `[environment.rollback]`: how to roll back.
    #[serde(default)]
    pub rollback: Option<RollbackConfig>,
}

/// `[[environment.check]]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    pub name: String,
    pub url: String,
    #[serde(default = "default_check_interval", deserialize_with = "duration")]
    pub interval: Duration,
    #[serde(default = "default_check_timeout", deserialize_with = "duration")]
    pub timeout: Duration,
    /// Accepted status codes; empty means any 2xx.
    #[serde(default)]
    pub expect_status: Vec<u16>,
    /// Slower than this counts as a failure.
    #[serde(default, deserialize_with = "optional_duration")]
    pub max_latency: Option<Duration>,
    /// JSON pointer -> expected value, e.g. `{ "/status" = "UP" }`.
    #[serde(default)]
    pub json: BTreeMap<String, serde_json::Value>,
    /// The body must contain this text.
    #[serde(default)]
    pub body_contains: Option<String>,
}

fn default_check_interval() -> Duration {
    Duration::from_secs(10)
}

fn default_check_timeout() -> Duration {
    Duration::from_secs(5)
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            url: String::new(),
            interval: default_check_interval(),
            timeout: default_check_timeout(),
            expect_status: Vec::new(),
            max_latency: None,
            json: BTreeMap::new(),
            body_contains: None,
        }
    }
}

impl CheckConfig {
    /// Whether a response status passes (`expect_status`, else any 2xx).
    pub fn status_ok(&self, status: u16) -> bool {
        if self.expect_status.is_empty() {
            (200..300).contains(&status)
        } else {
            self.expect_status.contains(&status)
        }
    }
}

/// `[environment.version]`
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionConfig {
    pub url: String,
    /// JSON pointer to the version in the response; without it the whole (trimmed) body is
    /// the version.
    #[serde(default)]
    pub json_pointer: Option<String>,
}

/// How a rollback command is run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Over SSH to `ssh` (`[user@]host`).
    #[default]
    Ssh,
    /// On this machine (e.g. when cockpit runs on a bastion).
    Local,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Ssh => "ssh",
            Transport::Local => "local",
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEFAULT_SSH_PORT: u16 = 22;

/// `[environment.rollback]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RollbackConfig {
    pub transport: Transport,
    /// `[user@]host`, required for the ssh transport.
    pub ssh: Option<String>,
    /// SSH port; `None` means 22 (see [`RollbackConfig::port_or_default`]).
    pub port: Option<u16>,
    pub identity_file: Option<PathBuf>,
    /// Host keys are always checked strictly; this picks the file.
    pub known_hosts: Option<PathBuf>,
    /// argv; `{version}` is replaced by the chosen target version.
    pub command: Vec<String>,
    #[serde(deserialize_with = "duration")]
    pub timeout: Duration,
}

impl Default for RollbackConfig {
    fn default() -> Self {
        Self {
            transport: Transport::Ssh,
            ssh: None,
            port: None,
            identity_file: None,
            known_hosts: None,
            command: Vec::new(),
            timeout: Duration::from_secs(10 * 60),
        }
    }
}

impl RollbackConfig {
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(DEFAULT_SSH_PORT)
    }

    /// The command with every `{version}` replaced by `version`.
    pub fn command_for(&self, version: &str) -> Vec<String> {
        self.command
            .iter()
            .map(|arg| arg.replace("{version}", version))
            .collect()
    }
}

/// `[monitor]`
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// Consecutive failures that turn a check red and raise an alert.
    pub failure_threshold: u32,
    /// Consecutive successes that clear it.
    pub success_threshold: u32,
    /// Post-deploy stability window.
    #[serde(deserialize_with = "duration")]
    pub cutover_window: Duration,
    /// Check interval while a cutover window is open.
    #[serde(deserialize_with = "duration")]
    pub cutover_interval: Duration,
    /// Ring the terminal bell on alerts.
    pub bell: bool,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 3,
            success_threshold: 2,
            cutover_window: Duration::from_secs(5 * 60),
            cutover_interval: Duration::from_secs(2),
            bell: true,
        }
    }
}

/// `[notify]`: names of environment variables holding secrets, never the secrets themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Name of the env var holding the Slack incoming-webhook URL.
    pub slack_webhook_env: Option<String>,
    /// Name of the env var holding the Telegram bot token.
    pub telegram_bot_token_env: Option<String>,
    pub telegram_chat_id: Option<String>,
}

/// `[audit]`
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Defaults to `<state_dir>/audit.jsonl`.
    pub path: Option<PathBuf>,
}

/// `[ui]`
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    pub theme: String,
}

pub const DEFAULT_THEME: &str = "default";

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: DEFAULT_THEME.to_owned(),
        }
    }
}

/// A `[keys]` entry: `quit = "q"` or `quit = ["q", "ctrl-c"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBinding {
    One(String),
    Many(Vec<String>),
}

impl KeyBinding {
    pub fn keys(&self) -> Vec<&str> {
        match self {
            KeyBinding::One(key) => vec![key.as_str()],
            KeyBinding::Many(keys) => keys.iter().map(String::as_str).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for KeyBinding {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyBinding;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(r#"a key like "q" or a list of keys like ["q", "ctrl-c"]"#)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyBinding, E> {
                Ok(KeyBinding::One(v.to_owned()))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<KeyBinding, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<String>()? {
                    keys.push(key);
                }
                Ok(KeyBinding::Many(keys))
            }
        }

        deserializer.deserialize_any(KeyVisitor)
    }
}

/// What every duration error says.
pub const DURATION_EXPECTED: &str = r#"a duration like "10s" or "5m""#;

struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(DURATION_EXPECTED)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
        humantime::parse_duration(v.trim()).map_err(|err| {
            E::custom(format_args!(
                "invalid duration {v:?} ({err}): expected {DURATION_EXPECTED}"
            ))
        })
    }
}

fn duration<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    deserializer.deserialize_any(DurationVisitor)
}

fn optional_duration<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Duration>, D::Error> {
    deserializer.deserialize_any(DurationVisitor).map(Some)
}
