//! The loop: terminal events, backend messages and a timer go into `update`; the model is
//! drawn when something changed. The UI never waits on I/O.

use std::io::Write;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc::unbounded_channel;

use crate::effects::{self, Backends};
use crate::model::Model;
use crate::msg::{Cmd, Msg};
use crate::theme::{Catalog, Theme};
use crate::update::update;
use crate::view;

/// How often time is looked at: spinners and ages move, polls fall due.
const TICK: Duration = Duration::from_millis(250);

/// The shortest time between two frames drawn for background updates (20 per second).
const FRAME: Duration = Duration::from_millis(50);

pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut model: Model,
    mut theme: Theme,
    backends: Backends,
) -> color_eyre::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    if let Ok(size) = terminal.size() {
        update(
            &mut model,
            Msg::Resize {
                width: size.width,
                height: size.height,
            },
            backends.clock.now(),
        );
    }
    let mut dirty = true;
    // Input is drawn at once; everything else at most once per FRAME, so a burst of
    // background results (hundreds of probes a second) costs a few frames, not hundreds.
    let mut urgent = true;
    let mut last_draw = Instant::now();
    let mut last_second = 0;
    loop {
        if dirty && (urgent || last_draw.elapsed() >= FRAME) {
            let now = backends.clock.now();
            terminal.draw(|f| view::draw(f, &model, &theme, now))?;
            dirty = false;
            urgent = false;
            last_draw = Instant::now();
        }
        let frame_due = tokio::time::Instant::from_std(last_draw + FRAME);
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Some(Ok(Event::Mouse(m))) => Msg::Mouse(m),
                Some(Ok(Event::Resize(width, height))) => Msg::Resize { width, height },
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick,
            _ = tokio::time::sleep_until(frame_due), if dirty => continue,
        };
        urgent |= matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Resize { .. });
        // Take everything already waiting before drawing again.
        let mut batch = vec![msg];
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        for msg in batch {
            let now = backends.clock.now();
            let is_tick = matches!(msg, Msg::Tick);
            let cmds = update(&mut model, msg, now);
            // Ticks redraw only when something on screen moves: a spinner, or a clock second.
            dirty |= !is_tick
                || !cmds.is_empty()
                || model.runs.iter().any(|e| e.run.is_active())
                || std::mem::replace(&mut last_second, now.timestamp()) != now.timestamp();
            for cmd in cmds {
                match cmd {
                    Cmd::Quit => return Ok(()),
                    Cmd::Bell => {
                        let _ = std::io::stdout().write_all(b"\x07");
                    }
                    Cmd::SetTheme(name) => {
                        let no_color = crate::theme::no_color_requested();
                        let _ = tx.send(switch_theme(&backends.themes, name, no_color, &mut theme));
                        dirty = true;
                    }
                    other => effects::spawn(other, &backends, &tx),
                }
            }
            if model.quit {
                return Ok(());
            }
        }
    }
}

/// `:theme NAME`: loads the theme (a user's file is read again, so edits show) and switches
/// to it; a theme that does not load leaves `theme` as it was. The answer goes to `update`.
fn switch_theme(themes: &Catalog, name: String, no_color: bool, theme: &mut Theme) -> Msg {
    let result = if no_color {
        Err("NO_COLOR is set: colours stay off".to_string())
    } else {
        match themes.load(&name) {
            Ok(t) => {
                *theme = t;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(theme = %name, error = %e, "theme not switched");
                Err(e.to_string())
            }
        }
    };
    Msg::ThemeSwitched { name, result }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_theme_that_loads_replaces_the_current_one() {
        let mut theme = Theme::builtin("default").unwrap();
        let msg = switch_theme(&Catalog::builtin_only(), "light".into(), false, &mut theme);
        assert_eq!(theme.name, "light");
        assert!(
            matches!(msg, Msg::ThemeSwitched { result: Ok(()), .. }),
            "{msg:?}"
        );
    }

    #[test]
    fn a_broken_user_theme_keeps_the_current_one_and_says_where() {
        let dir = tempfile::tempdir().unwrap();
        let text = crate::theme::BUILTIN[0]
            .1
            .replace("\"lightred\"", "\"reddish\"");
        std::fs::write(dir.path().join("mine.toml"), text).unwrap();
        let themes = Catalog::new(Some(dir.path().to_owned()));
        let mut theme = Theme::builtin("default").unwrap();
        let msg = switch_theme(&themes, "mine".into(), false, &mut theme);
        assert_eq!(theme.name, "default");
        let Msg::ThemeSwitched { result: Err(e), .. } = msg else {
            panic!("{msg:?}")
        };
        assert!(e.contains("mine.toml:14:8") && e.contains("reddish"), "{e}");
    }

    #[test]
    fn no_color_keeps_colours_off() {
        let mut theme = Theme::no_color();
        let msg = switch_theme(&Catalog::builtin_only(), "light".into(), true, &mut theme);
        assert!(theme.is_no_color());
        assert!(
            matches!(msg, Msg::ThemeSwitched { result: Err(_), .. }),
            "{msg:?}"
        );
    }
}
