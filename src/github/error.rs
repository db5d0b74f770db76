//! What can go wrong talking to GitHub, in words an operator can act on.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("401 Unauthorized: GitHub rejected the token from {token_source}")]
    Unauthorized { token_source: String },
    #[error("404 Not Found: {what} (check the name and that the token can see it)")]
    NotFound { what: String },
    #[error("{} until {until} ({message})", if *.secondary { "secondary rate limit: waiting" } else { "rate limit exhausted: waiting" })]
    RateLimited {
        until: DateTime<Utc>,
        secondary: bool,
        message: String,
    },
    #[error("409 Conflict: {message}")]
    Conflict { message: String },
    /// GitHub understood the request but refused it: a review of a deployment that is no
    /// longer pending (someone else was faster), an unknown or missing dispatch input, a ref
    /// that does not exist. `message` is GitHub's own, to show as is; never worth retrying.
    #[error("422 Unprocessable: {message} ({what})")]
    Unprocessable { what: String, message: String },
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("timed out after {secs} s")]
    Timeout { secs: u64 },
    #[error("connection failed: {0}")]
    Connect(String),
    /// The proxy the request went through refused it or failed (`proxy` is shown without
    /// credentials); whether GitHub saw the request is unknown unless `message` says.
    #[error("proxy {proxy}: {message}")]
    Proxy { proxy: String, message: String },
    #[error("malformed response from {what}: {detail}")]
    Decode { what: String, detail: String },
    /// Refused before anything went to GitHub (the audit log could not be written first).
    #[error("not sent: {0}")]
    NotSent(String),
}

impl ApiError {
    /// Worth retrying a GET later (with backoff): the server or the network may recover.
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Http { status, .. } => *status >= 500,
            ApiError::Timeout { .. } | ApiError::Connect(_) | ApiError::Decode { .. } => true,
            // A proxy that restarts or drops a connection recovers; one that wants other
            // credentials does not, but re-polling a GET with backoff costs nothing.
            ApiError::Proxy { .. } => true,
            ApiError::RateLimited { .. } => true,
            _ => false,
        }
    }
}
