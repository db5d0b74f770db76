//! Views: pure functions of `(&Model, &Theme, now)` that draw into a frame. They borrow
//! state and never change it.

mod activity;
mod chrome;
mod detail;
mod dialogs;
pub mod dispatch_form;
pub mod environments;
pub mod fmt;
mod gates;
mod logs;
mod palette;
mod protected;
mod rollback;
mod runs;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::widgets::Block;

use crate::model::{Model, Screen};
use crate::theme::Theme;

pub fn draw(frame: &mut Frame, m: &Model, theme: &Theme, now: DateTime<Utc>) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    // The theme's background under everything (a no-op for themes that keep the terminal's).
    frame.render_widget(Block::new().style(theme.base()), frame.area());
    chrome::header(frame, header, m, theme, now);
    match m.screen {
        Screen::Runs => runs::draw(frame, body, m, theme, now),
        Screen::RunDetail => detail::draw(frame, body, m, theme, now),
        Screen::Logs => logs::draw(frame, body, m, theme),
        Screen::Environments => match m.rollback.as_ref().filter(|r| r.visible()) {
            Some(r) => rollback::draw(frame, body, m, r, theme, now),
            None => environments::draw(frame, body, m, theme, now),
        },
        Screen::Gates => gates::draw(frame, body, m, theme, now),
        Screen::Activity => activity::draw(frame, body, m, theme),
    }
    chrome::footer(frame, footer, m, theme);
    if let Some(p) = &m.palette {
        palette::popup(frame, footer, m, p, theme);
    }
    dialogs::draw(frame, m, theme);
}
