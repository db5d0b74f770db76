//! Whether one HTTP answer passes a check, and what version a version endpoint reports.
//!
//! Both functions are pure: the prober does the I/O and hands the status, body and measured
//! latency over. A failing check is described in one short line meant for the Environments
//! view and `status --json`'s `last_error`:
//!
//! | condition | message |
//! |---|---|
//! | status not in `expect_status` (default any 2xx) | `503`, or `200, expected 204` when `expect_status` is set |
//! | body not JSON while `json` conditions are set | `body is not JSON (expected value at line 1 column 1)` |
//! | JSON pointer absent | `/status missing, expected "UP"` |
//! | JSON value differs | `/status was "DOWN", expected "UP"` |
//! | `body_contains` not found | `body does not contain "UP"` |
//! | slower than `max_latency` | `latency 1234ms over max_latency 1s` |
//!
//! The conditions are tried in that order (status, JSON, body, latency) and the first failure
//! is reported, so a 503 reads `503` rather than a JSON complaint about its error page.

use std::time::Duration;

use serde_json::Value;

use crate::config::CheckConfig;

/// Values and needles longer than this are cut (with `…`) in messages.
const MAX_SHOWN: usize = 60;

/// A version longer than this (without `json_pointer`) is taken for a page, not a version.
pub const MAX_VERSION_LEN: usize = 200;

/// Whether a response passes `check`: `Ok(())`, or the first failed condition as a
/// one-line message (see the module docs for the texts).
pub fn evaluate(
    check: &CheckConfig,
    status: u16,
    body: &[u8],
    latency: Duration,
) -> Result<(), String> {
    if !check.status_ok(status) {
        return Err(status_error(check, status));
    }
    if !check.json.is_empty() {
        let doc: Value =
            serde_json::from_slice(body).map_err(|e| format!("body is not JSON ({e})"))?;
        for (pointer, expected) in &check.json {
            match doc.pointer(pointer) {
                None => {
                    return Err(format!("{pointer} missing, expected {}", shown(expected)));
                }
                Some(actual) if !json_eq(actual, expected) => {
                    return Err(format!(
                        "{pointer} was {}, expected {}",
                        shown(actual),
                        shown(expected)
                    ));
                }
                Some(_) => {}
            }
        }
    }
    if let Some(needle) = &check.body_contains
        && !contains(body, needle.as_bytes())
    {
        return Err(format!("body does not contain {}", quoted(needle)));
    }
    if let Some(max) = check.max_latency
        && latency > max
    {
        return Err(format!(
            "latency {}ms over max_latency {}",
            latency.as_millis(),
            humantime::format_duration(max)
        ));
    }
    Ok(())
}

