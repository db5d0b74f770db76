//! Small formatting helpers shared by the views: symbols, ages, durations.

use chrono::{DateTime, Utc};
use ratatui::style::Color;

use crate::github::models::{Conclusion, RunStatus};
use crate::model::Level;
use crate::theme::Theme;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Symbol and colour of a state; the symbol alone carries the meaning (colour-blind and
/// NO_COLOR users read the symbol).
pub fn status_symbol(
    status: Option<RunStatus>,
    conclusion: Option<Conclusion>,
    theme: &Theme,
    now: DateTime<Utc>,
) -> (&'static str, Color) {
    match (status, conclusion) {
        (Some(RunStatus::Completed) | None, Some(c)) => match c {
            Conclusion::Success => ("✓", theme.ok),
            Conclusion::Failure | Conclusion::StartupFailure => ("✗", theme.fail),
            Conclusion::TimedOut => ("⧖", theme.fail),
            Conclusion::Cancelled => ("⊘", theme.muted),
            Conclusion::Skipped => ("↷", theme.muted),
            Conclusion::Neutral | Conclusion::Stale => ("-", theme.muted),
            Conclusion::ActionRequired => ("!", theme.warn),
            Conclusion::Unknown => ("?", theme.muted),
        },
        (Some(RunStatus::InProgress), _) => {
            let frame = (now.timestamp_millis().rem_euclid(1000) / 100) as usize;
            (SPINNER[frame % SPINNER.len()], theme.running)
        }
        (Some(RunStatus::Waiting), _) => ("⏸", theme.warn),
        (Some(RunStatus::ActionRequired), _) => ("!", theme.warn),
        (Some(RunStatus::Queued | RunStatus::Requested | RunStatus::Pending), _) => {
            ("○", theme.muted)
        }
        (Some(RunStatus::Completed), None) => ("●", theme.muted),
        (Some(RunStatus::Unknown), _) | (None, None) => ("?", theme.muted),
    }
}

/// How a message's level reads without colour: a symbol before warnings and errors.
pub fn level_symbol(level: Level) -> &'static str {
    match level {
        Level::Info => "",
        Level::Warn => "⚠ ",
        Level::Error => "✗ ",
    }
}

/// "12s", "5m", "3h", "2d".
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// "45s", "3m05s", "1h02m".
pub fn duration(secs: i64) -> String {
    let s = secs.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

/// Elapsed time of something that started and may have finished.
pub fn elapsed(
    started: Option<DateTime<Utc>>,
    finished: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    match started {
        Some(s) => duration((finished.unwrap_or(now) - s).num_seconds()),
        None => String::new(),
    }
}

/// Cuts `s` to `width` columns, ending with `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Word-wraps `text` to `width` columns, at most `max` lines (the last one cut with `…`);
/// continuation lines are indented by two so they read as one message.
pub fn wrap(text: &str, width: usize, max: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;

    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let sep = usize::from(!line.is_empty());
        if !line.is_empty() && line.width() + sep + word.width() > width {
            out.push(std::mem::replace(&mut line, "  ".to_string()));
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        out.push(line);
    }
    if out.len() > max {
        out.truncate(max);
        if let Some(last) = out.last_mut() {
            *last = truncate(&format!("{last} …"), width);
        }
    }
    out.into_iter().map(|l| truncate(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(185), "3m05s");
        assert_eq!(duration(3720), "1h02m");
        assert_eq!(truncate("hello world", 8), "hello w…");
        assert_eq!(truncate("hello", 8), "hello");
        assert_eq!(truncate("hello", 5), "hello");
    }
}
