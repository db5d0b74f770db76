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
use crate::theme::Theme;
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
                        match crate::theme::resolve(&name, crate::theme::no_color_requested()) {
                            Ok(t) => theme = t,
                            Err(e) => {
                                tracing::warn!(theme = %name, error = %e, "theme not switched")
                            }
                        }
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
