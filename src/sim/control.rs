//! The loopback control endpoint: lets a process outside the cockpit (a test, or an operator
//! playing with `cockpit demo`) flip an environment's health and live version. No token, no
//! rate limit, never hit by injected faults; the simulator only listens on 127.0.0.1.
//!
//! | request | body | effect |
//! |---|---|---|
//! | `GET /_sim/` | | this list, as text |
//! | `POST /_sim/health/{env}` | `{"mode":"up"}` | healthy again |
//! | | `{"mode":"down","status":503}` | answers `status` (default 503) with `{"status":"DOWN"}` |
//! | | `{"mode":"slow","delay_ms":8000}` | waits `delay_ms`, then answers healthy |
//! | | `{"mode":"wrong_body"}` | 200 with an HTML maintenance page |
//! | `POST /_sim/version/{env}` | `{"version":"v1.3.2"}` | the live version (until a later deployment succeeds there) |
//! | `GET /_sim/health/{env}`, `GET /_sim/version/{env}` | | the current setting as JSON |
//!
//! A change answers `204 No Content`; a malformed body `400`, an unknown environment `404`,
//! another method `405`; errors carry `{"error": "..."}`.

use serde_json::{Value, json};

use super::HealthMode;
use super::deploys::{ENVIRONMENTS, live_version};
use super::server::Out;
use super::state::Shared;

/// The longest `slow` delay accepted (a minute is already far past any sensible timeout).
const MAX_DELAY_MS: u64 = 10 * 60 * 1000;

const USAGE: &str = "\
cockpit simulator control (no token needed)

  POST /_sim/health/{env}   {\"mode\":\"up\"}
                            {\"mode\":\"down\",\"status\":503}
                            {\"mode\":\"slow\",\"delay_ms\":8000}
                            {\"mode\":\"wrong_body\"}
  POST /_sim/version/{env}  {\"version\":\"v1.3.2\"}
  GET  /_sim/health/{env}, GET /_sim/version/{env}: the current setting

Changes answer 204 No Content.
";

/// Answers a request under `/_sim/`.
pub(crate) fn serve(sh: &Shared, method: &str, path: &str, body: Option<&Value>) -> Out {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match (segs.as_slice(), method) {
        (["_sim"], "GET") => Out::text(200, USAGE.into()),
        (["_sim"], _) => not_allowed("GET"),
        (["_sim", "health", env], "POST") => with_env(sh, env, |env| set_health(sh, env, body)),
        (["_sim", "health", env], "GET") => with_env(sh, env, |env| get_health(sh, env)),
        (["_sim", "version", env], "POST") => with_env(sh, env, |env| set_version(sh, env, body)),
        (["_sim", "version", env], "GET") => with_env(sh, env, |env| get_version(sh, env)),
        (["_sim", "health" | "version", _], _) => not_allowed("GET, POST"),
        _ => error(
            404,
            "no such control endpoint; GET /_sim/ lists them".into(),
        ),
    }
}

fn error(status: u16, message: String) -> Out {
    Out::json(status, &json!({ "error": message }))
}

fn not_allowed(allow: &str) -> Out {
    error(405, format!("method not allowed; use {allow}")).header("allow", allow)
}

/// Runs `f` for a known environment (one of the story's, or one already given a health
/// mode or a version), else answers 404 so a typo does not silently invent an environment.
fn with_env(sh: &Shared, env: &str, f: impl FnOnce(&str) -> Out) -> Out {
    let known = {
        let g = sh.lock();
        ENVIRONMENTS.iter().any(|e| e.0 == env)
            || g.health.contains_key(env)
            || g.world.version_overrides.contains_key(env)
    };
    if known {
        f(env)
    } else {
        let names: Vec<&str> = ENVIRONMENTS.iter().map(|e| e.0).collect();
        error(
            404,
            format!("no environment {env:?}; known: {}", names.join(", ")),
        )
    }
}

/// The health mode a control body asks for.
pub(crate) fn parse_health(body: Option<&Value>) -> Result<HealthMode, String> {
    let body = body.ok_or("expected a JSON body like {\"mode\":\"down\",\"status\":503}")?;
    let obj = body
        .as_object()
        .ok_or("expected a JSON object like {\"mode\":\"down\",\"status\":503}")?;
    for key in obj.keys() {
        if !matches!(key.as_str(), "mode" | "status" | "delay_ms") {
            return Err(format!(
                "unknown field {key:?}; expected mode, status, delay_ms"
            ));
        }
    }
    let mode = obj
        .get("mode")
        .and_then(Value::as_str)
        .ok_or("\"mode\" is required: one of up, down, slow, wrong_body")?;
    match mode {
        "up" => Ok(HealthMode::Up),
        "wrong_body" => Ok(HealthMode::WrongBody),
        "down" => {
            let status = match obj.get("status") {
                None => 503,
                Some(v) => v
                    .as_u64()
                    .filter(|s| (100..=599).contains(s))
                    .and_then(|s| u16::try_from(s).ok())
                    .ok_or("\"status\" must be an HTTP status between 100 and 599")?,
            };
            Ok(HealthMode::Down(status))
        }
        "slow" => {
            let ms = obj
                .get("delay_ms")
                .ok_or("\"slow\" needs \"delay_ms\", e.g. {\"mode\":\"slow\",\"delay_ms\":8000}")?
                .as_u64()
                .filter(|ms| *ms <= MAX_DELAY_MS)
                .ok_or(format!(
                    "\"delay_ms\" must be a whole number of milliseconds up to {MAX_DELAY_MS}"
                ))?;
            Ok(HealthMode::Slow(std::time::Duration::from_millis(ms)))
        }
        other => Err(format!(
            "unknown mode {other:?}; expected one of up, down, slow, wrong_body"
        )),
    }
}

/// A health mode as the control endpoint reads and writes it.
pub(crate) fn health_json(mode: &HealthMode) -> Value {
    match mode {
        HealthMode::Up => json!({ "mode": "up" }),
        HealthMode::Down(status) => json!({ "mode": "down", "status": status }),
        HealthMode::Slow(d) => {
            json!({ "mode": "slow", "delay_ms": u64::try_from(d.as_millis()).unwrap_or(u64::MAX) })
        }
        HealthMode::WrongBody => json!({ "mode": "wrong_body" }),
    }
}

fn set_health(sh: &Shared, env: &str, body: Option<&Value>) -> Out {
    match parse_health(body) {
        Ok(mode) => {
            tracing::info!(environment = %env, mode = ?mode, "simulator: health set through the control endpoint");
            sh.lock().health.insert(env.to_string(), mode);
            Out::new(204)
        }
        Err(e) => error(400, e),
    }
}

fn get_health(sh: &Shared, env: &str) -> Out {
    let mode = sh.lock().health.get(env).cloned().unwrap_or(HealthMode::Up);
    Out::json(200, &health_json(&mode))
}

fn set_version(sh: &Shared, env: &str, body: Option<&Value>) -> Out {
    let version = body
        .and_then(|b| b.get("version"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128 && !v.chars().any(char::is_control));
    let Some(version) = version else {
        return error(
            400,
            "expected a JSON body like {\"version\":\"v1.3.2\"} (1 to 128 characters)".into(),
        );
    };
    tracing::info!(environment = %env, %version, "simulator: version set through the control endpoint");
    let t = sh.t();
    sh.lock()
        .world
        .version_overrides
        .insert(env.to_string(), (version.to_string(), t));
    Out::new(204)
}

fn get_version(sh: &Shared, env: &str) -> Out {
    let t = sh.t();
    let v = live_version(&sh.lock().world, env, t);
    Out::json(200, &json!({ "version": v }))
}
