//! Rules a config must follow beyond its shape. Each problem names the key path it is about,
//! so the loader can point at the offending value's line and column.
//!
//! Messages never repeat a value that could be a secret (the `[notify]` fields name
//! environment variables; if a secret was pasted there instead, we say so without echoing it).

use std::collections::HashMap;
use std::time::Duration;

use super::schema::{
    CheckConfig, Config, EnvironmentConfig, KeyBinding, RollbackConfig, Transport,
};
use super::spans::{KeyPath, SpanIndex};
use crate::keymap::KeyProblem;

/// What a problem points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The value at the path (or the nearest table that exists, when the key is missing).
    Value,
    /// The key itself (e.g. an entry of a `json` table).
    Key,
    /// The value at the path or the value at this other path, whichever comes later in the
    /// file: of two entries that clash, the second is the one that made it a problem.
    LaterOf(KeyPath),
}

/// One validation problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: KeyPath,
    pub target: Target,
    pub message: String,
}

impl Problem {
    /// Byte offset in the document this problem points at.
    pub(crate) fn offset(&self, index: &SpanIndex<'_>) -> usize {
        match &self.target {
            Target::Key => index
                .key_span(&self.path)
                .map_or_else(|| index.span(&self.path).start, |span| span.start),
            Target::Value => index.span(&self.path).start,
            Target::LaterOf(other) => index.span(&self.path).start.max(index.span(other).start),
        }
    }
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn at(&mut self, path: KeyPath, message: impl Into<String>) {
        self.0.push(Problem {
            path,
            target: Target::Value,
            message: message.into(),
        });
    }

    fn at_key(&mut self, path: KeyPath, message: impl Into<String>) {
        self.0.push(Problem {
            path,
            target: Target::Key,
            message: message.into(),
        });
    }
}

/// Every problem in `config`, in no particular order (the loader sorts by position).
pub fn validate(config: &Config) -> Vec<Problem> {
    let mut p = Problems::default();
    let root = KeyPath::root();
    github(config, &root.at("github"), &mut p);
    repos(config, &mut p);
    environments(config, &mut p);
    monitor(config, &root.at("monitor"), &mut p);
    notify(config, &root.at("notify"), &mut p);
    other(config, &mut p);
    p.0
}

fn github(config: &Config, path: &KeyPath, p: &mut Problems) {
    let gh = &config.github;
    http_url(&gh.api_url, &path.at("api_url"), "api_url", p);
    if let Some(cmd) = &gh.token_command {
        if cmd.trim().is_empty() {
            p.at(
                path.at("token_command"),
                "token_command is empty: expected a command that prints the token, or remove the key",
            );
        }
    }
    positive(gh.poll, &path.at("poll"), "poll", p);
    positive(gh.active_poll, &path.at("active_poll"), "active_poll", p);
}

fn repos(config: &Config, p: &mut Problems) {
    let root = KeyPath::root();
    if config.repos.is_empty() {
        p.at(
            root.at("repo"),
            "no [[repo]]: expected at least one [[repo]] table with name = \"owner/name\"",
        );
        return;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, repo) in config.repos.iter().enumerate() {
        let path = root.at("repo").at(i);
        if !is_repo_name(&repo.name) {
            p.at(
                path.at("name"),
                format!(
                    "repo name {:?} is not valid: expected \"owner/name\" like \"acme/shop\"",
                    repo.name
                ),
            );
        } else if let Some(first) = seen.insert(repo.name.to_lowercase(), i) {
            p.at(
                path.at("name"),
                format!(
                    "duplicate repo {:?} (already configured as [[repo]] #{}): expected each repo once",
                    repo.name,
                    first + 1
                ),
            );
        }
        for (w, workflow) in repo.workflows.iter().enumerate() {
            if workflow.trim().is_empty() || workflow.contains('/') {
                p.at(
                    path.at("workflows").at(w),
                    format!(
                        "workflow {workflow:?} is not valid: expected a workflow file name like \"ci.yml\""
                    ),
                );
            }
        }
        if let Some(branch) = &repo.branch {
            if branch.trim().is_empty() {
                p.at(
                    path.at("branch"),
                    "branch is empty: expected a branch name, or remove the key to show all branches",
                );
            }
        }
    }
}

