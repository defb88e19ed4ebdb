//! HTML of the simulated Zoho sign-in pages. Every interpolated value goes
//! through [`escape`].

use std::fmt::Write as _;

/// Escapes text for an HTML element body or a double-quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;\
background:#f3f5f9;color:#1f2933}\
.card{max-width:420px;margin:8vh auto;background:#fff;border-radius:10px;\
box-shadow:0 4px 24px rgba(15,23,42,.12);padding:32px 36px}\
.brand{font-weight:700;font-size:22px;color:#e42527;letter-spacing:.5px}\
.brand span{color:#089949}.sim{font-size:12px;color:#7b8794;margin-bottom:20px}\
h1{font-size:20px;margin:0 0 16px}label{display:block;font-size:13px;margin:12px 0 4px;\
color:#52606d}input[type=email],input[type=text],input[type=password]{width:100%;\
box-sizing:border-box;padding:10px 12px;border:1px solid #cbd2d9;border-radius:6px;\
font-size:15px}button{margin-top:20px;padding:10px 18px;border:0;border-radius:6px;\
font-size:15px;cursor:pointer;background:#1a73e8;color:#fff}\
button.secondary{background:#e4e7eb;color:#1f2933;margin-left:8px}\
.error{background:#fde8e8;color:#9b1c1c;padding:10px 12px;border-radius:6px;font-size:14px}\
ul.scopes{padding-left:18px;font-size:14px;color:#323f4b}code{font-size:13px}\
.muted{color:#7b8794;font-size:13px}";

/// A complete page: `title` and `body` (already escaped HTML).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><main class=\"card\">\
<div class=\"brand\">Z<span>o</span>ho Accounts</div>\
<div class=\"sim\">sdp-sim — offline simulator</div>{body}</main></body></html>\n",
        escape(title)
    )
}

/// `<input type="hidden">` fields for `pairs`.
pub(crate) fn hidden_fields(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        let _ = write!(
            out,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        );
    }
    out
}

/// An error page body.
pub(crate) fn error_page(title: &str, message: &str) -> String {
    page(
        title,
        &format!(
            "<h1>{}</h1><p class=\"error\">{}</p>",
            escape(title),
            escape(message)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
    }
}
