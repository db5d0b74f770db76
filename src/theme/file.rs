//! Reading one theme file: `[colors]` with every named colour, nothing else. Errors say
//! which file, line and column, like config errors do.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ratatui::style::Color;
use serde::Deserialize;
use serde_spanned::Spanned;

use super::Theme;
use crate::config::line_col;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    colors: Spanned<BTreeMap<String, Spanned<String>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme {name:?}; themes: {}{}", known.join(", "), user_hint(user_dir))]
    Unknown {
        name: String,
        known: Vec<String>,
        /// Where user themes are looked for, if the platform has a config directory.
        user_dir: Option<PathBuf>,
    },

    /// Names become file names: nothing that could leave the themes directory.
    #[error("{name:?} is not a theme name: expected letters, digits, '-' and '_' only")]
    BadName { name: String },

    #[error("{}: cannot read theme file: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// `origin` is the file's path (or `themes/NAME.toml (built in)`); line and column are
    /// 1-based.
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
}

fn user_hint(dir: &Option<PathBuf>) -> String {
    match dir {
        Some(dir) => format!(" (your own go in {}/NAME.toml)", dir.display()),
        None => String::new(),
    }
}

/// Parses theme file `text`; `name` becomes the theme's name and `origin` says where the
/// text came from in errors.
pub fn parse(name: &str, origin: &str, text: &str) -> Result<Theme, ThemeError> {
    let at = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        ThemeError::Invalid {
            origin: origin.to_string(),
            line,
            column,
            message,
        }
    };
    let file: ThemeFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(offset, e.message().trim().to_string())
    })?;
    let table_start = file.colors.span().start;
    let colors = file.colors.into_inner();

    if let Some((key, value)) = colors
        .iter()
        .find(|(k, _)| !Theme::COLOURS.contains(&k.as_str()))
    {
        return Err(at(
            value.span().start,
            format!(
                "unknown colour {key:?} in [colors]: expected one of {}",
                Theme::COLOURS.join(", ")
            ),
        ));
    }
    let missing: Vec<&str> = Theme::COLOURS
        .iter()
        .copied()
        .filter(|c| !colors.contains_key(*c))
        .collect();
    if !missing.is_empty() {
        let message = format!(
            "[colors] is missing {}: a theme sets every colour ({})",
            missing.join(", "),
            Theme::COLOURS.join(", ")
        );
        return Err(at(table_start, message));
    }
    let mut parsed: BTreeMap<&str, Color> = BTreeMap::new();
    for (key, value) in &colors {
        let colour = value.get_ref().parse::<Color>().map_err(|_| {
            at(
                value.span().start,
                format!(
                    "colour {key} = {:?} is not a colour: expected a name (\"red\", \
                     \"lightgreen\", \"reset\"…), \"#rrggbb\" or an index \"0\"..\"255\"",
                    value.get_ref()
                ),
            )
        })?;
        parsed.insert(key.as_str(), colour);
    }
    // Every name is present (checked above): the fallback is never used.
    Ok(Theme::from_colours(name.to_string(), |c| {
        parsed.get(c).copied().unwrap_or(Color::Reset)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r##"
[colors]
bg = "reset"
fg = "reset"
muted = "darkgray"
accent = "cyan"
ok = "green"
warn = "yellow"
fail = "lightred"
running = "75"
protected = "#ff00ff"
header_fg = "black"
header_bg = "cyan"
selection_bg = "236"
"##;

    fn error(text: &str) -> (usize, usize, String) {
        match parse("mine", "mine.toml", text) {
            Err(ThemeError::Invalid {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_hex_and_indices_parse() {
        let theme = parse("mine", "mine.toml", GOOD).unwrap();
        assert_eq!(theme.name, "mine");
        assert_eq!(theme.bg, Color::Reset);
        assert_eq!(theme.fail, Color::LightRed);
        assert_eq!(theme.running, Color::Indexed(75));
        assert_eq!(theme.protected, Color::Rgb(255, 0, 255));
    }

    #[test]
    fn a_bad_colour_is_named_with_its_place() {
        let (line, column, message) = error(&GOOD.replace("\"lightred\"", "\"reddish\""));
        assert_eq!((line, column), (9, 8));
        assert!(
            message.contains("fail") && message.contains("reddish"),
            "{message}"
        );
    }

    #[test]
    fn a_missing_colour_is_named() {
        let text = GOOD.replace("selection_bg = \"236\"\n", "");
        let (line, _, message) = error(&text);
        assert_eq!(line, 2, "points at [colors]");
        assert!(message.contains("missing selection_bg"), "{message}");
    }

    #[test]
    fn an_unknown_colour_is_named() {
        let text = GOOD.replace("bg = \"reset\"", "bgg = \"reset\"");
        let (line, column, message) = error(&text);
        assert_eq!((line, column), (3, 7));
        assert!(message.contains("\"bgg\""), "{message}");
    }

    #[test]
    fn an_unknown_top_level_key_is_an_error() {
        let text = format!("name = \"mine\"\n{GOOD}");
        let (line, column, message) = error(&text);
        assert_eq!((line, column), (1, 1));
        assert!(message.contains("name"), "{message}");
    }

    #[test]
    fn a_toml_syntax_error_has_its_place() {
        let text = GOOD.replace("ok = \"green\"", "ok = green");
        let (line, _, _) = error(&text);
        assert_eq!(line, 7);
        let shown = parse("mine", "/home/u/mine.toml", &text)
            .unwrap_err()
            .to_string();
        assert!(shown.starts_with("/home/u/mine.toml:7:"), "{shown}");
    }
}
