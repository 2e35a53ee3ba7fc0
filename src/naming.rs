//! Physical names: one pattern language shared by lowering (which builds expressions) and the
//! naming rule (which checks lengths and character sets with placeholder values).

/// Tokens a naming pattern may use.
pub const TOKENS: &[&str] = &["name", "suffix", "env", "service", "account_id", "region"];

/// One piece of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece<'a> {
    Lit(&'a str),
    Token(&'a str),
}

/// Split a pattern into literal text and `{token}`s. Unknown tokens are returned as `Err`.
pub fn parse(pattern: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = pattern;
    while let Some(i) = rest.find('{') {
        if i > 0 {
            out.push(Piece::Lit(&rest[..i]));
        }
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            return Err(format!("unclosed `{{` in `{pattern}`"));
        };
        let tok = &after[..j];
        if !TOKENS.contains(&tok) {
            return Err(format!("unknown token `{{{tok}}}`"));
        }
        out.push(Piece::Token(tok));
        rest = &after[j + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Lit(rest));
    }
    Ok(out)
}

/// Render a pattern with a value for each token (unknown tokens render literally).
pub fn render(pattern: &str, value: impl Fn(&str) -> String) -> String {
    match parse(pattern) {
        Ok(pieces) => pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(s) => s.to_string(),
                Piece::Token(t) => value(t),
            })
            .collect(),
        Err(_) => pattern.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_and_render() {
        assert_eq!(
            parse("{env}-{name}-{suffix}").unwrap(),
            vec![
                Piece::Token("env"),
                Piece::Lit("-"),
                Piece::Token("name"),
                Piece::Lit("-"),
                Piece::Token("suffix")
            ]
        );
        assert!(parse("{bogus}-{name}").is_err());
        assert_eq!(
            render("s3-{name}-{account_id}", |t| if t == "name" {
                "logs".into()
            } else {
                "123".into()
            }),
            "s3-logs-123"
        );
    }
}
