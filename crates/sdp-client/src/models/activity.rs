//! Work recorded on a record: notes, worklogs, tasks, approvals (reference §6.3).

use super::common::{LookupRef, NamedRef, SdpDateTime, TimeSpent, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A note on a request, problem or change.
    pub struct Note {
        /// Id.
        pub id: String,
        /// HTML text.
        pub description: String,
        /// Visible to (and mailed to) the requester.
        pub show_to_requester: bool,
        /// Notify the technician.
        pub notify_technician: bool,
        /// Counts as first response.
        pub mark_first_response: bool,
        /// Added to linked requests too.
        pub add_to_linked_requests: bool,
        /// Author.
        pub created_by: UserInfo,
        /// Created.
        pub created_time: SdpDateTime,
        /// Last updated.
        pub last_updated_time: SdpDateTime,
    }
}

// Cloud docs wrap a request note in `request_note`, on-prem clients use
// `note`; lists come as `notes` or `request_notes` (reference §4.1, §5.1).
entity!(
    Note,
    "notes",
    "request_note",
    "notes",
    singular_aliases = ["note"],
    plural_aliases = ["request_notes"]
);

sdp_model! {
    /// Body of a note create or update. Only `description` is mandatory.
    pub struct NoteInput {
        /// HTML text.
        pub description: String,
        /// Visible to (and mailed to) the requester.
        pub show_to_requester: bool,
        /// Notify the technician.
        pub notify_technician: bool,
        /// Counts as first response.
        pub mark_first_response: bool,
        /// Add to linked requests too.
        pub add_to_linked_requests: bool,
    }
}

impl NoteInput {
    /// A note with `description`.
    pub fn new(description: impl Into<String>) -> Self {
        NoteInput {
            description: Some(description.into()),
            ..NoteInput::default()
        }
    }
}

sdp_model! {
    /// A worklog (time spent).
    pub struct Worklog {
        /// Id.
        pub id: String,
        /// Description.
        pub description: String,
        /// Technician who did the work.
        pub owner: UserInfo,
        /// Start.
        pub start_time: SdpDateTime,
        /// End.
        pub end_time: SdpDateTime,
        /// Time spent (`value` in ms).
        pub time_spent: TimeSpent,
        /// Worklog type.
        pub worklog_type: NamedRef,
        /// Include non-operational hours.
        pub include_nonoperational_hours: bool,
        /// Counts as first response.
        pub mark_first_response: bool,
    }
}

entity!(Worklog, "worklogs", "worklog", "worklogs");

sdp_model! {
    /// Body of a worklog create or update: `time_spent` as hours and minutes,
    /// owner by email or id (other shapes are refused).
    pub struct WorklogInput {
        /// Description.
        pub description: String,
        /// Technician.
        pub owner: UserRef,
        /// Start.
        pub start_time: SdpDateTime,
        /// End.
        pub end_time: SdpDateTime,
        /// Time spent.
        pub time_spent: TimeSpent,
        /// Worklog type.
        pub worklog_type: LookupRef,
        /// Include non-operational hours.
        pub include_nonoperational_hours: bool,
        /// Counts as first response.
        pub mark_first_response: bool,
    }
}

sdp_model! {
    /// A task (of a request, problem, change, release, project, or standalone).
    pub struct Task {
        /// Id.
        pub id: String,
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: NamedRef,
        /// Owner.
        pub owner: UserInfo,
        /// Group.
        pub group: NamedRef,
        /// Priority.
        pub priority: NamedRef,
        /// Task type.
        pub task_type: NamedRef,
        /// Percent done.
        pub percentage_completion: u32,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// Actual start.
        pub actual_start_time: SdpDateTime,
        /// Actual end.
        pub actual_end_time: SdpDateTime,
        /// Created.
        pub created_time: SdpDateTime,
    }
}

entity!(Task, "tasks", "task", "tasks");
module!(Task, new = TaskInput, update = TaskInput);

sdp_model! {
    /// Body of a task create or update (`title` mandatory on create).
    pub struct TaskInput {
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: LookupRef,
        /// Owner.
        pub owner: UserRef,
        /// Group.
        pub group: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Task type.
        pub task_type: LookupRef,
        /// Percent done.
        pub percentage_completion: u32,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
    }
}

impl TaskInput {
    /// A task with `title`.
    pub fn new(title: impl Into<String>) -> Self {
        TaskInput {
            title: Some(title.into()),
            ..TaskInput::default()
        }
    }
}

sdp_model! {
    /// An approval level.
    pub struct ApprovalLevel {
        /// Id.
        pub id: String,
        /// Level number (1-based).
        pub level_number: u32,
        /// Status (`Pending`, …).
        pub status: NamedRef,
        /// Approvals in this level, when embedded.
        pub approvals: Vec<Approval>,
    }
}

entity!(
    ApprovalLevel,
    "approval_levels",
    "approval_level",
    "approval_levels"
);

sdp_model! {
    /// Body of an approval-level create: on-prem needs at least one approver
    /// in the same call.
    pub struct ApprovalLevelInput {
        /// Approvers of the new level.
        pub approvals: Vec<ApprovalInput>,
    }
}

sdp_model! {
    /// One approval.
    pub struct Approval {
        /// Id.
        pub id: String,
        /// Approver.
        pub approver: UserInfo,
        /// Status (`Pending Approval`, `Approved`, `Rejected`, …).
        pub status: NamedRef,
        /// Comments.
        pub comments: String,
        /// When decided.
        pub approved_time: SdpDateTime,
        /// When the notification was sent.
        pub sent_time: SdpDateTime,
    }
}

entity!(Approval, "approvals", "approval", "approvals");

sdp_model! {
    /// Body of an approval create.
    pub struct ApprovalInput {
        /// Approver.
        pub approver: UserRef,
        /// Comments.
        pub comments: String,
    }
}
