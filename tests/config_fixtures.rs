//! Every file in tests/fixtures/config/valid must load; every file in
//! tests/fixtures/config/invalid must fail with the line, column and message its header states:
//!
//! ```toml
//! # expect: LINE:COL: substring of the message
//! # forbid: text that must not appear in the error (e.g. a secret)   (optional, repeatable)
//! ```

use std::path::{Path, PathBuf};

use cockpit::config::{self, ConfigError};

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

struct Expectation {
    line: usize,
    column: usize,
    message: String,
    forbid: Vec<String>,
}

fn expectation(path: &Path) -> Expectation {
    let text = std::fs::read_to_string(path).unwrap();
    let mut expect = None;
    let mut forbid = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# expect:") {
            let mut parts = rest.trim().splitn(3, ':');
            let line_no = parts.next().unwrap().trim().parse().unwrap();
            let column = parts.next().unwrap().trim().parse().unwrap();
            let message = parts.next().unwrap().trim().to_owned();
            expect = Some((line_no, column, message));
        } else if let Some(rest) = line.strip_prefix("# forbid:") {
            forbid.push(rest.trim().to_owned());
        }
    }
    let (line, column, message) =
        expect.unwrap_or_else(|| panic!("{}: no `# expect: L:C: text` header", path.display()));
    Expectation {
        line,
        column,
        message,
        forbid,
    }
}

#[test]
fn valid_fixtures_load() {
    for path in fixtures("valid") {
        let config = config::load_file(&path)
            .unwrap_or_else(|e| panic!("{} should load:\n{e}", path.display()));
        assert!(!config.repos.is_empty());
        let summary = config::describe(&config, &path);
        assert!(summary.contains(&path.display().to_string()));
    }
}

