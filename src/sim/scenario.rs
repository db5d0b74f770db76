//! The demo story of `acme/shop` and the mutations it accepts. Everything observable is a pure
//! function of the time `t` (seconds since the simulator started) and the mutations recorded.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::deploys::{Deployment, StatusRec, static_deployments};
use super::history::{HOUR, History, MINUTE};
use super::plans::{
    self, CI, DEPLOY_PRODUCTION, DEPLOY_STAGING, JobPlan, Outcome, Variant, WORKFLOWS,
};
use super::timeline::{JobView, RunState, Start, job_view, run_state};

/// A failed mutation: HTTP status and GitHub's `message`.
pub(crate) type Refusal = (u16, String);

fn refuse<T>(status: u16, msg: impl Into<String>) -> Result<T, Refusal> {
    Err((status, msg.into()))
}

pub(crate) struct Review {
    pub approved: bool,
    pub comment: String,
    pub at: i64,
    pub user: String,
}

pub(crate) struct Gate {
    pub env: &'static str,
    pub requested: i64,
    pub review: Option<Review>,
}

pub(crate) struct Attempt {
    pub number: u32,
    pub created: i64,
    pub actor: String,
    pub jobs: Vec<JobPlan>,
    pub cancelled: Option<i64>,
    pub gate: Option<Gate>,
}

impl Attempt {
    pub(crate) fn start(&self) -> Start {
        match self.gate.as_ref().map(|g| &g.review) {
            None => Start::At(self.created),
            Some(None) => Start::Pending,
            Some(Some(r)) if r.approved => Start::At(r.at),
            Some(Some(r)) => Start::Rejected(r.at),
        }
    }

    pub(crate) fn jobs_at(&self, t: i64) -> Vec<JobView> {
        let start = self.start();
        self.jobs
            .iter()
            .map(|j| job_view(j, self.created, start, self.cancelled, t))
            .collect()
    }

    pub(crate) fn state(&self, t: i64) -> RunState {
        run_state(
            self.created,
            self.start(),
            self.cancelled,
            &self.jobs_at(t),
            t,
        )
    }

    /// The deployment review this attempt is waiting for, if any.
    pub(crate) fn pending_gate(&self, t: i64) -> Option<&Gate> {
        let g = self.gate.as_ref()?;
        (g.review.is_none() && self.cancelled.is_none_or(|c| c > t) && g.requested <= t)
            .then_some(g)
    }
}

/// What a deploy workflow's run puts on an environment.
pub(crate) struct DeployTarget {
    pub env: &'static str,
    pub version: String,
    pub git_ref: String,
}

pub(crate) struct Run {
    pub id: u64,
    pub wf: usize,
    pub number: u32,
    pub event: &'static str,
    pub branch: String,
    pub commit: usize,
    pub title: String,
    pub actor: String,
    pub attempts: Vec<Attempt>,
    pub deploy: Option<DeployTarget>,
}

impl Run {
    pub(crate) fn created(&self) -> i64 {
        self.attempts.first().map_or(0, |a| a.created)
    }

    /// The attempt `n` (1-based), or the latest.
    pub(crate) fn attempt(&self, n: Option<u32>) -> Option<&Attempt> {
        match n {
            Some(n) => self.attempts.iter().find(|a| a.number == n),
            None => self.attempts.last(),
        }
    }
}

pub(crate) struct World {
    pub hist: History,
    pub runs: Vec<Run>,
    /// deployments not produced by runs: the older history and `POST /deployments`
    pub deployments: Vec<Deployment>,
    /// statuses added with `POST /deployments/{id}/statuses`
    pub extra_statuses: HashMap<u64, Vec<StatusRec>>,
    pub next_run_id: u64,
    pub next_deployment_id: u64,
    pub next_status_id: u64,
    /// `Simulator::set_version`: env -> (version, set at)
    pub version_overrides: HashMap<String, (String, i64)>,
}

struct Seed<'a> {
    id: u64,
    wf: usize,
    number: u32,
    event: &'static str,
    branch: &'a str,
    commit: usize,
    actor: &'a str,
    created: i64,
    variant: Variant,
    /// The run's title when it is not the commit's message (push) or the workflow's name.
    title: Option<&'a str>,
}

