//! The Activity view: operator actions from the audit log and notable events (gates, health,
//! cutovers), one timeline, newest first.

use chrono::{DateTime, Local, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::audit::{AuditEntry, Outcome};
use crate::model::{Level, Model};
use crate::theme::Theme;

enum Item<'a> {
    Event(&'a crate::model::ActivityEntry),
    Action(&'a AuditEntry),
}

impl Item<'_> {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Item::Event(e) => e.at,
            Item::Action(a) => a.record.ts,
        }
    }
}

fn action_line<'a>(m: &Model, a: &'a AuditEntry, theme: &Theme) -> Vec<Span<'a>> {
    let r = &a.record;
    let color = match r.outcome {
        Outcome::Ok => theme.ok,
        Outcome::Failed => theme.fail,
        Outcome::Refused => theme.warn,
        Outcome::Intent => theme.muted,
    };
    let mut text = format!("{} {}", r.actor, r.action.as_str());
    if let Some(t) = &r.target {
        text.push_str(&format!(" {t}"));
    }
    let mut spans = vec![
        Span::styled(format!("{:<8}", r.outcome.as_str()), theme.style(color)),
        Span::raw(text),
    ];
    if let Some(env) = &r.environment {
        spans.push(Span::raw(" → "));
        spans.push(super::protected::env_name(m, &r.repo, env, theme));
    }
    spans.push(Span::raw(format!(" ({})", r.repo)));
    if let Some(c) = &r.comment {
        spans.push(Span::styled(format!("  “{c}”"), theme.style(theme.muted)));
    }
    if let Some(d) = &r.detail {
        spans.push(Span::styled(format!("  {d}"), theme.style(theme.fail)));
    }
    spans
}

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let mut items: Vec<Item> = m
        .activity
        .iter()
        .map(Item::Event)
        .chain(m.audit.iter().map(Item::Action))
        .collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.at()));
    let mut lines: Vec<Line> = Vec::new();
    if let Some(err) = &m.audit_error {
        lines.push(Line::styled(
            format!("audit log: {err}"),
            theme.style(theme.warn),
        ));
    }
    if items.is_empty() {
        lines.push(Line::styled(
            "Nothing yet: operator actions and notable events appear here, newest first.",
            theme.style(theme.muted),
        ));
    }
    let height = usize::from(area.height);
    for item in items.iter().skip(m.activity_offset).take(height) {
        let time = item
            .at()
            .with_timezone(&Local)
            .format("%H:%M:%S")
            .to_string();
        let mut spans = vec![Span::styled(format!("{time}  "), theme.style(theme.muted))];
        match item {
            Item::Event(e) => {
                let color = match e.level {
                    Level::Info => theme.fg,
                    Level::Warn => theme.warn,
                    Level::Error => theme.fail,
                };
                spans.push(Span::styled("event   ", theme.style(theme.muted)));
                spans.push(Span::styled(
                    format!("{}{}", super::fmt::level_symbol(e.level), e.text),
                    theme.style(color),
                ));
            }
            Item::Action(a) => spans.extend(action_line(m, a, theme)),
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), area);
}
