//! Which quoted literals of a GitHub expression can be its value. The dispatch reader counts
//! every literal (a dispatch that *might* reach production is treated as one that does); a
//! starter config must not list `refs/heads/main` as an environment because of
//! `${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}`.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(String),
    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: its operands are compared, not returned.
    Comparison,
    /// A name (`github.ref`, `startsWith`) or a number.
    Word,
    Open,
    Close,
    /// `&&`, `||`, `!`, `,` and anything else.
    Other,
}

/// The `'...'` literals of every `${{ }}` in `text` that the expression can evaluate to: not
/// an operand of a comparison, not an argument of a function call
/// (`startsWith(github.ref, 'refs/tags/')`, `format('{0}-eu', ...)`).
pub fn value_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let body = &rest[start + 3..];
        let end = body.find("}}").unwrap_or(body.len());
        for lit in literals_of(&tokens(&body[..end])) {
            if !out.contains(&lit) {
                out.push(lit);
            }
        }
        rest = body.get(end + 2..).unwrap_or("");
    }
    out
}

fn literals_of(tokens: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    // One entry per open parenthesis: whether it opened a function call.
    let mut parens: Vec<bool> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => {
                let call = i > 0 && tokens[i - 1] == Token::Word;
                parens.push(call);
            }
            Token::Close => {
                parens.pop();
            }
            Token::Literal(lit) => {
                let compared = (i > 0 && tokens[i - 1] == Token::Comparison)
                    || tokens.get(i + 1) == Some(&Token::Comparison);
                let in_call = parens.iter().any(|call| *call);
                if !compared && !in_call && !lit.trim().is_empty() {
                    out.push(lit.clone());
                }
            }
            _ => {}
        }
    }
    out
}

fn tokens(body: &str) -> Vec<Token> {
    let chars: Vec<char> = body.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            c if c.is_whitespace() => i += 1,
            '\'' => {
                let mut lit = String::new();
                i += 1;
                while i < chars.len() {
                    if chars[i] == '\'' {
                        // `''` is a quote inside the literal.
                        if chars.get(i + 1) == Some(&'\'') {
                            lit.push('\'');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    lit.push(chars[i]);
                    i += 1;
                }
                out.push(Token::Literal(lit));
            }
            '=' | '!' | '<' | '>' if next == Some('=') => {
                out.push(Token::Comparison);
                i += 2;
            }
            '<' | '>' => {
                out.push(Token::Comparison);
                i += 1;
            }
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '*') => {
                while i < chars.len()
                    && (chars[i].is_alphanumeric()
                        || matches!(chars[i], '_' | '-' | '.' | '[' | ']' | '*'))
                {
                    i += 1;
                }
                out.push(Token::Word);
            }
            _ => {
                out.push(Token::Other);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_values_of_a_ternary() {
        assert_eq!(
            value_literals("${{ inputs.prod && 'production' || 'staging' }}"),
            ["production", "staging"]
        );
        assert_eq!(value_literals("${{ 'it''s' }}"), ["it's"]);
    }

    #[test]
    fn compared_operands_are_not_values() {
        assert_eq!(
            value_literals("${{ github.ref == 'refs/heads/main' && 'production' || 'staging' }}"),
            ["production", "staging"]
        );
        assert_eq!(
            value_literals("${{ 'main' != github.ref_name && 'dev' || 'prod' }}"),
            ["dev", "prod"]
        );
        assert_eq!(
            value_literals("${{ github.run_number > '5' && 'canary' || 'stable' }}"),
            ["canary", "stable"]
        );
    }

    #[test]
    fn function_arguments_are_not_values() {
        assert_eq!(
            value_literals(
                "${{ startsWith(github.ref, 'refs/tags/') && 'production' || 'staging' }}"
            ),
            ["production", "staging"]
        );
        assert!(value_literals("${{ format('{0}-eu', inputs.stage) }}").is_empty());
        assert_eq!(
            value_literals(
                "${{ contains(fromJSON('[\"a\",\"b\"]'), inputs.env) && inputs.env || 'dev' }}"
            ),
            ["dev"]
        );
        // Grouping parentheses are not a call.
        assert_eq!(
            value_literals("${{ (inputs.prod && 'production') || 'staging' }}"),
            ["production", "staging"]
        );
    }

    #[test]
    fn plain_text_and_several_expressions() {
        assert!(value_literals("production").is_empty());
        assert_eq!(
            value_literals("${{ 'a' }}-${{ inputs.x || 'b' }}"),
            ["a", "b"]
        );
    }
}
