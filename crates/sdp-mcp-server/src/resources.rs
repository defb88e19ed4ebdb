//! MCP resources: SDP records addressed by URI.
//!
//! Templates `sdp://requests/{id}`, `sdp://requests/{id}/notes`,
//! `sdp://problems/{id}`, `sdp://changes/{id}` and `sdp://solutions/{id}`;
//! one static resource, `sdp://metadata` (the portal's lookup values). A read
//! returns one `application/json` text: `{"summary": "...", "<kind>": record}`.
//! Reads run as the caller, through their own SDP connection, and need the
//! module's Zoho READ scope when the user's scopes are known. An id that does
//! not exist is "resource not found" (`-32002`, which rmcp sends as `-32602`
//! to 2026-07-28 clients).

use std::collections::BTreeMap;

use rmcp::ErrorData;
use rmcp::model::{ErrorCode, ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use sdp_client::{Change, ListInfo, Lookup, Problem, Request, SdpError, Solution};
use serde_json::{Value, json};

use crate::context::UserContext;

/// The MIME type of every resource.
const JSON: &str = "application/json";

/// Lookup lists in `sdp://metadata`.
const METADATA_LISTS: &[Lookup] = &[
    Lookup::Statuses,
    Lookup::Priorities,
    Lookup::Urgencies,
    Lookup::Impacts,
    Lookup::Levels,
    Lookup::Modes,
    Lookup::RequestTypes,
    Lookup::Categories,
];

/// Notes per `sdp://requests/{id}/notes` read.
const NOTES_LIMIT: u32 = 100;

/// A parsed resource URI.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// One record of a module (`requests`, `problems`, `changes`, `solutions`).
    Record { module: &'static str, id: String },
    /// The notes of a request.
    RequestNotes { id: String },
    /// The portal's lookup values.
    Metadata,
}

/// Modules readable by id, with the JSON key of one record.
const MODULES: &[(&str, &str, &str)] = &[
    ("requests", "request", "Service request"),
    ("problems", "problem", "Problem"),
    ("changes", "change", "Change"),
    ("solutions", "solution", "Knowledge-base solution"),
];

/// The resource templates of this server.
pub(crate) fn templates() -> Vec<ResourceTemplate> {
    let mut templates: Vec<ResourceTemplate> = MODULES
        .iter()
        .map(|(module, key, title)| {
            ResourceTemplate::new(format!("sdp://{module}/{{id}}"), (*key).to_owned())
                .with_title(format!("{title} by id"))
                .with_description(format!(
                    "{title} of ServiceDesk Plus by its numeric id, as JSON with a one-line \
                     summary, read with your own SDP permissions"
                ))
                .with_mime_type(JSON)
        })
        .collect();
    templates.push(
        ResourceTemplate::new("sdp://requests/{id}/notes", "request_notes")
            .with_title("Notes of a request")
            .with_description(format!(
                "The notes of a service request (up to {NOTES_LIMIT}), as JSON"
            ))
            .with_mime_type(JSON),
    );
    templates
}

/// The static resources of this server.
pub(crate) fn resources() -> Vec<Resource> {
    vec![
        Resource::new("sdp://metadata", "metadata")
            .with_title("Portal lookup values")
            .with_description(
                "Statuses, priorities, urgencies, impacts, levels, modes, request types and \
                 categories of your ServiceDesk Plus portal: the values lookup fields accept",
            )
            .with_mime_type(JSON),
    ]
}

/// The scope module a URI reads, for the Zoho scope check.
pub(crate) fn scope_module(uri: &str) -> Option<&'static str> {
    match parse(uri)? {
        Target::Record { module, .. } => Some(module),
        Target::RequestNotes { .. } => Some("requests"),
        Target::Metadata => None,
    }
}

fn parse(uri: &str) -> Option<Target> {
    let rest = uri.strip_prefix("sdp://")?;
    if rest == "metadata" {
        return Some(Target::Metadata);
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let numeric =
        |id: &str| !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        ["requests", id, "notes"] if numeric(id) => Some(Target::RequestNotes {
            id: (*id).to_owned(),
        }),
        [module, id] if numeric(id) => {
            MODULES
                .iter()
                .find(|(m, _, _)| m == module)
                .map(|(module, _, _)| Target::Record {
                    module,
                    id: (*id).to_owned(),
                })
        }
        _ => None,
    }
}

/// `resources/read` for `uri` as `user`.
///
/// # Errors
/// Resource not found for an unknown URI or id; an internal error naming
/// SDP's answer for other failures.
pub(crate) async fn read(user: &UserContext, uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let Some(target) = parse(uri) else {
        return Err(not_found(
            uri,
            "this server has no such resource; resources look like \
                                   sdp://requests/42 (see resources/templates/list)",
        ));
    };
    let body = match target {
        Target::Record { module, id } => read_record(user, module, &id)
            .await
            .map_err(|error| sdp_failure(uri, &error))?,
        Target::RequestNotes { id } => read_notes(user, &id)
            .await
            .map_err(|error| sdp_failure(uri, &error))?,
        Target::Metadata => read_metadata(user).await,
    };
    let text = serde_json::to_string_pretty(&body)
        .map_err(|error| ErrorData::internal_error(error.to_string(), None))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(text, uri).with_mime_type(JSON),
    ]))
}

