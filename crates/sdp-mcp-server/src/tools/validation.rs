//! Template-driven validation of `create_request` / `update_request` before
//! anything is written: the template's mandatory and refused fields, every
//! lookup value, and the category → subcategory → item cascade. All problems
//! are collected into ONE tool error listing each missing field with its
//! allowed values and each misspelt value with a suggestion, so the
//! assistant can fix everything in one retry and SDP never sees the call.

use std::fmt::Write as _;

use sdp_client::{Lookup, LookupItem};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::ToolError;
use super::fields::{Parents, RequestFields};
use crate::context::UserContext;
use crate::lookups::{edit_distance, match_item, suggestion};

/// How many allowed values a problem lists.
const LISTED: usize = 40;

/// The lookup list behind a request field name, when it has one.
pub(crate) fn lookup_for(field: &str) -> Option<Lookup> {
    Some(match field {
        "status" => Lookup::Statuses,
        "priority" => Lookup::Priorities,
        "urgency" => Lookup::Urgencies,
        "impact" => Lookup::Impacts,
        "level" => Lookup::Levels,
        "mode" => Lookup::Modes,
        "request_type" => Lookup::RequestTypes,
        "category" => Lookup::Categories,
        "group" => Lookup::Groups,
        "site" => Lookup::Sites,
        "template" => Lookup::RequestTemplates,
        "closure_code" => Lookup::ClosureCodes,
        _ => return None,
    })
}

/// A mandatory field that was not given.
#[derive(Debug, Serialize)]
struct Missing {
    field: String,
    allowed_values: Vec<String>,
    hint: Option<String>,
}

/// A given value that is not valid.
#[derive(Debug, Serialize)]
struct Invalid {
    field: String,
    given: String,
    did_you_mean: Option<String>,
    allowed_values: Vec<String>,
    hint: Option<String>,
}

/// Everything wrong with one create or update.
#[derive(Debug, Default)]
struct Problems {
    missing: Vec<Missing>,
    invalid: Vec<Invalid>,
    not_allowed: Vec<String>,
}

fn names(items: &[LookupItem]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| item.name.clone())
        .take(LISTED)
        .collect()
}

impl RequestFields {
    /// The value given for request field `name`, if any.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        let value = match name {
            "description" => &self.description,
            "requester" => &self.requester,
            "technician" => &self.technician,
            "status" => &self.status,
            "priority" => &self.priority,
            "urgency" => &self.urgency,
            "impact" => &self.impact,
            "level" => &self.level,
            "mode" => &self.mode,
            "request_type" => &self.request_type,
            "category" => &self.category,
            "subcategory" => &self.subcategory,
            "item" => &self.item,
            "group" => &self.group,
            "site" => &self.site,
            _ => return None,
        };
        value.as_deref().filter(|v| !v.trim().is_empty())
    }

    fn has_udf(&self, name: &str) -> bool {
        self.udf_fields
            .as_ref()
            .and_then(|udfs| udfs.get(name))
            .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
    }
}

impl Problems {
    fn invalid(&mut self, field: &str, given: &str, items: &[LookupItem], hint: Option<String>) {
        self.invalid.push(Invalid {
            field: field.to_owned(),
            given: given.to_owned(),
            did_you_mean: suggestion(given, items).map(str::to_owned),
            allowed_values: names(items),
            hint,
        });
    }

    /// Checks `given` against `lookup`; the matching item's id when valid.
    async fn check(
        &mut self,
        user: &UserContext,
        field: &str,
        lookup: Lookup,
        given: Option<&str>,
    ) -> Result<Option<String>, ToolError> {
        let Some(given) = given else {
            return Ok(None);
        };
        let items = user
            .lookups()
            .items(user.upstream().client(), lookup)
            .await?;
        if let Ok(item) = match_item(field, given, &items) {
            Ok(item.id.clone())
        } else {
            self.invalid(field, given, &items, None);
            Ok(None)
        }
    }

    fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.invalid.is_empty() && self.not_allowed.is_empty()
    }

    fn into_error(self, action: &str, template: Option<&str>) -> ToolError {
        let mut text = format!(
            "Cannot {action} yet; nothing was sent to ServiceDesk Plus{}. Fix all of these, \
             then call again (get_request_fields and get_metadata describe the fields):",
            template
                .map(|t| format!(" (template \"{t}\")"))
                .unwrap_or_default()
        );
        let quoted = |values: &[String]| {
            values
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for missing in &self.missing {
            let _ = write!(text, "\n- missing `{}`", missing.field);
            if !missing.allowed_values.is_empty() {
                let _ = write!(text, ": one of {}", quoted(&missing.allowed_values));
            }
            if let Some(hint) = &missing.hint {
                let _ = write!(text, " ({hint})");
            }
        }
        for invalid in &self.invalid {
            let _ = write!(
                text,
                "\n- `{}` \"{}\" is not valid",
                invalid.field, invalid.given
            );
            if let Some(hint) = &invalid.hint {
                let _ = write!(text, ": {hint}");
            }
            if let Some(best) = &invalid.did_you_mean {
                let _ = write!(text, "; did you mean \"{best}\"?");
            }
            if !invalid.allowed_values.is_empty() {
                let _ = write!(text, " Valid values: {}", quoted(&invalid.allowed_values));
            }
        }
        for field in &self.not_allowed {
            let _ = write!(
                text,
                "\n- `{field}` cannot be set with this template: leave it out"
            );
        }
        ToolError::with_details(
            text,
            json!({
                "validation_failed": true,
                "template": template,
                "missing_fields": self.missing,
                "invalid_fields": self.invalid,
                "not_allowed_fields": self.not_allowed,
            }),
        )
    }
}

