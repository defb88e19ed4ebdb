//! Toolset `requests`: approval levels, approvers and decisions.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{ApprovalInput, ApprovalLevelInput, ListInfo, SdpClient};
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::{numeric_id, request_id};
use super::confirm::{WriteResult, confirm};
use super::requests::RequestIdParams;
use super::sub_views::{ApprovalLevelView, Done};
use crate::handler::SdpMcp;
use crate::lookups::{People, resolve_user};

/// How to check an approval write.
fn check(id: &str) -> String {
    format!("call list_approvals with request_id {id} and look at the levels and statuses")
}

/// Arguments of `add_approval_level`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddLevelParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Approvers of the new level: emails (preferred) or full names, at least one.
    pub(crate) approvers: Vec<String>,
}

/// Arguments of `add_approver`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddApproverParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The approval level's id from list_approvals.
    pub(crate) level_id: String,
    /// The approver: email (preferred) or full name.
    pub(crate) approver: String,
}

/// Arguments of `send_approval_notification`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NotifyParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The approval level's id from list_approvals.
    pub(crate) level_id: String,
    /// The approvals to notify (default: every approval of the level).
    pub(crate) approval_ids: Option<Vec<String>>,
}

/// Arguments of `approve_request` / `reject_request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecideParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The approval's id from list_approvals.
    pub(crate) approval_id: String,
    /// Its approval level's id (default: found with list_approvals).
    pub(crate) level_id: Option<String>,
    /// Comments recorded with the decision.
    pub(crate) comments: Option<String>,
    /// Set to true only after the user agreed to this decision (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// The approval levels of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ApprovalList {
    /// What happened (for writes) or a summary.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// Levels in order, each with its approvals.
    pub(crate) levels: Vec<ApprovalLevelView>,
}

/// Every level of request `id`, each with its approvals.
async fn levels(client: &SdpClient, id: &str) -> Result<Vec<ApprovalLevelView>, ToolError> {
    let requests = client.requests();
    let levels = requests
        .approval_levels(id)
        .list(&ListInfo::new())
        .await?
        .items;
    let mut views = Vec::with_capacity(levels.len());
    for mut level in levels {
        let embedded = level.approvals.take().unwrap_or_default();
        let approvals = match (&level.id, embedded.is_empty()) {
            (Some(level_id), true) => requests.approvals(id, level_id).list().await?,
            _ => embedded,
        };
        views.push(ApprovalLevelView::new(level, approvals));
    }
    Ok(views)
}

async fn listing(
    client: &SdpClient,
    id: String,
    message: String,
) -> Result<Json<ApprovalList>, ToolError> {
    Ok(Json(ApprovalList {
        levels: levels(client, &id).await?,
        message,
        request_id: id,
    }))
}

impl SdpMcp {
    /// Approves (`approve`) or rejects an approval after confirmation.
    async fn decide(
        &self,
        params: DecideParams,
        approve: bool,
        context: &RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let approval_id = numeric_id("approval_id", &params.approval_id, "list_approvals")?;
        let verb = if approve { "approve" } else { "reject" };
        let user = self.user_context(context).await?;
        let client = user.upstream().client();
        let level_id = match params.level_id {
            Some(level) => numeric_id("level_id", &level, "list_approvals")?,
            None => levels(client, &id)
                .await?
                .into_iter()
                .find(|level| {
                    level
                        .approvals
                        .iter()
                        .any(|a| a.id.as_deref() == Some(approval_id.as_str()))
                })
                .and_then(|level| level.id)
                .ok_or_else(|| {
                    ToolError::message(format!(
                        "request {id} has no approval {approval_id}; call list_approvals for \
                         the approval ids"
                    ))
                })?,
        };
        confirm(
            context,
            params.confirm,
            &format!("{verb} request {id} (approval {approval_id})"),
        )
        .await?;
        let approvals = client.requests().approvals(&id, &level_id);
        let comments = params.comments.as_deref();
        let result = if approve {
            approvals.approve(&approval_id, comments).await
        } else {
            approvals.reject(&approval_id, comments).await
        };
        result.or_unknown(&check(&id))?;
        let done = if approve { "Approved" } else { "Rejected" };
        listing(
            client,
            id.clone(),
            format!("{done} request {id} (approval {approval_id})."),
        )
        .await
    }
}

