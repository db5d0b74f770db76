//! Routing of GitHub API requests to the handlers, and the reply type they return.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::faults::{DOCS, message_for};
use super::render::Cx;
use super::scenario::World;
use super::state::{Inner, RepoName};
use super::{api_deploy, api_repo, api_runs};

pub(crate) enum Payload {
    Json(Value),
    Empty,
}

/// A handler's answer, before the server adds ETag and rate-limit headers.
pub(crate) struct Reply {
    pub status: u16,
    pub payload: Payload,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, v: Value) -> Self {
        Reply {
            status,
            payload: Payload::Json(v),
            headers: vec![],
        }
    }

    pub(crate) fn ok(v: Value) -> Self {
        Self::json(200, v)
    }

    pub(crate) fn empty(status: u16) -> Self {
        Reply {
            status,
            payload: Payload::Empty,
            headers: vec![],
        }
    }

    pub(crate) fn error(status: u16, message: impl Into<String>) -> Self {
        Self::json(
            status,
            json!({ "message": message.into(), "documentation_url": DOCS }),
        )
    }

    pub(crate) fn standard(status: u16) -> Self {
        Self::error(status, message_for(status))
    }

    pub(crate) fn not_found() -> Self {
        Self::standard(404)
    }

    pub(crate) fn header(mut self, name: &'static str, value: String) -> Self {
        self.headers.push((name, value));
        self
    }
}

/// A parsed API request.
pub(crate) struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub segs: Vec<String>,
    pub query: BTreeMap<String, String>,
    pub body: Option<&'a Value>,
    pub user: &'a str,
}

impl Req<'_> {
    pub(crate) fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// `per_page` (default 30, at most 100) and `page` (from 1).
    pub(crate) fn paging(&self) -> (usize, usize) {
        let per = self
            .q("per_page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(30usize)
            .clamp(1, 100);
        let page = self
            .q("page")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1usize)
            .max(1);
        (per, page)
    }

    /// One page of `items`, with GitHub's `Link` header when there is more than one page.
    pub(crate) fn page(&self, cx: &Cx, items: Vec<Value>) -> (Vec<Value>, Option<String>) {
        let (per, page) = self.paging();
        let total = items.len();
        let last = total.div_ceil(per).max(1);
        let slice: Vec<Value> = items.into_iter().skip((page - 1) * per).take(per).collect();
        if last == 1 {
            return (slice, None);
        }
        let url = |p: usize| {
            let mut q: Vec<String> = self
                .query
                .iter()
                .filter(|(k, _)| *k != "page" && *k != "per_page")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            q.push(format!("per_page={per}"));
            q.push(format!("page={p}"));
            format!("<{}{}?{}>", cx.base, self.path, q.join("&"))
        };
        let mut links = vec![];
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        }
        if page < last {
            links.push(format!("{}; rel=\"next\"", url(page + 1)));
            links.push(format!("{}; rel=\"last\"", url(last)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
        }
        (slice, Some(links.join(", ")))
    }
}

pub(crate) fn with_link(reply: Reply, link: Option<String>) -> Reply {
    match link {
        Some(l) => reply.header("link", l),
        None => reply,
    }
}

/// Decodes `%XX` escapes of one path segment.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn parse_query(q: Option<&str>) -> BTreeMap<String, String> {
    q.unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// A rollback recorded as succeeded (`task: rollback`, status `success`) means the server now
/// runs the version it went back to: a health override set through `/_sim/` (the "break the
/// demo" switch) is lifted, so the demo's story — failed cutover, rollback, recovery — plays
/// without anyone flipping it back by hand.
fn rollback_heals(inner: &mut Inner, req: &Req, rest: &[&str], reply: &Reply) {
    let ["deployments", id, "statuses"] = rest else {
        return;
    };
    let succeeded = req.method == "POST"
        && reply.status == 201
        && req
            .body
            .and_then(|b| b.get("state"))
            .and_then(Value::as_str)
            == Some("success");
    if !succeeded {
        return;
    }
    let env = id.parse::<u64>().ok().and_then(|id| {
        inner
            .world
            .deployments
            .iter()
            .find(|d| d.id == id && d.task == "rollback")
            .map(|d| d.env.clone())
    });
    if let Some(env) = env {
        inner.health.remove(&env);
    }
}

/// Dispatches an authenticated, rate-limit-checked API request (`cx` is the main repo's;
/// `second` names the second repo, if there is one).
pub(crate) fn route(inner: &mut Inner, cx: &Cx, second: Option<&RepoName>, req: &Req) -> Reply {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match (req.method, segs.as_slice()) {
        ("GET", ["rate_limit"]) => api_repo::rate_limit(cx, &inner.quota),
        ("GET", ["user"]) => api_repo::viewer(cx),
        (_, ["repos", owner, repo, rest @ ..])
            if owner.eq_ignore_ascii_case(cx.owner) && repo.eq_ignore_ascii_case(cx.repo) =>
        {
            let reply = repo_route(&mut inner.world, cx, req, rest);
            rollback_heals(inner, req, rest, &reply);
            reply
        }
        (_, ["repos", owner, repo, rest @ ..]) => match (second, inner.second.as_mut()) {
            (Some(name), Some(w))
                if owner.eq_ignore_ascii_case(&name.owner)
                    && repo.eq_ignore_ascii_case(&name.repo) =>
            {
                let cx = Cx {
                    owner: &name.owner,
                    repo: &name.repo,
                    ..*cx
                };
                repo_route(w, &cx, req, rest)
            }
            _ => Reply::not_found(),
        },
        _ => Reply::not_found(),
    }
}

fn repo_route(w: &mut World, cx: &Cx, req: &Req, rest: &[&str]) -> Reply {
    match (req.method, rest) {
        ("GET", []) => Reply::ok(super::render::repository(cx)),
        (_, ["actions", ..]) => api_runs::route(w, cx, req, &rest[1..]),
        ("GET", ["environments"]) => api_deploy::environments(cx, req),
        ("GET", ["environments", name]) => api_deploy::environment(cx, name),
        (_, ["deployments", ..]) => api_deploy::route(w, cx, req, &rest[1..]),
        ("GET", ["releases"]) => api_repo::releases(w, cx, req),
        ("GET", ["releases", "latest"]) => api_repo::latest_release(w, cx),
        ("GET", ["releases", "tags", tag]) => api_repo::release_by_tag(w, cx, tag),
        ("GET", ["contents", path @ ..]) => api_repo::contents(w, cx, req, &path.join("/")),
        ("GET", ["commits", r @ ..]) if !r.is_empty() => api_repo::commit(w, cx, &r.join("/")),
        ("GET", ["compare", bh @ ..]) if !bh.is_empty() => api_repo::compare(w, cx, &bh.join("/")),
        _ => Reply::not_found(),
    }
}
