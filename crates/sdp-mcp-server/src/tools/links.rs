//! Toolset `requests`: links between requests.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::SdpClient;
use sdp_client::api::LinkRequest;
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::request_id;
use super::confirm::WriteResult;
use super::requests::RequestIdParams;
use super::sub_views::LinkView;
use crate::handler::SdpMcp;

/// Arguments of `link_requests` / `unlink_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// The ids of the other requests, e.g. `["123456789012346"]`.
    pub(crate) linked_request_ids: Vec<String>,
    /// Comments recorded with new links (link_requests only).
    pub(crate) comments: Option<String>,
}

/// The links of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LinkList {
    /// What happened, or a summary.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// The requests linked to it.
    pub(crate) links: Vec<LinkView>,
}

fn check(id: &str) -> String {
    format!("call list_linked_requests with request_id {id}")
}

fn others(params: &LinkParams) -> Result<(String, Vec<String>), ToolError> {
    let id = request_id(&params.request_id)?;
    if params.linked_request_ids.is_empty() {
        return Err(ToolError::message(
            "`linked_request_ids` is empty: give at least one other request's id",
        ));
    }
    let others = params
        .linked_request_ids
        .iter()
        .map(|other| request_id(other))
        .collect::<Result<Vec<_>, _>>()?;
    if others.contains(&id) {
        return Err(ToolError::message(
            "a request cannot be linked to itself: remove its own id from `linked_request_ids`",
        ));
    }
    Ok((id, others))
}

async fn listing(
    client: &SdpClient,
    id: String,
    message: String,
) -> Result<Json<LinkList>, ToolError> {
    let links = client.requests().links(&id).await?;
    Ok(Json(LinkList {
        message,
        request_id: id,
        links: links.into_iter().map(LinkView::from).collect(),
    }))
}

#[tool_router(router = links_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "link_requests",
        title = "Link requests",
        description = "Link other ServiceDesk Plus requests to a request (e.g. duplicates or \
related incidents) without merging them. Example: {\"request_id\": \"123456789012345\", \
\"linked_request_ids\": [\"123456789012346\"], \"comments\": \"Same outage\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn link_requests(
        &self,
        Parameters(params): Parameters<LinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<LinkList>, ToolError> {
        let (id, others) = others(&params)?;
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let links: Vec<LinkRequest> = others
            .iter()
            .map(|other| LinkRequest {
                linked_request_id: other.clone(),
                comments: params.comments.clone(),
            })
            .collect();
        client
            .requests()
            .link(&id, &links)
            .await
            .or_unknown(&check(&id))?;
        let message = format!("Linked {} request(s) to request {id}.", others.len());
        listing(client, id, message).await
    }

    #[tool(
        name = "list_linked_requests",
        title = "List linked requests",
        description = "List the requests linked to a ServiceDesk Plus request. Example: \
{\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_linked_requests(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<LinkList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let message = format!("Requests linked to request {id}.");
        listing(user.upstream().client(), id, message).await
    }

    #[tool(
        name = "unlink_requests",
        title = "Unlink requests",
        description = "Remove links between a ServiceDesk Plus request and other requests (the \
requests themselves stay). Example: {\"request_id\": \"123456789012345\", \
\"linked_request_ids\": [\"123456789012346\"]}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn unlink_requests(
        &self,
        Parameters(params): Parameters<LinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<LinkList>, ToolError> {
        let (id, others) = others(&params)?;
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        client
            .requests()
            .unlink(&id, &refs)
            .await
            .or_unknown(&check(&id))?;
        let message = format!("Unlinked {} request(s) from request {id}.", others.len());
        listing(client, id, message).await
    }
}
