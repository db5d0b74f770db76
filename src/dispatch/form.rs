//! The dispatch form as pure editing state. The app's `update` maps keys onto these methods
//! (Tab → [`DispatchForm::next`], Space → [`DispatchForm::toggle`], ←/→ →
//! [`DispatchForm::cycle`]...) and `view::dispatch_form` draws it; nothing here reads keys,
//! draws or sends.
//!
//! What is sent: GitHub's dispatch endpoint takes `{"ref": ..., "inputs": {...}}` where
//! `inputs` is declared as an object of any values (`additionalProperties: true`, at most 25
//! keys). Every input is sent as a JSON **string** (`"true"`, `"3"`) because that is what the
//! web UI sends, what every input type accepts, and what the workflow receives in
//! `github.event.inputs` anyway; JSON booleans and numbers have been refused by GitHub in the
//! past. An empty optional number or environment is left out (so the workflow's own default
//! applies: `""` is neither a number nor an environment); an empty optional string is sent
//! as `""`, because clearing a prefilled default is a deliberate choice.

use std::fmt;

use serde_json::{Map, Value};

use super::workflow::{InputKind, InputSpec, Values, WorkflowSpec, deploys_to};

/// The name of the git ref field in [`FieldError::field`] and [`Field::name`]; it is the
/// first field of every form.
pub const REF_FIELD: &str = "ref";

/// GitHub's `maxProperties` for `inputs`.
const MAX_INPUTS: usize = 25;

static REF_KIND: InputKind = InputKind::String;

/// A problem with one field (or, for `set` with an unknown key, with that key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// One row of the form, borrowed for drawing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Field<'a> {
    pub name: &'a str,
    pub value: &'a str,
    pub kind: &'a InputKind,
    pub required: bool,
    pub description: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DispatchForm {
    repo: String,
    workflow_file: String,
    spec: WorkflowSpec,
    git_ref: String,
    /// Parallel to `spec.inputs`.
    values: Vec<String>,
    /// 0 is the ref, `i + 1` is `spec.inputs[i]`.
    focus: usize,
    /// Environment names offered by ←/→ on an `environment` input.
    known_environments: Vec<String>,
    protected: Vec<String>,
    /// `key=value` pairs from `set` that name no input: kept so `validate` reports them
    /// instead of silently dropping what the operator typed.
    unknown: Vec<(String, String)>,
    /// From the last `submit`, shown inline; editing a field clears its error.
    errors: Vec<FieldError>,
}

impl DispatchForm {
    /// A form with every input at its default: the file's `default`, else `false` for a
    /// boolean, the first option for a choice, empty otherwise (an environment is never
    /// preselected: the operator picks where to deploy).
    pub fn new(
        repo: impl Into<String>,
        workflow_file: impl Into<String>,
        git_ref: impl Into<String>,
        spec: WorkflowSpec,
    ) -> Self {
        let values = spec.inputs.iter().map(initial_value).collect();
        DispatchForm {
            repo: repo.into(),
            workflow_file: workflow_file.into(),
            spec,
            git_ref: git_ref.into(),
            values,
            focus: 0,
            known_environments: Vec::new(),
            protected: Vec::new(),
            unknown: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The repository's environments (`known`, offered on `environment` inputs) and which of
    /// them are protected (a dispatch deploying there needs the typed phrase). Names compare
    /// case-insensitively, as GitHub's do.
    pub fn with_environments(mut self, known: &[String], protected: &[String]) -> Self {
        self.known_environments = known.to_vec();
        self.protected = protected.to_vec();
        self
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    pub fn workflow_file(&self) -> &str {
        &self.workflow_file
    }

    /// The workflow's `name:`, else its file name.
    pub fn workflow_label(&self) -> &str {
        self.spec.name.as_deref().unwrap_or(&self.workflow_file)
    }

    pub fn spec(&self) -> &WorkflowSpec {
        &self.spec
    }

    pub fn git_ref(&self) -> &str {
        &self.git_ref
    }

    pub fn set_ref(&mut self, git_ref: impl Into<String>) {
        self.git_ref = git_ref.into();
        self.clear_error(REF_FIELD);
    }

    /// The ref plus one per input.
    pub fn field_count(&self) -> usize {
        self.spec.inputs.len() + 1
    }

    pub fn focus(&self) -> usize {
        self.focus
    }

    /// Every field in order, the ref first.
    pub fn fields(&self) -> impl Iterator<Item = Field<'_>> {
        let git_ref = Field {
            name: REF_FIELD,
            value: &self.git_ref,
            kind: &REF_KIND,
            required: true,
            description: Some("branch or tag to run the workflow from"),
        };
        std::iter::once(git_ref).chain(self.spec.inputs.iter().zip(&self.values).map(
            |(input, value)| Field {
                name: &input.name,
                value,
                kind: &input.kind,
                required: input.required,
                description: input.description.as_deref(),
            },
        ))
    }

    /// Input name → current value (the ref is not an input).
    pub fn values(&self) -> Values {
        self.spec
            .inputs
            .iter()
            .zip(&self.values)
            .map(|(i, v)| (i.name.clone(), v.clone()))
            .collect()
    }

    /// Where this dispatch would deploy with the values as they are now.
    pub fn deploys_to(&self) -> Vec<String> {
        deploys_to(&self.spec, &self.values())
    }

    /// The protected environments among [`Self::deploys_to`]: non-empty means the app must
    /// ask for the typed phrase before sending.
    pub fn protected_targets(&self) -> Vec<String> {
        self.deploys_to()
            .into_iter()
            .filter(|t| self.protected.iter().any(|p| p.eq_ignore_ascii_case(t)))
            .collect()
    }

    /// Errors from the last [`Self::submit`] still standing.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    pub fn error_for(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.field_count();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + self.field_count() - 1) % self.field_count();
    }

    /// Typing: appends to a text field (ref, string, number, environment); on a choice it
    /// jumps to the next option starting with `c`; a boolean ignores it (Space toggles).
    pub fn input_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        let Some(i) = self.focus.checked_sub(1) else {
            self.git_ref.push(c);
            self.clear_error(REF_FIELD);
            return;
        };
        match &self.spec.inputs[i].kind {
            InputKind::String | InputKind::Number | InputKind::Environment => {
                self.values[i].push(c)
            }
            InputKind::Choice(options) => {
                let start = options.iter().position(|o| *o == self.values[i]);
                let lower: String = c.to_lowercase().collect();
                let n = options.len();
                let found = (1..=n)
                    .map(|step| (start.map_or(0, |s| s + step)) % n)
                    .find(|&k| options[k].to_lowercase().starts_with(&lower));
                match found {
                    Some(k) => self.values[i] = options[k].clone(),
                    None => return,
                }
            }
            InputKind::Boolean => return,
        }
        self.clear_input_error(i);
    }

