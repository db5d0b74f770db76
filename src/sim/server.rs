//! The request pipeline: record, apply faults, check the token and the rate limit, route,
//! then ETag / 304 and GitHub's headers.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::RecordedRequest;
use super::faults::{self, DOCS, Fault};
use super::history::VIEWER;
use super::routes::{self, Payload, Req};
use super::state::{Inner, RATE_LIMIT, Shared};
use super::{control, host};

/// A response under construction.
pub(crate) struct Out {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Out {
    pub(crate) fn new(status: u16) -> Self {
        Out {
            status,
            headers: vec![],
            body: vec![],
        }
    }

    pub(crate) fn json(status: u16, v: &Value) -> Self {
        let mut o = Out::new(status);
        o.body = serde_json::to_vec(v).unwrap_or_default();
        o.header("content-type", "application/json; charset=utf-8")
    }

    pub(crate) fn text(status: u16, text: String) -> Self {
        let mut o = Out::new(status);
        o.body = text.into_bytes();
        o.header("content-type", "text/plain; charset=utf-8")
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    fn into_response(self) -> Response {
        let mut b = Response::builder().status(self.status);
        for (k, v) in &self.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                b = b.header(k, v);
            }
        }
        b.body(Body::from(self.body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

fn parse_body(bytes: &[u8]) -> Option<Value> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(
        serde_json::from_slice(bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned())),
    )
}

/// The one handler behind every path.
pub(crate) async fn handle(State(sh): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 8 << 20)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let hdr = |n: &str| {
        parts
            .headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let body = parse_body(&bytes);
    let control_path = path == "/_sim" || path.starts_with("/_sim/");
    let idx = sh.record(RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: query.clone(),
        if_none_match: hdr("if-none-match"),
        authorization: hdr("authorization"),
        body: body.clone(),
        status: 0,
    });
    if control_path {
        // The control endpoint: never faulted, no token, no rate limit.
        let out = control::serve(&sh, parts.method.as_str(), &path, body.as_ref());
        sh.set_status(idx, out.status);
        return out.into_response();
    }
    let host_path = path.starts_with("/_env/") || path.starts_with("/_logs/");
    let api_path = if host_path {
        None
    } else {
        match sh.api_path(&path) {
            Some(p) => Some(p.to_string()),
            // Outside the API prefix (GitHub Enterprise's web UI would answer here): no JSON,
            // no rate limit, no fault.
            None => {
                let out = Out::text(404, "Not Found\n".into());
                sh.set_status(idx, out.status);
                return out.into_response();
            }
        }
    };
    let fault = {
        let mut g = sh.lock();
        faults::take(
            &mut g.faults,
            &parts.method,
            &path,
            query.as_deref(),
            host_path,
        )
    };
    let mut malformed = false;
    match fault {
        None => {}
        Some(Fault::Stall(d)) => tokio::time::sleep(d).await,
        Some(Fault::MalformedJson) if parts.method == Method::GET => malformed = true,
        Some(f) => {
            let out = fault_out(&sh, &f);
            sh.set_status(idx, out.status);
            return out.into_response();
        }
    }
    let mut out = if let Some(api_path) = api_path {
        let auth = hdr("authorization");
        let inm = hdr("if-none-match");
        let out = api(
            &sh,
            &parts.method,
            &api_path,
            query.as_deref(),
            auth.as_deref(),
            inm.as_deref(),
            body.as_ref(),
        );
        strip_rate_headers(&sh, out)
    } else {
        host::serve(&sh, &path).await
    };
    if malformed {
        out.status = 200;
        out.body = faults::truncate(&out.body);
        out.headers
            .retain(|(k, _)| k != "etag" && k != "content-type");
        out = out.header("content-type", "application/json; charset=utf-8");
    }
    sh.set_status(idx, out.status);
    out.into_response()
}

/// With rate limiting off, GitHub Enterprise sends no `x-ratelimit-*` headers at all.
fn strip_rate_headers(sh: &Shared, mut out: Out) -> Out {
    if sh.rate_limiting_disabled {
        out.headers.retain(|(k, _)| !k.starts_with("x-ratelimit-"));
    }
    out
}

fn rate_headers(out: Out, inner: &Inner) -> Out {
    let q = &inner.quota;
    out.header("x-ratelimit-limit", RATE_LIMIT.to_string())
        .header("x-ratelimit-remaining", q.remaining().to_string())
        .header("x-ratelimit-used", q.used.to_string())
        .header("x-ratelimit-reset", q.reset.to_string())
        .header("x-ratelimit-resource", "core")
}

fn github_headers(out: Out, idx: u64) -> Out {
    out.header("x-github-api-version-selected", "2022-11-28")
        .header("x-github-media-type", "github.v3; format=json")
        .header(
            "x-github-request-id",
            format!("C0DE:{idx:X}:5A1B2C:{:X}", idx * 7919),
        )
}

fn etag_matches(header: Option<&str>, etag: &str) -> bool {
    header.is_some_and(|h| {
        h.split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    })
}

fn api(
    sh: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    auth: Option<&str>,
    inm: Option<&str>,
    body: Option<&Value>,
) -> Out {
    let now = sh.clock.now();
    let mut g = sh.lock();
    g.quota.roll(now);
    let n = g.stats.total;
    if !sh.authorized(auth) {
        let out = Out::json(
            401,
            &json!({ "message": "Bad credentials", "documentation_url": DOCS }),
        );
        return github_headers(rate_headers(out, &g), n);
    }
    let is_rate = path == "/rate_limit";
    if sh.rate_limiting_disabled {
        if is_rate && *method == Method::GET {
            let out = Out::json(
                404,
                &json!({ "message": "Rate limiting is not enabled.", "documentation_url": DOCS }),
            );
            return github_headers(out, n);
        }
    } else if g.quota.remaining() == 0 && !is_rate {
        let out = Out::json(
            403,
            &json!({ "message": faults::PRIMARY_MESSAGE, "documentation_url": faults::PRIMARY_DOCS }),
        );
        return github_headers(rate_headers(out, &g), n);
    }
    let cx = sh.cx();
    let req = Req {
        method: method.as_str(),
        path,
        segs: path
            .trim_matches('/')
            .split('/')
            .map(routes::percent_decode)
            .collect(),
        query: routes::parse_query(query),
        body,
        user: VIEWER,
    };
    let reply = routes::route(&mut g, &cx, sh.second.as_ref(), &req);
    let mut out = match &reply.payload {
        Payload::Json(v) => Out::json(reply.status, v),
        Payload::Empty => Out::new(reply.status),
    };
    if *method == Method::GET && reply.status == 200 && matches!(reply.payload, Payload::Json(_)) {
        let etag = format!("\"{}\"", hex::encode(Sha256::digest(&out.body)));
        if etag_matches(inm, &etag) {
            g.stats.not_modified += 1;
            let out = Out::new(304).header("etag", etag);
            return github_headers(rate_headers(out, &g), n);
        }
        out = out
            .header("etag", etag)
            .header("cache-control", "private, max-age=60, s-maxage=60")
            .header("vary", "Accept, Authorization, Cookie");
    }
    if !is_rate {
        g.quota.used += 1;
        g.stats.quota_costing += 1;
    }
    for (k, v) in reply.headers {
        out = out.header(k, v);
    }
    github_headers(rate_headers(out, &g), n)
}

/// The answer to a fault that replaces the normal response.
fn fault_out(sh: &Shared, f: &Fault) -> Out {
    let now = sh.clock.now();
    let mut g = sh.lock();
    g.quota.roll(now);
    let n = g.stats.total;
    let err = |status: u16, msg: &str, docs: &str| {
        Out::json(
            status,
            &json!({ "message": msg, "documentation_url": docs }),
        )
    };
    let out = match f {
        Fault::Status(s) => rate_headers(err(*s, faults::message_for(*s), DOCS), &g),
        Fault::Unauthorized => rate_headers(err(401, "Bad credentials", DOCS), &g),
        Fault::PrimaryRateLimit { reset_in_secs } => {
            let reset = now.timestamp() + i64::try_from(*reset_in_secs).unwrap_or(i64::MAX / 4);
            err(403, faults::PRIMARY_MESSAGE, faults::PRIMARY_DOCS)
                .header("x-ratelimit-limit", RATE_LIMIT.to_string())
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-used", RATE_LIMIT.to_string())
                .header("x-ratelimit-reset", reset.to_string())
                .header("x-ratelimit-resource", "core")
        }
        Fault::SecondaryRateLimit {
            retry_after_secs,
            status,
        } => rate_headers(
            err(*status, faults::SECONDARY_MESSAGE, faults::SECONDARY_DOCS),
            &g,
        )
        .header("retry-after", retry_after_secs.to_string()),
        Fault::MalformedJson => {
            let mut o = rate_headers(Out::new(200), &g)
                .header("content-type", "application/json; charset=utf-8");
            o.body = faults::truncate(b"");
            o
        }
        Fault::Stall(_) => Out::new(500),
    };
    github_headers(out, n)
}
