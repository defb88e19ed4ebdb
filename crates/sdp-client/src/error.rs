//! The error model: every failure keeps what SDP said (HTTP status, status
//! codes, fields, messages) and can explain itself with
//! [`SdpError::human_message`], a sentence that names the problem and the fix.

use std::fmt;
use std::time::Duration;

use crate::auth::AuthError;
use crate::status::{ApiMessage, ResponseStatus};

/// Any failure of an SDP call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SdpError {
    /// SDP answered with a JSON error (`response_status` failed), or a 200
    /// whose every item failed.
    #[error("{0}")]
    Api(ApiError),
    /// HTTP 401 without status code 4022. Per reference §7 #4 this is NOT an
    /// expired token (no refresh is attempted): the token lacks the OAuth scope
    /// for this module, or the URL does not exist on this portal.
    #[error("ServiceDesk Plus answered 401 Unauthorized ({})", if *html { "HTML page" } else { "JSON" })]
    Unauthorized {
        /// HTTP status (401).
        http_status: u16,
        /// `true` when the body was an HTML page.
        html: bool,
        /// The parsed JSON error, when the body was JSON.
        api: Option<ApiError>,
    },
    /// SDP answered with an HTML page (usually its login page) where JSON was
    /// expected: wrong `Accept` header, base URL or portal.
    #[error("ServiceDesk Plus answered with an HTML page instead of JSON (HTTP {http_status})")]
    HtmlPage {
        /// HTTP status of the page.
        http_status: u16,
    },
    /// Obtaining credentials failed (Zoho refresh, throttle, revoked token).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The call never got an HTTP answer (connect error, time-out, reset).
    #[error("{kind} error talking to ServiceDesk Plus: {detail}")]
    Transport {
        /// What went wrong.
        kind: TransportKind,
        /// Error text, without URL query or secrets.
        detail: String,
    },
    /// SDP answered with something we cannot read (bad JSON, missing entity key).
    #[error("unexpected ServiceDesk Plus response (HTTP {http_status}): {detail}")]
    UnexpectedResponse {
        /// HTTP status.
        http_status: u16,
        /// What was wrong.
        detail: String,
    },
    /// The portal's circuit breaker is open after repeated upstream failures:
    /// the call was not sent (see [`crate::breaker`]).
    #[error("calls to ServiceDesk Plus portal {portal} are paused for {} s after repeated failures", retry_in.as_secs())]
    CircuitOpen {
        /// The portal (`host/portal`).
        portal: String,
        /// When a probe call will be let through.
        retry_in: Duration,
    },
    /// A caller-supplied argument cannot be sent (bad id, unserialisable body).
    #[error("invalid argument: {detail}")]
    InvalidArgument {
        /// What was wrong.
        detail: String,
    },
}

/// Kind of transport failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not connect (DNS, refused, TLS handshake): the request was not sent.
    Connect,
    /// The request or connect time-out elapsed.
    Timeout,
    /// The connection failed after the request may have been sent.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection",
            TransportKind::Timeout => "time-out",
            TransportKind::Other => "transport",
        })
    }
}

/// A JSON error answer from SDP.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiError {
    /// HTTP status.
    pub http_status: u16,
    /// Every `response_status` entry (object form gives one).
    pub statuses: Vec<ResponseStatus>,
    /// `Retry-After` from the answer, when SDP sent one (rate limits).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// All failure messages across all `response_status` entries.
    pub fn messages(&self) -> impl Iterator<Item = &ApiMessage> {
        self.statuses.iter().flat_map(|s| s.messages.iter())
    }

    /// Every status code present (top-level and per message), in order.
    pub fn status_codes(&self) -> Vec<u32> {
        let mut codes = Vec::new();
        for status in &self.statuses {
            codes.extend(status.status_code);
            codes.extend(status.messages.iter().filter_map(|m| m.status_code));
        }
        codes
    }

    /// `true` when `code` appears anywhere.
    pub fn has_code(&self, code: u32) -> bool {
        self.status_codes().contains(&code)
    }

    /// The most specific code: the first message code that is not the generic
    /// 4000, else the first code at all.
    pub fn primary_code(&self) -> Option<u32> {
        let codes = self.status_codes();
        codes
            .iter()
            .copied()
            .find(|c| *c != 4000 && *c != 2000)
            .or_else(|| codes.first().copied())
    }

    /// Fields named by `field` or `fields` in any message, de-duplicated, in order.
    pub fn fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for message in self.messages() {
            for field in message.field.iter().chain(message.fields.iter()) {
                if !out.contains(field) {
                    out.push(field.clone());
                }
            }
        }
        out
    }

    /// Fields reported missing by 4012 (mandatory fields).
    pub fn missing_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for message in self.messages().filter(|m| m.status_code == Some(4012)) {
            for field in message.field.iter().chain(message.fields.iter()) {
                if !out.contains(field) {
                    out.push(field.clone());
                }
            }
        }
        out
    }

    /// Prose messages SDP sent, in order.
    pub fn texts(&self) -> Vec<&str> {
        self.messages()
            .filter_map(|m| m.message.as_deref())
            .collect()
    }

    /// A sentence per failure message, naming the field and the fix.
    pub fn human_message(&self) -> String {
        let mut sentences: Vec<String> = Vec::new();
        let specific: Vec<&ApiMessage> = self
            .messages()
            .filter(|m| m.status_code.is_some_and(|c| c != 4000))
            .collect();
        if specific.is_empty() {
            let code = self.primary_code();
            sentences.push(describe(
                code,
                None,
                &[],
                self.texts().first().copied(),
                self,
            ));
        } else {
            for message in specific {
                let sentence = describe(
                    message.status_code,
                    message.field.as_deref(),
                    &message.fields,
                    message.message.as_deref(),
                    self,
                );
                if !sentences.contains(&sentence) {
                    sentences.push(sentence);
                }
            }
        }
        sentences.join(" ")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ServiceDesk Plus error (HTTP {}", self.http_status)?;
        let codes = self.status_codes();
        if !codes.is_empty() {
            let codes: Vec<String> = codes.iter().map(u32::to_string).collect();
            write!(f, ", status {}", codes.join("/"))?;
        }
        f.write_str(")")?;
        let fields = self.fields();
        if !fields.is_empty() {
            write!(f, " on {}", fields.join(", "))?;
        }
        let texts = self.texts();
        if !texts.is_empty() {
            write!(f, ": {}", texts.join("; "))?;
        }
        Ok(())
    }
}

