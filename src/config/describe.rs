//! The human summary `cockpit check-config` prints.
//!
//! It never prints a secret: not the token (or `token_command`, which may embed one), not the
//! values of the `[notify]` environment variables, only their names and whether they are set.
//! URL passwords and credential-looking query parameters are masked.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use super::schema::{CheckConfig, Config, EnvironmentConfig, KeyBinding, Transport};
use super::validate::{notes, redact_url};

/// The summary of a (valid) config read from `path`, looking up environment variables in the
/// process environment.
pub fn describe(config: &Config, path: &Path) -> String {
    describe_with_env(config, path, |name| std::env::var_os(name))
}

/// [`describe`] with the environment lookup passed in (for tests).
pub fn describe_with_env(
    config: &Config,
    path: &Path,
    env: impl Fn(&str) -> Option<OsString>,
) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let _ = write_all(&mut out, config, path, &env);
    out
}

fn presence(env: &impl Fn(&str) -> Option<OsString>, name: &str) -> &'static str {
    match env(name) {
        Some(value) if !value.is_empty() => "present",
        _ => "not set",
    }
}

fn dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn write_all(
    out: &mut String,
    config: &Config,
    path: &Path,
    env: &impl Fn(&str) -> Option<OsString>,
) -> std::fmt::Result {
    writeln!(out, "config: {}", path.display())?;

    let gh = &config.github;
    writeln!(out)?;
    writeln!(out, "github")?;
    writeln!(out, "  api: {}", redact_url(&gh.api_url))?;
    writeln!(
        out,
        "  token: GH_TOKEN ({}), then GITHUB_TOKEN ({}), {}then `gh auth token --hostname {}`",
        presence(env, "GH_TOKEN"),
        presence(env, "GITHUB_TOKEN"),
        if gh.token_command.is_some() {
            "then token_command (set), "
        } else {
            ""
        },
        gh.host()
    )?;
    writeln!(
        out,
        "  poll: every {} (every {} while runs are active or gates are open)",
        dur(gh.poll),
        dur(gh.active_poll)
    )?;

    writeln!(out)?;
    writeln!(out, "repos ({})", config.repos.len())?;
    for repo in &config.repos {
        writeln!(out, "  {}", repo.name)?;
        if repo.workflows.is_empty() {
            writeln!(out, "    workflows: all")?;
        } else {
            writeln!(out, "    workflows: {}", repo.workflows.join(", "))?;
        }
        match &repo.branch {
            Some(branch) => writeln!(out, "    branch: {branch}")?,
            None => writeln!(out, "    branch: all")?,
        }
    }

    writeln!(out)?;
    writeln!(out, "environments ({})", config.environments.len())?;
    for env_cfg in &config.environments {
        environment(out, config, env_cfg)?;
    }

    let m = &config.monitor;
    writeln!(out)?;
    writeln!(out, "monitor")?;
    writeln!(
        out,
        "  alert after {} consecutive failure(s), clear after {} success(es)",
        m.failure_threshold, m.success_threshold
    )?;
    writeln!(
        out,
        "  cutover window: {}, checking every {}",
        dur(m.cutover_window),
        dur(m.cutover_interval)
    )?;
    writeln!(out, "  bell: {}", if m.bell { "on" } else { "off" })?;

    let n = &config.notify;
    writeln!(out)?;
    writeln!(out, "notify")?;
    match &n.slack_webhook_env {
        Some(name) => writeln!(
            out,
            "  slack: webhook from ${name} ({})",
            presence(env, name)
        )?,
        None => writeln!(out, "  slack: off")?,
    }
    match (&n.telegram_bot_token_env, &n.telegram_chat_id) {
        (Some(name), chat) => writeln!(
            out,
            "  telegram: bot token from ${name} ({}), chat {}",
            presence(env, name),
            chat.as_deref().unwrap_or("(none)")
        )?,
        (None, _) => writeln!(out, "  telegram: off")?,
    }

    writeln!(out)?;
    match &config.audit.path {
        // Shown as it will be used (`~/` expanded), so it matches `cockpit audit verify`.
        Some(path) => writeln!(
            out,
            "audit log: {}",
            crate::audit::default_path(config)
                .unwrap_or_else(|| path.clone())
                .display()
        )?,
        None => match super::load::default_audit_path() {
            Some(path) => writeln!(out, "audit log: {} (default)", path.display())?,
            None => writeln!(out, "audit log: <state_dir>/audit.jsonl (default)")?,
        },
    }
    writeln!(out, "theme: {}", config.ui.theme)?;
    if config.keys.is_empty() {
        writeln!(out, "keys: defaults")?;
    } else {
        writeln!(out, "key overrides:")?;
        for (action, binding) in &config.keys {
            writeln!(out, "  {action} = {}", keys(binding))?;
        }
    }

    let notes = notes(config);
    if !notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "notes")?;
        for note in notes {
            writeln!(out, "  - {note}")?;
        }
    }
    Ok(())
}

