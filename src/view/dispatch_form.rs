//! The dispatch form: a centred dialog with one row per field (the git ref first, then the
//! workflow's inputs in file order), inline errors, where the dispatch deploys and the keys.
//! Fields scroll when they do not fit, keeping the focused one in view.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::fmt::{truncate, wrap};
use crate::dispatch::form::Field;
use crate::dispatch::{DispatchForm, InputKind};
use crate::theme::Theme;

const MAX_WIDTH: u16 = 76;
const MAX_LABEL: usize = 20;
/// `▸ ` before the label.
const MARKER: usize = 2;
const FOOTER: &str = "Enter send · Tab next · Space toggle · ←/→ choose · Esc cancel";

/// Draws `form` centred in `area` (normally the whole frame). Puts the terminal cursor at the
/// end of the focused text field.
pub fn draw(f: &mut Frame, area: Rect, form: &DispatchForm, theme: &Theme) {
    let width = MAX_WIDTH.min(area.width);
    // Border and one column of padding on each side.
    let inner_width = usize::from(width.saturating_sub(4));
    let label_width = form
        .fields()
        .map(|fl| fl.name.width() + 2)
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL);
    let value_col = MARKER + label_width + 1;

    let groups: Vec<Vec<Line>> = form
        .fields()
        .enumerate()
        .map(|(i, fl)| field_lines(form, fl, i == form.focus(), label_width, inner_width, theme))
        .collect();
    let mut tail = tail_lines(form, inner_width, theme);

    let field_lines: usize = groups.iter().map(Vec::len).sum();
    let max_inner = usize::from(area.height.saturating_sub(2));
    // The blank line between fields and the rest is the first thing given up for room.
    if field_lines + tail.len() < max_inner {
        tail.insert(0, Line::raw(""));
    }
    let wanted = field_lines + tail.len() + 2;
    let height = u16::try_from(wanted).unwrap_or(u16::MAX).min(area.height);
    let dialog = centered(area, width, height);
    let inner_height = usize::from(height.saturating_sub(2));
    let room = inner_height.saturating_sub(tail.len()).max(1);

    // Scroll by whole fields (a label never shows without its value): start at the first
    // field from which the focused one fits.
    let starts: Vec<usize> = groups
        .iter()
        .scan(0, |at, g| {
            let start = *at;
            *at += g.len();
            Some(start)
        })
        .collect();
    let focus_start = starts.get(form.focus()).copied().unwrap_or(0);
    let focus_end = focus_start + groups.get(form.focus()).map_or(1, Vec::len);
    let offset = starts
        .iter()
        .copied()
        .find(|&s| focus_end.saturating_sub(s) <= room)
        .unwrap_or(focus_start)
        .min(focus_start);
    let mut lines: Vec<Line> = groups
        .into_iter()
        .flatten()
        .skip(offset)
        .take(room)
        .collect();
    let shown = lines.len();
    lines.extend(tail);

    let title = truncate(
        &format!(" Dispatch {} on {} ", form.workflow_label(), form.repo()),
        inner_width,
    );
    let mut block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(title)
        .padding(Padding::horizontal(1))
        .style(theme.base())
        .border_style(theme.style(theme.accent));
    let more_above = offset > 0;
    let more_below = offset + shown < field_lines;
    if more_above || more_below {
        let hint = match (more_above, more_below) {
            (true, true) => " ↑↓ more ",
            (true, false) => " ↑ more ",
            _ => " ↓ more ",
        };
        block = block.title_bottom(Line::from(hint).right_aligned());
    }
    let inner = block.inner(dialog);

    f.render_widget(Clear, dialog);
    f.render_widget(Paragraph::new(lines).block(block), dialog);

    if let Some((row, col)) = cursor(form, focus_start, offset, room, value_col, inner_width) {
        f.set_cursor_position(Position::new(
            inner.x + u16::try_from(col).unwrap_or(0),
            inner.y + u16::try_from(row).unwrap_or(0),
        ));
    }
}

