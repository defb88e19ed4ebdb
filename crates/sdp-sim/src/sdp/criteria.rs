//! `search_criteria` and `search_fields` (§4.4.1): the twelve conditions and
//! their short-hands, `value` vs `values`, lookup-object values, `null` =
//! empty, `logical_operator` joining left to right, nested `children`,
//! dotted paths (`udf_fields.*`, datetimes compared by `value`), and
//! case-insensitive strings.

use std::cmp::Ordering;

use serde_json::Value;

use super::spec::EntitySpec;
use super::wire::{ApiError, Record};

/// A condition, after short-hand normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// `is`, `=`, `eq`.
    Is,
    /// `is not`, `!=`, `neq`.
    IsNot,
    /// `greater than`, `gt`.
    Gt,
    /// `greater or equal`, `gte`.
    Gte,
    /// `lesser than`, `lt`.
    Lt,
    /// `lesser or equal`, `lte`.
    Lte,
    /// `between` (inclusive).
    Between,
    /// `not between`.
    NotBetween,
    /// `starts with`.
    StartsWith,
    /// `ends with`.
    EndsWith,
    /// `contains`.
    Contains,
    /// `not contains`.
    NotContains,
}

impl Condition {
    /// Parses a condition or short-hand (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        let normal = text.trim().to_ascii_lowercase().replace('_', " ");
        Some(match normal.as_str() {
            "is" | "=" | "==" | "eq" | "equals" => Self::Is,
            "is not" | "!=" | "neq" | "not equals" => Self::IsNot,
            "greater than" | "gt" | ">" => Self::Gt,
            "greater or equal" | "gte" | ">=" => Self::Gte,
            "lesser than" | "less than" | "lt" | "<" => Self::Lt,
            "lesser or equal" | "less or equal" | "lte" | "<=" => Self::Lte,
            "between" => Self::Between,
            "not between" => Self::NotBetween,
            "starts with" => Self::StartsWith,
            "ends with" => Self::EndsWith,
            "contains" | "like" => Self::Contains,
            "not contains" | "not like" => Self::NotContains,
            _ => return None,
        })
    }

    fn negated(self) -> Option<Self> {
        match self {
            Self::IsNot => Some(Self::Is),
            Self::NotContains => Some(Self::Contains),
            Self::NotBetween => Some(Self::Between),
            _ => None,
        }
    }
}

/// How an entry joins the preceding one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Logic {
    And,
    Or,
}

#[derive(Debug, Clone)]
struct Cond {
    path: String,
    condition: Condition,
    values: Vec<Value>,
}

/// One criteria entry with its children.
#[derive(Debug, Clone)]
struct Entry {
    logic: Logic,
    cond: Option<Cond>,
    children: Vec<Entry>,
}

/// Parsed `search_criteria`.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    entries: Vec<Entry>,
}

impl Criteria {
    /// Parses an object or array of criteria for `spec`.
    pub fn parse(value: &Value, spec: &EntitySpec) -> Result<Self, ApiError> {
        Ok(Self {
            entries: parse_entries(value, spec)?,
        })
    }

    /// Whether `record` matches.
    pub fn matches(&self, record: &Record) -> bool {
        eval_list(&self.entries, record)
    }
}

fn parse_entries(value: &Value, spec: &EntitySpec) -> Result<Vec<Entry>, ApiError> {
    match value {
        Value::Array(items) => items.iter().map(|i| parse_entry(i, spec)).collect(),
        Value::Object(_) => Ok(vec![parse_entry(value, spec)?]),
        Value::Null => Ok(Vec::new()),
        _ => Err(ApiError::type_mismatch(
            "search_criteria",
            "object or array",
        )),
    }
}

