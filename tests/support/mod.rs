//! Shared helpers for the integration tests (not a test target itself).

pub mod harness;
