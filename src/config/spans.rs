//! Where things are in the config text: a spanned parse of the document (`toml::de::DeTable`)
//! used to give validation errors a line and column, and to name the key an error is about.

use std::fmt;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One step of a path into the document: a table key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// A path into the document, shown as `environment[0].check[1].url`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn root() -> Self {
        KeyPath(Vec::new())
    }

    /// This path extended by one step.
    pub fn at(&self, seg: impl Into<Seg>) -> Self {
        let mut segs = self.0.clone();
        segs.push(seg.into());
        KeyPath(segs)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                Seg::Key(key) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    if is_bare_key(key) {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
            first = false;
        }
        Ok(())
    }
}

fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The spanned document.
pub struct SpanIndex<'a> {
    root: DeTable<'a>,
}

impl<'a> SpanIndex<'a> {
    pub fn parse(text: &'a str) -> Result<Self, toml::de::Error> {
        let root = DeTable::parse(text)?.into_inner();
        Ok(Self { root })
    }

    /// The span of the value at `path`, or of the deepest part of it that exists (a missing
    /// key points at its table, e.g. the `[environment.rollback]` header). `0..0` if nothing
    /// of it exists.
    pub fn span(&self, path: &KeyPath) -> Range<usize> {
        let mut best = 0..0;
        let mut current: Option<&DeValue<'a>> = None;
        for (i, seg) in path.0.iter().enumerate() {
            let next = match (seg, current) {
                (Seg::Key(key), None) if i == 0 => lookup(&self.root, key),
                (Seg::Key(key), Some(DeValue::Table(table))) => lookup(table, key),
                (Seg::Index(n), Some(DeValue::Array(array))) => array.get(*n),
                _ => None,
            };
            match next {
                Some(value) => {
                    best = value.span();
                    current = Some(value.get_ref());
                }
                None => break,
            }
        }
        best
    }

    /// The span of the key (not the value) at `path`, if it exists.
    pub fn key_span(&self, path: &KeyPath) -> Option<Range<usize>> {
        let (last, parent) = path.0.split_last()?;
        let Seg::Key(key) = last else {
            return None;
        };
        let table = if parent.is_empty() {
            &self.root
        } else {
            let mut current: &DeValue<'a> = lookup(&self.root, first_key(parent)?)?.get_ref();
            for seg in &parent[1..] {
                current = match (seg, current) {
                    (Seg::Key(k), DeValue::Table(t)) => lookup(t, k)?.get_ref(),
                    (Seg::Index(n), DeValue::Array(a)) => a.get(*n)?.get_ref(),
                    _ => return None,
                };
            }
            match current {
                DeValue::Table(t) => t,
                _ => return None,
            }
        };
        table
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(k, _)| k.span())
    }

    /// The deepest key path whose key or value span starts at or contains `offset`.
    pub fn path_at(&self, offset: usize) -> Option<KeyPath> {
        let mut path = Vec::new();
        if find_in_table(&self.root, offset, &mut path) {
            Some(KeyPath(path))
        } else {
            None
        }
    }
}

fn first_key(segs: &[Seg]) -> Option<&str> {
    match segs.first()? {
        Seg::Key(k) => Some(k),
        Seg::Index(_) => None,
    }
}

fn lookup<'t, 'a>(
    table: &'t DeTable<'a>,
    key: &str,
) -> Option<&'t serde_spanned::Spanned<DeValue<'a>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v)
}

fn hits(span: &Range<usize>, offset: usize) -> bool {
    span.contains(&offset) || (span.start == offset)
}

fn find_in_table(table: &DeTable<'_>, offset: usize, path: &mut Vec<Seg>) -> bool {
    for (key, value) in table.iter() {
        path.push(Seg::Key(key.get_ref().to_string()));
        if find_in_value(value.get_ref(), offset, path)
            || hits(&key.span(), offset)
            || hits(&value.span(), offset)
        {
            return true;
        }
        path.pop();
    }
    false
}

fn find_in_value(value: &DeValue<'_>, offset: usize, path: &mut Vec<Seg>) -> bool {
    match value {
        DeValue::Table(table) => find_in_table(table, offset, path),
        DeValue::Array(array) => {
            for (i, item) in array.iter().enumerate() {
                path.push(Seg::Index(i));
                if find_in_value(item.get_ref(), offset, path) || hits(&item.span(), offset) {
                    return true;
                }
                path.pop();
            }
            false
        }
        _ => false,
    }
}

/// 1-based line and column of the value at `keys` (e.g. `["ui", "theme"]`) in config
/// `text`, if it is there: for errors found after loading, such as a theme that does not exist.
pub fn value_location(text: &str, keys: &[&str]) -> Option<(usize, usize)> {
    let index = SpanIndex::parse(text).ok()?;
    let path = keys.iter().fold(KeyPath::root(), |p, k| p.at(*k));
    let span = index.span(&path);
    (index.key_span(&path).is_some()).then(|| line_col(text, span.start))
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "[[repo]]\nname = \"a/b\"\n\n[[environment]]\nname = \"prod\"\n[environment.rollback]\nport = 22\n";

    #[test]
    fn spans_resolve_to_values_or_their_tables() {
        let index = SpanIndex::parse(DOC).unwrap();
        let name = KeyPath::root().at("repo").at(0).at("name");
        assert_eq!(line_col(DOC, index.span(&name).start), (2, 8));
        let ssh = KeyPath::root()
            .at("environment")
            .at(0)
            .at("rollback")
            .at("ssh");
        assert_eq!(line_col(DOC, index.span(&ssh).start), (6, 1));
        assert_eq!(index.span(&KeyPath::root().at("nothing")), 0..0);
        let port = KeyPath::root()
            .at("environment")
            .at(0)
            .at("rollback")
            .at("port");
        assert_eq!(line_col(DOC, index.key_span(&port).unwrap().start), (7, 1));
    }

    #[test]
    fn path_at_finds_keys() {
        let index = SpanIndex::parse(DOC).unwrap();
        let offset = DOC.find("port").unwrap();
        assert_eq!(
            index.path_at(offset).unwrap().to_string(),
            "environment[0].rollback.port"
        );
    }

    #[test]
    fn value_location_finds_values_only() {
        let doc = "[github]\npoll = \"10s\"\n\n[ui]\ntheme = \"mine\"\n";
        assert_eq!(value_location(doc, &["ui", "theme"]), Some((5, 9)));
        assert_eq!(value_location(doc, &["ui", "colour"]), None);
        assert_eq!(value_location("", &["ui", "theme"]), None);
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("a\nbé c", 5), (2, 3));
        assert_eq!(line_col("", 3), (1, 1));
    }
}