fn parse_entry(value: &Value, spec: &EntitySpec) -> Result<Entry, ApiError> {
    let Value::Object(map) = value else {
        return Err(ApiError::type_mismatch("search_criteria", "object"));
    };
    const KEYS: [&str; 6] = [
        "field",
        "condition",
        "value",
        "values",
        "logical_operator",
        "children",
    ];
    if let Some(extra) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ApiError::extra_key(extra));
    }
    let logic = match map.get("logical_operator").and_then(Value::as_str) {
        None => Logic::And,
        Some(op) if op.trim().eq_ignore_ascii_case("and") => Logic::And,
        Some(op) if op.trim().eq_ignore_ascii_case("or") => Logic::Or,
        Some(op) => {
            return Err(ApiError::field(
                4001,
                "logical_operator",
                format!("Invalid logical_operator {op}"),
            ));
        }
    };
    let children = match map.get("children") {
        Some(children) => parse_entries(children, spec)?,
        None => Vec::new(),
    };
    let cond = match map.get("field").and_then(Value::as_str) {
        Some(path) => Some(parse_cond(map, path, spec)?),
        None if children.is_empty() => {
            return Err(ApiError::field(
                4001,
                "field",
                "search_criteria needs a field",
            ));
        }
        None => None,
    };
    Ok(Entry {
        logic,
        cond,
        children,
    })
}

fn parse_cond(
    map: &serde_json::Map<String, Value>,
    path: &str,
    spec: &EntitySpec,
) -> Result<Cond, ApiError> {
    check_path(path, spec)?;
    let text = map.get("condition").and_then(Value::as_str).unwrap_or("is");
    let condition = Condition::parse(text)
        .ok_or_else(|| ApiError::field(4001, "condition", format!("Invalid condition {text}")))?;
    let values = match (map.get("values"), map.get("value")) {
        (Some(Value::Array(vs)), _) | (None, Some(Value::Array(vs))) => vs.clone(),
        (Some(v), _) | (None, Some(v)) => vec![v.clone()],
        (None, None) => {
            return Err(ApiError::field(
                4001,
                "value",
                format!("No value given for {path}"),
            ));
        }
    };
    if matches!(condition, Condition::Between | Condition::NotBetween) && values.len() != 2 {
        return Err(ApiError::field(
            4001,
            "values",
            "between needs values [from, to]",
        ));
    }
    Ok(Cond {
        path: path.to_owned(),
        condition,
        values,
    })
}

/// 4001 unless `path`'s first segment is a field of `spec`.
pub fn check_path(path: &str, spec: &EntitySpec) -> Result<(), ApiError> {
    let head = path.split('.').next().unwrap_or_default();
    if head == "id" || spec.field(head).is_some() {
        Ok(())
    } else {
        Err(ApiError::field(4001, path, format!("Invalid field {path}")))
    }
}

fn eval_list(entries: &[Entry], record: &Record) -> bool {
    let mut acc: Option<bool> = None;
    for entry in entries {
        let value = eval_entry(entry, record);
        acc = Some(join(acc, entry.logic, value));
    }
    acc.unwrap_or(true)
}

fn eval_entry(entry: &Entry, record: &Record) -> bool {
    let mut acc = entry.cond.as_ref().map(|c| c.matches(record));
    for child in &entry.children {
        let value = eval_entry(child, record);
        acc = Some(join(acc, child.logic, value));
    }
    acc.unwrap_or(true)
}

fn join(acc: Option<bool>, logic: Logic, value: bool) -> bool {
    match (acc, logic) {
        (None, _) => value,
        (Some(a), Logic::And) => a && value,
        (Some(a), Logic::Or) => a || value,
    }
}

impl Cond {
    fn matches(&self, record: &Record) -> bool {
        let leaves = leaves(record, &self.path);
        if let Some(positive) = self.condition.negated() {
            return !positive_match(positive, &leaves, &self.values);
        }
        positive_match(self.condition, &leaves, &self.values)
    }
}

fn positive_match(condition: Condition, leaves: &[&Value], values: &[Value]) -> bool {
    if condition == Condition::Between {
        return leaves.iter().any(|leaf| {
            let x = scalar(leaf, None);
            let lo = scalar(&values[0], None);
            let hi = scalar(&values[1], None);
            !x.is_empty()
                && compare(&x, &lo) != Ordering::Less
                && compare(&x, &hi) != Ordering::Greater
        });
    }
    leaves
        .iter()
        .any(|leaf| values.iter().any(|v| test(condition, leaf, v)))
}

