//! `search_criteria` builder (reference §4.4.1, §7 #13).
//!
//! One criterion serialises as an object, several as an array. Each entry
//! after the first carries a `logical_operator` joining it to the preceding
//! one; `children` nest a group under an entry.

use std::fmt;
use std::str::FromStr;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A comparison of `search_criteria`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Condition {
    /// `is` (value may be `null` = field empty, or a lookup object).
    Is,
    /// `is not` (`null` = field not empty).
    IsNot,
    /// `greater than`.
    GreaterThan,
    /// `greater or equal`.
    GreaterOrEqual,
    /// `lesser than` (SDP's spelling).
    LesserThan,
    /// `lesser or equal`.
    LesserOrEqual,
    /// `between` (`values: [from, to]`, inclusive).
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
    /// Every condition.
    pub const ALL: [Condition; 12] = [
        Condition::Is,
        Condition::IsNot,
        Condition::GreaterThan,
        Condition::GreaterOrEqual,
        Condition::LesserThan,
        Condition::LesserOrEqual,
        Condition::Between,
        Condition::NotBetween,
        Condition::StartsWith,
        Condition::EndsWith,
        Condition::Contains,
        Condition::NotContains,
    ];

    /// The wire spelling (`"greater or equal"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Is => "is",
            Condition::IsNot => "is not",
            Condition::GreaterThan => "greater than",
            Condition::GreaterOrEqual => "greater or equal",
            Condition::LesserThan => "lesser than",
            Condition::LesserOrEqual => "lesser or equal",
            Condition::Between => "between",
            Condition::NotBetween => "not between",
            Condition::StartsWith => "starts with",
            Condition::EndsWith => "ends with",
            Condition::Contains => "contains",
            Condition::NotContains => "not contains",
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The condition text is not one SDP knows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown search condition `{0}`: use is, is not, greater than, greater or equal, lesser than, lesser or equal, between, not between, starts with, ends with, contains, not contains"
)]
pub struct UnknownCondition(pub String);

impl FromStr for Condition {
    type Err = UnknownCondition;

    /// Accepts the wire spelling (any case, `_` or spaces) and the short-hands
    /// `=`, `eq`, `!=`, `neq`, `gt`, `gte`, `lt`, `lte`, `>`, `>=`, `<`, `<=`,
    /// and `less than` / `less or equal`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let text = input.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(match text.as_str() {
            "is" | "=" | "==" | "eq" | "equals" => Condition::Is,
            "is not" | "!=" | "<>" | "neq" | "ne" | "not equals" => Condition::IsNot,
            "greater than" | "gt" | ">" => Condition::GreaterThan,
            "greater or equal" | "gte" | "ge" | ">=" => Condition::GreaterOrEqual,
            "lesser than" | "less than" | "lt" | "<" => Condition::LesserThan,
            "lesser or equal" | "less or equal" | "lte" | "le" | "<=" => Condition::LesserOrEqual,
            "between" => Condition::Between,
            "not between" => Condition::NotBetween,
            "starts with" => Condition::StartsWith,
            "ends with" => Condition::EndsWith,
            "contains" | "like" => Condition::Contains,
            "not contains" | "not like" => Condition::NotContains,
            _ => return Err(UnknownCondition(input.to_owned())),
        })
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How an entry joins the preceding one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogicalOperator {
    /// `AND`.
    And,
    /// `OR`.
    Or,
}

/// The value part of a criterion.
#[derive(Clone, Debug, PartialEq)]
pub enum CriterionValue {
    /// `"value": <v>` (a scalar or a lookup object such as `{"name":"Open"}`).
    One(Value),
    /// `"values": [..]` (several values, or the two bounds of `between`).
    Many(Vec<Value>),
    /// `"value": null` — the field is empty (`is`) or not empty (`is not`).
    Empty,
}

/// One `search_criteria` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Criterion {
    /// Field path, e.g. `status.name`, `requester.email_id`, `created_time`,
    /// `udf_fields.udf_pick_5`.
    pub field: String,
    /// The comparison.
    pub condition: Condition,
    /// The value(s).
    pub value: CriterionValue,
    /// Joins this entry to the preceding one (`None` on the first).
    pub logical_operator: Option<LogicalOperator>,
    /// Nested entries, evaluated as a group with this one.
    pub children: Vec<Criterion>,
}

impl Criterion {
    /// `field <condition> value`.
    pub fn new(field: impl Into<String>, condition: Condition, value: impl Into<Value>) -> Self {
        Criterion {
            field: field.into(),
            condition,
            value: CriterionValue::One(value.into()),
            logical_operator: None,
            children: Vec::new(),
        }
    }

