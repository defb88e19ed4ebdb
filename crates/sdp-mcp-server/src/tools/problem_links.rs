//! Toolsets `problems` and `changes`: the requests associated with a problem
//! or a change. SDP records the association on the request
//! (`POST`/`DELETE /requests/{id}/problem`, `/request_initiated_change`,
//! `/request_caused_by_change`, the `DELETE` with the same wrapped body), so
//! linking several requests is one call per request; the other side is
//! read with `GET /problems/{id}/link_requests` (`/changes/{id}/…`).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{ApiCall, SdpClient};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::ToolError;
use super::args::{numeric_id, request_id};
use super::confirm::WriteResult;
use super::module_tools::scope_meta;
use crate::handler::SdpMcp;

/// Arguments of `link_problem_requests` / `unlink_problem_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProblemLinkParams {
    /// The problem's SDP id (from list_problems), e.g. "123456789012345".
    pub(crate) problem_id: String,
    /// The requests' SDP ids, e.g. `["223456789012345"]`.
    pub(crate) request_ids: Vec<String>,
}

/// Arguments naming a problem.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProblemIdParams {
    /// The problem's SDP id (from list_problems), e.g. "123456789012345".
    pub(crate) problem_id: String,
}

/// How a request relates to a change.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Relation {
    /// The request initiated the change (the default).
    #[default]
    Initiated,
    /// The change caused the request (e.g. an incident after a rollout).
    CausedBy,
}

impl Relation {
    fn segment(self) -> &'static str {
        match self {
            Self::Initiated => "request_initiated_change",
            Self::CausedBy => "request_caused_by_change",
        }
    }
}

/// Arguments of `link_change_requests` / `unlink_change_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeLinkParams {
    /// The change's SDP id (from list_changes), e.g. "123456789012345".
    pub(crate) change_id: String,
    /// The requests' SDP ids, e.g. `["223456789012345"]`.
    pub(crate) request_ids: Vec<String>,
    /// "initiated" (the requests initiated the change, default) or "caused_by" (the change
    /// caused them).
    #[serde(default)]
    pub(crate) relation: Relation,
}

/// Arguments naming a change.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangeIdParams {
    /// The change's SDP id (from list_changes), e.g. "123456789012345".
    pub(crate) change_id: String,
}

/// One associated request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AssociatedRequest {
    /// The request's SDP id.
    pub(crate) id: String,
    /// Its display id, when SDP gave one.
    pub(crate) display_id: Option<String>,
    /// Its subject, when SDP gave one.
    pub(crate) subject: Option<String>,
    /// For changes: "initiated" or "caused_by".
    pub(crate) relation: Option<String>,
}

/// The requests associated with a problem or change.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AssociatedRequests {
    /// What happened, or a summary.
    pub(crate) message: String,
    /// The problem's or change's id.
    pub(crate) id: String,
    /// The associated requests.
    pub(crate) requests: Vec<AssociatedRequest>,
}

fn request_ids(given: &[String]) -> Result<Vec<String>, ToolError> {
    if given.is_empty() {
        return Err(ToolError::message(
            "`request_ids` is empty: give at least one request's id",
        ));
    }
    given.iter().map(|r| request_id(r)).collect()
}

fn text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `GET /{module}/{id}/link_requests`.
async fn listing(
    client: &SdpClient,
    module: &str,
    id: String,
    message: String,
) -> Result<Json<AssociatedRequests>, ToolError> {
    let call = ApiCall::get([module, id.as_str(), "link_requests"]);
    let response = client.execute(&call).await?;
    let requests = response
        .list_value(&["link_requests"])
        .into_iter()
        .flatten()
        .filter_map(|link| {
            let request = link.get("linked_request")?;
            Some(AssociatedRequest {
                id: text(request, "id")?,
                display_id: text(request, "display_id"),
                subject: text(request, "subject"),
                relation: text(link, "association").filter(|a| a != "problem"),
            })
        })
        .collect();
    Ok(Json(AssociatedRequests {
        message,
        id,
        requests,
    }))
}

/// Sends one association call per request; stops at the first failure,
/// saying which requests were already done.
async fn per_request(
    client: &SdpClient,
    requests: &[String],
    link: bool,
    segment: &str,
    body: &Value,
    check: &str,
) -> Result<(), ToolError> {
    for (done, rid) in requests.iter().enumerate() {
        let path = [String::from("requests"), rid.clone(), segment.to_owned()];
        let call = if link {
            ApiCall::post(path)
        } else {
            ApiCall::delete(path)
        };
        let sent = client
            .execute(&call.input_data(body.clone()))
            .await
            .or_unknown(check);
        if let Err(error) = sent {
            if done == 0 {
                return Err(error);
            }
            return Err(ToolError::message(format!(
                "request {rid} failed after {} were done ({}): {error}",
                done,
                requests[..done].join(", ")
            )));
        }
    }
    Ok(())
}

/// The record requests are associated with, and how SDP's request side
/// names that association.
struct Association {
    /// `problems` or `changes` (the listing path).
    module: &'static str,
    /// `problem` or `change` (messages).
    noun: &'static str,
    id: String,
    /// The request sub-resource (`problem`, `request_initiated_change`, …).
    segment: &'static str,
    body: Value,
}

