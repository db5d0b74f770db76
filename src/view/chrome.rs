//! The header (repos, quota, data age, stale marker) and the footer (input, messages, hints).

use chrono::{DateTime, Local, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fmt;
use crate::keymap::Context;
use crate::model::{InputPurpose, Level, Model, Screen};
use crate::theme::Theme;

pub fn header(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    let base = theme.header();
    let sep = Span::styled(" │ ", base);
    let mut spans = vec![
        Span::styled(" cockpit ", base.add_modifier(Modifier::BOLD)),
        sep.clone(),
        Span::styled(m.repos_title(), base),
    ];
    // Every environment's health, on every view: the one glance that matters. With several
    // repos, each run of one repo's environments is led by the repo: `shop: production ●`.
    let mut last_repo: Option<&str> = None;
    for env in &m.envs {
        if m.many_repos() && last_repo != Some(env.repo.as_str()) {
            spans.push(Span::styled(
                format!("  {}:", m.repo_label(&env.repo)),
                base,
            ));
            last_repo = Some(&env.repo);
        }
        let (sym, _) = super::environments::health_symbol(env.health(), theme);
        let mut style = base;
        if env.health() == crate::health::Health::Down {
            style = style.add_modifier(Modifier::BOLD | Modifier::REVERSED);
        }
        let gap = if m.many_repos() && last_repo.is_some() {
            " "
        } else {
            "  "
        };
        spans.push(Span::styled(format!("{gap}{} {sym}", env.name), style));
    }
    // Gates waiting for someone: on every view, so nobody waits on an unseen approval.
    if !m.gates.is_empty() {
        spans.push(sep.clone());
        let n = m.gates.len();
        spans.push(Span::styled(
            format!("⏸ {n} gate{} (3)", if n == 1 { "" } else { "s" }),
            theme.header_badge(),
        ));
    }
    if let Some(rate) = &m.rate {
        spans.push(sep.clone());
        let reset = rate
            .reset
            .map(|r| format!(" · reset {}", r.with_timezone(&Local).format("%H:%M")))
            .unwrap_or_default();
        spans.push(Span::styled(
            format!("quota {}/{}{reset}", rate.remaining, rate.limit),
            base,
        ));
    }
    spans.push(sep.clone());
    match m.data_fetched_at() {
        Some(at) => spans.push(Span::styled(
            format!("data {} old", fmt::age(at, now)),
            base,
        )),
        None => spans.push(Span::styled("loading…", base)),
    }
    if let Some(wait) = &m.rate_wait {
        let left = (wait.until - now).num_seconds().max(0);
        spans.push(sep.clone());
        spans.push(Span::styled(
            format!("⏳ rate limited: resuming in {}", fmt::duration(left)),
            base.add_modifier(Modifier::BOLD),
        ));
    }
    if m.is_stale(now) {
        spans.push(sep);
        spans.push(Span::styled(" STALE ", theme.header_badge()));
        if let Some(err) = m.last_error() {
            spans.push(Span::styled(format!(" {err}"), base));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

pub fn footer(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let line = if let Some(p) = &m.palette {
        super::palette::footer_line(p, !m.palette_history.is_empty(), theme)
    } else if let Some(input) = &m.input {
        let label = match input.purpose {
            InputPurpose::RunFilter => "filter",
            InputPurpose::LogSearch => "search",
        };
        Line::from(vec![
            Span::styled(format!("/{label}: "), theme.style(theme.accent)),
            Span::raw(input.text.clone()),
            Span::styled("▏", theme.style(theme.accent)),
            Span::styled("  Enter apply · Esc clear", theme.style(theme.muted)),
        ])
    } else if let Some(flash) = &m.flash {
        let color = match flash.level {
            Level::Info => theme.accent,
            Level::Warn => theme.warn,
            Level::Error => theme.fail,
        };
        Line::from(Span::styled(
            format!("{}{}", fmt::level_symbol(flash.level), flash.text),
            theme.style(color),
        ))
    } else {
        let ctx = match m.screen {
            Screen::Runs => Context::Runs,
            Screen::RunDetail => Context::RunDetail,
            Screen::Logs => Context::Logs,
            Screen::Environments => Context::Environments,
            Screen::Gates => Context::Gates,
            Screen::Activity => Context::Activity,
        };
        let mut spans = Vec::new();
        if m.read_only {
            spans.push(Span::styled("READ-ONLY  ", theme.style(theme.warn)));
        }
        if !m.filter.is_empty() && m.screen == Screen::Runs {
            spans.push(Span::styled(
                format!("filter: {}  ", m.filter),
                theme.style(theme.accent),
            ));
        }
        for (key, desc) in m.keymap.hints(&[ctx, Context::Global]) {
            spans.push(Span::styled(
                key,
                theme.style(theme.accent).add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::styled(format!(" {desc}  "), theme.style(theme.muted)));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}
