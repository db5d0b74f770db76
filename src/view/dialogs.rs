//! Popups over the current view: help (built from the keymap) and confirmations.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::keymap::Context;
use crate::model::{Dialog, Model};
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, m: &Model, theme: &Theme) {
    match &m.dialog {
        None => {}
        Some(Dialog::Help) => help(frame, m, theme),
        Some(Dialog::Confirm(mutation)) => {
            let lines = vec![
                Line::from(vec![
                    Span::raw(format!("{} ", capitalise(mutation.kind.verb()))),
                    Span::styled(
                        mutation.label.clone(),
                        theme.style(theme.accent).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(" in {}?", mutation.repo)),
                ]),
                match &mutation.review {
                    Some(r) => Line::styled(
                        format!("{} · “{}”", r.environments.join(", "), r.comment),
                        theme.style(theme.muted),
                    ),
                    None => Line::raw(""),
                },
                Line::from(vec![
                    Span::styled("y", theme.style(theme.accent).add_modifier(Modifier::BOLD)),
                    Span::raw(" yes, send it    "),
                    Span::styled("N", theme.style(theme.accent).add_modifier(Modifier::BOLD)),
                    Span::raw(" / Enter / Esc: no (nothing is sent)"),
                ]),
            ];
            popup(frame, theme, " Confirm ", lines, 64, 5);
        }
        Some(Dialog::Comment {
            mutation,
            text,
            error,
        }) => {
            let envs = mutation
                .review
                .as_ref()
                .map(|r| r.environments.clone())
                .unwrap_or_default();
            let mut head = vec![
                Span::raw(format!("{} ", capitalise(mutation.kind.verb()))),
                Span::styled(
                    mutation.label.clone(),
                    theme.style(theme.accent).add_modifier(Modifier::BOLD),
                ),
                Span::raw(format!(" ({}) → ", mutation.repo)),
            ];
            head.extend(super::protected::env_names(m, &mutation.repo, &envs, theme));
            let mut lines = vec![
                Line::from(head),
                Line::raw(""),
                Line::styled("Comment (GitHub requires one):", theme.style(theme.muted)),
                Line::from(vec![
                    Span::raw(format!("> {text}")),
                    Span::styled("▏", theme.style(theme.accent)),
                ]),
            ];
            if let Some(err) = error {
                lines.push(Line::styled(err.clone(), theme.style(theme.fail)));
            } else {
                lines.push(Line::raw(""));
            }
            lines.push(Line::styled(
                "Enter next · Backspace edit · Esc cancel (nothing is sent)",
                theme.style(theme.muted),
            ));
            let title = format!(" {} — comment ", capitalise(mutation.kind.verb()));
            popup(frame, theme, &title, lines, 72, 8);
        }
        Some(Dialog::Phrase(p)) => phrase(frame, p, theme),
        Some(Dialog::Dispatch(form)) => {
            super::dispatch_form::draw(frame, frame.area(), form, theme)
        }
        Some(Dialog::ConfirmQuit) => {
            let lines = vec![
                Line::raw(format!("{} request(s) still in flight.", m.in_flight.len())),
                Line::raw("Quit anyway? Their outcome will not be shown.  y / N"),
            ];
            popup(frame, theme, " Quit? ", lines, 60, 4);
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn section_title(ctx: Context) -> &'static str {
    match ctx {
        Context::Global => "Everywhere",
        Context::List => "Lists",
        Context::Runs => "Runs",
        Context::RunDetail => "Run detail",
        Context::Logs => "Logs",
        Context::Environments => "Environments",
        Context::Gates => "Gates",
        Context::Activity => "Activity",
    }
}

/// The keymap itself, section by section in the order its bindings come, so a binding can
/// never be missing from help. Two columns when one would not fit the terminal.
fn help(frame: &mut Frame, m: &Model, theme: &Theme) {
    let mut sections: Vec<Context> = Vec::new();
    for b in &m.keymap.bindings {
        if !sections.contains(&b.context) {
            sections.push(b.context);
        }
    }
    let mut blocks: Vec<Vec<Line>> = Vec::new();
    for ctx in sections {
        let mut lines = vec![Line::from(Span::styled(
            section_title(ctx),
            theme.style(theme.accent).add_modifier(Modifier::BOLD),
        ))];
        for b in m.keymap.bindings.iter().filter(|b| b.context == ctx) {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<14}", keys.join(" ")),
                    theme.style(theme.fg).add_modifier(Modifier::BOLD),
                ),
                Span::styled(b.desc, theme.style(theme.muted)),
            ]));
        }
        blocks.push(lines);
    }
    let footer = Line::from(Span::styled(
        "Mouse: click selects, click again opens, wheel scrolls.  Esc closes.",
        theme.style(theme.muted),
    ));
    let total: usize = blocks.iter().map(Vec::len).sum();
    let area = frame.area();
    let two = total + 4 > usize::from(area.height) && area.width >= 124;
    if !two {
        let mut lines: Vec<Line> = blocks.into_iter().flatten().collect();
        lines.push(Line::raw(""));
        lines.push(footer);
        let height = lines.len() as u16 + 2;
        popup(frame, theme, " Help — keys ", lines, 60, height);
        return;
    }
    // Whole sections to the left until about half the lines are there.
    let mut left: Vec<Line> = Vec::new();
    let mut right: Vec<Line> = Vec::new();
    for block in blocks {
        if left.len() + block.len() / 2 <= total / 2 {
            left.extend(block);
        } else {
            right.extend(block);
        }
    }
    let rows = left.len().max(right.len()) + 2;
    let outer = centered(area, 122, rows as u16 + 2);
    frame.render_widget(Clear, outer);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(" Help — keys ")
        .style(theme.base())
        .border_style(theme.style(theme.accent));
    let inner = block.inner(outer);
    frame.render_widget(block, outer);
    let [cols, foot] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(cols);
    frame.render_widget(Paragraph::new(left), l);
    frame.render_widget(Paragraph::new(right), r);
    frame.render_widget(Paragraph::new(footer), foot);
}

