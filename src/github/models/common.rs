//! Types used across endpoints: users and the error body.

use serde::{Deserialize, Deserializer, Serialize};

/// GitHub's `simple-user` (also what `GET /user` returns, minus the extras).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimpleUser {
    pub login: String,
    pub id: u64,
    pub html_url: Option<String>,
    /// `"User"`, `"Bot"` or `"Organization"`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// Body of a GitHub error response (`basic-error`), e.g. `{"message": "Not Found",
/// "documentation_url": "..."}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub message: String,
    pub documentation_url: Option<String>,
}

/// Decodes an optional user that GitHub may send as `null`, as a user, or as
/// an empty object `{}` (the commit `author` of an unknown e-mail address).
/// `null` and `{}` both become `None`.
pub(crate) fn user_or_empty<'de, D>(deserializer: D) -> Result<Option<SimpleUser>, D::Error>
where
    D: Deserializer<'de>,
{
    use serde::de::Error as _;

    match Option::<serde_json::Value>::deserialize(deserializer)? {
        None => Ok(None),
        Some(serde_json::Value::Object(map)) if map.is_empty() => Ok(None),
        Some(value) => SimpleUser::deserialize(value)
            .map(Some)
            .map_err(D::Error::custom),
    }
}
