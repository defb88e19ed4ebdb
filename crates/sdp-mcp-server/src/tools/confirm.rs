//! Write safety shared by every tool that changes SDP: confirmation of
//! destructive or irreversible actions, and writes whose outcome is unknown.
//!
//! Confirmation: when the client declared the `elicitation` capability (form
//! mode) on a session that allows server-to-client requests, the user is
//! asked through an elicitation form; otherwise the call must carry
//! `confirm: true`, and without it the tool answers `isError` explaining what
//! would happen. A declined or cancelled elicitation changes nothing.
//!
//! Unknown outcome: a write that timed out or lost its connection after it
//! was sent may or may not have been applied. It is never retried: the tool
//! answers `isError` with `indeterminate: true` and how to check.

use std::time::Duration;

use rmcp::RoleServer;
use rmcp::model::{
    BooleanSchema, ElicitRequestParams, ElicitationAction, ElicitationSchema,
    PrimitiveSchemaDefinition,
};
use rmcp::service::RequestContext;
use sdp_client::{SdpError, TransportKind};
use serde_json::json;

use super::ToolError;

/// How long the user has to answer a confirmation form.
const ELICITATION_TIMEOUT: Duration = Duration::from_secs(300);

/// Asks for confirmation of `action` (a sentence such as "permanently delete
/// request 42"), unless `confirmed` is `Some(true)`.
///
/// # Errors
/// A [`ToolError`] when the user declined, or when the client cannot be asked
/// and `confirm: true` was not given.
pub(crate) async fn confirm(
    context: &RequestContext<RoleServer>,
    confirmed: Option<bool>,
    action: &str,
) -> Result<(), ToolError> {
    if confirmed == Some(true) {
        return Ok(());
    }
    if can_elicit(context) {
        let schema = ElicitationSchema::builder()
            .required_property(
                "confirm",
                PrimitiveSchemaDefinition::Boolean(
                    BooleanSchema::new()
                        .title("Confirm")
                        .description(format!("Yes, {action}")),
                ),
            )
            .build();
        if let Ok(schema) = schema {
            let asked = context
                .peer
                .create_elicitation_with_timeout(
                    ElicitRequestParams::FormElicitationParams {
                        meta: None,
                        message: format!(
                            "ServiceDesk Plus: {action}? This cannot be undone from here."
                        ),
                        requested_schema: schema,
                    },
                    Some(ELICITATION_TIMEOUT),
                )
                .await;
            match asked {
                Ok(answer) => {
                    let agreed = answer.action == ElicitationAction::Accept
                        && answer
                            .content
                            .as_ref()
                            .and_then(|c| c.get("confirm"))
                            .and_then(serde_json::Value::as_bool)
                            .unwrap_or(true);
                    if agreed {
                        return Ok(());
                    }
                    return Err(ToolError::with_details(
                        format!(
                            "The user did not confirm: {action} was cancelled and nothing was \
                             changed. Do not retry unless the user asks again."
                        ),
                        json!({"cancelled": true, "confirmed": false}),
                    ));
                }
                Err(error) => {
                    tracing::debug!(%error, "confirmation elicitation failed; asking for confirm");
                }
            }
        }
    }
    Err(ToolError::with_details(
        format!(
            "Confirmation needed: this would {action}, which cannot be undone. Nothing was \
             changed. Ask the user; if they agree, call the tool again with the same arguments \
             and `confirm: true`."
        ),
        json!({"confirmation_required": true, "would": action}),
    ))
}

/// `true` when the client accepts form elicitation on this request.
fn can_elicit(context: &RequestContext<RoleServer>) -> bool {
    let legacy = context
        .protocol_version()
        .is_none_or(|version| version < rmcp::model::ProtocolVersion::V_2026_07_28);
    let form = context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none());
    legacy && form
}

/// Converts the failure of a write into a tool error. A time-out or broken
/// connection after sending makes the outcome unknown: the error says so
/// (`indeterminate: true`) and tells how to `check` instead of retrying.
pub(crate) fn write_failed(error: SdpError, check: &str) -> ToolError {
    match &error {
        SdpError::Transport {
            kind: TransportKind::Timeout | TransportKind::Other,
            ..
        } => ToolError::with_details(
            format!(
                "The outcome of this change is unknown: ServiceDesk Plus did not answer ({error}), so \
                 it may or may not have been applied. It was not retried. Check first: {check}; \
                 repeat the change only if it is not there."
            ),
            json!({"indeterminate": true, "how_to_check": check}),
        ),
        _ => ToolError::from(error),
    }
}

/// `?`-friendly form of [`write_failed`].
pub(crate) trait WriteResult<T> {
    /// Maps a failure with [`write_failed`].
    fn or_unknown(self, check: &str) -> Result<T, ToolError>;
}

impl<T> WriteResult<T> for Result<T, SdpError> {
    fn or_unknown(self, check: &str) -> Result<T, ToolError> {
        self.map_err(|error| write_failed(error, check))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_outs_of_writes_are_indeterminate() {
        let error = write_failed(
            SdpError::Transport {
                kind: TransportKind::Timeout,
                detail: "operation timed out".to_owned(),
            },
            "call list_notes",
        );
        assert_eq!(error.details().unwrap()["indeterminate"], true);
        assert!(error.to_string().contains("call list_notes"), "{error}");
        let refused = write_failed(
            SdpError::Transport {
                kind: TransportKind::Connect,
                detail: "refused".to_owned(),
            },
            "x",
        );
        assert!(refused.details().is_none());
    }
}
