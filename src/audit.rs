//! The audit log: who did what to which run or environment, and how it ended.
//!
//! One JSON object per line in `<state_dir>/audit.jsonl` (or `[audit] path`). A mutating
//! request gets two lines: one with `"outcome": "intent"` appended and fsynced *before* the
//! request is sent, and one with its outcome (`ok` / `failed`) afterwards. An action cockpit
//! refuses without sending anything (`--read-only`) gets a single `refused` line.
//!
//! ```json
//! {"ts":"2026-11-22T10:00:00Z","actor":"alice","action":"approve","repo":"acme/shop",
//!  "environment":"production","run_id":9004,"target":null,"comment":"lgtm","outcome":"intent",
//!  "detail":null,"prev":"0000…0000","hash":"5f1c…"}
//! ```
//! (shown wrapped; on disk each entry is exactly one line).
//!
//! # The hash chain
//!
//! `hash = hex(SHA-256(prev + "\n" + canonical))` where `prev` is the previous line's `hash`
//! (64 lowercase hex digits; [`GENESIS_PREV`], 64 zeros, on the first line) and `canonical`
//! is the compact JSON of the record without `prev` and `hash`: the ten fields in the fixed
//! order `ts, actor, action, repo, environment, run_id, target, comment, outcome, detail`,
//! absent values written as `null`, `ts` as RFC 3339 in UTC (`…Z`), exactly as
//! `serde_json::to_string(&AuditRecord)` writes it. Verification re-serialises the parsed
//! record, so a line's key order or whitespace does not matter, its values do.
//!
//! An edited line no longer matches its hash; an edited *and re-hashed* line no longer
//! matches the next line's `prev`, and so does a removed or reordered line. Lines removed
//! from the start are caught because the first `prev` must be 64 zeros.
//!
//! **What a chain cannot show**: removing the *last* line(s) — or the whole file — leaves a
//! shorter chain that is still perfectly valid. Only a copy kept elsewhere catches that: ship
//! the log off the machine as it is written (syslog/journald forwarder, a log shipper tailing
//! the file, or at least noting the last hash `cockpit audit verify` prints). We do not
//! pretend otherwise.
//!
//! # Damage
//!
//! A last line without its newline (a write cut short), or one that is not a valid entry,
//! makes [`AuditLog::open`] and [`AuditLog::append`] fail with [`AuditError::Damaged`] naming
//! the line, instead of chaining onto it. Mutations are only sent after their intent is
//! recorded, so cockpit refuses them until an operator looks: repairing automatically would
//! mean deleting evidence or hiding the damage behind a fresh link. The fix is to keep the
//! damaged file as evidence (`mv audit.jsonl audit.jsonl.damaged`); the next entry starts a
//! new chain in a new file.
//!
//! # Secrets
//!
//! Before a record is written every string in it is scrubbed ([`scrub`]): anything shaped
//! like a GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_` followed by
//! token characters) and every literal occurrence of a known secret
//! ([`AuditLog::with_secrets`]) becomes `[redacted]`. The shape rule errs towards redacting:
//! a workflow called `ghs_mirror.yml` is recorded as `[redacted].yml`.
//!
//! # Files and concurrency
//!
//! The file is created with mode 0600 (unix) in a directory created as needed; an existing
//! file keeps the permissions the operator gave it. Each append reopens the file by path and
//! reads the current tip, so a log moved aside (rotation) starts a new file, and a second
//! cockpit appending *at another moment* chains correctly. Appends are not locked: two
//! cockpits appending at the same instant can fork the chain, which `verify` then reports.
//! Give each instance its own `[audit] path` if they run side by side.
//!
//! Plain blocking std I/O throughout: call it from `tokio::task::spawn_blocking`.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::msg::MutationKind;

