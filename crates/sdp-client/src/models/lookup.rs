//! Setup lookups (statuses, priorities, …), portals and `_metainfo`
//! (reference §5.5, §6.5).

use serde_json::{Map, Value};

use super::macros::sdp_model;
use crate::entity::entity;

sdp_model! {
    /// One item of a lookup list (`{"id", "name", …}`; extras such as
    /// `color`, `internal_name`, `deleted` stay in `extra`).
    pub struct LookupItem {
        /// Id.
        pub id: String,
        /// Name as shown in this portal.
        pub name: String,
        /// Internal name (statuses).
        pub internal_name: String,
        /// Description.
        pub description: String,
        /// Deleted / inactive.
        pub deleted: bool,
        /// Inactive.
        pub inactive: bool,
    }
}

/// A lookup list. Paths follow reference §5.5.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lookup {
    /// `/statuses`.
    Statuses,
    /// `/priorities`.
    Priorities,
    /// `/urgencies`.
    Urgencies,
    /// `/impacts`.
    Impacts,
    /// `/levels`.
    Levels,
    /// `/modes`.
    Modes,
    /// `/request_types`.
    RequestTypes,
    /// `/sites`.
    Sites,
    /// `/departments`.
    Departments,
    /// `/categories`.
    Categories,
    /// `/categories/{category_id}/subcategories`.
    Subcategories {
        /// Parent category id.
        category_id: String,
    },
    /// `/subcategories/{subcategory_id}/items`.
    Items {
        /// Parent subcategory id.
        subcategory_id: String,
    },
    /// `/groups` (cloud).
    Groups,
    /// `/support_groups` (on-prem, where `/groups` is 4007).
    SupportGroups,
    /// `/request_templates` (needs `SDPOnDemand.setup.READ`).
    RequestTemplates,
    /// `/service_categories`.
    ServiceCategories,
    /// `/closure_codes`.
    ClosureCodes,
    /// `/change_types`.
    ChangeTypes,
    /// `/products`.
    Products,
    /// `/product_types`.
    ProductTypes,
    /// `/vendors`.
    Vendors,
    /// `/worklog_types`.
    WorklogTypes,
    /// `/task_types`.
    TaskTypes,
    /// Any other list: path segments and the list key.
    Other {
        /// Path segments under the API root.
        segments: Vec<String>,
        /// Key of the list in the answer.
        plural_key: String,
    },
}

impl Lookup {
    /// Lookups without parameters, for discovery (`get_metadata`).
    pub const SIMPLE: [Lookup; 21] = [
        Lookup::Statuses,
        Lookup::Priorities,
        Lookup::Urgencies,
        Lookup::Impacts,
        Lookup::Levels,
        Lookup::Modes,
        Lookup::RequestTypes,
        Lookup::Sites,
        Lookup::Departments,
        Lookup::Categories,
        Lookup::Groups,
        Lookup::SupportGroups,
        Lookup::RequestTemplates,
        Lookup::ServiceCategories,
        Lookup::ClosureCodes,
        Lookup::ChangeTypes,
        Lookup::Products,
        Lookup::ProductTypes,
        Lookup::Vendors,
        Lookup::WorklogTypes,
        Lookup::TaskTypes,
    ];

    /// Path segments under the API root.
    pub fn segments(&self) -> Vec<String> {
        match self {
            Lookup::Subcategories { category_id } => {
                vec![
                    "categories".into(),
                    category_id.clone(),
                    "subcategories".into(),
                ]
            }
            Lookup::Items { subcategory_id } => {
                vec![
                    "subcategories".into(),
                    subcategory_id.clone(),
                    "items".into(),
                ]
            }
            Lookup::Other { segments, .. } => segments.clone(),
            simple => vec![simple.plural_key().to_owned()],
        }
    }

    /// Key of the list in the answer.
    pub fn plural_key(&self) -> &str {
        match self {
            Lookup::Statuses => "statuses",
            Lookup::Priorities => "priorities",
            Lookup::Urgencies => "urgencies",
            Lookup::Impacts => "impacts",
            Lookup::Levels => "levels",
            Lookup::Modes => "modes",
            Lookup::RequestTypes => "request_types",
            Lookup::Sites => "sites",
            Lookup::Departments => "departments",
            Lookup::Categories => "categories",
            Lookup::Subcategories { .. } => "subcategories",
            Lookup::Items { .. } => "items",
            Lookup::Groups => "groups",
            Lookup::SupportGroups => "support_groups",
            Lookup::RequestTemplates => "request_templates",
            Lookup::ServiceCategories => "service_categories",
            Lookup::ClosureCodes => "closure_codes",
            Lookup::ChangeTypes => "change_types",
            Lookup::Products => "products",
            Lookup::ProductTypes => "product_types",
            Lookup::Vendors => "vendors",
            Lookup::WorklogTypes => "worklog_types",
            Lookup::TaskTypes => "task_types",
            Lookup::Other { plural_key, .. } => plural_key,
        }
    }

    /// Parses a lookup name as a tool would receive it (`priorities`,
    /// `request_types`, `support_groups`, case-insensitive; singular accepted).
    pub fn from_name(name: &str) -> Option<Lookup> {
        let name = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Lookup::SIMPLE.into_iter().find(|lookup| {
            let plural = lookup.plural_key();
            plural == name || singular_of(plural) == name
        })
    }
}

fn singular_of(plural: &str) -> String {
    if let Some(stem) = plural.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = plural.strip_suffix("uses") {
        return format!("{stem}us");
    }
    plural.strip_suffix('s').unwrap_or(plural).to_owned()
}

sdp_model! {
    /// A portal (service desk instance), from `GET /api/v3/portals`.
    pub struct Portal {
        /// Id.
        pub id: String,
        /// URL name (`itdesk`), used in `/app/{name}/api/v3`.
        pub name: String,
        /// Display name.
        pub display_name: String,
        /// Portal type.
        pub portal_type: String,
        /// The org's default portal.
        pub is_default: bool,
        /// Status.
        pub status: String,
        /// Time zone.
        pub timezone: String,
    }
}

entity!(Portal, "portals", "portal", "portals");

sdp_model! {
    /// `GET /{module}/_metainfo`: field definitions, including UDFs.
    pub struct MetaInfo {
        /// Field definitions keyed by field name; `udf_fields.fields` holds the UDFs.
        pub fields: Map<String, Value>,
    }
}

entity!(MetaInfo, "_metainfo", "metainfo", "metainfo");

impl MetaInfo {
    /// UDF definitions (`fields.udf_fields.fields`), keyed by UDF name.
    pub fn udf_fields(&self) -> Map<String, Value> {
        self.fields
            .as_ref()
            .and_then(|f| f.get("udf_fields"))
            .and_then(|u| u.get("fields"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}
