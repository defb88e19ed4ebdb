//! Projects, standalone tasks, assets and products, CMDB, solutions and topics,
//! contracts, purchase orders, announcements.

use axum::http::Method;

use super::subs::{
    ATTACHMENTS, CI_RELATIONSHIPS, COMMENTS, MEMBERS, MILESTONES, NESTED_TASKS, NOTES, TASK_FIELDS,
    WORKLOGS,
};
use super::{ID, boolean, dec, dt, flag, html, int, lookup, ro, tech, text, user};
use crate::sdp::spec::{Action, EntitySpec, Field};
use crate::sdp::{actions, attachments, metainfo, rules, worklogs};

const fn act(name: &'static str, method: Method, run: crate::sdp::spec::ActionFn) -> Action {
    Action { name, method, run }
}

const METAINFO: &[Action] = &[act("_metainfo", Method::GET, metainfo::metainfo)];

const PROJECT_FIELDS: &[Field] = &[
    ID,
    ro("display_id"),
    text("title", 250),
    html("description"),
    lookup("project_type", "project_types"),
    lookup("status", "project_statuses"),
    lookup("priority", "priorities"),
    tech("owner"),
    user("project_requester"),
    lookup("site", "sites"),
    lookup("department", "departments"),
    dt("scheduled_start_time"),
    dt("scheduled_end_time"),
    dt("actual_start_time"),
    dt("actual_end_time"),
    dec("estimated_hours"),
    dec("projected_cost"),
    int("percentage_completion"),
    ro("created_by"),
    ro("created_time"),
    ro("last_updated_time"),
    flag("has_notes"),
    flag("has_attachments"),
];

/// `/projects` (`title` mandatory).
pub static PROJECTS: EntitySpec = EntitySpec {
    mandatory: &["title"],
    defaults: &[("status", "Open")],
    subs: &[
        &MILESTONES,
        &NESTED_TASKS,
        &MEMBERS,
        &COMMENTS,
        &NOTES,
        &WORKLOGS,
        &ATTACHMENTS,
    ],
    actions: &[act("upload", Method::PUT, attachments::upload)],
    collection_actions: METAINFO,
    ref_keys: &["id", "display_id", "title"],
    display_id: true,
    default_sort: ("created_time", true),
    ..EntitySpec::base(
        "projects",
        "project",
        "projects",
        "projects",
        PROJECT_FIELDS,
    )
};

/// Standalone `/tasks`.
pub static TASKS: EntitySpec = EntitySpec {
    mandatory: &["title"],
    defaults: &[("status", "Open")],
    subs: &[&WORKLOGS],
    ref_keys: &["id", "title"],
    display_id: true,
    rules: &worklogs::TaskRules,
    ..EntitySpec::base("tasks", "task", "tasks", "general", TASK_FIELDS)
};

const ASSET_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    lookup("product", "products"),
    ro("product_type"),
    lookup("state", "asset_states"),
    text("asset_tag", 100),
    text("serial_number", 100),
    text("barcode", 100),
    text("location", 250),
    text("ip_address", 64),
    user("user"),
    lookup("department", "departments"),
    lookup("site", "sites"),
    lookup("vendor", "vendors"),
    dt("acquisition_date"),
    dt("warranty_expiry"),
    dec("purchase_cost"),
    html("description"),
    ro("created_time"),
    ro("last_updated_time"),
];

/// `/assets` (`name` and `product` mandatory).
pub static ASSETS: EntitySpec = EntitySpec {
    mandatory: &["name", "product"],
    unique: &["name"],
    defaults: &[("state", "In Store")],
    collection_actions: METAINFO,
    rules: &rules::AssetRules,
    ..EntitySpec::base("assets", "asset", "assets", "assets", ASSET_FIELDS)
};

const PRODUCT_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    lookup("product_type", "product_types"),
    text("manufacturer", 250),
    text("part_no", 100),
    dec("cost"),
    html("description"),
];

const PRODUCT_TYPE_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    text("category", 100),
    html("description"),
];

const WORKSTATION_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    text("os", 100),
    text("service_pack", 100),
    text("ip_address", 64),
    text("mac_address", 64),
    text("domain", 100),
    int("ram_mb"),
    user("user"),
    lookup("site", "sites"),
    ro("created_time"),
];

const CI_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    lookup("ci_type", "ci_types"),
    html("description"),
    text("criticality", 50),
    lookup("site", "sites"),
    lookup("department", "departments"),
    user("owned_by"),
    lookup("managed_by_group", "groups"),
    ro("created_time"),
    ro("last_updated_time"),
];

/// `/cmdb` (configuration items; list key `cmdb`, body key `ci`).
pub static CMDB: EntitySpec = EntitySpec {
    mandatory: &["name", "ci_type"],
    subs: &[&CI_RELATIONSHIPS],
    ref_keys: &["id", "name", "ci_type"],
    ..EntitySpec::base("cmdb", "ci", "cmdb", "cmdb", CI_FIELDS)
};

