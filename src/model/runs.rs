//! Deriving what the lists show from what was fetched: merged runs, the filter, the
//! flattened jobs → steps tree of the detail view.

use std::collections::HashSet;

use super::repos::RunFilter;
use super::{Model, RunEntry};
use crate::github::models::{Conclusion, Job, RunStatus, Step};

impl Model {
    /// Rebuilds `runs` from every source (deduplicated, newest first) and re-applies the
    /// filter, keeping the same run selected.
    pub fn rebuild_runs(&mut self) {
        let keep = self.selected_run().map(|e| (e.repo.clone(), e.run.id));
        let mut seen = HashSet::new();
        let mut runs: Vec<RunEntry> = Vec::new();
        for (key, src) in &self.sources {
            for run in &src.runs {
                if seen.insert((key.repo.clone(), run.id)) {
                    runs.push(RunEntry {
                        repo: key.repo.clone(),
                        run: run.clone(),
                    });
                }
            }
        }
        for extra in &self.extra_runs {
            if seen.insert((extra.repo.clone(), extra.run.id)) {
                runs.push(extra.clone());
            }
        }
        runs.sort_by(|a, b| {
            b.run
                .created_at
                .cmp(&a.run.created_at)
                .then(b.run.id.cmp(&a.run.id))
        });
        self.runs = runs;
        self.apply_filter();
        if let Some((repo, id)) = keep {
            if let Some(pos) = self
                .visible
                .iter()
                .position(|&i| self.runs[i].run.id == id && self.runs[i].repo == repo)
            {
                self.selected = pos;
            }
        }
        self.clamp_selection();
    }

    /// Keeps the runs that pass the filter: its `repo:NAME` terms, and its other words as
    /// one substring of any field (see [`RunFilter`]).
    pub fn apply_filter(&mut self) {
        let filter = RunFilter::parse(&self.filter);
        self.visible = self
            .runs
            .iter()
            .enumerate()
            .filter(|(_, e)| filter.repo_passes(&e.repo))
            .filter(|(_, e)| filter.text.is_empty() || run_matches(e, &filter.text))
            .map(|(i, _)| i)
            .collect();
        self.clamp_selection();
    }

    pub fn clamp_selection(&mut self) {
        let len = self.visible.len();
        if len == 0 {
            self.selected = 0;
            self.offset = 0;
            return;
        }
        self.selected = self.selected.min(len - 1);
        self.offset = scroll_offset(self.offset, self.selected, self.list_height(), len);
    }
}

/// Keeps `selected` visible with the least scrolling.
pub fn scroll_offset(offset: usize, selected: usize, height: usize, len: usize) -> usize {
    let height = height.max(1);
    let mut offset = offset.min(len.saturating_sub(1));
    if selected < offset {
        offset = selected;
    } else if selected >= offset + height {
        offset = selected + 1 - height;
    }
    offset
}

fn run_matches(e: &RunEntry, needle: &str) -> bool {
    let r = &e.run;
    let fields = [
        e.repo.as_str(),
        r.name.as_deref().unwrap_or(""),
        r.title(),
        r.head_branch.as_deref().unwrap_or(""),
        r.event.as_str(),
        r.actor.as_ref().map(|a| a.login.as_str()).unwrap_or(""),
    ];
    fields.iter().any(|f| f.to_lowercase().contains(needle))
        || r.run_number.to_string() == needle.trim_start_matches('#')
        || status_word(r.status, r.conclusion).contains(needle)
}

/// One word for a run's/job's/step's state: `queued`, `running`, `waiting`, `success`,
/// `failure`, `cancelled`, `skipped`...
pub fn status_word(status: Option<RunStatus>, conclusion: Option<Conclusion>) -> &'static str {
    match (status, conclusion) {
        (Some(RunStatus::Completed), Some(c)) | (None, Some(c)) => match c {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Cancelled => "cancelled",
            Conclusion::Skipped => "skipped",
            Conclusion::TimedOut => "timed out",
            Conclusion::Neutral => "neutral",
            Conclusion::ActionRequired => "action required",
            Conclusion::Stale => "stale",
            Conclusion::StartupFailure => "startup failure",
            Conclusion::Unknown => "unknown",
        },
        (Some(RunStatus::Completed), None) => "completed",
        (Some(RunStatus::Queued), _) => "queued",
        (Some(RunStatus::InProgress), _) => "running",
        (Some(RunStatus::Waiting), _) => "waiting",
        (Some(RunStatus::Requested), _) => "requested",
        (Some(RunStatus::Pending), _) => "pending",
        (Some(RunStatus::ActionRequired), _) => "action required",
        (Some(RunStatus::Unknown), _) | (None, None) => "unknown",
    }
}

/// A row of the detail view: a job, or one of its steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DetailRow<'a> {
    Job(&'a Job),
    Step(&'a Job, &'a Step),
}

impl<'a> DetailRow<'a> {
    pub fn job(&self) -> &'a Job {
        match self {
            DetailRow::Job(j) | DetailRow::Step(j, _) => j,
        }
    }
}

/// Jobs with their steps underneath, in the order GitHub lists them.
pub fn detail_rows(jobs: &[Job]) -> Vec<DetailRow<'_>> {
    let mut rows = Vec::with_capacity(jobs.len() * 6);
    for job in jobs {
        rows.push(DetailRow::Job(job));
        rows.extend(job.steps.iter().map(|s| DetailRow::Step(job, s)));
    }
    rows
}

/// The first failed step of a job, the one to highlight.
pub fn failed_step(job: &Job) -> Option<&Step> {
    job.steps.iter().find(|s| {
        matches!(
            s.conclusion,
            Some(Conclusion::Failure | Conclusion::TimedOut)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_follows_selection() {
        assert_eq!(scroll_offset(0, 0, 10, 100), 0);
        assert_eq!(scroll_offset(0, 9, 10, 100), 0);
        assert_eq!(scroll_offset(0, 10, 10, 100), 1);
        assert_eq!(scroll_offset(50, 40, 10, 100), 40);
        assert_eq!(scroll_offset(5, 7, 10, 100), 5);
    }

    #[test]
    fn status_words() {
        assert_eq!(status_word(Some(RunStatus::InProgress), None), "running");
        assert_eq!(
            status_word(Some(RunStatus::Completed), Some(Conclusion::Failure)),
            "failure"
        );
        assert_eq!(status_word(Some(RunStatus::Waiting), None), "waiting");
    }
}
