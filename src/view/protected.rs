//! Protected environments look the same wherever they are named: bold in the theme's
//! `protected` colour, with a 🔒 that says it without colour.

use ratatui::style::Modifier;
use ratatui::text::Span;

use crate::model::Model;
use crate::theme::Theme;

pub const MARKER: &str = "🔒";

pub fn is_protected(m: &Model, name: &str) -> bool {
    m.envs.iter().any(|e| e.protected && e.name == name)
}

/// `name` marked and coloured when it is a protected environment, else as plain text.
pub fn env_name(m: &Model, name: &str, theme: &Theme) -> Span<'static> {
    if is_protected(m, name) {
        Span::styled(
            format!("{name} {MARKER}"),
            theme.style(theme.protected).add_modifier(Modifier::BOLD),
        )
    } else {
        Span::raw(name.to_string())
    }
}

/// Several environment names, comma-separated, each as [`env_name`].
pub fn env_names(m: &Model, names: &[String], theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        spans.push(env_name(m, name, theme));
    }
    spans
}