    /// `field <condition> any of values` (`values` array).
    pub fn with_values<V: Into<Value>>(
        field: impl Into<String>,
        condition: Condition,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        Criterion {
            field: field.into(),
            condition,
            value: CriterionValue::Many(values.into_iter().map(Into::into).collect()),
            logical_operator: None,
            children: Vec::new(),
        }
    }

    /// `field is <value>`.
    pub fn is(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Criterion::new(field, Condition::Is, value)
    }

    /// `field is not <value>`.
    pub fn is_not(field: impl Into<String>, value: impl Into<Value>) -> Self {
        Criterion::new(field, Condition::IsNot, value)
    }

    /// `field contains <text>`.
    pub fn contains(field: impl Into<String>, text: impl Into<Value>) -> Self {
        Criterion::new(field, Condition::Contains, text)
    }

    /// `field between [from, to]` (inclusive; dates as epoch-ms strings).
    pub fn between(field: impl Into<String>, from: impl Into<Value>, to: impl Into<Value>) -> Self {
        Criterion {
            field: field.into(),
            condition: Condition::Between,
            value: CriterionValue::Many(vec![from.into(), to.into()]),
            logical_operator: None,
            children: Vec::new(),
        }
    }

    /// `field is empty` (`"value": null`).
    pub fn is_empty(field: impl Into<String>) -> Self {
        Criterion {
            field: field.into(),
            condition: Condition::Is,
            value: CriterionValue::Empty,
            logical_operator: None,
            children: Vec::new(),
        }
    }

    /// `field is not empty` (`"value": null`).
    pub fn is_not_empty(field: impl Into<String>) -> Self {
        Criterion {
            condition: Condition::IsNot,
            ..Criterion::is_empty(field)
        }
    }

    /// Adds a nested child joined with AND.
    pub fn and_child(mut self, child: Criterion) -> Self {
        self.children.push(child.joined(LogicalOperator::And));
        self
    }

    /// Adds a nested child joined with OR.
    pub fn or_child(mut self, child: Criterion) -> Self {
        self.children.push(child.joined(LogicalOperator::Or));
        self
    }

    fn joined(mut self, operator: LogicalOperator) -> Self {
        self.logical_operator = Some(operator);
        self
    }
}

impl Serialize for Criterion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("field", &self.field)?;
        map.serialize_entry("condition", &self.condition)?;
        match &self.value {
            CriterionValue::One(value) => map.serialize_entry("value", value)?,
            CriterionValue::Many(values) => map.serialize_entry("values", values)?,
            CriterionValue::Empty => map.serialize_entry("value", &Value::Null)?,
        }
        if let Some(operator) = self.logical_operator {
            map.serialize_entry("logical_operator", &operator)?;
        }
        if !self.children.is_empty() {
            map.serialize_entry("children", &self.children)?;
        }
        map.end()
    }
}

/// A whole `search_criteria`: entries joined left to right.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchCriteria {
    entries: Vec<Criterion>,
}

impl SearchCriteria {
    /// Starts with one criterion.
    pub fn new(first: Criterion) -> Self {
        let mut first = first;
        first.logical_operator = None;
        SearchCriteria {
            entries: vec![first],
        }
    }

    /// Appends a criterion joined with AND (the first entry gets no operator).
    pub fn and(self, criterion: Criterion) -> Self {
        self.push(criterion, LogicalOperator::And)
    }

    /// Appends a criterion joined with OR.
    pub fn or(self, criterion: Criterion) -> Self {
        self.push(criterion, LogicalOperator::Or)
    }

    fn push(mut self, criterion: Criterion, operator: LogicalOperator) -> Self {
        let criterion = if self.entries.is_empty() {
            Criterion {
                logical_operator: None,
                ..criterion
            }
        } else {
            criterion.joined(operator)
        };
        self.entries.push(criterion);
        self
    }

    /// The entries.
    pub fn entries(&self) -> &[Criterion] {
        &self.entries
    }

    /// `true` when there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The JSON value: an object for one entry, an array for several, `null` for none.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl From<Criterion> for SearchCriteria {
    fn from(criterion: Criterion) -> Self {
        SearchCriteria::new(criterion)
    }
}

impl Serialize for SearchCriteria {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.entries.as_slice() {
            [] => serializer.serialize_none(),
            [only] => only.serialize(serializer),
            many => many.serialize(serializer),
        }
    }
}
