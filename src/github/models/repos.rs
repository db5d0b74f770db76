//! Repository data: releases, file contents, commits and comparisons.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SimpleUser;
use super::common::user_or_empty;

/// A release (`GET .../releases`, `GET .../releases/latest`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    pub name: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub html_url: String,
    pub author: Option<SimpleUser>,
    pub body: Option<String>,
}

/// A file from `GET .../contents/{path}` (the `type: "file"` variant; a
/// directory answers with a list instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentFile {
    /// `"file"` for this variant.
    #[serde(rename = "type")]
    pub kind: String,
    /// Normally `"base64"`.
    pub encoding: Option<String>,
    /// The file body, base64 with embedded newlines.
    pub content: Option<String>,
    pub name: String,
    pub path: String,
    pub sha: String,
}

/// Why a [`ContentFile`]'s body could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ContentDecodeError {
    /// Files of 1-100 MB come with `encoding: "none"` and an empty `content`: the contents
    /// API does not carry them (the raw media type or the blobs API would).
    #[error(
        "{path}: no inline content (encoding {encoding:?}; the file is too large for the contents API)"
    )]
    NoContent { path: String, encoding: String },
    #[error("{path}: unsupported encoding {encoding:?}")]
    UnsupportedEncoding { path: String, encoding: String },
    #[error("{path}: invalid base64: {detail}")]
    InvalidBase64 { path: String, detail: String },
}

impl ContentFile {
    /// The file's bytes. GitHub wraps the base64 at 60 columns (`\n`), so whitespace is
    /// dropped before decoding.
    pub fn decoded(&self) -> Result<Vec<u8>, ContentDecodeError> {
        use base64::Engine as _;
        let encoding = self.encoding.as_deref().unwrap_or("base64");
        let content = self.content.as_deref().unwrap_or("");
        if encoding == "none" {
            return Err(ContentDecodeError::NoContent {
                path: self.path.clone(),
                encoding: encoding.to_string(),
            });
        }
        if encoding != "base64" {
            return Err(ContentDecodeError::UnsupportedEncoding {
                path: self.path.clone(),
                encoding: encoding.to_string(),
            });
        }
        let compact: Vec<u8> = content
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| ContentDecodeError::InvalidBase64 {
                path: self.path.clone(),
                detail: e.to_string(),
            })
    }
}

/// Git author/committer metadata of a commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitActor {
    pub name: Option<String>,
    pub email: Option<String>,
    pub date: Option<DateTime<Utc>>,
}

/// The git part of a commit (`commit` field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitDetail {
    pub message: String,
    pub author: Option<GitActor>,
}

/// A commit (`GET .../commits/{ref}`, entries of a comparison).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitSummary {
    pub sha: String,
    pub commit: CommitDetail,
    pub html_url: String,
    /// GitHub account of the author: `null`, or `{}` when the e-mail matches
    /// no account; both decode to `None`.
    #[serde(default, deserialize_with = "user_or_empty")]
    pub author: Option<SimpleUser>,
}

/// `GET .../compare/{base}...{head}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `diverged`, `ahead`, `behind` or `identical`.
    pub status: String,
    pub ahead_by: u64,
    pub behind_by: u64,
    pub total_commits: u64,
    #[serde(default)]
    pub commits: Vec<CommitSummary>,
    pub html_url: String,
}
