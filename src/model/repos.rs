//! Several `[[repo]]`s in one cockpit: how a repo is named on screen, the `repo:` terms of
//! the runs filter, and finding an environment by repo and name (GitHub's environment names
//! are per repository: `acme/shop` and `acme/payments` may both have a `production`).

use super::env::EnvState;
use super::{Model, RunEntry};

/// The runs filter, parsed: `repo:NAME` terms (a run must be in one of them) and the rest
/// of the text, matched as one substring of any field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunFilter {
    pub repos: Vec<String>,
    /// Lowercased, words joined by single spaces.
    pub text: String,
}

impl RunFilter {
    pub fn parse(filter: &str) -> RunFilter {
        let mut out = RunFilter::default();
        let mut words = Vec::new();
        for word in filter.split_whitespace() {
            match word.split_once(':') {
                Some((key, value)) if key.eq_ignore_ascii_case("repo") && !value.is_empty() => {
                    out.repos.push(value.to_string());
                }
                _ => words.push(word.to_lowercase()),
            }
        }
        out.text = words.join(" ");
        out
    }

    /// Whether `repo` (`owner/name`) passes the `repo:` terms (any of them; none: all pass).
    pub fn repo_passes(&self, repo: &str) -> bool {
        self.repos.is_empty() || self.repos.iter().any(|r| names_repo(r, repo))
    }
}

/// `wanted` names `repo` (`owner/name`): the whole name or the part after the owner,
/// ASCII-case-insensitively as GitHub compares them.
pub fn names_repo(wanted: &str, repo: &str) -> bool {
    let short = repo.split_once('/').map_or(repo, |(_, name)| name);
    wanted.eq_ignore_ascii_case(repo) || wanted.eq_ignore_ascii_case(short)
}

impl Model {
    /// More than one `[[repo]]`: lists name the repo of each row.
    pub fn many_repos(&self) -> bool {
        self.repos.len() > 1
    }

    /// The repos as the header names them: `acme/shop`, `acme: shop, payments` when they
    /// share an owner, else every `owner/name`.
    pub fn repos_title(&self) -> String {
        match self.repos.as_slice() {
            [one] => one.clone(),
            [first, ..] if self.repo_label(first) != first => {
                let owner = first.split_once('/').map_or("", |(o, _)| o);
                let names: Vec<&str> = self.repos.iter().map(|r| self.repo_label(r)).collect();
                format!("{owner}: {}", names.join(", "))
            }
            all => all.join(", "),
        }
    }

