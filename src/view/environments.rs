//! The Environments view: one pane per environment in a grid that adapts to the terminal.
//! Protected environments carry the theme's `protected` colour and a PROTECTED label.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use super::fmt;
use crate::health::Health;
use crate::model::Model;
use crate::model::env::{EnvState, Verdict};
use crate::theme::Theme;

/// Panes narrower than this stack in one column.
const MIN_PANE_WIDTH: u16 = 56;
const DEPLOYMENTS_LISTED: usize = 3;

pub fn health_symbol(h: Health, theme: &Theme) -> (&'static str, Color) {
    match h {
        Health::Up => ("●", theme.ok),
        Health::Degraded => ("◐", theme.warn),
        Health::Down => ("✗", theme.fail),
        Health::Unknown => ("?", theme.muted),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    if m.envs.is_empty() {
        let text = "No [[environment]] in the config: add one to see its health, version and deployments here.";
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.style(theme.muted))),
            area,
        );
        return;
    }
    let cols = usize::from((area.width / MIN_PANE_WIDTH).max(1)).min(m.envs.len());
    let panes: Vec<Vec<Line>> = m
        .envs
        .iter()
        .map(|e| pane_lines(e, m, theme, now))
        .collect();
    let rows: Vec<&[Vec<Line>]> = panes.chunks(cols).collect();
    let heights: Vec<u16> = rows
        .iter()
        .map(|r| r.iter().map(|p| p.len() as u16 + 2).max().unwrap_or(3))
        .collect();
    // Scroll by whole rows so the selected pane is on screen.
    let sel_row = m.env_selected / cols;
    let mut first = 0;
    while first < sel_row && heights[first..=sel_row].iter().sum::<u16>() > area.height {
        first += 1;
    }
    let mut y = area.y;
    for (r, row) in rows.iter().enumerate().skip(first) {
        if y >= area.bottom() {
            break;
        }
        let h = heights[r].min(area.bottom() - y);
        let row_area = Rect::new(area.x, y, area.width, h);
        let cells =
            Layout::horizontal(vec![Constraint::Ratio(1, cols as u32); cols]).split(row_area);
        for (c, lines) in row.iter().enumerate() {
            let idx = r * cols + c;
            let env = &m.envs[idx];
            let block = pane_block(env, &m.env_label(env), idx == m.env_selected, theme);
            frame.render_widget(Paragraph::new(lines.clone()).block(block), cells[c]);
        }
        y += h;
    }
}