#[tool_router(router = approvals_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_approvals",
        title = "List approvals",
        description = "List the approval levels of a ServiceDesk Plus request with their \
approvers and statuses (Pending Approval, Approved, Rejected). Example: {\"request_id\": \
\"123456789012345\"}. The ids serve add_approver, send_approval_notification, approve_request.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_approvals(
        &self,
        Parameters(params): Parameters<RequestIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let message = format!("Approval levels of request {id}.");
        listing(user.upstream().client(), id, message).await
    }

    #[tool(
        name = "add_approval_level",
        title = "Add approval level",
        description = "Add an approval level to a ServiceDesk Plus request with one or more \
approvers. Then call send_approval_notification so the approvers can decide. Example: \
{\"request_id\": \"123456789012345\", \"approvers\": [\"manager@example.com\"]}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_approval_level(
        &self,
        Parameters(params): Parameters<AddLevelParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.approvers.is_empty() {
            return Err(ToolError::message(
                "`approvers` is empty: give at least one approver's email",
            ));
        }
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let mut approvals = Vec::with_capacity(params.approvers.len());
        for given in &params.approvers {
            let approver = resolve_user(client, "approvers", People::Technicians, given).await?;
            approvals.push(ApprovalInput {
                approver: Some(approver),
                ..ApprovalInput::default()
            });
        }
        let body = ApprovalLevelInput {
            approvals: Some(approvals),
            ..ApprovalLevelInput::default()
        };
        client
            .requests()
            .approval_levels(&id)
            .create(&body)
            .await
            .or_unknown(&check(&id))?;
        listing(
            client,
            id.clone(),
            format!("Added an approval level to request {id}."),
        )
        .await
    }

    #[tool(
        name = "add_approver",
        title = "Add approver",
        description = "Add an approver to an existing approval level of a ServiceDesk Plus \
request. Example: {\"request_id\": \"123456789012345\", \"level_id\": \"5001\", \"approver\": \
\"cfo@example.com\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_approver(
        &self,
        Parameters(params): Parameters<AddApproverParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let level_id = numeric_id("level_id", &params.level_id, "list_approvals")?;
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let approver =
            resolve_user(client, "approver", People::Technicians, &params.approver).await?;
        let body = ApprovalInput {
            approver: Some(approver),
            ..ApprovalInput::default()
        };
        client
            .requests()
            .approvals(&id, &level_id)
            .add(&body)
            .await
            .or_unknown(&check(&id))?;
        listing(
            client,
            id.clone(),
            format!("Added an approver to request {id}."),
        )
        .await
    }

    #[tool(
        name = "send_approval_notification",
        title = "Send approval notification",
        description = "Send the approval request mail to the approvers of one level of a \
ServiceDesk Plus request; approvers can only decide after it. Example: {\"request_id\": \
\"123456789012345\", \"level_id\": \"5001\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn send_approval_notification(
        &self,
        Parameters(params): Parameters<NotifyParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let level_id = numeric_id("level_id", &params.level_id, "list_approvals")?;
        let user = self.user_context(&context).await?;
        let approvals = user
            .upstream()
            .client()
            .requests()
            .approvals(&id, &level_id);
        let ids: Vec<String> = match params.approval_ids {
            Some(ids) => ids
                .iter()
                .map(|a| numeric_id("approval_ids", a, "list_approvals"))
                .collect::<Result<_, _>>()?,
            None => approvals
                .list()
                .await?
                .into_iter()
                .filter_map(|a| a.id)
                .collect(),
        };
        if ids.is_empty() {
            return Err(ToolError::message(format!(
                "approval level {level_id} of request {id} has no approvers; add one with \
                 add_approver"
            )));
        }
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        approvals
            .send_notification(&refs)
            .await
            .or_unknown(&check(&id))?;
        Ok(Json(Done {
            message: format!(
                "Sent the approval notification of level {level_id} of request {id} to {} \
                 approver(s).",
                ids.len()
            ),
            request_id: id,
            id: Some(level_id),
        }))
    }

    #[tool(
        name = "approve_request",
        title = "Approve request",
        description = "Approve a pending approval of a ServiceDesk Plus request (irreversible). \
Asks the user to confirm (or needs confirm: true). Example: {\"request_id\": \
\"123456789012345\", \"approval_id\": \"6001\", \"comments\": \"Budget OK\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn approve_request(
        &self,
        Parameters(params): Parameters<DecideParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        self.decide(params, true, &context).await
    }

    #[tool(
        name = "reject_request",
        title = "Reject request",
        description = "Reject a pending approval of a ServiceDesk Plus request (irreversible). \
Asks the user to confirm (or needs confirm: true). Example: {\"request_id\": \
\"123456789012345\", \"approval_id\": \"6001\", \"comments\": \"Not in budget\", \"confirm\": \
true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn reject_request(
        &self,
        Parameters(params): Parameters<DecideParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ApprovalList>, ToolError> {
        self.decide(params, false, &context).await
    }
}