fn keys(binding: &KeyBinding) -> String {
    binding.keys().join(", ")
}

fn environment(out: &mut String, config: &Config, env: &EnvironmentConfig) -> std::fmt::Result {
    let repo = config
        .repo_for(env)
        .map_or("(no repo)", |r| r.name.as_str());
    writeln!(
        out,
        "  {}{} ({repo})",
        env.name,
        if env.protected { " [protected]" } else { "" }
    )?;
    if env.protected {
        match &env.confirm_phrase {
            Some(phrase) => writeln!(out, "    typed phrase: {phrase:?}")?,
            None => writeln!(out, "    typed phrase: \"{} VERSION\"", env.name)?,
        }
    }
    if let Some(url) = &env.url {
        writeln!(out, "    url: {}", redact_url(url))?;
    }
    if env.checks.is_empty() {
        writeln!(out, "    checks: none")?;
    } else {
        writeln!(out, "    checks:")?;
        for c in &env.checks {
            check(out, c)?;
        }
    }
    match &env.version {
        Some(v) => match &v.json_pointer {
            Some(pointer) => writeln!(
                out,
                "    version: {} at JSON pointer {pointer:?}",
                redact_url(&v.url)
            )?,
            None => writeln!(out, "    version: body of {}", redact_url(&v.url))?,
        },
        None => writeln!(out, "    version: not configured")?,
    }
    match &env.rollback {
        None => writeln!(out, "    rollback: none")?,
        Some(rb) => {
            let target = match rb.transport {
                Transport::Ssh => format!(
                    "ssh {} port {}",
                    rb.ssh.as_deref().unwrap_or("(no host)"),
                    rb.port_or_default()
                ),
                Transport::Local => "local (this machine)".to_owned(),
            };
            writeln!(out, "    rollback: {target}")?;
            if rb.transport == Transport::Ssh {
                if let Some(id) = &rb.identity_file {
                    writeln!(out, "      identity file: {}", id.display())?;
                }
                match &rb.known_hosts {
                    Some(kh) => writeln!(out, "      known hosts: {} (strict)", kh.display())?,
                    None => writeln!(out, "      known hosts: ssh default (strict)")?,
                }
            }
            writeln!(out, "      command: {:?}", rb.command)?;
            writeln!(out, "      timeout: {}", dur(rb.timeout))?;
        }
    }
    Ok(())
}

fn check(out: &mut String, c: &CheckConfig) -> std::fmt::Result {
    writeln!(
        out,
        "      {}: {} every {}, timeout {}",
        c.name,
        redact_url(&c.url),
        dur(c.interval),
        dur(c.timeout)
    )?;
    let mut conditions = Vec::new();
    if c.expect_status.is_empty() {
        conditions.push("status 2xx".to_owned());
    } else {
        let codes: Vec<String> = c.expect_status.iter().map(u16::to_string).collect();
        conditions.push(format!("status {}", codes.join(" or ")));
    }
    if let Some(latency) = c.max_latency {
        conditions.push(format!("latency <= {}", dur(latency)));
    }
    for (pointer, expected) in &c.json {
        conditions.push(format!("json {pointer:?} == {expected}"));
    }
    if let Some(text) = &c.body_contains {
        conditions.push(format!("body contains {text:?}"));
    }
    writeln!(out, "        expect: {}", conditions.join(", "))
}