/// `prev` of the first line: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Where the audit log lives: `[audit] path` if set (a leading `~/` is the home directory;
/// a relative path is relative to the working directory), else `<state_dir>/audit.jsonl`.
/// `None` only when no path is configured and the platform has no home directory.
pub fn default_path(config: &Config) -> Option<PathBuf> {
    match &config.audit.path {
        Some(path) => Some(expand_home(path)),
        None => crate::config::default_audit_path(),
    }
}

fn expand_home(path: &Path) -> PathBuf {
    let home = || directories::BaseDirs::new().map(|d| d.home_dir().to_owned());
    match path.strip_prefix("~") {
        Ok(rest) => match home() {
            Some(home) => home.join(rest),
            None => path.to_owned(),
        },
        Err(_) => path.to_owned(),
    }
}

/// The mutating actions cockpit records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditAction {
    Approve,
    Reject,
    Dispatch,
    Rerun,
    Cancel,
    Rollback,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Approve => "approve",
            AuditAction::Reject => "reject",
            AuditAction::Dispatch => "dispatch",
            AuditAction::Rerun => "rerun",
            AuditAction::Cancel => "cancel",
            AuditAction::Rollback => "rollback",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<MutationKind> for AuditAction {
    fn from(kind: MutationKind) -> Self {
        match kind {
            MutationKind::RerunFailed | MutationKind::RerunAll => AuditAction::Rerun,
            MutationKind::Cancel => AuditAction::Cancel,
            MutationKind::Approve => AuditAction::Approve,
            MutationKind::Reject => AuditAction::Reject,
            MutationKind::Dispatch => AuditAction::Dispatch,
            MutationKind::Rollback => AuditAction::Rollback,
        }
    }
}

/// Where a recorded action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Written (and fsynced) just before the request is sent. An `intent` with no `ok` or
    /// `failed` after it means cockpit stopped before learning the answer: check GitHub or the
    /// target to see whether it happened.
    Intent,
    /// The request succeeded.
    Ok,
    /// The request was sent and failed (`detail` says how), or could not be sent.
    Failed,
    /// cockpit refused the action without sending anything (`--read-only`; `detail` says why).
    /// Recorded on its own, without an `intent` line.
    Refused,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Intent => "intent",
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recorded fact, without its chain fields. Field order is the canonical hashing order:
/// do not reorder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    pub ts: DateTime<Utc>,
    /// Who: the GitHub login when known, else the local user.
    pub actor: String,
    pub action: AuditAction,
    /// `owner/name`.
    pub repo: String,
    pub environment: Option<String>,
    pub run_id: Option<u64>,
    /// What the action points at: a version (rollback), a workflow (dispatch)...
    pub target: Option<String>,
    /// The operator's comment (approve / reject).
    pub comment: Option<String>,
    pub outcome: Outcome,
    /// Why it failed or was refused, or what came back.
    pub detail: Option<String>,
}

impl AuditRecord {
    /// An `intent` record with every optional field empty.
    pub fn new(
        ts: DateTime<Utc>,
        actor: impl Into<String>,
        action: AuditAction,
        repo: impl Into<String>,
    ) -> Self {
        Self {
            ts,
            actor: actor.into(),
            action,
            repo: repo.into(),
            environment: None,
            run_id: None,
            target: None,
            comment: None,
            outcome: Outcome::Intent,
            detail: None,
        }
    }

    /// The same action at `ts` with its outcome: the second line of a request.
    pub fn concluded(&self, ts: DateTime<Utc>, outcome: Outcome, detail: Option<String>) -> Self {
        Self {
            ts,
            outcome,
            detail,
            ..self.clone()
        }
    }

    fn scrubbed(mut self, secrets: &[String]) -> Self {
        let s = |text: &mut String| {
            if let Cow::Owned(clean) = scrub(text, secrets) {
                *text = clean;
            }
        };
        s(&mut self.actor);
        s(&mut self.repo);
        for field in [
            &mut self.environment,
            &mut self.target,
            &mut self.comment,
            &mut self.detail,
        ]
        .into_iter()
        .flatten()
        {
            s(field);
        }
        self
    }
}

