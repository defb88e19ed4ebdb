//! Toolset `solutions`: the knowledge base (search, CRUD, trash and restore)
//! and its topics.

use super::module_tools::spec::{ActionKind, ActionSpec, CREATED_RANGE, ModuleSpec, Ops, is};
use super::module_tools::subs::ATTACHMENTS;

/// The `solutions` table.
pub(crate) static SOLUTIONS: ModuleSpec = ModuleSpec {
    path: "solutions",
    singular: "solution",
    plural: "solutions",
    noun: "solution",
    nouns: "solutions",
    label: "solution",
    scope: "solutions",
    about: "Solutions are ServiceDesk Plus knowledge-base articles, filed under topics; search \
            them before answering a request.",
    label_field: "title",
    summary_fields: &[
        "title",
        "topic",
        "keywords",
        "is_public",
        "approval_status",
        "view_count",
        "last_updated_time",
    ],
    mandatory: &["title", "topic"],
    writable: &[
        "title",
        "description",
        "topic",
        "keywords",
        "is_public",
        "expiry_date",
        "review_date",
    ],
    lookups: &["topic"],
    users: &[],
    dates: &["expiry_date", "review_date"],
    texts: &[],
    filters: &[
        is("topic", "topic.name", "Topic name, e.g. \"Network\"."),
        CREATED_RANGE[0],
        CREATED_RANGE[1],
    ],
    example: r#"{"title": "Reset a VPN token", "topic": "Network", "description": "<p>Open the portal…</p>"}"#,
    ops: Ops {
        delete: false,
        ..Ops::ALL
    },
    search_tool: true,
    actions: &[
        ActionSpec {
            verb: "trash",
            segment: "_move_to_trash",
            kind: ActionKind::Trash,
            comments_at: &[],
        },
        ActionSpec {
            verb: "restore",
            segment: "restore_from_trash",
            kind: ActionKind::Restore,
            comments_at: &[],
        },
    ],
    subs: &[ATTACHMENTS],
};

/// The `topics` table.
pub(crate) static TOPICS: ModuleSpec = ModuleSpec {
    path: "topics",
    singular: "topic",
    plural: "topics",
    noun: "topic",
    nouns: "topics",
    label: "topic",
    scope: "solutions",
    about: "Topics are the folders of the ServiceDesk Plus knowledge base.",
    label_field: "name",
    summary_fields: &["name", "parent_topic", "description"],
    mandatory: &["name"],
    writable: &["name", "description", "parent_topic"],
    lookups: &["parent_topic"],
    users: &[],
    dates: &[],
    texts: &[],
    filters: &[],
    example: r#"{"name": "Printing", "parent_topic": "Hardware"}"#,
    ops: Ops::ALL,
    search_tool: false,
    actions: &[],
    subs: &[],
};