/// `label`: the environment's name, with its repo when there are several.
fn pane_block<'a>(env: &EnvState, label: &str, selected: bool, theme: &Theme) -> Block<'a> {
    let health = env.health();
    let (sym, color) = health_symbol(health, theme);
    let border = if health == Health::Down {
        theme.fail
    } else if env.protected {
        theme.protected
    } else if selected {
        theme.accent
    } else {
        theme.muted
    };
    let name_colour = if env.protected {
        theme.protected
    } else {
        theme.fg
    };
    let mut title = vec![Span::styled(
        format!(" {label} "),
        theme.style(name_colour).add_modifier(Modifier::BOLD),
    )];
    if env.protected {
        title.push(Span::styled(
            " PROTECTED ",
            Style::default()
                .fg(theme.protected)
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
    }
    let status = Line::from(Span::styled(
        format!(" {sym} {} ", health.word().to_uppercase()),
        theme.style(color).add_modifier(Modifier::BOLD),
    ))
    .right_aligned();
    let mut block = Block::bordered()
        .border_type(if selected {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.style(border))
        .title(Line::from(title))
        .title(status);
    if selected {
        block = block.title_bottom(Line::from(Span::styled(
            " w: cutover window · o: open ",
            theme.style(theme.muted),
        )));
    }
    block
}

fn pane_lines<'a>(
    env: &'a EnvState,
    m: &Model,
    theme: &Theme,
    now: DateTime<Utc>,
) -> Vec<Line<'a>> {
    let muted = theme.style(theme.muted);
    let mut lines = Vec::new();

    // Live version next to the last successful deployment.
    let mut v = vec![Span::styled("version ", muted)];
    match (&env.version.value, &env.version.error, &env.version_source) {
        (_, _, None) => v.push(Span::styled("not configured", muted)),
        (Some(ver), err, _) => {
            v.push(Span::styled(
                ver.clone(),
                theme.style(theme.fg).add_modifier(Modifier::BOLD),
            ));
            if err.is_some() {
                v.push(Span::styled(" (stale)", theme.style(theme.warn)));
            }
        }
        (None, Some(err), _) => v.push(Span::styled(
            format!("unknown: {err}"),
            theme.style(theme.warn),
        )),
        (None, None, _) => v.push(Span::styled("…", muted)),
    }
    if let Some(d) = env.last_good_deployment() {
        v.push(Span::styled(
            format!("  deployed {}", short_ref(&d.deployment.git_ref)),
            muted,
        ));
    }
    if env.version_mismatch().is_some() {
        v.push(Span::styled(
            "  ⚠ live ≠ deployed".to_string(),
            theme.style(theme.warn).add_modifier(Modifier::BOLD),
        ));
    }
    lines.push(Line::from(v));

    // A rollback GitHub shows unfinished: every operator's cockpit says who is doing it.
    if let Some(r) = env.rollback_in_progress(now) {
        let ours = m.in_flight.iter().any(|x| {
            x.rollback
                .as_ref()
                .is_some_and(|req| req.environment == env.name)
        });
        let who = if ours {
            "you".to_string()
        } else {
            r.by.clone()
        };
        lines.push(Line::styled(
            format!(
                "⟲ rollback to {} in progress by {who} ({})",
                short_ref(&r.version),
                fmt::age(r.since, now)
            ),
            theme.style(theme.warn).add_modifier(Modifier::BOLD),
        ));
    }

    // Checks.
    if env.checks.is_empty() {
        lines.push(Line::from(Span::styled(
            "no health checks configured",
            muted,
        )));
    }
    for slot in &env.checks {
        let t = &slot.tracker;
        let (sym, color) = health_symbol(t.health, theme);
        let status = t
            .last_status
            .map(|s| s.to_string())
            .unwrap_or_else(|| "---".into());
        let latency = t
            .last_latency
            .map(|l| format!("{}ms", l.as_millis()))
            .unwrap_or_else(|| "-".into());
        let mut spans = vec![
            Span::styled(format!("{sym} "), theme.style(color)),
            Span::styled(
                format!("{:<10}", fmt::truncate(&slot.config.name, 10)),
                theme.style(theme.fg),
            ),
            Span::styled(format!("{status:>4} {latency:>7} "), muted),
            Span::styled(sparkline(&t.latencies, 16), theme.style(theme.running)),
        ];
        if t.consecutive_failures > 0 {
            spans.push(Span::styled(
                format!(" {} failing", t.consecutive_failures),
                theme.style(theme.fail),
            ));
        }
        lines.push(Line::from(spans));
        if let Some(err) = &t.last_error {
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(format!("last error: {err}"), theme.style(theme.fail)),
            ]));
        }
    }

    // Cutover window.
    if let Some(c) = &env.cutover {
        let total = (c.ends - c.started).num_seconds().max(1);
        let elapsed = (now.min(c.ends) - c.started).num_seconds().clamp(0, total);
        let width = 20usize;
        let filled = (elapsed as usize * width) / total as usize;
        let worst = c
            .worst_latency
            .map(|l| format!(" · worst {}ms", l.as_millis()))
            .unwrap_or_default();
        let bar_color = if c.went_down {
            theme.fail
        } else {
            theme.running
        };
        lines.push(Line::from(vec![
            Span::styled("cutover ", muted),
            Span::styled("█".repeat(filled), theme.style(bar_color)),
            Span::styled("░".repeat(width - filled), muted),
            Span::styled(
                format!(
                    " {} / {} · {} failure{}{worst}",
                    fmt::duration(elapsed),
                    fmt::duration(total),
                    c.failures,
                    if c.failures == 1 { "" } else { "s" }
                ),
                muted,
            ),
        ]));
        let verdict = match c.verdict_now() {
            Some(Verdict::Stable) => {
                Span::styled("STABLE", theme.style(theme.ok).add_modifier(Modifier::BOLD))
            }
            Some(Verdict::Unstable { failures }) => Span::styled(
                if env.rollback.is_some() {
                    format!("UNSTABLE — {failures} failures · R: roll back")
                } else {
                    format!("UNSTABLE — {failures} failures · consider rolling back")
                },
                theme.style(theme.fail).add_modifier(Modifier::BOLD),
            ),
            None => Span::styled(format!("watching: {}", c.reason), muted),
        };
        lines.push(Line::from(vec![Span::raw("  "), verdict]));
    }

    // The latest deploy run and recent deployments.
    if let Some(run) = env.deploy_run(&m.runs) {
        let r = &run.run;
        let (sym, color) = fmt::status_symbol(r.status, r.conclusion, theme, now);
        lines.push(Line::from(vec![
            Span::styled("run ", muted),
            Span::styled(format!("{sym} "), theme.style(color)),
            Span::raw(format!(
                "{} #{} ",
                r.name.as_deref().unwrap_or(""),
                r.run_number
            )),
            Span::styled(
                format!(
                    "{} · {}",
                    crate::model::runs::status_word(r.status, r.conclusion),
                    fmt::age(r.created_at, now)
                ),
                muted,
            ),
        ]));
    }
    match (&env.deployments.value, &env.deployments.error) {
        (Some(list), err) => {
            if let Some(err) = err {
                lines.push(Line::from(Span::styled(
                    format!("deployments (stale): {err}"),
                    theme.style(theme.warn),
                )));
            }
            for d in list.iter().take(DEPLOYMENTS_LISTED) {
                let color = match d.state() {
                    "success" => theme.ok,
                    "failure" | "error" => theme.fail,
                    "inactive" => theme.muted,
                    _ => theme.running,
                };
                lines.push(Line::from(vec![
                    Span::styled("  ◆ ", theme.style(color)),
                    Span::raw(format!(
                        "{:<12}",
                        fmt::truncate(short_ref(&d.deployment.git_ref), 12)
                    )),
                    Span::styled(format!("{:<12}", d.state()), theme.style(color)),
                    Span::styled(
                        format!(
                            "{} · {}",
                            d.deployment
                                .creator
                                .as_ref()
                                .map(|c| c.login.as_str())
                                .unwrap_or("-"),
                            fmt::age(d.deployment.created_at, now)
                        ),
                        muted,
                    ),
                ]));
            }
        }
        (None, Some(err)) => lines.push(Line::from(Span::styled(
            format!("deployments: {err}"),
            theme.style(theme.warn),
        ))),
        (None, None) => {}
    }
    lines
}

/// A commit sha shortened to 7 characters; tags and branches as they are.
fn short_ref(r: &str) -> &str {
    if r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
        &r[..7]
    } else {
        r
    }
}

/// The last `width` latencies as block characters scaled to the largest.
pub fn sparkline(values: &std::collections::VecDeque<u64>, width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let start = values.len().saturating_sub(width);
    let shown: Vec<u64> = values.iter().skip(start).copied().collect();
    let max = shown.iter().copied().max().unwrap_or(0).max(1);
    shown
        .iter()
        .map(|v| BARS[((v * 7) / max) as usize])
        .collect()
}
