//! The command palette's language: the commands of contract.md, parsed from one line, and
//! completion of their arguments. Pure: what a command *does* is `update`'s business.

use std::fmt;

/// A palette command, parsed and with its arguments checked for shape (not for existence:
/// whether run 9004 is known is for `update` to say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Approve {
        run_id: u64,
        env: Option<String>,
    },
    Reject {
        run_id: u64,
        env: Option<String>,
    },
    Rollback {
        env: String,
        version: Option<String>,
    },
    Dispatch {
        workflow: String,
        git_ref: Option<String>,
        inputs: Vec<(String, String)>,
    },
    Rerun {
        run_id: u64,
    },
    Cancel {
        run_id: u64,
    },
    Logs {
        run_id: u64,
    },
    Watch {
        env: String,
    },
    Theme {
        name: String,
    },
    Quit,
}

/// What kind of value an argument position takes; drives completion and usage lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    RunId,
    Env,
    Version,
    Workflow,
    Ref,
    KeyValue,
    Theme,
}

/// One command's name, its arguments (required first) and a one-line summary.
pub struct Spec {
    pub name: &'static str,
    pub usage: &'static str,
    pub args: &'static [Arg],
    pub summary: &'static str,
}

pub const SPECS: &[Spec] = &[
    Spec {
        name: "approve",
        usage: "approve RUN_ID [ENV]",
        args: &[Arg::RunId, Arg::Env],
        summary: "approve a run's pending deployment",
    },
    Spec {
        name: "reject",
        usage: "reject RUN_ID [ENV]",
        args: &[Arg::RunId, Arg::Env],
        summary: "reject a run's pending deployment",
    },
    Spec {
        name: "rollback",
        usage: "rollback ENV [VERSION]",
        args: &[Arg::Env, Arg::Version],
        summary: "roll an environment back",
    },
    Spec {
        name: "dispatch",
        usage: "dispatch WORKFLOW [REF] [key=value ...]",
        args: &[Arg::Workflow, Arg::Ref, Arg::KeyValue],
        summary: "start a workflow with inputs",
    },
    Spec {
        name: "rerun",
        usage: "rerun RUN_ID",
        args: &[Arg::RunId],
        summary: "re-run a run (its failed jobs if it failed, else all)",
    },
    Spec {
        name: "cancel",
        usage: "cancel RUN_ID",
        args: &[Arg::RunId],
        summary: "cancel a run",
    },
    Spec {
        name: "logs",
        usage: "logs RUN_ID",
        args: &[Arg::RunId],
        summary: "open a run's job logs",
    },
    Spec {
        name: "watch",
        usage: "watch ENV",
        args: &[Arg::Env],
        summary: "open or close an environment's cutover window",
    },
    Spec {
        name: "theme",
        usage: "theme NAME",
        args: &[Arg::Theme],
        summary: "switch the colour theme",
    },
    Spec {
        name: "quit",
        usage: "quit",
        args: &[],
        summary: "quit cockpit",
    },
];

/// Why a line is not a command; shown inline under the palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// Splits like a shell (quotes keep spaces in `key="a b"`); an unclosed quote is an error.
/// Unlike a shell, `#` starts no comment: `#9004` is how GitHub writes a run. shlex has no
/// switch for that, so `#` is swapped for a private-use character around the split.
fn words(line: &str) -> Result<Vec<String>, ParseError> {
    const HASH: char = '\u{F8FF}';
    let split = shlex::split(&line.replace('#', &HASH.to_string()))
        .ok_or_else(|| ParseError("unclosed quote".into()))?;
    Ok(split.into_iter().map(|w| w.replace(HASH, "#")).collect())
}

fn run_id(name: &str, word: Option<&String>) -> Result<u64, ParseError> {
    let usage = spec(name).map_or("", |s| s.usage);
    let word = word.ok_or_else(|| ParseError(format!("missing RUN_ID: {usage}")))?;
    word.trim_start_matches('#')
        .parse()
        .map_err(|_| ParseError(format!("{word:?} is not a run id (a number): {usage}")))
}

fn required(name: &str, what: &str, word: Option<&String>) -> Result<String, ParseError> {
    let usage = spec(name).map_or("", |s| s.usage);
    word.cloned()
        .ok_or_else(|| ParseError(format!("missing {what}: {usage}")))
}

fn at_most(name: &str, words: &[String], n: usize) -> Result<(), ParseError> {
    if words.len() > n {
        let usage = spec(name).map_or("", |s| s.usage);
        return Err(ParseError(format!(
            "too many arguments ({:?}): {usage}",
            words[n..].join(" ")
        )));
    }
    Ok(())
}

