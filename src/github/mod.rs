//! Talking to GitHub: the backend trait, the real client, errors, and our own models.

pub mod api;
pub mod client;
pub mod error;
pub mod models;
mod proxied;
pub mod proxy;

pub use api::{
    ActiveRollback, ApiResult, ClientStats, DeploymentState, DispatchOutcome, Fetched, GitHub,
    ROLLBACK_TASK, RateInfo, UNFINISHED_STATES,
};
