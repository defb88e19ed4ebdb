//! Admin lookups (`setup` scope): statuses, priorities, categories →
//! subcategories → items, groups, sites, templates, and the smaller lookups
//! other entities point at.

use super::{ID, arr, boolean, html, lookup, text};
use crate::sdp::spec::{EntitySpec, Field, Storage};

const LOOKUP_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    text("color", 20),
    text("internal_name", 100),
    boolean("inactive"),
];

const fn lk(path: &'static str, singular: &'static str) -> EntitySpec {
    EntitySpec {
        mandatory: &["name"],
        unique: &["name"],
        in_use_check: true,
        default_sort: ("name", false),
        ..EntitySpec::base(path, singular, path, "setup", LOOKUP_FIELDS)
    }
}

const fn colored(path: &'static str, singular: &'static str) -> EntitySpec {
    EntitySpec {
        ref_keys: &["id", "name", "color"],
        default_sort: ("id", false),
        ..lk(path, singular)
    }
}

static STATUSES: EntitySpec = EntitySpec {
    ref_keys: &["id", "name", "color", "internal_name"],
    ..colored("statuses", "status")
};
static PRIORITIES: EntitySpec = colored("priorities", "priority");
static URGENCIES: EntitySpec = lk("urgencies", "urgency");
static IMPACTS: EntitySpec = lk("impacts", "impact");
static LEVELS: EntitySpec = lk("levels", "level");
static MODES: EntitySpec = lk("modes", "mode");
static REQUEST_TYPES: EntitySpec = lk("request_types", "request_type");
static SERVICE_CATEGORIES: EntitySpec = lk("service_categories", "service_category");
static WORKLOG_TYPES: EntitySpec = lk("worklog_types", "worklog_type");
static TASK_STATUSES: EntitySpec = colored("task_statuses", "task_status");
static TASK_TYPES: EntitySpec = lk("task_types", "task_type");
static CHANGE_TEMPLATES: EntitySpec = lk("change_templates", "change_template");
static CHANGE_STAGES: EntitySpec = colored("change_stages", "change_stage");
static CHANGE_STATUSES: EntitySpec = colored("change_statuses", "change_status");
static RISKS: EntitySpec = lk("risks", "risk");
static RELEASE_TYPES: EntitySpec = lk("release_types", "release_type");
static RELEASE_STAGES: EntitySpec = colored("release_stages", "release_stage");
static RELEASE_STATUSES: EntitySpec = colored("release_statuses", "release_status");
static PROJECT_TYPES: EntitySpec = lk("project_types", "project_type");
static PROJECT_STATUSES: EntitySpec = colored("project_statuses", "project_status");
static ASSET_STATES: EntitySpec = lk("asset_states", "asset_state");
static VENDORS: EntitySpec = lk("vendors", "vendor");
static CI_TYPES: EntitySpec = lk("ci_types", "ci_type");

const CHANGE_TYPE_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    text("color", 20),
    boolean("pre_approved"),
    boolean("inactive"),
];
static CHANGE_TYPES: EntitySpec = EntitySpec {
    fields: CHANGE_TYPE_FIELDS,
    ref_keys: &["id", "name", "color", "pre_approved"],
    ..lk("change_types", "change_type")
};

const CLOSURE_CODE_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    super::obj("module"),
    boolean("inactive"),
];
static CLOSURE_CODES: EntitySpec = EntitySpec {
    fields: CLOSURE_CODE_FIELDS,
    ..lk("closure_codes", "closure_code")
};

const SITE_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    text("region", 100),
    text("time_zone", 100),
    boolean("inactive"),
];
static SITES: EntitySpec = EntitySpec {
    fields: SITE_FIELDS,
    ..lk("sites", "site")
};

const DEPARTMENT_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    lookup("site", "sites"),
    boolean("inactive"),
];
static DEPARTMENTS: EntitySpec = EntitySpec {
    fields: DEPARTMENT_FIELDS,
    ..lk("departments", "department")
};

