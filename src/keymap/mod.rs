//! The keymap as data: each binding names its keys, the action and a description that the
//! help screen and the footer hints are built from, so help can never drift from behaviour.
//! `[keys]` overrides (see [`Keymap::with_overrides`]) change that data, so help follows them.

mod combo;
mod defaults;
mod overrides;

use crossterm::event::KeyEvent;

use crate::msg::Action;
pub use combo::{KEY_FORMS, KeyCombo};
pub use defaults::{ACTIONS, ActionName, RESERVED};
pub use overrides::KeyProblem;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    /// Any scrolling list (runs, jobs, log lines, environments, gates, activity).
    List,
    Runs,
    RunDetail,
    Logs,
    Environments,
    Gates,
    Activity,
}

impl Context {
    /// Whether a key could reach both: every view also looks keys up in `List` and `Global`,
    /// so those overlap everything; two views never do.
    pub fn overlaps(self, other: Context) -> bool {
        self == other
            || matches!(self, Context::Global | Context::List)
            || matches!(other, Context::Global | Context::List)
    }

    /// Where it applies, in words (docs and error messages).
    pub fn describe(self) -> &'static str {
        match self {
            Context::Global => "everywhere",
            Context::List => "lists",
            Context::Runs => "Runs view",
            Context::RunDetail => "run detail",
            Context::Logs => "log view",
            Context::Environments => "Environments view",
            Context::Gates => "Gates view",
            Context::Activity => "Activity view",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: Vec<KeyCombo>,
    pub action: Action,
    pub context: Context,
    pub desc: &'static str,
    /// Shown in the footer of the views where it applies.
    pub hint: bool,
    /// A [`RESERVED`] key: no override removes or reuses it.
    pub fixed: bool,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

/// The `[keys]` name of an action.
pub fn action_name(action: Action) -> &'static str {
    ACTIONS
        .iter()
        .find(|a| a.action == action)
        .map_or("?", |a| a.name)
}

/// The action a `[keys]` name stands for.
pub fn action_named(name: &str) -> Option<Action> {
    ACTIONS.iter().find(|a| a.name == name).map(|a| a.action)
}

/// The action a reserved key always performs, if it is one.
pub fn reserved_action(key: KeyCombo) -> Option<Action> {
    RESERVED
        .iter()
        .find(|(k, _)| KeyCombo::parse(k) == Some(key))
        .map(|(_, a)| *a)
}

impl Default for Keymap {
    fn default() -> Self {
        let bindings = defaults::DEFAULTS
            .iter()
            .map(|(keys, action, context, desc, hint)| {
                let keys: Vec<KeyCombo> = keys.iter().filter_map(|k| KeyCombo::parse(k)).collect();
                let fixed = keys.iter().all(|k| reserved_action(*k) == Some(*action));
                Binding {
                    keys,
                    action: *action,
                    context: *context,
                    desc,
                    hint: *hint,
                    fixed,
                }
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

    /// The label of the first key bound to `action` (for text that names a key, like
    /// "R shows it again"), if any key is.
    pub fn label_of(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .filter(|b| b.action == action)
            .find_map(|b| b.keys.first())
            .map(KeyCombo::label)
    }
}

/// The `[keys]` table of docs/config.md: every action's name, default keys, where it applies
/// and what it does (a test keeps the docs equal to this).
pub fn docs_table() -> String {
    let defaults = Keymap::default();
    let mut out =
        String::from("| action | default keys | where | what it does |\n|---|---|---|---|\n");
    for a in ACTIONS {
        let mut keys: Vec<String> = Vec::new();
        let mut places: Vec<&str> = Vec::new();
        for b in defaults.bindings.iter().filter(|b| b.action == a.action) {
            for k in &b.keys {
                let word = if b.fixed {
                    format!("`{}` (reserved)", k.config_name())
                } else {
                    format!("`{}`", k.config_name())
                };
                if !keys.contains(&word) {
                    keys.push(word);
                }
            }
            if !places.contains(&b.context.describe()) {
                places.push(b.context.describe());
            }
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            a.name,
            keys.join(", "),
            places.join(", "),
            a.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyModifiers};

    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn every_default_key_parses() {
        for (keys, ..) in defaults::DEFAULTS {
            for k in *keys {
                assert!(KeyCombo::parse(k).is_some(), "{k}");
            }
        }
    }

    #[test]
    fn every_action_has_one_name() {
        use Action::*;
        let all = [
            Quit,
            Help,
            Up,
            Down,
            Top,
            Bottom,
            PageUp,
            PageDown,
            Open,
            Back,
            Filter,
            Logs,
            RerunFailed,
            RerunAll,
            Cancel,
            OpenBrowser,
            ViewRuns,
            ViewEnvironments,
            ViewGates,
            ViewActivity,
            Dispatch,
            Rollback,
            Approve,
            Reject,
            NextView,
            PrevView,
            Watch,
            NextMatch,
            PrevMatch,
            Palette,
        ];
        for a in all {
            // A new action fails to compile here until it is listed above (and named).
            match a {
                Quit | Help | Up | Down | Top | Bottom | PageUp | PageDown | Open | Back
                | Filter | Logs | RerunFailed | RerunAll | Cancel | OpenBrowser | ViewRuns
                | ViewEnvironments | ViewGates | ViewActivity | Dispatch | Rollback | Approve
                | Reject | NextView | PrevView | Watch | NextMatch | PrevMatch | Palette => {}
            }
            let named = ACTIONS.iter().filter(|n| n.action == a).count();
            assert_eq!(named, 1, "{a:?}");
            assert_eq!(action_named(action_name(a)), Some(a));
            assert!(
                Keymap::default().bindings.iter().any(|b| b.action == a),
                "{a:?} has no default key"
            );
        }
        assert_eq!(ACTIONS.len(), all.len());
        for n in ACTIONS {
            let snake = n.name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            assert!(snake, "{} is not snake_case", n.name);
        }
    }

    #[test]
    fn reserved_keys_are_fixed_bindings() {
        let km = Keymap::default();
        let fixed: Vec<String> = km
            .bindings
            .iter()
            .filter(|b| b.fixed)
            .map(|b| format!("{}={}", b.keys[0].config_name(), action_name(b.action)))
            .collect();
        assert_eq!(fixed, ["ctrl-c=quit", "esc=back"]);
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
