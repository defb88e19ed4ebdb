//! Sub-resource tables shared by several modules: notes, tasks, worklogs,
//! approval levels, and the project- and CMDB-only ones.

use super::spec::{Ops, SubSpec};

/// Add, list, update and delete, no get.
const NO_GET: Ops = Ops {
    get: false,
    ..Ops::ALL
};

/// List, add and delete.
const NO_UPDATE: Ops = Ops {
    get: false,
    update: false,
    ..Ops::ALL
};

/// Notes (`note`).
pub(crate) const NOTES: SubSpec = SubSpec {
    path: "notes",
    singular: "note",
    plural: "notes",
    noun: "note",
    nouns: "notes",
    label_field: "description",
    mandatory: &["description"],
    writable: &["description", "show_to_requester", "notify_technician"],
    lookups: &[],
    users: &[],
    dates: &[],
    example: r#"{"description": "Vendor confirmed the root cause."}"#,
    ops: NO_GET,
};

/// Tasks (`task`).
pub(crate) const TASKS: SubSpec = SubSpec {
    path: "tasks",
    singular: "task",
    plural: "tasks",
    noun: "task",
    nouns: "tasks",
    label_field: "title",
    mandatory: &["title"],
    writable: &[
        "title",
        "description",
        "status",
        "owner",
        "group",
        "priority",
        "task_type",
        "percentage_completion",
        "scheduled_start_time",
        "scheduled_end_time",
        "estimated_effort_hours",
    ],
    lookups: &["status", "group", "priority", "task_type"],
    users: &["owner"],
    dates: &["scheduled_start_time", "scheduled_end_time"],
    example: r#"{"title": "Check the switch logs", "owner": "avery.hall@example.com"}"#,
    ops: NO_GET,
};

/// Worklogs (`worklog`).
pub(crate) const WORKLOGS: SubSpec = SubSpec {
    path: "worklogs",
    singular: "worklog",
    plural: "worklogs",
    noun: "worklog",
    nouns: "worklogs",
    label_field: "description",
    mandatory: &[],
    writable: &[
        "description",
        "owner",
        "start_time",
        "end_time",
        "time_spent",
        "worklog_type",
        "other_charge",
    ],
    lookups: &["worklog_type"],
    users: &["owner"],
    dates: &["start_time", "end_time"],
    example: r#"{"description": "Analysed logs", "start_time": "2026-01-31T09:00", "end_time": "2026-01-31T10:30"}"#,
    ops: NO_GET,
};

/// Approval levels (`approval_level`).
pub(crate) const APPROVAL_LEVELS: SubSpec = SubSpec {
    path: "approval_levels",
    singular: "approval_level",
    plural: "approval_levels",
    noun: "approval_level",
    nouns: "approval_levels",
    label_field: "name",
    mandatory: &["approvers"],
    writable: &["name", "approvers"],
    lookups: &[],
    users: &[],
    dates: &[],
    example: r#"{"name": "CAB", "approvers": [{"email_id": "avery.hall@example.com"}]}"#,
    ops: NO_UPDATE,
};

/// Project milestones (`milestone`).
pub(crate) const MILESTONES: SubSpec = SubSpec {
    path: "milestones",
    singular: "milestone",
    plural: "milestones",
    noun: "milestone",
    nouns: "milestones",
    label_field: "title",
    mandatory: &["title"],
    writable: &[
        "title",
        "description",
        "owner",
        "status",
        "scheduled_start_time",
        "scheduled_end_time",
        "percentage_completion",
    ],
    lookups: &["status"],
    users: &["owner"],
    dates: &["scheduled_start_time", "scheduled_end_time"],
    example: r#"{"title": "Pilot rollout", "scheduled_end_time": "2026-03-31"}"#,
    ops: NO_GET,
};

/// Project members (`member`).
pub(crate) const MEMBERS: SubSpec = SubSpec {
    path: "members",
    singular: "member",
    plural: "members",
    noun: "member",
    nouns: "members",
    label_field: "user",
    mandatory: &["user"],
    writable: &["user", "role"],
    lookups: &[],
    users: &["user"],
    dates: &[],
    example: r#"{"user": "avery.hall@example.com", "role": "Engineer"}"#,
    ops: NO_UPDATE,
};

/// Project comments (`comment`).
pub(crate) const COMMENTS: SubSpec = SubSpec {
    path: "comments",
    singular: "comment",
    plural: "comments",
    noun: "comment",
    nouns: "comments",
    label_field: "content",
    mandatory: &["content"],
    writable: &["content"],
    lookups: &[],
    users: &[],
    dates: &[],
    example: r#"{"content": "Kick-off moved to Monday."}"#,
    ops: NO_GET,
};

/// Relationships of a configuration item (`ci_relationship`).
pub(crate) const CI_RELATIONSHIPS: SubSpec = SubSpec {
    path: "ci_relationships",
    singular: "ci_relationship",
    plural: "ci_relationships",
    noun: "relationship",
    nouns: "relationships",
    label_field: "relationship",
    mandatory: &["relationship", "related_ci"],
    writable: &["relationship", "related_ci", "description"],
    lookups: &[],
    users: &[],
    dates: &[],
    example: r#"{"relationship": "Depends On", "related_ci": {"id": "123456789012345"}}"#,
    ops: NO_UPDATE,
};

/// Attachments (`attachment`): listed and deleted here; uploads and
/// downloads are `add_<noun>_attachment` / `get_<noun>_attachment`.
pub(crate) const ATTACHMENTS: SubSpec = SubSpec {
    path: "attachments",
    singular: "attachment",
    plural: "attachments",
    noun: "attachment",
    nouns: "attachments",
    label_field: "name",
    mandatory: &[],
    writable: &[],
    lookups: &[],
    users: &[],
    dates: &[],
    example: "{}",
    ops: Ops {
        list: true,
        get: false,
        create: false,
        update: false,
        delete: true,
    },
};
