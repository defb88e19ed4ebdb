//! Toolset `requests`: the conversation, summary counts and resolution of
//! a request.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{ApiCall, Resolution};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ToolError;
use super::args::{paging, request_id};
use super::confirm::WriteResult;
use super::requests::RequestIdParams;
use super::views::{PageInfo, display, user_name};
use crate::handler::SdpMcp;

/// Arguments of `get_request_conversation`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConversationParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments of `set_resolution`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetResolutionParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The resolution text, plain text or HTML, e.g. "Replaced the faulty RAM module".
    pub(crate) resolution: String,
    /// Also set it on the linked requests. Default false.
    pub(crate) add_to_linked_requests: Option<bool>,
}

/// One entry of a request's conversation (mails, notes, replies).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ConversationEntry {
    /// Entry id.
    pub(crate) id: Option<String>,
    /// Kind, e.g. "note", "mail", "reply".
    pub(crate) kind: Option<String>,
    /// Text (HTML) or subject.
    pub(crate) text: Option<String>,
    /// Author.
    pub(crate) from: Option<String>,
    /// When, as SDP displays it.
    pub(crate) time: Option<String>,
}

/// A page of a request's conversation.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Conversation {
    /// The request.
    pub(crate) request_id: String,
    /// Entries, oldest first.
    pub(crate) entries: Vec<ConversationEntry>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

/// Counts of a request's sub-records.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestSummaryCounts {
    /// The request.
    pub(crate) request_id: String,
    /// Count name (notes_count, worklogs_count, …) → value, as SDP reports them.
    pub(crate) counts: Map<String, Value>,
}

/// A request's resolution.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ResolutionView {
    /// What happened, or a summary.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// The resolution text (HTML); null when none is set.
    pub(crate) content: Option<String>,
    /// Who submitted it.
    pub(crate) submitted_by: Option<String>,
    /// When, as SDP displays it.
    pub(crate) submitted_on: Option<String>,
}

impl ResolutionView {
    fn new(request_id: String, message: String, resolution: Resolution) -> Self {
        Self {
            message,
            request_id,
            content: resolution.content,
            submitted_by: user_name(resolution.submitted_by),
            submitted_on: display(resolution.submitted_on),
        }
    }
}

fn text(entry: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match entry.get(*key)? {
        Value::String(text) => Some(text.clone()),
        Value::Object(object) => object
            .get("display_value")
            .or_else(|| object.get("name"))
            .or_else(|| object.get("email_id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    })
}

#[tool_router(router = request_details_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "get_request_conversation",
        title = "Get request conversation",
        description = "Read the conversation of a ServiceDesk Plus request: mails, replies and \
notes in order, with author and time. Example: {\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_request_conversation(
        &self,
        Parameters(params): Parameters<ConversationParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Conversation>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let (list_info, page, size) = paging(params.page, params.page_size);
        let call = ApiCall::get(["requests", id.as_str(), "conversations"])
            .input_data(list_info.to_input_data());
        let response = user.upstream().client().execute(&call).await?;
        let entries: Vec<Value> = response.list(&["conversations"]);
        Ok(Json(Conversation {
            paging: PageInfo::new(page, size, &response.list_info()),
            entries: entries
                .iter()
                .map(|entry| ConversationEntry {
                    id: text(entry, &["id"]),
                    kind: text(entry, &["type"]),
                    text: text(entry, &["description", "content", "subject"]),
                    from: text(entry, &["created_by", "from"]),
                    time: text(entry, &["created_time", "sent_time"]),
                })
                .collect(),
            request_id: id,
        }))
    }

    #[tool(
        name = "get_request_summary",
        title = "Get request summary",
        description = "Get the counts of a ServiceDesk Plus request's notes, worklogs, tasks, \
attachments, approval levels and linked requests, to decide what else to read. Example: \
{\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_request_summary(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestSummaryCounts>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let body = user.upstream().client().requests().summary(&id).await?;
        let counts = body
            .get("summary")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        Ok(Json(RequestSummaryCounts {
            request_id: id,
            counts,
        }))
    }

    #[tool(
        name = "get_resolution",
        title = "Get resolution",
        description = "Get the resolution text of a ServiceDesk Plus request (how it was \
solved), with who wrote it and when. Example: {\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_resolution(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ResolutionView>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let resolution = user.upstream().client().requests().resolution(&id).await?;
        let message = if resolution.content.is_some() {
            format!("Resolution of request {id}.")
        } else {
            format!("Request {id} has no resolution yet.")
        };
        Ok(Json(ResolutionView::new(id, message, resolution)))
    }

    #[tool(
        name = "set_resolution",
        title = "Set resolution",
        description = "Set (add or replace) the resolution text of a ServiceDesk Plus request. \
It does not change the status: close_request or update_request with status \"Resolved\" do. \
Example: {\"request_id\": \"123456789012345\", \"resolution\": \"Replaced the faulty RAM\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn set_resolution(
        &self,
        Parameters(params): Parameters<SetResolutionParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ResolutionView>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.resolution.trim().is_empty() {
            return Err(ToolError::message(
                "`resolution` is empty: give the resolution text",
            ));
        }
        let user = self.user_context(&context).await?;
        let requests = user.upstream().client().requests();
        let mut body = Resolution::new(params.resolution);
        body.add_to_linked_requests = params.add_to_linked_requests;
        requests
            .set_resolution(&id, &body)
            .await
            .or_unknown(&format!("call get_resolution for request {id}"))?;
        let resolution = requests.resolution(&id).await?;
        Ok(Json(ResolutionView::new(
            id.clone(),
            format!("Set the resolution of request {id}."),
            resolution,
        )))
    }
}
