//! The requester tools of toolset `users`: the people who raise requests.

use super::module_tools::spec::{ModuleSpec, Ops, contains, is};

/// The `requesters` table.
pub(crate) static REQUESTERS: ModuleSpec = ModuleSpec {
    path: "requesters",
    singular: "requester",
    plural: "requesters",
    noun: "requester",
    nouns: "requesters",
    label: "requester",
    scope: "users",
    about: "Requesters are the people who raise ServiceDesk Plus requests (end users), with \
            email, phone, department and site.",
    label_field: "name",
    summary_fields: &[
        "name",
        "email_id",
        "phone",
        "department",
        "site",
        "job_title",
    ],
    mandatory: &["name"],
    writable: &[
        "name",
        "email_id",
        "phone",
        "mobile",
        "job_title",
        "employee_id",
        "department",
        "site",
    ],
    lookups: &["department", "site"],
    users: &[],
    dates: &[],
    texts: &[],
    filters: &[
        contains("name", "name", "Part of the name, e.g. \"sam\"."),
        is(
            "email",
            "email_id",
            "Email address, e.g. \"sam.lee@example.com\".",
        ),
        is("department", "department.name", "Department name."),
        is("site", "site.name", "Site name."),
    ],
    example: r#"{"name": "Sam Lee", "email_id": "sam.lee@example.com"}"#,
    // Read-only: the default toolsets stay small.
    ops: Ops::READ,
    search_tool: false,
    actions: &[],
    subs: &[],
};
