//! The approval decisions of toolset `changes`: list the approvals of an
//! approval level, approve, reject. The approval levels themselves are
//! table-driven (`list_change_approval_levels`, …).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::api::ApprovalsApi;
use sdp_client::{ApiCall, SdpClient};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ToolError;
use super::args::numeric_id;
use super::confirm::confirm;
use super::module_tools::scope_meta;
use super::module_tools::values::readable;
use crate::handler::SdpMcp;

/// Arguments of `list_change_approvals`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeApprovalsParams {
    /// The change's SDP id (from list_changes), e.g. "123456789012345".
    pub(crate) change_id: String,
    /// The approval level's id (from list_change_approval_levels).
    pub(crate) approval_level_id: String,
}

/// Arguments of `approve_change` and `reject_change`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeDecisionParams {
    /// The change's SDP id (from list_changes), e.g. "123456789012345".
    pub(crate) change_id: String,
    /// The approval level's id (from list_change_approval_levels).
    pub(crate) approval_level_id: String,
    /// The approval's id (from list_change_approvals).
    pub(crate) approval_id: String,
    /// Why, e.g. "Risk accepted by the CAB".
    pub(crate) comments: Option<String>,
    /// true once the user has agreed. Without it the server asks the user (when the client
    /// supports elicitation) or answers what would happen and changes nothing.
    pub(crate) confirm: Option<bool>,
}

/// The approvals of one level.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ChangeApprovals {
    /// Each approval: id, approver, status, comments.
    pub(crate) approvals: Vec<Map<String, Value>>,
}

/// The result of a decision.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ChangeDecision {
    /// What happened.
    pub(crate) message: String,
    /// The level's approvals after the decision.
    pub(crate) approvals: Vec<Map<String, Value>>,
}

fn ids(change: &str, level: &str) -> Result<(String, String), ToolError> {
    Ok((
        numeric_id("change_id", change, "list_changes")?,
        numeric_id("approval_level_id", level, "list_change_approval_levels")?,
    ))
}

async fn approvals(
    client: &SdpClient,
    change: &str,
    level: &str,
) -> Result<Vec<Map<String, Value>>, ToolError> {
    let call = ApiCall::get(["changes", change, "approval_levels", level, "approvals"]);
    let response = client.execute(&call).await?;
    Ok(response
        .list_value(&["approvals"])
        .map(|items| items.iter().map(|a| readable(a, None)).collect())
        .unwrap_or_default())
}

/// Approves or rejects; sends the approval notification first when SDP
/// says it has not gone out (SDP refuses a decision before it).
async fn decide(
    client: &SdpClient,
    context: &RequestContext<RoleServer>,
    params: ChangeDecisionParams,
    approve: bool,
) -> Result<ChangeDecision, ToolError> {
    let (change, level) = ids(&params.change_id, &params.approval_level_id)?;
    let approval = numeric_id("approval_id", &params.approval_id, "list_change_approvals")?;
    let verb = if approve { "approve" } else { "reject" };
    let what = format!("{verb} change {change} (approval {approval})");
    confirm(context, params.confirm, &what).await?;
    let api: ApprovalsApi<'_> = client.changes().approvals(&change, &level);
    let comments = params.comments.as_deref();
    let run = || async {
        if approve {
            api.approve(&approval, comments).await
        } else {
            api.reject(&approval, comments).await
        }
    };
    if let Err(error) = run().await {
        if !error
            .human_message()
            .to_lowercase()
            .contains("not yet sent")
        {
            return Err(error.into());
        }
        api.send_notification(&[approval.as_str()]).await?;
        run().await?;
    }
    Ok(ChangeDecision {
        message: format!("{verb}d approval {approval} of change {change}"),
        approvals: approvals(client, &change, &level).await?,
    })
}

#[tool_router(router = change_approvals_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_change_approvals",
        title = "List change approvals",
        description = "List the approvals (approver, status, comments) of one approval level \
of a ServiceDesk Plus change. Example: {\"change_id\": \"123456789012345\", \
\"approval_level_id\": \"223456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true),
        meta = scope_meta("SDPOnDemand.changes.READ")
    )]
    async fn list_change_approvals(
        &self,
        Parameters(params): Parameters<ChangeApprovalsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ChangeApprovals>, ToolError> {
        let (change, level) = ids(&params.change_id, &params.approval_level_id)?;
        let user = self.user_context(&context).await?;
        let approvals = approvals(user.upstream().client(), &change, &level).await?;
        Ok(Json(ChangeApprovals { approvals }))
    }

    #[tool(
        name = "approve_change",
        title = "Approve change",
        description = "Approve a ServiceDesk Plus change as the approver of one approval, with \
optional comments; the approval notification is sent first when needed. Needs the user's \
confirmation (asked, or `confirm: true`). Example: \
{\"change_id\": \"123456789012345\", \"approval_level_id\": \"223456789012345\", \
\"approval_id\": \"323456789012345\", \"comments\": \"Risk accepted\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.changes.UPDATE")
    )]
    async fn approve_change(
        &self,
        Parameters(params): Parameters<ChangeDecisionParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ChangeDecision>, ToolError> {
        let user = self.user_context(&context).await?;
        Ok(Json(
            decide(user.upstream().client(), &context, params, true).await?,
        ))
    }

    #[tool(
        name = "reject_change",
        title = "Reject change",
        description = "Reject a ServiceDesk Plus change as the approver of one approval, with \
comments saying why; the approval notification is sent first when needed. Needs the \
user's confirmation (asked, or `confirm: true`). Example: \
{\"change_id\": \"123456789012345\", \"approval_level_id\": \"223456789012345\", \
\"approval_id\": \"323456789012345\", \"comments\": \"No back-out plan\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.changes.UPDATE")
    )]
    async fn reject_change(
        &self,
        Parameters(params): Parameters<ChangeDecisionParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ChangeDecision>, ToolError> {
        let user = self.user_context(&context).await?;
        Ok(Json(
            decide(user.upstream().client(), &context, params, false).await?,
        ))
    }
}
