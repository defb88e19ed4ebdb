//! Sub-resources shared by several modules: notes, worklogs, tasks,
//! approvals, attachments, and the project-only ones.

use axum::http::Method;

use super::{ID, boolean, dec, dt, flag, html, int, lookup, ro, tech, text, user};
use crate::sdp::spec::{Action, EntitySpec, Field, Kind, Ops, Storage, fd};
use crate::sdp::{approvals, attachments, worklogs};

const NOTE_FIELDS_COMMON: [Field; 10] = [
    ID,
    html("description"),
    boolean("notify_technician"),
    boolean("mark_first_response"),
    boolean("add_to_linked_requests"),
    ro("created_by"),
    ro("created_time"),
    ro("last_updated_by"),
    ro("last_updated_time"),
    flag("is_public"),
];
const REQUEST_NOTE_FIELDS: &[Field] = &{
    let mut all = [boolean("show_to_requester"); 11];
    let mut i = 0;
    while i < NOTE_FIELDS_COMMON.len() {
        all[i + 1] = NOTE_FIELDS_COMMON[i];
        i += 1;
    }
    all
};

/// Request notes: body `request_note` (cloud) or `note` (on-prem); list key
/// from the `notes_list_key` knob.
pub static REQUEST_NOTES: EntitySpec = EntitySpec {
    aliases: &["note"],
    storage: Storage::Nested,
    mandatory: &["description"],
    parent_flag: Some("has_notes"),
    default_sort: ("created_time", false),
    ref_keys: &["id", "description"],
    ..EntitySpec::base("notes", "request_note", "notes", "", REQUEST_NOTE_FIELDS)
};

/// Notes of problems, changes, releases, projects (no `show_to_requester`).
pub static NOTES: EntitySpec = EntitySpec {
    aliases: &["request_note"],
    storage: Storage::Nested,
    mandatory: &["description"],
    parent_flag: Some("has_notes"),
    default_sort: ("created_time", false),
    ..EntitySpec::base("notes", "note", "notes", "", &NOTE_FIELDS_COMMON)
};

const WORKLOG_FIELDS: &[Field] = &[
    ID,
    html("description"),
    tech("owner"),
    dt("start_time"),
    dt("end_time"),
    fd("time_spent", Kind::TimeSpent),
    lookup("worklog_type", "worklog_types"),
    boolean("include_nonoperational_hours"),
    boolean("mark_first_response"),
    boolean("add_time_for_linked_requests"),
    dec("other_charge"),
    dec("tech_charge"),
    ro("created_by"),
    ro("created_time"),
    ro("last_updated_time"),
];

/// Worklogs (`worklog`), under requests, tasks, problems, changes, releases, projects.
pub static WORKLOGS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    default_sort: ("created_time", false),
    rules: &worklogs::WorklogRules,
    ..EntitySpec::base("worklogs", "worklog", "worklogs", "", WORKLOG_FIELDS)
};

/// Fields of a task (nested or standalone).
pub const TASK_FIELDS: &[Field] = &[
    ID,
    ro("display_id"),
    text("title", 250),
    html("description"),
    lookup("status", "task_statuses"),
    tech("owner"),
    lookup("group", "groups"),
    lookup("priority", "priorities"),
    lookup("task_type", "task_types"),
    int("percentage_completion"),
    dt("scheduled_start_time"),
    dt("scheduled_end_time"),
    dt("actual_start_time"),
    dt("actual_end_time"),
    int("estimated_effort_hours"),
    int("estimated_effort_minutes"),
    dec("additional_cost"),
    int("email_before"),
    ro("module"),
    ro("parent"),
    ro("created_by"),
    ro("created_time"),
    ro("last_updated_time"),
];

/// Tasks under a request, problem, change, release or project.
pub static NESTED_TASKS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["title"],
    defaults: &[("status", "Open")],
    subs: &[&WORKLOGS],
    ref_keys: &["id", "title"],
    rules: &worklogs::TaskRules,
    ..EntitySpec::base("tasks", "task", "tasks", "", TASK_FIELDS)
};

const APPROVAL_FIELDS: &[Field] = &[
    ID,
    user("approver"),
    ro("status"),
    html("comments"),
    ro("sent_on"),
    ro("action_taken_on"),
    ro("created_time"),
    ro("created_by"),
];

