//! Toolset `cmdb`: configuration items and their relationships.

use super::module_tools::spec::{ModuleSpec, Ops, is};
use super::module_tools::subs::CI_RELATIONSHIPS;

/// The `cmdb` table.
pub(crate) static CIS: ModuleSpec = ModuleSpec {
    path: "cmdb",
    singular: "ci",
    plural: "cmdb",
    noun: "ci",
    nouns: "cis",
    label: "configuration item",
    scope: "cmdb",
    about: "Configuration items (CIs) are the services, servers and other components in the \
            ServiceDesk Plus CMDB, linked by relationships.",
    label_field: "name",
    summary_fields: &["name", "ci_type", "criticality", "site", "owned_by"],
    mandatory: &["name", "ci_type"],
    writable: &[
        "name",
        "ci_type",
        "description",
        "criticality",
        "site",
        "department",
        "owned_by",
        "managed_by_group",
    ],
    lookups: &["ci_type", "site", "department", "managed_by_group"],
    users: &["owned_by"],
    dates: &[],
    texts: &[],
    filters: &[
        is("ci_type", "ci_type.name", "CI type name, e.g. \"Server\"."),
        is("site", "site.name", "Site name."),
    ],
    example: r#"{"name": "db-prod-01", "ci_type": "Server", "criticality": "High"}"#,
    ops: Ops::ALL,
    search_tool: false,
    actions: &[],
    subs: &[CI_RELATIONSHIPS],
};