impl World {
    pub(crate) fn new() -> Self {
        let hist = History::new();
        let mut w = World {
            deployments: static_deployments(&hist),
            hist,
            runs: vec![],
            extra_statuses: HashMap::new(),
            next_run_id: 9005,
            next_deployment_id: 1_950_000_001,
            next_status_id: 7_000_000_001,
            version_overrides: HashMap::new(),
        };
        let seeds = [
            Seed {
                id: 8985,
                wf: DEPLOY_PRODUCTION,
                number: 7,
                event: "workflow_dispatch",
                branch: "v1.3.2",
                commit: 5,
                actor: "carol-sre",
                created: -26 * HOUR - 10 * MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 8990,
                wf: CI,
                number: 311,
                event: "push",
                branch: "main",
                commit: 9,
                actor: "carol-sre",
                created: -5 * HOUR + MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 8991,
                wf: plans::BUILD,
                number: 142,
                event: "push",
                branch: "main",
                commit: 9,
                actor: "carol-sre",
                created: -5 * HOUR + MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 8992,
                wf: DEPLOY_STAGING,
                number: 57,
                event: "push",
                branch: "main",
                commit: 9,
                actor: "carol-sre",
                created: -5 * HOUR + MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 8996,
                wf: plans::BUILD,
                number: 143,
                event: "push",
                branch: "main",
                commit: 10,
                actor: "alice-dev",
                created: -2 * HOUR + MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 9002,
                wf: CI,
                number: 312,
                event: "push",
                branch: "feature/cart",
                commit: 14,
                actor: "bob-cart",
                created: -25 * MINUTE,
                variant: Variant::FailTest,
                title: None,
            },
            Seed {
                id: 9003,
                wf: DEPLOY_STAGING,
                number: 58,
                event: "push",
                branch: "main",
                commit: 12,
                actor: "alice-dev",
                created: -36,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 9004,
                wf: DEPLOY_PRODUCTION,
                number: 8,
                event: "workflow_dispatch",
                branch: "v1.4.0",
                commit: 9,
                actor: "carol-sre",
                created: -5 * MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 9001,
                wf: CI,
                number: 313,
                event: "push",
                branch: "main",
                commit: 12,
                actor: "alice-dev",
                created: 0,
                variant: Variant::Normal,
                title: None,
            },
        ];
        for s in seeds {
            let version = if s.wf == DEPLOY_PRODUCTION {
                Some(s.branch.to_string())
            } else {
                None
            };
            w.add_run(s, version);
        }
        // history: 8985 was approved the day before, 8996 was cancelled two minutes in
        if let Some(a) = w.run_mut(8985).and_then(|r| r.attempts.last_mut())
            && let Some(g) = a.gate.as_mut()
        {
            g.review = Some(Review {
                approved: true,
                comment: "Staging green since yesterday. Ship it.".into(),
                at: -26 * HOUR,
                user: "carol-sre".into(),
            });
        }
        if let Some(a) = w.run_mut(8996).and_then(|r| r.attempts.last_mut()) {
            a.cancelled = Some(a.created + 2 * MINUTE);
        }
        w
    }