/// A record as written: with the previous line's hash and its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Line", into = "Line")]
pub struct AuditEntry {
    pub record: AuditRecord,
    pub prev: String,
    pub hash: String,
}

impl AuditEntry {
    /// Chains `record` onto `prev` (see the module docs for the hashing). Does not scrub:
    /// [`AuditLog::append`] does that first.
    pub fn seal(record: AuditRecord, prev: String) -> Result<AuditEntry, serde_json::Error> {
        let hash = entry_hash(&prev, &record)?;
        Ok(AuditEntry { record, prev, hash })
    }

    /// Whether `hash` matches `prev` and the record.
    fn hash_matches(&self) -> bool {
        entry_hash(&self.prev, &self.record).is_ok_and(|h| h == self.hash)
    }
}

/// `hex(SHA-256(prev + "\n" + canonical JSON of record))`.
pub fn entry_hash(prev: &str, record: &AuditRecord) -> Result<String, serde_json::Error> {
    let canonical = serde_json::to_string(record)?;
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    Ok(hex::encode(hasher.finalize()))
}

/// The on-disk shape: every field at the top level, in the contract's order. Unknown keys
/// make a line invalid, so nothing can be slipped in beside the hashed fields.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    ts: DateTime<Utc>,
    actor: String,
    action: AuditAction,
    repo: String,
    environment: Option<String>,
    run_id: Option<u64>,
    target: Option<String>,
    comment: Option<String>,
    outcome: Outcome,
    detail: Option<String>,
    prev: String,
    hash: String,
}

impl From<Line> for AuditEntry {
    fn from(l: Line) -> Self {
        AuditEntry {
            record: AuditRecord {
                ts: l.ts,
                actor: l.actor,
                action: l.action,
                repo: l.repo,
                environment: l.environment,
                run_id: l.run_id,
                target: l.target,
                comment: l.comment,
                outcome: l.outcome,
                detail: l.detail,
            },
            prev: l.prev,
            hash: l.hash,
        }
    }
}

impl From<AuditEntry> for Line {
    fn from(e: AuditEntry) -> Self {
        let r = e.record;
        Line {
            ts: r.ts,
            actor: r.actor,
            action: r.action,
            repo: r.repo,
            environment: r.environment,
            run_id: r.run_id,
            target: r.target,
            comment: r.comment,
            outcome: r.outcome,
            detail: r.detail,
            prev: e.prev,
            hash: e.hash,
        }
    }
}

/// Redacts GitHub-token-shaped strings and literal occurrences of `secrets` (empty ones are
/// ignored). Borrowed when there was nothing to redact.
pub fn scrub<'a>(text: &'a str, secrets: &[String]) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    // Longest first, so a secret containing a shorter one is redacted whole.
    let mut known: Vec<&str> = secrets
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in known {
        if out.contains(secret) {
            out = Cow::Owned(out.replace(secret, REDACTED));
        }
    }
    match redact_token_shapes(&out) {
        Some(clean) => Cow::Owned(clean),
        None => out,
    }
}

const TOKEN_PREFIXES: [&str; 6] = ["github_pat_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"];

