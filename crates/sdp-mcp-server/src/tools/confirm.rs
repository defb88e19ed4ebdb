//! Write safety shared by every tool that changes SDP: confirmation of
//! destructive or irreversible actions, and writes whose outcome is unknown.
//!
//! Confirmation: when a 2026-07-28 client declared the `elicitation`
//! capability (form mode), the call answers `InputRequiredResult` (MRTR) with
//! a confirmation form and a sealed `requestState` (see `request_state`); the
//! client's retry with the accepted form and that state performs the change.
//! When a legacy-era client declared elicitation on a session that allows
//! server-to-client requests, the user is asked through `elicitation/create`.
//! Otherwise the call must carry `confirm: true`, and without it the tool
//! answers `isError` explaining what would happen. A declined or cancelled
//! confirmation, or a state that does not verify, changes nothing.
//!
//! Unknown outcome: a write that timed out or lost its connection after it
//! was sent may or may not have been applied. It is never retried: the tool
//! answers `isError` with `indeterminate: true` and how to check.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rmcp::RoleServer;
use rmcp::model::{
    BooleanSchema, ElicitRequest, ElicitRequestParams, ElicitationAction, ElicitationSchema,
    InputRequest, InputRequests, InputRequiredResult, InputResponses, PrimitiveSchemaDefinition,
    ProtocolVersion,
};
use rmcp::service::RequestContext;
use sdp_client::{SdpError, TransportKind};
use serde_json::json;

use super::ToolError;
use super::request_state::{self, Binding};

/// The key of the confirmation form in `inputRequests` / `inputResponses`.
const INPUT_KEY: &str = "confirm";

/// What a tool call brings for an MRTR confirmation: put into the request
/// extensions by the handler before the tool runs.
#[derive(Debug, Clone)]
pub(crate) struct ConfirmRound {
    /// Who calls which tool with which arguments.
    pub(crate) binding: Binding,
    /// The echoed `requestState` of a retry.
    pub(crate) request_state: Option<String>,
    /// The client's answers of a retry.
    pub(crate) input_responses: Option<InputResponses>,
    /// Where [`confirm`] leaves the `InputRequiredResult` the handler sends.
    pub(crate) input_required: Arc<Mutex<Option<InputRequiredResult>>>,
}

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
    if let Some(round) = mrtr_round(context) {
        return confirm_by_mrtr(round, action);
    }
    if can_elicit(context)
        && let Ok(schema) = confirm_schema(action)
    {
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
    Err(ToolError::with_details(
        format!(
            "Confirmation needed: this would {action}, which cannot be undone. Nothing was \
             changed. Ask the user; if they agree, call the tool again with the same arguments \
             and `confirm: true`."
        ),
        json!({"confirmation_required": true, "would": action}),
    ))
}

/// The MRTR round of this call when the client speaks 2026-07-28 and
/// accepts form elicitation.
fn mrtr_round(context: &RequestContext<RoleServer>) -> Option<&ConfirmRound> {
    let modern = context
        .protocol_version()
        .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
    let form = context
        .client_capabilities()
        .and_then(|capabilities| capabilities.elicitation)
        .is_some_and(|elicitation| elicitation.form.is_some() || elicitation.url.is_none());
    if !(modern && form) {
        return None;
    }
    context.extensions.get::<ConfirmRound>()
}

/// Confirmation through MRTR: the first call leaves an
/// `InputRequiredResult` for the handler; the retry must carry the accepted
/// form and a `requestState` that verifies for this user, tool and arguments.
fn confirm_by_mrtr(round: &ConfirmRound, action: &str) -> Result<(), ToolError> {
    let now = request_state::now_ms();
    let Some(state) = &round.request_state else {
        let mut requests = InputRequests::new();
        requests.insert(
            INPUT_KEY.to_owned(),
            InputRequest::Elicitation(ElicitRequest::new(
                ElicitRequestParams::FormElicitationParams {
                    meta: None,
                    message: format!(
                        "ServiceDesk Plus: {action}? This cannot be undone from here."
                    ),
                    requested_schema: confirm_schema(action)?,
                },
            )),
        );
        let sealed = request_state::seal(&round.binding, now);
        *round.input_required.lock() = Some(InputRequiredResult::new(Some(requests), Some(sealed)));
        return Err(ToolError::message(format!(
            "Confirmation needed: asking the user to confirm that this would {action}."
        )));
    };
    if let Err(refused) = request_state::open(state, &round.binding, now) {
        return Err(ToolError::with_details(
            format!(
                "The confirmation could not be used: {refused}. Nothing was changed. Call the \
                 tool again without requestState to ask the user again."
            ),
            json!({"confirmed": false, "request_state_rejected": true}),
        ));
    }
    let answer = round
        .input_responses
        .as_ref()
        .and_then(|responses| responses.get(INPUT_KEY));
    let accepted = answer.is_some_and(|answer| {
        answer.get("action").and_then(serde_json::Value::as_str) == Some("accept")
            && answer
                .get("content")
                .and_then(|c| c.get("confirm"))
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(true)
    });
    if accepted {
        return Ok(());
    }
    Err(ToolError::with_details(
        format!(
            "The user did not confirm: {action} was cancelled and nothing was changed. Do not \
             retry unless the user asks again."
        ),
        json!({"cancelled": true, "confirmed": false}),
    ))
}

/// The one-checkbox form asking to confirm `action`.
fn confirm_schema(action: &str) -> Result<ElicitationSchema, ToolError> {
    ElicitationSchema::builder()
        .required_property(
            INPUT_KEY,
            PrimitiveSchemaDefinition::Boolean(
                BooleanSchema::new()
                    .title("Confirm")
                    .description(format!("Yes, {action}")),
            ),
        )
        .build()
        .map_err(|error| ToolError::message(format!("cannot build the confirmation form: {error}")))
}

/// `true` when the client accepts form elicitation on this request.
fn can_elicit(context: &RequestContext<RoleServer>) -> bool {
    let legacy = context
        .protocol_version()
        .is_none_or(|version| version < ProtocolVersion::V_2026_07_28);
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
