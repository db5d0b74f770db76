//! A job log held once in memory with a line index, so a 50 MB log scrolls and searches
//! without copying: views borrow only the visible lines.

use std::borrow::Cow;

use memchr::memmem;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct LogText {
    bytes: Vec<u8>,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Lines that look like errors, ascending.
    errors: Vec<usize>,
}

const ERROR_MARKERS: &[&[u8]] = &[b"##[error]", b"FAILED"];

impl LogText {
    pub fn new(bytes: Vec<u8>) -> LogText {
        let mut starts = Vec::with_capacity(bytes.len() / 64 + 1);
        if !bytes.is_empty() {
            starts.push(0);
        }
        for pos in memchr::memchr_iter(b'\n', &bytes) {
            if pos + 1 < bytes.len() {
                starts.push(pos + 1);
            }
        }
        let finders: Vec<memmem::Finder<'_>> =
            ERROR_MARKERS.iter().map(memmem::Finder::new).collect();
        let mut log = LogText {
            bytes: Vec::new(),
            starts,
            errors: Vec::new(),
        };
        let errors = (0..log.starts.len())
            .filter(|&i| {
                let line = raw_line(&bytes, &log.starts, i);
                finders.iter().any(|f| f.find(line).is_some())
            })
            .collect();
        log.errors = errors;
        log.bytes = bytes;
        log
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Line `i` as shown: GitHub's timestamp prefix and a trailing `\r` removed.
    pub fn line(&self, i: usize) -> Cow<'_, str> {
        if i >= self.starts.len() {
            return Cow::Borrowed("");
        }
        let raw = raw_line(&self.bytes, &self.starts, i);
        String::from_utf8_lossy(strip_timestamp(raw))
    }

    pub fn is_error(&self, i: usize) -> bool {
        self.errors.binary_search(&i).is_ok()
    }

    pub fn error_count(&self) -> usize {
        self.errors.len()
    }

    pub fn first_error(&self) -> Option<usize> {
        self.errors.first().copied()
    }

    /// The first error line after `line`, wrapping around.
    pub fn next_error(&self, line: usize) -> Option<usize> {
        let idx = self.errors.partition_point(|&e| e <= line);
        self.errors.get(idx).or(self.errors.first()).copied()
    }

    /// The last error line before `line`, wrapping around.
    pub fn prev_error(&self, line: usize) -> Option<usize> {
        let idx = self.errors.partition_point(|&e| e < line);
        if idx == 0 {
            self.errors.last().copied()
        } else {
            self.errors.get(idx - 1).copied()
        }
    }

    /// The next line after `line` containing `needle` (case-sensitive), wrapping around.
    pub fn find_next(&self, needle: &str, line: usize) -> Option<usize> {
        if needle.is_empty() || self.starts.is_empty() {
            return None;
        }
        let finder = memmem::Finder::new(needle.as_bytes());
        let from = self
            .starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.bytes.len());
        let hit = finder
            .find(&self.bytes[from..])
            .map(|p| p + from)
            .or_else(|| finder.find(&self.bytes[..from]))?;
        Some(self.starts.partition_point(|&s| s <= hit) - 1)
    }

    /// The previous line before `line` containing `needle`, wrapping around.
    pub fn find_prev(&self, needle: &str, line: usize) -> Option<usize> {
        if needle.is_empty() || self.starts.is_empty() {
            return None;
        }
        let finder = memmem::FinderRev::new(needle.as_bytes());
        let upto = self.starts.get(line).copied().unwrap_or(self.bytes.len());
        let hit = finder
            .rfind(&self.bytes[..upto])
            .or_else(|| finder.rfind(&self.bytes[upto..]).map(|p| p + upto))?;
        Some(self.starts.partition_point(|&s| s <= hit) - 1)
    }
}

fn raw_line<'a>(bytes: &'a [u8], starts: &[usize], i: usize) -> &'a [u8] {
    let start = starts[i];
    let end = starts.get(i + 1).map(|e| e - 1).unwrap_or(bytes.len());
    let line = &bytes[start..end.max(start)];
    // The last line keeps its newline (no next start to stop before).
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// GitHub prefixes every log line with `2026-11-22T10:00:01.1234567Z `.
fn strip_timestamp(line: &[u8]) -> &[u8] {
    let looks_like_ts = line.len() > 20
        && line[..4].iter().all(u8::is_ascii_digit)
        && line[4] == b'-'
        && line[10] == b'T';
    if !looks_like_ts {
        return line;
    }
    match memchr::memchr(b' ', &line[..line.len().min(40)]) {
        Some(sp) if line[sp - 1] == b'Z' => &line[sp + 1..],
        _ => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log() -> LogText {
        LogText::new(
            b"2026-11-22T10:00:01.1234567Z ##[group]Run cargo test\r\n\
              2026-11-22T10:00:02.0000000Z running 3 tests\n\
              test a ... ok\n\
              test b ... FAILED\n\
              2026-11-22T10:00:03.0000000Z ##[error]Process completed with exit code 101.\n"
                .to_vec(),
        )
    }

    #[test]
    fn lines_are_indexed_and_timestamps_stripped() {
        let l = log();
        assert_eq!(l.line_count(), 5);
        assert_eq!(l.line(0), "##[group]Run cargo test");
        assert_eq!(l.line(2), "test a ... ok");
        assert_eq!(l.line(4), "##[error]Process completed with exit code 101.");
        assert_eq!(l.line(99), "");
    }

    #[test]
    fn error_lines_found_and_wrapped() {
        let l = log();
        assert_eq!(l.error_count(), 2);
        assert_eq!(l.first_error(), Some(3));
        assert_eq!(l.next_error(3), Some(4));
        assert_eq!(l.next_error(4), Some(3));
        assert_eq!(l.prev_error(3), Some(4));
    }

    #[test]
    fn search_moves_forward_and_wraps() {
        let l = log();
        assert_eq!(l.find_next("test", 0), Some(1));
        assert_eq!(l.find_next("test", 3), Some(0));
        assert_eq!(l.find_prev("test", 3), Some(2));
        assert_eq!(l.find_next("nope", 0), None);
    }

    #[test]
    fn empty_log() {
        let l = LogText::new(Vec::new());
        assert_eq!(l.line_count(), 0);
        assert_eq!(l.next_error(0), None);
        assert_eq!(l.find_next("x", 0), None);
    }
}