/// Approvals of an approval level (`approval`).
pub static APPROVALS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["approver"],
    collection_actions: &[
        Action {
            name: "send_notification",
            method: Method::PUT,
            run: approvals::send_notification,
        },
        Action {
            name: "get_notification_content",
            method: Method::GET,
            run: approvals::notification_content,
        },
    ],
    actions: &[
        Action {
            name: "_approve",
            method: Method::PUT,
            run: approvals::approve,
        },
        Action {
            name: "approve",
            method: Method::PUT,
            run: approvals::approve,
        },
        Action {
            name: "_reject",
            method: Method::PUT,
            run: approvals::reject,
        },
        Action {
            name: "reject",
            method: Method::PUT,
            run: approvals::reject,
        },
    ],
    custom_create: Some(approvals::create_approvals),
    ops: Ops {
        read: true,
        create: true,
        update: false,
        delete: true,
    },
    ..EntitySpec::base("approvals", "approval", "approvals", "", APPROVAL_FIELDS)
};

const APPROVAL_LEVEL_FIELDS: &[Field] = &[
    ID,
    ro("level"),
    text("name", 100),
    ro("status"),
    fd("approvers", Kind::Transient),
    fd("approvals", Kind::Transient),
    ro("created_time"),
    ro("created_by"),
];

/// Approval levels (`approval_level`); POST needs ≥1 approver.
pub static APPROVAL_LEVELS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    subs: &[&APPROVALS],
    custom_create: Some(approvals::create_level),
    ops: Ops {
        read: true,
        create: true,
        update: false,
        delete: true,
    },
    ..EntitySpec::base(
        "approval_levels",
        "approval_level",
        "approval_levels",
        "",
        APPROVAL_LEVEL_FIELDS,
    )
};

const ATTACHMENT_FIELDS: &[Field] = &[
    ID,
    ro("name"),
    ro("file_id"),
    ro("size"),
    ro("content_type"),
    ro("content_url"),
    html("description"),
    ro("created_by"),
    ro("created_time"),
];

/// Attachments: created by `PUT …/upload`, listed, downloaded, deleted.
pub static ATTACHMENTS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    parent_flag: Some("has_attachments"),
    actions: &[
        Action {
            name: "download",
            method: Method::GET,
            run: attachments::download,
        },
        Action {
            name: "_download",
            method: Method::GET,
            run: attachments::download,
        },
    ],
    ops: Ops {
        read: true,
        create: false,
        update: false,
        delete: true,
    },
    ..EntitySpec::base(
        "attachments",
        "attachment",
        "attachments",
        "",
        ATTACHMENT_FIELDS,
    )
};

const MILESTONE_FIELDS: &[Field] = &[
    ID,
    text("title", 250),
    html("description"),
    tech("owner"),
    lookup("status", "project_statuses"),
    dt("scheduled_start_time"),
    dt("scheduled_end_time"),
    dt("actual_start_time"),
    dt("actual_end_time"),
    int("percentage_completion"),
    ro("created_time"),
    ro("created_by"),
];

/// Project milestones (`milestone`).
pub static MILESTONES: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["title"],
    subs: &[&NESTED_TASKS],
    ref_keys: &["id", "title"],
    ..EntitySpec::base(
        "milestones",
        "milestone",
        "milestones",
        "",
        MILESTONE_FIELDS,
    )
};

const MEMBER_FIELDS: &[Field] = &[ID, user("user"), text("role", 100), ro("created_time")];

/// Project members (`member`), added by `user`.
pub static MEMBERS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["user"],
    ops: Ops {
        read: true,
        create: true,
        update: false,
        delete: true,
    },
    ..EntitySpec::base("members", "member", "members", "", MEMBER_FIELDS)
};

const COMMENT_FIELDS: &[Field] = &[ID, html("content"), ro("created_by"), ro("created_time")];

/// Project comments (`comment`, text in `content`).
pub static COMMENTS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["content"],
    ..EntitySpec::base("comments", "comment", "comments", "", COMMENT_FIELDS)
};

const CI_RELATIONSHIP_FIELDS: &[Field] = &[
    ID,
    text("relationship", 100),
    lookup("related_ci", "cmdb"),
    html("description"),
    ro("created_time"),
];

/// Relationships of a configuration item.
pub static CI_RELATIONSHIPS: EntitySpec = EntitySpec {
    storage: Storage::Nested,
    mandatory: &["relationship", "related_ci"],
    ..EntitySpec::base(
        "ci_relationships",
        "ci_relationship",
        "ci_relationships",
        "",
        CI_RELATIONSHIP_FIELDS,
    )
};
