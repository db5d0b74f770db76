//! The starter config as commented TOML. Written by hand rather than serialised: the
//! comments are the point (what each section does, what was guessed, what to check), and
//! every value goes through [`toml_str`] so any name or URL is quoted correctly.

use std::fmt::Write as _;

use crate::dispatch::{InputKind, InputSpec};

use super::Starter;
use super::envs::Environment;
use super::scan::ScannedWorkflow;

pub fn render(s: &Starter) -> String {
    let mut out = String::new();
    header(s, &mut out);
    github(s, &mut out);
    repo(s, &mut out);
    dispatch_inputs(s, &mut out);
    left_out(s, &mut out);
    environments(s, &mut out);
    footer(&mut out);
    out
}

fn header(s: &Starter, out: &mut String) {
    let _ = writeln!(
        out,
        "# cockpit config for {}, written by `cockpit init` from .github/workflows/.\n\
         # Review the lines marked TODO, then run `cockpit check-config`.\n\
         # Every key is described in docs/config.md.\n\
         #\n\
         # No token belongs in this file: cockpit reads GH_TOKEN, then GITHUB_TOKEN, then\n\
         # [github] token_command, then `gh auth token`.\n",
        s.repo.full_name()
    );
}

fn github(s: &Starter, out: &mut String) {
    out.push_str("[github]\n");
    match s.repo.api_url() {
        Some(api) => {
            let _ = writeln!(
                out,
                "api_url = {}   # TODO: GitHub Enterprise API, guessed from the remote's host {}",
                toml_str(&api),
                comment_text(&s.repo.host)
            );
        }
        None => out.push_str(
            "# api_url = \"https://api.github.com\"   # GitHub Enterprise Server: \"https://HOST/api/v3\"\n",
        ),
    }
    out.push_str(
        "# token_command = \"pass show gh/cockpit\"   # a command that prints a token\n\
         # poll = \"15s\"          # how often a repo with nothing running is polled\n\
         # active_poll = \"3s\"    # ... while a run is active or a gate is open\n\n",
    );
}

fn repo(s: &Starter, out: &mut String) {
    let _ = writeln!(
        out,
        "[[repo]]\nname = {}   # from {}",
        toml_str(&s.repo.full_name()),
        comment_text(&s.repo_source)
    );
    let watched: Vec<&ScannedWorkflow> = s.watched().collect();
    if watched.is_empty() {
        out.push_str(
            "# workflows = [\"ci.yml\"]   # no workflow with runs of its own was found in \
             .github/workflows/; without the key every workflow's runs are shown\n",
        );
    } else {
        out.push_str(
            "# The workflows whose runs are shown. Each one listed costs a request per poll;\n\
             # remove the key to show every workflow's runs with a single request.\n\
             workflows = [\n",
        );
        let width = watched
            .iter()
            .map(|w| toml_str(&w.file).len() + 1)
            .max()
            .unwrap_or(0);
        for w in &watched {
            let item = format!("{},", toml_str(&w.file));
            let _ = writeln!(out, "  {item:<width$}   # {}", describe_workflow(w));
        }
        out.push_str("]\n");
    }
    out.push_str("# branch = \"main\"   # only show runs on this branch\n\n");
}

/// `Deploy to Production · workflow_dispatch`
fn describe_workflow(w: &ScannedWorkflow) -> String {
    let events = w.events.join(", ");
    match &w.name {
        Some(name) => format!("{} · {}", comment_text(name), comment_text(&events)),
        None => comment_text(&events),
    }
}

fn dispatch_inputs(s: &Starter, out: &mut String) {
    let dispatchable: Vec<&ScannedWorkflow> = s
        .watched()
        .filter(|w| w.dispatch_inputs.is_some() || w.dispatch_problem.is_some())
        .collect();
    if dispatchable.is_empty() {
        return;
    }
    out.push_str(
        "# Dispatch (`d` on a run, or `:dispatch WORKFLOW`) opens a form with the workflow's\n\
         # workflow_dispatch inputs:\n",
    );
    for w in dispatchable {
        let envs: Vec<String> = w
            .environments
            .iter()
            .map(|e| comment_text(&e.name))
            .collect();
        let deploys = if envs.is_empty() {
            String::new()
        } else {
            format!(" (deploys to {})", envs.join(", "))
        };
        let _ = writeln!(out, "#   {}{deploys}", comment_text(&w.file));
        if let Some(problem) = &w.dispatch_problem {
            out.push_str(&wrap_comment(
                &format!("its inputs could not be read, so cockpit cannot dispatch it: {problem}"),
                "#     ",
                "#       ",
            ));
            continue;
        }
        let inputs = w.dispatch_inputs.as_deref().unwrap_or_default();
        if inputs.is_empty() {
            out.push_str("#     no inputs\n");
        }
        let width = inputs.iter().map(|i| i.name.len()).max().unwrap_or(0);
        for input in inputs {
            let _ = writeln!(
                out,
                "#     {:<width$}  {}",
                comment_text(&input.name),
                describe_input(input)
            );
        }
    }
    out.push('\n');
}