/// `None` when nothing looked like a token. No word boundary is required before the prefix:
/// a token pasted right after `token=` or inside a URL must go too.
fn redact_token_shapes(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let found = TOKEN_PREFIXES.iter().find_map(|p| {
            rest.starts_with(p.as_bytes()).then(|| {
                let body = rest[p.len()..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                (p.len(), body)
            })
        });
        match found {
            // A bare prefix ("rotate the ghp_ tokens") is not a token.
            Some((prefix, body)) if body > 0 => {
                // The prefix and token characters are ASCII, so `i` and the end of the token
                // are char boundaries.
                out.push_str(&text[copied..i]);
                out.push_str(REDACTED);
                i += prefix + body;
                copied = i;
            }
            _ => i += 1,
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Why a line breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// Not parseable JSON (or an empty line).
    NotJson(String),
    /// JSON, but missing a field, with an unknown field or a wrong value.
    NotAnEntry(String),
    /// The last line has no newline: a write was cut short or the file was truncated.
    Incomplete,
    /// The record does not match its own hash.
    HashMismatch,
    /// `prev` is not the hash of line `previous`.
    PrevMismatch { previous: usize },
    /// The first line's `prev` is not [`GENESIS_PREV`].
    NotGenesis,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakReason::NotJson(e) => write!(f, "not JSON ({e})"),
            BreakReason::NotAnEntry(e) => write!(f, "not an audit entry ({e})"),
            BreakReason::Incomplete => f.write_str(
                "incomplete line (no newline at the end): a write was cut short or the file \
                 was truncated",
            ),
            BreakReason::HashMismatch => f.write_str("hash mismatch: line edited"),
            BreakReason::PrevMismatch { previous } => write!(
                f,
                "prev does not match line {previous}: a line was removed or reordered (or line \
                 {previous} was edited and re-hashed)"
            ),
            BreakReason::NotGenesis => {
                f.write_str("prev of the first line is not 64 zeros: lines before it were removed")
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {}: {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        /// What we were doing, e.g. "cannot write".
        action: &'static str,
        #[source]
        source: io::Error,
    },

    /// `verify` on a file that does not exist.
    #[error("no audit log at {} (nothing has been recorded yet)", path.display())]
    NotFound { path: PathBuf },

    /// The end of the log is damaged, so nothing can be chained onto it.
    #[error(
        "audit log {}: line {line}: {reason}; nothing more can be recorded until it is looked \
         at: run `cockpit audit verify`, then move the file aside (keep it as evidence) to \
         start a new log",
        path.display()
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        reason: BreakReason,
    },

    #[error("audit log {}: cannot encode the entry: {source}", path.display())]
    Encode {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> AuditError + 'a {
    move |source| AuditError::Io {
        path: path.to_owned(),
        action,
        source,
    }
}

/// The audit log at one path. Holds no open file: each append opens, writes, fsyncs and
/// closes, so it is `Send` and cheap to keep in the app.
#[derive(Clone)]
pub struct AuditLog {
    path: PathBuf,
    secrets: Vec<String>,
}

impl fmt::Debug for AuditLog {
    // Never print the secrets themselves.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditLog")
            .field("path", &self.path)
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl AuditLog {
    /// Creates the directory and the file (0600 on unix) if needed and checks that the last
    /// line can be chained onto (see "Damage" in the module docs).
    pub fn open(path: &Path) -> Result<AuditLog, AuditError> {
        let file = open_for_append(path)?;
        tip(&file, path)?;
        Ok(AuditLog {
            path: path.to_owned(),
            secrets: Vec::new(),
        })
    }

    /// Literal strings to redact from every record (e.g. the GitHub token in use, webhook
    /// URLs). Surrounding whitespace is trimmed; empty strings are ignored.
    pub fn with_secrets(mut self, secrets: &[String]) -> Self {
        self.secrets = secrets
            .iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Scrubs `record`, chains it onto the current last line, writes it as one line and
    /// fsyncs before returning. On error nothing may be assumed recorded: do not send the
    /// request.
    pub fn append(&mut self, record: AuditRecord) -> Result<AuditEntry, AuditError> {
        let path = self.path.as_path();
        let mut file = open_for_append(path)?;
        let prev = tip(&file, path)?;
        let entry = AuditEntry::seal(record.scrubbed(&self.secrets), prev).map_err(|source| {
            AuditError::Encode {
                path: path.to_owned(),
                source,
            }
        })?;
        let mut line = serde_json::to_vec(&entry).map_err(|source| AuditError::Encode {
            path: path.to_owned(),
            source,
        })?;
        line.push(b'\n');
        // One write of the whole line: with O_APPEND it lands at the end as a unit.
        file.write_all(&line)
            .map_err(io_err(path, "cannot write"))?;
        file.sync_data().map_err(io_err(path, "cannot sync"))?;
        Ok(entry)
    }
}

/// Opens (creating with mode 0600, and its directory, if needed) for reading and appending.
fn open_for_append(path: &Path) -> Result<File, AuditError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(io_err(path, "cannot create its directory"))?;
    }
    let mut options = OpenOptions::new();
    options.read(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.clone().create_new(true).open(path) {
        Ok(file) => {
            sync_parent(path);
            Ok(file)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            options.open(path).map_err(io_err(path, "cannot open"))
        }
        Err(e) => Err(io_err(path, "cannot create")(e)),
    }
}

/// Makes a new file's directory entry durable too. Best effort: the entry's own fsync is
/// what matters, and some filesystems refuse to sync a directory.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The hash to chain onto: the last line's, or [`GENESIS_PREV`] for an empty file. The last
/// line must be complete, parse and match its own hash.
fn tip(file: &File, path: &Path) -> Result<String, AuditError> {
    let lines = tail_lines(file, path, 1)?;
    let Some(last) = lines.first() else {
        return Ok(GENESIS_PREV.to_owned());
    };
    let reason = match parse_line(last) {
        Ok(entry) if entry.hash_matches() => return Ok(entry.hash),
        Ok(_) => BreakReason::HashMismatch,
        Err(reason) => reason,
    };
    Err(AuditError::Damaged {
        path: path.to_owned(),
        line: count_lines(file, path)?,
        reason,
    })
}

fn parse_line(bytes: &[u8]) -> Result<AuditEntry, BreakReason> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(BreakReason::NotJson("empty line".into()));
    }
    serde_json::from_slice::<AuditEntry>(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => BreakReason::NotAnEntry(e.to_string()),
        _ => BreakReason::NotJson(e.to_string()),
    })
}

/// The last `n` lines (without their newline), newest first, reading backwards from the end
/// in growing chunks so the cost follows `n`, not the file size. A last line without its
/// newline is [`BreakReason::Incomplete`].
fn tail_lines(file: &File, path: &Path, n: usize) -> Result<Vec<Vec<u8>>, AuditError> {
    let len = file.metadata().map_err(io_err(path, "cannot read"))?.len();
    if len == 0 || n == 0 {
        return Ok(Vec::new());
    }
    let mut buf: Vec<u8> = Vec::new();
    let mut start = len;
    let mut chunk: u64 = 16 * 1024;
    loop {
        let from = start.saturating_sub(chunk);
        let mut piece = read_range(file, path, from, start)?;
        if start == len && piece.last() != Some(&b'\n') {
            return Err(AuditError::Damaged {
                path: path.to_owned(),
                line: count_lines(file, path)?,
                reason: BreakReason::Incomplete,
            });
        }
        piece.extend_from_slice(&buf);
        buf = piece;
        start = from;
        // n lines need n terminators plus the one ending the line before them.
        if start == 0 || memchr::memchr_iter(b'\n', &buf).count() > n {
            break;
        }
        chunk = (chunk * 2).min(8 * 1024 * 1024);
    }
    let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
    Ok(body
        .rsplit(|b| *b == b'\n')
        .take(n)
        .map(<[u8]>::to_vec)
        .collect())
}

fn read_range(file: &File, path: &Path, from: u64, to: u64) -> Result<Vec<u8>, AuditError> {
    let mut f = file;
    f.seek(SeekFrom::Start(from))
        .map_err(io_err(path, "cannot read"))?;
    let mut out = Vec::new();
    f.take(to - from)
        .read_to_end(&mut out)
        .map_err(io_err(path, "cannot read"))?;
    Ok(out)
}

/// Lines in the file, counting an unterminated last one. Only for error messages.
fn count_lines(file: &File, path: &Path) -> Result<usize, AuditError> {
    let mut f = file;
    f.seek(SeekFrom::Start(0))
        .map_err(io_err(path, "cannot read"))?;
    let mut reader = BufReader::with_capacity(64 * 1024, f);
    let (mut count, mut last) = (0, b'\n');
    loop {
        let chunk = reader.fill_buf().map_err(io_err(path, "cannot read"))?;
        let Some(&end) = chunk.last() else { break };
        count += memchr::memchr_iter(b'\n', chunk).count();
        last = end;
        let used = chunk.len();
        reader.consume(used);
    }
    Ok(count + usize::from(last != b'\n'))
}

/// The result of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyReport {
    /// Every line chains. `last_hash` (`None` for an empty file) is worth keeping elsewhere:
    /// it is what shows later that lines were removed from the end.
    Intact {
        entries: usize,
        last_hash: Option<String>,
    },
    /// `line` (1-based) is the first that breaks the chain; the lines before it verify.
    Broken { line: usize, reason: BreakReason },
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        matches!(self, VerifyReport::Intact { .. })
    }
}

