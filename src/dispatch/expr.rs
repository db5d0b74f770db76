//! Reading `${{ ... }}` in an `environment:` value just far enough to know where a job
//! deploys: which inputs, which matrix keys and which string literals it mentions. cockpit
//! does not evaluate expressions; see `workflow::environments` for how these are used.

/// What an `environment:` value mentions.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Mentions {
    /// `inputs.NAME`, `github.event.inputs.NAME`, `inputs['NAME']`.
    pub inputs: Vec<String>,
    /// `matrix.NAME`.
    pub matrix: Vec<String>,
    /// `'quoted'` literals inside the expression.
    pub literals: Vec<String>,
}

/// `None` when `text` holds no expression (it is then a plain environment name).
pub(crate) fn mentions(text: &str) -> Option<Mentions> {
    let mut rest = text;
    let mut found = None::<Mentions>;
    while let Some(start) = rest.find("${{") {
        let body_and_after = &rest[start + 3..];
        let end = body_and_after.find("}}").unwrap_or(body_and_after.len());
        scan(
            &body_and_after[..end],
            found.get_or_insert_with(Mentions::default),
        );
        rest = body_and_after.get(end + 2..).unwrap_or("");
    }
    found
}

fn scan(body: &str, out: &mut Mentions) {
    let chars: Vec<char> = body.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let (lit, next) = literal(&chars, i);
            push(&mut out.literals, lit);
            i = next;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && is_path_char(chars[i]) {
                i += 1;
            }
            let path: String = chars[start..i].iter().collect();
            let lower = path.to_ascii_lowercase();
            // Context names are case-insensitive in GitHub expressions; input names keep the
            // case written in the file.
            if let Some(name) = strip(&path, &lower, "github.event.inputs.")
                .or_else(|| strip(&path, &lower, "inputs."))
            {
                push(&mut out.inputs, first_segment(name));
            } else if let Some(name) = strip(&path, &lower, "matrix.") {
                push(&mut out.matrix, first_segment(name));
            } else if (lower == "inputs" || lower == "github.event.inputs")
                && chars.get(i) == Some(&'[')
                && chars.get(i + 1) == Some(&'\'')
            {
                let (name, next) = literal(&chars, i + 1);
                push(&mut out.inputs, name);
                i = next;
            }
        } else {
            i += 1;
        }
    }
}

fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

fn strip<'a>(path: &'a str, lower: &str, prefix: &str) -> Option<&'a str> {
    lower
        .starts_with(prefix)
        .then(|| &path[prefix.len()..])
        .filter(|n| !n.is_empty())
}

fn first_segment(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_string()
}

/// A `'...'` literal starting at `open` (`''` is an escaped quote); returns it and the index
/// after the closing quote.
fn literal(chars: &[char], open: usize) -> (String, usize) {
    let mut s = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                s.push('\'');
                i += 2;
                continue;
            }
            return (s, i + 1);
        }
        s.push(chars[i]);
        i += 1;
    }
    (s, i)
}

fn push(list: &mut Vec<String>, s: String) {
    if !s.is_empty() && !list.contains(&s) {
        list.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_name_has_no_mentions() {
        assert_eq!(mentions("production"), None);
    }

    #[test]
    fn input_references_in_every_spelling() {
        let m = mentions("${{ inputs.target }}").unwrap();
        assert_eq!(m.inputs, ["target"]);
        let m = mentions("${{github.event.inputs.deploy-env}}").unwrap();
        assert_eq!(m.inputs, ["deploy-env"]);
        let m = mentions("${{ inputs['env'] }}").unwrap();
        assert_eq!(m.inputs, ["env"]);
        assert!(m.literals.is_empty());
    }

    #[test]
    fn composite_expression_lists_inputs_and_literals() {
        let m = mentions("${{ inputs.prod && 'production' || 'it''s staging' }}").unwrap();
        assert_eq!(m.inputs, ["prod"]);
        assert_eq!(m.literals, ["production", "it's staging"]);
    }

    #[test]
    fn matrix_and_unknown_contexts() {
        let m = mentions("${{ matrix.env }}").unwrap();
        assert_eq!(m.matrix, ["env"]);
        let m = mentions("${{ vars.DEPLOY_ENV }}").unwrap();
        assert_eq!(m, Mentions::default());
    }

    #[test]
    fn unterminated_expression_is_still_read() {
        let m = mentions("${{ inputs.env").unwrap();
        assert_eq!(m.inputs, ["env"]);
    }
}
