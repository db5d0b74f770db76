//! The repository's fixed past: people, commits, tags and releases of `acme/shop`.
//! Times are seconds relative to the simulator's start (negative = before it).

use sha2::{Digest, Sha256};

pub(crate) const MINUTE: i64 = 60;
pub(crate) const HOUR: i64 = 3600;
pub(crate) const DAY: i64 = 86_400;

/// login, id, display name, email, type
pub(crate) const USERS: &[(&str, u64, &str, &str, &str)] = &[
    (
        "octocat",
        583_231,
        "The Octocat",
        "octocat@github.com",
        "User",
    ),
    (
        "alice-dev",
        5_830_121,
        "Alice Martin",
        "alice@acme.example",
        "User",
    ),
    (
        "bob-cart",
        7_741_209,
        "Bob Okafor",
        "bob@acme.example",
        "User",
    ),
    (
        "carol-sre",
        3_318_722,
        "Carol Nguyen",
        "carol@acme.example",
        "User",
    ),
    (
        "github-actions[bot]",
        41_898_282,
        "github-actions[bot]",
        "41898282+github-actions[bot]@users.noreply.github.com",
        "Bot",
    ),
];

/// The authenticated user of the simulator (what `GET /user` answers).
pub(crate) const VIEWER: &str = "octocat";

pub(crate) struct FileChange {
    pub name: &'static str,
    pub status: &'static str,
    pub additions: u32,
    pub deletions: u32,
}

pub(crate) struct Commit {
    pub sha: String,
    pub tree: String,
    pub message: &'static str,
    pub author: &'static str,
    pub at: i64,
    pub parent: Option<usize>,
    pub files: Vec<FileChange>,
}

pub(crate) struct Release {
    pub id: u64,
    pub tag: &'static str,
    pub commit: usize,
    pub at: i64,
    pub author: &'static str,
    pub body: &'static str,
}