/// Checks lookups and the cascade; the valid category and subcategory ids.
async fn check_values(
    user: &UserContext,
    fields: &RequestFields,
    parents: Parents,
    problems: &mut Problems,
) -> Result<(Option<String>, Option<String>), ToolError> {
    for field in [
        "status",
        "priority",
        "urgency",
        "impact",
        "level",
        "mode",
        "request_type",
        "group",
        "site",
    ] {
        if let Some(lookup) = lookup_for(field) {
            problems
                .check(user, field, lookup, fields.value(field))
                .await?;
        }
    }
    let category_given = fields.value("category");
    let mut category_id = parents.category_id;
    if category_given.is_some() {
        category_id = problems
            .check(user, "category", Lookup::Categories, category_given)
            .await?;
    }
    let subcategory_given = fields.value("subcategory");
    let mut subcategory_id = parents.subcategory_id;
    if let Some(given) = subcategory_given {
        subcategory_id = None;
        match &category_id {
            Some(category) => {
                let lookup = Lookup::Subcategories {
                    category_id: category.clone(),
                };
                subcategory_id = problems
                    .check(user, "subcategory", lookup, Some(given))
                    .await?;
            }
            None if category_given.is_none() => problems.invalid.push(Invalid {
                field: "subcategory".to_owned(),
                given: given.to_owned(),
                did_you_mean: None,
                allowed_values: Vec::new(),
                hint: Some("a subcategory needs its `category`: give the category too".into()),
            }),
            None => {}
        }
    } else if category_given.is_some() {
        subcategory_id = None;
    }
    if let Some(given) = fields.value("item") {
        match &subcategory_id {
            Some(subcategory) => {
                let lookup = Lookup::Items {
                    subcategory_id: subcategory.clone(),
                };
                problems.check(user, "item", lookup, Some(given)).await?;
            }
            None if subcategory_given.is_none() => problems.invalid.push(Invalid {
                field: "item".to_owned(),
                given: given.to_owned(),
                did_you_mean: None,
                allowed_values: Vec::new(),
                hint: Some("an item needs its `subcategory` and `category`: give them".into()),
            }),
            None => {}
        }
    }
    Ok((category_id, subcategory_id))
}

/// What a missing mandatory field accepts.
async fn allowed_for(
    user: &UserContext,
    field: &str,
    category_id: Option<&String>,
    subcategory_id: Option<&String>,
) -> Result<(Vec<String>, Option<String>), ToolError> {
    let client = user.upstream().client();
    let lookup = match (field, category_id, subcategory_id) {
        ("subcategory", Some(category), _) => Lookup::Subcategories {
            category_id: category.clone(),
        },
        ("subcategory", None, _) => {
            let hint = "choose `category` first; get_metadata with {\"category\": …} lists its \
                        subcategories";
            return Ok((Vec::new(), Some(hint.to_owned())));
        }
        ("item", _, Some(subcategory)) => Lookup::Items {
            subcategory_id: subcategory.clone(),
        },
        ("item", _, None) => {
            let hint = "choose `category` and `subcategory` first";
            return Ok((Vec::new(), Some(hint.to_owned())));
        }
        ("requester" | "technician", _, _) => {
            let hint = "an email address (preferred) or full name";
            return Ok((Vec::new(), Some(hint.to_owned())));
        }
        ("subject" | "description", _, _) => {
            return Ok((Vec::new(), Some("free text".to_owned())));
        }
        (udf, _, _) if udf.starts_with("udf_") => {
            let hint =
                format!("set it in `udf_fields`, e.g. {{\"{udf}\": …}}; see get_request_fields");
            return Ok((Vec::new(), Some(hint)));
        }
        (other, _, _) => {
            let Some(lookup) = lookup_for(other) else {
                let hint = "this tool cannot set it; use a template that does not require it";
                return Ok((Vec::new(), Some(hint.to_owned())));
            };
            lookup
        }
    };
    let items = user.lookups().items(client, lookup).await?;
    Ok((names(&items), None))
}

/// The portal's user-defined request fields (`_metainfo`), empty when unreadable.
async fn udf_definitions(user: &UserContext) -> Map<String, Value> {
    match user.upstream().client().requests().metainfo().await {
        Ok(meta) => meta.udf_fields(),
        Err(error) => {
            tracing::debug!(%error, "request _metainfo unreadable; UDFs not checked");
            Map::new()
        }
    }
}

