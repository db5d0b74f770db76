//! Job logs in GitHub's raw format: `2026-11-22T10:00:01.1234567Z ##[group]Run cargo test`.
//! Only what has happened by `t` is written, so an in-progress job has a partial log.

use chrono::Duration;

use super::plans::JobPlan;
use super::render::Cx;
use super::timeline::JobView;

fn stamp(cx: &Cx, ms: i64, salt: u64) -> String {
    let at = cx.start + Duration::milliseconds(ms);
    let frac = (ms.rem_euclid(1000) as u64) * 10_000 + salt.wrapping_mul(7919) % 10_000;
    format!("{}.{frac:07}Z", at.format("%Y-%m-%dT%H:%M:%S"))
}

fn set_up_lines(job: &str) -> Vec<String> {
    [
        "Current runner version: '2.329.0'",
        "##[group]Operating System",
        "Ubuntu",
        "24.04.3",
        "LTS",
        "##[endgroup]",
        "##[group]Runner Image",
        "Image: ubuntu-24.04",
        "Version: 20251112.1",
        "##[endgroup]",
        "##[group]GITHUB_TOKEN Permissions",
        "Contents: read",
        "Metadata: read",
        "##[endgroup]",
        "Secret source: Actions",
        "Prepare workflow directory",
        "Prepare all required actions",
        "Getting action download info",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("Complete job name: {job}")])
    .collect()
}

fn step_lines(plan: &JobPlan, idx: usize) -> Vec<String> {
    let Some(s) = plan.steps.get(idx) else {
        return vec![];
    };
    let out = s.out.iter().map(|l| l.to_string());
    match s.name {
        "Set up job" => set_up_lines(plan.name),
        "Complete job" => vec!["Cleaning up orphan processes".into()],
        n if n.starts_with("Post ") || s.cmd.is_empty() => out.collect(),
        _ => {
            let is_action = s.cmd.contains('@') && !s.cmd.contains(' ');
            let mut v = vec![format!("##[group]Run {}", s.cmd)];
            if is_action {
                v.push("with:".into());
                v.push("  token: ***".into());
            } else {
                v.push(s.cmd.to_string());
                v.push("shell: /usr/bin/bash -e {0}".into());
                v.push("env:".into());
                v.push("  CARGO_TERM_COLOR: always".into());
            }
            v.push("##[endgroup]".into());
            v.extend(out);
            v
        }
    }
}

/// The log of one job as far as it has run at `cx.t`.
pub(crate) fn job_log(cx: &Cx, plan: &JobPlan, view: &JobView) -> String {
    let now_ms = cx.t * 1000;
    let mut text = String::new();
    for (i, sv) in view.steps.iter().enumerate() {
        let (Some(start), "in_progress" | "completed") = (sv.started, sv.status) else {
            continue;
        };
        if sv.conclusion == Some("skipped") {
            continue;
        }
        let mut lines = step_lines(plan, i);
        match sv.conclusion {
            Some("failure") => {
                let code = if plan.steps[i].cmd.starts_with("cargo") {
                    101
                } else {
                    1
                };
                lines.push(format!("##[error]Process completed with exit code {code}."));
            }
            Some("cancelled") => lines.push("##[error]The operation was canceled.".into()),
            _ => {}
        }
        let end = sv.completed.unwrap_or(start + plan.steps[i].secs);
        let span = ((end - start).max(1)) * 1000;
        let n = lines.len().max(1) as i64;
        for (k, line) in lines.iter().enumerate() {
            let ms = start * 1000 + span * k as i64 / n;
            if ms > now_ms {
                break;
            }
            text.push_str(&stamp(cx, ms, plan.id.wrapping_add(k as u64)));
            text.push(' ');
            text.push_str(line);
            text.push('\n');
        }
    }
    text
}
