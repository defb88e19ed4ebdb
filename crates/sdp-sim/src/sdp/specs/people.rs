//! Users, requesters and technicians: one `users` collection, with
//! `/requesters` and `/technicians` as views on `is_technician`.

use axum::http::Method;

use super::{ID, boolean, dec, html, lookup, ro, text};
use crate::sdp::metainfo;
use crate::sdp::spec::{Action, EntitySpec, Field, Storage};

const USER_FIELDS: &[Field] = &[
    ID,
    text("name", 250),
    text("first_name", 100),
    text("last_name", 100),
    text("email_id", 250),
    text("phone", 50),
    text("mobile", 50),
    text("employee_id", 50),
    text("job_title", 100),
    lookup("department", "departments"),
    lookup("site", "sites"),
    lookup("reporting_to", "users"),
    boolean("is_technician"),
    boolean("is_vip_user"),
    text("user_scope", 50),
    dec("cost_per_hour"),
    html("description"),
    ro("photo_url"),
    ro("created_time"),
];

const USER_REF: &[&str] = &[
    "id",
    "name",
    "email_id",
    "is_technician",
    "is_vip_user",
    "phone",
    "mobile",
    "department",
];

const METAINFO: &[Action] = &[Action {
    name: "_metainfo",
    method: Method::GET,
    run: metainfo::metainfo,
}];

/// `/users` (everyone; `is_technician` on each).
pub static USERS: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["email_id"],
    ref_keys: USER_REF,
    in_use_check: true,
    collection_actions: METAINFO,
    default_sort: ("name", false),
    ..EntitySpec::base("users", "user", "users", "users", USER_FIELDS)
};

/// `/requesters`.
pub static REQUESTERS: EntitySpec = EntitySpec {
    storage: Storage::Own("users"),
    view: Some(("is_technician", false)),
    ..USERS_VIEW_BASE
};

/// `/technicians`.
pub static TECHNICIANS: EntitySpec = EntitySpec {
    path: "technicians",
    singular: "technician",
    plural: "technicians",
    storage: Storage::Own("users"),
    view: Some(("is_technician", true)),
    ..USERS_VIEW_BASE
};

const USERS_VIEW_BASE: EntitySpec = EntitySpec {
    mandatory: &["name"],
    unique: &["email_id"],
    ref_keys: USER_REF,
    in_use_check: true,
    default_sort: ("name", false),
    ..EntitySpec::base(
        "requesters",
        "requester",
        "requesters",
        "users",
        USER_FIELDS,
    )
};
