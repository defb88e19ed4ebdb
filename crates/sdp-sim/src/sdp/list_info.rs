//! `list_info` (§4.4): paging (`row_count` ≤ 100, 1-based `start_index` or
//! `page`), `sort_field`/`sort_order`, `get_total_count`, `fields_required`,
//! `search_criteria`, `search_fields` and `filter_by`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::criteria::{self, Criteria};
use super::fields::{as_bool, as_int};
use super::spec::EntitySpec;
use super::wire::{ApiError, Record};

const MAX_ROWS: i64 = 100;
const DEFAULT_ROWS: i64 = 10;

/// A parsed `list_info`.
#[derive(Debug, Clone)]
pub struct ListInfo {
    /// Rows per page.
    pub row_count: usize,
    /// 1-based index of the first row.
    pub start_index: usize,
    /// Sort path.
    pub sort_field: String,
    /// Descending?
    pub descending: bool,
    /// Add `total_count`.
    pub get_total_count: bool,
    /// Projection (always keeps `id`).
    pub fields_required: Option<Vec<String>>,
    criteria: Option<Criteria>,
    search_fields: Vec<(String, Value)>,
}

const KEYS: [&str; 10] = [
    "row_count",
    "start_index",
    "page",
    "sort_field",
    "sort_order",
    "get_total_count",
    "search_criteria",
    "search_fields",
    "filter_by",
    "fields_required",
];

impl ListInfo {
    /// Parses `input_data.list_info` (absent → defaults) for `spec`.
    pub fn parse(value: Option<&Value>, spec: &EntitySpec, clamp: bool) -> Result<Self, ApiError> {
        let empty = Map::new();
        let map = match value {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => return Err(ApiError::type_mismatch("list_info", "object")),
        };
        if let Some(extra) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(ApiError::extra_key(extra));
        }
        let int = |key: &str| -> Result<Option<i64>, ApiError> {
            map.get(key)
                .filter(|v| !v.is_null())
                .map(|v| as_int(v).ok_or_else(|| ApiError::type_mismatch(key, "integer")))
                .transpose()
        };
        let mut row_count = int("row_count")?.unwrap_or(DEFAULT_ROWS);
        if row_count > MAX_ROWS {
            if clamp {
                row_count = MAX_ROWS;
            } else {
                return Err(ApiError::field(
                    4001,
                    "row_count",
                    format!("row_count must not exceed {MAX_ROWS}"),
                ));
            }
        }
        if row_count < 1 {
            return Err(ApiError::field(
                4001,
                "row_count",
                "row_count must be at least 1",
            ));
        }
        let start_index = match (int("start_index")?, int("page")?) {
            (Some(s), _) if s < 0 => {
                return Err(ApiError::field(
                    4001,
                    "start_index",
                    "start_index must be positive",
                ));
            }
            (Some(s), _) => s.max(1),
            (None, Some(p)) if p < 1 => {
                return Err(ApiError::field(4001, "page", "page must be positive"));
            }
            (None, Some(p)) => (p - 1) * row_count + 1,
            (None, None) => 1,
        };
        let sort_field = match map.get("sort_field") {
            None | Some(Value::Null) => spec.default_sort.0.to_owned(),
            Some(Value::String(s)) => {
                criteria::check_path(s, spec).map_err(|_| {
                    ApiError::field(4001, "sort_field", format!("Invalid sort_field {s}"))
                })?;
                s.clone()
            }
            Some(_) => return Err(ApiError::type_mismatch("sort_field", "string")),
        };
        let descending = match map.get("sort_order") {
            None | Some(Value::Null) => spec.default_sort.1,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("asc") => false,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("desc") => true,
            Some(other) => {
                return Err(ApiError::field(
                    4001,
                    "sort_order",
                    format!("Invalid sort_order {other}; use asc or desc"),
                ));
            }
        };
        let get_total_count = match map.get("get_total_count") {
            None | Some(Value::Null) => false,
            Some(v) => {
                as_bool(v).ok_or_else(|| ApiError::type_mismatch("get_total_count", "boolean"))?
            }
        };
        let fields_required = match map.get("fields_required") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_owned).ok_or_else(|| {
                            ApiError::type_mismatch("fields_required", "array of strings")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Some(_) => return Err(ApiError::type_mismatch("fields_required", "array")),
        };
        let criteria = match map.get("search_criteria") {
            None | Some(Value::Null) => None,
            Some(c) => Some(Criteria::parse(c, spec)?),
        };
        if criteria.is_some() && map.get("filter_by").is_some_and(|f| !f.is_null()) {
            return Err(ApiError::new(
                4000,
                "filter_by and search_criteria cannot be used together",
            ));
        }
        let search_fields = match map.get("search_fields") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(fields)) => {
                for path in fields.keys() {
                    criteria::check_path(path, spec)?;
                }
                fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            }
            Some(_) => return Err(ApiError::type_mismatch("search_fields", "object")),
        };
        Ok(Self {
            row_count: usize::try_from(row_count).unwrap_or(10),
            start_index: usize::try_from(start_index).unwrap_or(1),
            sort_field,
            descending,
            get_total_count,
            fields_required,
            criteria,
            search_fields,
        })
    }

    /// Whether `record` passes the criteria and search fields.
    pub fn matches(&self, record: &Record) -> bool {
        self.criteria.as_ref().is_none_or(|c| c.matches(record))
            && criteria::search_fields_match(&self.search_fields, record)
    }

    /// Filters, sorts, pages and projects `records`; returns the page and the
    /// response `list_info`.
    pub fn apply<'a>(&self, records: impl Iterator<Item = &'a Record>) -> (Vec<Value>, Value) {
        let mut matching: Vec<(SortKey, &Record)> = records
            .filter(|r| self.matches(r))
            .map(|r| (sort_key(r, &self.sort_field), r))
            .collect();
        matching.sort_by(|(a, ra), (b, rb)| {
            let order = a.cmp(b).then_with(|| id_of(ra).cmp(&id_of(rb)));
            if self.descending {
                order.reverse()
            } else {
                order
            }
        });
        let total = matching.len();
        let skip = self.start_index.saturating_sub(1);
        let page: Vec<Value> = matching
            .iter()
            .skip(skip)
            .take(self.row_count)
            .map(|(_, r)| self.project(r))
            .collect();
        let has_more_rows = skip + page.len() < total;
        let mut info = json!({
            "has_more_rows": has_more_rows,
            "start_index": self.start_index,
            "row_count": page.len(),
            "page": skip / self.row_count + 1,
            "sort_field": self.sort_field,
            "sort_order": if self.descending { "desc" } else { "asc" },
            "get_total_count": self.get_total_count,
        });
        if self.get_total_count {
            info["total_count"] = json!(total);
        }
        (page, info)
    }

    /// The record restricted to `fields_required` (plus `id`).
    pub fn project(&self, record: &Record) -> Value {
        match &self.fields_required {
            None => Value::Object(record.clone()),
            Some(fields) => {
                let mut out = Map::new();
                for (key, value) in record {
                    if key == "id" || fields.iter().any(|f| f.split('.').next() == Some(key)) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                Value::Object(out)
            }
        }
    }
}