    /// The second repository's story (`SimOptions::second_repo`, e.g. `acme/payments`): the
    /// same workflow files and commit graph as the shop, its own runs. At `t = 0` a CI run is
    /// in progress, one failed, and a production deploy waits on its gate. Ids stay clear of
    /// the shop's (7xxx runs), as GitHub's are unique across repositories.
    pub(crate) fn payments() -> Self {
        let hist = History::new();
        let mut w = World {
            deployments: vec![],
            hist,
            runs: vec![],
            extra_statuses: HashMap::new(),
            next_run_id: 7101,
            next_deployment_id: 1_960_000_001,
            next_status_id: 7_100_000_001,
            version_overrides: HashMap::new(),
        };
        let seeds = [
            Seed {
                id: 7001,
                wf: CI,
                number: 87,
                event: "push",
                branch: "main",
                commit: 9,
                actor: "carol-sre",
                created: -3 * HOUR,
                variant: Variant::Normal,
                title: Some("Ledger: round refunds half-even"),
            },
            Seed {
                id: 7002,
                wf: CI,
                number: 88,
                event: "pull_request",
                branch: "fix/refund-webhook",
                commit: 11,
                actor: "bob-cart",
                created: -40 * MINUTE,
                variant: Variant::FailTest,
                title: Some("Refunds: retry the processor webhook"),
            },
            Seed {
                id: 7003,
                wf: DEPLOY_PRODUCTION,
                number: 15,
                event: "workflow_dispatch",
                branch: "v2.7.1",
                commit: 9,
                actor: "carol-sre",
                created: -3 * MINUTE,
                variant: Variant::Normal,
                title: None,
            },
            Seed {
                id: 7004,
                wf: CI,
                number: 89,
                event: "push",
                branch: "main",
                commit: 12,
                actor: "alice-dev",
                created: -20,
                variant: Variant::Normal,
                title: Some("Payouts: batch transfers per currency"),
            },
        ];
        for s in seeds {
            let version = (s.wf == DEPLOY_PRODUCTION).then(|| s.branch.to_string());
            w.add_run(s, version);
        }
        w
    }

    fn add_run(&mut self, s: Seed<'_>, version: Option<String>) -> u64 {
        let commit = &self.hist.commits[s.commit];
        let wf = &WORKFLOWS[s.wf];
        let title = match (s.title, s.event) {
            (Some(t), _) => t.to_string(),
            (None, "workflow_dispatch") => wf.name.to_string(),
            (None, _) => commit.message.to_string(),
        };
        let deploy = match s.wf {
            DEPLOY_STAGING => Some(DeployTarget {
                env: "staging",
                version: self.hist.describe(s.commit),
                git_ref: commit.sha.clone(),
            }),
            DEPLOY_PRODUCTION => {
                let v = version.unwrap_or_else(|| s.branch.to_string());
                Some(DeployTarget {
                    env: "production",
                    git_ref: v.clone(),
                    version: v,
                })
            }
            _ => None,
        };
        let gate = wf.gate.map(|env| Gate {
            env,
            requested: s.created,
            review: None,
        });
        let attempt = Attempt {
            number: 1,
            created: s.created,
            actor: s.actor.into(),
            jobs: plans::jobs_for(s.wf, s.id, 1, s.variant),
            cancelled: None,
            gate,
        };
        self.runs.push(Run {
            id: s.id,
            wf: s.wf,
            number: s.number,
            event: s.event,
            branch: s.branch.into(),
            commit: s.commit,
            title,
            actor: s.actor.into(),
            attempts: vec![attempt],
            deploy,
        });
        s.id
    }

    pub(crate) fn run(&self, id: u64) -> Option<&Run> {
        self.runs.iter().find(|r| r.id == id)
    }

    fn run_mut(&mut self, id: u64) -> Option<&mut Run> {
        self.runs.iter_mut().find(|r| r.id == id)
    }

    /// Runs visible at `t`, newest first.
    pub(crate) fn runs_at(&self, t: i64) -> Vec<&Run> {
        let mut v: Vec<&Run> = self.runs.iter().filter(|r| r.created() <= t).collect();
        v.sort_by(|a, b| b.created().cmp(&a.created()).then(b.id.cmp(&a.id)));
        v
    }

    /// `POST .../rerun` and `.../rerun-failed-jobs`.
    pub(crate) fn rerun(
        &mut self,
        id: u64,
        failed_only: bool,
        t: i64,
        user: &str,
    ) -> Result<(), Refusal> {
        let Some(run) = self.run_mut(id) else {
            return refuse(404, "Not Found");
        };
        let Some(last) = run.attempts.last() else {
            return refuse(404, "Not Found");
        };
        let state = last.state(t);
        if state.status != "completed" {
            return refuse(403, "This workflow run is not completed");
        }
        if failed_only && state.conclusion == Some("success") {
            return refuse(403, "This workflow run has no failed jobs to re-run");
        }
        let n = last.number + 1;
        let gate = WORKFLOWS[run.wf].gate.map(|env| Gate {
            env,
            requested: t,
            review: None,
        });
        let mut jobs = plans::jobs_for(run.wf, id, n, Variant::Warm);
        if let (true, None, Start::At(old_base)) = (failed_only, gate.as_ref(), last.start()) {
            for ((new, old), view) in jobs.iter_mut().zip(&last.jobs).zip(last.jobs_at(t)) {
                if view.conclusion == Some("success") {
                    *new = JobPlan {
                        id: new.id,
                        offset: old_base + old.offset - t,
                        outcome: Outcome::Success,
                        ..old.clone()
                    };
                }
            }
        }
        run.attempts.push(Attempt {
            number: n,
            created: t,
            actor: user.into(),
            jobs,
            cancelled: None,
            gate,
        });
        Ok(())
    }

