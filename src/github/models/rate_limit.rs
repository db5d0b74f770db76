//! `GET /rate_limit`.

use serde::{Deserialize, Serialize};

/// One rate-limit category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitBucket {
    pub limit: u64,
    pub remaining: u64,
    /// Unix time (seconds) at which the window resets.
    pub reset: i64,
    pub used: u64,
}

/// Per-category buckets. Only `core` is guaranteed; the others come and go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitResources {
    pub core: RateLimitBucket,
    pub search: Option<RateLimitBucket>,
    pub graphql: Option<RateLimitBucket>,
    pub code_search: Option<RateLimitBucket>,
    pub source_import: Option<RateLimitBucket>,
    pub integration_manifest: Option<RateLimitBucket>,
    pub actions_runner_registration: Option<RateLimitBucket>,
    pub scim: Option<RateLimitBucket>,
    pub dependency_snapshots: Option<RateLimitBucket>,
    pub dependency_sbom: Option<RateLimitBucket>,
    pub code_scanning_autofix: Option<RateLimitBucket>,
    pub copilot_usage_records: Option<RateLimitBucket>,
}

/// Body of `GET /rate_limit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitResponse {
    pub resources: RateLimitResources,
    /// Same as `resources.core` (kept by GitHub for compatibility).
    pub rate: RateLimitBucket,
}