async fn read_record(user: &UserContext, module: &str, id: &str) -> Result<Value, SdpError> {
    let client = user.upstream().client();
    let record = match module {
        "problems" => to_json(client.get::<Problem>(id).await?),
        "changes" => to_json(client.get::<Change>(id).await?),
        "solutions" => to_json(client.get::<Solution>(id).await?),
        _ => to_json(client.get::<Request>(id).await?),
    };
    let key = MODULES
        .iter()
        .find(|(m, _, _)| *m == module)
        .map_or("record", |(_, key, _)| *key);
    Ok(json!({ "summary": summary(key, id, &record), key: record }))
}

async fn read_notes(user: &UserContext, id: &str) -> Result<Value, SdpError> {
    let page = user
        .upstream()
        .client()
        .requests()
        .notes(id)
        .list(&ListInfo::new().row_count(NOTES_LIMIT))
        .await?;
    let count = page.items.len();
    let more = if page.has_more() { " (more exist)" } else { "" };
    Ok(json!({
        "summary": format!("Request {id}: {count} note(s){more}"),
        "request_id": id,
        "notes": page.items.into_iter().map(to_json).collect::<Vec<_>>(),
    }))
}

async fn read_metadata(user: &UserContext) -> Value {
    let client = user.upstream().client();
    let mut lists = BTreeMap::new();
    let mut unavailable = BTreeMap::new();
    for lookup in METADATA_LISTS {
        let key = lookup.plural_key().to_owned();
        match user.lookups().items(client, lookup.clone()).await {
            Ok(items) => {
                let names: Vec<Value> = items
                    .iter()
                    .map(|item| json!({"id": item.id, "name": item.name}))
                    .collect();
                lists.insert(key, Value::Array(names));
            }
            Err(error) => {
                unavailable.insert(key, Value::String(error.to_string()));
            }
        }
    }
    json!({
        "summary": format!("{} lookup lists of this portal", lists.len()),
        "lists": lists,
        "unavailable": unavailable,
    })
}

fn to_json<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `"Request 42: Printer jammed (status Open, priority High, technician Sam)"`.
fn summary(kind: &str, id: &str, record: &Value) -> String {
    let name = |field: &str| -> Option<String> {
        match record.get(field)? {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Object(object) => object
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_owned),
            _ => None,
        }
    };
    let title = name("subject")
        .or_else(|| name("title"))
        .unwrap_or_else(|| "(no subject)".to_owned());
    let facts: Vec<String> = ["status", "priority", "technician", "requester", "stage"]
        .iter()
        .filter_map(|field| name(field).map(|value| format!("{field} {value}")))
        .collect();
    let mut kind = kind.to_owned();
    if let Some(first) = kind.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    if facts.is_empty() {
        format!("{kind} {id}: {title}")
    } else {
        format!("{kind} {id}: {title} ({})", facts.join(", "))
    }
}

fn not_found(uri: &str, why: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("resource {uri} not found: {why}"),
        Some(json!({ "uri": uri })),
    )
}

fn sdp_failure(uri: &str, error: &SdpError) -> ErrorData {
    if error.is_not_found() {
        return not_found(
            uri,
            "ServiceDesk Plus has no record with this id, or you may not see it; check the id",
        );
    }
    ErrorData::new(
        ErrorCode::INTERNAL_ERROR,
        format!("reading {uri} failed: {}", error.human_message()),
        Some(json!({ "uri": uri })),
    )
}

/// The error for a read the user's Zoho scopes do not allow.
pub(crate) fn scope_refusal(uri: &str, module: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::INVALID_REQUEST,
        format!(
            "reading {uri} needs the Zoho scope SDPOnDemand.{module}.READ, which your \
             ServiceDesk Plus authorisation does not include; authorise again granting it"
        ),
        Some(json!({ "uri": uri, "missing_scope": format!("SDPOnDemand.{module}.READ") })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_to_targets() {
        assert_eq!(
            parse("sdp://requests/42"),
            Some(Target::Record {
                module: "requests",
                id: "42".to_owned()
            })
        );
        assert_eq!(
            parse("sdp://requests/42/notes"),
            Some(Target::RequestNotes {
                id: "42".to_owned()
            })
        );
        assert_eq!(parse("sdp://metadata"), Some(Target::Metadata));
        for bad in [
            "sdp://requests/",
            "sdp://requests/x1",
            "sdp://assets/1",
            "http://requests/1",
            "sdp://problems/1/notes",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn summaries_name_the_key_facts() {
        let record = json!({"subject": "Printer", "status": {"name": "Open"}, "priority": null});
        assert_eq!(
            summary("request", "7", &record),
            "Request 7: Printer (status Open)"
        );
    }
}
