//! JSON bodies shaped like GitHub's published examples (tests/fixtures/github-endpoints.json),
//! built with `json!` so the simulator stays independent of cockpit's own models.
//! This file: shared pieces (time, users, repository, team, environments, deployments,
//! releases, commits). Actions objects are in `render_actions.rs`.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::deploys::{Deployment, ENVIRONMENTS, StatusRec};
use super::history::{self, Commit, History, Release};

/// What every body needs: where the API lives, which repo, and the clock.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    /// The API's root, prefix included (`http://127.0.0.1:PORT/api/v3` in GHES mode).
    pub base: &'a str,
    /// The server's root, where the log host lives (`http://127.0.0.1:PORT`).
    pub host: &'a str,
    pub owner: &'a str,
    pub repo: &'a str,
    pub start: DateTime<Utc>,
    pub t: i64,
    /// The server predates `return_run_details` (see `SimOptions::legacy_dispatch`).
    pub legacy_dispatch: bool,
}

impl Cx<'_> {
    /// API url of the repository, e.g. `http://127.0.0.1:PORT/repos/acme/shop`.
    pub(crate) fn api(&self) -> String {
        format!("{}/repos/{}/{}", self.base, self.owner, self.repo)
    }

    /// Web url of the repository.
    pub(crate) fn html(&self) -> String {
        format!("https://github.com/{}/{}", self.owner, self.repo)
    }

    pub(crate) fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }

    /// GitHub's timestamp format for an offset from the start.
    pub(crate) fn ts(&self, offset: i64) -> String {
        (self.start + Duration::seconds(offset))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    }

    pub(crate) fn ts_opt(&self, offset: Option<i64>) -> Value {
        offset.map_or(Value::Null, |o| Value::String(self.ts(o)))
    }

    pub(crate) fn unix(&self, offset: i64) -> i64 {
        (self.start + Duration::seconds(offset)).timestamp()
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// GitHub-style opaque node id.
pub(crate) fn node_id(kind: &str, id: u64) -> String {
    base64(format!("0{}:{kind}{id}", kind.len()).as_bytes())
}

pub(crate) fn user(cx: &Cx, login: &str) -> Value {
    let (login, id, _, _, kind) = history::user(login);
    user_json(cx, login, id, kind)
}

fn user_json(cx: &Cx, login: &str, id: u64, kind: &str) -> Value {
    let u = format!("{}/users/{login}", cx.base);
    json!({
        "login": login, "id": id, "node_id": node_id("User", id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"), "gravatar_id": "",
        "url": u, "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{u}/followers"), "following_url": format!("{u}/following{{/other_user}}"),
        "gists_url": format!("{u}/gists{{/gist_id}}"), "starred_url": format!("{u}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{u}/subscriptions"), "organizations_url": format!("{u}/orgs"),
        "repos_url": format!("{u}/repos"), "events_url": format!("{u}/events{{/privacy}}"),
        "received_events_url": format!("{u}/received_events"), "type": kind, "user_view_type": "public", "site_admin": false
    })
}

/// The `minimal-repository` object.
pub(crate) fn repository(cx: &Cx) -> Value {
    let api = cx.api();
    let mut v = json!({
        "id": 702_113_894u64, "node_id": node_id("Repository", 702_113_894), "name": cx.repo, "full_name": cx.full_name(),
        "owner": user_json(cx, cx.owner, 91_234_567, "Organization"), "private": true, "html_url": cx.html(),
        "description": "The acme web shop", "fork": false, "url": api,
        "git_url": format!("git://github.com/{}.git", cx.full_name()), "ssh_url": format!("git@github.com:{}.git", cx.full_name()),
        "clone_url": format!("{}.git", cx.html()), "svn_url": cx.html(),
        "hooks_url": format!("{api}/hooks"),
    });
    let templates = [
        ("archive_url", "/{archive_format}{/ref}"),
        ("assignees_url", "/assignees{/user}"),
        ("blobs_url", "/git/blobs{/sha}"),
        ("branches_url", "/branches{/branch}"),
        ("collaborators_url", "/collaborators{/collaborator}"),
        ("comments_url", "/comments{/number}"),
        ("commits_url", "/commits{/sha}"),
        ("compare_url", "/compare/{base}...{head}"),
        ("contents_url", "/contents/{+path}"),
        ("contributors_url", "/contributors"),
        ("deployments_url", "/deployments"),
        ("downloads_url", "/downloads"),
        ("events_url", "/events"),
        ("forks_url", "/forks"),
        ("git_commits_url", "/git/commits{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"),
        ("git_tags_url", "/git/tags{/sha}"),
        ("issue_comment_url", "/issues/comments{/number}"),
        ("issue_events_url", "/issues/events{/number}"),
        ("issues_url", "/issues{/number}"),
        ("keys_url", "/keys{/key_id}"),
        ("labels_url", "/labels{/name}"),
        ("languages_url", "/languages"),
        ("merges_url", "/merges"),
        ("milestones_url", "/milestones{/number}"),
        (
            "notifications_url",
            "/notifications{?since,all,participating}",
        ),
        ("pulls_url", "/pulls{/number}"),
        ("releases_url", "/releases{/id}"),
        ("stargazers_url", "/stargazers"),
        ("statuses_url", "/statuses/{sha}"),
        ("subscribers_url", "/subscribers"),
        ("subscription_url", "/subscription"),
        ("tags_url", "/tags"),
        ("teams_url", "/teams"),
        ("trees_url", "/git/trees{/sha}"),
    ];
    if let Some(map) = v.as_object_mut() {
        for (k, suffix) in templates {
            map.insert(k.into(), Value::String(format!("{api}{suffix}")));
        }
    }
    v
}

pub(crate) fn team(cx: &Cx) -> Value {
    let id = 4_839_021u64;
    json!({
        "id": id, "node_id": node_id("Team", id), "url": format!("{}/organizations/91234567/team/{id}", cx.base),
        "html_url": format!("https://github.com/orgs/{}/teams/release-managers", cx.owner), "name": "Release Managers",
        "slug": "release-managers", "description": "People who may ship to production", "privacy": "closed",
        "notification_setting": "notifications_enabled", "permission": "push", "type": "organization",
        "members_url": format!("{}/organizations/91234567/team/{id}/members{{/member}}", cx.base),
        "repositories_url": format!("{}/organizations/91234567/team/{id}/repos", cx.base), "parent": null
    })
}

/// The short environment object (inside pending deployments and approvals).
pub(crate) fn env_short(cx: &Cx, name: &str, id: u64) -> Value {
    json!({
        "id": id, "node_id": node_id("Environment", id), "name": name,
        "url": format!("{}/environments/{name}", cx.api()),
        "html_url": format!("{}/deployments/activity_log?environments_filter={name}", cx.html())
    })
}

pub(crate) fn environment(cx: &Cx, name: &str) -> Option<Value> {
    let &(name, id, _, created) = ENVIRONMENTS.iter().find(|e| e.0 == name)?;
    let mut v = env_short(cx, name, id);
    let (rules, policy) = match name {
        "production" => (
            json!([
                {"id": 3_755_412u64, "node_id": node_id("Gate", 3_755_412), "prevent_self_review": false, "type": "required_reviewers",
                 "reviewers": [{"type": "Team", "reviewer": team(cx)}]},
                {"id": 3_755_413u64, "node_id": node_id("Gate", 3_755_413), "type": "branch_policy"}
            ]),
            json!({"protected_branches": false, "custom_branch_policies": true}),
        ),
        "staging" => (
            json!([{"id": 3_755_410u64, "node_id": node_id("Gate", 3_755_410), "type": "branch_policy"}]),
            json!({"protected_branches": true, "custom_branch_policies": false}),
        ),
        _ => (json!([]), Value::Null),
    };
    if let Some(m) = v.as_object_mut() {
        m.insert("created_at".into(), cx.ts(created).into());
        m.insert(
            "updated_at".into(),
            cx.ts(created + 30 * history::DAY).into(),
        );
        m.insert("protection_rules".into(), rules);
        m.insert("deployment_branch_policy".into(), policy);
    }
    Some(v)
}

pub(crate) fn deployment(cx: &Cx, d: &Deployment) -> Value {
    let url = format!("{}/deployments/{}", cx.api(), d.id);
    json!({
        "url": url, "id": d.id, "node_id": node_id("Deployment", d.id), "sha": d.sha, "ref": d.git_ref, "task": d.task,
        "payload": d.payload, "original_environment": d.env, "environment": d.env, "description": d.description,
        "creator": user(cx, &d.creator), "created_at": cx.ts(d.created),
        "updated_at": cx.ts(d.statuses.last().map_or(d.created, |s| s.at)),
        "statuses_url": format!("{url}/statuses"), "repository_url": cx.api(),
        "transient_environment": d.transient, "production_environment": d.production
    })
}

pub(crate) fn deployment_status(cx: &Cx, d: &Deployment, s: &StatusRec) -> Value {
    let dep = format!("{}/deployments/{}", cx.api(), d.id);
    json!({
        "url": format!("{dep}/statuses/{}", s.id), "id": s.id, "node_id": node_id("DeploymentStatus", s.id), "state": s.state,
        "creator": user(cx, &s.creator), "description": s.description, "environment": d.env, "target_url": s.log_url,
        "created_at": cx.ts(s.at), "updated_at": cx.ts(s.at), "deployment_url": dep, "repository_url": cx.api(),
        "environment_url": s.env_url, "log_url": s.log_url
    })
}

pub(crate) fn release(cx: &Cx, h: &History, r: &Release) -> Value {
    let api = cx.api();
    let commit = &h.commits[r.commit];
    json!({
        "url": format!("{api}/releases/{}", r.id), "html_url": format!("{}/releases/tag/{}", cx.html(), r.tag),
        "assets_url": format!("{api}/releases/{}/assets", r.id),
        "upload_url": format!("https://uploads.github.com/repos/{}/releases/{}/assets{{?name,label}}", cx.full_name(), r.id),
        "tarball_url": format!("{api}/tarball/{}", r.tag), "zipball_url": format!("{api}/zipball/{}", r.tag),
        "id": r.id, "node_id": node_id("Release", r.id), "tag_name": r.tag, "target_commitish": "main", "name": r.tag,
        "discussion_url": format!("{}/discussions/{}", cx.html(), 40 + r.id % 100),
        "body": r.body, "draft": false, "prerelease": false, "immutable": false, "created_at": cx.ts(commit.at),
        "published_at": cx.ts(r.at), "updated_at": cx.ts(r.at), "author": user(cx, r.author), "assets": []
    })
}

fn git_person(cx: &Cx, login: &str, at: i64) -> Value {
    let (_, _, name, email, _) = history::user(login);
    json!({ "name": name, "email": email, "date": cx.ts(at) })
}

/// The `commit` object; `detail` adds stats and files (single-commit endpoint).
pub(crate) fn commit(cx: &Cx, h: &History, idx: usize, detail: bool) -> Value {
    let c: &Commit = &h.commits[idx];
    let api = cx.api();
    let parents: Vec<Value> = c.parent.iter().map(|p| {
        let sha = &h.commits[*p].sha;
        json!({"url": format!("{api}/commits/{sha}"), "sha": sha, "html_url": format!("{}/commit/{sha}", cx.html())})
    }).collect();
    let mut v = json!({
        "url": format!("{api}/commits/{}", c.sha), "sha": c.sha, "node_id": base64(format!("C_{}", c.sha).as_bytes()),
        "html_url": format!("{}/commit/{}", cx.html(), c.sha), "comments_url": format!("{api}/commits/{}/comments", c.sha),
        "commit": {
            "url": format!("{api}/git/commits/{}", c.sha), "author": git_person(cx, c.author, c.at),
            "committer": git_person(cx, c.author, c.at), "message": c.message,
            "tree": {"url": format!("{api}/git/trees/{}", c.tree), "sha": c.tree}, "comment_count": 0,
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null}
        },
        "author": user(cx, c.author), "committer": user(cx, c.author), "parents": parents
    });
    if detail && let Some(m) = v.as_object_mut() {
        let (a, d) = c
            .files
            .iter()
            .fold((0, 0), |(a, d), f| (a + f.additions, d + f.deletions));
        m.insert(
            "stats".into(),
            json!({"additions": a, "deletions": d, "total": a + d}),
        );
        m.insert(
            "files".into(),
            Value::Array(c.files.iter().map(|f| file_json(cx, &c.sha, f)).collect()),
        );
    }
    v
}

pub(crate) fn file_json(cx: &Cx, sha: &str, f: &history::FileChange) -> Value {
    json!({
        "sha": history::fake_sha(&format!("blob:{sha}:{}", f.name)), "filename": f.name, "status": f.status,
        "additions": f.additions, "deletions": f.deletions, "changes": f.additions + f.deletions,
        "blob_url": format!("{}/blob/{sha}/{}", cx.html(), f.name), "raw_url": format!("{}/raw/{sha}/{}", cx.html(), f.name),
        "contents_url": format!("{}/contents/{}?ref={sha}", cx.api(), f.name),
        "patch": format!("@@ -1,{} +1,{} @@", f.deletions + 3, f.additions + 3)
    })
}