/// The label row, the description (dimmed) and the field's error, if any.
fn field_lines<'a>(
    form: &DispatchForm,
    fl: Field<'a>,
    focused: bool,
    label_width: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let indent = " ".repeat(MARKER + label_width + 1);
    let value_width = width.saturating_sub(indent.len());
    let label = format!("{}{}", fl.name, if fl.required { " *" } else { "" });
    let row_style = if focused {
        theme.selected()
    } else {
        Style::default()
    };
    let marker = if focused { "▸ " } else { "  " };
    let mut spans = vec![
        Span::styled(
            marker,
            theme.style(theme.accent).add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!("{:<label_width$} ", truncate(&label, label_width)),
            theme.style(theme.fg).add_modifier(Modifier::BOLD),
        ),
    ];
    spans.extend(value_spans(fl, value_width, theme));
    let used: usize = spans.iter().map(|s| s.content.width()).sum();
    // Pad so the highlight spans the whole row, like a selected list row.
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
    let mut lines = vec![Line::from(spans).style(row_style)];

    if let Some(desc) = fl.description.filter(|d| !d.trim().is_empty()) {
        let one_line = desc.split_whitespace().collect::<Vec<_>>().join(" ");
        lines.push(Line::from(vec![
            Span::raw(indent.clone()),
            Span::styled(
                truncate(&one_line, value_width),
                theme.style(theme.muted).add_modifier(Modifier::DIM),
            ),
        ]));
    }
    if let Some(err) = form.error_for(fl.name) {
        lines.push(Line::from(vec![
            Span::raw(indent),
            Span::styled(
                truncate(&format!("✗ {}", err.message), value_width),
                theme.style(theme.fail),
            ),
        ]));
    }
    lines
}

fn value_spans<'a>(fl: Field<'a>, width: usize, theme: &Theme) -> Vec<Span<'a>> {
    let value_style = theme.style(theme.fg);
    match fl.kind {
        InputKind::Boolean => {
            let mark = if fl.value == "true" { "[x]" } else { "[ ]" };
            let mut spans = vec![Span::styled(mark, value_style.add_modifier(Modifier::BOLD))];
            // A value set from the palette that is not a boolean is shown as typed, so the
            // error under it makes sense.
            if !matches!(fl.value, "true" | "false") {
                spans.push(Span::styled(
                    format!(" {}", fl.value),
                    theme.style(theme.fail),
                ));
            }
            spans
        }
        InputKind::Choice(_) => vec![
            Span::styled("‹ ", theme.style(theme.accent)),
            Span::styled(truncate(fl.value, width.saturating_sub(4)), value_style),
            Span::styled(" ›", theme.style(theme.accent)),
        ],
        InputKind::Environment if fl.value.is_empty() => vec![Span::styled(
            "‹ choose an environment ›",
            theme.style(theme.muted),
        )],
        InputKind::String | InputKind::Number | InputKind::Environment => {
            vec![Span::styled(
                tail_fit(fl.value, width.saturating_sub(1)),
                value_style,
            )]
        }
    }
}

/// A long text value shows its end, where the cursor is.
fn tail_fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 1; // the leading `…`
    for c in s.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > width {
            break;
        }
        used += w;
        kept.push(c);
    }
    std::iter::once('…').chain(kept.into_iter().rev()).collect()
}

/// Below the fields: errors that belong to no field, where the dispatch deploys, the keys.
fn tail_lines(form: &DispatchForm, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if !form.spec().dispatchable {
        lines.push(Line::styled(
            truncate(
                "⚠ no workflow_dispatch trigger: GitHub will refuse this dispatch",
                width,
            ),
            theme.style(theme.warn),
        ));
    }
    let names: Vec<&str> = form.fields().map(|fl| fl.name).collect();
    for err in form
        .errors()
        .iter()
        .filter(|e| !names.contains(&e.field.as_str()) && e.field != "workflow")
    {
        // These name what to type instead (the valid inputs): wrapped, not cut.
        for text in wrap(&format!("✗ {}", err.message), width, 3) {
            lines.push(Line::styled(text, theme.style(theme.fail)));
        }
    }
    let protected = form.protected_targets();
    let targets = form.deploys_to();
    if !protected.is_empty() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "deploys to {} (PROTECTED): the phrase will be asked",
                    protected.join(", ")
                ),
                width,
            ),
            theme.style(theme.protected).add_modifier(Modifier::BOLD),
        ));
    } else if !targets.is_empty() {
        lines.push(Line::styled(
            truncate(
                &format!(
                    "deploys to {}: a y/N confirm will be asked",
                    targets.join(", ")
                ),
                width,
            ),
            theme.style(theme.muted),
        ));
    }
    lines.push(Line::styled(
        truncate(FOOTER, width),
        theme.style(theme.muted),
    ));
    lines
}

/// Where the terminal cursor goes (row and column inside the border): after the text of the
/// focused field when it is a text field and its row is on screen.
fn cursor(
    form: &DispatchForm,
    focus_row: usize,
    offset: usize,
    room: usize,
    value_col: usize,
    width: usize,
) -> Option<(usize, usize)> {
    let fl = form.fields().nth(form.focus())?;
    if !matches!(
        fl.kind,
        InputKind::String | InputKind::Number | InputKind::Environment
    ) {
        return None;
    }
    let row = focus_row.checked_sub(offset).filter(|r| *r < room)?;
    let value_width = width.saturating_sub(value_col);
    let text = tail_fit(fl.value, value_width.saturating_sub(1)).width();
    Some((row, (value_col + text).min(width.saturating_sub(1))))
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}
