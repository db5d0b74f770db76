//! `[keys]` applied to the default keymap: an override replaces the action's keys in every
//! context the action has. Anything that would leave a key meaning two things where both
//! apply is refused, so the keymap in force (and the help built from it) is never ambiguous.

use std::fmt;

use super::reserved_action;
use super::{ACTIONS, Binding, Context, KEY_FORMS, KeyCombo, Keymap, action_name, action_named};
use crate::msg::Action;

/// Why a `[keys]` entry cannot be applied. `index` is the key's position in the entry's list
/// (0 for `action = "key"`), so the config can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    UnknownAction {
        action: String,
        suggestion: Option<&'static str>,
    },
    NoKeys {
        action: String,
    },
    BadKey {
        action: String,
        index: usize,
        key: String,
    },
    /// `esc` or `ctrl-c` given to another action.
    Reserved {
        action: String,
        index: usize,
        key: String,
        owner: &'static str,
    },
    /// `key` would be `action`'s and `other`'s where both apply. `other_index` is set when
    /// `other`'s key comes from `[keys]` too (else it is a default the user left alone).
    Conflict {
        action: &'static str,
        index: usize,
        key: String,
        other: &'static str,
        other_index: Option<usize>,
        contexts: (Context, Context),
    },
}

impl KeyProblem {
    /// The `[keys]` entry the problem is about.
    pub fn action(&self) -> &str {
        match self {
            KeyProblem::UnknownAction { action, .. }
            | KeyProblem::NoKeys { action }
            | KeyProblem::BadKey { action, .. }
            | KeyProblem::Reserved { action, .. } => action,
            KeyProblem::Conflict { action, .. } => action,
        }
    }

    /// Which key of the entry, when it is about one key.
    pub fn index(&self) -> Option<usize> {
        match self {
            KeyProblem::UnknownAction { .. } | KeyProblem::NoKeys { .. } => None,
            KeyProblem::BadKey { index, .. }
            | KeyProblem::Reserved { index, .. }
            | KeyProblem::Conflict { index, .. } => Some(*index),
        }
    }
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyProblem::UnknownAction { action, suggestion } => {
                write!(f, "unknown action {action:?} in [keys]")?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean {s:?}?)")?;
                }
                let names: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
                write!(f, ": expected one of: {}", names.join(", "))
            }
            KeyProblem::NoKeys { action } => write!(
                f,
                "no key for {action:?}: expected a key like \"q\" or a list of keys"
            ),
            KeyProblem::BadKey { action, key, .. } if key.is_empty() => {
                write!(f, "empty key for {action:?}: expected {KEY_FORMS}")
            }
            KeyProblem::BadKey { action, key, .. } => {
                write!(
                    f,
                    "{key:?} is not a key (for {action:?}): expected {KEY_FORMS}"
                )
            }
            KeyProblem::Reserved {
                action, key, owner, ..
            } => write!(
                f,
                "{key:?} cannot be bound to {action:?}: it is reserved for {owner:?} \
                 (esc always goes back and closes dialogs, ctrl-c always quits)"
            ),
            KeyProblem::Conflict {
                action,
                key,
                other,
                other_index,
                contexts: (a, b),
                ..
            } => {
                let key = KeyCombo::parse(key).map_or_else(|| key.clone(), |k| k.config_name());
                let place = if a == b {
                    a.describe().to_string()
                } else {
                    format!("{} and {}", a.describe(), b.describe())
                };
                match other_index {
                    Some(_) => write!(
                        f,
                        "key {key:?} is bound to both {action:?} and {other:?} ({place}): \
                         give one of them another key"
                    ),
                    None => write!(
                        f,
                        "key {key:?} for {action:?} is already {other:?}'s default key \
                         ({place}): pick another key, or rebind {other:?} too \
                         ({other} = \"...\" in [keys])"
                    ),
                }
            }
        }
    }
}

/// One `[keys]` entry whose action is known, its keys parsed (with their list positions).
struct Applied {
    action: Action,
    name: &'static str,
    keys: Vec<(usize, KeyCombo)>,
}

