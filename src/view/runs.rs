//! The Runs view: every run of every configured repo, newest first. Only the rows that fit
//! on screen are built, so 500 runs cost what 40 do.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use unicode_width::UnicodeWidthStr;

use super::fmt;
use crate::model::Model;
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    if m.visible.is_empty() {
        let text = if m.runs.is_empty() {
            if m.data_fetched_at().is_none() {
                "Loading runs…".to_string()
            } else {
                "No workflow runs yet for the configured repos and workflows.".to_string()
            }
        } else {
            format!("No run matches the filter {:?} (Esc clears it).", m.filter)
        };
        frame.render_widget(
            Paragraph::new(Line::from(Span::styled(text, theme.style(theme.muted)))),
            area,
        );
        return;
    }
    let wide = area.width >= 110;
    let many_repos = m.many_repos();
    // As wide as the longest repo label, within reason: the title needs the room.
    let repo_width = m
        .repos
        .iter()
        .map(|r| m.repo_label(r).width())
        .max()
        .unwrap_or(0)
        .clamp(4, 24) as u16;
    let mut titles = vec!["", "WORKFLOW", "RUN", "BRANCH"];
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(18),
        Constraint::Length(6),
        Constraint::Length(16),
    ];
    if many_repos {
        titles.insert(1, "REPO");
        widths.insert(1, Constraint::Length(repo_width));
    }
    if wide {
        titles.push("EVENT");
        widths.push(Constraint::Length(17));
    }
    titles.push("TITLE");
    widths.push(Constraint::Fill(1));
    if wide {
        titles.push("ACTOR");
        widths.push(Constraint::Length(12));
    }
    titles.extend(["AGE", "TIME"]);
    widths.extend([Constraint::Length(4), Constraint::Length(7)]);

    let height = usize::from(area.height.saturating_sub(1));
    let rows = m
        .visible
        .iter()
        .enumerate()
        .skip(m.offset)
        .take(height)
        .filter_map(|(pos, &i)| m.runs.get(i).map(|e| (pos, e)))
        .map(|(pos, e)| {
            let r = &e.run;
            let (sym, color) = fmt::status_symbol(r.status, r.conclusion, theme, now);
            let finished = (!r.is_active()).then_some(r.updated_at);
            let mut cells = vec![Cell::from(Span::styled(sym, theme.style(color)))];
            if many_repos {
                let label = fmt::truncate(m.repo_label(&e.repo), usize::from(repo_width));
                cells.push(Cell::from(Span::styled(label, theme.style(theme.accent))));
            }
            cells.push(Cell::from(r.name.clone().unwrap_or_default()));
            cells.push(Cell::from(format!("#{}", r.run_number)));
            cells.push(Cell::from(r.head_branch.clone().unwrap_or_default()));
            if wide {
                cells.push(Cell::from(Span::styled(
                    r.event.clone(),
                    theme.style(theme.muted),
                )));
            }
            cells.push(Cell::from(r.title().to_string()));
            if wide {
                let actor = r
                    .actor
                    .as_ref()
                    .map(|a| a.login.clone())
                    .unwrap_or_default();
                cells.push(Cell::from(Span::styled(actor, theme.style(theme.muted))));
            }
            cells.push(Cell::from(Span::styled(
                fmt::age(r.created_at, now),
                theme.style(theme.muted),
            )));
            cells.push(Cell::from(fmt::elapsed(
                r.run_started_at.or(Some(r.created_at)),
                finished,
                now,
            )));
            let row = Row::new(cells);
            if pos == m.selected {
                row.style(theme.selected())
            } else {
                row
            }
        });
    let header = Row::new(titles).style(
        Style::default()
            .fg(theme.muted)
            .add_modifier(Modifier::BOLD),
    );
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        area,
    );
}
