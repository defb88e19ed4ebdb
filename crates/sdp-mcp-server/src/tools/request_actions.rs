//! Toolset `requests`, part 2: lifecycle actions (close, assign, pick up).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{Assignment, ClosureInfo, Lookup};
use serde::Deserialize;

use super::ToolError;
use super::args::request_id;
use super::confirm::{WriteResult, confirm};
use super::requests::RequestIdParams;
use super::views::{RequestDetail, RequestOutcome};
use crate::context::UserContext;
use crate::handler::SdpMcp;
use crate::lookups::{People, resolve_user};

/// Arguments of `close_request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseRequestParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Closure comments, e.g. "Replaced the toner; printing works again".
    pub(crate) closure_comments: Option<String>,
    /// Closure code name, e.g. "Success" (only if the portal uses closure codes).
    pub(crate) closure_code: Option<String>,
    /// The requester acknowledged the resolution (default false).
    pub(crate) requester_ack_resolution: Option<bool>,
    /// Set to true only after the user agreed to close (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// Arguments of `assign_request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignRequestParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Technician: email address (preferred) or full name, e.g. "avery.hall@example.com".
    pub(crate) technician: Option<String>,
    /// Support group name, e.g. "Network".
    pub(crate) group: Option<String>,
}

#[tool_router(router = request_actions_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "close_request",
        title = "Close request",
        description = "Close a ServiceDesk Plus request, with optional closure comments and \
closure code. Use it when the work is done and the requester need not reply; to only mark it \
resolved, use update_request with status \"Resolved\". Asks the user to confirm (or needs \
confirm: true). Example: {\"request_id\": \"123456789012345\", \"closure_comments\": \
\"Fixed by reinstalling the driver\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn close_request(
        &self,
        Parameters(params): Parameters<CloseRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        confirm(&context, params.confirm, &format!("close request {id}")).await?;
        let closure_code = match params.closure_code {
            Some(code) => Some(
                user.lookups()
                    .resolve(client, "closure_code", Lookup::ClosureCodes, &code)
                    .await?
                    .to_ref(),
            ),
            None => None,
        };
        let closure = ClosureInfo {
            closure_comments: params.closure_comments,
            closure_code,
            requester_ack_resolution: params.requester_ack_resolution,
            ..ClosureInfo::default()
        };
        client
            .requests()
            .close(&id, &closure)
            .await
            .or_unknown(&format!("call get_request for {id} and look at its status"))?;
        outcome(&user, &id, format!("Closed request {id}.")).await
    }

    #[tool(
        name = "assign_request",
        title = "Assign request",
        description = "Assign a ServiceDesk Plus request to a technician and/or a support group. \
Give the technician's email address (or full name; find_technician helps). Example: \
{\"request_id\": \"123456789012345\", \"technician\": \"avery.hall@example.com\", \"group\": \
\"Hardware\"}. To take a request yourself, use pickup_request.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn assign_request(
        &self,
        Parameters(params): Parameters<AssignRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.technician.is_none() && params.group.is_none() {
            return Err(ToolError::message(
                "give a `technician` (email or name), a `group`, or both",
            ));
        }
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let technician = match &params.technician {
            Some(given) => {
                Some(resolve_user(client, "technician", People::Technicians, given).await?)
            }
            None => None,
        };
        let group = match &params.group {
            Some(given) => Some(
                user.lookups()
                    .resolve(client, "group", Lookup::Groups, given)
                    .await?
                    .to_ref(),
            ),
            None => None,
        };
        let assignment = Assignment {
            technician,
            group,
            ..Assignment::default()
        };
        client
            .requests()
            .assign(&id, &assignment)
            .await
            .or_unknown(&format!(
                "call get_request for {id} and look at its technician"
            ))?;
        let to: Vec<&str> = [params.technician.as_deref(), params.group.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        outcome(
            &user,
            &id,
            format!("Assigned request {id} to {}.", to.join(" / ")),
        )
        .await
    }

    #[tool(
        name = "pickup_request",
        title = "Pick up request",
        description = "Assign a ServiceDesk Plus request to yourself (the SDP user whose \
credentials this server uses). Example: {\"request_id\": \"123456789012345\"}. To assign \
someone else, use assign_request.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn pickup_request(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .requests()
            .pickup(&id)
            .await
            .or_unknown(&format!(
                "call get_request for {id} and look at its technician"
            ))?;
        outcome(&user, &id, format!("Picked up request {id}.")).await
    }
}

/// The request as it is after an action, with `message`.
async fn outcome(
    user: &UserContext,
    id: &str,
    message: String,
) -> Result<Json<RequestOutcome>, ToolError> {
    let request = user.upstream().client().requests().get(id).await?;
    Ok(Json(RequestOutcome {
        message,
        request: RequestDetail::from(request),
    }))
}
