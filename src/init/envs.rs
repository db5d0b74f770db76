//! The environments of all workflows together: merged, classed by name (development-like,
//! staging-like, production-like) and put in pipeline order.

use super::scan::ScannedWorkflow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// As first written (GitHub compares names case-insensitively).
    pub name: String,
    /// The first literal URL any workflow gives it.
    pub url: Option<String>,
    /// A health endpoint's path a deploying job calls (see `scan::FoundEnvironment`).
    pub health_path: Option<String>,
    /// Likewise a path a deploying job reads the version from.
    pub version_path: Option<String>,
    /// Production-like name: the typed phrase guards actions on it.
    pub protected: bool,
    /// The workflow files that deploy to it, in file order.
    pub workflows: Vec<String>,
}

/// Where a name sits in a release pipeline; environments are listed in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Development,
    /// A name that says nothing about its stage (`docs`, `github-pages`, `eu-west`).
    Other,
    Staging,
    Production,
}

/// Every environment of `workflows`, deduplicated case-insensitively; ordered by [`Stage`],
/// and by first appearance (files by name, jobs in file order) within a stage.
pub fn collect(workflows: &[ScannedWorkflow]) -> Vec<Environment> {
    let mut out: Vec<Environment> = Vec::new();
    for w in workflows {
        for found in &w.environments {
            match out
                .iter_mut()
                .find(|e| e.name.eq_ignore_ascii_case(&found.name))
            {
                Some(env) => {
                    if env.url.is_none() {
                        env.url.clone_from(&found.url);
                    }
                    if env.health_path.is_none() {
                        env.health_path.clone_from(&found.health_path);
                    }
                    if env.version_path.is_none() {
                        env.version_path.clone_from(&found.version_path);
                    }
                    if !env.workflows.contains(&w.file) {
                        env.workflows.push(w.file.clone());
                    }
                }
                None => out.push(Environment {
                    name: found.name.clone(),
                    url: found.url.clone(),
                    health_path: found.health_path.clone(),
                    version_path: found.version_path.clone(),
                    protected: stage(&found.name) == Stage::Production,
                    workflows: vec![w.file.clone()],
                }),
            }
        }
    }
    // Stable: first appearance is kept within a stage.
    out.sort_by_key(|e| stage(&e.name));
    out
}

/// The stage a name's words suggest. Words are the name split at anything that is not a
/// letter or digit, lower-cased, trailing digits dropped (`prod2` is `prod`). `pre-prod` and
/// `non-prod` are not production.
pub fn stage(name: &str) -> Stage {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.to_lowercase()
                .trim_end_matches(|c: char| c.is_ascii_digit())
                .to_owned()
        })
        .collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    let prod_word = |w: &str| PRODUCTION.contains(&w);
    let qualified_prod = words.windows(2).any(|pair| {
        matches!(pair[0].as_str(), "pre" | "non" | "not") && prod_word(pair[1].as_str())
    });
    let bare_prod = words.iter().enumerate().any(|(i, w)| {
        prod_word(w) && !(i > 0 && matches!(words[i - 1].as_str(), "pre" | "non" | "not"))
    });
    if bare_prod {
        Stage::Production
    } else if qualified_prod || has(STAGING) {
        Stage::Staging
    } else if has(DEVELOPMENT) {
        Stage::Development
    } else {
        Stage::Other
    }
}

const PRODUCTION: &[&str] = &["prod", "production", "prd", "live"];
const STAGING: &[&str] = &[
    "staging",
    "stage",
    "stg",
    "uat",
    "preprod",
    "nonprod",
    "preproduction",
];
const DEVELOPMENT: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "qa",
    "sandbox",
    "review",
    "preview",
    "int",
    "integration",
    "demo",
    "local",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::scan::FoundEnvironment;

    #[test]
    fn production_like_names() {
        for name in [
            "production",
            "prod",
            "Production",
            "PROD",
            "prd",
            "live",
            "production-eu",
            "eu_prod",
            "prod2",
            "shop.prod",
            "Prod US",
        ] {
            assert_eq!(stage(name), Stage::Production, "{name}");
        }
        for name in [
            "product-demo",
            "productivity",
            "delivery",
            "pre-prod",
            "preprod",
            "non-prod",
            "olive",
            "staging",
            "github-pages",
        ] {
            assert_ne!(stage(name), Stage::Production, "{name}");
        }
    }

    #[test]
    fn stages_of_other_names() {
        assert_eq!(stage("staging-eu"), Stage::Staging);
        assert_eq!(stage("UAT"), Stage::Staging);
        assert_eq!(stage("pre-prod"), Stage::Staging);
        assert_eq!(stage("dev"), Stage::Development);
        assert_eq!(stage("qa-2"), Stage::Development);
        assert_eq!(stage("review-apps"), Stage::Development);
        assert_eq!(stage("github-pages"), Stage::Other);
        assert_eq!(stage("eu-west"), Stage::Other);
    }

    fn workflow(file: &str, envs: &[(&str, Option<&str>)]) -> ScannedWorkflow {
        ScannedWorkflow {
            file: file.into(),
            name: None,
            events: vec!["push".into()],
            dispatch_inputs: None,
            dispatch_problem: None,
            environments: envs
                .iter()
                .map(|(n, u)| FoundEnvironment {
                    name: (*n).into(),
                    url: u.map(Into::into),
                    health_path: None,
                    version_path: None,
                })
                .collect(),
            notes: Vec::new(),
            unreadable: None,
        }
    }

    #[test]
    fn merged_across_files_in_pipeline_order() {
        let envs = collect(&[
            workflow("a.yml", &[("production", None), ("docs", None)]),
            workflow(
                "b.yml",
                &[
                    ("Production", Some("https://shop.example.com")),
                    ("staging", None),
                    ("dev", None),
                ],
            ),
            workflow("c.yml", &[("pages", None)]),
        ]);
        let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["dev", "docs", "pages", "staging", "production"]);
        let prod = &envs[4];
        assert!(prod.protected);
        assert_eq!(prod.url.as_deref(), Some("https://shop.example.com"));
        assert_eq!(prod.workflows, ["a.yml", "b.yml"]);
        assert!(envs[..4].iter().all(|e| !e.protected));
    }
}