const GROUP_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    lookup("site", "sites"),
    text("email_id", 250),
    arr("technicians"),
    boolean("deleted"),
];
static GROUPS: EntitySpec = EntitySpec {
    fields: GROUP_FIELDS,
    ..lk("groups", "group")
};
static SUPPORT_GROUPS: EntitySpec = EntitySpec {
    path: "support_groups",
    singular: "support_group",
    plural: "support_groups",
    storage: Storage::Own("groups"),
    ..GROUPS_BASE
};
const GROUPS_BASE: EntitySpec = EntitySpec {
    fields: GROUP_FIELDS,
    ..lk("groups", "group")
};

const TEMPLATE_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    boolean("is_service_template"),
    boolean("inactive"),
    arr("mandatory_fields"),
    arr("fields_not_allowed"),
    lookup("service_category", "service_categories"),
];
static REQUEST_TEMPLATES: EntitySpec = EntitySpec {
    fields: TEMPLATE_FIELDS,
    ref_keys: &["id", "name", "is_service_template"],
    default_sort: ("id", false),
    ..lk("request_templates", "request_template")
};

const CATEGORY_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    boolean("inactive"),
];
const SUBCATEGORY_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    lookup("category", "categories"),
    boolean("inactive"),
];
const ITEM_FIELDS: &[Field] = &[
    ID,
    text("name", 100),
    html("description"),
    lookup("subcategory", "subcategories"),
    boolean("inactive"),
];

static ITEMS_OF_SUBCATEGORY: EntitySpec = EntitySpec {
    storage: Storage::ChildOf {
        collection: "items",
        field: "subcategory",
    },
    ..ITEMS_BASE
};
const ITEMS_BASE: EntitySpec = EntitySpec {
    fields: ITEM_FIELDS,
    mandatory: &["name", "subcategory"],
    ..lk("items", "item")
};
static ITEMS: EntitySpec = ITEMS_BASE;

const SUBCATEGORIES_BASE: EntitySpec = EntitySpec {
    fields: SUBCATEGORY_FIELDS,
    mandatory: &["name", "category"],
    subs: &[&ITEMS_OF_SUBCATEGORY],
    ..lk("subcategories", "subcategory")
};
static SUBCATEGORIES: EntitySpec = SUBCATEGORIES_BASE;
static SUBCATEGORIES_OF_CATEGORY: EntitySpec = EntitySpec {
    storage: Storage::ChildOf {
        collection: "subcategories",
        field: "category",
    },
    ..SUBCATEGORIES_BASE
};
static CATEGORIES: EntitySpec = EntitySpec {
    fields: CATEGORY_FIELDS,
    subs: &[&SUBCATEGORIES_OF_CATEGORY],
    ..lk("categories", "category")
};

/// Every lookup entity.
pub static LOOKUPS: [&EntitySpec; 33] = [
    &STATUSES,
    &PRIORITIES,
    &URGENCIES,
    &IMPACTS,
    &LEVELS,
    &MODES,
    &REQUEST_TYPES,
    &SERVICE_CATEGORIES,
    &WORKLOG_TYPES,
    &TASK_STATUSES,
    &TASK_TYPES,
    &CHANGE_TEMPLATES,
    &CHANGE_STAGES,
    &CHANGE_STATUSES,
    &RISKS,
    &RELEASE_TYPES,
    &RELEASE_STAGES,
    &RELEASE_STATUSES,
    &PROJECT_TYPES,
    &PROJECT_STATUSES,
    &ASSET_STATES,
    &VENDORS,
    &CI_TYPES,
    &CHANGE_TYPES,
    &CLOSURE_CODES,
    &SITES,
    &DEPARTMENTS,
    &GROUPS,
    &SUPPORT_GROUPS,
    &REQUEST_TEMPLATES,
    &CATEGORIES,
    &SUBCATEGORIES,
    &ITEMS,
];