fn describe(
    code: Option<u32>,
    field: Option<&str>,
    fields: &[String],
    text: Option<&str>,
    error: &ApiError,
) -> String {
    let named: Vec<&str> = field
        .into_iter()
        .chain(fields.iter().map(String::as_str))
        .collect();
    let field_list = named.join(", ");
    let the_field = if field_list.is_empty() {
        "a field".to_owned()
    } else {
        format!("`{field_list}`")
    };
    let detail = text.map(|t| format!(" ({t})")).unwrap_or_default();
    match code {
        Some(4001) => format!(
            "ServiceDesk Plus did not accept the value given for {the_field}{detail}: it does not exist, is inactive or may not be set by this user. Use an existing value (list them with get_metadata) and retry."
        ),
        Some(4002) => format!(
            "ServiceDesk Plus does not allow this operation{}{detail}: the SDP user behind these credentials lacks the permission. Leave the field out or ask an SDP administrator.",
            if field_list.is_empty() {
                String::new()
            } else {
                format!(" on `{field_list}`")
            }
        ),
        Some(4004) => format!(
            "ServiceDesk Plus had an internal error{detail}. Retry later; if it persists the operation may not apply to this record."
        ),
        Some(4005) => format!(
            "ServiceDesk Plus cannot delete this record because it is still in use{}{detail}. Remove the references first.",
            if field_list.is_empty() {
                String::new()
            } else {
                format!(" ({field_list})")
            }
        ),
        Some(4007) => format!(
            "Not found{detail}: the record or URL does not exist in this portal. Check the id (use the numeric id, not the display id) and the portal."
        ),
        Some(4008) => format!(
            "The value of {the_field} must be unique and is already used{detail}. Choose another value."
        ),
        Some(4009) => format!("{the_field} cannot be edited{detail}. Leave it out of the update."),
        Some(4012) => {
            let missing = if field_list.is_empty() {
                error.missing_fields().join(", ")
            } else {
                field_list
            };
            format!(
                "ServiceDesk Plus needs these fields for this template: {missing}. Add them (see get_request_fields) and retry."
            )
        }
        Some(4014) => format!("{the_field} is read-only{detail}. Leave it out of the request."),
        Some(4015) => {
            let wait = error.retry_after.map_or_else(
                || "Wait a minute and retry".to_owned(),
                |d| format!("Wait {} s and retry", d.as_secs().max(1)),
            );
            format!(
                "ServiceDesk Plus rate limit reached (4015){detail}. {wait}, and make fewer calls per minute."
            )
        }
        Some(4016) => format!(
            "The times given are inconsistent{}{detail} (e.g. an end before a start). Fix the times and retry.",
            if field_list.is_empty() {
                String::new()
            } else {
                format!(" for `{field_list}`")
            }
        ),
        Some(4021) => format!(
            "The value of {the_field} has the wrong type{detail}. Send lookups as {{\"name\": …}} or {{\"id\": …}}, dates as epoch milliseconds, and retry."
        ),
        Some(4022) => format!(
            "ServiceDesk Plus rejected the credentials (4022: invalid or expired token or API key){detail}, even after a fresh token. Re-authorize the Zoho connection or check the on-premises technician key."
        ),
        Some(7001) => format!(
            "This operation is not available in the current ServiceDesk Plus license or edition{detail}."
        ),
        Some(other) => format!(
            "ServiceDesk Plus refused the request (status {other}){}{detail}.",
            if field_list.is_empty() {
                String::new()
            } else {
                format!(" on `{field_list}`")
            }
        ),
        None => format!(
            "ServiceDesk Plus refused the request (HTTP {}){detail}.",
            error.http_status
        ),
    }
}