fn test(condition: Condition, leaf: &Value, wanted: &Value) -> bool {
    if wanted.is_null() {
        return is_empty(leaf) == (condition == Condition::Is);
    }
    let key = lookup_key(wanted);
    let x = scalar(leaf, key);
    let w = scalar(wanted, key);
    if x.is_empty() {
        return false;
    }
    match condition {
        Condition::Is => compare(&x, &w) == Ordering::Equal,
        Condition::Gt => compare(&x, &w) == Ordering::Greater,
        Condition::Gte => compare(&x, &w) != Ordering::Less,
        Condition::Lt => compare(&x, &w) == Ordering::Less,
        Condition::Lte => compare(&x, &w) != Ordering::Greater,
        Condition::StartsWith => x.starts_with(&w),
        Condition::EndsWith => x.ends_with(&w),
        Condition::Contains => x.contains(&w),
        _ => false,
    }
}

/// For a lookup-object criterion value, the key to compare (`id` wins).
fn lookup_key(wanted: &Value) -> Option<&'static str> {
    let map = wanted.as_object()?;
    ["id", "email_id", "name", "value", "internal_name"]
        .into_iter()
        .find(|k| map.get(*k).is_some_and(|v| !v.is_null()))
}

/// The lower-cased comparable text of a value (or of `key` inside an object).
fn scalar(value: &Value, key: Option<&str>) -> String {
    match value {
        Value::Object(map) => {
            let inner = match key {
                Some(k) => map.get(k),
                None => ["value", "name", "email_id", "id"]
                    .into_iter()
                    .find_map(|k| map.get(k).filter(|v| !v.is_null())),
            };
            inner.map(|v| scalar(v, None)).unwrap_or_default()
        }
        Value::String(s) => s.to_lowercase(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::Array(_) => String::new(),
    }
}

/// Numeric when both sides are numbers, else case-insensitive text.
fn compare(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (a.trim().parse::<i128>(), b.trim().parse::<i128>()) {
        return x.cmp(&y);
    }
    match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// Whether a leaf counts as empty for `null` criteria.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => {
            m.is_empty() || m.get("value").is_some_and(Value::is_null) && !m.contains_key("name")
        }
        _ => false,
    }
}

/// The values at dotted `path`, flattening arrays on the way; a missing path
/// yields one `null`.
pub fn leaves<'a>(record: &'a Record, path: &str) -> Vec<&'a Value> {
    static NULL: Value = Value::Null;
    let mut current: Vec<&Value> = Vec::new();
    let mut segments = path.split('.');
    if let Some(first) = segments.next() {
        current.push(record.get(first).unwrap_or(&NULL));
    }
    for segment in segments {
        let mut next = Vec::new();
        for value in current {
            match value {
                Value::Object(map) => next.push(map.get(segment).unwrap_or(&NULL)),
                Value::Array(items) => {
                    next.extend(items.iter().map(|i| i.get(segment).unwrap_or(&NULL)));
                }
                _ => next.push(&NULL),
            }
        }
        current = next;
    }
    let mut flat = Vec::new();
    for value in current {
        match value {
            Value::Array(items) if !items.is_empty() => flat.extend(items.iter()),
            other => flat.push(other),
        }
    }
    flat
}

/// `search_fields`: every `path: value` must match. Dotted paths and lookup
/// objects match exactly (case-insensitive); plain text fields match by
/// substring.
pub fn search_fields_match(fields: &[(String, Value)], record: &Record) -> bool {
    fields.iter().all(|(path, wanted)| {
        let condition = if path.contains('.') || !wanted.is_string() {
            Condition::Is
        } else {
            Condition::Contains
        };
        let leaves = leaves(record, path);
        let contains_text =
            condition == Condition::Contains && leaves.iter().all(|l| l.is_string() || l.is_null());
        let condition = if contains_text {
            Condition::Contains
        } else {
            Condition::Is
        };
        positive_match(condition, &leaves, std::slice::from_ref(wanted))
    })
}
