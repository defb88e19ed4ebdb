//! Output shapes of a request's sub-resources (worklogs, tasks, attachments,
//! approvals, links) and of deletions, converted from the client's models.

use schemars::JsonSchema;
use sdp_client::{Approval, ApprovalLevel, Attachment, LinkedRequest, Task, Worklog};
use serde::Serialize;
use serde_json::Value;

use super::views::{display, name, user_name};

/// The result of a deletion or another action that returns no record.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Done {
    /// What happened, in one sentence.
    pub(crate) message: String,
    /// The request concerned.
    pub(crate) request_id: String,
    /// The id of the record concerned (note, worklog, task, …), if any.
    pub(crate) id: Option<String>,
}

/// A worklog (time spent on a request).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct WorklogView {
    /// Worklog id.
    pub(crate) id: Option<String>,
    /// What was done.
    pub(crate) description: Option<String>,
    /// Technician who did the work.
    pub(crate) owner: Option<String>,
    /// Start, as SDP displays it.
    pub(crate) start_time: Option<String>,
    /// End, as SDP displays it.
    pub(crate) end_time: Option<String>,
    /// Time spent in minutes.
    pub(crate) minutes_spent: Option<u64>,
    /// Worklog type.
    pub(crate) worklog_type: Option<String>,
}

impl From<Worklog> for WorklogView {
    fn from(worklog: Worklog) -> Self {
        let minutes_spent = worklog.time_spent.as_ref().and_then(|spent| {
            spent
                .value
                .as_deref()
                .and_then(|ms| ms.trim().parse::<u64>().ok())
                .map(|ms| ms / 60_000)
                .or_else(|| {
                    let hours = u64::from(spent.hours.unwrap_or(0));
                    let minutes = u64::from(spent.minutes.unwrap_or(0));
                    (spent.hours.is_some() || spent.minutes.is_some())
                        .then_some(hours * 60 + minutes)
                })
        });
        Self {
            id: worklog.id,
            description: worklog.description,
            owner: user_name(worklog.owner),
            start_time: display(worklog.start_time),
            end_time: display(worklog.end_time),
            minutes_spent,
            worklog_type: name(worklog.worklog_type),
        }
    }
}

/// A task of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TaskView {
    /// Task id.
    pub(crate) id: Option<String>,
    /// Title.
    pub(crate) title: Option<String>,
    /// Description.
    pub(crate) description: Option<String>,
    /// Status name.
    pub(crate) status: Option<String>,
    /// Owner name.
    pub(crate) owner: Option<String>,
    /// Group.
    pub(crate) group: Option<String>,
    /// Priority.
    pub(crate) priority: Option<String>,
    /// Percent done.
    pub(crate) percentage_completion: Option<u32>,
    /// Scheduled start, as SDP displays it.
    pub(crate) scheduled_start_time: Option<String>,
    /// Scheduled end, as SDP displays it.
    pub(crate) scheduled_end_time: Option<String>,
}

impl From<Task> for TaskView {
    fn from(task: Task) -> Self {
        Self {
            id: task.id,
            title: task.title,
            description: task.description,
            status: name(task.status),
            owner: user_name(task.owner),
            group: name(task.group),
            priority: name(task.priority),
            percentage_completion: task.percentage_completion,
            scheduled_start_time: display(task.scheduled_start_time),
            scheduled_end_time: display(task.scheduled_end_time),
        }
    }
}

/// Attachment metadata.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AttachmentView {
    /// Attachment id: pass it to get_attachment / delete_attachment.
    pub(crate) id: Option<String>,
    /// File name.
    pub(crate) name: Option<String>,
    /// Size as SDP reports it (bytes or a display string).
    pub(crate) size: Option<String>,
    /// MIME type.
    pub(crate) content_type: Option<String>,
    /// Uploader.
    pub(crate) attached_by: Option<String>,
}

impl From<Attachment> for AttachmentView {
    fn from(mut attachment: Attachment) -> Self {
        let size = attachment
            .size
            .take()
            .or_else(|| attachment.extra.get("size").map(value_text));
        Self {
            id: attachment.id,
            name: attachment.name,
            size,
            content_type: attachment.content_type,
            attached_by: user_name(attachment.attached_by.or_else(|| {
                attachment
                    .extra
                    .remove("created_by")
                    .and_then(|v| serde_json::from_value(v).ok())
            })),
        }
    }
}

/// One approver's approval.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ApprovalView {
    /// Approval id: pass it to approve_request / reject_request.
    pub(crate) id: Option<String>,
    /// Approver name or email.
    pub(crate) approver: Option<String>,
    /// Status, e.g. "Pending Approval", "Approved", "Rejected".
    pub(crate) status: Option<String>,
    /// The approver's comments.
    pub(crate) comments: Option<String>,
}

impl From<Approval> for ApprovalView {
    fn from(approval: Approval) -> Self {
        Self {
            id: approval.id,
            approver: user_name(approval.approver),
            status: name(approval.status),
            comments: approval.comments,
        }
    }
}

/// An approval level with its approvers.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ApprovalLevelView {
    /// Level id: pass it to add_approver, send_approval_notification, approve_request.
    pub(crate) id: Option<String>,
    /// Level number (1 = first).
    pub(crate) level: Option<u64>,
    /// Level name.
    pub(crate) name: Option<String>,
    /// Level status, e.g. "Pending", "Approved".
    pub(crate) status: Option<String>,
    /// Its approvals.
    pub(crate) approvals: Vec<ApprovalView>,
}

impl ApprovalLevelView {
    /// The level with `approvals` (read separately when SDP does not embed them).
    pub(crate) fn new(level: ApprovalLevel, approvals: Vec<Approval>) -> Self {
        let number = level
            .level_number
            .map(u64::from)
            .or_else(|| level.extra.get("level").and_then(Value::as_u64));
        Self {
            name: level
                .extra
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            id: level.id,
            level: number,
            status: name(level.status),
            approvals: approvals.into_iter().map(ApprovalView::from).collect(),
        }
    }
}

/// A request linked to another one.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LinkView {
    /// The linked request's id.
    pub(crate) request_id: Option<String>,
    /// Its display id.
    pub(crate) display_id: Option<String>,
    /// Its subject.
    pub(crate) subject: Option<String>,
    /// Comments recorded with the link.
    pub(crate) comments: Option<String>,
}

impl From<LinkedRequest> for LinkView {
    fn from(link: LinkedRequest) -> Self {
        let request = link.linked_request.unwrap_or_default();
        Self {
            request_id: request.id,
            display_id: request.display_id,
            subject: request.subject,
            comments: link.comments,
        }
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
