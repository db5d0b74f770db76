//! The rollback pane: the target picker, the preflight (what will change and exactly what
//! will run), then the command's output as it streams in, and the outcome and recovery.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::fmt;
use crate::health::Health;
use crate::model::Model;
use crate::model::rollback::{Link, RollbackState, Stage};
use crate::theme::Theme;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    m: &Model,
    s: &RollbackState,
    theme: &Theme,
    now: DateTime<Utc>,
) {
    let env = m.envs.get(s.env);
    let protected = env.is_some_and(|e| e.protected);
    let border = if protected {
        theme.protected
    } else {
        theme.accent
    };
    let stage = match s.stage {
        Stage::Pick => "pick the version",
        Stage::Preflight => "preflight",
        Stage::Running => "running",
        Stage::Done => "done",
    };
    let title = format!(
        " Rollback {}{} — {stage} ",
        s.environment,
        if protected { " (PROTECTED)" } else { "" }
    );
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(title)
        .border_style(theme.style(border).add_modifier(Modifier::BOLD));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let muted = theme.style(theme.muted);
    let bold = theme.style(theme.fg).add_modifier(Modifier::BOLD);
    let mut lines: Vec<Line> = Vec::new();
    let mut body = inner;
    if let Some(o) = &s.overriding {
        if matches!(s.stage, Stage::Pick | Stage::Preflight) {
            let warn = theme.style(theme.warn).add_modifier(Modifier::BOLD);
            lines.push(Line::styled(
                format!(
                    "⚠ {} is rolling {} back to {} (started {} ago, deployment {}).",
                    o.by,
                    s.environment,
                    o.version,
                    fmt::age(o.since, now),
                    o.deployment_id
                ),
                warn,
            ));
            lines.push(Line::styled(
                "  Going on overrides it: you will type the phrase.",
                warn,
            ));
            lines.push(Line::raw(""));
        }
    }
    match s.stage {
        Stage::Pick => {
            lines.push(Line::styled(
                format!("Previous versions ({}), newest first:", s.source),
                muted,
            ));
            if s.targets.is_empty() {
                lines.push(Line::styled("  reading…", muted));
            }
            for (i, t) in s.targets.iter().enumerate() {
                let when =
                    t.at.map(|a| format!("{} ago", fmt::age(a, now)))
                        .unwrap_or_default();
                let mut spans = vec![
                    Span::raw(if i == s.selected { "▸ " } else { "  " }),
                    Span::styled(format!("{:<14}", t.version), bold),
                    Span::styled(format!("{:<10}", when), muted),
                    Span::styled(format!("{:<12}", t.by.clone().unwrap_or_default()), muted),
                ];
                if t.live {
                    spans.push(Span::styled("● live now  ", theme.style(theme.ok)));
                }
                if let Some(msg) = &t.message {
                    spans.push(Span::raw(msg.clone()));
                }
                let mut line = Line::from(spans);
                if i == s.selected {
                    line = line.style(theme.selected());
                }
                lines.push(line);
            }
            lines.push(Line::raw(""));
            lines.push(Line::styled(
                "j/k choose · Enter preflight · Esc close",
                muted,
            ));
        }
        Stage::Preflight => {
            let target = s.target().map(|t| t.version.clone()).unwrap_or_default();
            let cfg = env.and_then(|e| e.rollback.as_ref());
            let host = match cfg {
                Some(c) if c.transport == crate::config::Transport::Local => {
                    "this machine (local)".to_string()
                }
                Some(c) => format!(
                    "{}{}",
                    c.ssh.clone().unwrap_or_default(),
                    c.port.map(|p| format!(":{p}")).unwrap_or_default()
                ),
                None => "?".into(),
            };
            let argv = cfg
                .map(|c| crate::remote::fill_argv(&c.command, &target))
                .unwrap_or_default();
            let health = env
                .map(|e| format!("{:?}", e.health()).to_uppercase())
                .unwrap_or_default();
            let row = |k: &str, v: String| {
                Line::from(vec![Span::styled(format!("{k:<13}"), muted), Span::raw(v)])
            };
            let env_style = if protected {
                theme.style(theme.protected).add_modifier(Modifier::BOLD)
            } else {
                theme.style(theme.fg)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<13}", "environment"), muted),
                Span::styled(s.environment.clone(), env_style),
            ]));
            let link = match &s.link {
                Link::Local => Span::raw(""),
                Link::Connecting => Span::styled("  ◌ connecting…", theme.style(theme.running)),
                Link::Ready => Span::styled("  ✓ connected", theme.style(theme.ok)),
                Link::Failed(e) => Span::styled(format!("  ✗ {e}"), theme.style(theme.fail)),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("{:<13}", "host"), muted),
                Span::raw(host),
                link,
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{:<13}", "version"), muted),
                Span::raw(format!("{} (live) → ", s.live().unwrap_or("?"))),
                Span::styled(target.clone(), bold),
            ]));
            lines.push(row("health now", health));
            // The exact argv is the point of this line: wrapped, never cut at the edge.
            let room = usize::from(inner.width).saturating_sub(13).max(20);
            for (i, part) in fmt::wrap(&format!("{argv:?}"), room, 6)
                .into_iter()
                .enumerate()
            {
                lines.push(row(if i == 0 { "will run" } else { "" }, part));
            }
            lines.push(Line::raw(""));
            match &s.commits {
                None => lines.push(Line::styled("Commits undone: reading…", muted)),
                Some(Err(e)) => lines.push(Line::styled(
                    format!("Commits undone: unknown ({e})"),
                    theme.style(theme.warn),
                )),
                Some(Ok(c)) if c.is_empty() => {
                    lines.push(Line::styled("Commits undone: none", muted))
                }
                Some(Ok(c)) => {
                    lines.push(Line::styled(
                        format!("Commits undone ({}):", c.len()),
                        muted,
                    ));
                    for msg in c.iter().take(12) {
                        lines.push(Line::raw(format!("  - {msg}")));
                    }
                }
            }
            lines.push(Line::raw(""));
            let next = if protected {
                "Enter type the phrase"
            } else {
                "Enter confirm (y/N)"
            };
            lines.push(Line::styled(
                format!("{next} · Esc back to the versions"),
                muted,
            ));
        }
        Stage::Running | Stage::Done => {
            let elapsed = s
                .started_at
                .map(|t| fmt::duration((s.finished_at.unwrap_or(now) - t).num_seconds()))
                .unwrap_or_default();
            let head = match &s.outcome {
                None => Line::styled(format!("◌ running… {elapsed}"), theme.style(theme.running)),
                Some((ok, text)) => {
                    let mut color = if *ok { theme.ok } else { theme.fail };
                    let mut mark = if *ok { "✓" } else { "✗" };
                    let mut tail = String::new();
                    if *ok {
                        let health = env.map_or(Health::Unknown, |e| e.health());
                        tail = match (s.healthy_after, health) {
                            (Some(secs), _) => format!(" — healthy after {secs} s"),
                            // Said plainly: the script succeeded, the service has not recovered.
                            (None, Health::Down | Health::Degraded) => {
                                color = theme.warn;
                                mark = "⚠";
                                let since = s
                                    .finished_at
                                    .map(|t| fmt::duration((now - t).num_seconds()))
                                    .unwrap_or_default();
                                format!(
                                    " — NOT healthy yet: checks {} {since} after",
                                    format!("{health:?}").to_lowercase()
                                )
                            }
                            (None, _) => " — waiting for the health checks…".into(),
                        };
                    }
                    // The outcome text says how long it took.
                    Line::styled(
                        format!("{mark} {text}{tail}"),
                        theme.style(color).add_modifier(Modifier::BOLD),
                    )
                }
            };
            // The outcome may be long (a timeout says what to check): it wraps over two rows.
            let [top, rest] =
                Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
            frame.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);
            body = rest;
            let room = m.rollback_output_rows();
            let back = s.scrolled_back.min(s.lines.len().saturating_sub(room));
            let end = s.lines.len() - back;
            let start = end.saturating_sub(room);
            for (err, l) in &s.lines[start..end] {
                // stderr is told by its gutter mark, not by colour alone.
                let (mark, style) = if *err {
                    ("▌", theme.style(theme.warn))
                } else {
                    (" ", theme.style(theme.fg))
                };
                lines.push(Line::from(vec![
                    Span::styled(mark, style),
                    Span::styled(l.clone(), style),
                ]));
            }
            lines.push(Line::raw(""));
            let mut hint = if s.stage == Stage::Running {
                // Named from the keymap: `[keys]` may have moved rollback off `R`.
                let key = m
                    .keymap
                    .label_of(crate::msg::Action::Rollback)
                    .unwrap_or_else(|| ":rollback".into());
                format!("Esc hide (the rollback goes on; {key} shows it again)")
            } else {
                "Esc close".to_string()
            };
            hint.push_str(" · j/k PgUp/PgDn scroll");
            if back > 0 {
                hint.push_str(&format!(" · {back} newer lines below, G follows"));
            }
            hint.push_str(" · ▌ stderr");
            lines.push(Line::styled(hint, muted));
        }
    }
    frame.render_widget(Paragraph::new(lines), body);
}
