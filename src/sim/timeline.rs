//! Where a job (and so a run) stands at time `t`: a pure function of its plan, when it could
//! start, whether it was cancelled, and the time.

use super::plans::{JobPlan, Outcome};

/// When an attempt's jobs may start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Start {
    /// waiting for a deployment review
    Pending,
    /// the review rejected the deployment at this time
    Rejected(i64),
    /// job offsets count from this time
    At(i64),
}

#[derive(Clone, Debug)]
pub(crate) struct StepView {
    pub name: &'static str,
    pub number: usize,
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub started: Option<i64>,
    pub completed: Option<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct JobView {
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub created: i64,
    pub started: i64,
    pub completed: Option<i64>,
    /// whether a runner picked it up (so runner fields are set)
    pub ran: bool,
    pub steps: Vec<StepView>,
}

impl JobView {
    fn done(created: i64, started: i64, at: i64, conclusion: &'static str) -> Self {
        JobView {
            status: "completed",
            conclusion: Some(conclusion),
            created,
            started,
            completed: Some(at),
            ran: false,
            steps: vec![],
        }
    }

    fn open(status: &'static str, created: i64, started: i64) -> Self {
        JobView {
            status,
            conclusion: None,
            created,
            started,
            completed: None,
            ran: false,
            steps: vec![],
        }
    }

    /// The latest moment anything happened to this job (for `updated_at`).
    pub(crate) fn last_event(&self) -> i64 {
        let steps = self
            .steps
            .iter()
            .flat_map(|s| [s.started, s.completed])
            .flatten();
        steps
            .chain([self.created, self.completed.unwrap_or(self.created)])
            .max()
            .unwrap_or(self.created)
    }
}

fn step(
    name: &'static str,
    number: usize,
    status: &'static str,
    conclusion: Option<&'static str>,
    started: Option<i64>,
    completed: Option<i64>,
) -> StepView {
    StepView {
        name,
        number,
        status,
        conclusion,
        started,
        completed,
    }
}

/// Where `plan` stands at `t`, for an attempt created at `created`.
pub(crate) fn job_view(
    plan: &JobPlan,
    created: i64,
    start: Start,
    cancel: Option<i64>,
    t: i64,
) -> JobView {
    let cancel = cancel.filter(|c| *c <= t);
    let base = match start {
        Start::Pending => {
            return match cancel {
                Some(c) => JobView::done(created, created, c, "cancelled"),
                None => JobView::open("waiting", created, created),
            };
        }
        Start::Rejected(at) if at <= t => return JobView::done(created, created, at, "failure"),
        Start::Rejected(_) => return JobView::open("waiting", created, created),
        Start::At(b) => b,
    };
    let begin = base + plan.offset;
    let horizon = cancel.unwrap_or(t);
    if begin > horizon {
        return match cancel {
            Some(c) => JobView::done(created, c, c, "cancelled"),
            None => JobView::open("queued", created, begin.max(created)),
        };
    }
    if plan.outcome == Outcome::Skipped {
        return JobView::done(created, begin, begin, "skipped");
    }
    let mut steps = Vec::with_capacity(plan.steps.len());
    let (mut cursor, mut failed, mut open, mut cut) = (begin, false, false, false);
    for (i, s) in plan.steps.iter().enumerate() {
        let n = i + 1;
        let runs = !failed || s.name.starts_with("Post ") || s.name == "Complete job";
        if !runs {
            steps.push(step(
                s.name,
                n,
                "completed",
                Some("skipped"),
                Some(cursor),
                Some(cursor),
            ));
            continue;
        }
        let end = cursor + s.secs;
        if end <= horizon {
            let fail = plan.outcome == Outcome::FailAt(i);
            failed |= fail;
            let c = if fail { "failure" } else { "success" };
            steps.push(step(
                s.name,
                n,
                "completed",
                Some(c),
                Some(cursor),
                Some(end),
            ));
        } else if let Some(c) = cancel {
            cut = true;
            if cursor < c {
                steps.push(step(
                    s.name,
                    n,
                    "completed",
                    Some("cancelled"),
                    Some(cursor),
                    Some(c),
                ));
            } else {
                steps.push(step(
                    s.name,
                    n,
                    "completed",
                    Some("skipped"),
                    Some(c),
                    Some(c),
                ));
            }
        } else if cursor <= t {
            open = true;
            steps.push(step(s.name, n, "in_progress", None, Some(cursor), None));
        } else {
            open = true;
            steps.push(step(s.name, n, "queued", None, None, None));
        }
        cursor = end;
    }
    let (status, conclusion, completed) = match cancel {
        Some(c) if cut => ("completed", Some("cancelled"), Some(c)),
        _ if open => ("in_progress", None, None),
        _ => (
            "completed",
            Some(if failed { "failure" } else { "success" }),
            Some(cursor.min(t)),
        ),
    };
    JobView {
        status,
        conclusion,
        created,
        started: begin,
        completed,
        ran: true,
        steps,
    }
}

/// A run's (attempt's) status at `t`, derived from its jobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunState {
    pub status: &'static str,
    pub conclusion: Option<&'static str>,
    pub updated: i64,
}

pub(crate) fn run_state(
    created: i64,
    start: Start,
    cancel: Option<i64>,
    jobs: &[JobView],
    t: i64,
) -> RunState {
    let updated = jobs
        .iter()
        .map(JobView::last_event)
        .max()
        .unwrap_or(created)
        .max(created);
    if let Some(c) = cancel.filter(|c| *c <= t) {
        return RunState {
            status: "completed",
            conclusion: Some("cancelled"),
            updated: c,
        };
    }
    match start {
        Start::Pending => {
            return RunState {
                status: "waiting",
                conclusion: None,
                updated,
            };
        }
        Start::Rejected(at) if at <= t => {
            return RunState {
                status: "completed",
                conclusion: Some("failure"),
                updated: at,
            };
        }
        Start::Rejected(_) => {
            return RunState {
                status: "waiting",
                conclusion: None,
                updated,
            };
        }
        Start::At(_) => {}
    }
    if !jobs.is_empty() && jobs.iter().all(|j| j.status == "completed") {
        let has = |c: &str| jobs.iter().any(|j| j.conclusion == Some(c));
        let conclusion = if has("failure") {
            "failure"
        } else if has("cancelled") {
            "cancelled"
        } else {
            "success"
        };
        return RunState {
            status: "completed",
            conclusion: Some(conclusion),
            updated,
        };
    }
    // jobs carried over from an earlier attempt (completed before this one began) don't count
    if jobs
        .iter()
        .all(|j| j.status == "queued" || j.completed.is_some_and(|c| c < created))
    {
        return RunState {
            status: "queued",
            conclusion: None,
            updated: created,
        };
    }
    RunState {
        status: "in_progress",
        conclusion: None,
        updated,
    }
}
