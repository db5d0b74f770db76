//! A workflow file read for dispatching: its name, whether `workflow_dispatch` triggers it,
//! its inputs in file order, and the environments its jobs deploy to.

use std::collections::BTreeMap;

use serde_yaml_ng::{Mapping, Value};

use super::DispatchError;
use super::expr;

/// Input name → the value the operator has chosen (as text, the way GitHub receives it).
pub type Values = BTreeMap<String, String>;

#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowSpec {
    /// The top-level `name:`; GitHub shows the file path when it is missing.
    pub name: Option<String>,
    /// `workflow_dispatch` is among the triggers: only then does GitHub accept a dispatch.
    pub dispatchable: bool,
    /// `on.workflow_dispatch.inputs`, in file order (the form shows them in that order).
    pub inputs: Vec<InputSpec>,
    /// Every `jobs.*.environment`, deduplicated, in file order.
    pub environments: Vec<EnvRef>,
}

/// Where a job deploys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvRef {
    /// A literal environment name (`environment: production`), or one that an expression
    /// could produce (a quoted literal, a matrix value).
    Named(String),
    /// The environment is whatever the named dispatch input is set to
    /// (`environment: ${{ inputs.target }}`).
    FromInput(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct InputSpec {
    pub name: String,
    pub description: Option<String>,
    pub required: bool,
    /// The file's default as text (`default: false` becomes `"false"`).
    pub default: Option<String>,
    pub kind: InputKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    String,
    Choice(Vec<String>),
    Boolean,
    Number,
    /// One of the repository's environments, picked by name.
    Environment,
}

impl InputKind {
    fn parse(path: &str, ty: &str, options: Option<&Value>) -> Result<InputKind, DispatchError> {
        Ok(match ty {
            "string" => InputKind::String,
            "boolean" => InputKind::Boolean,
            "number" => InputKind::Number,
            "environment" => InputKind::Environment,
            "choice" => {
                let options = match options {
                    Some(Value::Sequence(seq)) => seq
                        .iter()
                        .map(|v| {
                            scalar(v).ok_or_else(|| {
                                DispatchError::invalid(
                                    format!("{path}.options"),
                                    "every option must be a plain value",
                                )
                            })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                    _ => Vec::new(),
                };
                if options.is_empty() {
                    return Err(DispatchError::invalid(
                        format!("{path}.options"),
                        "a choice input needs a non-empty list of options",
                    ));
                }
                InputKind::Choice(options)
            }
            other => {
                return Err(DispatchError::invalid(
                    format!("{path}.type"),
                    format!(
                        "unknown input type {other:?} (expected string, choice, boolean, number or environment)"
                    ),
                ));
            }
        })
    }
}

/// Reads a workflow file. Lenient about everything cockpit does not use (steps, permissions,
/// unknown keys); strict about the parts a dispatch depends on (the input types), because a
/// form built from a misread input would send something GitHub rejects.
pub fn parse_workflow(yaml: &str) -> Result<WorkflowSpec, DispatchError> {
    let mut doc: Value = serde_yaml_ng::from_str(yaml).map_err(yaml_error)?;
    // Anchors are resolved by the parser; `<<:` merge keys are not unless asked.
    doc.apply_merge().map_err(yaml_error)?;
    let Value::Mapping(root) = doc else {
        return Err(DispatchError::invalid(
            "(top level)",
            format!("a workflow is a mapping of keys, found {}", kind_of(&doc)),
        ));
    };
    let name = root.get("name").and_then(scalar);
    let (dispatchable, inputs) = triggers(&root)?;
    let environments = match root.get("jobs") {
        Some(Value::Mapping(jobs)) => environments(jobs),
        _ => Vec::new(),
    };
    Ok(WorkflowSpec {
        name,
        dispatchable,
        inputs,
        environments,
    })
}

/// The environment names a dispatch with `values` would deploy to, deduplicated
/// (case-insensitively, as GitHub compares environment names), in file order.
///
/// An input-driven environment takes the input's value from `values`, else the input's
/// default; an empty value deploys nowhere yet. Boolean and number inputs are skipped: they
/// appear in composite expressions such as `${{ inputs.prod && 'production' || 'staging' }}`
/// as conditions, and their `true`/`3` is never an environment's name (the literals of such
/// an expression are already listed as [`EnvRef::Named`]).
pub fn deploys_to(spec: &WorkflowSpec, values: &Values) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for env in &spec.environments {
        let name = match env {
            EnvRef::Named(n) => Some(n.clone()),
            EnvRef::FromInput(input) => spec
                .inputs
                .iter()
                .find(|i| &i.name == input)
                .filter(|i| !matches!(i.kind, InputKind::Boolean | InputKind::Number))
                .and_then(|i| values.get(&i.name).cloned().or_else(|| i.default.clone())),
        };
        if let Some(name) = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty())
            && !out.iter().any(|o| o.eq_ignore_ascii_case(&name))
        {
            out.push(name);
        }
    }
    out
}

fn yaml_error(e: serde_yaml_ng::Error) -> DispatchError {
    let loc = e.location();
    DispatchError::Yaml {
        line: loc.as_ref().map(|l| l.line()),
        column: loc.as_ref().map(|l| l.column()),
        message: e.to_string(),
    }
}

/// `on:` in any of its shapes. A YAML 1.1 reader (and files round-tripped through one) turns
/// the unquoted key `on` into the boolean `true`, so that key counts as `on` too.
fn triggers(root: &Mapping) -> Result<(bool, Vec<InputSpec>), DispatchError> {
    let on = root.get("on").or_else(|| root.get(Value::Bool(true)));
    match on {
        None => Err(DispatchError::invalid(
            "on",
            "missing: a workflow needs `on:` to say what triggers it",
        )),
        Some(Value::String(event)) => Ok((event == "workflow_dispatch", Vec::new())),
        Some(Value::Sequence(events)) => Ok((
            events
                .iter()
                .any(|e| e.as_str() == Some("workflow_dispatch")),
            Vec::new(),
        )),
        Some(Value::Mapping(events)) => match events.get("workflow_dispatch") {
            None => Ok((false, Vec::new())),
            Some(Value::Null) => Ok((true, Vec::new())),
            Some(Value::Mapping(wd)) => Ok((true, inputs(wd)?)),
            Some(other) => Err(DispatchError::invalid(
                "on.workflow_dispatch",
                format!("expected a mapping (or nothing), found {}", kind_of(other)),
            )),
        },
        Some(other) => Err(DispatchError::invalid(
            "on",
            format!(
                "expected an event name, a list or a mapping, found {}",
                kind_of(other)
            ),
        )),
    }
}

fn inputs(wd: &Mapping) -> Result<Vec<InputSpec>, DispatchError> {
    let map = match wd.get("inputs") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Mapping(m)) => m,
        Some(other) => {
            return Err(DispatchError::invalid(
                "on.workflow_dispatch.inputs",
                format!("expected a mapping of inputs, found {}", kind_of(other)),
            ));
        }
    };
    let mut out = Vec::with_capacity(map.len());
    for (key, spec) in map {
        let name = scalar(key).ok_or_else(|| {
            DispatchError::invalid(
                "on.workflow_dispatch.inputs",
                "an input name must be a plain string",
            )
        })?;
        let path = format!("on.workflow_dispatch.inputs.{name}");
        let empty = Mapping::new();
        let spec = match spec {
            Value::Mapping(m) => m,
            Value::Null => &empty,
            other => {
                return Err(DispatchError::invalid(
                    path,
                    format!("expected a mapping, found {}", kind_of(other)),
                ));
            }
        };
        let required = match spec.get("required") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
            Some(other) => {
                return Err(DispatchError::invalid(
                    format!("{path}.required"),
                    format!("expected true or false, found {}", kind_of(other)),
                ));
            }
        };
        let ty = match spec.get("type") {
            None | Some(Value::Null) => "string".to_string(),
            Some(v) => scalar(v).ok_or_else(|| {
                DispatchError::invalid(format!("{path}.type"), "expected a type name")
            })?,
        };
        let kind = InputKind::parse(&path, &ty, spec.get("options"))?;
        out.push(InputSpec {
            description: spec.get("description").and_then(scalar),
            required,
            default: spec.get("default").and_then(scalar),
            kind,
            name,
        });
    }
    Ok(out)
}

