//! Environment health: HTTP checks, the live version, and Gatus-style up/degraded/down
//! tracking with the `[monitor]` thresholds.
//!
//! - [`evaluate`](evaluate::evaluate) / [`extract_version`](evaluate::extract_version):
//!   pure judgement of one response.
//! - [`state`]: [`CheckTracker`] (thresholds, counters, sparkline latencies), [`Health`] and
//!   [`overall`].
//! - [`probe`]: the [`Prober`] trait and [`HttpProber`], the reqwest implementation.
//!
//! The app stays Elm-style: `update` decides when a check is due, a spawned task runs
//! [`Prober::probe`], and the [`ProbeOutcome`] comes back as a message to be
//! [recorded](CheckTracker::record).

pub mod evaluate;
pub mod probe;
pub mod state;

pub use evaluate::{MAX_VERSION_LEN, evaluate, extract_version};
pub use probe::{HttpProber, MAX_BODY_BYTES, MAX_REDIRECTS, Prober, USER_AGENT, log_url};
pub use state::{CheckTracker, Health, ProbeOutcome, SPARKLINE_LEN, overall};
