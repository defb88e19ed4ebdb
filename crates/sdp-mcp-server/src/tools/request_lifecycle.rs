//! Toolset `requests`: irreversible lifecycle actions (merge, trash,
//! restore, delete). Every destructive one asks for confirmation.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;

use super::ToolError;
use super::args::request_id;
use super::confirm::{WriteResult, confirm};
use super::requests::RequestIdParams;
use super::sub_views::Done;
use crate::handler::SdpMcp;

/// Arguments naming one request, for a destructive action.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmRequestParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Set to true only after the user agreed to this action (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// Arguments of `merge_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MergeParams {
    /// The request that stays, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// The requests merged into it; they disappear, e.g. `["123456789012346"]`.
    pub(crate) merge_request_ids: Vec<String>,
    /// Set to true only after the user agreed to merge (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

fn done(id: String, message: String) -> Json<Done> {
    Json(Done {
        message,
        request_id: id,
        id: None,
    })
}

#[tool_router(router = request_lifecycle_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "merge_requests",
        title = "Merge requests",
        description = "Merge other ServiceDesk Plus requests into one (irreversible: the merged \
requests disappear; their notes and conversations move to the kept request). Asks the user to \
confirm (or needs confirm: true). Example: {\"request_id\": \"123456789012345\", \
\"merge_request_ids\": [\"123456789012346\"], \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn merge_requests(
        &self,
        Parameters(params): Parameters<MergeParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let others = params
            .merge_request_ids
            .iter()
            .map(|other| request_id(other))
            .collect::<Result<Vec<_>, _>>()?;
        if others.is_empty() || others.contains(&id) {
            return Err(ToolError::message(
                "`merge_request_ids` must list at least one request other than `request_id`",
            ));
        }
        let listed = others.join(", ");
        confirm(
            &context,
            params.confirm,
            &format!("merge request(s) {listed} into request {id}"),
        )
        .await?;
        let user = self.user_context(&context).await?;
        let refs: Vec<&str> = others.iter().map(String::as_str).collect();
        user.upstream()
            .client()
            .requests()
            .merge(&id, &refs)
            .await
            .or_unknown(&format!(
                "call get_request for {listed}: merged requests are no longer found"
            ))?;
        Ok(done(
            id.clone(),
            format!("Merged request(s) {listed} into request {id}."),
        ))
    }

    #[tool(
        name = "trash_request",
        title = "Move request to trash",
        description = "Move a ServiceDesk Plus request to the trash (it disappears from lists; \
restore_request brings it back). Asks the user to confirm (or needs confirm: true). Example: \
{\"request_id\": \"123456789012345\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn trash_request(
        &self,
        Parameters(params): Parameters<ConfirmRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        confirm(
            &context,
            params.confirm,
            &format!("move request {id} to the trash"),
        )
        .await?;
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .requests()
            .move_to_trash(&id)
            .await
            .or_unknown(&format!("call get_request for {id} and look at is_trashed"))?;
        Ok(done(
            id.clone(),
            format!("Moved request {id} to the trash."),
        ))
    }

    #[tool(
        name = "restore_request",
        title = "Restore request",
        description = "Restore a ServiceDesk Plus request from the trash. Example: \
{\"request_id\": \"123456789012345\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn restore_request(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .requests()
            .restore_from_trash(&id)
            .await
            .or_unknown(&format!("call get_request for {id}"))?;
        Ok(done(
            id.clone(),
            format!("Restored request {id} from the trash."),
        ))
    }

    #[tool(
        name = "delete_request",
        title = "Delete request",
        description = "Permanently delete a ServiceDesk Plus request (it cannot be restored; \
prefer trash_request). Asks the user to confirm (or needs confirm: true). Example: \
{\"request_id\": \"123456789012345\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_request(
        &self,
        Parameters(params): Parameters<ConfirmRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        confirm(
            &context,
            params.confirm,
            &format!("permanently delete request {id}"),
        )
        .await?;
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .requests()
            .delete(&id)
            .await
            .or_unknown(&format!(
                "call get_request for {id}: a deleted request is not found"
            ))?;
        Ok(done(id.clone(), format!("Deleted request {id}.")))
    }
}