/// The allowed values of a pick-list UDF definition.
fn udf_allowed(definition: Option<&Value>) -> Vec<String> {
    definition
        .and_then(|d| d.get("allowed_values"))
        .and_then(Value::as_array)
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .take(LISTED)
                .collect()
        })
        .unwrap_or_default()
}

/// The closest of `candidates` to `given`, if it looks like a misspelling.
fn closest(given: &str, candidates: &[String]) -> Option<String> {
    let wanted = given.to_lowercase();
    let limit = wanted.chars().count().div_ceil(3).clamp(1, 3);
    candidates
        .iter()
        .map(|c| (edit_distance(&wanted, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c.clone())
}

/// Checks the names and pick-list values of the given UDFs.
fn check_udfs(fields: &RequestFields, definitions: &Map<String, Value>, problems: &mut Problems) {
    let Some(given) = fields.udf_fields.as_ref() else {
        return;
    };
    if definitions.is_empty() {
        return;
    }
    let names: Vec<String> = definitions.keys().cloned().collect();
    for (name, value) in given {
        let shown = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        let Some(definition) = definitions.get(name) else {
            problems.invalid.push(Invalid {
                field: "udf_fields".to_owned(),
                given: name.clone(),
                did_you_mean: closest(name, &names),
                allowed_values: names.iter().take(LISTED).cloned().collect(),
                hint: Some("no such user-defined field".to_owned()),
            });
            continue;
        };
        let allowed = udf_allowed(Some(definition));
        if !allowed.is_empty()
            && !value.is_null()
            && !allowed.iter().any(|a| a.eq_ignore_ascii_case(&shown))
        {
            problems.invalid.push(Invalid {
                field: name.clone(),
                given: shown.clone(),
                did_you_mean: closest(&shown, &allowed),
                allowed_values: allowed,
                hint: None,
            });
        }
    }
}

/// Validates a create with `template` (default: the portal's "Default
/// Request") before anything is sent.
pub(crate) async fn validate_create(
    user: &UserContext,
    template: Option<&str>,
    subject: &str,
    fields: &RequestFields,
) -> Result<(), ToolError> {
    let client = user.upstream().client();
    let mut problems = Problems::default();
    let (category_id, subcategory_id) =
        check_values(user, fields, Parents::default(), &mut problems).await?;
    let mut udfs: Option<Map<String, Value>> = None;
    if fields.udf_fields.as_ref().is_some_and(|m| !m.is_empty()) {
        let definitions = udf_definitions(user).await;
        check_udfs(fields, &definitions, &mut problems);
        udfs = Some(definitions);
    }
    // Template lists may be unreadable (missing setup scope): then only the
    // values are checked and SDP judges the rest.
    let templates = match user.lookups().items(client, Lookup::RequestTemplates).await {
        Ok(templates) => templates,
        Err(error) if template.is_none() => {
            tracing::debug!(%error, "request templates unreadable; skipping template checks");
            return finish(problems, None);
        }
        Err(error) => return Err(error),
    };
    let chosen = match template {
        Some(given) => {
            let found = match_item("template", given, &templates).ok();
            if found.is_none() {
                problems.invalid("template", given, &templates, None);
            }
            found
        }
        None => match_item("template", "Default Request", &templates).ok(),
    };
    let Some(chosen) = chosen else {
        return finish(problems, None);
    };
    let name = chosen.name.clone();
    let definition = user
        .lookups()
        .template(client, chosen.id.as_deref().unwrap_or_default())
        .await?;
    for field in strings(&definition, "mandatory_fields") {
        let given = match field.as_str() {
            "subject" => !subject.trim().is_empty(),
            "template" => true,
            udf if udf.starts_with("udf_") => fields.has_udf(udf),
            other => fields.value(other).is_some(),
        };
        if !given {
            let (mut allowed_values, hint) =
                allowed_for(user, &field, category_id.as_ref(), subcategory_id.as_ref()).await?;
            if field.starts_with("udf_") {
                if udfs.is_none() {
                    udfs = Some(udf_definitions(user).await);
                }
                allowed_values = udf_allowed(udfs.as_ref().and_then(|d| d.get(&field)));
            }
            problems.missing.push(Missing {
                field,
                allowed_values,
                hint,
            });
        }
    }
    for field in strings(&definition, "fields_not_allowed") {
        if fields.value(&field).is_some() || fields.has_udf(&field) {
            problems.not_allowed.push(field);
        }
    }
    finish(problems, name.as_deref())
}

/// Validates the values of an update (no mandatory check: nothing is cleared).
pub(crate) async fn validate_update(
    user: &UserContext,
    fields: &RequestFields,
    parents: Parents,
) -> Result<(), ToolError> {
    let mut problems = Problems::default();
    check_values(user, fields, parents, &mut problems).await?;
    if fields.udf_fields.as_ref().is_some_and(|m| !m.is_empty()) {
        check_udfs(fields, &udf_definitions(user).await, &mut problems);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into_error("update the request", None))
    }
}

fn finish(problems: Problems, template: Option<&str>) -> Result<(), ToolError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.into_error("create the request", template))
    }
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
