//! Dispatching a workflow by hand: what a workflow file asks for (`workflow_dispatch` inputs,
//! the environments its jobs deploy to) and the pure editing state of the form built from it.
//! Nothing here does I/O or reads keys: the app's `update` drives [`DispatchForm`] and the
//! view draws it (`view::dispatch_form`).

pub(crate) mod expr;
pub mod form;
pub mod workflow;

pub use form::{DispatchForm, FieldError, REF_FIELD};
pub use workflow::{
    EnvRef, InputKind, InputSpec, Values, WorkflowSpec, deploys_to, parse_workflow,
};

/// Why a workflow file could not be read as a dispatch target.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchError {
    /// The text is not YAML; `message` is the parser's, which already names line and column.
    #[error("invalid YAML: {message}")]
    Yaml {
        /// 1-based, when the parser knows where it stopped.
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    /// YAML, but not shaped like a workflow. `path` is a dotted key path such as
    /// `on.workflow_dispatch.inputs.level.type`.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl DispatchError {
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        DispatchError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }
}