/// `choice, required, default "staging", options: dev | staging · Where to deploy`
fn describe_input(i: &InputSpec) -> String {
    let mut parts = vec![
        match &i.kind {
            InputKind::String => "string",
            InputKind::Choice(_) => "choice",
            InputKind::Boolean => "boolean",
            InputKind::Number => "number",
            InputKind::Environment => "environment",
        }
        .to_owned(),
    ];
    if i.required {
        parts.push("required".into());
    }
    if let Some(default) = &i.default {
        parts.push(format!("default {default:?}"));
    }
    if let InputKind::Choice(options) = &i.kind {
        parts.push(format!("options: {}", options.join(" | ")));
    }
    let mut text = parts.join(", ");
    if let Some(d) = i.description.as_deref().filter(|d| !d.trim().is_empty()) {
        text.push_str(" · ");
        text.push_str(d);
    }
    comment_text(&text)
}

fn left_out(s: &Starter, out: &mut String) {
    let left: Vec<String> = s
        .workflows
        .iter()
        .filter_map(|w| {
            let why = match &w.unreadable {
                Some(why) => format!("could not be read: {why}"),
                None if w.reusable_only() => {
                    "reusable (workflow_call only): its jobs run inside its callers' runs".into()
                }
                None => return None,
            };
            Some(wrap_comment(
                &format!("{}: {why}", w.file),
                "#   ",
                "#     ",
            ))
        })
        .collect();
    if left.is_empty() {
        return;
    }
    out.push_str("# Not in the workflow list:\n");
    for line in left {
        out.push_str(&line);
    }
    out.push('\n');
}

fn environments(s: &Starter, out: &mut String) {
    let notes: Vec<String> = s
        .workflows
        .iter()
        .flat_map(|w| {
            w.notes
                .iter()
                .map(move |n| wrap_comment(&format!("{}: {n}", w.file), "#   ", "#     "))
        })
        .collect();
    if s.environments.is_empty() {
        out.push_str(
            "# No job names an `environment:`. Add one [[environment]] per GitHub environment\n\
             # you deploy to, for example:\n\
             # [[environment]]\n\
             # name = \"production\"\n\
             # protected = true\n\
             # url = \"https://shop.example.com\"\n\n",
        );
    } else {
        out.push_str(
            "# Environments: every `environment:` of a job above. cockpit shows each one's\n\
             # deployments, health checks and gates. Listed development-like first, then\n\
             # others, staging-like, production-like. `protected` is guessed from the name\n\
             # (prod, production, prd, live): approving, dispatching to or rolling back a\n\
             # protected environment asks for a typed phrase.\n",
        );
    }
    if !notes.is_empty() {
        out.push_str("#\n# Not named here (add an [[environment]] for each value they take):\n");
        for note in notes {
            out.push_str(&note);
        }
    }
    for env in &s.environments {
        out.push('\n');
        environment(env, out);
    }
}