fn is_repo_name(name: &str) -> bool {
    let Some((owner, repo)) = name.split_once('/') else {
        return false;
    };
    let owner_ok = !owner.is_empty()
        && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !owner.starts_with('-');
    let repo_ok = !repo.is_empty()
        && repo != "."
        && repo != ".."
        && repo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    owner_ok && repo_ok
}

fn environments(config: &Config, p: &mut Problems) {
    let root = KeyPath::root();
    let configured = config
        .repos
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, env) in config.environments.iter().enumerate() {
        let path = root.at("environment").at(i);
        if env.name.trim().is_empty() {
            p.at(
                path.at("name"),
                "environment name is empty: expected the GitHub environment name, like \"production\"",
            );
        } else {
            // GitHub's environments belong to a repo: `production` may be in two of them.
            let repo = config
                .repo_for(env)
                .map(|r| r.name.as_str())
                .or(env.repo.as_deref())
                .unwrap_or("")
                .to_lowercase();
            if let Some(first) = seen.insert((repo, env.name.to_lowercase()), i) {
                p.at(
                    path.at("name"),
                    format!(
                        "duplicate environment {:?} (already configured as [[environment]] #{}): \
                         expected each environment once per repo",
                        env.name,
                        first + 1
                    ),
                );
            }
        }
        match &env.repo {
            Some(repo)
                if !config
                    .repos
                    .iter()
                    .any(|r| r.name.eq_ignore_ascii_case(repo)) =>
            {
                p.at(
                    path.at("repo"),
                    format!(
                        "environment {:?} names repo {repo:?}, which is not a configured [[repo]]: \
                         expected one of: {configured}",
                        env.name
                    ),
                );
            }
            None if config.repos.len() > 1 => {
                p.at(
                    path.clone(),
                    format!(
                        "environment {:?} needs repo = \"owner/name\" because there are several \
                         [[repo]] tables: expected one of: {configured}",
                        env.name
                    ),
                );
            }
            _ => {}
        }
        if let Some(phrase) = &env.confirm_phrase {
            if phrase.trim().is_empty() {
                p.at(
                    path.at("confirm_phrase"),
                    "confirm_phrase is empty: expected a phrase to type, or remove the key to use \"ENV VERSION\"",
                );
            }
        }
        if let Some(url) = &env.url {
            http_url(url, &path.at("url"), "url", p);
        }
        let mut check_names: HashMap<&str, usize> = HashMap::new();
        for (c, check) in env.checks.iter().enumerate() {
            let check_path = path.at("check").at(c);
            if check.name.trim().is_empty() {
                p.at(
                    check_path.at("name"),
                    "check name is empty: expected a short name like \"api\"",
                );
            } else if check_names.insert(check.name.as_str(), c).is_some() {
                p.at(
                    check_path.at("name"),
                    format!(
                        "duplicate check {:?} in environment {:?}: expected unique check names",
                        check.name, env.name
                    ),
                );
            }
            self::check(check, &check_path, p);
        }
        if let Some(version) = &env.version {
            let vpath = path.at("version");
            http_url(&version.url, &vpath.at("url"), "url", p);
            if let Some(pointer) = &version.json_pointer {
                if !is_json_pointer(pointer) {
                    p.at(
                        vpath.at("json_pointer"),
                        format!(
                            "json_pointer {pointer:?} is not a JSON pointer: expected \"\" or a path starting with \"/\", like \"/version\""
                        ),
                    );
                }
            }
        }
        if let Some(rollback) = &env.rollback {
            self::rollback(env, rollback, &path.at("rollback"), p);
        }
    }
}