/// Walks the whole chain from the first line and stops at the first break. Streams the
/// file, so memory does not grow with it. A missing file is [`AuditError::NotFound`].
pub fn verify(path: &Path) -> Result<VerifyReport, AuditError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(AuditError::NotFound {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(io_err(path, "cannot open")(e)),
    };
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut expected_prev = GENESIS_PREV.to_owned();
    let mut buf = Vec::new();
    let mut line = 0;
    loop {
        buf.clear();
        let read = reader
            .read_until(b'\n', &mut buf)
            .map_err(io_err(path, "cannot read"))?;
        if read == 0 {
            return Ok(VerifyReport::Intact {
                entries: line,
                last_hash: (line > 0).then_some(expected_prev),
            });
        }
        line += 1;
        let broken = |reason| Ok(VerifyReport::Broken { line, reason });
        let Some(content) = buf.strip_suffix(b"\n") else {
            return broken(BreakReason::Incomplete);
        };
        let entry = match parse_line(content) {
            Ok(entry) => entry,
            Err(reason) => return broken(reason),
        };
        if entry.prev != expected_prev {
            return broken(if line == 1 {
                BreakReason::NotGenesis
            } else {
                BreakReason::PrevMismatch { previous: line - 1 }
            });
        }
        if !entry.hash_matches() {
            return broken(BreakReason::HashMismatch);
        }
        expected_prev = entry.hash;
    }
}

