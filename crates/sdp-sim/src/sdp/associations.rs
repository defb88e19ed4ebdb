//! Requests associated with problems and changes (reference §5.1: `POST` /
//! `GET` / `DELETE /requests/{id}/problem`, `/request_initiated_change`,
//! `/request_caused_by_change`, bodies wrapped in
//! `request_problem_association` etc.; a `DELETE` needs the same body), and
//! the other side's list `GET /problems/{id}/link_requests` /
//! `GET /changes/{id}/link_requests` (inferred).
//!
//! The links are kept under the problem or change
//! (`problems/{pid}/link_requests`), one record per request, so both sides
//! read the same data; a request has at most one problem.

use serde_json::{Value, json};

use super::generic;
use super::list_info::ListInfo;
use super::route::key_of;
use super::spec::{Ctx, EntitySpec, Field, Kind, Reply, fd};
use super::specs;
use super::store::{PortalData, parse_id, reference_of};
use super::time;
use super::wire::{self, ApiError, Record};

/// One kind of association: the request-side path (also the body key), the
/// target entity, and the request flag it sets (none for caused-by).
struct Association {
    wrapper: &'static str,
    target: &'static EntitySpec,
    target_key: &'static str,
    label: &'static str,
    flag: &'static str,
}

const PROBLEM: Association = Association {
    wrapper: "request_problem_association",
    target: &specs::PROBLEMS,
    target_key: "problem",
    label: "problem",
    flag: "has_problem",
};
const INITIATED: Association = Association {
    wrapper: "request_initiated_change",
    target: &specs::CHANGES,
    target_key: "change",
    label: "initiated",
    flag: "has_request_initiated_change",
};
const CAUSED_BY: Association = Association {
    wrapper: "request_caused_by_change",
    target: &specs::CHANGES,
    target_key: "change",
    label: "caused_by",
    flag: "",
};

fn links_key(kind: &Association, target: u64) -> String {
    format!("{}/{target}/link_requests", key_of(kind.target, None))
}

fn request_id(ctx: &Ctx<'_>) -> Result<u64, ApiError> {
    let id = ctx.id.ok_or_else(ApiError::invalid_url)?;
    ctx.data
        .get(&ctx.key, id)
        .map(|_| id)
        .ok_or_else(|| ApiError::not_found("request", &id.to_string()))
}

