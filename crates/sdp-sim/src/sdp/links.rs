//! Request merge and request links. Merging is irreversible: a merged-away
//! request answers 4007 naming the request it was merged into.

use serde_json::{Value, json};

use super::generic;
use super::list_info::ListInfo;
use super::spec::{Ctx, EntitySpec, Field, Kind, Reply, fd};
use super::specs;
use super::store::{parse_id, reference_of};
use super::time;
use super::wire::{self, ApiError, Record};

fn parent_id(ctx: &Ctx<'_>) -> Result<u64, ApiError> {
    ctx.id.ok_or_else(ApiError::invalid_url)
}

/// `PUT /requests/{id}/merge_requests` with `{"merge_requests":[{"id"}]}`.
pub fn merge(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let target = parent_id(ctx)?;
    generic::only_keys(ctx.call, &["merge_requests"])?;
    let items = match ctx.call.input.get("merge_requests") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        Some(Value::Object(one)) => vec![Value::Object(one.clone())],
        Some(Value::Array(_) | Value::Null) | None => {
            return Err(ApiError::mandatory(&["merge_requests".to_owned()]));
        }
        Some(_) => return Err(ApiError::type_mismatch("merge_requests", "array")),
    };
    let mut ids = Vec::new();
    for item in &items {
        let id = item
            .get("id")
            .and_then(parse_id)
            .filter(|id| *id != target && ctx.data.get(&ctx.key, *id).is_some())
            .ok_or_else(|| ApiError::invalid_value("merge_requests"))?;
        ids.push(id);
    }
    for id in ids {
        let notes_from = format!("{}/{id}/notes", ctx.key);
        let notes: Vec<Record> = ctx
            .data
            .records(&notes_from)
            .map(|(_, n)| n.clone())
            .collect();
        let notes_to = format!("{}/{target}/notes", ctx.key);
        for note in notes {
            ctx.data.insert(&notes_to, note);
        }
        ctx.data.remove(&ctx.key, id);
        ctx.data.merged_into.insert(id, target);
    }
    let has_notes = ctx
        .data
        .collection(&format!("{}/{target}/notes", ctx.key))
        .is_some_and(|c| !c.is_empty());
    if let Some(record) = ctx.data.get_mut(&ctx.key, target) {
        record.insert("has_notes".into(), Value::Bool(has_notes));
    }
    Ok(Reply::Json(json!({"response_status": {
        "status_code": 2000,
        "status": "success",
        "messages": [{"status_code": 2000, "type": "success", "message": "Request(s) merged successfully"}],
    }})))
}

fn links_key(ctx: &Ctx<'_>, id: u64) -> String {
    format!("{}/{id}/link_requests", ctx.key)
}

/// `GET /requests/{id}/link_requests`.
pub fn list_links(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = parent_id(ctx)?;
    generic::only_keys(ctx.call, &["list_info"])?;
    let info = ListInfo::parse(
        ctx.call.input.get("list_info"),
        &LINK_SPEC,
        ctx.call.knobs.clamp_row_count,
    )?;
    let key = links_key(ctx, id);
    let (items, list_info) = info.apply(ctx.data.records(&key).map(|(_, r)| r));
    Ok(Reply::Json(wire::list("link_requests", items, list_info)))
}

/// Fields of a link entry (for `list_info` paths).
static LINK_FIELDS: [Field; 4] = [
    fd("id", Kind::ReadOnly),
    fd("linked_request", Kind::ReadOnly),
    fd("comments", Kind::ReadOnly),
    fd("created_time", Kind::ReadOnly),
];
static LINK_SPEC: EntitySpec = EntitySpec::base(
    "link_requests",
    "link_request",
    "link_requests",
    "requests",
    &LINK_FIELDS,
);

fn link_items(ctx: &Ctx<'_>) -> Result<Vec<Value>, ApiError> {
    generic::only_keys(ctx.call, &["link_requests"])?;
    match ctx.call.input.get("link_requests") {
        Some(Value::Array(items)) if !items.is_empty() => Ok(items.clone()),
        Some(Value::Object(one)) => Ok(vec![Value::Object(one.clone())]),
        Some(Value::Array(_) | Value::Null) | None => {
            Err(ApiError::mandatory(&["link_requests".to_owned()]))
        }
        Some(_) => Err(ApiError::type_mismatch("link_requests", "array")),
    }
}

fn other_id(ctx: &Ctx<'_>, item: &Value, own: u64) -> Option<u64> {
    item.get("linked_request")
        .and_then(|l| l.get("id"))
        .and_then(parse_id)
        .filter(|id| *id != own && ctx.data.get(&ctx.key, *id).is_some())
}

fn item_status(ok: bool, message: &str) -> Value {
    if ok {
        json!({"status_code": 2000, "status": "success", "messages": [{"status_code": 2000, "type": "success", "message": message}]})
    } else {
        json!({"status_code": 4000, "status": "failed", "messages": [{"status_code": 4001, "type": "failed", "field": "linked_request", "message": "Value given for linked_request is not valid"}]})
    }
}

fn set_flag(ctx: &mut Ctx<'_>, id: u64) {
    let key = links_key(ctx, id);
    let has = ctx.data.collection(&key).is_some_and(|c| !c.is_empty());
    if let Some(record) = ctx.data.get_mut(&ctx.key, id) {
        record.insert("has_linked_requests".into(), Value::Bool(has));
    }
}

/// `POST /requests/{id}/link_requests`: per-item results, HTTP 200.
pub fn link(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = parent_id(ctx)?;
    let mut statuses = Vec::new();
    for item in link_items(ctx)? {
        let Some(other) = other_id(ctx, &item, id) else {
            statuses.push(item_status(false, ""));
            continue;
        };
        let comments = item.get("comments").cloned().unwrap_or(Value::Null);
        for (from, to) in [(id, other), (other, id)] {
            let key = links_key(ctx, from);
            let exists = ctx
                .data
                .records(&key)
                .any(|(_, r)| linked_id(r) == Some(to));
            if exists {
                continue;
            }
            let reference = ctx
                .data
                .get(&ctx.key, to)
                .map_or(Value::Null, |r| reference_of(&specs::REQUESTS, r));
            let mut record = Record::new();
            record.insert("linked_request".into(), reference);
            record.insert("comments".into(), comments.clone());
            record.insert("created_time".into(), time::datetime(ctx.call.now_ms));
            ctx.data.insert(&key, record);
            set_flag(ctx, from);
        }
        statuses.push(item_status(true, "Request(s) linked successfully"));
    }
    Ok(Reply::Json(json!({"response_status": statuses})))
}

fn linked_id(record: &Record) -> Option<u64> {
    record
        .get("linked_request")
        .and_then(|l| l.get("id"))
        .and_then(parse_id)
}

/// `DELETE /requests/{id}/link_requests` with the same body as POST.
pub fn unlink(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = parent_id(ctx)?;
    let mut statuses = Vec::new();
    for item in link_items(ctx)? {
        let Some(other) = other_id(ctx, &item, id) else {
            statuses.push(item_status(false, ""));
            continue;
        };
        for (from, to) in [(id, other), (other, id)] {
            let key = links_key(ctx, from);
            let found: Vec<u64> = ctx
                .data
                .records(&key)
                .filter(|(_, r)| linked_id(r) == Some(to))
                .map(|(lid, _)| *lid)
                .collect();
            for lid in found {
                ctx.data.remove(&key, lid);
            }
            set_flag(ctx, from);
        }
        statuses.push(item_status(true, "Request(s) unlinked successfully"));
    }
    Ok(Reply::Json(json!({"response_status": statuses})))
}
