//! Argument and result shapes of the generic module tools. Their schemas
//! are derived here once per shape; the builder renames the generic `id`
//! arguments (`problem_id`, `note_id`) and adds each module's filters and
//! field descriptions.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::tools::views::PageInfo;

/// Arguments of a list (filters are added per module).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListArgs {
    /// Words to look for in the item's title or name, e.g. "printer".
    pub(crate) query: Option<String>,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
    /// Fields to return per item instead of the summary fields, e.g. `["title", "status",
    /// "udf_fields"]`; `["*"]` returns every field.
    pub(crate) fields: Option<Vec<String>>,
}

/// Arguments of a sub-resource list.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubListArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments naming one item.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetArgs {
    /// The item's SDP id.
    pub(crate) id: String,
}

/// Arguments of a create / add.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateArgs {
    /// The fields of the new item.
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of a sub-resource add.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubCreateArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// The fields of the new item.
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of an update.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateArgs {
    /// The item's SDP id.
    pub(crate) id: String,
    /// The fields to change; others stay as they are.
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of a sub-resource update.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubUpdateArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// The sub-item's SDP id.
    pub(crate) item_id: String,
    /// The fields to change; others stay as they are.
    pub(crate) fields: Map<String, Value>,
}

/// Arguments of a delete, trash or other destructive action.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmArgs {
    /// The item's SDP id.
    pub(crate) id: String,
    /// true once the user has agreed. Without it the server asks the user (when the client
    /// supports elicitation) or answers what would happen and changes nothing.
    pub(crate) confirm: Option<bool>,
}

/// Arguments of a sub-resource delete.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubDeleteArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// The sub-item's SDP id.
    pub(crate) item_id: String,
    /// true once the user has agreed. Without it the server asks the user (when the client
    /// supports elicitation) or answers what would happen and changes nothing.
    pub(crate) confirm: Option<bool>,
}

/// Arguments of a close.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseArgs {
    /// The item's SDP id.
    pub(crate) id: String,
    /// Closure comments, e.g. "Fixed by the firmware update".
    pub(crate) comments: Option<String>,
    /// true once the user has agreed. Without it the server asks the user (when the client
    /// supports elicitation) or answers what would happen and changes nothing.
    pub(crate) confirm: Option<bool>,
}

/// A page of items.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ItemList {
    /// The items, each reduced to readable fields (lookups and people by name, dates as
    /// displayed).
    pub(crate) items: Vec<Map<String, Value>>,
    /// Paging.
    pub(crate) paging: PageInfo,
    /// What to call for the next page, when there is one.
    pub(crate) next_page: Option<String>,
}

/// One item.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ItemResult {
    /// What happened, in one sentence.
    pub(crate) message: String,
    /// The item as SDP has it (lookups and people by name, dates as displayed); absent
    /// when SDP answered without it.
    pub(crate) item: Option<Map<String, Value>>,
}

/// The outcome of a delete or action that returns no item.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ActionResult {
    /// What happened, in one sentence.
    pub(crate) message: String,
    /// The item's SDP id.
    pub(crate) id: String,
}