/// The target id named by the wrapped body, checked to exist.
fn target_of(ctx: &Ctx<'_>, kind: &Association) -> Result<u64, ApiError> {
    generic::only_keys(ctx.call, &[kind.wrapper])?;
    let wrapped = ctx
        .call
        .input
        .get(kind.wrapper)
        .ok_or_else(|| ApiError::mandatory(&[kind.wrapper.to_owned()]))?;
    let item = match wrapped {
        Value::Array(items) => items.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let Some(object) = item.as_object() else {
        return Err(ApiError::type_mismatch(kind.wrapper, "object"));
    };
    if let Some(extra) = object.keys().find(|k| *k != kind.target_key) {
        return Err(ApiError::extra_key(extra));
    }
    let key = key_of(kind.target, None);
    object
        .get(kind.target_key)
        .and_then(|t| t.get("id"))
        .and_then(parse_id)
        .filter(|id| ctx.data.get(&key, *id).is_some())
        .ok_or_else(|| ApiError::invalid_value(kind.target_key))
}

/// The targets of `kind` that request `rid` is linked to.
fn linked_targets(data: &PortalData, kind: &Association, rid: u64) -> Vec<(u64, u64)> {
    let key = key_of(kind.target, None);
    let targets: Vec<u64> = data.records(&key).map(|(id, _)| *id).collect();
    let mut found = Vec::new();
    for target in targets {
        for (lid, record) in data.records(&links_key(kind, target)) {
            let same_kind = record.get("association").and_then(Value::as_str) == Some(kind.label);
            let request = record
                .get("linked_request")
                .and_then(|r| r.get("id"))
                .and_then(parse_id);
            if same_kind && request == Some(rid) {
                found.push((target, *lid));
            }
        }
    }
    found
}

fn set_flag(ctx: &mut Ctx<'_>, kind: &Association, rid: u64) {
    if kind.flag.is_empty() {
        return;
    }
    let has = !linked_targets(ctx.data, kind, rid).is_empty();
    if let Some(record) = ctx.data.get_mut(&ctx.key, rid) {
        record.insert(kind.flag.into(), Value::Bool(has));
    }
}

fn success(message: &str) -> Reply {
    Reply::Json(json!({"response_status": {
        "status_code": 2000,
        "status": "success",
        "messages": [{"status_code": 2000, "type": "success", "message": message}],
    }}))
}

fn associate(ctx: &mut Ctx<'_>, kind: &Association) -> Result<Reply, ApiError> {
    let rid = request_id(ctx)?;
    let target = target_of(ctx, kind)?;
    // A request has one problem: a new association replaces the old one.
    for (old, lid) in linked_targets(ctx.data, kind, rid) {
        if old == target || kind.target_key == "problem" {
            ctx.data.remove(&links_key(kind, old), lid);
        }
    }
    let reference = ctx
        .data
        .get(&ctx.key, rid)
        .map_or(Value::Null, |r| reference_of(&specs::REQUESTS, r));
    let mut record = Record::new();
    record.insert("linked_request".into(), reference);
    record.insert("association".into(), json!(kind.label));
    record.insert("created_time".into(), time::datetime(ctx.call.now_ms));
    ctx.data.insert(&links_key(kind, target), record);
    set_flag(ctx, kind, rid);
    Ok(success("Association added successfully"))
}

fn dissociate(ctx: &mut Ctx<'_>, kind: &Association) -> Result<Reply, ApiError> {
    let rid = request_id(ctx)?;
    let target = target_of(ctx, kind)?;
    let found: Vec<(u64, u64)> = linked_targets(ctx.data, kind, rid)
        .into_iter()
        .filter(|(t, _)| *t == target)
        .collect();
    if found.is_empty() {
        return Err(ApiError::invalid_value(kind.target_key));
    }
    for (t, lid) in found {
        ctx.data.remove(&links_key(kind, t), lid);
    }
    set_flag(ctx, kind, rid);
    Ok(success("Association removed successfully"))
}

fn associated(ctx: &mut Ctx<'_>, kind: &Association) -> Result<Reply, ApiError> {
    let rid = request_id(ctx)?;
    let key = key_of(kind.target, None);
    let targets: Vec<Value> = linked_targets(ctx.data, kind, rid)
        .into_iter()
        .filter_map(|(t, _)| ctx.data.get(&key, t))
        .map(|r| reference_of(kind.target, r))
        .collect();
    let inner = if kind.target_key == "problem" {
        json!({ kind.target_key: targets.first().cloned().unwrap_or(Value::Null) })
    } else {
        Value::Array(
            targets
                .into_iter()
                .map(|t| json!({ kind.target_key: t }))
                .collect(),
        )
    };
    Ok(Reply::Json(json!({
        kind.wrapper: inner,
        "response_status": wire::success_status(),
    })))
}

/// `POST /requests/{id}/problem`.
pub fn associate_problem(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associate(ctx, &PROBLEM)
}
/// `DELETE /requests/{id}/problem` (same body as the POST).
pub fn dissociate_problem(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    dissociate(ctx, &PROBLEM)
}
/// `GET /requests/{id}/problem`.
pub fn get_problem(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associated(ctx, &PROBLEM)
}
/// `POST /requests/{id}/request_initiated_change`.
pub fn associate_initiated(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associate(ctx, &INITIATED)
}
/// `DELETE /requests/{id}/request_initiated_change`.
pub fn dissociate_initiated(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    dissociate(ctx, &INITIATED)
}
/// `GET /requests/{id}/request_initiated_change`.
pub fn get_initiated(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associated(ctx, &INITIATED)
}
/// `POST /requests/{id}/request_caused_by_change`.
pub fn associate_caused_by(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associate(ctx, &CAUSED_BY)
}
/// `DELETE /requests/{id}/request_caused_by_change`.
pub fn dissociate_caused_by(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    dissociate(ctx, &CAUSED_BY)
}
/// `GET /requests/{id}/request_caused_by_change`.
pub fn get_caused_by(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    associated(ctx, &CAUSED_BY)
}

static LINK_FIELDS: [Field; 4] = [
    fd("id", Kind::ReadOnly),
    fd("linked_request", Kind::ReadOnly),
    fd("association", Kind::ReadOnly),
    fd("created_time", Kind::ReadOnly),
];
static LINK_SPEC: EntitySpec = EntitySpec::base(
    "link_requests",
    "link_request",
    "link_requests",
    "requests",
    &LINK_FIELDS,
);

/// `GET /problems/{id}/link_requests` and `GET /changes/{id}/link_requests`:
/// the requests associated with the item (`list_info` paging).
pub fn linked_requests(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.id.ok_or_else(ApiError::invalid_url)?;
    if ctx.data.get(&ctx.key, id).is_none() {
        return Err(ApiError::not_found(ctx.spec.singular, &id.to_string()));
    }
    generic::only_keys(ctx.call, &["list_info"])?;
    let info = ListInfo::parse(
        ctx.call.input.get("list_info"),
        &LINK_SPEC,
        ctx.call.knobs.clamp_row_count,
    )?;
    let key = format!("{}/{id}/link_requests", ctx.key);
    let (items, list_info) = info.apply(ctx.data.records(&key).map(|(_, r)| r));
    Ok(Reply::Json(wire::list("link_requests", items, list_info)))
}
