//! Protected environments look the same wherever they are named: bold in the theme's
//! `protected` colour, with a 🔒 that says it without colour.

use ratatui::style::Modifier;
use ratatui::text::Span;

use crate::model::Model;
use crate::theme::Theme;

pub const MARKER: &str = "🔒";

/// Whether `repo`'s environment `name` is protected: with several repos, another repo's
/// same-named environment is another one.
pub fn is_protected(m: &Model, repo: &str, name: &str) -> bool {
    m.env_of(repo, name)
        .and_then(|i| m.envs.get(i))
        .is_some_and(|e| e.protected)
}

/// `name` (an environment of `repo`) marked and coloured when it is protected, else as plain
/// text.
pub fn env_name(m: &Model, repo: &str, name: &str, theme: &Theme) -> Span<'static> {
    if is_protected(m, repo, name) {
        Span::styled(
            format!("{name} {MARKER}"),
            theme.style(theme.protected).add_modifier(Modifier::BOLD),
        )
    } else {
        Span::raw(name.to_string())
    }
}

/// Several environment names, comma-separated, each as [`env_name`].
pub fn env_names(m: &Model, repo: &str, names: &[String], theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        spans.push(env_name(m, repo, name, theme));
    }
    spans
}