fn check(check: &CheckConfig, path: &KeyPath, p: &mut Problems) {
    http_url(&check.url, &path.at("url"), "url", p);
    positive(check.interval, &path.at("interval"), "interval", p);
    positive(check.timeout, &path.at("timeout"), "timeout", p);
    if let Some(latency) = check.max_latency {
        positive(latency, &path.at("max_latency"), "max_latency", p);
    }
    for (s, status) in check.expect_status.iter().enumerate() {
        if !(100..=599).contains(status) {
            p.at(
                path.at("expect_status").at(s),
                format!("status {status} is not an HTTP status: expected a number from 100 to 599"),
            );
        }
    }
    for pointer in check.json.keys() {
        if !is_json_pointer(pointer) {
            p.at_key(
                path.at("json").at(pointer.as_str()),
                format!(
                    "{pointer:?} is not a JSON pointer: expected \"\" or a path starting with \"/\", like \"/status\""
                ),
            );
        }
    }
    if let Some(text) = &check.body_contains {
        if text.is_empty() {
            p.at(
                path.at("body_contains"),
                "body_contains is empty: expected the text the body must contain, or remove the key",
            );
        }
    }
}

fn is_json_pointer(pointer: &str) -> bool {
    pointer.is_empty() || pointer.starts_with('/')
}

fn rollback(env: &EnvironmentConfig, rb: &RollbackConfig, path: &KeyPath, p: &mut Problems) {
    match (rb.transport, &rb.ssh) {
        (Transport::Ssh, None) => p.at(
            path.clone(),
            format!(
                "rollback for {:?} uses the ssh transport but has no host: expected \
                 ssh = \"[user@]host\" (or transport = \"local\")",
                env.name
            ),
        ),
        (_, Some(target)) => {
            if let Err(why) = check_ssh_target(target) {
                p.at(
                    path.at("ssh"),
                    format!("ssh = {target:?} {why}: expected \"[user@]host\" like \"deploy@prod.example.com\""),
                );
            }
        }
        (Transport::Local, None) => {}
    }
    if rb.port == Some(0) {
        p.at(
            path.at("port"),
            "port 0 is not valid: expected 1 to 65535 (default 22)",
        );
    }
    if rb.command.is_empty() {
        p.at(
            path.at("command"),
            format!(
                "rollback for {:?} has no command: expected an argv list like \
                 [\"/opt/app/rollback.sh\", \"{{version}}\"]",
                env.name
            ),
        );
    } else if rb.command[0].trim().is_empty() {
        p.at(
            path.at("command").at(0),
            "the rollback command's program is empty: expected a program path as the first element",
        );
    }
    positive(rb.timeout, &path.at("timeout"), "timeout", p);
    for (key, file) in [
        ("identity_file", &rb.identity_file),
        ("known_hosts", &rb.known_hosts),
    ] {
        if file.as_ref().is_some_and(|f| f.as_os_str().is_empty()) {
            p.at(
                path.at(key),
                format!("{key} is empty: expected a file path, or remove the key"),
            );
        }
    }
}

fn check_ssh_target(target: &str) -> Result<(), &'static str> {
    if target.trim().is_empty() {
        return Err("is empty");
    }
    if target.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace");
    }
    // A leading '-' would be read by ssh as an option.
    if target.starts_with('-') {
        return Err("starts with '-'");
    }
    let host = match target.rsplit_once('@') {
        Some((user, host)) => {
            if user.is_empty() || user.starts_with('-') {
                return Err("has an empty or invalid user");
            }
            host
        }
        None => target,
    };
    if host.is_empty() || host.starts_with('-') {
        return Err("has no host");
    }
    Ok(())
}

fn monitor(config: &Config, path: &KeyPath, p: &mut Problems) {
    let m = &config.monitor;
    for (key, value) in [
        ("failure_threshold", m.failure_threshold),
        ("success_threshold", m.success_threshold),
    ] {
        if value < 1 {
            p.at(
                path.at(key),
                format!("{key} is {value}: expected at least 1"),
            );
        }
    }
    positive(
        m.cutover_window,
        &path.at("cutover_window"),
        "cutover_window",
        p,
    );
    positive(
        m.cutover_interval,
        &path.at("cutover_interval"),
        "cutover_interval",
        p,
    );
}

