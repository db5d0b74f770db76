//! Where themes come from: the built-ins, compiled in from the repo's `themes/*.toml`, and
//! the user's `<config_dir>/themes/NAME.toml`. A user theme named like a built-in replaces
//! it, so `default` can be retuned without touching the config.

use std::path::{Path, PathBuf};

use super::{Theme, ThemeError, parse};

/// The built-in themes, in the order they are listed.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("colorblind", include_str!("../../themes/colorblind.toml")),
];

/// The themes that can be named: the built-ins and, when there is one, a directory of user
/// themes. Files are read when a theme is loaded, so an edited theme shows on the next
/// `:theme NAME`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    user_dir: Option<PathBuf>,
}

impl Catalog {
    pub fn new(user_dir: Option<PathBuf>) -> Catalog {
        Catalog { user_dir }
    }

    pub fn builtin_only() -> Catalog {
        Catalog { user_dir: None }
    }

    /// Built-ins plus `<config_dir>/themes` (on Linux `$XDG_CONFIG_HOME/cockpit/themes`).
    pub fn from_config_dir() -> Catalog {
        Catalog::new(crate::config::config_dir().map(|dir| dir.join("themes")))
    }

    pub fn user_dir(&self) -> Option<&Path> {
        self.user_dir.as_deref()
    }

    /// Every theme that can be named: built-ins in their order, then user themes by name. A
    /// user theme replacing a built-in is listed once, in the built-in's place.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        let mut user = self.user_dir.as_deref().map(user_names).unwrap_or_default();
        user.sort();
        for name in user {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The theme called `name`: the user's file if there is one, else the built-in.
    pub fn load(&self, name: &str) -> Result<Theme, ThemeError> {
        if !is_theme_name(name) {
            return Err(ThemeError::BadName {
                name: name.to_string(),
            });
        }
        if let Some(path) = self.user_file(name) {
            let text = std::fs::read_to_string(&path).map_err(|source| ThemeError::Unreadable {
                path: path.clone(),
                source,
            })?;
            return parse(name, &path.display().to_string(), &text);
        }
        match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, text)) => parse(name, &format!("themes/{name}.toml (built in)"), text),
            None => Err(ThemeError::Unknown {
                name: name.to_string(),
                known: self.names(),
                user_dir: self.user_dir.clone(),
            }),
        }
    }

    fn user_file(&self, name: &str) -> Option<PathBuf> {
        let path = self.user_dir.as_ref()?.join(format!("{name}.toml"));
        path.is_file().then_some(path)
    }
}

/// Letters, digits, `-` and `_`: a name that is a file name and nothing more.
fn is_theme_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The `NAME` of every `NAME.toml` in `dir`. A missing or unreadable directory has none: most
/// users never create one.
fn user_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem()?.to_str().map(String::from))
        .filter(|n| is_theme_name(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_under_its_own_name() {
        let themes = Catalog::builtin_only();
        for (name, _) in BUILTIN {
            assert_eq!(themes.load(name).unwrap().name, *name);
        }
    }

    #[test]
    fn unknown_names_list_what_there_is() {
        let err = Catalog::new(Some("/x/themes".into()))
            .load("nope")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no theme \"nope\""), "{err}");
        assert!(
            err.contains("default, light, high-contrast, colorblind"),
            "{err}"
        );
        assert!(err.contains("/x/themes/NAME.toml"), "{err}");
    }

    #[test]
    fn names_that_could_leave_the_directory_are_refused() {
        for name in ["../default", "a/b", "", ".hidden"] {
            assert!(
                matches!(
                    Catalog::builtin_only().load(name),
                    Err(ThemeError::BadName { .. })
                ),
                "{name}"
            );
        }
    }
}
