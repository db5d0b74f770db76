//! The GitHub client behind a corporate proxy: a small forwarding proxy written here (absolute-
//! form requests forwarded, `CONNECT` tunnelled, or refused with 407, or hung up on) in front
//! of the embedded simulator, everything on 127.0.0.1. The proxy counts what it saw; the
//! simulator records what reached it. Also the binary: `check-config` names the proxy without
//! its password, a bad value exits 2, and `status` through the proxy never logs credentials.

use std::collections::HashMap;
use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use chrono::{TimeZone, Utc};
use cockpit::clock::{ManualClock, SharedClock, SystemClock};
use cockpit::github::GitHub;
use cockpit::github::client::{ClientOptions, HttpGitHub};
use cockpit::github::error::ApiError;
use cockpit::github::models::Conclusion;
use cockpit::github::proxy::ProxyConfig;
use cockpit::sim::{SimOptions, Simulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const REPO: &str = "acme/shop";
const TOKEN: &str = "ghp_pr0xyT3stT0kenThatMustNeverBeShown";
/// Every test is over long before this; a hang fails instead of blocking the suite.
const BOUND: Duration = Duration::from_secs(30);
const PROXY_VARS: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// What the test proxy does with each request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    Forward,
    /// 407 Proxy Authentication Required, whatever the request carries.
    Refuse,
    /// Reads the request, then closes the connection without a word.
    HangUp,
}

/// One request as the proxy saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// Absolute-form URL, or `host:port` for CONNECT.
    target: String,
    proxy_authorization: Option<String>,
    /// CONNECT only: the first byte the client sent into the open tunnel.
    tunnel_first_byte: Option<u8>,
}

