//! `cockpit init` on realistic workflow sets (tests/fixtures/init/SET/.github/workflows/):
//! the generated TOML is compared with its golden file (insta), loaded and validated by the
//! same code as `cockpit check-config`, and checked for the workflows, environments and
//! dispatch inputs the set really has.

use std::path::{Path, PathBuf};

use cockpit::config::{self, Config};
use cockpit::init::{self, Starter, parse_remote};

struct Expected<'a> {
    api_url: &'a str,
    repo: &'a str,
    workflows: &'a [&'a str],
    /// name, protected, url
    environments: &'a [(&'a str, bool, Option<&'a str>)],
    /// environment name → health check URL
    checks: &'a [(&'a str, &'a str)],
    /// file → dispatch input names
    inputs: &'a [(&'a str, &'a [&'a str])],
    /// what the comments must say (whitespace and line wrapping aside); a leading `#` is
    /// ignored
    comments: &'a [&'a str],
}

fn set_dir(set: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/init")
        .join(set)
}

/// The set's starter config, its text, and the text loaded by the config loader.
fn generate(set: &str, remote: &str) -> (Starter, String, Config) {
    let files = init::checkout::workflow_files(&set_dir(set)).unwrap();
    assert!(!files.is_empty(), "{set}: no workflow files");
    let repo = parse_remote(remote).unwrap();
    let starter = init::starter(repo, "the `origin` remote", &files);
    let text = init::render(&starter);
    let path = PathBuf::from(format!("{set}/cockpit.toml"));
    let config = config::parse_str(&text, &path).unwrap_or_else(|e| {
        panic!("{set}: the generated config fails check-config:\n{e}\n\n{text}")
    });
    (starter, text, config)
}

/// Every comment's text, joined by spaces: what the comments say, however lines wrap.
fn comments(text: &str) -> String {
    let parts: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once('#').map(|(_, c)| c))
        .collect();
    squeeze(&parts.join(" "))
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks `set` against `want` and its golden file; returns the text for further checks.
fn check(set: &str, remote: &str, want: &Expected<'_>) -> String {
    let (starter, text, config) = generate(set, remote);

    assert_eq!(config.github.api_url, want.api_url, "{set}: api_url");
    assert_eq!(config.repos.len(), 1);
    assert_eq!(config.repos[0].name, want.repo, "{set}: repo");
    assert_eq!(
        config.repos[0].workflows, want.workflows,
        "{set}: workflows"
    );
    let envs: Vec<(&str, bool, Option<&str>)> = config
        .environments
        .iter()
        .map(|e| (e.name.as_str(), e.protected, e.url.as_deref()))
        .collect();
    assert_eq!(envs, want.environments, "{set}: environments");
    let checks: Vec<(&str, &str)> = config
        .environments
        .iter()
        .flat_map(|e| {
            e.checks
                .iter()
                .map(move |c| (e.name.as_str(), c.url.as_str()))
        })
        .collect();
    assert_eq!(checks, want.checks, "{set}: checks");
    let inputs: Vec<(&str, Vec<&str>)> = starter
        .watched()
        .filter_map(|w| {
            let inputs = w.dispatch_inputs.as_ref()?;
            Some((
                w.file.as_str(),
                inputs.iter().map(|i| i.name.as_str()).collect(),
            ))
        })
        .collect();
    let want_inputs: Vec<(&str, Vec<&str>)> =
        want.inputs.iter().map(|(f, i)| (*f, i.to_vec())).collect();
    assert_eq!(inputs, want_inputs, "{set}: dispatch inputs");
    let prose = comments(&text);
    for want in want.comments {
        let want = squeeze(want.trim_start_matches('#'));
        assert!(
            prose.contains(&want),
            "{set}: the comments do not say {want:?}:\n{text}"
        );
    }
    // Nothing the user did not write: no token, no credentials, no placeholder that loads.
    assert!(!text.to_lowercase().contains("token ="), "{set}");
    insta::assert_snapshot!(set, text);
    text
}

#[test]
fn opticserp_the_shared_pipeline() {
    check(
        "opticserp",
        "git@github.com:optics/opticserp.git",
        &Expected {
            api_url: "https://api.github.com",
            repo: "optics/opticserp",
            workflows: &[
                "build.yml",
                "ci.yml",
                "deploy-production.yml",
                "deploy-staging.yml",
            ],
            environments: &[
                (
                    "staging",
                    false,
                    Some("https://staging.opticserp.example.com"),
                ),
                ("production", true, Some("https://opticserp.example.com")),
            ],
            checks: &[
                (
                    "staging",
                    "https://staging.opticserp.example.com/web/health",
                ),
                ("production", "https://opticserp.example.com/web/health"),
            ],
            inputs: &[
                ("deploy-production.yml", &["version"]),
                ("deploy-staging.yml", &[]),
            ],
            comments: &[
                "#   deploy-production.yml (deploys to production)",
                "#     version  string, required · Version tag to deploy (e.g., v1.2.3)",
                "#   deploy-staging.yml (deploys to staging)",
                "# url = \"https://opticserp.example.com/web/version\"",
            ],
        },
    );
}

