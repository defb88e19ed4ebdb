//! Toolset `requests`: worklogs (time spent) of a request, full CRUD.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{Lookup, SdpDateTime, TimeSpent, WorklogInput};
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::{epoch_ms, request_id};
use super::confirm::WriteResult;
use super::crud::{ChildList, Kind, delete_child, list_children};
use super::sub_views::{Done, WorklogView};
use crate::context::UserContext;
use crate::handler::SdpMcp;
use crate::lookups::{People, resolve_user};

const WORKLOG: Kind = Kind {
    noun: "worklog",
    list_tool: "list_worklogs",
};

/// Worklog fields shared by `add_worklog` and `update_worklog`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub(crate) struct WorklogFields {
    /// What was done, e.g. "Replaced the keyboard".
    pub(crate) description: Option<String>,
    /// Technician who did the work: email (preferred) or full name. Default: you.
    pub(crate) technician: Option<String>,
    /// Hours spent, e.g. 1.
    pub(crate) hours: Option<u32>,
    /// Minutes spent (besides hours), e.g. 30.
    pub(crate) minutes: Option<u32>,
    /// Start: "2026-01-31", "2026-01-31T14:30" (UTC) or epoch milliseconds.
    pub(crate) start_time: Option<String>,
    /// End, same formats as start_time.
    pub(crate) end_time: Option<String>,
    /// Worklog type name, e.g. "Break Fix" (see get_metadata with `{"lists": ["worklog_types"]}`).
    pub(crate) worklog_type: Option<String>,
}

/// Arguments of `add_worklog`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct AddWorklogParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// The worklog.
    #[serde(flatten)]
    pub(crate) fields: WorklogFields,
}

/// Arguments of `update_worklog`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct UpdateWorklogParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The worklog's id from list_worklogs.
    pub(crate) worklog_id: String,
    /// Fields to change; left-out fields keep their value.
    #[serde(flatten)]
    pub(crate) fields: WorklogFields,
}

/// Arguments of `list_worklogs`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListWorklogsParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments of `delete_worklog`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteWorklogParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The worklog's id from list_worklogs.
    pub(crate) worklog_id: String,
    /// Set to true only after the user agreed to delete (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// A worklog after a write.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct WorklogOutcome {
    /// What happened.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// The worklog as SDP stored it.
    pub(crate) worklog: WorklogView,
}

impl WorklogFields {
    async fn body(self, user: &UserContext) -> Result<WorklogInput, ToolError> {
        let client = user.upstream().client();
        let mut body = WorklogInput {
            description: self.description,
            ..WorklogInput::default()
        };
        if let Some(technician) = self.technician {
            body.owner =
                Some(resolve_user(client, "technician", People::Technicians, &technician).await?);
        }
        if self.hours.is_some() || self.minutes.is_some() {
            body.time_spent = Some(TimeSpent::new(
                self.hours.unwrap_or(0),
                self.minutes.unwrap_or(0),
            ));
        }
        if let Some(start) = self.start_time {
            body.start_time = Some(SdpDateTime::from_epoch_ms(epoch_ms("start_time", &start)?));
        }
        if let Some(end) = self.end_time {
            body.end_time = Some(SdpDateTime::from_epoch_ms(epoch_ms("end_time", &end)?));
        }
        if let Some(kind) = self.worklog_type {
            body.worklog_type = Some(
                user.lookups()
                    .resolve(client, "worklog_type", Lookup::WorklogTypes, &kind)
                    .await?
                    .to_ref(),
            );
        }
        Ok(body)
    }
}

#[tool_router(router = worklogs_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "add_worklog",
        title = "Add worklog",
        description = "Record time spent on a ServiceDesk Plus request (a worklog): hours and \
minutes, what was done, who did it. Example: {\"request_id\": \"123456789012345\", \"hours\": \
1, \"minutes\": 30, \"description\": \"Reinstalled the VPN client\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_worklog(
        &self,
        Parameters(params): Parameters<AddWorklogParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<WorklogOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let body = params.fields.body(&user).await?;
        let worklog = user
            .upstream()
            .client()
            .requests()
            .worklogs(&id)
            .create(&body)
            .await
            .or_unknown(&WORKLOG.check(&id))?;
        Ok(Json(WorklogOutcome {
            message: format!("Added a worklog to request {id}."),
            request_id: id,
            worklog: WorklogView::from(worklog),
        }))
    }

    #[tool(
        name = "list_worklogs",
        title = "List worklogs",
        description = "List the worklogs (time spent) of a ServiceDesk Plus request, with \
technician, minutes and description. Example: {\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_worklogs(
        &self,
        Parameters(params): Parameters<ListWorklogsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ChildList<WorklogView>>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let worklogs = user.upstream().client().requests().worklogs(&id);
        list_children(worklogs, &id, params.page, params.page_size).await
    }

    #[tool(
        name = "update_worklog",
        title = "Update worklog",
        description = "Change a worklog of a ServiceDesk Plus request: time spent, description, \
technician, start/end or type. Example: {\"request_id\": \"123456789012345\", \"worklog_id\": \
\"2001\", \"minutes\": 45}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_worklog(
        &self,
        Parameters(params): Parameters<UpdateWorklogParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<WorklogOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let worklog_id = WORKLOG.id(&params.worklog_id)?;
        let user = self.user_context(&context).await?;
        let body = params.fields.body(&user).await?;
        if body == WorklogInput::default() {
            return Err(ToolError::message(
                "nothing to update: give at least one field, e.g. minutes or description",
            ));
        }
        let worklog = user
            .upstream()
            .client()
            .requests()
            .worklogs(&id)
            .update(&worklog_id, &body)
            .await
            .or_unknown(&WORKLOG.check(&id))?;
        Ok(Json(WorklogOutcome {
            message: format!("Updated worklog {worklog_id} of request {id}."),
            request_id: id,
            worklog: WorklogView::from(worklog),
        }))
    }

    #[tool(
        name = "delete_worklog",
        title = "Delete worklog",
        description = "Permanently delete a worklog of a ServiceDesk Plus request. Asks the user \
to confirm (or needs confirm: true). Example: {\"request_id\": \"123456789012345\", \
\"worklog_id\": \"2001\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_worklog(
        &self,
        Parameters(params): Parameters<DeleteWorklogParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let worklog_id = WORKLOG.id(&params.worklog_id)?;
        let user = self.user_context(&context).await?;
        let worklogs = user.upstream().client().requests().worklogs(&id);
        delete_child(
            &context,
            worklogs,
            WORKLOG,
            &id,
            &worklog_id,
            params.confirm,
        )
        .await
    }
}