/// The live version in a version endpoint's body: the trimmed text body when there is no
/// pointer, else the JSON string (trimmed) or number at `json_pointer`.
pub fn extract_version(body: &[u8], json_pointer: Option<&str>) -> Result<String, String> {
    match json_pointer {
        None => {
            let text = std::str::from_utf8(body)
                .map_err(|_| "body is not UTF-8 text".to_owned())?
                .trim();
            if text.is_empty() {
                Err("body is empty".to_owned())
            } else if text.chars().count() > MAX_VERSION_LEN {
                Err(format!(
                    "body is {} bytes, too long for a version (set json_pointer?)",
                    text.len()
                ))
            } else {
                Ok(text.to_owned())
            }
        }
        Some(pointer) => {
            let doc: Value =
                serde_json::from_slice(body).map_err(|e| format!("body is not JSON ({e})"))?;
            match doc.pointer(pointer) {
                None => Err(format!("{pointer} missing")),
                Some(Value::String(s)) if s.trim().is_empty() => {
                    Err(format!("{pointer} is an empty string"))
                }
                Some(Value::String(s)) => Ok(s.trim().to_owned()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(other) => Err(format!(
                    "{pointer} is {}, expected a string or number",
                    kind(other)
                )),
            }
        }
    }
}

fn status_error(check: &CheckConfig, status: u16) -> String {
    if check.expect_status.is_empty() {
        return status.to_string();
    }
    let expected: Vec<String> = check.expect_status.iter().map(u16::to_string).collect();
    format!("{status}, expected {}", expected.join(" or "))
}

/// JSON equality where numbers compare by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A JSON value as compact JSON (`"UP"`, `true`, `3`), cut when long.
fn shown(value: &Value) -> String {
    cut(&value.to_string())
}

fn quoted(text: &str) -> String {
    cut(&Value::String(text.to_owned()).to_string())
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_SHOWN {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(MAX_SHOWN - 1).collect();
        out.push('…');
        out
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check() -> CheckConfig {
        CheckConfig {
            name: "api".into(),
            url: "http://127.0.0.1/health".into(),
            ..CheckConfig::default()
        }
    }

    const MS: Duration = Duration::from_millis(12);

    #[test]
    fn status_default_any_2xx() {
        let c = check();
        assert_eq!(evaluate(&c, 200, b"", MS), Ok(()));
        assert_eq!(evaluate(&c, 204, b"", MS), Ok(()));
        assert_eq!(evaluate(&c, 503, b"", MS), Err("503".into()));
        assert_eq!(evaluate(&c, 301, b"", MS), Err("301".into()));
    }

    #[test]
    fn status_explicit_list() {
        let c = CheckConfig {
            expect_status: vec![204, 418],
            ..check()
        };
        assert_eq!(evaluate(&c, 418, b"", MS), Ok(()));
        assert_eq!(
            evaluate(&c, 200, b"", MS),
            Err("200, expected 204 or 418".into())
        );
    }

    #[test]
    fn json_conditions() {
        let mut c = check();
        c.json.insert("/status".into(), Value::from("UP"));
        c.json.insert("/db/ok".into(), Value::from(true));
        c.json.insert("/replicas".into(), Value::from(3));
        let good = br#"{"status":"UP","db":{"ok":true},"replicas":3.0}"#;
        assert_eq!(evaluate(&c, 200, good, MS), Ok(()));
        let down = br#"{"status":"DOWN","db":{"ok":true},"replicas":3}"#;
        assert_eq!(
            evaluate(&c, 200, down, MS),
            Err(r#"/status was "DOWN", expected "UP""#.into())
        );
        let missing = br#"{"status":"UP","replicas":3}"#;
        assert_eq!(
            evaluate(&c, 200, missing, MS),
            Err("/db/ok missing, expected true".into())
        );
        let err = evaluate(&c, 200, b"<html>", MS).unwrap_err();
        assert!(err.starts_with("body is not JSON ("), "{err}");
        // Status comes first.
        assert_eq!(evaluate(&c, 500, b"<html>", MS), Err("500".into()));
    }

    #[test]
    fn body_then_latency() {
        let c = CheckConfig {
            body_contains: Some("UP".into()),
            max_latency: Some(Duration::from_secs(1)),
            ..check()
        };
        assert_eq!(evaluate(&c, 200, b"status: UP", MS), Ok(()));
        assert_eq!(
            evaluate(&c, 200, b"status: DOWN", Duration::from_secs(3)),
            Err(r#"body does not contain "UP""#.into())
        );
        assert_eq!(
            evaluate(&c, 200, b"UP", Duration::from_millis(1234)),
            Err("latency 1234ms over max_latency 1s".into())
        );
        assert_eq!(evaluate(&c, 200, b"UP", Duration::from_secs(1)), Ok(()));
    }

    #[test]
    fn long_values_are_cut() {
        let mut c = check();
        c.json.insert("/s".into(), Value::from("UP"));
        let body = format!(r#"{{"s":"{}"}}"#, "x".repeat(500));
        let err = evaluate(&c, 200, body.as_bytes(), MS).unwrap_err();
        assert!(err.chars().count() < 100, "{err}");
        assert!(err.contains('…'));
    }

    #[test]
    fn versions() {
        assert_eq!(extract_version(b" v1.3.2\n", None), Ok("v1.3.2".into()));
        assert_eq!(extract_version(b"  \n", None), Err("body is empty".into()));
        assert!(extract_version(&[0xff, 0xfe], None).is_err());
        assert!(extract_version("x".repeat(500).as_bytes(), None).is_err());
        let body = br#"{"version":"v1.4.0","build":42,"meta":{"ok":true}}"#;
        assert_eq!(extract_version(body, Some("/version")), Ok("v1.4.0".into()));
        assert_eq!(extract_version(body, Some("/build")), Ok("42".into()));
        assert_eq!(
            extract_version(body, Some("/nope")),
            Err("/nope missing".into())
        );
        assert_eq!(
            extract_version(body, Some("/meta")),
            Err("/meta is an object, expected a string or number".into())
        );
        assert!(
            extract_version(b"v1", Some("/version"))
                .unwrap_err()
                .starts_with("body is not JSON")
        );
    }
}
