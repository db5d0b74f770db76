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
                .map(|r| r.environments.join(", "))
                .unwrap_or_default();
            let mut lines = vec![
                Line::from(vec![
                    Span::raw(format!("{} ", capitalise(mutation.kind.verb()))),
                    Span::styled(
                        mutation.label.clone(),
                        theme.style(theme.accent).add_modifier(Modifier::BOLD),
                    ),
                    Span::raw(format!(" ({}) → ", mutation.repo)),
                    Span::styled(envs, theme.style(theme.protected)),
                ]),
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

fn help(frame: &mut Frame, m: &Model, theme: &Theme) {
    let sections = [
        (Context::Global, "Everywhere"),
        (Context::List, "Lists"),
        (Context::Runs, "Runs"),
        (Context::RunDetail, "Run detail"),
        (Context::Logs, "Logs"),
        (Context::Environments, "Environments"),
    ];
    let mut lines = Vec::new();
    for (ctx, title) in sections {
        lines.push(Line::from(Span::styled(
            title,
            theme.style(theme.accent).add_modifier(Modifier::BOLD),
        )));
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
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Mouse: click selects, click again opens, wheel scrolls.  Esc closes.",
        theme.style(theme.muted),
    )));
    let height = lines.len() as u16 + 2;
    popup(frame, theme, " Help — keys ", lines, 60, height);
}

fn popup(frame: &mut Frame, theme: &Theme, title: &str, lines: Vec<Line>, width: u16, height: u16) {
    let area = centered(frame.area(), width, height);
    frame.render_widget(Clear, area);
    let block = Block::bordered()
        .border_type(BorderType::Rounded)
        .title(title)
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
    let typed_style = if p.matches() {
        theme.style(theme.ok).add_modifier(bold)
    } else if p.phrase.starts_with(&p.typed) {
        theme.style(theme.fg)
    } else {
        theme.style(theme.fail)
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
        .border_style(theme.style(theme.protected).add_modifier(bold));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