/// `jobs.*.environment` as [`EnvRef`]s.
///
/// - `environment: NAME` and `environment: { name: NAME }` → `Named`.
/// - An expression is not evaluated. Each input it mentions becomes `FromInput`, each quoted
///   literal `Named`, and `matrix.KEY` becomes `Named` for every value of that key in the
///   job's `strategy.matrix` (list and `include`). This over-approximates on purpose: a
///   dispatch that *might* reach a protected environment is treated as one that does.
/// - A job that calls a reusable workflow (`uses:`) passes its environment in `with:`; any
///   `with:` key containing `environment` is read the same way.
/// - Other contexts (`vars.*`, `github.ref_name`...) cannot be known before the run and add
///   nothing.
fn environments(jobs: &Mapping) -> Vec<EnvRef> {
    let mut out = Vec::new();
    for job in jobs.values() {
        let Value::Mapping(job) = job else { continue };
        let mut texts = Vec::new();
        match job.get("environment") {
            Some(Value::Mapping(env)) => texts.extend(env.get("name").and_then(scalar)),
            Some(v) => texts.extend(scalar(v)),
            None => {}
        }
        if job.contains_key("uses")
            && let Some(Value::Mapping(with)) = job.get("with")
        {
            for (k, v) in with {
                if k.as_str()
                    .is_some_and(|k| k.to_ascii_lowercase().contains("environment"))
                {
                    texts.extend(scalar(v));
                }
            }
        }
        for text in texts {
            for r in env_refs(&text, job) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
    }
    out
}

fn env_refs(text: &str, job: &Mapping) -> Vec<EnvRef> {
    let Some(m) = expr::mentions(text) else {
        let name = text.trim();
        return if name.is_empty() {
            Vec::new()
        } else {
            vec![EnvRef::Named(name.to_string())]
        };
    };
    let mut refs: Vec<EnvRef> = m.inputs.into_iter().map(EnvRef::FromInput).collect();
    refs.extend(m.literals.into_iter().map(EnvRef::Named));
    for key in m.matrix {
        refs.extend(matrix_values(job, &key).into_iter().map(EnvRef::Named));
    }
    refs
}

pub(crate) fn matrix_values(job: &Mapping, key: &str) -> Vec<String> {
    let Some(Value::Mapping(matrix)) = job
        .get("strategy")
        .and_then(|s| s.as_mapping())
        .and_then(|s| s.get("matrix"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(Value::Sequence(vals)) = matrix.get(key) {
        out.extend(vals.iter().filter_map(scalar));
    }
    if let Some(Value::Sequence(include)) = matrix.get("include") {
        out.extend(
            include
                .iter()
                .filter_map(|e| e.as_mapping()?.get(key).and_then(scalar)),
        );
    }
    out
}

/// A scalar as the text GitHub would see (`true`, `3`, `v1`); `None` for null and
/// collections.
pub(crate) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Tagged(t) => scalar(&t.value),
        Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
