//! The `:` palette: the line being typed in the footer, and above it either the reason the
//! last Enter failed, the completion options, or (on an empty line) every command's usage.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::model::{Model, PaletteState};
use crate::palette::SPECS;
use crate::theme::Theme;

/// Options listed at most; more are summarised as "+N more".
const SHOWN: usize = 8;

/// Lines an error may take before it is cut with `…`.
const ERROR_LINES: usize = 4;

/// The line being typed; `history` says whether Up has anything to bring back.
pub fn footer_line(p: &PaletteState, history: bool, theme: &Theme) -> Line<'static> {
    let hint = if history {
        "  Tab complete · ↑↓ history · Enter run · Esc close"
    } else {
        "  Tab complete · Enter run · Esc close"
    };
    Line::from(vec![
        Span::styled(":", theme.style(theme.accent)),
        Span::raw(p.text.clone()),
        Span::styled("▏", theme.style(theme.accent)),
        Span::styled(hint, theme.style(theme.muted)),
    ])
}

/// Draws the box above the footer (`footer` is the footer's area).
pub fn popup(frame: &mut Frame, footer: Rect, m: &Model, p: &PaletteState, theme: &Theme) {
    let lines: Vec<Line> = if let Some(err) = &p.error {
        // A long reason ("unknown command ...; commands: ...") wraps rather than being cut.
        let room = usize::from(footer.width.saturating_sub(4)).max(1);
        super::fmt::wrap(&format!("✗ {err}"), room, ERROR_LINES)
            .into_iter()
            .map(|l| Line::from(Span::styled(l, theme.style(theme.fail))))
            .collect()
    } else if let Some(c) = p.completion.as_ref().filter(|c| !c.options.is_empty()) {
        let mut lines: Vec<Line> = c
            .options
            .iter()
            .take(SHOWN)
            .enumerate()
            .map(|(i, o)| {
                let style = if p.cycle == Some(i) {
                    theme.selected()
                } else {
                    theme.style(theme.fg)
                };
                let mut spans = vec![Span::styled(o.clone(), style)];
                if let Some(about) = describe(m, o) {
                    spans.push(Span::styled(format!("  {about}"), theme.style(theme.muted)));
                }
                Line::from(spans)
            })
            .collect();
        if c.options.len() > SHOWN {
            lines.push(Line::from(Span::styled(
                format!("+{} more", c.options.len() - SHOWN),
                theme.style(theme.muted),
            )));
        }
        lines
    } else if p.text.trim().is_empty() {
        SPECS
            .iter()
            .map(|s| {
                Line::from(vec![
                    Span::styled(
                        format!("{:<42}", s.usage),
                        theme.style(theme.accent).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(s.summary, theme.style(theme.muted)),
                ])
            })
            .collect()
    } else {
        return;
    };
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .saturating_add(2)
        .min(usize::from(footer.width)) as u16;
    let height = (lines.len() as u16 + 2).min(footer.y);
    if height < 3 {
        return;
    }
    let area = Rect {
        x: footer.x,
        y: footer.y - height,
        width,
        height,
    };
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .style(theme.base())
        .border_style(theme.style(theme.accent));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// A run id says little by itself: show which run it is.
fn describe(m: &Model, option: &str) -> Option<String> {
    let id: u64 = option.parse().ok()?;
    let e = m.runs.iter().find(|e| e.run.id == id)?;
    // GitHub's own words (`in_progress`, `failure`): the conclusion once there is one.
    let word = |v: serde_json::Result<serde_json::Value>| {
        v.ok().and_then(|v| v.as_str().map(String::from))
    };
    let status = match e.run.conclusion {
        Some(c) => word(serde_json::to_value(c)),
        None => e.run.status.and_then(|s| word(serde_json::to_value(s))),
    };
    Some(format!(
        "{} #{} {} {}",
        e.run.name.as_deref().unwrap_or("run"),
        e.run.run_number,
        e.run.head_branch.as_deref().unwrap_or(""),
        status.unwrap_or_default()
    ))
}