const SOLUTION_FIELDS: &[Field] = &[
    ID,
    text("title", 250),
    html("description"),
    lookup("topic", "topics"),
    text("keywords", 500),
    boolean("is_public"),
    ro("approval_status"),
    dt("expiry_date"),
    dt("review_date"),
    ro("view_count"),
    ro("created_by"),
    ro("created_time"),
    ro("last_updated_time"),
    flag("is_trashed"),
    flag("has_attachments"),
];

/// `/solutions` (`title`, `topic` mandatory; DELETE only from the trash).
pub static SOLUTIONS: EntitySpec = EntitySpec {
    mandatory: &["title", "topic"],
    actions: &[
        act("_move_to_trash", Method::DELETE, actions::move_to_trash),
        act("_move_to_trash", Method::PUT, actions::move_to_trash),
        act("move_to_trash", Method::DELETE, actions::move_to_trash),
        act("move_to_trash", Method::PUT, actions::move_to_trash),
        act(
            "restore_from_trash",
            Method::PUT,
            actions::restore_from_trash,
        ),
        act(
            "_restore_from_trash",
            Method::PUT,
            actions::restore_from_trash,
        ),
        act("_approve", Method::PUT, actions::approve_solution),
        act("_publish", Method::PUT, actions::approve_solution),
        act("upload", Method::PUT, attachments::upload),
    ],
    subs: &[&ATTACHMENTS],
    ref_keys: &["id", "title"],
    default_sort: ("created_time", true),
    rules: &actions::TrashFirstRules,
    ..EntitySpec::base(
        "solutions",
        "solution",
        "solutions",
        "solutions",
        SOLUTION_FIELDS,
    )
};

const CONTRACT_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    text("contract_number", 100),
    lookup("vendor", "vendors"),
    html("description"),
    dt("active_from"),
    dt("active_till"),
    dec("cost"),
    text("status", 50),
    text("support_details", 2000),
    int("notify_before_days"),
    user("owner"),
    ro("created_time"),
];

/// `/contracts`.
pub static CONTRACTS: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["name"],
    ..EntitySpec::base(
        "contracts",
        "contract",
        "contracts",
        "contracts",
        CONTRACT_FIELDS,
    )
};

const PO_FIELDS: &[Field] = &[
    ID,
    ro("display_id"),
    text("name", 250),
    text("po_number", 100),
    lookup("vendor", "vendors"),
    text("status", 50),
    dt("required_by"),
    dt("ordered_date"),
    dec("total_price"),
    html("description"),
    tech("owner"),
    lookup("site", "sites"),
    lookup("department", "departments"),
    ro("created_time"),
];

/// `/purchase_orders`.
pub static PURCHASE_ORDERS: EntitySpec = EntitySpec {
    mandatory: &["name", "vendor"],
    display_id: true,
    ..EntitySpec::base(
        "purchase_orders",
        "purchase_order",
        "purchase_orders",
        "purchases",
        PO_FIELDS,
    )
};

const TOPIC_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    html("description"),
    lookup("parent_topic", "topics"),
];

const ANNOUNCEMENT_FIELDS: &[Field] = &[
    ID,
    text("title", 250),
    html("content"),
    boolean("show_to_requester"),
    boolean("send_mail"),
    dt("display_from"),
    dt("display_to"),
    ro("created_by"),
    ro("created_time"),
];

static PRODUCTS: EntitySpec = EntitySpec {
    mandatory: &["name", "product_type"],
    unique: &["name"],
    in_use_check: true,
    ..EntitySpec::base("products", "product", "products", "assets", PRODUCT_FIELDS)
};
static PRODUCT_TYPES: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["name"],
    in_use_check: true,
    ..EntitySpec::base(
        "product_types",
        "product_type",
        "product_types",
        "assets",
        PRODUCT_TYPE_FIELDS,
    )
};
static WORKSTATIONS: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["name"],
    ..EntitySpec::base(
        "workstations",
        "workstation",
        "workstations",
        "assets",
        WORKSTATION_FIELDS,
    )
};
static TOPICS: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["name"],
    in_use_check: true,
    ..EntitySpec::base("topics", "topic", "topics", "solutions", TOPIC_FIELDS)
};
static ANNOUNCEMENTS: EntitySpec = EntitySpec {
    mandatory: &["title"],
    ref_keys: &["id", "title"],
    default_sort: ("created_time", true),
    ..EntitySpec::base(
        "announcements",
        "announcement",
        "announcements",
        "general",
        ANNOUNCEMENT_FIELDS,
    )
};

/// Other top-level entities of this area.
pub static EXTRA: [&EntitySpec; 5] = [
    &PRODUCTS,
    &PRODUCT_TYPES,
    &WORKSTATIONS,
    &TOPICS,
    &ANNOUNCEMENTS,
];
