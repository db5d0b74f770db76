//! The keymap as data: each binding names its keys, the action and a description that the
//! help screen and the footer hints are built from, so help can never drift from behaviour.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::msg::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    /// Any scrolling list (runs, jobs, log lines).
    List,
    Runs,
    RunDetail,
    Logs,
    Environments,
    Gates,
    Activity,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<KeyCombo>,
    pub action: Action,
    pub context: Context,
    pub desc: &'static str,
    /// Shown in the footer of the views where it applies.
    pub hint: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl KeyCombo {
    pub fn from_event(ev: &KeyEvent) -> KeyCombo {
        // Shift is folded into the character itself ('G', '?'); only Ctrl changes meaning.
        KeyCombo {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    /// Parses `j`, `G`, `?`, `enter`, `esc`, `tab`, `shift-tab`, `up`, `pgdn`, `ctrl-c`, `f1`...
    pub fn parse(text: &str) -> Option<KeyCombo> {
        let (ctrl, rest) = match text.strip_prefix("ctrl-") {
            Some(rest) => (true, rest),
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
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(c)
            }
        };
        Some(KeyCombo { code, ctrl })
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
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

/// (keys, action, context, description, footer hint)
type Row = (&'static [&'static str], Action, Context, &'static str, bool);

const DEFAULTS: &[Row] = &[
    (&["q"], Action::Quit, Context::Global, "quit", true),
    (&["ctrl-c"], Action::Quit, Context::Global, "quit", false),
    (
        &["?"],
        Action::Help,
        Context::Global,
        "help (this screen)",
        true,
    ),
    (
        &["j", "down"],
        Action::Down,
        Context::List,
        "move down",
        false,
    ),
    (&["k", "up"], Action::Up, Context::List, "move up", false),
    (
        &["g", "home"],
        Action::Top,
        Context::List,
        "go to top",
        false,
    ),
    (
        &["G", "end"],
        Action::Bottom,
        Context::List,
        "go to bottom",
        false,
    ),
    (
        &["pgdn", "ctrl-d"],
        Action::PageDown,
        Context::List,
        "page down",
        false,
    ),
    (
        &["pgup", "ctrl-u"],
        Action::PageUp,
        Context::List,
        "page up",
        false,
    ),
    (&["enter"], Action::Open, Context::Global, "open", true),
    (
        &[":"],
        Action::Palette,
        Context::Global,
        "command palette (Tab completes)",
        true,
    ),
    (
        &["esc"],
        Action::Back,
        Context::Global,
        "back / close dialog",
        true,
    ),
    (&["/"], Action::Filter, Context::Runs, "filter runs", true),
    (
        &["/"],
        Action::Filter,
        Context::Logs,
        "search the log",
        true,
    ),
    (
        &["l"],
        Action::Logs,
        Context::Runs,
        "job logs of the run",
        true,
    ),
    (
        &["l"],
        Action::Logs,
        Context::RunDetail,
        "logs of the selected job",
        true,
    ),
    (
        &["e"],
        Action::RerunFailed,
        Context::Runs,
        "re-run failed jobs",
        true,
    ),
    (
        &["e"],
        Action::RerunFailed,
        Context::RunDetail,
        "re-run failed jobs",
        true,
    ),
    (
        &["E"],
        Action::RerunAll,
        Context::Runs,
        "re-run all jobs",
        false,
    ),
    (
        &["E"],
        Action::RerunAll,
        Context::RunDetail,
        "re-run all jobs",
        false,
    ),
    (
        &["c"],
        Action::Cancel,
        Context::Runs,
        "cancel the run",
        true,
    ),
    (
        &["c"],
        Action::Cancel,
        Context::RunDetail,
        "cancel the run",
        true,
    ),
    (
        &["o"],
        Action::OpenBrowser,
        Context::Global,
        "open in browser",
        true,
    ),
    (
        &["1"],
        Action::ViewRuns,
        Context::Global,
        "Runs view",
        false,
    ),
    (
        &["2"],
        Action::ViewEnvironments,
        Context::Global,
        "Environments view",
        false,
    ),
    (
        &["3"],
        Action::ViewGates,
        Context::Global,
        "Gates view",
        false,
    ),
    (
        &["4"],
        Action::ViewActivity,
        Context::Global,
        "Activity view",
        false,
    ),
    (
        &["d"],
        Action::Dispatch,
        Context::Runs,
        "dispatch the run's workflow",
        false,
    ),
    (
        &["d"],
        Action::Dispatch,
        Context::RunDetail,
        "dispatch the run's workflow",
        false,
    ),
    (
        &["a"],
        Action::Approve,
        Context::Gates,
        "approve the gate (comment, then phrase or y/N)",
        true,
    ),
    (
        &["x"],
        Action::Reject,
        Context::Gates,
        "reject the gate",
        true,
    ),
    (
        &["enter"],
        Action::Open,
        Context::Gates,
        "open the run",
        false,
    ),
    (
        &["tab"],
        Action::NextView,
        Context::Global,
        "next view",
        true,
    ),
    (
        &["shift-tab"],
        Action::PrevView,
        Context::Global,
        "previous view",
        false,
    ),
    (
        &["R"],
        Action::Rollback,
        Context::Environments,
        "roll back (pick a version, preflight, phrase)",
        true,
    ),
    (
        &["w"],
        Action::Watch,
        Context::Environments,
        "open/close the cutover window",
        true,
    ),
    (
        &["n"],
        Action::NextMatch,
        Context::Logs,
        "next error / match",
        true,
    ),
    (
        &["N"],
        Action::PrevMatch,
        Context::Logs,
        "previous error / match",
        false,
    ),
];

impl Default for Keymap {
    fn default() -> Self {
        let bindings = DEFAULTS
            .iter()
            .map(|(keys, action, context, desc, hint)| Binding {
                keys: keys.iter().filter_map(|k| KeyCombo::parse(k)).collect(),
                action: *action,
                context: *context,
                desc,
                hint: *hint,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The action for a key in the given contexts; the first context listed wins, so views
    /// pass their most specific context first.
    pub fn lookup(&self, key: &KeyEvent, contexts: &[Context]) -> Option<Action> {
        let combo = KeyCombo::from_event(key);
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == *ctx && b.keys.contains(&combo))
                .map(|b| b.action)
        })
    }

    /// Bindings shown in a view's footer, in keymap order, one per action.
    pub fn hints(&self, contexts: &[Context]) -> Vec<(String, &'static str)> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *ctx && b.hint) {
                if seen.contains(&b.action) {
                    continue;
                }
                seen.push(b.action);
                if let Some(k) = b.keys.first() {
                    out.push((k.label(), b.desc));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn every_default_key_parses() {
        for (keys, ..) in DEFAULTS {
            for k in *keys {
                assert!(KeyCombo::parse(k).is_some(), "{k}");
            }
        }
    }

    #[test]
    fn most_specific_context_wins() {
        let km = Keymap::default();
        assert_eq!(
            km.lookup(&key('/'), &[Context::Logs, Context::List, Context::Global]),
            Some(Action::Filter)
        );
        assert_eq!(
            km.lookup(&key('j'), &[Context::Runs, Context::List, Context::Global]),
            Some(Action::Down)
        );
        assert_eq!(
            km.lookup(&key('n'), &[Context::Runs, Context::Global]),
            None
        );
    }

    #[test]
    fn ctrl_c_quits() {
        let km = Keymap::default();
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            km.lookup(&ev, &[Context::Runs, Context::Global]),
            Some(Action::Quit)
        );
        // plain c is cancel, not quit
        assert_eq!(
            km.lookup(&key('c'), &[Context::Runs, Context::Global]),
            Some(Action::Cancel)
        );
    }
}
