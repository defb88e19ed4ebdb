//! Toolset `requests`: tasks of a request, full CRUD.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{Lookup, LookupRef, SdpDateTime, TaskInput};
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::{epoch_ms, request_id};
use super::confirm::WriteResult;
use super::crud::{ChildList, Kind, delete_child, list_children};
use super::sub_views::{Done, TaskView};
use crate::context::UserContext;
use crate::handler::SdpMcp;
use crate::lookups::{People, resolve_user};

const TASK: Kind = Kind {
    noun: "task",
    list_tool: "list_request_tasks",
};

/// Task fields shared by `add_request_task` and `update_request_task`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub(crate) struct TaskFields {
    /// Description.
    pub(crate) description: Option<String>,
    /// Task status name, e.g. "Open", "In Progress", "Closed".
    pub(crate) status: Option<String>,
    /// Owner: technician email (preferred) or full name.
    pub(crate) owner: Option<String>,
    /// Support group name.
    pub(crate) group: Option<String>,
    /// Priority name, e.g. "High".
    pub(crate) priority: Option<String>,
    /// Percent done, 0-100.
    pub(crate) percentage_completion: Option<u32>,
    /// Scheduled start: "2026-01-31", "2026-01-31T14:30" (UTC) or epoch milliseconds.
    pub(crate) scheduled_start_time: Option<String>,
    /// Scheduled end, same formats.
    pub(crate) scheduled_end_time: Option<String>,
}

/// Arguments of `add_request_task`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct AddTaskParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Title, e.g. "Order a replacement screen".
    pub(crate) title: String,
    /// The other fields.
    #[serde(flatten)]
    pub(crate) fields: TaskFields,
}

/// Arguments of `update_request_task`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct UpdateTaskParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The task's id from list_request_tasks.
    pub(crate) task_id: String,
    /// New title.
    pub(crate) title: Option<String>,
    /// Fields to change; left-out fields keep their value.
    #[serde(flatten)]
    pub(crate) fields: TaskFields,
}

/// Arguments of `list_request_tasks`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListTasksParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments of `delete_request_task`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteTaskParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The task's id from list_request_tasks.
    pub(crate) task_id: String,
    /// Set to true only after the user agreed to delete (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// A task after a write.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TaskOutcome {
    /// What happened.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// The task as SDP stored it.
    pub(crate) task: TaskView,
}

impl TaskFields {
    async fn apply(self, user: &UserContext, body: &mut TaskInput) -> Result<(), ToolError> {
        let client = user.upstream().client();
        let cache = user.lookups();
        body.description = self.description;
        body.status = self.status.map(LookupRef::name);
        body.percentage_completion = self.percentage_completion;
        if let Some(owner) = self.owner {
            body.owner = Some(resolve_user(client, "owner", People::Technicians, &owner).await?);
        }
        if let Some(group) = self.group {
            let found = cache
                .resolve(client, "group", Lookup::Groups, &group)
                .await?;
            body.group = Some(found.to_ref());
        }
        if let Some(priority) = self.priority {
            let found = cache
                .resolve(client, "priority", Lookup::Priorities, &priority)
                .await?;
            body.priority = Some(found.to_ref());
        }
        if let Some(start) = self.scheduled_start_time {
            let ms = epoch_ms("scheduled_start_time", &start)?;
            body.scheduled_start_time = Some(SdpDateTime::from_epoch_ms(ms));
        }
        if let Some(end) = self.scheduled_end_time {
            let ms = epoch_ms("scheduled_end_time", &end)?;
            body.scheduled_end_time = Some(SdpDateTime::from_epoch_ms(ms));
        }
        Ok(())
    }
}

#[tool_router(router = tasks_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "add_request_task",
        title = "Add request task",
        description = "Add a task to a ServiceDesk Plus request, e.g. a step another team must \
do. Example: {\"request_id\": \"123456789012345\", \"title\": \"Order a replacement screen\", \
\"owner\": \"avery.hall@example.com\", \"priority\": \"High\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_request_task(
        &self,
        Parameters(params): Parameters<AddTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<TaskOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.title.trim().is_empty() {
            return Err(ToolError::message(
                "`title` is empty: give the task a title",
            ));
        }
        let user = self.user_context(&context).await?;
        let mut body = TaskInput::new(params.title);
        params.fields.apply(&user, &mut body).await?;
        let task = user
            .upstream()
            .client()
            .requests()
            .tasks(&id)
            .create(&body)
            .await
            .or_unknown(&TASK.check(&id))?;
        Ok(Json(TaskOutcome {
            message: format!("Added a task to request {id}."),
            request_id: id,
            task: TaskView::from(task),
        }))
    }

    #[tool(
        name = "list_request_tasks",
        title = "List request tasks",
        description = "List the tasks of a ServiceDesk Plus request with status, owner and \
progress. Example: {\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_request_tasks(
        &self,
        Parameters(params): Parameters<ListTasksParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ChildList<TaskView>>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let tasks = user.upstream().client().requests().tasks(&id);
        list_children(tasks, &id, params.page, params.page_size).await
    }

    #[tool(
        name = "update_request_task",
        title = "Update request task",
        description = "Change a task of a ServiceDesk Plus request: title, status, owner, \
priority, progress, schedule. Example: {\"request_id\": \"123456789012345\", \"task_id\": \
\"3001\", \"status\": \"Closed\", \"percentage_completion\": 100}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_request_task(
        &self,
        Parameters(params): Parameters<UpdateTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<TaskOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let task_id = TASK.id(&params.task_id)?;
        let user = self.user_context(&context).await?;
        let mut body = TaskInput {
            title: params.title,
            ..TaskInput::default()
        };
        params.fields.apply(&user, &mut body).await?;
        if body == TaskInput::default() {
            return Err(ToolError::message(
                "nothing to update: give at least one field, e.g. status or percentage_completion",
            ));
        }
        let task = user
            .upstream()
            .client()
            .requests()
            .tasks(&id)
            .update(&task_id, &body)
            .await
            .or_unknown(&TASK.check(&id))?;
        Ok(Json(TaskOutcome {
            message: format!("Updated task {task_id} of request {id}."),
            request_id: id,
            task: TaskView::from(task),
        }))
    }

    #[tool(
        name = "delete_request_task",
        title = "Delete request task",
        description = "Permanently delete a task of a ServiceDesk Plus request. Asks the user \
to confirm (or needs confirm: true). Example: {\"request_id\": \"123456789012345\", \
\"task_id\": \"3001\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_request_task(
        &self,
        Parameters(params): Parameters<DeleteTaskParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let task_id = TASK.id(&params.task_id)?;
        let user = self.user_context(&context).await?;
        let tasks = user.upstream().client().requests().tasks(&id);
        delete_child(&context, tasks, TASK, &id, &task_id, params.confirm).await
    }
}