impl Keymap {
    /// The default keymap with `overrides` (`action name`, `keys`) applied, or every reason
    /// it cannot be.
    pub fn with_overrides<'a, I>(overrides: I) -> Result<Keymap, Vec<KeyProblem>>
    where
        I: IntoIterator<Item = (&'a str, Vec<&'a str>)>,
    {
        let mut problems = Vec::new();
        let mut applied: Vec<Applied> = Vec::new();
        for (name, keys) in overrides {
            let Some(action) = action_named(name) else {
                problems.push(KeyProblem::UnknownAction {
                    action: name.to_string(),
                    suggestion: nearest(name),
                });
                continue;
            };
            if keys.is_empty() {
                problems.push(KeyProblem::NoKeys {
                    action: name.to_string(),
                });
                continue;
            }
            let mut parsed: Vec<(usize, KeyCombo)> = Vec::new();
            for (index, key) in keys.iter().enumerate() {
                let Some(combo) = KeyCombo::parse(key) else {
                    problems.push(KeyProblem::BadKey {
                        action: name.to_string(),
                        index,
                        key: key.to_string(),
                    });
                    continue;
                };
                match reserved_action(combo) {
                    // Naming a reserved key for its own action changes nothing: it stays.
                    Some(owner) if owner == action => {}
                    Some(owner) => problems.push(KeyProblem::Reserved {
                        action: name.to_string(),
                        index,
                        key: key.to_string(),
                        owner: action_name(owner),
                    }),
                    None if parsed.iter().any(|(_, k)| *k == combo) => {}
                    None => parsed.push((index, combo)),
                }
            }
            applied.push(Applied {
                action,
                name: action_name(action),
                keys: parsed,
            });
        }
        let mut keymap = Keymap::default();
        for a in &applied {
            let keys: Vec<KeyCombo> = a.keys.iter().map(|(_, k)| *k).collect();
            keymap.replace_keys(a.action, keys);
        }
        problems.extend(keymap.conflicts(&applied));
        if problems.is_empty() {
            Ok(keymap)
        } else {
            Err(problems)
        }
    }

    /// Gives `action` exactly `keys` (besides its reserved ones) in every context it has.
    fn replace_keys(&mut self, action: Action, keys: Vec<KeyCombo>) {
        let has_own = self.bindings.iter().any(|b| b.action == action && !b.fixed);
        if !has_own {
            // An action with only a reserved key (back: esc) gets its new keys next to it.
            let added: Vec<(usize, Binding)> = self
                .bindings
                .iter()
                .enumerate()
                .filter(|(_, b)| b.action == action)
                .map(|(i, b)| {
                    let summary = ACTIONS
                        .iter()
                        .find(|a| a.action == action)
                        .map_or(b.desc, |a| a.summary);
                    let binding = Binding {
                        keys: Vec::new(),
                        desc: summary,
                        hint: false,
                        fixed: false,
                        ..b.clone()
                    };
                    (i, binding)
                })
                .collect();
            for (i, binding) in added.into_iter().rev() {
                self.bindings.insert(i, binding);
            }
        }
        for b in self
            .bindings
            .iter_mut()
            .filter(|b| b.action == action && !b.fixed)
        {
            b.keys = keys.clone();
        }
        // `quit = "ctrl-c"` leaves quit's own row with no key: it says nothing in help.
        self.bindings.retain(|b| !b.keys.is_empty());
    }