fn notify(config: &Config, path: &KeyPath, p: &mut Problems) {
    let n = &config.notify;
    for (key, value, example) in [
        (
            "slack_webhook_env",
            &n.slack_webhook_env,
            "COCKPIT_SLACK_WEBHOOK",
        ),
        (
            "telegram_bot_token_env",
            &n.telegram_bot_token_env,
            "COCKPIT_TELEGRAM_TOKEN",
        ),
    ] {
        if let Some(name) = value {
            if !is_env_var_name(name) {
                // Never echo the value: it may be the secret itself.
                p.at(
                    path.at(key),
                    format!(
                        "{key} must be the NAME of an environment variable that holds the secret \
                         (like \"{example}\"), not the secret itself"
                    ),
                );
            }
        }
    }
    match (&n.telegram_bot_token_env, &n.telegram_chat_id) {
        (Some(_), None) => p.at(
            path.at("telegram_bot_token_env"),
            "telegram_bot_token_env is set but telegram_chat_id is not: expected both for Telegram",
        ),
        (None, Some(_)) => p.at(
            path.at("telegram_chat_id"),
            "telegram_chat_id is set but telegram_bot_token_env is not: expected both for Telegram",
        ),
        _ => {}
    }
    if let Some(chat) = &n.telegram_chat_id {
        if chat.trim().is_empty() {
            p.at(
                path.at("telegram_chat_id"),
                "telegram_chat_id is empty: expected a chat id like \"-1001234567890\" or \"@channel\"",
            );
        }
    }
}

fn is_env_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn other(config: &Config, p: &mut Problems) {
    let root = KeyPath::root();
    if let Some(path) = &config.audit.path {
        if path.as_os_str().is_empty() {
            p.at(
                root.at("audit").at("path"),
                "audit path is empty: expected a file path, or remove the key for the default",
            );
        }
    }
    let theme = &config.ui.theme;
    if theme.is_empty()
        || !theme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        p.at(
            root.at("ui").at("theme"),
            format!("theme {theme:?} is not a theme name: expected a name like \"default\""),
        );
    }
    keys(config, &root.at("keys"), p);
}

/// `[keys]`: each problem points at the offending key (or at the action's name when the
/// action is unknown); a conflict between two entries points at the later one.
fn keys(config: &Config, path: &KeyPath, p: &mut Problems) {
    let entries = config.keys.iter().map(|(a, b)| (a.as_str(), b.keys()));
    let Err(problems) = crate::keymap::Keymap::with_overrides(entries) else {
        return;
    };
    let at = |action: &str, index: Option<usize>| -> KeyPath {
        let entry = path.at(action);
        match (config.keys.get(action), index) {
            (Some(KeyBinding::Many(_)), Some(i)) => entry.at(i),
            _ => entry,
        }
    };
    for problem in problems {
        let message = problem.to_string();
        match &problem {
            KeyProblem::UnknownAction { action, .. } => p.at_key(path.at(action.as_str()), message),
            KeyProblem::Conflict {
                action,
                index,
                other,
                other_index: Some(other_index),
                ..
            } => p.0.push(Problem {
                path: at(action, Some(*index)),
                target: Target::LaterOf(at(other, Some(*other_index))),
                message,
            }),
            _ => p.at(at(problem.action(), problem.index()), message),
        }
    }
}

fn http_url(url: &str, path: &KeyPath, key: &str, p: &mut Problems) {
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() => {}
        Ok(parsed) if !matches!(parsed.scheme(), "http" | "https") => p.at(
            path.clone(),
            format!(
                "{key} {:?} has scheme {:?}: expected an http:// or https:// URL",
                redact_url(url),
                parsed.scheme()
            ),
        ),
        Ok(_) => p.at(
            path.clone(),
            format!(
                "{key} {:?} has no host: expected an http:// or https:// URL",
                redact_url(url)
            ),
        ),
        Err(err) => p.at(
            path.clone(),
            format!(
                "{key} {:?} is not a URL ({err}): expected an http:// or https:// URL",
                redact_url(url)
            ),
        ),
    }
}

