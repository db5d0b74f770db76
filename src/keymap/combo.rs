//! One key as the keymap knows it: parsed from the config's words (`"q"`, `"ctrl-d"`,
//! `"pgdn"`), matched against terminal events, and labelled for help and footer hints.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The forms `[keys]` accepts, for error messages and docs.
pub const KEY_FORMS: &str = "a single character (\"q\", \"G\", \"?\"), ctrl-CHAR (\"ctrl-d\"), \
     or one of enter, esc, tab, shift-tab, backspace, space, up, down, left, right, home, end, \
     pgup, pgdn, f1 to f24";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl KeyCombo {
    pub fn from_event(ev: &KeyEvent) -> KeyCombo {
        // Shift is folded into the character itself ('G', '?'); only Ctrl changes meaning.
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        KeyCombo {
            code: fold_ctrl_case(ev.code, ctrl),
            ctrl,
        }
    }

    /// Parses `j`, `G`, `?`, `enter`, `esc`, `tab`, `shift-tab`, `up`, `pgdn`, `ctrl-c`, `f1`...
    /// Names and the `ctrl-` prefix are case-insensitive; a single character is not (`g` and
    /// `G` are two keys).
    pub fn parse(text: &str) -> Option<KeyCombo> {
        let lower = text.to_ascii_lowercase();
        let (ctrl, rest) = match lower.strip_prefix("ctrl-") {
            // The prefix is ASCII, so the same byte offset cuts the original text.
            Some(_) => (true, &text["ctrl-".len()..]),
            None => (false, text),
        };
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                let n: u8 = f[1..].parse().ok()?;
                if !(1..=24).contains(&n) {
                    return None;
                }
                KeyCode::F(n)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() || c.is_control() || (c == ' ' && !ctrl) {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(KeyCombo {
            code: fold_ctrl_case(code, ctrl),
            ctrl,
        })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "Enter".to_string(),
            KeyCode::Esc => "Esc".to_string(),
            KeyCode::Tab => "Tab".to_string(),
            KeyCode::BackTab => "S-Tab".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::PageUp => "PgUp".to_string(),
            KeyCode::PageDown => "PgDn".to_string(),
            KeyCode::Home => "Home".to_string(),
            KeyCode::End => "End".to_string(),
            KeyCode::Backspace => "Bksp".to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        if self.ctrl { format!("C-{base}") } else { base }
    }

    /// How the key is written in `[keys]` (what [`KeyCombo::parse`] reads back).
    pub fn config_name(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Tab => "tab".to_string(),
            KeyCode::BackTab => "shift-tab".to_string(),
            KeyCode::Up => "up".to_string(),
            KeyCode::Down => "down".to_string(),
            KeyCode::Left => "left".to_string(),
            KeyCode::Right => "right".to_string(),
            KeyCode::PageUp => "pgup".to_string(),
            KeyCode::PageDown => "pgdn".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::Backspace => "backspace".to_string(),
            KeyCode::F(n) => format!("f{n}"),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        if self.ctrl {
            format!("ctrl-{base}")
        } else {
            base
        }
    }
}

/// Terminals send Ctrl with a letter as the lower-case letter (Ctrl-Shift-D is rarely
/// distinguishable), so `ctrl-D` in a config and such an event both mean `ctrl-d`.
fn fold_ctrl_case(code: KeyCode, ctrl: bool) -> KeyCode {
    match code {
        KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<(KeyCode, bool)> {
        KeyCombo::parse(text).map(|k| (k.code, k.ctrl))
    }

    #[test]
    fn names_characters_and_ctrl() {
        assert_eq!(parsed("q"), Some((KeyCode::Char('q'), false)));
        assert_eq!(parsed("G"), Some((KeyCode::Char('G'), false)));
        assert_eq!(parsed("ctrl-d"), Some((KeyCode::Char('d'), true)));
        assert_eq!(parsed("Ctrl-D"), Some((KeyCode::Char('d'), true)));
        assert_eq!(parsed("PgDn"), Some((KeyCode::PageDown, false)));
        assert_eq!(parsed("shift-tab"), Some((KeyCode::BackTab, false)));
        assert_eq!(parsed("f5"), Some((KeyCode::F(5), false)));
        assert_eq!(parsed("f"), Some((KeyCode::Char('f'), false)));
        assert_eq!(parsed("space"), Some((KeyCode::Char(' '), false)));
        assert_eq!(parsed("-"), Some((KeyCode::Char('-'), false)));
    }

    #[test]
    fn rejects_what_is_not_one_key() {
        for bad in ["", "qq", "ctrl-", "ctrl+q", "f0", "f25", "alt-x", " ", "\t"] {
            assert_eq!(parsed(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn config_names_read_back() {
        for text in [
            "q",
            "G",
            "ctrl-d",
            "pgup",
            "shift-tab",
            "f12",
            "space",
            "enter",
            "?",
        ] {
            let k = KeyCombo::parse(text).unwrap();
            assert_eq!(KeyCombo::parse(&k.config_name()), Some(k), "{text}");
        }
    }

    #[test]
    fn events_match_parsed_keys() {
        let shifted = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            KeyCombo::from_event(&shifted),
            KeyCombo::parse("G").unwrap()
        );
        let ctrl = KeyEvent::new(
            KeyCode::Char('D'),
            KeyModifiers::CONTROL | KeyModifiers::SHIFT,
        );
        assert_eq!(
            KeyCombo::from_event(&ctrl),
            KeyCombo::parse("ctrl-d").unwrap()
        );
    }
}