    /// Keys that mean two actions where both apply, at least one of them from `[keys]`.
    fn conflicts(&self, applied: &[Applied]) -> Vec<KeyProblem> {
        let user = |b: &Binding| -> Option<&Applied> {
            (!b.fixed)
                .then(|| applied.iter().find(|a| a.action == b.action))
                .flatten()
        };
        let mut out: Vec<KeyProblem> = Vec::new();
        for (i, a) in self.bindings.iter().enumerate() {
            for b in &self.bindings[i + 1..] {
                if a.action == b.action || !a.context.overlaps(b.context) {
                    continue;
                }
                let (subject, other, contexts) = match (user(a), user(b)) {
                    (None, None) => continue,
                    (Some(s), _) => (s, user(b).ok_or(b.action), (a.context, b.context)),
                    (None, Some(s)) => (s, Err(a.action), (b.context, a.context)),
                };
                for key in a.keys.iter().filter(|k| b.keys.contains(k)) {
                    let Some(index) = position(subject, *key) else {
                        continue;
                    };
                    let (other_name, other_index) = match other {
                        Ok(o) => (o.name, position(o, *key)),
                        Err(action) => (action_name(action), None),
                    };
                    let duplicate = out.iter().any(|p| {
                        matches!(p, KeyProblem::Conflict { action, other, key: k, .. }
                            if ((*action, *other) == (subject.name, other_name)
                                || (*action, *other) == (other_name, subject.name))
                                && KeyCombo::parse(k) == Some(*key))
                    });
                    if !duplicate {
                        out.push(KeyProblem::Conflict {
                            action: subject.name,
                            index,
                            key: key.config_name(),
                            other: other_name,
                            other_index,
                            contexts,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Where `key` is in an entry's list.
fn position(applied: &Applied, key: KeyCombo) -> Option<usize> {
    applied
        .keys
        .iter()
        .find(|(_, k)| *k == key)
        .map(|(i, _)| *i)
}

/// The action name a typo most likely meant, if one is close enough.
fn nearest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    ACTIONS
        .iter()
        .map(|a| (strsim::damerau_levenshtein(&lower, a.name), a.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    const GATES: &[Context] = &[Context::Gates, Context::List, Context::Global];
    const RUNS: &[Context] = &[Context::Runs, Context::List, Context::Global];

    fn build(entries: &[(&'static str, &[&'static str])]) -> Result<Keymap, Vec<KeyProblem>> {
        Keymap::with_overrides(entries.iter().map(|(a, k)| (*a, k.to_vec())))
    }

    #[test]
    fn the_defaults_have_no_conflict() {
        let km = Keymap::default();
        assert!(km.conflicts(&[]).is_empty());
        // Even when every action is "overridden" with its own default keys.
        let own: Vec<(&str, Vec<String>)> = ACTIONS
            .iter()
            .map(|a| {
                let keys = km
                    .bindings
                    .iter()
                    .filter(|b| b.action == a.action && !b.fixed)
                    .flat_map(|b| b.keys.iter().map(|k| k.config_name()))
                    .collect::<Vec<_>>();
                (a.name, keys)
            })
            .filter(|(_, keys)| !keys.is_empty())
            .collect();
        let result = Keymap::with_overrides(
            own.iter()
                .map(|(a, keys)| (*a, keys.iter().map(String::as_str).collect())),
        );
        assert!(result.is_ok(), "{:?}", result.err());
    }

    #[test]
    fn an_override_replaces_the_default_keys_in_every_context() {
        let km = build(&[("approve", &["A"]), ("rerun_failed", &["r"])]).unwrap();
        assert_eq!(km.lookup(&key('A'), GATES), Some(Action::Approve));
        assert_eq!(km.lookup(&key('a'), GATES), None);
        // rerun_failed has a Runs and a RunDetail binding: both moved.
        assert_eq!(km.lookup(&key('r'), RUNS), Some(Action::RerunFailed));
        let detail = [Context::RunDetail, Context::List, Context::Global];
        assert_eq!(km.lookup(&key('r'), &detail), Some(Action::RerunFailed));
        assert_eq!(km.lookup(&key('e'), &detail), None);
    }

    #[test]
    fn the_list_form_binds_every_key() {
        let km = build(&[("down", &["ctrl-n", "down", "J"])]).unwrap();
        let ctrl_n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(&ctrl_n, RUNS), Some(Action::Down));
        assert_eq!(km.lookup(&key('J'), RUNS), Some(Action::Down));
        assert_eq!(km.lookup(&key('j'), RUNS), None);
        let labels: Vec<String> = km
            .bindings
            .iter()
            .find(|b| b.action == Action::Down)
            .unwrap()
            .keys
            .iter()
            .map(KeyCombo::label)
            .collect();
        assert_eq!(labels, ["C-n", "↓", "J"]);
    }

    #[test]
    fn a_conflict_with_a_default_names_both_and_the_fix() {
        let problems = build(&[("approve", &["q"])]).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        let p = &problems[0];
        assert!(matches!(
            p,
            KeyProblem::Conflict {
                action: "approve",
                other: "quit",
                other_index: None,
                index: 0,
                ..
            }
        ));
        let text = p.to_string();
        assert!(
            text.contains("\"approve\"") && text.contains("\"quit\""),
            "{text}"
        );
        assert!(text.contains("rebind \"quit\" too"), "{text}");
        // Moving quit too resolves it.
        let km = build(&[("approve", &["q"]), ("quit", &["Q"])]).unwrap();
        assert_eq!(km.lookup(&key('q'), GATES), Some(Action::Approve));
        assert_eq!(km.lookup(&key('q'), RUNS), None);
        assert_eq!(km.lookup(&key('Q'), RUNS), Some(Action::Quit));
    }

    #[test]
    fn two_overrides_on_one_key_where_both_apply_conflict() {
        let problems = build(&[("approve", &["y"]), ("reject", &["n", "y"])]).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(matches!(
            &problems[0],
            KeyProblem::Conflict {
                action: "approve",
                other: "reject",
                index: 0,
                other_index: Some(1),
                ..
            }
        ));
        // A view key against a list key overlaps too: every view scrolls.
        assert!(build(&[("rollback", &["j"])]).is_err());
        // And against a global one.
        assert!(build(&[("watch", &["1"])]).is_err());
    }

    #[test]
    fn the_same_key_in_views_that_never_meet_is_fine() {
        // `a` approves in Gates; watching is an Environments key.
        let km = build(&[("watch", &["a"])]).unwrap();
        let envs = [Context::Environments, Context::List, Context::Global];
        assert_eq!(km.lookup(&key('a'), &envs), Some(Action::Watch));
        assert_eq!(km.lookup(&key('a'), GATES), Some(Action::Approve));
    }

    #[test]
    fn reserved_keys_stay_and_cannot_be_reused() {
        let problems = build(&[("approve", &["esc"])]).unwrap_err();
        assert!(matches!(
            &problems[0],
            KeyProblem::Reserved { owner: "back", .. }
        ));
        // quit = "Q" still quits on ctrl-c; back gains a key and keeps esc.
        let km = build(&[("quit", &["Q"]), ("back", &["h"])]).unwrap();
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(&ctrl_c, RUNS), Some(Action::Quit));
        let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
        assert_eq!(km.lookup(&esc, RUNS), Some(Action::Back));
        assert_eq!(km.lookup(&key('h'), RUNS), Some(Action::Back));
        // Naming the reserved key of the action itself is allowed and changes nothing.
        assert!(build(&[("quit", &["q", "ctrl-c"])]).is_ok());
    }

    #[test]
    fn unknown_actions_and_bad_keys_say_what_was_meant() {
        let problems =
            build(&[("aprove", &["A"]), ("quit", &["ctrl+q"]), ("help", &[])]).unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("unknown action \"aprove\""), "{}", text[0]);
        assert!(text[0].contains("did you mean \"approve\""), "{}", text[0]);
        assert!(text[1].contains("\"ctrl+q\" is not a key"), "{}", text[1]);
        assert!(text[1].contains("ctrl-CHAR"), "{}", text[1]);
        assert!(text[2].contains("no key for \"help\""), "{}", text[2]);
        assert_eq!(nearest("zzzzzzzz"), None);
        assert_eq!(nearest("page-down"), Some("page_down"));
    }

    #[test]
    fn help_and_hints_follow_the_overrides() {
        let km = build(&[("help", &["F1"]), ("palette", &[";"])]).unwrap();
        let hints = km.hints(&[Context::Runs, Context::Global]);
        assert!(hints.contains(&("F1".to_string(), "help (this screen)")));
        assert!(
            hints
                .iter()
                .any(|(k, d)| k == ";" && d.starts_with("command palette"))
        );
        assert!(!hints.iter().any(|(k, _)| k == "?" || k == ":"));
        assert_eq!(km.label_of(Action::Help).as_deref(), Some("F1"));
    }
}
