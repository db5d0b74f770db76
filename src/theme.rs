//! Themes as data: `themes/*.toml` compiled in, colours named by meaning.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const BUILTIN: &[(&str, &str)] = &[("default", include_str!("../themes/default.toml"))];

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub fg: Color,
    pub muted: Color,
    pub accent: Color,
    pub ok: Color,
    pub warn: Color,
    pub fail: Color,
    pub running: Color,
    pub protected: Color,
    pub header_fg: Color,
    pub header_bg: Color,
    pub selection_bg: Color,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    colors: ThemeColors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeColors {
    fg: String,
    muted: String,
    accent: String,
    ok: String,
    warn: String,
    fail: String,
    running: String,
    protected: String,
    header_fg: String,
    header_bg: String,
    selection_bg: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("unknown theme {0:?} (built-in: {1})")]
    Unknown(String, String),
    #[error("theme {name}: {source}")]
    Parse {
        name: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("theme {name}: colour {key} = {value:?} is not a colour name, #rrggbb or 0-255")]
    Color {
        name: String,
        key: &'static str,
        value: String,
    },
}

impl Theme {
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            ThemeError::Unknown(name.to_string(), Self::builtin_names().join(", "))
        })?;
        Self::parse(name, text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|source| ThemeError::Parse {
            name: name.to_string(),
            source,
        })?;
        let c = &file.colors;
        let color = |key: &'static str, value: &str| -> Result<Color, ThemeError> {
            value.parse::<Color>().map_err(|_| ThemeError::Color {
                name: name.to_string(),
                key,
                value: value.to_string(),
            })
        };
        Ok(Theme {
            name: file.name,
            fg: color("fg", &c.fg)?,
            muted: color("muted", &c.muted)?,
            accent: color("accent", &c.accent)?,
            ok: color("ok", &c.ok)?,
            warn: color("warn", &c.warn)?,
            fail: color("fail", &c.fail)?,
            running: color("running", &c.running)?,
            protected: color("protected", &c.protected)?,
            header_fg: color("header_fg", &c.header_fg)?,
            header_bg: color("header_bg", &c.header_bg)?,
            selection_bg: color("selection_bg", &c.selection_bg)?,
        })
    }

    /// `NO_COLOR`: every colour is the terminal's own; meaning is carried by symbols and
    /// modifiers (bold, reversed) alone.
    pub fn no_color() -> Theme {
        Theme {
            name: "no-color".into(),
            fg: Color::Reset,
            muted: Color::Reset,
            accent: Color::Reset,
            ok: Color::Reset,
            warn: Color::Reset,
            fail: Color::Reset,
            running: Color::Reset,
            protected: Color::Reset,
            header_fg: Color::Reset,
            header_bg: Color::Reset,
            selection_bg: Color::Reset,
        }
    }

    pub fn is_no_color(&self) -> bool {
        self.name == "no-color"
    }

    pub fn style(&self, color: Color) -> Style {
        Style::default().fg(color)
    }

    pub fn header(&self) -> Style {
        if self.is_no_color() {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(self.header_fg).bg(self.header_bg)
        }
    }

    pub fn selected(&self) -> Style {
        if self.is_no_color() {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
                .bg(self.selection_bg)
                .add_modifier(Modifier::BOLD)
        }
    }
}

/// The theme to use: `NO_COLOR` (any non-empty value) wins, else the named built-in.
pub fn resolve(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
    if no_color {
        return Ok(Theme::no_color());
    }
    Theme::builtin(name)
}

pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_theme_loads() {
        for name in Theme::builtin_names() {
            let theme = Theme::builtin(name).unwrap();
            assert_eq!(theme.name, name);
        }
    }

    #[test]
    fn bad_colour_is_named() {
        let text = include_str!("../themes/default.toml").replace("\"red\"", "\"reddish\"");
        let err = Theme::parse("x", &text).unwrap_err().to_string();
        assert!(err.contains("fail"), "{err}");
        assert!(err.contains("reddish"), "{err}");
    }

    #[test]
    fn unknown_theme_lists_builtins() {
        let err = Theme::builtin("nope").unwrap_err().to_string();
        assert!(err.contains("default"), "{err}");
    }
}
