//! A deliberately small `.env` parser.
//!
//! Supported: `KEY=value`, an optional leading `export `, blank lines, `#`
//! comments (whole line, or after whitespace outside quotes), single-quoted
//! values taken literally, double-quoted values with `\n`, `\"` and `\\`
//! escapes. Not supported (and not needed for credentials): multi-line values
//! and `${VAR}` substitution, which `dotenvy` would add at the price of a
//! dependency whose substitution rules differ from the shells users copy from.

use super::ConfigError;

/// Parses `.env` text into key/value pairs, in file order.
///
/// `origin` names the file in error messages.
pub(super) fn parse(text: &str, origin: &str) -> Result<Vec<(String, String)>, ConfigError> {
    let mut pairs = Vec::new();
    for (index, raw_line) in text.lines().enumerate() {
        let line = raw_line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let line_number = index + 1;
        let Some((key, value)) = line.split_once('=') else {
            return Err(ConfigError::DotEnv {
                origin: origin.to_owned(),
                line: line_number,
                problem: "expected KEY=value".to_owned(),
            });
        };
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            return Err(ConfigError::DotEnv {
                origin: origin.to_owned(),
                line: line_number,
                problem: "the name before `=` may only contain letters, digits, `_` and `.`"
                    .to_owned(),
            });
        }
        let value = parse_value(value.trim()).map_err(|problem| ConfigError::DotEnv {
            origin: origin.to_owned(),
            line: line_number,
            problem,
        })?;
        pairs.push((key.to_owned(), value));
    }
    Ok(pairs)
}

fn parse_value(value: &str) -> Result<String, String> {
    if let Some(rest) = value.strip_prefix('\'') {
        let Some(end) = rest.find('\'') else {
            return Err("unterminated single quote".to_owned());
        };
        return Ok(rest[..end].to_owned());
    }
    if let Some(rest) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Ok(out),
                '\\' => match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => break,
                },
                other => out.push(other),
            }
        }
        return Err("unterminated double quote".to_owned());
    }
    // Unquoted: an inline comment starts at ` #`.
    let value = match value.find(" #") {
        Some(at) => &value[..at],
        None => value,
    };
    Ok(value.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn check(text: &str, expect: &[(&str, &str)]) {
        let parsed = parse(text, ".env").unwrap();
        let parsed: Vec<(&str, &str)> = parsed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(parsed, expect);
    }

    #[test]
    fn plain_quoted_exported_and_commented_lines() {
        check(
            "# comment\n\nA=1\nexport B = two words # note\nC='lit # \\n'\nD=\"x\\\"y\\nz\"\nE=\n",
            &[
                ("A", "1"),
                ("B", "two words"),
                ("C", "lit # \\n"),
                ("D", "x\"y\nz"),
                ("E", ""),
            ],
        );
    }

    #[test]
    fn malformed_line_names_the_line() {
        let error = parse("A=1\nnot a pair\n", "/tmp/.env").unwrap_err();
        let text = error.to_string();
        assert!(text.contains("/tmp/.env:2"), "{text}");
    }

    #[test]
    fn unterminated_quote_is_an_error() {
        assert!(parse("A=\"open\n", ".env").is_err());
    }
}