    /// `POST .../cancel` and `.../force-cancel`.
    pub(crate) fn cancel(&mut self, id: u64, t: i64) -> Result<(), Refusal> {
        let Some(a) = self.run_mut(id).and_then(|r| r.attempts.last_mut()) else {
            return refuse(404, "Not Found");
        };
        if a.state(t).status == "completed" {
            return refuse(409, "Cannot cancel a workflow run that is completed.");
        }
        a.cancelled = Some(t);
        Ok(())
    }

    /// `POST .../pending_deployments`. Returns the environment reviewed.
    pub(crate) fn review(
        &mut self,
        id: u64,
        env_ids: &[u64],
        approved: bool,
        comment: &str,
        t: i64,
        user: &str,
    ) -> Result<&'static str, Refusal> {
        let Some(a) = self.run_mut(id).and_then(|r| r.attempts.last_mut()) else {
            return refuse(404, "Not Found");
        };
        let Some(env) = a.pending_gate(t).map(|g| g.env) else {
            return refuse(422, "No pending deployment requests to approve or reject");
        };
        let env_id = super::deploys::env_id(env);
        if env_ids.is_empty() || env_ids.iter().any(|i| Some(*i) != env_id) {
            return refuse(
                422,
                format!("Environment ids {env_ids:?} are not waiting for review on this run"),
            );
        }
        if let Some(g) = a.gate.as_mut() {
            g.review = Some(Review {
                approved,
                comment: comment.into(),
                at: t,
                user: user.into(),
            });
        }
        Ok(env)
    }

    /// `POST .../workflows/{id}/dispatches`. Returns the new run's id.
    pub(crate) fn dispatch(
        &mut self,
        wf: usize,
        git_ref: &str,
        inputs: &serde_json::Map<String, Value>,
        t: i64,
        user: &str,
    ) -> Result<u64, Refusal> {
        let w = &WORKFLOWS[wf];
        if !w.dispatchable {
            return refuse(422, "Workflow does not have 'workflow_dispatch' trigger");
        }
        let Some(commit) = self.hist.resolve(git_ref) else {
            return refuse(422, format!("No ref found for: {git_ref}"));
        };
        let unexpected: Vec<&String> = inputs
            .keys()
            .filter(|k| !w.inputs.iter().any(|(n, _)| n == k))
            .collect();
        if !unexpected.is_empty() {
            return refuse(
                422,
                format!("Unexpected inputs provided: {}", json!(unexpected)),
            );
        }
        let blank = |n: &str| {
            inputs
                .get(n)
                .is_none_or(|v| v.as_str().is_none_or(str::is_empty))
        };
        if let Some((name, _)) = w.inputs.iter().find(|(n, req)| *req && blank(n)) {
            return refuse(422, format!("Required input '{name}' not provided"));
        }
        let id = self.next_run_id;
        self.next_run_id += 1;
        let number = self
            .runs
            .iter()
            .filter(|r| r.wf == wf)
            .map(|r| r.number)
            .max()
            .unwrap_or(0)
            + 1;
        let branch = git_ref
            .trim_start_matches("refs/heads/")
            .trim_start_matches("refs/tags/");
        let version = inputs
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_string);
        let seed = Seed {
            id,
            wf,
            number,
            event: "workflow_dispatch",
            branch,
            commit,
            actor: user,
            created: t,
            variant: Variant::Normal,
            title: None,
        };
        Ok(self.add_run(seed, version))
    }
}
