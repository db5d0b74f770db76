//! docs/config.md is checked against the real schema: for every section, the keys its table
//! lists are exactly the keys the parser accepts (read from the parser's own "unknown field,
//! expected one of ..." answer), so the reference cannot drift from the code.

use std::collections::BTreeSet;
use std::path::Path;

const BASE: &str = "[[repo]]\nname = \"acme/shop\"\n";

/// Section heading in config.md → a config with an unknown key `zz_unknown` in that section.
fn probes() -> Vec<(&'static str, String)> {
    let env = "[[environment]]\nname = \"production\"\n";
    vec![
        ("[github]", format!("[github]\nzz_unknown = 1\n{BASE}")),
        ("[[repo]]", format!("{BASE}zz_unknown = 1\n")),
        ("[[environment]]", format!("{BASE}{env}zz_unknown = 1\n")),
        (
            "[[environment.check]]",
            format!(
                "{BASE}{env}[[environment.check]]\nname = \"api\"\nurl = \"http://127.0.0.1/\"\nzz_unknown = 1\n"
            ),
        ),
        (
            "[environment.version]",
            format!(
                "{BASE}{env}[environment.version]\nurl = \"http://127.0.0.1/\"\nzz_unknown = 1\n"
            ),
        ),
        (
            "[environment.rollback]",
            format!("{BASE}{env}[environment.rollback]\ncommand = [\"x\"]\nzz_unknown = 1\n"),
        ),
        ("[monitor]", format!("{BASE}[monitor]\nzz_unknown = 1\n")),
        ("[notify]", format!("{BASE}[notify]\nzz_unknown = 1\n")),
        ("[audit]", format!("{BASE}[audit]\nzz_unknown = 1\n")),
        ("[ui]", format!("{BASE}[ui]\nzz_unknown = 1\n")),
    ]
}

/// The keys serde names in `unknown field `zz_unknown`, expected one of `a`, `b`` (or
/// `expected `a``).
fn accepted(error: &str) -> BTreeSet<String> {
    let Some(rest) = error.split("unknown field `zz_unknown`, expected ").nth(1) else {
        panic!("not an unknown-field error: {error}");
    };
    let rest = rest.strip_prefix("one of ").unwrap_or(rest);
    // The message goes on with ` (at `path`)`: the list ends at the last backtick-quoted key.
    let list = rest.lines().next().unwrap_or("");
    let list = list.split(" (at ").next().unwrap_or(list);
    // serde's forms: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
    list.split(", ")
        .flat_map(|k| k.split(" or "))
        .map(|k| k.trim().trim_matches('`').to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

/// The keys in the first column of the table under `## `heading`` / `### `heading``.
fn documented(doc: &str, heading: &str) -> BTreeSet<String> {
    let marker = format!("`{heading}`");
    let mut lines = doc.lines();
    let found = lines
        .by_ref()
        .any(|l| l.starts_with('#') && l.contains(&marker));
    assert!(found, "docs/config.md has no heading for {heading}");
    lines
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| {
            let first = l.trim_start_matches('|').split('|').next()?.trim();
            let key = first.strip_prefix('`')?.strip_suffix('`')?;
            Some(key.to_string())
        })
        .collect()
}

#[test]
fn every_section_of_the_reference_lists_exactly_the_keys_the_parser_accepts() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md"))
        .unwrap();
    for (heading, text) in probes() {
        let err = cockpit::config::parse_str(&text, Path::new("probe.toml"))
            .err()
            .unwrap_or_else(|| panic!("{heading}: an unknown key was accepted"))
            .to_string();
        let code = accepted(&err);
        let docs = documented(&doc, heading);
        assert_eq!(
            docs, code,
            "docs/config.md section {heading} lists {docs:?}, the parser accepts {code:?}"
        );
    }
}

#[test]
fn every_top_level_section_has_a_heading() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md"))
        .unwrap();
    let err = cockpit::config::parse_str(&format!("zz_unknown = 1\n{BASE}"), Path::new("p.toml"))
        .err()
        .unwrap()
        .to_string();
    for key in accepted(&err) {
        let single = format!("## `[{key}]`");
        let array = format!("## `[[{key}]]`");
        assert!(
            doc.lines()
                .any(|l| l.starts_with(&single) || l.starts_with(&array)),
            "docs/config.md has no section for top-level key {key:?}"
        );
    }
}