/// Parses one palette line (without the leading `:`).
pub fn parse(line: &str) -> Result<Command, ParseError> {
    let words = words(line)?;
    let Some((name, rest)) = words.split_first() else {
        return Err(ParseError("type a command; Tab completes".into()));
    };
    let name = name.as_str();
    let Some(spec) = spec(name) else {
        let names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
        return Err(ParseError(format!(
            "unknown command {name:?}; commands: {}",
            names.join(", ")
        )));
    };
    let cmd = match spec.name {
        "approve" | "reject" => {
            at_most(name, rest, 2)?;
            let run_id = run_id(name, rest.first())?;
            let env = rest.get(1).cloned();
            if name == "approve" {
                Command::Approve { run_id, env }
            } else {
                Command::Reject { run_id, env }
            }
        }
        "rollback" => {
            at_most(name, rest, 2)?;
            Command::Rollback {
                env: required(name, "ENV", rest.first())?,
                version: rest.get(1).cloned(),
            }
        }
        "dispatch" => {
            let workflow = required(name, "WORKFLOW", rest.first())?;
            let mut git_ref = None;
            let mut inputs = Vec::new();
            for (i, w) in rest.iter().enumerate().skip(1) {
                match w.split_once('=') {
                    Some((k, v)) if !k.is_empty() => inputs.push((k.to_string(), v.to_string())),
                    Some(_) => return Err(ParseError(format!("{w:?}: an input needs a name"))),
                    None if i == 1 => git_ref = Some(w.clone()),
                    None => {
                        return Err(ParseError(format!(
                            "{w:?}: inputs are key=value ({})",
                            spec.usage
                        )));
                    }
                }
            }
            Command::Dispatch {
                workflow,
                git_ref,
                inputs,
            }
        }
        "rerun" | "cancel" | "logs" => {
            at_most(name, rest, 1)?;
            let run_id = run_id(name, rest.first())?;
            match name {
                "rerun" => Command::Rerun { run_id },
                "cancel" => Command::Cancel { run_id },
                _ => Command::Logs { run_id },
            }
        }
        "watch" => {
            at_most(name, rest, 1)?;
            Command::Watch {
                env: required(name, "ENV", rest.first())?,
            }
        }
        "theme" => {
            at_most(name, rest, 1)?;
            Command::Theme {
                name: required(name, "NAME", rest.first())?,
            }
        }
        _ => {
            at_most(name, rest, 0)?;
            Command::Quit
        }
    };
    Ok(cmd)
}

/// What completion may offer, gathered from the model by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Most interesting first (waiting and active runs before finished ones).
    pub run_ids: Vec<String>,
    pub envs: Vec<String>,
    pub workflows: Vec<String>,
    pub versions: Vec<String>,
    pub refs: Vec<String>,
    pub themes: Vec<String>,
    /// Input names of the workflow being dispatched, as `name=`.
    pub inputs: Vec<String>,
    /// Values those inputs accept, as `name=value` (offered once the word has an `=`).
    pub input_values: Vec<String>,
}

/// Completion of the word under the cursor (the end of the line): the byte offset where
/// that word starts and the matching options, in the candidates' order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub start: usize,
    pub options: Vec<String>,
}

