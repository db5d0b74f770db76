//! Rate limit, the viewer, releases, contents, commits and comparisons.

use serde_json::{Value, json};

use super::history::{self, DAY, VIEWER};
use super::plans::WORKFLOWS;
use super::render::{self, Cx, base64};
use super::routes::{Reply, Req, with_link};
use super::scenario::World;
use super::state::{Quota, RATE_LIMIT};

pub(crate) fn rate_limit(cx: &Cx, q: &Quota) -> Reply {
    let core =
        json!({"limit": RATE_LIMIT, "used": q.used, "remaining": q.remaining(), "reset": q.reset});
    let now = cx.unix(cx.t);
    let other = |limit: u32, reset: i64| json!({"limit": limit, "used": 0, "remaining": limit, "reset": reset});
    Reply::ok(json!({
        "resources": {
            "core": core, "search": other(30, now + 60), "graphql": other(5000, q.reset),
            "integration_manifest": other(5000, q.reset), "source_import": other(100, now + 60),
            "code_scanning_upload": other(1000, q.reset), "actions_runner_registration": other(10000, q.reset),
            "scim": other(15000, q.reset), "dependency_snapshots": other(100, now + 60), "code_search": other(10, now + 60),
            "code_scanning_autofix": other(10, now + 60)
        },
        "rate": core
    }))
}

/// `GET /user`: the authenticated user, with private profile fields.
pub(crate) fn viewer(cx: &Cx) -> Reply {
    let mut v = render::user(cx, VIEWER);
    let (_, _, name, email, _) = history::user(VIEWER);
    let extra = json!({
        "name": name, "company": "@acme", "blog": "https://github.blog", "location": "San Francisco", "email": email,
        "hireable": null, "bio": null, "twitter_username": null, "public_repos": 8, "public_gists": 8, "followers": 20,
        "following": 9, "created_at": "2011-01-25T18:44:36Z", "updated_at": cx.ts(-3 * DAY), "private_gists": 0,
        "total_private_repos": 3, "owned_private_repos": 1, "disk_usage": 10_000, "collaborators": 1,
        "two_factor_authentication": true, "plan": {"name": "pro", "space": 976_562_499, "private_repos": 9999, "collaborators": 0}
    });
    if let (Some(m), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        m.extend(e.clone());
    }
    Reply::ok(v)
}

/// Releases visible at `t`, newest first.
pub(crate) fn releases(w: &World, cx: &Cx, req: &Req) -> Reply {
    let mut rs: Vec<&history::Release> = w.hist.releases.iter().filter(|r| r.at <= cx.t).collect();
    rs.sort_by_key(|r| std::cmp::Reverse(r.at));
    let all: Vec<Value> = rs
        .into_iter()
        .map(|r| render::release(cx, &w.hist, r))
        .collect();
    let (page, link) = req.page(cx, all);
    with_link(Reply::ok(Value::Array(page)), link)
}

pub(crate) fn latest_release(w: &World, cx: &Cx) -> Reply {
    w.hist
        .releases
        .iter()
        .filter(|r| r.at <= cx.t)
        .max_by_key(|r| r.at)
        .map_or_else(Reply::not_found, |r| {
            Reply::ok(render::release(cx, &w.hist, r))
        })
}

pub(crate) fn release_by_tag(w: &World, cx: &Cx, tag: &str) -> Reply {
    w.hist
        .releases
        .iter()
        .find(|r| r.tag == tag && r.at <= cx.t)
        .map_or_else(Reply::not_found, |r| {
            Reply::ok(render::release(cx, &w.hist, r))
        })
}

fn wrap60(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 60 + 1);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && i % 60 == 0 {
            out.push('\n');
        }
        out.push(c);
    }
    out.push('\n');
    out
}

fn entry(cx: &Cx, r: &str, path: &str, kind: &str, size: usize) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let sha = history::fake_sha(&format!("blob:{path}"));
    let git = if kind == "dir" {
        format!("{}/git/trees/{sha}", cx.api())
    } else {
        format!("{}/git/blobs/{sha}", cx.api())
    };
    let html = format!(
        "{}/{}/{r}/{path}",
        cx.html(),
        if kind == "dir" { "tree" } else { "blob" }
    );
    let url = format!("{}/contents/{path}?ref={r}", cx.api());
    let download = if kind == "dir" {
        Value::Null
    } else {
        json!(format!(
            "https://raw.githubusercontent.com/{}/{r}/{path}",
            cx.full_name()
        ))
    };
    json!({
        "type": kind, "size": size, "name": name, "path": path, "sha": sha, "url": url, "git_url": git, "html_url": html,
        "download_url": download, "_links": {"self": url, "git": git, "html": html}
    })
}

