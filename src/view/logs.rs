//! The log viewer: only the visible lines are decoded; error lines and the cursor marked.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::model::Model;
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, area: Rect, m: &Model, theme: &Theme) {
    let Some(log) = &m.log else { return };
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let muted = theme.style(theme.muted);
    let info = match (&log.text, &log.error) {
        (_, Some(e)) => Span::styled(
            format!("  could not load the log: {e}"),
            theme.style(theme.fail),
        ),
        (None, None) => Span::styled("  loading…", muted),
        (Some(t), None) => Span::styled(
            format!(
                "  line {}/{} · {} error line{}{}",
                log.cursor + 1,
                t.line_count(),
                t.error_count(),
                if t.error_count() == 1 { "" } else { "s" },
                log.search
                    .as_ref()
                    .map(|s| format!(" · search {s:?}"))
                    .unwrap_or_default()
            ),
            muted,
        ),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("log: {}", log.title),
                theme.style(theme.accent).add_modifier(Modifier::BOLD),
            ),
            info,
        ])),
        title,
    );
    let Some(text) = &log.text else { return };
    let height = usize::from(body.height);
    let gutter = (text.line_count().max(1).ilog10() + 1) as usize;
    let lines: Vec<Line> = (log.top..text.line_count().min(log.top + height))
        .map(|i| {
            let content = text.line(i);
            let style = if text.is_error(i) {
                theme.style(theme.fail)
            } else if content.starts_with("##[group]") {
                theme.style(theme.accent)
            } else {
                theme.style(theme.fg)
            };
            // Error lines are marked in the gutter too, not only coloured.
            let mark = if text.is_error(i) { "✗ " } else { "  " };
            let line = Line::from(vec![
                Span::styled(format!("{:>gutter$} ", i + 1), muted),
                Span::styled(mark, theme.style(theme.fail)),
                Span::styled(content.into_owned(), style),
            ]);
            if i == log.cursor {
                line.style(theme.selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
