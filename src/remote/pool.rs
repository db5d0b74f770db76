//! The rollback runners of this session, one per environment, kept between the preflight
//! (which opens the SSH connection) and the run (which reuses it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{LocalRunner, RollbackRunner, SshRunner};
use crate::config::{RollbackConfig, Transport};
use crate::msg::RollbackRequest;

/// What a runner was built from: a changed target (config reload, other host) gets a new one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RunnerKey {
    local: bool,
    ssh: Option<String>,
    port: Option<u16>,
    identity_file: Option<std::path::PathBuf>,
    known_hosts: Option<std::path::PathBuf>,
}

impl RunnerKey {
    fn of(r: &RollbackRequest) -> RunnerKey {
        RunnerKey {
            local: r.local,
            ssh: r.ssh.clone(),
            port: r.port,
            identity_file: r.identity_file.clone(),
            known_hosts: r.known_hosts.clone(),
        }
    }
}

type Entry = (RunnerKey, Arc<dyn RollbackRunner>);

/// Cheap to clone; clones share the runners.
#[derive(Clone, Default)]
pub struct RunnerPool {
    runners: Arc<Mutex<HashMap<String, Entry>>>,
}

impl RunnerPool {
    /// The runner for the request's environment and target, made on first use.
    pub fn runner(&self, r: &RollbackRequest) -> Arc<dyn RollbackRunner> {
        let key = RunnerKey::of(r);
        // A poisoned lock only means another task panicked mid-insert: the map is still
        // usable, and a fresh runner is always a safe answer.
        let mut map = match self.runners.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some((k, runner)) = map.get(&r.environment) {
            if *k == key {
                return runner.clone();
            }
        }
        let runner = build(r);
        map.insert(r.environment.clone(), (key, runner.clone()));
        runner
    }
}

fn build(r: &RollbackRequest) -> Arc<dyn RollbackRunner> {
    if r.local {
        return Arc::new(LocalRunner::new());
    }
    let cfg = RollbackConfig {
        transport: Transport::Ssh,
        ssh: r.ssh.clone(),
        port: r.port,
        identity_file: r.identity_file.clone(),
        known_hosts: r.known_hosts.clone(),
        command: r.argv.clone(),
        timeout: Duration::from_secs(r.timeout_secs),
    };
    Arc::new(SshRunner::new(&cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(env: &str, host: &str) -> RollbackRequest {
        RollbackRequest {
            env: 0,
            environment: env.into(),
            version: "v1".into(),
            live: None,
            argv: vec!["rollback".into(), "v1".into()],
            local: false,
            ssh: Some(host.into()),
            port: None,
            identity_file: None,
            known_hosts: None,
            timeout_secs: 60,
            override_deployment: None,
        }
    }

    #[test]
    fn the_preflight_runner_is_the_one_that_runs() {
        let pool = RunnerPool::default();
        let a = pool.runner(&request("production", "deploy@prod"));
        // Another version, same target: the same runner (and its open connection).
        let mut other_version = request("production", "deploy@prod");
        other_version.version = "v2".into();
        let b = pool.runner(&other_version);
        assert!(Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn another_host_or_environment_gets_its_own_runner() {
        let pool = RunnerPool::default();
        let a = pool.runner(&request("production", "deploy@prod"));
        let b = pool.runner(&request("production", "deploy@prod2"));
        assert!(!Arc::ptr_eq(&a, &b));
        let c = pool.runner(&request("staging", "deploy@prod2"));
        assert!(!Arc::ptr_eq(&b, &c));
        // The newest target for production replaced the old one.
        let d = pool.runner(&request("production", "deploy@prod2"));
        assert!(Arc::ptr_eq(&b, &d));
    }
}
