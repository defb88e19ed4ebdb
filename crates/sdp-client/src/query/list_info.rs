//! `list_info`: paging, sorting and filtering of list calls (reference §4.4).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::criteria::SearchCriteria;
use crate::models::lenient;

/// Largest page SDP serves.
pub const MAX_ROW_COUNT: u32 = 100;

/// Sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending.
    Desc,
}

/// The `list_info` of a list call. Build with the chained setters; the
/// invariants (1 ≤ `row_count` ≤ 100, `start_index` ≥ 1) hold by construction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListInfo {
    row_count: Option<u32>,
    start_index: Option<u32>,
    sort_field: Option<String>,
    sort_order: Option<SortOrder>,
    get_total_count: bool,
    search_criteria: Option<SearchCriteria>,
    search_fields: Map<String, Value>,
    filter_by: Option<Value>,
    fields_required: Vec<String>,
}

impl ListInfo {
    /// Empty: SDP's defaults (10 rows from the first).
    pub fn new() -> Self {
        ListInfo::default()
    }

    /// Rows per page, clamped to 1..=100.
    pub fn row_count(mut self, rows: u32) -> Self {
        self.row_count = Some(rows.clamp(1, MAX_ROW_COUNT));
        self
    }

    /// 1-based index of the first row (0 is treated as 1).
    pub fn start_index(mut self, index: u32) -> Self {
        self.start_index = Some(index.max(1));
        self
    }

    /// Sort by `field` (`created_time`, `due_by_time`, `id`, …) in `order`.
    pub fn sort(mut self, field: impl Into<String>, order: SortOrder) -> Self {
        self.sort_field = Some(field.into());
        self.sort_order = Some(order);
        self
    }

    /// Ask for `total_count` in the answer.
    pub fn get_total_count(mut self, yes: bool) -> Self {
        self.get_total_count = yes;
        self
    }

    /// Filter with `search_criteria`.
    pub fn search_criteria(mut self, criteria: impl Into<SearchCriteria>) -> Self {
        let criteria = criteria.into();
        self.search_criteria = (!criteria.is_empty()).then_some(criteria);
        self
    }

    /// Adds a `search_fields` entry (flat AND match, `"status.name": "Open"`).
    pub fn search_field(mut self, field: impl Into<String>, value: impl Into<Value>) -> Self {
        self.search_fields.insert(field.into(), value.into());
        self
    }

    /// Predefined filter (`{"name": "Open_System"}`); SDP refuses it together
    /// with `search_criteria`.
    pub fn filter_by(mut self, filter: Value) -> Self {
        self.filter_by = Some(filter);
        self
    }

    /// Restrict the fields returned.
    pub fn fields_required<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.fields_required = fields.into_iter().map(Into::into).collect();
        self
    }

    /// Rows per page, when set (SDP's default is 10).
    pub fn rows_per_page(&self) -> Option<u32> {
        self.row_count
    }

    /// Start index as set (1 when unset).
    pub fn first_row(&self) -> u32 {
        self.start_index.unwrap_or(1)
    }

    /// The search criteria, if any.
    pub fn criteria(&self) -> Option<&SearchCriteria> {
        self.search_criteria.as_ref()
    }

    /// The `list_info` object, as sent inside `input_data`.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(rows) = self.row_count {
            map.insert("row_count".into(), rows.into());
        }
        if let Some(start) = self.start_index {
            map.insert("start_index".into(), start.into());
        }
        if let Some(field) = &self.sort_field {
            map.insert("sort_field".into(), field.clone().into());
        }
        if let Some(order) = self.sort_order {
            map.insert(
                "sort_order".into(),
                serde_json::to_value(order).unwrap_or(Value::Null),
            );
        }
        if self.get_total_count {
            map.insert("get_total_count".into(), true.into());
        }
        if let Some(criteria) = &self.search_criteria {
            map.insert("search_criteria".into(), criteria.to_value());
        }
        if !self.search_fields.is_empty() {
            map.insert(
                "search_fields".into(),
                Value::Object(self.search_fields.clone()),
            );
        }
        if let Some(filter) = &self.filter_by {
            map.insert("filter_by".into(), filter.clone());
        }
        if !self.fields_required.is_empty() {
            map.insert(
                "fields_required".into(),
                self.fields_required.clone().into(),
            );
        }
        Value::Object(map)
    }

    /// `{"list_info": {...}}`, the full `input_data` of a list call.
    pub fn to_input_data(&self) -> Value {
        let mut outer = Map::new();
        outer.insert("list_info".into(), self.to_value());
        Value::Object(outer)
    }
}

/// The `list_info` SDP echoes in a list answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListInfoResponse {
    /// More rows after this page.
    #[serde(default, deserialize_with = "lenient::option")]
    pub has_more_rows: Option<bool>,
    /// 1-based index of this page's first row.
    #[serde(default, deserialize_with = "lenient::option")]
    pub start_index: Option<u32>,
    /// Rows requested per page.
    #[serde(default, deserialize_with = "lenient::option")]
    pub row_count: Option<u32>,
    /// Page number, when echoed.
    #[serde(default, deserialize_with = "lenient::option")]
    pub page: Option<u32>,
    /// Total rows, when `get_total_count` was asked.
    #[serde(default, deserialize_with = "lenient::option")]
    pub total_count: Option<u64>,
    /// Sort field echoed.
    #[serde(default, deserialize_with = "lenient::option")]
    pub sort_field: Option<String>,
    /// Sort order echoed.
    #[serde(default, deserialize_with = "lenient::option")]
    pub sort_order: Option<String>,
    /// Members not modelled above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
