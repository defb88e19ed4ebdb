//! Toolset `purchase_orders`: purchase orders.

use super::module_tools::spec::{ModuleSpec, Ops, is};

/// The `purchase_orders` table.
pub(crate) static PURCHASE_ORDERS: ModuleSpec = ModuleSpec {
    path: "purchase_orders",
    singular: "purchase_order",
    plural: "purchase_orders",
    noun: "purchase_order",
    nouns: "purchase_orders",
    label: "purchase order",
    scope: "purchases",
    about: "Purchase orders record what the IT team buys from vendors in ServiceDesk Plus.",
    label_field: "name",
    summary_fields: &[
        "display_id",
        "name",
        "po_number",
        "vendor",
        "status",
        "required_by",
        "total_price",
        "owner",
    ],
    mandatory: &["name", "vendor"],
    writable: &[
        "name",
        "po_number",
        "vendor",
        "status",
        "required_by",
        "ordered_date",
        "total_price",
        "description",
        "owner",
        "site",
        "department",
    ],
    lookups: &["vendor", "site", "department"],
    users: &["owner"],
    dates: &["required_by", "ordered_date"],
    texts: &[],
    filters: &[
        is("vendor", "vendor.name", "Vendor name, e.g. \"Dell\"."),
        is("status", "status", "Order status, e.g. \"Open\"."),
    ],
    example: r#"{"name": "Laptops Q1", "vendor": "Dell", "required_by": "2026-02-15"}"#,
    ops: Ops::ALL,
    search_tool: false,
    actions: &[],
    subs: &[],
};
