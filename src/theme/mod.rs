//! Themes as data: `themes/*.toml` compiled in, user themes in `<config_dir>/themes/`, colours
//! named by meaning. Views ask for `fail` or `protected`, never for "red", so a theme can
//! change every hue without touching a view; what a state *means* is always carried by a
//! symbol or a word too (see `docs/user-guide.md`, "Themes").

mod catalog;
mod file;

use ratatui::style::{Color, Modifier, Style};

pub use catalog::{BUILTIN, Catalog};
pub use file::{ThemeError, parse};

/// Declares the theme's named colours once: the struct, the list of names (what a theme file
/// must set, in the order docs list them) and the lookup by name.
macro_rules! named_colours {
    ($($(#[doc = $doc:literal])+ $name:ident,)+) => {
        /// A theme: every colour a view may use, by meaning.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            /// The name it was loaded by (`default`, a file's name without `.toml`).
            pub name: String,
            $($(#[doc = $doc])+ pub $name: Color,)+
        }

        impl Theme {
            /// Every colour a theme file sets, in `[colors]`.
            pub const COLOURS: &'static [&'static str] = &[$(stringify!($name)),+];

            /// The colour called `name` (one of [`Theme::COLOURS`]).
            pub fn colour(&self, name: &str) -> Option<Color> {
                match name {
                    $(stringify!($name) => Some(self.$name),)+
                    _ => None,
                }
            }

            fn from_colours(name: String, colour: impl Fn(&str) -> Color) -> Theme {
                Theme {
                    name,
                    $($name: colour(stringify!($name)),)+
                }
            }
        }
    };
}

named_colours! {
    /// Behind everything; `reset` keeps the terminal's own.
    bg,
    /// Ordinary text; `reset` keeps the terminal's own.
    fg,
    /// Secondary text: ages, hints, labels, idle borders.
    muted,
    /// Keys, prompts, the focused border.
    accent,
    /// Success, up, approved.
    ok,
    /// Waiting, degraded, stale, refused.
    warn,
    /// Failure, down, rejected, errors.
    fail,
    /// In progress: spinners, latency sparklines, the cutover gauge.
    running,
    /// Protected environments, wherever they are named.
    protected,
    /// The header line's text.
    header_fg,
    /// The header line's background.
    header_bg,
    /// The selected row's background.
    selection_bg,
}

impl Theme {
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Result<Theme, ThemeError> {
        Catalog::builtin_only().load(name)
    }

    /// `NO_COLOR`: every colour is the terminal's own; meaning is carried by symbols and
    /// modifiers (bold, reversed) alone.
    pub fn no_color() -> Theme {
        Theme::from_colours("no-color".into(), |_| Color::Reset)
    }

    pub fn is_no_color(&self) -> bool {
        self.name == "no-color"
    }

    pub fn style(&self, color: Color) -> Style {
        Style::default().fg(color)
    }

    /// The theme's text on its background: what every cell starts from, and what a popup
    /// paints over whatever it covers.
    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }

    pub fn header(&self) -> Style {
        if self.is_no_color() {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(self.header_fg).bg(self.header_bg)
        }
    }

    /// Something in the header that needs attention (STALE, waiting gates): the header's
    /// text colour on `warn`, so it stands out of the bar in every theme.
    pub fn header_badge(&self) -> Style {
        if self.is_no_color() {
            // The bar is reversed: the badge is not, so it still stands out.
            Style::default()
                .remove_modifier(Modifier::REVERSED)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
                .fg(self.header_fg)
                .bg(self.warn)
                .add_modifier(Modifier::BOLD)
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

/// The theme to use: `NO_COLOR` (any non-empty value) wins, else `name` from `themes`.
pub fn resolve(themes: &Catalog, name: &str, no_color: bool) -> Result<Theme, ThemeError> {
    if no_color {
        return Ok(Theme::no_color());
    }
    themes.load(name)
}

pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_looked_up_by_name() {
        let theme = Theme::builtin("default").unwrap();
        assert_eq!(theme.colour("fail"), Some(theme.fail));
        assert_eq!(theme.colour("selection_bg"), Some(theme.selection_bg));
        assert_eq!(theme.colour("red"), None);
        assert_eq!(Theme::COLOURS.len(), 12);
    }

    #[test]
    fn no_color_has_no_colour_at_all() {
        let theme = Theme::no_color();
        for name in Theme::COLOURS {
            assert_eq!(theme.colour(name), Some(Color::Reset), "{name}");
        }
        assert!(theme.is_no_color());
    }

    #[test]
    fn no_color_wins_over_any_name() {
        let themes = Catalog::builtin_only();
        assert!(resolve(&themes, "light", true).unwrap().is_no_color());
        assert!(resolve(&themes, "nope", true).unwrap().is_no_color());
        assert_eq!(resolve(&themes, "light", false).unwrap().name, "light");
    }
}
