//! Run detail: the run's summary, then its jobs with their steps, the failed step marked.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fmt;
use crate::model::Model;
use crate::model::runs::{DetailRow, detail_rows, failed_step, status_word};
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    let Some(d) = &m.detail else { return };
    let [summary, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(area);
    let muted = theme.style(theme.muted);
    let mut lines = Vec::new();
    match m.detail_run() {
        Some(e) => {
            let r = &e.run;
            let (sym, color) = fmt::status_symbol(r.status, r.conclusion, theme, now);
            lines.push(Line::from(vec![
                Span::styled(format!("{sym} "), theme.style(color)),
                Span::styled(
                    format!("{} #{}", r.name.as_deref().unwrap_or("run"), r.run_number),
                    theme.style(theme.fg).add_modifier(Modifier::BOLD),
                ),
                Span::raw("  "),
                Span::raw(r.title().to_string()),
                Span::styled(
                    format!("  {}", status_word(r.status, r.conclusion)),
                    theme.style(color),
                ),
            ]));
            let attempt = r
                .run_attempt
                .filter(|a| *a > 1)
                .map(|a| format!(" · attempt {a}"))
                .unwrap_or_default();
            lines.push(Line::from(Span::styled(
                format!(
                    "{} · {} · {} · by {} · started {} ago · {}{attempt}",
                    e.repo,
                    r.head_branch.as_deref().unwrap_or("-"),
                    r.event,
                    r.actor.as_ref().map(|a| a.login.as_str()).unwrap_or("-"),
                    fmt::age(r.run_started_at.unwrap_or(r.created_at), now),
                    fmt::elapsed(
                        r.run_started_at.or(Some(r.created_at)),
                        (!r.is_active()).then_some(r.updated_at),
                        now
                    ),
                ),
                muted,
            )));
        }
        None => lines.push(Line::from(Span::styled(
            format!("run {} (not in the current list)", d.run_id),
            muted,
        ))),
    }
    let js = m.jobs.get(&d.run_id);
    let status = match js {
        None => "loading jobs…".to_string(),
        Some(js) if js.fetched_at.is_none() && js.error.is_none() => "loading jobs…".to_string(),
        Some(js) => match &js.error {
            Some(e) => format!("jobs: {} (showing last known, retrying)", e),
            None => match js.jobs.len() {
                1 => "1 job".to_string(),
                n => format!("{n} jobs"),
            },
        },
    };
    let status_style = if js.and_then(|j| j.error.as_ref()).is_some() {
        theme.style(theme.warn)
    } else {
        muted
    };
    lines.push(Line::from(Span::styled(status, status_style)));
    frame.render_widget(Paragraph::new(lines), summary);

    let Some(js) = js else { return };
    let rows = detail_rows(&js.jobs);
    let height = usize::from(list.height);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(d.offset)
        .take(height)
        .map(|(i, row)| {
            let line = match row {
                DetailRow::Job(job) => {
                    let (sym, color) =
                        fmt::status_symbol(Some(job.status), job.conclusion, theme, now);
                    Line::from(vec![
                        Span::styled(format!("{sym} "), theme.style(color)),
                        Span::styled(
                            job.name.clone(),
                            theme.style(theme.fg).add_modifier(Modifier::BOLD),
                        ),
                        Span::styled(
                            format!(
                                "  {}  {}",
                                status_word(Some(job.status), job.conclusion),
                                fmt::elapsed(job.started_at, job.completed_at, now)
                            ),
                            muted,
                        ),
                    ])
                }
                DetailRow::Step(job, step) => {
                    let (sym, color) =
                        fmt::status_symbol(Some(step.status), step.conclusion, theme, now);
                    let failed = failed_step(job).is_some_and(|f| f.number == step.number);
                    let name_style = if failed {
                        theme.style(theme.fail).add_modifier(Modifier::BOLD)
                    } else {
                        theme.style(theme.fg)
                    };
                    let mut spans = vec![
                        Span::raw("    "),
                        Span::styled(format!("{sym} "), theme.style(color)),
                        Span::styled(format!("{:>2}. {}", step.number, step.name), name_style),
                        Span::styled(
                            format!(
                                "  {}",
                                fmt::elapsed(step.started_at, step.completed_at, now)
                            ),
                            muted,
                        ),
                    ];
                    if failed {
                        spans.push(Span::styled(
                            "  ◀ failed here (l: logs)",
                            theme.style(theme.fail),
                        ));
                    }
                    Line::from(spans)
                }
            };
            if i == d.selected {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