impl Association {
    fn problem(id: String) -> Self {
        let body = json!({"request_problem_association": {"problem": {"id": id}}});
        Self {
            module: "problems",
            noun: "problem",
            id,
            segment: "problem",
            body,
        }
    }

    fn change(id: String, segment: &'static str) -> Self {
        let body = json!({ segment: {"change": {"id": id}} });
        Self {
            module: "changes",
            noun: "change",
            id,
            segment,
            body,
        }
    }

    /// Links (`link`) or unlinks `requests`, then lists the associations.
    async fn apply(
        self,
        client: &SdpClient,
        requests: &[String],
        link: bool,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let Self {
            module,
            noun,
            id,
            segment,
            body,
        } = self;
        let check = format!("call list_{noun}_requests with {noun}_id {id}");
        per_request(client, requests, link, segment, &body, &check).await?;
        let message = if link {
            format!("Linked {} request(s) to {noun} {id}.", requests.len())
        } else {
            format!("Unlinked {} request(s) from {noun} {id}.", requests.len())
        };
        listing(client, module, id, message).await
    }
}

#[tool_router(router = problem_links_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "link_problem_requests",
        title = "Link requests to problem",
        description = "Associate ServiceDesk Plus requests (incidents) with a problem; a request \
has one problem, so this moves it from any other. Example: {\"problem_id\": \
\"123456789012345\", \"request_ids\": [\"223456789012345\"]}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.requests.UPDATE")
    )]
    async fn link_problem_requests(
        &self,
        Parameters(params): Parameters<ProblemLinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("problem_id", &params.problem_id, "list_problems")?;
        let requests = request_ids(&params.request_ids)?;
        let user = self.user_context(&context).await?;
        Association::problem(id)
            .apply(user.upstream().client(), &requests, true)
            .await
    }

    #[tool(
        name = "unlink_problem_requests",
        title = "Unlink requests from problem",
        description = "Remove the association between ServiceDesk Plus requests and a problem \
(the requests and the problem stay). Example: {\"problem_id\": \"123456789012345\", \
\"request_ids\": [\"223456789012345\"]}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.requests.UPDATE")
    )]
    async fn unlink_problem_requests(
        &self,
        Parameters(params): Parameters<ProblemLinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("problem_id", &params.problem_id, "list_problems")?;
        let requests = request_ids(&params.request_ids)?;
        let user = self.user_context(&context).await?;
        Association::problem(id)
            .apply(user.upstream().client(), &requests, false)
            .await
    }

    #[tool(
        name = "list_problem_requests",
        title = "List problem requests",
        description = "List the ServiceDesk Plus requests associated with a problem. Example: \
{\"problem_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true),
        meta = scope_meta("SDPOnDemand.problems.READ")
    )]
    async fn list_problem_requests(
        &self,
        Parameters(params): Parameters<ProblemIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("problem_id", &params.problem_id, "list_problems")?;
        let user = self.user_context(&context).await?;
        let message = format!("Requests associated with problem {id}.");
        listing(user.upstream().client(), "problems", id, message).await
    }
}

#[tool_router(router = change_links_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "link_change_requests",
        title = "Link requests to change",
        description = "Associate ServiceDesk Plus requests with a change, as requests that \
initiated it (relation \"initiated\", default) or that it caused (\"caused_by\"). Example: \
{\"change_id\": \"123456789012345\", \"request_ids\": [\"223456789012345\"], \"relation\": \
\"caused_by\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.requests.UPDATE")
    )]
    async fn link_change_requests(
        &self,
        Parameters(params): Parameters<ChangeLinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("change_id", &params.change_id, "list_changes")?;
        let requests = request_ids(&params.request_ids)?;
        let user = self.user_context(&context).await?;
        Association::change(id, params.relation.segment())
            .apply(user.upstream().client(), &requests, true)
            .await
    }

    #[tool(
        name = "unlink_change_requests",
        title = "Unlink requests from change",
        description = "Remove the association between ServiceDesk Plus requests and a change \
(give the same relation they were linked with). Example: {\"change_id\": \"123456789012345\", \
\"request_ids\": [\"223456789012345\"], \"relation\": \"initiated\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.requests.UPDATE")
    )]
    async fn unlink_change_requests(
        &self,
        Parameters(params): Parameters<ChangeLinkParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("change_id", &params.change_id, "list_changes")?;
        let requests = request_ids(&params.request_ids)?;
        let user = self.user_context(&context).await?;
        Association::change(id, params.relation.segment())
            .apply(user.upstream().client(), &requests, false)
            .await
    }

    #[tool(
        name = "list_change_requests",
        title = "List change requests",
        description = "List the ServiceDesk Plus requests associated with a change and how \
(initiated / caused_by). Example: {\"change_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true),
        meta = scope_meta("SDPOnDemand.changes.READ")
    )]
    async fn list_change_requests(
        &self,
        Parameters(params): Parameters<ChangeIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AssociatedRequests>, ToolError> {
        let id = numeric_id("change_id", &params.change_id, "list_changes")?;
        let user = self.user_context(&context).await?;
        let message = format!("Requests associated with change {id}.");
        listing(user.upstream().client(), "changes", id, message).await
    }
}