pub(crate) struct History {
    pub commits: Vec<Commit>,
    pub branches: Vec<(&'static str, usize)>,
    pub tags: Vec<(&'static str, usize)>,
    pub releases: Vec<Release>,
}

/// A deterministic 40-hex "git" id.
pub(crate) fn fake_sha(seed: &str) -> String {
    let mut h = hex::encode(Sha256::digest(seed.as_bytes()));
    h.truncate(40);
    h
}

fn fc(name: &'static str, status: &'static str, additions: u32, deletions: u32) -> FileChange {
    FileChange {
        name,
        status,
        additions,
        deletions,
    }
}

type Seed = (
    &'static str,
    &'static str,
    i64,
    Option<usize>,
    &'static [(&'static str, &'static str, u32, u32)],
);

const COMMITS: &[Seed] = &[
    (
        "Add cart totals endpoint",
        "alice-dev",
        -12 * DAY,
        None,
        &[
            ("src/cart/totals.rs", "added", 142, 0),
            ("src/routes.rs", "modified", 6, 1),
        ],
    ),
    (
        "Release v1.3.0",
        "carol-sre",
        -10 * DAY,
        Some(0),
        &[
            ("CHANGELOG.md", "modified", 9, 0),
            ("Cargo.toml", "modified", 1, 1),
        ],
    ),
    (
        "Fix rounding of discounted totals",
        "bob-cart",
        -7 * DAY,
        Some(1),
        &[("src/cart/totals.rs", "modified", 12, 7)],
    ),
    (
        "Release v1.3.1",
        "carol-sre",
        -6 * DAY,
        Some(2),
        &[
            ("CHANGELOG.md", "modified", 5, 0),
            ("Cargo.toml", "modified", 1, 1),
        ],
    ),
    (
        "Cache product prices for 60s",
        "alice-dev",
        -4 * DAY,
        Some(3),
        &[
            ("src/catalog/prices.rs", "modified", 48, 11),
            ("src/cache.rs", "added", 77, 0),
        ],
    ),
    (
        "Release v1.3.2",
        "carol-sre",
        -2 * DAY,
        Some(4),
        &[
            ("CHANGELOG.md", "modified", 6, 0),
            ("Cargo.toml", "modified", 1, 1),
        ],
    ),
    (
        "Add saved carts API",
        "bob-cart",
        -30 * HOUR,
        Some(5),
        &[
            ("src/cart/saved.rs", "added", 210, 0),
            ("migrations/0042_saved_carts.sql", "added", 18, 0),
        ],
    ),
    (
        "Migrate sessions to Redis",
        "alice-dev",
        -20 * HOUR,
        Some(6),
        &[
            ("src/session.rs", "modified", 96, 64),
            ("Cargo.toml", "modified", 1, 0),
        ],
    ),
    (
        "Bump tokio to 1.48",
        "alice-dev",
        -8 * HOUR,
        Some(7),
        &[
            ("Cargo.lock", "modified", 14, 14),
            ("Cargo.toml", "modified", 1, 1),
        ],
    ),
    (
        "Release v1.4.0",
        "carol-sre",
        -5 * HOUR,
        Some(8),
        &[
            ("CHANGELOG.md", "modified", 12, 0),
            ("Cargo.toml", "modified", 1, 1),
        ],
    ),
    (
        "Log slow checkout queries",
        "alice-dev",
        -2 * HOUR,
        Some(9),
        &[("src/checkout/db.rs", "modified", 22, 3)],
    ),
    (
        "Retry payment webhooks on 502",
        "carol-sre",
        -HOUR,
        Some(10),
        &[("src/payments/webhook.rs", "modified", 35, 9)],
    ),
    (
        "Show delivery estimate in cart",
        "alice-dev",
        -2 * MINUTE,
        Some(11),
        &[
            ("src/cart/view.rs", "modified", 41, 6),
            ("templates/cart.html", "modified", 9, 2),
        ],
    ),
    (
        "Cart: split shipping and tax lines",
        "bob-cart",
        -50 * MINUTE,
        Some(10),
        &[("src/cart/totals.rs", "modified", 58, 21)],
    ),
    (
        "Cart: handle expired coupons",
        "bob-cart",
        -28 * MINUTE,
        Some(13),
        &[
            ("src/cart/coupons.rs", "modified", 33, 8),
            ("tests/coupons.rs", "modified", 40, 2),
        ],
    ),
];

const RELEASES: &[(u64, &str, usize, &str)] = &[
    (
        182_734_561,
        "v1.3.0",
        1,
        "## What's changed\n* Add cart totals endpoint by @alice-dev",
    ),
    (
        184_019_233,
        "v1.3.1",
        3,
        "## What's changed\n* Fix rounding of discounted totals by @bob-cart",
    ),
    (
        185_552_870,
        "v1.3.2",
        5,
        "## What's changed\n* Cache product prices for 60s by @alice-dev",
    ),
    (
        187_306_412,
        "v1.4.0",
        9,
        "## What's changed\n* Add saved carts API by @bob-cart\n* Migrate sessions to Redis by @alice-dev\n* Bump tokio to 1.48 by @alice-dev",
    ),
];

impl History {
    pub(crate) fn new() -> Self {
        let commits = COMMITS
            .iter()
            .enumerate()
            .map(|(i, (message, author, at, parent, files))| Commit {
                sha: fake_sha(&format!("commit:{i}:{message}")),
                tree: fake_sha(&format!("tree:{i}:{message}")),
                message,
                author,
                at: *at,
                parent: *parent,
                files: files.iter().map(|(n, s, a, d)| fc(n, s, *a, *d)).collect(),
            })
            .collect();
        let releases = RELEASES
            .iter()
            .map(|(id, tag, commit, body)| Release {
                id: *id,
                tag,
                commit: *commit,
                at: COMMITS[*commit].2 + 10 * MINUTE,
                author: "carol-sre",
                body,
            })
            .collect();
        History {
            commits,
            branches: vec![("main", 12), ("feature/cart", 14)],
            tags: vec![("v1.3.0", 1), ("v1.3.1", 3), ("v1.3.2", 5), ("v1.4.0", 9)],
            releases,
        }
    }

    /// Branch, tag, `refs/heads/..`, `refs/tags/..`, full sha or a prefix of 7+ hex digits.
    pub(crate) fn resolve(&self, r: &str) -> Option<usize> {
        let r = r.strip_prefix("refs/").unwrap_or(r);
        let r = r
            .strip_prefix("heads/")
            .or_else(|| r.strip_prefix("tags/"))
            .unwrap_or(r);
        if let Some((_, i)) = self
            .branches
            .iter()
            .chain(self.tags.iter())
            .find(|(n, _)| *n == r)
        {
            return Some(*i);
        }
        if r.len() >= 7 && r.chars().all(|c| c.is_ascii_hexdigit()) {
            return self
                .commits
                .iter()
                .position(|c| c.sha.starts_with(&r.to_ascii_lowercase()));
        }
        None
    }

    /// The commit and its ancestors, newest first.
    pub(crate) fn ancestry(&self, mut idx: usize) -> Vec<usize> {
        let mut out = vec![idx];
        while let Some(p) = self.commits.get(idx).and_then(|c| c.parent) {
            out.push(p);
            idx = p;
        }
        out
    }

    /// `git describe --tags` of a commit, e.g. `v1.4.0-3-g1a2b3c4`.
    pub(crate) fn describe(&self, idx: usize) -> String {
        for (n, c) in self.ancestry(idx).into_iter().enumerate() {
            if let Some((tag, _)) = self.tags.iter().find(|(_, i)| *i == c) {
                return if n == 0 {
                    (*tag).to_string()
                } else {
                    format!("{tag}-{n}-g{}", &self.commits[idx].sha[..7])
                };
            }
        }
        self.commits[idx].sha[..7].to_string()
    }
}

pub(crate) fn user(login: &str) -> (&'static str, u64, &'static str, &'static str, &'static str) {
    USERS
        .iter()
        .copied()
        .find(|u| u.0 == login)
        .unwrap_or(USERS[0])
}