    pub fn backspace(&mut self) {
        let Some(i) = self.focus.checked_sub(1) else {
            self.git_ref.pop();
            self.clear_error(REF_FIELD);
            return;
        };
        if matches!(
            self.spec.inputs[i].kind,
            InputKind::String | InputKind::Number | InputKind::Environment
        ) {
            self.values[i].pop();
            self.clear_input_error(i);
        }
    }

    /// Space on a boolean.
    pub fn toggle(&mut self) {
        let Some(i) = self.focus.checked_sub(1) else {
            return;
        };
        if self.spec.inputs[i].kind == InputKind::Boolean {
            let on = self.values[i] == "true";
            self.values[i] = (!on).to_string();
            self.clear_input_error(i);
        }
    }

    /// ←/→: the previous/next option of a choice, the previous/next known environment of an
    /// environment input (wrapping), or flips a boolean. Text fields ignore it.
    pub fn cycle(&mut self, delta: i32) {
        let Some(i) = self.focus.checked_sub(1) else {
            return;
        };
        let options = match &self.spec.inputs[i].kind {
            InputKind::Choice(options) => options,
            InputKind::Environment => &self.known_environments,
            InputKind::Boolean => {
                self.toggle();
                return;
            }
            InputKind::String | InputKind::Number => return,
        };
        let n = options.len() as i64;
        if n == 0 || delta == 0 {
            return;
        }
        let current = options
            .iter()
            .position(|o| o.eq_ignore_ascii_case(&self.values[i]));
        let next = match current {
            Some(at) => (at as i64 + i64::from(delta)).rem_euclid(n),
            // Not one of the options yet: → lands on the first, ← on the last.
            None if delta > 0 => 0,
            None => n - 1,
        };
        self.values[i] = options[next as usize].clone();
        self.clear_input_error(i);
    }

    /// Shows an error found outside the form (a bad `key=value` from the palette) until the
    /// next submit re-checks everything.
    pub fn show(&mut self, error: FieldError) {
        if !self.errors.contains(&error) {
            self.errors.push(error);
        }
    }