/// `GET .../contents/{path}?ref=`: the workflow files and their directory.
pub(crate) fn contents(w: &World, cx: &Cx, req: &Req, path: &str) -> Reply {
    let r = req.q("ref").unwrap_or("main");
    if w.hist.resolve(r).is_none() {
        return Reply::error(404, format!("No commit found for the ref {r}"));
    }
    let path = path.trim_matches('/');
    let file = |wf: &super::plans::Workflow| format!(".github/workflows/{}", wf.file);
    match path {
        ".github" => Reply::ok(json!([entry(cx, r, ".github/workflows", "dir", 0)])),
        ".github/workflows" => Reply::ok(Value::Array(
            WORKFLOWS
                .iter()
                .map(|wf| entry(cx, r, &file(wf), "file", wf.yaml.len()))
                .collect(),
        )),
        _ => match WORKFLOWS.iter().find(|wf| file(wf) == path) {
            Some(wf) => {
                let mut v = entry(cx, r, path, "file", wf.yaml.len());
                if let Some(m) = v.as_object_mut() {
                    m.insert("encoding".into(), json!("base64"));
                    m.insert("content".into(), json!(wrap60(&base64(wf.yaml.as_bytes()))));
                }
                Reply::ok(v)
            }
            None => Reply::not_found(),
        },
    }
}

pub(crate) fn commit(w: &World, cx: &Cx, r: &str) -> Reply {
    match w.hist.resolve(r).filter(|i| w.hist.commits[*i].at <= cx.t) {
        Some(i) => Reply::ok(render::commit(cx, &w.hist, i, true)),
        None => Reply::error(422, format!("No commit found for SHA: {r}")),
    }
}

/// `GET .../compare/{base}...{head}`.
pub(crate) fn compare(w: &World, cx: &Cx, basehead: &str) -> Reply {
    let Some((b, h)) = basehead.split_once("...") else {
        return Reply::not_found();
    };
    let (Some(bi), Some(hi)) = (w.hist.resolve(b), w.hist.resolve(h)) else {
        return Reply::not_found();
    };
    let (ba, ha) = (w.hist.ancestry(bi), w.hist.ancestry(hi));
    let ahead: Vec<usize> = ha.iter().copied().filter(|c| !ba.contains(c)).collect();
    let behind = ba.iter().filter(|c| !ha.contains(c)).count();
    let merge_base = ha.iter().copied().find(|c| ba.contains(c)).unwrap_or(bi);
    let status = match (ahead.is_empty(), behind == 0) {
        (true, true) => "identical",
        (false, true) => "ahead",
        (true, false) => "behind",
        (false, false) => "diverged",
    };
    let commits: Vec<Value> = ahead
        .iter()
        .rev()
        .map(|c| render::commit(cx, &w.hist, *c, false))
        .collect();
    let files: Vec<Value> = ahead
        .iter()
        .rev()
        .flat_map(|c| {
            let commit = &w.hist.commits[*c];
            commit
                .files
                .iter()
                .map(|f| render::file_json(cx, &commit.sha, f))
        })
        .collect();
    let (bs, hs) = (&w.hist.commits[bi].sha, &w.hist.commits[hi].sha);
    let html = format!("{}/compare/{basehead}", cx.html());
    Reply::ok(json!({
        "url": format!("{}/compare/{basehead}", cx.api()), "html_url": html,
        "permalink_url": format!("{}/compare/{}:{bs}...{}:{hs}", cx.html(), cx.owner, cx.owner),
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"),
        "base_commit": render::commit(cx, &w.hist, bi, false), "merge_base_commit": render::commit(cx, &w.hist, merge_base, false),
        "status": status, "ahead_by": ahead.len(), "behind_by": behind, "total_commits": ahead.len(),
        "commits": commits, "files": files
    }))
}