#[test]
fn monorepo_with_matrix_and_choice_environments_on_enterprise() {
    let text = check(
        "monorepo-matrix",
        "ssh://git@git.acme.corp:7999/platform/monorepo.git",
        &Expected {
            api_url: "https://git.acme.corp/api/v3",
            repo: "platform/monorepo",
            workflows: &[
                "ci.yaml",
                "deploy.yml",
                "nightly.yml",
                "promote.yml",
                "release.yml",
            ],
            environments: &[
                ("dev", false, None),
                ("sandbox", false, Some("https://sandbox.acme.dev")),
                ("staging", false, None),
                ("production", true, Some("https://acme.dev")),
                ("eu-prod", true, None),
                ("us-prod", true, None),
                ("ap-prod", true, None),
            ],
            checks: &[
                ("sandbox", "https://sandbox.acme.dev/healthz"),
                ("production", "https://acme.dev/api/v1/health"),
            ],
            inputs: &[
                ("deploy.yml", &["service", "environment", "dry_run"]),
                ("nightly.yml", &[]),
                ("promote.yml", &["version"]),
            ],
            comments: &[
                "#     service      choice, required, options: api | web | worker · Which service to deploy",
                "#     environment  choice, default \"dev\", options: dev | staging | production · Target environment",
                "#     dry_run      boolean, default \"false\" · Plan only, change nothing",
                "#   promote.yml (deploys to eu-prod, us-prod, ap-prod)",
                "TODO: GitHub Enterprise API, guessed from the remote's host git.acme.corp",
            ],
        },
    );
    // `Production` in release.yml is the same environment as deploy.yml's `production`.
    assert!(text.contains("name = \"production\"   # deploy.yml, release.yml\n"));
}

#[test]
fn name_url_environments_in_yaml_files() {
    check(
        "pages-and-yaml",
        "https://github.com/example-org/site.git",
        &Expected {
            api_url: "https://api.github.com",
            repo: "example-org/site",
            workflows: &["deploy.yaml", "pages.yaml", "review-apps.yaml"],
            environments: &[
                ("qa", false, Some("https://qa.example.org/")),
                ("github-pages", false, None),
                ("staging", false, Some("https://staging.example.org")),
                ("prod", true, Some("https://example.org")),
            ],
            checks: &[
                ("qa", "https://qa.example.org/"),
                ("staging", "https://staging.example.org/-/health"),
                ("prod", "https://example.org"),
            ],
            inputs: &[
                ("deploy.yaml", &["target", "version", "notify"]),
                ("pages.yaml", &[]),
            ],
            comments: &[
                "#     target   environment, required · Environment to deploy to",
                "deploy.yaml: job `manual`, environment `${{ inputs.target }}`: the input `target` picks any of the repository's environments at dispatch time",
                "review-apps.yaml: job `review`, environment `review-${{ github.event.number }}`: it is only known when the job runs",
            ],
        },
    );
}

#[test]
fn reusable_workflows_and_every_spelling_of_on() {
    let (starter, text, _) = generate("reusable-triggers", "git@github.com:acme/tools.git");
    let unreadable: Vec<&str> = starter.unreadable().map(|(f, _)| f).collect();
    assert_eq!(unreadable, ["broken.yml"]);
    assert!(!text.contains("README"), "README.md is not a workflow");
    check(
        "reusable-triggers",
        "git@github.com:acme/tools.git",
        &Expected {
            api_url: "https://api.github.com",
            repo: "acme/tools",
            // _deploy.yml has no runs of its own; broken.yml cannot be read.
            workflows: &[
                "cleanup.yml",
                "hotfix.yaml",
                "legacy.yml",
                "odd-inputs.yml",
                "release.yml",
            ],
            environments: &[
                (
                    "pre-prod",
                    false,
                    Some("http://preprod.internal.example:8080"),
                ),
                ("uat", false, None),
                ("staging", false, None),
                ("live", true, None),
                ("production", true, None),
            ],
            checks: &[(
                "pre-prod",
                "http://preprod.internal.example:8080/status/health.json",
            )],
            inputs: &[
                ("cleanup.yml", &[]),
                ("hotfix.yaml", &["ticket", "level"]),
                ("legacy.yml", &[]),
            ],
            comments: &[
                "#   _deploy.yml: reusable (workflow_call only): its jobs run inside its callers' runs",
                "#   broken.yml: could not be read: invalid YAML",
                "#     ticket  string, required · Incident ticket, e.g. INC-1234",
                "#     level   choice, default \"patch\", options: patch | minor",
                "odd-inputs.yml (deploys to uat) its inputs could not be read, so cockpit cannot dispatch it: on.workflow_dispatch.inputs.suite.type: unknown input type \"multiselect\"",
                "_deploy.yml: job `deploy`, environment `${{ inputs.environment }}`: the input `environment` comes from the calling workflow's `with:`",
            ],
        },
    );
}

#[test]
fn generate_takes_the_remote_url_as_git_prints_it() {
    let files = init::checkout::workflow_files(&set_dir("opticserp")).unwrap();
    let text = init::generate("https://github.com/optics/opticserp\n", &files).unwrap();
    assert!(text.contains("name = \"optics/opticserp\"   # from the `origin` remote"));
    assert!(init::generate("/srv/git/opticserp.git", &files).is_err());
}
