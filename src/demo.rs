//! `cockpit demo`: the embedded simulator plus a config pointing at it. No token, no network.

use std::path::Path;

use crate::config::{self, Config};
use crate::sim::Simulator;

/// The demo's config: the simulator's repo and environments, fast polling so the story moves.
pub fn config_for(sim: &Simulator) -> Result<Config, config::ConfigError> {
    let base = sim.base_url();
    let text = format!(
        r#"
[github]
api_url = "{base}"
poll = "10s"
active_poll = "2s"

[[repo]]
name = "acme/shop"

[[environment]]
name = "staging"
url = "{base}/_env/staging/"

  [[environment.check]]
  name = "api"
  url = "{staging_health}"
  interval = "10s"
  timeout = "5s"

  [environment.version]
  url = "{staging_version}"
  json_pointer = "/version"

[[environment]]
name = "production"
protected = true
url = "{base}/_env/production/"

  [[environment.check]]
  name = "api"
  url = "{prod_health}"
  interval = "10s"
  timeout = "5s"
  json = {{ "/status" = "UP" }}

  [environment.version]
  url = "{prod_version}"
  json_pointer = "/version"
"#,
        staging_health = sim.health_url("staging"),
        staging_version = sim.version_url("staging"),
        prod_health = sim.health_url("production"),
        prod_version = sim.version_url("production"),
    );
    config::parse_str(&text, Path::new("<demo>"))
}