/// The last `n` entries, newest first, for the Activity view. Reads only the end of the file.
/// Does not check the chain (that is [`verify`]); a damaged line among the last `n` is an
/// error naming it. A missing file is an empty list: nothing has been recorded yet.
pub fn read_recent(path: &Path, n: usize) -> Result<Vec<AuditEntry>, AuditError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(path, "cannot open")(e)),
    };
    let lines = tail_lines(&file, path, n)?;
    let mut entries = Vec::with_capacity(lines.len());
    for (from_end, bytes) in lines.iter().enumerate() {
        match parse_line(bytes) {
            Ok(entry) => entries.push(entry),
            Err(reason) => {
                return Err(AuditError::Damaged {
                    path: path.to_owned(),
                    line: count_lines(&file, path)? - from_end,
                    reason,
                });
            }
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn token_shapes_are_redacted() {
        let none: Vec<String> = Vec::new();
        assert_eq!(
            scrub("token ghp_abcDEF0123456789abcdef0123456789abcd here", &none),
            "token [redacted] here"
        );
        assert_eq!(
            scrub("x=github_pat_11ABCDEFG0123_abcdefXYZ;y", &none),
            "x=[redacted];y"
        );
        for prefix in ["gho_", "ghu_", "ghs_", "ghr_"] {
            let text = format!("a {prefix}Zz09_ b");
            assert_eq!(scrub(&text, &none), "a [redacted] b", "{prefix}");
        }
        assert_eq!(
            scrub("Authorization: Bearer ghs_x1ghp_y2", &none),
            "Authorization: Bearer [redacted]"
        );
    }

    #[test]
    fn ordinary_text_is_untouched_and_borrowed() {
        let none: Vec<String> = Vec::new();
        for text in [
            "lgtm",
            "rotate the ghp_ tokens",
            "github_pat_",
            "gh_p_x",
            "ünïcode ✓",
        ] {
            assert!(
                matches!(scrub(text, &none), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn known_secrets_are_redacted_longest_first() {
        let s = secrets(&["hunter2", "hunter2-extra", ""]);
        assert_eq!(
            scrub("pw hunter2-extra and hunter2.", &s),
            "pw [redacted] and [redacted]."
        );
    }

    #[test]
    fn records_are_scrubbed_in_every_string_field() {
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345".to_string();
        let mut r = AuditRecord::new(Utc::now(), "alice s3cret", AuditAction::Dispatch, "a/b");
        r.environment = Some("env s3cret".into());
        r.target = Some(format!("deploy {token}"));
        r.comment = Some(format!("see {token}"));
        r.detail = Some("s3cret".into());
        let r = r.scrubbed(&secrets(&["s3cret"]));
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("s3cret") && !json.contains(&token), "{json}");
        assert_eq!(r.actor, "alice [redacted]");
        assert_eq!(r.detail.as_deref(), Some("[redacted]"));
    }

    #[test]
    fn canonical_form_is_the_documented_one() {
        let ts = "2026-11-22T10:00:00Z".parse().unwrap();
        let r = AuditRecord::new(ts, "alice", AuditAction::Approve, "acme/shop");
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"ts":"2026-11-22T10:00:00Z","actor":"alice","action":"approve","repo":"acme/shop","environment":null,"run_id":null,"target":null,"comment":null,"outcome":"intent","detail":null}"#
        );
        let mut h = Sha256::new();
        h.update(format!("{GENESIS_PREV}\n{json}").as_bytes());
        assert_eq!(
            entry_hash(GENESIS_PREV, &r).unwrap(),
            hex::encode(h.finalize())
        );
    }

    #[test]
    fn entry_round_trips_through_its_line() {
        let r = AuditRecord::new(Utc::now(), "a", AuditAction::Rollback, "r/s");
        let entry = AuditEntry::seal(r, GENESIS_PREV.into()).unwrap();
        let line = serde_json::to_string(&entry).unwrap();
        assert!(line.starts_with(r#"{"ts":"#), "{line}");
        assert!(line.ends_with(&format!(
            r#""prev":"{GENESIS_PREV}","hash":"{}"}}"#,
            entry.hash
        )));
        let back: AuditEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, entry);
        assert!(back.hash_matches());
    }

    #[test]
    fn home_is_expanded() {
        if let Some(home) = directories::BaseDirs::new().map(|d| d.home_dir().to_owned()) {
            assert_eq!(
                expand_home(Path::new("~/a/b.jsonl")),
                home.join("a/b.jsonl")
            );
        }
        assert_eq!(expand_home(Path::new("/x/~/y")), PathBuf::from("/x/~/y"));
        assert_eq!(expand_home(Path::new("~x/y")), PathBuf::from("~x/y"));
    }

    #[test]
    fn audit_log_is_send_and_hides_secrets() {
        fn send<T: Send + Sync + 'static>() {}
        send::<AuditLog>();
        send::<AuditError>();
        let log = AuditLog {
            path: "x".into(),
            secrets: Vec::new(),
        }
        .with_secrets(&secrets(&["topsecret\n"]));
        assert_eq!(log.secrets, ["topsecret"]);
        assert!(!format!("{log:?}").contains("topsecret"));
    }
}
