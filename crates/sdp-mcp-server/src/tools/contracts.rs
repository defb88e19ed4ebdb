//! Toolset `contracts`: maintenance and support contracts.

use super::module_tools::spec::{ModuleSpec, Ops, is};

/// The `contracts` table.
pub(crate) static CONTRACTS: ModuleSpec = ModuleSpec {
    path: "contracts",
    singular: "contract",
    plural: "contracts",
    noun: "contract",
    nouns: "contracts",
    label: "contract",
    scope: "contracts",
    about: "Contracts are the vendor maintenance and support agreements ServiceDesk Plus \
            tracks, with their validity and cost.",
    label_field: "name",
    summary_fields: &[
        "name",
        "contract_number",
        "vendor",
        "status",
        "active_from",
        "active_till",
        "cost",
    ],
    mandatory: &["name"],
    writable: &[
        "name",
        "contract_number",
        "vendor",
        "description",
        "active_from",
        "active_till",
        "cost",
        "status",
        "support_details",
        "notify_before_days",
        "owner",
    ],
    lookups: &["vendor"],
    users: &["owner"],
    dates: &["active_from", "active_till"],
    texts: &[],
    filters: &[
        is("vendor", "vendor.name", "Vendor name, e.g. \"Dell\"."),
        is("status", "status", "Contract status, e.g. \"Active\"."),
    ],
    example: r#"{"name": "Dell ProSupport 2026", "vendor": "Dell", "active_till": "2026-12-31"}"#,
    ops: Ops::ALL,
    search_tool: false,
    actions: &[],
    subs: &[],
};