struct TestProxy {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestProxy {
    async fn start(behaviour: Behaviour) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let log = log.clone();
                // A failed exchange shows up in the client's answer, which the tests check.
                tokio::spawn(async move { drop(serve(conn, behaviour, log).await) });
            }
        });
        TestProxy { addr, seen, task }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn url_with(&self, userinfo: &str) -> String {
        format!("http://{userinfo}@{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads up to the end of the request head; returns the head and whatever came after it.
async fn read_head(conn: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((String::from_utf8_lossy(&buf).into_owned(), rest));
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn serve(
    mut client: TcpStream,
    behaviour: Behaviour,
    log: Arc<Mutex<Vec<Seen>>>,
) -> std::io::Result<()> {
    let (head, rest) = read_head(&mut client).await?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_string();
    let mut parts = request_line.split(' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or("HTTP/1.1").to_string(),
    );
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let proxy_authorization = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("proxy-authorization"))
        .map(|(_, v)| v.clone());
    let index = {
        let mut log = log.lock().unwrap();
        log.push(Seen {
            method: method.clone(),
            target: target.clone(),
            proxy_authorization,
            tunnel_first_byte: None,
        });
        log.len() - 1
    };
    match behaviour {
        Behaviour::HangUp => return Ok(()),
        Behaviour::Refuse => {
            client
                .write_all(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                      Proxy-Authenticate: Basic realm=\"test\"\r\n\
                      Content-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await?;
            return client.shutdown().await;
        }
        Behaviour::Forward => {}
    }
    if method == "CONNECT" {
        let mut upstream = TcpStream::connect(&target).await?;
        client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        let mut first = rest.clone();
        if first.is_empty() {
            let mut byte = [0u8; 1];
            client.read_exact(&mut byte).await?;
            first.push(byte[0]);
        }
        log.lock().unwrap()[index].tunnel_first_byte = first.first().copied();
        upstream.write_all(&first).await?;
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    // Absolute-form: `GET http://127.0.0.1:PORT/path HTTP/1.1`, sent on in origin-form.
    let Some(after_scheme) = target.strip_prefix("http://") else {
        client
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await?;
        return Ok(());
    };
    let (authority, path) = match after_scheme.find('/') {
        Some(i) => after_scheme.split_at(i),
        None => (after_scheme, "/"),
    };
    let mut upstream = TcpStream::connect(authority).await?;
    let mut out = format!("{method} {path} {version}\r\n");
    for (k, v) in &headers {
        let hop = ["proxy-authorization", "proxy-connection", "connection"]
            .iter()
            .any(|h| k.eq_ignore_ascii_case(h));
        if !hop {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    // One request per connection, so that every request passes through `serve` and is seen.
    out.push_str("Connection: close\r\n\r\n");
    upstream.write_all(out.as_bytes()).await?;
    upstream.write_all(&rest).await?;
    tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
    Ok(())
}

fn proxies(vars: &[(&str, &str)]) -> ProxyConfig {
    let map: HashMap<&str, OsString> = vars.iter().map(|(k, v)| (*k, (*v).into())).collect();
    ProxyConfig::from_lookup(|name| map.get(name).cloned()).unwrap()
}

async fn sim() -> (Simulator, ManualClock) {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap());
    let mut opts = SimOptions::new(Arc::new(clock.clone()));
    opts.require_token = Some(TOKEN.to_string());
    (Simulator::start(opts).await.unwrap(), clock)
}

fn client(api_url: &str, clock: &ManualClock, proxy: ProxyConfig) -> HttpGitHub {
    let shared: SharedClock = Arc::new(clock.clone());
    HttpGitHub::new(ClientOptions {
        api_url: api_url.to_string(),
        token: Some(TOKEN.into()),
        token_source: "$GH_TOKEN".into(),
        timeout: Duration::from_secs(5),
        clock: shared,
        proxy,
    })
    .unwrap()
}

fn basic(userinfo: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(userinfo)
    )
}

#[tokio::test]
async fn runs_a_job_log_and_a_rerun_all_go_through_the_proxy() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let proxy = TestProxy::start(Behaviour::Forward).await;
        let gh = client(
            &sim.base_url(),
            &clock,
            proxies(&[("HTTP_PROXY", &proxy.url())]),
        );

        let runs = gh.list_runs(REPO, None, None).await.unwrap().value;
        assert!(runs.iter().any(|r| r.id == 9002), "{runs:?}");
        let jobs = gh.list_jobs(REPO, 9002).await.unwrap().value;
        let failed = jobs
            .iter()
            .find(|j| j.conclusion == Some(Conclusion::Failure))
            .expect("9002 has a failed job");
        let log = String::from_utf8(gh.job_log(REPO, failed.id).await.unwrap()).unwrap();
        assert!(log.contains("##[error]"), "{log}");
        gh.rerun(REPO, 9002, true).await.unwrap();

        let base = sim.base_url();
        let seen = proxy.seen();
        let targets: Vec<(&str, &str)> = seen
            .iter()
            .map(|s| (s.method.as_str(), s.target.as_str()))
            .collect();
        let runs_url = format!("{base}/repos/acme/shop/actions/runs?per_page=50");
        let jobs_url = format!("{base}/repos/acme/shop/actions/runs/9002/jobs");
        let api_log = format!("{base}/repos/acme/shop/actions/jobs/{}/logs", failed.id);
        let host_log = format!("{base}/_logs/jobs/{}?", failed.id);
        let rerun = format!("{base}/repos/acme/shop/actions/runs/9002/rerun-failed-jobs");
        assert!(
            targets.contains(&("GET", runs_url.as_str())),
            "{targets:#?}"
        );
        assert!(
            targets
                .iter()
                .any(|(m, t)| *m == "GET" && t.starts_with(&jobs_url))
        );
        assert!(targets.contains(&("GET", api_log.as_str())), "{targets:#?}");
        // The log host (the redirect's target) through the proxy too.
        assert!(
            targets
                .iter()
                .any(|(m, t)| *m == "GET" && t.starts_with(&host_log)),
            "{targets:#?}"
        );
        let posts: Vec<_> = targets.iter().filter(|(m, _)| *m == "POST").collect();
        assert_eq!(posts, [&("POST", rerun.as_str())]);
        assert!(seen.iter().all(|s| s.proxy_authorization.is_none()));

        // The simulator answered them all: the token reached the API, never the log host.
        let reached = sim.requests();
        assert_eq!(reached.len(), seen.len(), "{reached:#?}");
        for r in &reached {
            let to_log_host = r.path.starts_with("/_logs/");
            assert_eq!(r.authorization.is_none(), to_log_host, "{r:?}");
            assert!((200..400).contains(&r.status), "{r:?}");
        }
        assert_eq!(reached.iter().filter(|r| r.method == "POST").count(), 1);
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn no_proxy_matching_the_host_goes_direct() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let proxy = TestProxy::start(Behaviour::Forward).await;
        let client_with = |no_proxy: &str| {
            client(
                &sim.base_url(),
                &clock,
                proxies(&[("ALL_PROXY", &proxy.url()), ("no_proxy", no_proxy)]),
            )
        };
        for no_proxy in ["127.0.0.1", "127.0.0.0/8", "*"] {
            let gh = client_with(no_proxy);
            gh.list_runs(REPO, None, None).await.unwrap();
            let jobs = gh.list_jobs(REPO, 9002).await.unwrap().value;
            gh.job_log(REPO, jobs[0].id).await.unwrap();
        }
        client_with("127.0.0.1")
            .rerun(REPO, 9002, false)
            .await
            .unwrap();
        assert!(proxy.seen().is_empty(), "{:#?}", proxy.seen());
        let reached = sim.requests();
        assert_eq!(reached.iter().filter(|r| r.method == "POST").count(), 1);
        assert_eq!(reached.len(), 3 * 4 + 1, "{reached:#?}");
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn proxy_credentials_arrive_as_basic_proxy_authorization() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let proxy = TestProxy::start(Behaviour::Forward).await;
        // `%40` and `%3A` in the URL are `@` and `:` in the credentials.
        let url = proxy.url_with("alice:p%40ss%3Aword");
        let gh = client(&sim.base_url(), &clock, proxies(&[("http_proxy", &url)]));
        gh.list_runs(REPO, None, None).await.unwrap();
        gh.cancel(REPO, 9003).await.unwrap_or_else(|e| {
            // Whatever the simulator thinks of the cancel, it came through the proxy.
            assert!(matches!(e, ApiError::Conflict { .. }), "{e:?}");
        });

        let seen = proxy.seen();
        assert_eq!(seen.len(), 2, "{seen:#?}");
        let expected = basic("alice:p@ss:word");
        for s in &seen {
            assert_eq!(s.proxy_authorization.as_deref(), Some(expected.as_str()));
        }
        // The GitHub token is still GitHub's: the proxy passed it on untouched.
        for r in sim.requests() {
            assert_eq!(r.authorization, Some(format!("Bearer {TOKEN}")));
        }
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn a_proxy_asking_for_credentials_is_named_and_the_post_is_sent_once() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let proxy = TestProxy::start(Behaviour::Refuse).await;
        let gh = client(
            &sim.base_url(),
            &clock,
            proxies(&[("HTTP_PROXY", &proxy.url_with("alice:wrong"))]),
        );

        let err = gh.rerun(REPO, 9002, true).await.unwrap_err();
        let ApiError::Proxy {
            proxy: named,
            message,
        } = &err
        else {
            panic!("not a proxy error: {err:?}");
        };
        assert_eq!(
            named,
            &format!("{} (from HTTP_PROXY, with credentials)", proxy.url())
        );
        assert!(
            message.starts_with("407 Proxy Authentication Required"),
            "{message}"
        );
        assert!(message.contains("HTTP_PROXY"), "{message}");
        assert!(!err.to_string().contains("wrong"), "{err}");
        assert!(err.is_transient());

        let err = gh.list_runs(REPO, None, None).await.unwrap_err();
        assert!(matches!(err, ApiError::Proxy { .. }), "{err:?}");

        let posts = proxy.seen().iter().filter(|s| s.method == "POST").count();
        assert_eq!(posts, 1, "the POST was sent again: {:#?}", proxy.seen());
        assert!(sim.requests().is_empty(), "{:#?}", sim.requests());
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn a_proxy_that_hangs_up_is_named_and_the_post_is_sent_once() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let proxy = TestProxy::start(Behaviour::HangUp).await;
        let gh = client(
            &sim.base_url(),
            &clock,
            proxies(&[
                ("HTTPS_PROXY", "http://unused:1"),
                ("ALL_PROXY", &proxy.url()),
            ]),
        );

        let err = gh.rerun(REPO, 9002, false).await.unwrap_err();
        let ApiError::Proxy { proxy: named, .. } = &err else {
            panic!("not a proxy error: {err:?}");
        };
        assert_eq!(named, &format!("{} (from ALL_PROXY)", proxy.url()));
        assert!(
            err.to_string().starts_with("proxy http://127.0.0.1:"),
            "{err}"
        );

        let seen = proxy.seen();
        assert_eq!(
            seen.iter().filter(|s| s.method == "POST").count(),
            1,
            "the POST was sent again: {seen:#?}"
        );
        assert!(sim.requests().is_empty());
    })
    .await
    .expect("bounded");
}

#[tokio::test]
async fn an_https_api_is_reached_through_a_connect_tunnel() {
    tokio::time::timeout(BOUND, async {
        let (sim, clock) = sim().await;
        let port = sim.base_url().rsplit(':').next().unwrap().to_string();

        // A refused CONNECT, with the credentials on it.
        let refusing = TestProxy::start(Behaviour::Refuse).await;
        let gh = client(
            "https://github.example.test/api/v3",
            &clock,
            proxies(&[("HTTPS_PROXY", &refusing.url_with("bob:pw"))]),
        );
        let err = gh
            .dispatch(REPO, "deploy.yml", "main", &Default::default())
            .await;
        let err = err.unwrap_err();
        assert_eq!(
            err,
            ApiError::Proxy {
                proxy: format!("{} (from HTTPS_PROXY, with credentials)", refusing.url()),
                message: "407 Proxy Authentication Required: the proxy refused the user and \
                          password in HTTPS_PROXY"
                    .into(),
            }
        );
        let seen = refusing.seen();
        assert_eq!(seen.len(), 1, "{seen:#?}");
        assert_eq!(seen[0].method, "CONNECT");
        assert_eq!(seen[0].target, "github.example.test:443");
        assert_eq!(seen[0].proxy_authorization, Some(basic("bob:pw")));

        // An open tunnel: the client speaks TLS to the destination through it (the simulator
        // speaks plain HTTP, so the handshake itself fails, and nothing reaches GitHub).
        let tunnel = TestProxy::start(Behaviour::Forward).await;
        let gh = client(
            &format!("https://127.0.0.1:{port}"),
            &clock,
            proxies(&[("HTTPS_PROXY", &tunnel.url())]),
        );
        let err = gh.list_runs(REPO, None, None).await.unwrap_err();
        assert!(matches!(err, ApiError::Proxy { .. }), "{err:?}");
        let seen = tunnel.seen();
        assert_eq!(seen[0].method, "CONNECT");
        assert_eq!(seen[0].target, format!("127.0.0.1:{port}"));
        assert_eq!(
            seen[0].tunnel_first_byte,
            Some(0x16),
            "a TLS handshake record"
        );
        assert!(sim.requests().is_empty());
    })
    .await
    .expect("bounded");
}

// --- the binary ---

fn write_config(dir: &Path, api_url: &str) -> std::path::PathBuf {
    let path = dir.join("cockpit.toml");
    std::fs::write(
        &path,
        format!("[github]\napi_url = \"{api_url}\"\n\n[[repo]]\nname = \"acme/shop\"\n"),
    )
    .unwrap();
    path
}

/// The binary with exactly `vars` as its proxy environment (none inherited from ours).
fn cockpit(dir: &Path, config: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cockpit"));
    cmd.args(["--log-level", "trace", "--config"])
        .arg(config)
        .args(args)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("GH_TOKEN", TOKEN)
        .env_remove("GITHUB_TOKEN");
    for name in PROXY_VARS {
        cmd.env_remove(name);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn check_config_names_the_proxy_for_the_api_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "https://api.github.com");
    let vars = [("https_proxy", "http://alice:hunter2@proxy.corp:3128")];
    let out = cockpit(dir.path(), &config, &vars, &["check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("proxy\n  api: http://proxy.corp:3128 (from https_proxy, with credentials)"),
        "{text}"
    );
    assert!(
        !text.contains("hunter2") && !text.contains("alice"),
        "{text}"
    );

    let vars = [
        ("HTTPS_PROXY", "http://proxy.corp:3128"),
        ("NO_PROXY", ".github.com"),
    ];
    let out = cockpit(dir.path(), &config, &vars, &["check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  api: none (NO_PROXY matches api.github.com)"),
        "{text}"
    );

    let out = cockpit(dir.path(), &config, &[], &["check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  api: none (HTTPS_PROXY, ALL_PROXY not set)"),
        "{text}"
    );
}

#[test]
fn a_proxy_value_that_is_not_a_url_exits_2_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "https://api.github.com");
    let vars = [("HTTPS_PROXY", "http://alice:hunter2@proxy.corp:31x8")];
    for args in [&["check-config"][..], &["status"][..]] {
        let out = cockpit(dir.path(), &config, &vars, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("HTTPS_PROXY is not a proxy URL (invalid port number)"),
            "{stderr}"
        );
        assert!(!stderr.contains("hunter2"), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn status_through_an_authenticating_proxy_never_logs_its_credentials() {
    tokio::time::timeout(BOUND, async {
        let mut opts = SimOptions::new(Arc::new(SystemClock));
        opts.require_token = Some(TOKEN.to_string());
        let sim = Simulator::start(opts).await.unwrap();
        let proxy = TestProxy::start(Behaviour::Forward).await;
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), &sim.base_url());
        let proxy_url = proxy.url_with("alice:hunter2");
        let out = tokio::task::spawn_blocking({
            let (d, c) = (dir.path().to_owned(), config.clone());
            move || cockpit(&d, &c, &[("HTTP_PROXY", &proxy_url)], &["status", "--json"])
        })
        .await
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");

        let seen = proxy.seen();
        assert!(
            seen.iter()
                .any(|s| s.target.contains("/repos/acme/shop/actions/runs")),
            "{seen:#?}"
        );
        assert!(
            seen.iter()
                .all(|s| s.proxy_authorization.as_deref() == Some(&basic("alice:hunter2"))),
            "{seen:#?}"
        );

        let mut logs = String::new();
        for entry in std::fs::read_dir(dir.path().join("state/cockpit/logs")).unwrap() {
            logs.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        assert!(
            logs.contains(&format!(
                "{} (from HTTP_PROXY, with credentials)",
                proxy.url()
            )),
            "the log says which proxy is used: {logs}"
        );
        let encoded = basic("alice:hunter2");
        let encoded = encoded.trim_start_matches("Basic ");
        for text in [
            &logs,
            &stderr.to_string(),
            &String::from_utf8_lossy(&out.stdout).to_string(),
        ] {
            assert!(
                !text.contains("hunter2") && !text.contains(encoded),
                "{text}"
            );
        }
    })
    .await
    .expect("bounded");
}