#[test]
fn invalid_fixtures_fail_where_they_say() {
    let mut failures = Vec::new();
    for path in fixtures("invalid") {
        let want = expectation(&path);
        let err = match config::load_file(&path) {
            Ok(_) => {
                failures.push(format!("{}: loaded, expected an error", path.display()));
                continue;
            }
            Err(err) => err,
        };
        assert!(
            matches!(err, ConfigError::Parse { .. } | ConfigError::Invalid { .. }),
            "{}: {err:?}",
            path.display()
        );
        let shown = err.to_string();
        let prefix = format!("{}:{}:{}: ", path.display(), want.line, want.column);
        let first_line = shown.lines().next().unwrap_or_default();
        if !first_line.starts_with(&prefix) || !first_line.contains(&want.message) {
            failures.push(format!(
                "{}:\n  expected {}:{}: …{}…\n  got      {shown}",
                path.display(),
                want.line,
                want.column,
                want.message
            ));
        }
        assert_eq!(err.location(), Some((want.line, want.column)), "{shown}");
        for secret in &want.forbid {
            assert!(
                !shown.contains(secret.as_str()),
                "{}: error shows {secret:?}: {shown}",
                path.display()
            );
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn full_example_has_every_value() {
    use std::time::Duration;

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/valid/full.toml");
    let config = config::load_file(&path).unwrap();
    assert_eq!(config.github.api_url, "https://api.github.com");
    assert_eq!(
        config.github.token_command.as_deref(),
        Some("pass show gh/cockpit")
    );
    assert_eq!(config.github.poll, Duration::from_secs(15));
    assert_eq!(config.github.active_poll, Duration::from_secs(3));
    let repo = &config.repos[0];
    assert_eq!(repo.owner_and_name(), ("acme", "shop"));
    assert_eq!(repo.workflows.len(), 3);
    assert_eq!(repo.branch.as_deref(), Some("main"));

    let env = config.environment("production").unwrap();
    assert!(env.protected);
    assert_eq!(config.repo_for(env).unwrap().name, "acme/shop");
    let check = &env.checks[0];
    assert_eq!(check.interval, Duration::from_secs(10));
    assert_eq!(check.timeout, Duration::from_secs(5));
    assert_eq!(check.expect_status, vec![200]);
    assert_eq!(check.max_latency, Some(Duration::from_secs(1)));
    assert_eq!(check.json["/status"], serde_json::json!("UP"));
    assert_eq!(check.body_contains.as_deref(), Some("UP"));
    let version = env.version.as_ref().unwrap();
    assert_eq!(version.json_pointer.as_deref(), Some("/version"));
    let rb = env.rollback.as_ref().unwrap();
    assert_eq!(rb.transport, config::Transport::Ssh);
    assert_eq!(rb.ssh.as_deref(), Some("deploy@prod.example.com"));
    assert_eq!(rb.port_or_default(), 22);
    assert_eq!(
        rb.command_for("v1.3.2"),
        vec!["/opt/shop/scripts/rollback.sh", "v1.3.2"]
    );
    assert_eq!(rb.timeout, Duration::from_secs(600));

    assert_eq!(config.monitor.failure_threshold, 3);
    assert_eq!(config.monitor.success_threshold, 2);
    assert_eq!(config.monitor.cutover_window, Duration::from_secs(300));
    assert_eq!(config.monitor.cutover_interval, Duration::from_secs(2));
    assert_eq!(
        config.notify.telegram_chat_id.as_deref(),
        Some("-1001234567890")
    );
    assert_eq!(
        config.audit.path.as_deref(),
        Some(Path::new("/var/log/cockpit/audit.jsonl"))
    );
    assert_eq!(config.ui.theme, "default");
}

#[test]
fn minimal_gets_defaults() {
    use std::time::Duration;

    let config =
        config::parse_str("[[repo]]\nname = \"acme/shop\"\n", Path::new("m.toml")).unwrap();
    assert_eq!(config.github, config::GithubConfig::default());
    assert_eq!(config.github.api_url, "https://api.github.com");
    assert_eq!(config.github.poll, Duration::from_secs(15));
    assert_eq!(config.github.active_poll, Duration::from_secs(3));
    assert_eq!(config.monitor, config::MonitorConfig::default());
    assert!(config.monitor.bell);
    assert_eq!(config.ui.theme, "default");
    assert!(config.environments.is_empty());
    assert!(config.keys.is_empty());
}

#[test]
fn multi_repo_resolves_repos_and_keys() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/valid/multi_repo.toml");
    let config = config::load_file(&path).unwrap();
    let staging = config.environment("staging").unwrap();
    assert_eq!(config.repo_for(staging).unwrap().name, "acme/shop");
    let payments = config.environment("payments-prod").unwrap();
    assert_eq!(config.repo_for(payments).unwrap().name, "acme/payments");
    assert_eq!(
        staging.rollback.as_ref().unwrap().transport,
        config::Transport::Local
    );
    assert_eq!(payments.rollback.as_ref().unwrap().port_or_default(), 2222);
    assert_eq!(config.keys["quit"].keys(), vec!["q", "ctrl-c"]);
    assert_eq!(config.keys["approve"].keys(), vec!["A"]);
    assert_eq!(staging.checks[1].json["/ready"], serde_json::json!(true));
    assert!(staging.checks[0].status_ok(204));
    assert!(!staging.checks[1].status_ok(201));
}

#[test]
fn several_problems_are_all_reported_in_document_order() {
    let text = "[[repo]]\nname = \"acme\"\n\n[monitor]\nsuccess_threshold = 0\n";
    let err = config::parse_str(text, Path::new("c.toml")).unwrap_err();
    let shown = err.to_string();
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 2, "{shown}");
    assert!(lines[0].starts_with("c.toml:2:8: "), "{shown}");
    assert!(lines[1].starts_with("c.toml:5:21: "), "{shown}");
    assert_eq!(err.diagnostics().len(), 2);
}

#[test]
fn enterprise_api_url_and_one_environment_name_in_two_repos() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/config/valid/same_env_name_in_two_repos.toml");
    let config = config::load_file(&path).unwrap();
    // `gh auth token --hostname` is asked for the Enterprise host, not github.com.
    assert_eq!(config.github.host(), "ghe.example.com");
    assert_eq!(config::GithubConfig::default().host(), "github.com");
    let owners: Vec<(&str, &str)> = config
        .environments
        .iter()
        .map(|e| (e.name.as_str(), config.repo_for(e).unwrap().name.as_str()))
        .collect();
    assert_eq!(
        owners,
        [("production", "acme/shop"), ("production", "acme/payments")]
    );
    assert_eq!(
        config.environments[1].confirm_phrase.as_deref(),
        Some("payments to production")
    );
}
