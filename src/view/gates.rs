//! The Gates view: every run waiting on an environment's protection rules, who may approve,
//! the wait timer, and the review history of the selected one.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::fmt;
use super::protected::{env_name, env_names};
use crate::model::gates::GateState;
use crate::model::{Model, RunEntry};
use crate::theme::Theme;

fn reviewers(g: &GateState) -> String {
    let mut names: Vec<String> = Vec::new();
    for p in g.data.iter().flat_map(|d| &d.pending) {
        for r in p.reviewers.iter().filter_map(|r| r.reviewer.as_ref()) {
            let n = r.display();
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    if names.is_empty() {
        "—".into()
    } else {
        names.join(", ")
    }
}

/// The longest wait timer still running, as "4m12s left".
fn timer(g: &GateState, now: DateTime<Utc>) -> String {
    let left = g
        .data
        .iter()
        .flat_map(|d| &d.pending)
        .filter(|p| p.wait_timer > 0)
        .filter_map(|p| {
            let start = p.wait_timer_started_at?;
            let end = start + chrono::Duration::minutes(p.wait_timer as i64);
            Some((end - now).num_seconds())
        })
        .max();
    match left {
        Some(s) if s > 0 => format!("{} left", fmt::duration(s)),
        Some(_) => "elapsed".into(),
        None => "—".into(),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    if m.gates.is_empty() {
        let text = vec![
            Line::raw(""),
            Line::styled(
                "  No run is waiting on an environment gate.",
                theme.style(theme.muted),
            ),
            Line::styled(
                "  A run that reaches a protected environment appears here, with a bell.",
                theme.style(theme.muted),
            ),
        ];
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let [list, detail] = Layout::vertical([Constraint::Min(3), Constraint::Length(10)]).areas(area);
    let many_repos = m.many_repos();
    let mut titles = vec!["  RUN", "REF", "WAITS ON", "REVIEWERS", "TIMER", "YOU"];
    let mut widths = vec![
        Constraint::Length(28),
        Constraint::Length(12),
        Constraint::Length(16),
        Constraint::Min(16),
        Constraint::Length(11),
        Constraint::Length(15),
    ];
    if many_repos {
        titles.insert(1, "REPO");
        widths.insert(1, Constraint::Length(14));
    }
    let header = Row::new(titles).style(theme.style(theme.muted).add_modifier(Modifier::BOLD));
    let rows = m.gates.iter().enumerate().map(|(i, g)| {
        let run = m.find_run(&g.repo, g.run_id);
        let name = run.map_or_else(|| format!("run {}", g.run_id), RunEntry::label);
        let marker = if g.is_new(now) { "● " } else { "  " };
        let git_ref = run
            .and_then(|e| e.run.head_branch.clone())
            .unwrap_or_default();
        let envs = if g.data.is_none() {
            Line::raw("reading…")
        } else {
            Line::from(env_names(m, &g.repo, &g.environments(), theme))
        };
        let (you, you_style) = match g.can_approve() {
            Some(true) => ("can approve", theme.style(theme.ok)),
            Some(false) => ("not a reviewer", theme.style(theme.muted)),
            None => ("…", theme.style(theme.muted)),
        };
        let mut style = theme.style(theme.fg);
        if g.is_new(now) {
            style = style.fg(theme.warn).add_modifier(Modifier::BOLD);
        }
        if i == m.gate_selected {
            style = theme.selected();
        }
        let mut cells = vec![
            Cell::from(format!("{marker}{name}")),
            Cell::from(git_ref),
            Cell::from(envs),
            Cell::from(reviewers(g)),
            Cell::from(timer(g, now)),
            Cell::from(Span::styled(you, you_style)),
        ];
        if many_repos {
            cells.insert(1, Cell::from(m.repo_label(&g.repo).to_string()));
        }
        Row::new(cells).style(style)
    });
    let table = Table::new(rows, widths).header(header);
    frame.render_widget(table, list);
    if let Some(g) = m.gates.get(m.gate_selected) {
        frame.render_widget(details(m, g, theme, now), detail);
    }
}

fn details<'a>(m: &'a Model, g: &'a GateState, theme: &Theme, now: DateTime<Utc>) -> Paragraph<'a> {
    let mut lines: Vec<Line> = Vec::new();
    let next = m
        .find_run(&g.repo, g.run_id)
        .and_then(|e| e.run.head_branch.clone());
    if m.many_repos() {
        lines.push(Line::styled(
            format!("repo {}", g.repo),
            theme.style(theme.muted),
        ));
    }
    for name in g.environments() {
        // The run's own repo's environment: another repo's `production` is another one.
        let env = m.env_of(&g.repo, &name).and_then(|i| m.envs.get(i));
        let live = env
            .and_then(|e| e.version.value.clone())
            .unwrap_or_else(|| "?".into());
        let mut spans = vec![
            env_name(m, &g.repo, &name, theme),
            Span::raw(format!(
                ": {live} → {}",
                next.clone().unwrap_or_else(|| "?".into())
            )),
        ];
        if env.is_some_and(|e| e.protected) {
            spans.push(Span::styled(
                "  PROTECTED: the phrase will be asked",
                theme.style(theme.protected),
            ));
        }
        lines.push(Line::from(spans));
    }
    if g.can_approve() == Some(false) {
        lines.push(Line::styled(
            "You are not a required reviewer here: a and x are disabled.",
            theme.style(theme.warn),
        ));
    }
    let history: Vec<_> = g.data.iter().flat_map(|d| &d.approvals).collect();
    if history.is_empty() {
        lines.push(Line::styled("No reviews yet.", theme.style(theme.muted)));
    }
    for a in history {
        let (sym, color) = match a.state.as_str() {
            "approved" => ("✓", theme.ok),
            "rejected" => ("✗", theme.fail),
            _ => ("·", theme.muted),
        };
        let envs: Vec<String> = a
            .environments
            .iter()
            .filter_map(|e| e.name.clone())
            .collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{sym} "), theme.style(color)),
            Span::raw(format!("{} {} {}", a.user.login, a.state, envs.join(", "))),
            Span::styled(format!("  “{}”", a.comment), theme.style(theme.muted)),
        ]));
    }
    if let Some(err) = &g.error {
        let age = g
            .fetched_at
            .map(|t| format!(" (showing data {} old)", fmt::age(t, now)))
            .unwrap_or_default();
        lines.push(Line::styled(
            format!("STALE: {err}{age}"),
            theme.style(theme.warn),
        ));
    }
    Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::default()
            .borders(Borders::TOP)
            .title(" gate ")
            .border_style(theme.style(theme.muted)),
    )
}
