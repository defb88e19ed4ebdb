//! Lines of an env file to `NAME=value` assignments.
//!
//! Accepted: blank lines, `#` comments (whole line, or after whitespace
//! outside quotes), an optional `export ` prefix, unquoted values, single
//! quotes (literal) and double quotes (with `\n`, `\t`, `\"`, `\\`, `\$`
//! escapes). Not accepted: multi-line values and `${VAR}` substitution.

use secrecy::SecretString;
use zeroize::Zeroizing;

use super::EnvFileError;

/// One `NAME=value` line. The value may be a secret, so it is kept as one.
pub(super) struct Assignment {
    pub(super) line: usize,
    pub(super) name: String,
    pub(super) value: SecretString,
}

pub(super) fn lex(text: &str) -> Result<Vec<Assignment>, EnvFileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut assignments = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let statement = strip_export(trimmed);
        let Some((name, value)) = statement.split_once('=') else {
            return Err(EnvFileError::at_line(
                line,
                None,
                "expected NAME=value (for example SDP_INSTANCE_NAME=itdesk)",
            ));
        };
        let name = name.trim();
        if !is_valid_name(name) {
            return Err(EnvFileError::at_line(
                line,
                None,
                format!(
                    "`{}` is not a variable name: use letters, digits and `_`, not starting with a digit",
                    name.chars().take(40).collect::<String>()
                ),
            ));
        }
        let value = parse_value(value.trim_start())
            .map_err(|message| EnvFileError::at_line(line, Some(name), message))?;
        assignments.push(Assignment {
            line,
            name: name.to_owned(),
            value: SecretString::from(value.as_str().to_owned()),
        });
    }
    Ok(assignments)
}

fn strip_export(statement: &str) -> &str {
    match statement.strip_prefix("export") {
        Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim_start(),
        _ => statement,
    }
}

fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value after `=`, unquoted and unescaped. Errors never quote the value.
fn parse_value(value: &str) -> Result<Zeroizing<String>, String> {
    let mut out = Zeroizing::new(String::with_capacity(value.len()));
    if let Some(rest) = value.strip_prefix('\'') {
        let Some(end) = rest.find('\'') else {
            return Err("the single quote is not closed on this line".to_owned());
        };
        out.push_str(&rest[..end]);
        check_trailing(&rest[end + 1..])?;
        return Ok(out);
    }
    if let Some(rest) = value.strip_prefix('"') {
        let mut chars = rest.char_indices();
        while let Some((at, c)) = chars.next() {
            match c {
                '"' => {
                    check_trailing(&rest[at + 1..])?;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, 't')) => out.push('\t'),
                    Some((_, other)) => out.push(other),
                    None => break,
                },
                other => out.push(other),
            }
        }
        return Err("the double quote is not closed on this line".to_owned());
    }
    let unquoted = value
        .char_indices()
        .find(|&(at, c)| c == '#' && value[..at].ends_with(char::is_whitespace))
        .map_or(value, |(at, _)| &value[..at]);
    out.push_str(unquoted.trim_end());
    Ok(out)
}

/// After a closing quote only whitespace and a comment may follow.
fn check_trailing(rest: &str) -> Result<(), String> {
    let rest = rest.trim_start();
    if rest.is_empty() || rest.starts_with('#') {
        return Ok(());
    }
    Err("unexpected text after the closing quote (put a comment after ` #`)".to_owned())
}