impl SdpError {
    /// A clear sentence for a person or an assistant: what went wrong and how
    /// to fix it. Contains no secret.
    pub fn human_message(&self) -> String {
        match self {
            SdpError::Api(api) => api.human_message(),
            SdpError::Unauthorized { html: true, .. } => "ServiceDesk Plus answered 401 with an HTML page. The token is not expired (a refresh would not help): it lacks the OAuth scope for this module (e.g. SDPOnDemand.setup.READ for templates), or the URL or portal does not exist. Check the scopes granted and the base URL/portal.".to_owned(),
            SdpError::Unauthorized { api, .. } => {
                let detail = api
                    .as_ref()
                    .map(|a| a.texts().join("; "))
                    .filter(|t| !t.is_empty())
                    .map(|t| format!(" ({t})"))
                    .unwrap_or_default();
                format!("ServiceDesk Plus answered 401{detail} without reporting an invalid token: the token most likely lacks the OAuth scope for this module (SDPOnDemand.<module>.READ/ALL). Re-authorize with the needed scopes.")
            }
            SdpError::HtmlPage { http_status } => format!(
                "ServiceDesk Plus answered with an HTML page (HTTP {http_status}) instead of JSON, usually its login page. The Accept header must be application/vnd.manageengine.sdp.v3+json and the URL must be {{base}}/app/{{portal}}/api/v3/…: check the base URL, the portal name and the data centre."
            ),
            SdpError::Auth(auth) => auth.human_message(),
            SdpError::Transport { kind: TransportKind::Timeout, .. } => "ServiceDesk Plus did not answer in time. Retry later; a write may or may not have been applied, so check before repeating it.".to_owned(),
            SdpError::Transport { kind: TransportKind::Connect, detail } => format!(
                "Could not connect to ServiceDesk Plus ({detail}). Check the base URL / data centre and the network."
            ),
            SdpError::Transport { detail, .. } => format!(
                "The connection to ServiceDesk Plus failed ({detail}). Retry later; a write may or may not have been applied."
            ),
            SdpError::UnexpectedResponse { http_status, detail } => format!(
                "ServiceDesk Plus sent an answer this client cannot read (HTTP {http_status}: {detail})."
            ),
            SdpError::CircuitOpen { portal, retry_in } => format!(
                "SDP portal {portal} is failing (repeated server errors or no answer); calls are paused for {} s; try again later. Nothing was sent.",
                retry_in.as_secs().max(1)
            ),
            SdpError::InvalidArgument { detail } => format!("Invalid argument: {detail}."),
        }
    }

    /// The parsed SDP error, when there is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            SdpError::Api(api) => Some(api),
            SdpError::Unauthorized { api, .. } => api.as_ref(),
            _ => None,
        }
    }

    /// The HTTP status, when SDP answered.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            SdpError::Api(api) => Some(api.http_status),
            SdpError::Unauthorized { http_status, .. }
            | SdpError::HtmlPage { http_status }
            | SdpError::UnexpectedResponse { http_status, .. } => Some(*http_status),
            _ => None,
        }
    }

    /// The most specific SDP status code (e.g. 4012), when there is one.
    pub fn status_code(&self) -> Option<u32> {
        self.api().and_then(ApiError::primary_code)
    }

    /// `true` for "not found" (4007 or HTTP 404).
    pub fn is_not_found(&self) -> bool {
        self.api()
            .is_some_and(|a| a.has_code(4007) || a.http_status == 404)
    }

    /// `true` for SDP rate limiting (4015 or HTTP 429).
    pub fn is_rate_limited(&self) -> bool {
        self.api()
            .is_some_and(|a| a.has_code(4015) || a.http_status == 429)
    }

    /// `true` when the same call may succeed later without changes
    /// (transport failures, 5xx, rate limits, Zoho throttle).
    pub fn is_transient(&self) -> bool {
        match self {
            SdpError::Transport { .. } | SdpError::CircuitOpen { .. } => true,
            SdpError::Auth(auth) => auth.is_transient(),
            SdpError::Api(api) => {
                api.http_status >= 500 || api.http_status == 429 || api.has_code(4015)
            }
            SdpError::HtmlPage { http_status } => *http_status >= 500,
            _ => false,
        }
    }

    /// How long SDP (or Zoho) asked us to wait, when known.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SdpError::Api(api) => api.retry_after,
            SdpError::Auth(AuthError::Throttled { retry_after }) => Some(*retry_after),
            SdpError::CircuitOpen { retry_in, .. } => Some(*retry_in),
            _ => None,
        }
    }
}
