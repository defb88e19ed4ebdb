//! Toolset `projects`: the tasks of a project milestone
//! (`/projects/{id}/milestones/{mid}/tasks[/{tid}]`), list, add, update,
//! delete. The fields follow the shared task table.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::ApiCall;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::ToolError;
use super::args::{numeric_id, paging};
use super::confirm::{WriteResult, confirm};
use super::module_tools::scope_meta;
use super::module_tools::subs::TASKS;
use super::module_tools::values::{readable, to_sdp};
use super::views::PageInfo;
use crate::handler::SdpMcp;

/// Arguments of `list_milestone_tasks`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MilestoneParams {
    /// The project's SDP id (from list_projects), e.g. "123456789012345".
    pub(crate) project_id: String,
    /// The milestone's SDP id (from list_project_milestones).
    pub(crate) milestone_id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments of `add_milestone_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddTaskParams {
    /// The project's SDP id (from list_projects), e.g. "123456789012345".
    pub(crate) project_id: String,
    /// The milestone's SDP id (from list_project_milestones).
    pub(crate) milestone_id: String,
    /// The task's fields: title (required), description, status, owner (email or name),
    /// group, priority, task_type, percentage_completion, scheduled_start_time,
    /// scheduled_end_time (YYYY-MM-DD, YYYY-MM-DDTHH:MM or epoch ms), estimated_effort_hours.
    #[schemars(example = json!({"title": "Order laptops", "scheduled_end_time": "2026-03-31"}))]
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of `update_milestone_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateTaskParams {
    /// The project's SDP id (from list_projects), e.g. "123456789012345".
    pub(crate) project_id: String,
    /// The milestone's SDP id (from list_project_milestones).
    pub(crate) milestone_id: String,
    /// The task's SDP id (from list_milestone_tasks).
    pub(crate) task_id: String,
    /// The fields to change (as add_milestone_task); others stay as they are.
    #[schemars(example = json!({"percentage_completion": 50}))]
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of `delete_milestone_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteTaskParams {
    /// The project's SDP id (from list_projects), e.g. "123456789012345".
    pub(crate) project_id: String,
    /// The milestone's SDP id (from list_project_milestones).
    pub(crate) milestone_id: String,
    /// The task's SDP id (from list_milestone_tasks).
    pub(crate) task_id: String,
    /// true once the user has agreed. Without it the server asks the user (when the client
    /// supports elicitation) or answers what would happen and changes nothing.
    pub(crate) confirm: Option<bool>,
}

/// A page of a milestone's tasks.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct MilestoneTasks {
    /// The tasks (lookups and people by name, dates as displayed).
    pub(crate) tasks: Vec<Map<String, Value>>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

/// One task after a write.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct MilestoneTask {
    /// What happened.
    pub(crate) message: String,
    /// The task as SDP has it; absent when SDP answered without it.
    pub(crate) task: Option<Map<String, Value>>,
}

fn ids(project: &str, milestone: &str) -> Result<(String, String), ToolError> {
    Ok((
        numeric_id("project_id", project, "list_projects")?,
        numeric_id("milestone_id", milestone, "list_project_milestones")?,
    ))
}

fn task_id(given: &str) -> Result<String, ToolError> {
    numeric_id("task_id", given, "list_milestone_tasks")
}

fn check(project: &str, milestone: &str) -> String {
    format!("call list_milestone_tasks with project_id {project} and milestone_id {milestone}")
}

fn task_of(response: &sdp_client::ApiResponse, message: String) -> Json<MilestoneTask> {
    let task = response.entity_value(&["task"]).map(|v| readable(v, None));
    Json(MilestoneTask { message, task })
}

#[tool_router(router = milestones_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_milestone_tasks",
        title = "List milestone tasks",
        description = "List the tasks of a ServiceDesk Plus project milestone, 20 per page. \
Example: {\"project_id\": \"123456789012345\", \"milestone_id\": \"223456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true),
        meta = scope_meta("SDPOnDemand.projects.READ")
    )]
    async fn list_milestone_tasks(
        &self,
        Parameters(params): Parameters<MilestoneParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<MilestoneTasks>, ToolError> {
        let (project, milestone) = ids(&params.project_id, &params.milestone_id)?;
        let (list_info, page, size) = paging(params.page, params.page_size);
        let call = ApiCall::get(["projects", &project, "milestones", &milestone, "tasks"])
            .input_data(list_info.to_input_data());
        let user = self.user_context(&context).await?;
        let response = user.upstream().client().execute(&call).await?;
        let tasks = response
            .list_value(&["tasks"])
            .map(|items| items.iter().map(|t| readable(t, None)).collect())
            .unwrap_or_default();
        Ok(Json(MilestoneTasks {
            tasks,
            paging: PageInfo::new(page, size, &response.list_info()),
        }))
    }

    #[tool(
        name = "add_milestone_task",
        title = "Add milestone task",
        description = "Add a task to a ServiceDesk Plus project milestone; `fields` needs a \
title. Example: {\"project_id\": \"123456789012345\", \"milestone_id\": \"223456789012345\", \
\"fields\": {\"title\": \"Order laptops\", \"owner\": \"avery.hall@example.com\"}}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.projects.CREATE")
    )]
    async fn add_milestone_task(
        &self,
        Parameters(params): Parameters<AddTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<MilestoneTask>, ToolError> {
        let (project, milestone) = ids(&params.project_id, &params.milestone_id)?;
        let body = to_sdp(&params.fields, TASKS.rules(), true, "task")?;
        let call = ApiCall::post(["projects", &project, "milestones", &milestone, "tasks"])
            .input_data(json!({ "task": body }));
        let user = self.user_context(&context).await?;
        let response = user
            .upstream()
            .client()
            .execute(&call)
            .await
            .or_unknown(&check(&project, &milestone))?;
        Ok(task_of(
            &response,
            format!("Added a task to milestone {milestone} of project {project}."),
        ))
    }

    #[tool(
        name = "update_milestone_task",
        title = "Update milestone task",
        description = "Update fields of a task of a ServiceDesk Plus project milestone; fields \
not given stay as they are. Example: {\"project_id\": \"123456789012345\", \"milestone_id\": \
\"223456789012345\", \"task_id\": \"323456789012345\", \"fields\": {\"percentage_completion\": \
50}}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.projects.UPDATE")
    )]
    async fn update_milestone_task(
        &self,
        Parameters(params): Parameters<UpdateTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<MilestoneTask>, ToolError> {
        let (project, milestone) = ids(&params.project_id, &params.milestone_id)?;
        let task = task_id(&params.task_id)?;
        let body = to_sdp(&params.fields, TASKS.rules(), false, "task")?;
        let path = [
            "projects",
            &project,
            "milestones",
            &milestone,
            "tasks",
            &task,
        ];
        let call = ApiCall::put(path).input_data(json!({ "task": body }));
        let user = self.user_context(&context).await?;
        let response = user
            .upstream()
            .client()
            .execute(&call)
            .await
            .or_unknown(&check(&project, &milestone))?;
        Ok(task_of(
            &response,
            format!("Updated task {task} of milestone {milestone}."),
        ))
    }

    #[tool(
        name = "delete_milestone_task",
        title = "Delete milestone task",
        description = "Permanently delete a task of a ServiceDesk Plus project milestone. Needs \
the user's confirmation: the server asks when the client supports it, otherwise pass \
\"confirm\": true. Example: {\"project_id\": \"123456789012345\", \"milestone_id\": \
\"223456789012345\", \"task_id\": \"323456789012345\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = false,
            open_world_hint = true
        ),
        meta = scope_meta("SDPOnDemand.projects.DELETE")
    )]
    async fn delete_milestone_task(
        &self,
        Parameters(params): Parameters<DeleteTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<MilestoneTask>, ToolError> {
        let (project, milestone) = ids(&params.project_id, &params.milestone_id)?;
        let task = task_id(&params.task_id)?;
        let what = format!("delete task {task} of milestone {milestone} of project {project}");
        confirm(&context, params.confirm, &what).await?;
        let path = [
            "projects",
            &project,
            "milestones",
            &milestone,
            "tasks",
            &task,
        ];
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .execute(&ApiCall::delete(path))
            .await
            .or_unknown(&check(&project, &milestone))?;
        Ok(Json(MilestoneTask {
            message: format!("Deleted task {task} of milestone {milestone}."),
            task: None,
        }))
    }
}
