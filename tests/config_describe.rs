//! `describe` (what `cockpit check-config` prints) never shows a secret.

use std::ffi::OsString;
use std::path::Path;

use cockpit::config;

const CONFIG: &str = r#"
[github]
token_command = "echo ghp_tokencommandsecret"

[[repo]]
name = "acme/shop"

[[environment]]
name = "production"
protected = true
url = "https://admin:pa55word@shop.example.com/?token=querysecret&lang=en"

  [[environment.check]]
  name = "api"
  url = "https://shop.example.com/health?api_key=checksecret"

[notify]
slack_webhook_env = "COCKPIT_TEST_DESCRIBE_SLACK"
telegram_bot_token_env = "COCKPIT_TEST_DESCRIBE_TELEGRAM"
telegram_chat_id = "-1001234567890"
"#;

const SLACK_SECRET: &str = "https://hooks.slack.com/services/T000/B000/slacksecretvalue";
const TELEGRAM_SECRET: &str = "123456:telegram-secret-value";
const GH_SECRET: &str = "ghp_environmentsecret";

fn secrets() -> [&'static str; 7] {
    [
        SLACK_SECRET,
        TELEGRAM_SECRET,
        GH_SECRET,
        "ghp_tokencommandsecret",
        "pa55word",
        "querysecret",
        "checksecret",
    ]
}

fn fake_env(name: &str) -> Option<OsString> {
    match name {
        "COCKPIT_TEST_DESCRIBE_SLACK" => Some(SLACK_SECRET.into()),
        "COCKPIT_TEST_DESCRIBE_TELEGRAM" => Some(TELEGRAM_SECRET.into()),
        "GH_TOKEN" | "GITHUB_TOKEN" => Some(GH_SECRET.into()),
        _ => None,
    }
}

#[test]
fn describe_shows_env_var_names_and_presence_but_no_secret() {
    let path = Path::new("cockpit.toml");
    let config = config::parse_str(CONFIG, path).unwrap();
    let out = config::describe_with_env(&config, path, fake_env);
    for secret in secrets() {
        assert!(!out.contains(secret), "describe shows {secret:?}:\n{out}");
    }
    assert!(
        out.contains("COCKPIT_TEST_DESCRIBE_SLACK (present)"),
        "{out}"
    );
    assert!(
        out.contains("COCKPIT_TEST_DESCRIBE_TELEGRAM (present)"),
        "{out}"
    );
    assert!(out.contains("token_command (set)"), "{out}");
    assert!(out.contains("GH_TOKEN (present)"), "{out}");
    assert!(out.contains("acme/shop"), "{out}");
    assert!(out.contains("production [protected]"), "{out}");
    assert!(out.contains("lang=en"), "{out}");
}

#[test]
fn describe_says_when_env_vars_are_missing() {
    let path = Path::new("cockpit.toml");
    let config = config::parse_str(CONFIG, path).unwrap();
    let out = config::describe_with_env(&config, path, |_| None);
    assert!(
        out.contains("COCKPIT_TEST_DESCRIBE_SLACK (not set)"),
        "{out}"
    );
    assert!(
        out.contains("COCKPIT_TEST_DESCRIBE_TELEGRAM (not set)"),
        "{out}"
    );
}

#[test]
fn describe_with_the_real_environment_never_shows_secrets() {
    // These names are only used by this test; std serialises environment access.
    // SAFETY: no other code in this test binary reads or writes these variables' values
    // through anything but std::env, which takes the environment lock.
    unsafe {
        std::env::set_var("COCKPIT_TEST_DESCRIBE_SLACK", SLACK_SECRET);
        std::env::set_var("COCKPIT_TEST_DESCRIBE_TELEGRAM", TELEGRAM_SECRET);
    }
    let path = Path::new("cockpit.toml");
    let config = config::parse_str(CONFIG, path).unwrap();
    let out = config::describe(&config, path);
    for secret in secrets() {
        assert!(!out.contains(secret), "describe shows {secret:?}:\n{out}");
    }
    assert!(
        out.contains("COCKPIT_TEST_DESCRIBE_SLACK (present)"),
        "{out}"
    );
}

#[test]
fn describe_full_example_lists_everything() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/valid/full.toml");
    let config = config::load_file(&path).unwrap();
    let out = config::describe_with_env(&config, &path, |_| None);
    for needle in [
        "acme/shop",
        "ci.yml, deploy-staging.yml, deploy-production.yml",
        "branch: main",
        "production [protected]",
        "I understand this deploys to PRODUCTION",
        "https://shop.example.com/api/health/ every 10s, timeout 5s",
        "status 200",
        "latency <= 1s",
        "json \"/status\" == \"UP\"",
        "body contains \"UP\"",
        "at JSON pointer \"/version\"",
        "ssh deploy@prod.example.com port 22",
        "\"/opt/shop/scripts/rollback.sh\", \"{version}\"",
        "timeout: 10m",
        "cutover window: 5m, checking every 2s",
        "$COCKPIT_SLACK_WEBHOOK (not set)",
        "chat -1001234567890",
        "/var/log/cockpit/audit.jsonl",
        "theme: default",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains("pass show"), "token_command printed:\n{out}");
}