fn popup(frame: &mut Frame, theme: &Theme, title: &str, lines: Vec<Line>, width: u16, height: u16) {
    let area = centered(frame.area(), width, height);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(title)
        .style(theme.base())
        .border_style(theme.style(theme.accent));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block),
        area,
    );
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

/// The typed-phrase dialog: what will happen, the phrase, and a confirm that stays disabled
/// until the text matches exactly.
fn phrase(frame: &mut Frame, p: &crate::model::PhraseDialog, theme: &Theme) {
    let m = &p.mutation;
    let bold = Modifier::BOLD;
    let comment = m
        .review
        .as_ref()
        .map(|r| r.comment.clone())
        .unwrap_or_default();
    // Whether the text matches, said in words as well as colour.
    let (typed_style, match_note) = if p.matches() {
        (
            theme.style(theme.ok).add_modifier(bold),
            Span::styled("  ✓ matches", theme.style(theme.ok)),
        )
    } else if p.phrase.starts_with(&p.typed) {
        (theme.style(theme.fg), Span::raw(""))
    } else {
        (
            theme.style(theme.fail),
            Span::styled("  ✗ differs from the phrase", theme.style(theme.fail)),
        )
    };
    let button = if p.matches() {
        Span::styled(
            "[ Enter: confirm ]",
            theme
                .style(theme.protected)
                .add_modifier(bold | Modifier::REVERSED),
        )
    } else {
        Span::styled(
            "[ confirm: disabled until the phrase matches ]",
            theme.style(theme.muted),
        )
    };
    let lines = vec![
        Line::from(vec![
            Span::raw(format!("{} ", capitalise(m.kind.verb()))),
            Span::styled(
                m.label.clone(),
                theme.style(theme.accent).add_modifier(bold),
            ),
            Span::raw(format!(" in {}", m.repo)),
        ]),
        Line::from(vec![
            Span::styled("environment  ", theme.style(theme.muted)),
            Span::styled(
                format!("{} (PROTECTED)", p.environment),
                theme.style(theme.protected).add_modifier(bold),
            ),
        ]),
        Line::from(vec![
            Span::styled("version      ", theme.style(theme.muted)),
            Span::raw(format!(
                "{} (live) → {}",
                p.live.as_deref().unwrap_or("?"),
                p.next.as_deref().unwrap_or("?")
            )),
        ]),
        Line::from(vec![
            Span::styled("comment      ", theme.style(theme.muted)),
            Span::raw(comment),
        ]),
        Line::raw(""),
        Line::from(vec![
            Span::raw("Type exactly:  "),
            Span::styled(
                p.phrase.clone(),
                theme.style(theme.protected).add_modifier(bold),
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("> {}", p.typed), typed_style),
            Span::styled("▏", theme.style(theme.accent)),
            match_note,
        ]),
        Line::raw(""),
        Line::from(button),
        Line::styled("Esc cancel: nothing is sent", theme.style(theme.muted)),
    ];
    let title = format!(" PROTECTED: {} ", p.environment);
    let area = centered(frame.area(), 72, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .title(title)
        .style(theme.base())
        .border_style(theme.style(theme.protected).add_modifier(bold));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