fn environment(env: &Environment, out: &mut String) {
    let _ = writeln!(
        out,
        "[[environment]]\nname = {}   # {}",
        toml_str(&env.name),
        comment_text(&env.workflows.join(", "))
    );
    if env.protected {
        let _ = writeln!(
            out,
            "protected = true   # TODO: guessed from the name; actions ask for the phrase {}\n\
             # confirm_phrase = {}   # instead of that phrase",
            comment_text(&format!("\"{} VERSION\"", env.name)),
            comment_text(&toml_str(&format!(
                "I understand this deploys to {}",
                env.name.to_uppercase()
            ))),
        );
    } else {
        out.push_str("protected = false\n");
    }
    match &env.url {
        Some(url) => {
            let _ = writeln!(out, "url = {}", toml_str(url));
            // The path the deploy job itself probes is the best guess; else the site's own
            // address, which at least answers while the site is up.
            let (name, check_url, why) = match &env.health_path {
                Some(path) => (
                    "health",
                    join_url(url, path),
                    format!("the deploying job's steps call {path}"),
                ),
                None => (
                    "site",
                    url.clone(),
                    format!("this is the site itself; e.g. {}", join_url(url, "/health")),
                ),
            };
            let _ = writeln!(
                out,
                "\n[[environment.check]]\nname = \"{name}\"\n\
                 url = {}   # TODO: check this is your health endpoint ({})\n\
                 # expect_status = [200]          # default: any 2xx\n\
                 # json = {{ \"/status\" = \"UP\" }}   # or body_contains = \"UP\"\n\
                 # interval = \"10s\"\n\
                 \n\
                 # [environment.version]   # where the live version is read{}\n\
                 # url = {}\n\
                 # json_pointer = \"/version\"   # without it, the whole body is the version\n",
                toml_str(&check_url),
                comment_text(&why),
                if env.version_path.is_some() {
                    " (the deploying job's steps read this path)"
                } else {
                    ""
                },
                comment_text(&toml_str(&join_url(
                    url,
                    env.version_path.as_deref().unwrap_or("/version")
                ))),
            );
        }
        None => {
            let path = env.health_path.as_deref().unwrap_or("/health");
            let _ = writeln!(
                out,
                "# url = \"https://...\"   # TODO: its address: shown, opened with `o`, the base for checks\n\
                 # [[environment.check]]   # TODO: a health check, e.g.\n\
                 # name = \"health\"\n\
                 # url = {}\n",
                comment_text(&toml_str(&format!("https://...{path}"))),
            );
        }
    }
    out.push_str(
        "# [environment.rollback]   # what `R` runs; see docs/config.md\n\
         # ssh = \"deploy@HOST\"\n\
         # command = [\"/opt/app/rollback.sh\", \"{version}\"]\n",
    );
}

fn footer(out: &mut String) {
    out.push_str(
        "\n# Also available, see docs/config.md: [monitor] (alert thresholds, cutover window),\n\
         # [notify] (Slack, Telegram), [audit] (audit log path), [ui] (theme).\n",
    );
}

/// `base` followed by `path` (which starts with `/`), whether or not `base` ends in `/`.
fn join_url(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// A TOML basic string holding `s`, escaped by the toml crate.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// Text from a workflow file made safe for a one-line comment: TOML forbids control
/// characters there, and a newline would end the comment. Long text is cut.
fn comment_text(s: &str) -> String {
    const MAX: usize = 120;
    let line = one_line(s);
    if line.chars().count() > MAX {
        let cut: String = line.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        line
    }
}

fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as comment lines of at most [`WIDTH`] columns where its words allow: `first`
/// starts the first line, `rest` the others. Ends with a newline.
fn wrap_comment(text: &str, first: &str, rest: &str) -> String {
    const WIDTH: usize = 96;
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in one_line(text).split(' ') {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_quoted_and_escaped() {
        assert_eq!(toml_str("acme/shop"), "\"acme/shop\"");
        let tricky = "a \"b\" \\ c\td";
        let parsed: toml::Table = format!("k = {}", toml_str(tricky)).parse().unwrap();
        assert_eq!(parsed["k"].as_str(), Some(tricky));
    }

    #[test]
    fn comments_stay_on_one_line() {
        assert_eq!(comment_text("a\nb\r\n  c\u{7}d"), "a b c d");
        let long = "x".repeat(500);
        assert_eq!(comment_text(&long).chars().count(), 120);
    }

    #[test]
    fn long_notes_wrap_at_word_boundaries() {
        let text = "deploy.yaml: job `manual`, environment `${{ inputs.target }}`: the input \
                    `target` picks any of the repository's environments at dispatch time";
        let wrapped = wrap_comment(text, "#   ", "#     ");
        let lines: Vec<&str> = wrapped.lines().collect();
        assert_eq!(lines.len(), 2, "{wrapped}");
        assert!(lines.iter().all(|l| l.chars().count() <= 96), "{wrapped}");
        assert!(lines[0].starts_with("#   deploy.yaml"));
        assert!(lines[1].starts_with("#     "));
        let words = |s: &str| {
            s.split_whitespace()
                .filter(|w| *w != "#")
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(words(&wrapped), words(text));
        // A word longer than a line still gets a line of its own, uncut.
        let url = format!("https://{}", "x".repeat(120));
        assert_eq!(wrap_comment(&url, "# ", "# "), format!("# {url}\n"));
    }

    #[test]
    fn urls_get_a_path_appended() {
        assert_eq!(
            join_url("https://a.example", "/health"),
            "https://a.example/health"
        );
        assert_eq!(
            join_url("https://a.example/", "/health"),
            "https://a.example/health"
        );
        assert_eq!(
            join_url("https://a.example/app", "/web/health"),
            "https://a.example/app/web/health"
        );
    }
}