/// A URL for display: any password in it replaced by `***`, and the values of query
/// parameters that look like credentials too. Unparseable text is returned as is.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return url.to_owned();
    };
    let mut changed = false;
    if parsed.password().is_some() {
        changed = parsed.set_password(Some("***")).is_ok();
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_lowercase();
                let secret = ["token", "key", "secret", "pass", "auth", "sig", "cred"]
                    .iter()
                    .any(|s| lower.contains(s));
                let v = if secret {
                    changed = true;
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        if changed {
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    // Unchanged URLs are shown exactly as written (parsing would normalise them).
    if changed {
        parsed.to_string()
    } else {
        url.to_owned()
    }
}

fn positive(value: Duration, path: &KeyPath, key: &str, p: &mut Problems) {
    if value.is_zero() {
        p.at(
            path.clone(),
            format!("{key} must be longer than 0s: expected a duration like \"10s\" or \"5m\""),
        );
    }
}

/// Things worth knowing about a valid config that are not errors (shown by `check-config`).
pub fn notes(config: &Config) -> Vec<String> {
    let mut notes = Vec::new();
    for env in &config.environments {
        if env.protected && env.confirm_phrase.is_none() {
            notes.push(format!(
                "environment {:?} is protected: actions on it ask for the typed phrase \"{} VERSION\"",
                env.name, env.name
            ));
        }
        if !env.protected && env.confirm_phrase.is_some() {
            notes.push(format!(
                "environment {:?} has a confirm_phrase but is not protected: it only gets a y/N \
                 confirm (set protected = true to require the phrase)",
                env.name
            ));
        }
        if let Some(rb) = &env.rollback {
            if rb.transport == Transport::Local
                && (rb.ssh.is_some()
                    || rb.port.is_some()
                    || rb.identity_file.is_some()
                    || rb.known_hosts.is_some())
            {
                notes.push(format!(
                    "environment {:?}: rollback transport is \"local\", so its ssh settings are ignored",
                    env.name
                ));
            }
        }
        for check in &env.checks {
            if check.timeout > check.interval {
                notes.push(format!(
                    "environment {:?}, check {:?}: timeout ({}) is longer than interval ({})",
                    env.name,
                    check.name,
                    humantime::format_duration(check.timeout),
                    humantime::format_duration(check.interval)
                ));
            }
        }
    }
    if config.github.active_poll > config.github.poll {
        notes.push(format!(
            "github.active_poll ({}) is slower than github.poll ({})",
            humantime::format_duration(config.github.active_poll),
            humantime::format_duration(config.github.poll)
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        assert!(is_repo_name("acme/shop"));
        assert!(is_repo_name("a-b/c.d_e"));
        assert!(!is_repo_name("acme"));
        assert!(!is_repo_name("acme/"));
        assert!(!is_repo_name("/shop"));
        assert!(!is_repo_name("a/b/c"));
        assert!(!is_repo_name("acme/.."));
    }

    #[test]
    fn ssh_targets() {
        assert!(check_ssh_target("deploy@prod.example.com").is_ok());
        assert!(check_ssh_target("prod").is_ok());
        assert!(check_ssh_target("-oProxyCommand=x").is_err());
        assert!(check_ssh_target("user@").is_err());
        assert!(check_ssh_target("a b").is_err());
        assert!(check_ssh_target("").is_err());
    }

    #[test]
    fn env_var_names() {
        assert!(is_env_var_name("COCKPIT_SLACK_WEBHOOK"));
        assert!(is_env_var_name("_X1"));
        assert!(!is_env_var_name("https://hooks.slack.com/services/T/B/C"));
        assert!(!is_env_var_name("1X"));
        assert!(!is_env_var_name(""));
    }

    #[test]
    fn redacts_urls() {
        assert_eq!(
            redact_url("https://user:hunter2@h.example/x?token=abc&full=1"),
            "https://user:***@h.example/x?token=***&full=1"
        );
        assert_eq!(redact_url("https://h.example"), "https://h.example");
        assert_eq!(
            redact_url("https://h.example/x?full=1"),
            "https://h.example/x?full=1"
        );
    }
}