fn id_of(record: &Record) -> u64 {
    record
        .get("id")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A sortable key: numbers before text, empty values last (ascending).
#[derive(Debug, Clone)]
enum SortKey {
    Int(i128),
    Num(f64),
    Text(String),
    Empty,
}

impl SortKey {
    fn rank(&self) -> u8 {
        match self {
            Self::Int(_) | Self::Num(_) => 0,
            Self::Text(_) => 1,
            Self::Empty => 2,
        }
    }
}

impl PartialEq for SortKey {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for SortKey {}
impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => a.cmp(b),
            (Self::Int(a), Self::Num(b)) => (*a as f64).total_cmp(b),
            (Self::Num(a), Self::Int(b)) => a.total_cmp(&(*b as f64)),
            (Self::Num(a), Self::Num(b)) => a.total_cmp(b),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

fn sort_key(record: &Record, path: &str) -> SortKey {
    let leaves = criteria::leaves(record, path);
    let Some(leaf) = leaves.first() else {
        return SortKey::Empty;
    };
    let scalar = match leaf {
        Value::Object(map) => ["value", "name", "email_id", "title", "id"]
            .into_iter()
            .find_map(|k| map.get(k).filter(|v| !v.is_null()))
            .cloned()
            .unwrap_or(Value::Null),
        other => (*other).clone(),
    };
    match scalar {
        Value::Number(n) => n
            .as_i64()
            .map(|i| SortKey::Int(i128::from(i)))
            .or_else(|| n.as_f64().map(SortKey::Num))
            .unwrap_or(SortKey::Empty),
        Value::String(s) if s.is_empty() => SortKey::Empty,
        Value::String(s) => match (s.parse::<i128>(), s.parse::<f64>()) {
            (Ok(i), _) => SortKey::Int(i),
            (_, Ok(f)) => SortKey::Num(f),
            _ => SortKey::Text(s.to_lowercase()),
        },
        Value::Bool(b) => SortKey::Num(if b { 1.0 } else { 0.0 }),
        _ => SortKey::Empty,
    }
}