    /// `key=value` from the palette. An unknown key is an error naming the valid ones; it is
    /// also remembered so [`Self::validate`] keeps refusing until the form is rebuilt.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), FieldError> {
        let Some(i) = self.spec.inputs.iter().position(|inp| inp.name == name) else {
            let err = self.unknown_key(name);
            if !self.unknown.iter().any(|(k, _)| k == name) {
                self.unknown.push((name.to_string(), value.to_string()));
            }
            return Err(err);
        };
        self.values[i] = match self.spec.inputs[i].kind {
            // `True`, `FALSE`: what the operator meant is clear, GitHub wants lower case.
            InputKind::Boolean
                if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") =>
            {
                value.to_ascii_lowercase()
            }
            _ => value.to_string(),
        };
        self.clear_input_error(i);
        Ok(())
    }

    /// The `inputs` object to send, or every problem found. Does not change the form; see
    /// [`Self::submit`] for the variant that shows the errors.
    pub fn validate(&self) -> Result<Map<String, Value>, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !self.spec.dispatchable {
            errors.push(FieldError::new(
                "workflow",
                format!(
                    "{} has no workflow_dispatch trigger: GitHub refuses to dispatch it",
                    self.workflow_file
                ),
            ));
        }
        if self.git_ref.trim().is_empty() {
            errors.push(FieldError::new(
                REF_FIELD,
                "required: the branch or tag to run on",
            ));
        }
        let mut inputs = Map::new();
        for (input, value) in self.spec.inputs.iter().zip(&self.values) {
            match check(input, value) {
                Ok(Some(v)) => {
                    inputs.insert(input.name.clone(), Value::String(v));
                }
                Ok(None) => {}
                Err(message) => errors.push(FieldError::new(&input.name, message)),
            }
        }
        for (key, _) in &self.unknown {
            errors.push(self.unknown_key(key));
        }
        if inputs.len() > MAX_INPUTS {
            errors.push(FieldError::new(
                "inputs",
                format!(
                    "GitHub accepts at most {MAX_INPUTS} inputs, this form has {}",
                    inputs.len()
                ),
            ));
        }
        if errors.is_empty() {
            Ok(inputs)
        } else {
            Err(errors)
        }
    }

    /// The whole request body, `{"ref": ..., "inputs": {...}}`.
    pub fn request_body(&self) -> Result<Value, Vec<FieldError>> {
        let inputs = self.validate()?;
        let mut body = Map::new();
        body.insert("ref".into(), Value::String(self.git_ref.trim().to_string()));
        body.insert("inputs".into(), Value::Object(inputs));
        Ok(Value::Object(body))
    }

    /// Enter: [`Self::validate`], keeping the errors for the view and moving the focus to the
    /// first field in error so the operator lands where the fix is.
    pub fn submit(&mut self) -> Result<Map<String, Value>, Vec<FieldError>> {
        match self.validate() {
            Ok(inputs) => {
                self.errors.clear();
                Ok(inputs)
            }
            Err(errors) => {
                let first = self
                    .fields()
                    .position(|f| errors.iter().any(|e| e.field == f.name));
                if let Some(at) = first {
                    self.focus = at;
                }
                self.errors = errors.clone();
                Err(errors)
            }
        }
    }

    fn unknown_key(&self, key: &str) -> FieldError {
        let valid: Vec<&str> = self.spec.inputs.iter().map(|i| i.name.as_str()).collect();
        let message = if valid.is_empty() {
            format!(
                "unknown input {key:?}: {} takes no inputs",
                self.workflow_label()
            )
        } else {
            format!("unknown input {key:?}; valid inputs: {}", valid.join(", "))
        };
        FieldError::new(key, message)
    }

    fn clear_input_error(&mut self, i: usize) {
        let name = self.spec.inputs[i].name.clone();
        self.clear_error(&name);
    }

    fn clear_error(&mut self, field: &str) {
        self.errors.retain(|e| e.field != field);
    }
}

fn initial_value(input: &InputSpec) -> String {
    match (&input.kind, &input.default) {
        (_, Some(d)) => d.clone(),
        (InputKind::Boolean, None) => "false".into(),
        (InputKind::Choice(options), None) => options.first().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

/// One input's value as sent (`None`: left out), or what is wrong with it.
fn check(input: &InputSpec, value: &str) -> Result<Option<String>, String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return match (&input.kind, input.required) {
            (_, true) => Err("required".into()),
            (InputKind::String, false) => Ok(Some(String::new())),
            _ => Ok(None),
        };
    }
    match &input.kind {
        InputKind::String => Ok(Some(value.to_string())),
        InputKind::Environment => Ok(Some(trimmed.to_string())),
        InputKind::Number => match trimmed.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(trimmed.to_string())),
            _ => Err(format!("{trimmed:?} is not a number")),
        },
        InputKind::Boolean => match trimmed {
            "true" | "false" => Ok(Some(trimmed.to_string())),
            _ => Err(format!("expected true or false, got {trimmed:?}")),
        },
        InputKind::Choice(options) => {
            if options.iter().any(|o| o == trimmed) {
                Ok(Some(trimmed.to_string()))
            } else {
                Err(format!("{trimmed:?} is not one of: {}", options.join(", ")))
            }
        }
    }
}
