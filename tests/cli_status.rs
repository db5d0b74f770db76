//! The real binary against the simulator over HTTP: `status --json`, the token kept out of
//! logs and output, and a 401 that names where the token came from.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use cockpit::clock::SystemClock;
use cockpit::sim::{SimOptions, Simulator};

const TOKEN: &str = "ghp_testTOKEN0123456789abcdefghijklmnop";

fn write_config(dir: &Path, api_url: &str) -> std::path::PathBuf {
    let path = dir.join("cockpit.toml");
    std::fs::write(
        &path,
        format!(
            "[github]\napi_url = \"{api_url}\"\n\n[[repo]]\nname = \"acme/shop\"\n\n\
             [[environment]]\nname = \"production\"\nprotected = true\n\n\
             [[environment.check]]\nname = \"api\"\nurl = \"{api_url}/_env/production/api/health/\"\n\
             json = {{ \"/status\" = \"UP\" }}\n\n\
             [environment.version]\nurl = \"{api_url}/_env/production/version\"\njson_pointer = \"/version\"\n"
        ),
    )
    .unwrap();
    path
}

fn cockpit(dir: &Path, config: &Path, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cockpit"))
        .args(["--log-level", "trace", "--config"])
        .arg(config)
        .args(args)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("GH_TOKEN", token)
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap()
}

fn all_logs(dir: &Path) -> String {
    let mut text = String::new();
    let logs = dir.join("state/cockpit/logs");
    for entry in std::fs::read_dir(&logs).unwrap_or_else(|e| panic!("{}: {e}", logs.display())) {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    text
}

async fn sim() -> Simulator {
    let mut opts = SimOptions::new(Arc::new(SystemClock));
    opts.require_token = Some(TOKEN.to_string());
    Simulator::start(opts).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn status_json_lists_runs_with_github_statuses() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sim.base_url());
    let out = tokio::task::spawn_blocking({
        let (d, c) = (dir.path().to_owned(), config.clone());
        move || cockpit(&d, &c, TOKEN, &["status", "--json"])
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = json["runs"].as_array().unwrap();
    let by_id = |id: u64| {
        runs.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("run {id} missing: {json}"))
    };
    assert_eq!(by_id(9004)["status"], "waiting");
    assert_eq!(by_id(9004)["conclusion"], serde_json::Value::Null);
    assert_eq!(by_id(9004)["event"], "workflow_dispatch");
    assert_eq!(by_id(9002)["status"], "completed");
    assert_eq!(by_id(9002)["conclusion"], "failure");
    assert_eq!(by_id(9002)["repo"], "acme/shop");
    assert!(json["rate_limit"]["limit"].as_u64().unwrap() > 0);
    assert!(json["generated_at"].is_string());
    assert!(json["gates"].is_array());
    let prod = &json["environments"][0];
    assert_eq!(prod["name"], "production");
    assert_eq!(prod["protected"], true);
    assert_eq!(prod["health"], "up", "{prod}");
    assert_eq!(prod["version"], "v1.3.2");
    assert_eq!(prod["checks"][0]["name"], "api");
    assert_eq!(prod["checks"][0]["state"], "up");
    assert!(prod["checks"][0]["latency_ms"].is_u64());
    assert_eq!(prod["checks"][0]["last_error"], serde_json::Value::Null);
    assert_eq!(prod["last_deployment"]["ref"], "v1.3.2");
    assert_eq!(prod["last_deployment"]["state"], "success");
    // Newest first.
    let created: Vec<&str> = runs
        .iter()
        .map(|r| r["created_at"].as_str().unwrap())
        .collect();
    let mut sorted = created.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);

    // The token was used (the simulator requires it) but appears in no output and no log.
    let logs = all_logs(dir.path());
    assert!(!logs.is_empty(), "trace logging wrote nothing");
    assert!(
        logs.contains("$GH_TOKEN"),
        "the log should name the token source:\n{logs}"
    );
    for text in [
        &logs,
        &String::from_utf8_lossy(&out.stdout).into_owned(),
        &String::from_utf8_lossy(&out.stderr).into_owned(),
    ] {
        assert!(!text.contains(TOKEN), "token leaked");
        assert!(!text.contains("testTOKEN"), "part of the token leaked");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn status_table_and_401_naming_the_token_source() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sim.base_url());
    let (d, c) = (dir.path().to_owned(), config.clone());
    let out = tokio::task::spawn_blocking(move || cockpit(&d, &c, TOKEN, &["status"]))
        .await
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let line = table
        .lines()
        .find(|l| l.contains("#312"))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(line.starts_with("failure"), "{line}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("waiting") && l.contains("Deploy Production")),
        "{table}"
    );

    let wrong = "ghp_wrongTOKENabcdef";
    let (d, c) = (dir.path().to_owned(), config.clone());
    let out = tokio::task::spawn_blocking(move || cockpit(&d, &c, wrong, &["status"]))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("401 Unauthorized: GitHub rejected the token from $GH_TOKEN"),
        "{all}"
    );
    assert!(!all.contains(wrong));
    assert!(!all_logs(dir.path()).contains(wrong));
}

#[test]
fn check_config_prints_what_it_found_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cockpit.toml");
    std::fs::write(
        &path,
        "[github]\ntoken_command = \"echo ghp_fromCommand\"\n\n[[repo]]\nname = \"acme/shop\"\nworkflows = [\"ci.yml\"]\n",
    )
    .unwrap();
    let out = cockpit(dir.path(), &path, TOKEN, &["check-config"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("acme/shop") && text.contains("ci.yml"),
        "{text}"
    );
    assert!(
        !text.contains(TOKEN) && !text.contains("ghp_fromCommand"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn status_reports_a_down_environment() {
    let sim = sim().await;
    sim.set_health("production", cockpit::sim::HealthMode::Down(503));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &sim.base_url());
    let (d, c) = (dir.path().to_owned(), config.clone());
    let out = tokio::task::spawn_blocking(move || cockpit(&d, &c, TOKEN, &["status", "--json"]))
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let prod = &json["environments"][0];
    assert_eq!(prod["health"], "down", "{prod}");
    assert_eq!(prod["checks"][0]["state"], "down");
    assert_eq!(prod["checks"][0]["last_error"], "503", "{prod}");
}