    /// How a repo is shown in lists: the name without the owner (`payments`) when every
    /// configured repo has the same owner, else the full `owner/name`.
    pub fn repo_label<'a>(&self, repo: &'a str) -> &'a str {
        let owner = |r: &str| r.split_once('/').map(|(o, _)| o.to_ascii_lowercase());
        let one_owner = self.repos.windows(2).all(|w| owner(&w[0]) == owner(&w[1]));
        match repo.split_once('/') {
            Some((_, name)) if one_owner => name,
            _ => repo,
        }
    }

    /// "CI #42", or "CI #42 (payments)" when there are several repos: how messages,
    /// dialogs and the audit log name a run.
    pub fn run_label(&self, entry: &RunEntry) -> String {
        if self.many_repos() {
            format!("{} ({})", entry.label(), self.repo_label(&entry.repo))
        } else {
            entry.label()
        }
    }

    /// An environment as the operator names it: `production`, or `payments:production` when
    /// there are several repos (the form `:rollback` and `:watch` accept).
    pub fn env_label(&self, env: &EnvState) -> String {
        if self.many_repos() {
            format!("{}:{}", self.repo_label(&env.repo), env.name)
        } else {
            env.name.clone()
        }
    }

    /// The configured environment `name` of `repo`, if there is one.
    pub fn env_of(&self, repo: &str, name: &str) -> Option<usize> {
        self.envs
            .iter()
            .position(|e| e.repo.eq_ignore_ascii_case(repo) && e.name.eq_ignore_ascii_case(name))
    }

    /// The environment an operator typed: `production` when only one repo has one by that
    /// name, else `REPO:production` (REPO as in [`names_repo`]). The error says what to type.
    pub fn find_env(&self, typed: &str) -> Result<usize, String> {
        let named: Vec<usize> = (0..self.envs.len())
            .filter(|&i| self.envs[i].name.eq_ignore_ascii_case(typed))
            .collect();
        match named.as_slice() {
            [one] => return Ok(*one),
            [] => {}
            several => {
                let options: Vec<String> = several
                    .iter()
                    .map(|&i| self.env_label(&self.envs[i]))
                    .collect();
                return Err(format!(
                    "{typed:?} is an environment of several repos: say which, {}",
                    options.join(" or ")
                ));
            }
        }
        let qualified = typed.split_once(':').and_then(|(repo, name)| {
            self.envs
                .iter()
                .position(|e| names_repo(repo, &e.repo) && e.name.eq_ignore_ascii_case(name))
        });
        qualified.ok_or_else(|| {
            let labels: Vec<String> = self.envs.iter().map(|e| self.env_label(e)).collect();
            if labels.is_empty() {
                format!("no environment {typed:?}: none is configured ([[environment]])")
            } else {
                format!(
                    "no environment {typed:?}; environments: {}",
                    labels.join(", ")
                )
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::env::{EnvState, Polled};
    use crate::model::{PollSettings, SourceKey};

    fn model(repos: &[&str], envs: &[(&str, &str)]) -> Model {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
        let sources = repos
            .iter()
            .map(|r| SourceKey {
                repo: r.to_string(),
                workflow: None,
                branch: None,
            })
            .collect();
        let mut m = Model::new(sources, PollSettings::default(), now);
        m.envs = envs
            .iter()
            .map(|(repo, name)| EnvState {
                name: name.to_string(),
                repo: repo.to_string(),
                protected: false,
                confirm_phrase: None,
                rollback: None,
                url: None,
                checks: vec![],
                version_source: None,
                version: Polled::new(now),
                deployments: Polled::new(now),
                cutover: None,
            })
            .collect();
        m
    }

    #[test]
    fn filter_splits_repo_terms_from_text() {
        let f = RunFilter::parse("repo:payments  Deploy   PROD");
        assert_eq!(f.repos, ["payments"]);
        assert_eq!(f.text, "deploy prod");
        assert!(f.repo_passes("acme/payments"));
        assert!(f.repo_passes("ACME/Payments"));
        assert!(!f.repo_passes("acme/shop"));
        // Several repo: terms are alternatives; the full name works too.
        let f = RunFilter::parse("repo:acme/shop repo:payments");
        assert!(f.repo_passes("acme/shop") && f.repo_passes("acme/payments"));
        assert!(!f.repo_passes("acme/shopfront"));
        // Not a term: an empty value, another key.
        assert_eq!(RunFilter::parse("repo:").text, "repo:");
        assert_eq!(RunFilter::parse("branch:main").text, "branch:main");
        assert!(RunFilter::parse("").repos.is_empty());
    }

    #[test]
    fn repo_labels_drop_a_shared_owner_only() {
        let m = model(&["acme/shop", "acme/payments"], &[]);
        assert_eq!(m.repo_label("acme/payments"), "payments");
        assert_eq!(m.repos_title(), "acme: shop, payments");
        let m = model(&["acme/shop", "beta/shop"], &[]);
        assert_eq!(m.repo_label("beta/shop"), "beta/shop");
        assert_eq!(m.repos_title(), "acme/shop, beta/shop");
        let m = model(&["acme/shop"], &[]);
        assert!(!m.many_repos());
        assert_eq!(m.repo_label("acme/shop"), "shop");
        assert_eq!(m.repos_title(), "acme/shop");
    }

    #[test]
    fn environments_are_found_by_repo_and_name() {
        let m = model(
            &["acme/shop", "acme/payments"],
            &[
                ("acme/shop", "staging"),
                ("acme/shop", "production"),
                ("acme/payments", "production"),
            ],
        );
        assert_eq!(m.env_of("acme/payments", "Production"), Some(2));
        assert_eq!(m.env_of("acme/payments", "staging"), None);
        assert_eq!(m.find_env("staging"), Ok(0));
        assert_eq!(m.find_env("payments:production"), Ok(2));
        assert_eq!(m.find_env("acme/shop:production"), Ok(1));
        let err = m.find_env("production").unwrap_err();
        assert!(
            err.contains("shop:production or payments:production"),
            "{err}"
        );
        let err = m.find_env("qa").unwrap_err();
        assert!(err.contains("shop:staging, shop:production"), "{err}");
        assert_eq!(m.env_label(&m.envs[2]), "payments:production");
        let single = model(&["acme/shop"], &[("acme/shop", "production")]);
        assert_eq!(single.env_label(&single.envs[0]), "production");
    }
}
