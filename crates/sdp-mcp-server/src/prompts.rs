//! MCP prompts: ready-made ServiceDesk Plus workflows a user can pick in
//! their client. Each returns one user message that tells the assistant
//! which tools to call and in what order; no SDP call is made here.

use rmcp::ErrorData;
use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};
use serde_json::json;

/// One prompt: its name, title, description and arguments.
struct Spec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// `(name, description, required)`.
    arguments: &'static [(&'static str, &'static str, bool)],
}

const PROMPTS: &[Spec] = &[
    Spec {
        name: "triage_request",
        title: "Triage a request",
        description: "Read a service request and propose its category, priority and \
                      technician, then apply them once the user agrees",
        arguments: &[(
            "request_id",
            "Numeric id of the request, e.g. 123456789012345",
            true,
        )],
    },
    Spec {
        name: "escalate_request",
        title: "Escalate a request",
        description: "Raise a request's priority, record why in a note and reassign it if \
                      needed",
        arguments: &[
            ("request_id", "Numeric id of the request", true),
            (
                "reason",
                "Why it is escalated, e.g. \"VIP user, blocking payroll\"",
                true,
            ),
        ],
    },
    Spec {
        name: "summarise_my_queue",
        title: "Summarise my queue",
        description: "Summarise the requests assigned to me: counts by status and priority, \
                      overdue items and what to do first",
        arguments: &[(
            "status",
            "Only requests with this status, e.g. \"Open\" (default: all open statuses)",
            false,
        )],
    },
    Spec {
        name: "draft_reply",
        title: "Draft a reply to the requester",
        description: "Draft a reply to a request's requester from its conversation and notes; \
                      nothing is sent until the user approves",
        arguments: &[("request_id", "Numeric id of the request", true)],
    },
];

/// The prompts of this server.
pub(crate) fn list() -> Vec<Prompt> {
    PROMPTS
        .iter()
        .map(|spec| {
            let arguments = spec
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name)
                        .with_description(*description)
                        .with_required(*required)
                })
                .collect();
            Prompt::new(spec.name, Some(spec.description), Some(arguments)).with_title(spec.title)
        })
        .collect()
}

/// `prompts/get`.
///
/// # Errors
/// Invalid params for an unknown prompt or a missing or malformed argument.
pub(crate) fn get(
    name: &str,
    arguments: Option<&JsonObject>,
) -> Result<GetPromptResult, ErrorData> {
    let Some(spec) = PROMPTS.iter().find(|spec| spec.name == name) else {
        let names: Vec<&str> = PROMPTS.iter().map(|spec| spec.name).collect();
        return Err(ErrorData::invalid_params(
            format!("no prompt \"{name}\"; prompts: {}", names.join(", ")),
            Some(json!({ "prompt": name })),
        ));
    };
    let argument = |key: &str| -> Result<Option<String>, ErrorData> {
        let value = arguments.and_then(|a| a.get(key));
        let text = match value {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(s)) => Some(s.trim().to_owned()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            Some(_) => {
                return Err(ErrorData::invalid_params(
                    format!("argument `{key}` of prompt {name} must be a string"),
                    None,
                ));
            }
        };
        let text = text.filter(|t| !t.is_empty());
        let required = spec
            .arguments
            .iter()
            .any(|(arg, _, required)| *arg == key && *required);
        if required && text.is_none() {
            return Err(ErrorData::invalid_params(
                format!("prompt {name} needs the argument `{key}`"),
                None,
            ));
        }
        Ok(text)
    };
    let request_id = || -> Result<String, ErrorData> {
        let id = argument("request_id")?.unwrap_or_default();
        if id.bytes().all(|b| b.is_ascii_digit()) {
            Ok(id)
        } else {
            Err(ErrorData::invalid_params(
                format!("`request_id` must be SDP's numeric request id, got \"{id}\""),
                None,
            ))
        }
    };
    let text = match spec.name {
        "triage_request" => triage(&request_id()?),
        "escalate_request" => {
            let id = request_id()?;
            escalate(&id, &argument("reason")?.unwrap_or_default())
        }
        "summarise_my_queue" => queue(argument("status")?.as_deref()),
        _ => reply(&request_id()?),
    };
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(spec.description),
    )
}

fn triage(id: &str) -> String {
    format!(
        "Triage ServiceDesk Plus request {id}.\n\
         1. Call get_request with {{\"request_id\": \"{id}\"}} and get_request_conversation to \
         understand the issue.\n\
         2. Call get_metadata to see the valid categories, priorities and statuses, and \
         list_technicians (or find_technician) for who could take it.\n\
         3. Propose a category, subcategory, priority and technician, with one sentence of \
         reasoning each, and ask me to confirm.\n\
         4. Only after I agree, call update_request (category, priority) and assign_request \
         (technician). Do not close or delete anything."
    )
}

fn escalate(id: &str, reason: &str) -> String {
    format!(
        "Escalate ServiceDesk Plus request {id}. Reason: {reason}\n\
         1. Call get_request with {{\"request_id\": \"{id}\"}} to see its current priority, \
         status and technician.\n\
         2. Call get_metadata for the valid priorities; choose the next higher one (or the \
         highest if it is urgent).\n\
         3. Tell me the change you intend to make, then call update_request to raise the \
         priority and add_note with the reason (not shown to the requester unless I say so).\n\
         4. If the current technician cannot act quickly, suggest another with \
         list_technicians and, after I agree, call assign_request."
    )
}

fn queue(status: Option<&str>) -> String {
    let filter = status.map_or_else(
        || "open requests (not closed or resolved)".to_owned(),
        |status| format!("requests with status \"{status}\""),
    );
    format!(
        "Summarise my ServiceDesk Plus queue.\n\
         1. Call whoami to learn who I am in ServiceDesk Plus.\n\
         2. Call list_requests for the {filter} assigned to me (technician: my name from whoami), paging \
         until has_more is false or you have 200.\n\
         3. Report counts by status and by priority, the requests past their due date, and \
         the five I should handle first with one line each (id, subject, why).\n\
         Do not change anything."
    )
}

fn reply(id: &str) -> String {
    format!(
        "Draft a reply to the requester of ServiceDesk Plus request {id}.\n\
         1. Call get_request with {{\"request_id\": \"{id}\"}}, get_request_conversation and \
         list_notes to understand what was asked and done.\n\
         2. Write a short, friendly reply that answers the requester's latest message and says \
         what happens next.\n\
         3. Show me the draft. Only if I approve, call add_note with show_to_requester: true \
         (I will be asked to confirm, since it mails the requester)."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prompt_renders_with_its_required_arguments() {
        for prompt in list() {
            let mut arguments = JsonObject::new();
            for argument in prompt.arguments.unwrap_or_default() {
                if argument.required == Some(true) {
                    arguments.insert(argument.name, json!("42"));
                }
            }
            let result = get(&prompt.name, Some(&arguments)).unwrap();
            assert_eq!(result.messages.len(), 1, "{}", prompt.name);
        }
        assert!(get("triage_request", None).is_err());
        assert!(get("nope", None).is_err());
        let bad = JsonObject::from_iter([("request_id".to_owned(), json!("4; drop"))]);
        assert!(get("triage_request", Some(&bad)).is_err());
    }
}