impl Completion {
    /// The longest prefix shared by every option (what Tab fills in when there are several).
    pub fn common_prefix(&self) -> String {
        let Some(first) = self.options.first() else {
            return String::new();
        };
        let mut end = first.len();
        for o in &self.options[1..] {
            end = first
                .char_indices()
                .zip(o.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map_or(0, |((i, a), _)| i + a.len_utf8())
                .min(end);
        }
        first[..end].to_string()
    }
}

/// Which argument kind the word at position `index` (0 = first argument) of `spec` takes.
fn arg_at(spec: &Spec, index: usize) -> Option<Arg> {
    match spec.args.last() {
        // Dispatch: WORKFLOW, then REF or key=value, then key=value for ever.
        Some(Arg::KeyValue) if index >= spec.args.len() - 1 => Some(Arg::KeyValue),
        _ => spec.args.get(index).copied(),
    }
}

/// Completes the last word of `line`; a line ending in a space completes a new empty word.
pub fn complete(line: &str, c: &Candidates) -> Completion {
    let start = line.rfind(char::is_whitespace).map_or(0, |i| {
        i + line[i..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &line[start..];
    let before: Vec<&str> = line[..start].split_whitespace().collect();
    let pool: Vec<String> = match before.split_first() {
        None => SPECS.iter().map(|s| s.name.to_string()).collect(),
        Some((name, args)) => match spec(name).and_then(|s| arg_at(s, args.len())) {
            Some(Arg::RunId) => c.run_ids.clone(),
            Some(Arg::Env) => c.envs.clone(),
            Some(Arg::Version) => c.versions.clone(),
            Some(Arg::Workflow) => c.workflows.clone(),
            Some(Arg::Theme) => c.themes.clone(),
            Some(Arg::Ref | Arg::KeyValue) if word.contains('=') => c.input_values.clone(),
            Some(Arg::Ref) => c.refs.iter().chain(&c.inputs).cloned().collect(),
            Some(Arg::KeyValue) => c.inputs.clone(),
            None => Vec::new(),
        },
    };
    let mut options: Vec<String> = Vec::new();
    for o in pool {
        if o.starts_with(word) && !options.contains(&o) {
            options.push(o);
        }
    }
    Completion { start, options }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contract_command_parses() {
        assert_eq!(
            parse("approve 9004 production"),
            Ok(Command::Approve {
                run_id: 9004,
                env: Some("production".into())
            })
        );
        assert_eq!(
            parse("reject #9004"),
            Ok(Command::Reject {
                run_id: 9004,
                env: None
            })
        );
        assert_eq!(
            parse("rollback production v1.3.2"),
            Ok(Command::Rollback {
                env: "production".into(),
                version: Some("v1.3.2".into())
            })
        );
        assert_eq!(
            parse(r#"dispatch deploy-production.yml main version=v1.4.0 note="two words #1""#),
            Ok(Command::Dispatch {
                workflow: "deploy-production.yml".into(),
                git_ref: Some("main".into()),
                inputs: vec![
                    ("version".into(), "v1.4.0".into()),
                    ("note".into(), "two words #1".into())
                ],
            })
        );
        assert_eq!(
            parse("dispatch ci.yml version=v1"),
            Ok(Command::Dispatch {
                workflow: "ci.yml".into(),
                git_ref: None,
                inputs: vec![("version".into(), "v1".into())],
            })
        );
        assert_eq!(parse("rerun 1"), Ok(Command::Rerun { run_id: 1 }));
        assert_eq!(parse("cancel 2"), Ok(Command::Cancel { run_id: 2 }));
        assert_eq!(parse("logs 3"), Ok(Command::Logs { run_id: 3 }));
        assert_eq!(
            parse("  watch   staging "),
            Ok(Command::Watch {
                env: "staging".into()
            })
        );
        assert_eq!(
            parse("theme default"),
            Ok(Command::Theme {
                name: "default".into()
            })
        );
        assert_eq!(parse("quit"), Ok(Command::Quit));
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        let err = |l: &str| parse(l).err().map(|e| e.0).unwrap_or_default();
        assert!(err("deploy prod").contains("unknown command \"deploy\""));
        assert!(err("deploy prod").contains("approve, reject"));
        assert!(err("approve").contains("missing RUN_ID: approve RUN_ID [ENV]"));
        assert!(err("approve abc").contains("\"abc\" is not a run id"));
        assert!(err("watch").contains("missing ENV"));
        assert!(err("watch a b").contains("too many arguments (\"b\")"));
        assert!(err("quit now").contains("too many"));
        assert!(err("dispatch ci.yml main oops").contains("inputs are key=value"));
        assert!(err("dispatch ci.yml =v").contains("needs a name"));
        assert!(err("dispatch ci.yml \"main").contains("unclosed quote"));
        assert!(err("").contains("Tab completes"));
    }

    fn candidates() -> Candidates {
        Candidates {
            run_ids: vec!["9004".into(), "9001".into(), "8990".into()],
            envs: vec!["staging".into(), "production".into()],
            workflows: vec!["ci.yml".into(), "deploy-production.yml".into()],
            versions: vec!["v1.3.2".into(), "v1.3.1".into()],
            refs: vec!["main".into()],
            themes: vec!["default".into()],
            inputs: vec!["version=".into(), "dry_run=".into()],
            input_values: vec!["dry_run=true".into(), "dry_run=false".into()],
        }
    }

    #[test]
    fn completion_follows_the_argument_kind() {
        let c = candidates();
        let opts = |l: &str| complete(l, &c).options;
        assert_eq!(opts("ap"), vec!["approve"]);
        assert_eq!(opts("r"), vec!["reject", "rollback", "rerun"]);
        assert_eq!(opts("approve 90"), vec!["9004", "9001"]);
        assert_eq!(opts("approve 9004 p"), vec!["production"]);
        assert_eq!(opts("watch "), vec!["staging", "production"]);
        assert_eq!(opts("rollback production v1.3."), vec!["v1.3.2", "v1.3.1"]);
        assert_eq!(opts("dispatch d"), vec!["deploy-production.yml"]);
        assert_eq!(
            opts("dispatch ci.yml "),
            vec!["main", "version=", "dry_run="]
        );
        assert_eq!(opts("dispatch ci.yml main v"), vec!["version="]);
        assert_eq!(
            opts("dispatch ci.yml main a=1 "),
            vec!["version=", "dry_run="]
        );
        assert_eq!(
            opts("dispatch ci.yml main dry_run="),
            vec!["dry_run=true", "dry_run=false"]
        );
        assert_eq!(opts("dispatch ci.yml dry_run=f"), vec!["dry_run=false"]);
        assert_eq!(opts("theme "), vec!["default"]);
        assert!(opts("quit ").is_empty());
        assert!(opts("nope ").is_empty());
        assert_eq!(complete("watch pro", &c).start, 6);
    }

    #[test]
    fn common_prefix_of_options() {
        let c = candidates();
        assert_eq!(complete("approve 90", &c).common_prefix(), "900");
        assert_eq!(complete("rollback x v", &c).common_prefix(), "v1.3.");
        assert_eq!(complete("zzz", &c).common_prefix(), "");
    }
}
