//! Approval levels and approvals: a level is created with its approvers; an
//! approval can only be acted on after `send_notification` ("Recommendation
//! mail is not yet sent"); decisions roll up to the level and the parent's
//! `approval_status`.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::fields;
use super::generic::{self, caller_ref};
use super::spec::{Ctx, Reply};
use super::specs;
use super::store::{PortalData, reference_of};
use super::time;
use super::wire::{self, ApiError, Record};

fn resolve_approver(data: &PortalData, value: &Value) -> Result<Value, ApiError> {
    let value = value.get("approver").unwrap_or(value);
    let id = fields::find_user(data, value).ok_or_else(|| ApiError::invalid_value("approver"))?;
    data.get("users", id)
        .map(|r| reference_of(&specs::USERS, r))
        .ok_or_else(|| ApiError::invalid_value("approver"))
}

fn approval_record(ctx: &Ctx<'_>, approver: Value) -> Record {
    let mut record = Record::new();
    record.insert("approver".into(), approver);
    record.insert("status".into(), json!({"name": "Pending Approval"}));
    record.insert("comments".into(), Value::Null);
    record.insert("sent_on".into(), Value::Null);
    record.insert("action_taken_on".into(), Value::Null);
    record.insert("created_time".into(), time::datetime(ctx.call.now_ms));
    record.insert("created_by".into(), caller_ref(ctx.data, ctx.call));
    record
}

fn with_approvals(data: &PortalData, level_key: &str, lid: u64) -> Value {
    let mut level = data.get(level_key, lid).cloned().unwrap_or_default();
    let approvals: Vec<Value> = data
        .records(&format!("{level_key}/{lid}/approvals"))
        .map(|(_, r)| Value::Object(r.clone()))
        .collect();
    level.insert("approvals".into(), Value::Array(approvals));
    Value::Object(level)
}

/// `POST …/approval_levels` with `approval_level.approvers` or `.approvals`.
pub fn create_level(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let input = generic::entity_input(ctx.call, ctx.spec)?;
    for key in input.keys() {
        if ctx.spec.field(key).is_none() {
            return Err(ApiError::extra_key(key));
        }
    }
    let list = input
        .get("approvers")
        .or_else(|| input.get("approvals"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if list.is_empty() {
        return Err(ApiError::mandatory(&["approvers".to_owned()]));
    }
    let approvers = list
        .iter()
        .map(|v| resolve_approver(ctx.data, v))
        .collect::<Result<Vec<_>, _>>()?;
    let level_number = ctx
        .data
        .collection(&ctx.key)
        .map_or(0, std::collections::BTreeMap::len)
        + 1;
    let mut level = Record::new();
    level.insert("level".into(), json!(level_number));
    level.insert(
        "name".into(),
        input
            .get("name")
            .cloned()
            .unwrap_or_else(|| json!(format!("Level {level_number}"))),
    );
    level.insert("status".into(), json!({"name": "Pending"}));
    level.insert("created_time".into(), time::datetime(ctx.call.now_ms));
    level.insert("created_by".into(), caller_ref(ctx.data, ctx.call));
    let lid = ctx.data.insert(&ctx.key, level);
    let approvals_key = format!("{}/{lid}/approvals", ctx.key);
    for approver in approvers {
        let record = approval_record(ctx, approver);
        ctx.data.insert(&approvals_key, record);
    }
    roll_up(ctx.data, &ctx.key);
    Ok(Reply::Json(wire::single(
        ctx.spec.singular,
        with_approvals(ctx.data, &ctx.key, lid),
    )))
}

/// `POST …/approval_levels/{lid}/approvals` with `approval` or `approvals[]`.
pub fn create_approvals(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    generic::only_keys(ctx.call, &["approval", "approvals"])?;
    let (items, many) = match (
        ctx.call.input.get("approvals"),
        ctx.call.input.get("approval"),
    ) {
        (Some(Value::Array(items)), _) => (items.clone(), true),
        (_, Some(one @ Value::Object(_))) => (vec![one.clone()], false),
        _ => return Err(ApiError::mandatory(&["approver".to_owned()])),
    };
    let mut created = Vec::new();
    for item in &items {
        if let Some(extra) = item
            .as_object()
            .and_then(|m| m.keys().find(|k| *k != "approver" && *k != "comments"))
        {
            return Err(ApiError::extra_key(extra));
        }
        if item.get("approver").is_none() {
            return Err(ApiError::mandatory(&["approver".to_owned()]));
        }
        created.push(resolve_approver(ctx.data, item)?);
    }
    let mut out = Vec::new();
    for approver in created {
        let record = approval_record(ctx, approver);
        let id = ctx.data.insert(&ctx.key, record);
        out.push(Value::Object(
            ctx.data.get(&ctx.key, id).cloned().unwrap_or_default(),
        ));
    }
    roll_up_from_approvals(ctx);
    if many {
        let statuses: Vec<Value> = out.iter().map(|_| wire::success_status()).collect();
        Ok(Reply::Json(
            json!({"response_status": statuses, "approvals": out}),
        ))
    } else {
        Ok(Reply::Json(wire::single(
            "approval",
            out.into_iter().next().unwrap_or(Value::Null),
        )))
    }
}

/// `PUT …/approvals/send_notification[?ids=a,b]`: marks approvals as sent.
pub fn send_notification(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let wanted: Option<Vec<u64>> = ctx.call.param("ids").map(|ids| {
        ids.split(',')
            .filter_map(|i| i.trim().parse().ok())
            .collect()
    });
    let now = time::datetime(ctx.call.now_ms);
    let ids: Vec<u64> = ctx.data.records(&ctx.key).map(|(id, _)| *id).collect();
    let mut statuses = Vec::new();
    for id in ids {
        if wanted.as_ref().is_some_and(|w| !w.contains(&id)) {
            continue;
        }
        if let Some(record) = ctx.data.get_mut(&ctx.key, id) {
            record.insert("sent_on".into(), now.clone());
            statuses.push(wire::success_status());
        }
    }
    if statuses.is_empty() {
        return Err(ApiError::invalid_value("ids"));
    }
    Ok(Reply::Json(json!({"response_status": statuses})))
}

/// `GET …/approvals/get_notification_content`.
pub fn notification_content(_ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(wire::single(
        "notification",
        json!({
            "subject": "Approval required",
            "description": "<p>Please approve or reject this item.</p>",
        }),
    )))
}

/// `PUT …/approvals/{aid}/_approve`.
pub fn approve(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    decide(ctx, "Approved")
}

/// `PUT …/approvals/{aid}/_reject`.
pub fn reject(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    decide(ctx, "Rejected")
}

fn decide(ctx: &mut Ctx<'_>, outcome: &str) -> Result<Reply, ApiError> {
    let id = ctx.id.ok_or_else(ApiError::invalid_url)?;
    let input = generic::entity_input(ctx.call, ctx.spec)?;
    if let Some(extra) = input.keys().find(|k| *k != "comments") {
        return Err(ApiError::extra_key(extra));
    }
    let record = ctx
        .data
        .get(&ctx.key, id)
        .ok_or_else(|| ApiError::not_found("approval", &id.to_string()))?;
    if record.get("sent_on").is_none_or(Value::is_null) {
        return Err(ApiError::new(4002, "Recommendation mail is not yet sent")
            .with_http(StatusCode::BAD_REQUEST));
    }
    let pending = record
        .get("status")
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        == Some("Pending Approval");
    if !pending {
        return Err(ApiError::new(
            4000,
            "The approval has already been acted upon",
        ));
    }
    let now = time::datetime(ctx.call.now_ms);
    if let Some(record) = ctx.data.get_mut(&ctx.key, id) {
        record.insert("status".into(), json!({"name": outcome}));
        record.insert("action_taken_on".into(), now);
        record.insert(
            "comments".into(),
            input.get("comments").cloned().unwrap_or(Value::Null),
        );
    }
    roll_up_from_approvals(ctx);
    Ok(generic::single_reply(ctx, id))
}

/// Splits `a/1/b` into (`a`, 1).
fn parent_of(key: &str) -> Option<(&str, u64)> {
    let mut parts = key.rsplitn(3, '/');
    let _ = parts.next()?;
    let id = parts.next()?.parse().ok()?;
    Some((parts.next()?, id))
}

fn roll_up_from_approvals(ctx: &mut Ctx<'_>) {
    let Some((level_key, lid)) = parent_of(&ctx.key) else {
        return;
    };
    let level_key = level_key.to_owned();
    let statuses: Vec<String> = ctx
        .data
        .records(&ctx.key)
        .filter_map(|(_, r)| r.get("status")?.get("name")?.as_str().map(str::to_owned))
        .collect();
    let status = if statuses.iter().any(|s| s == "Rejected") {
        "Rejected"
    } else if !statuses.is_empty() && statuses.iter().all(|s| s == "Approved") {
        "Approved"
    } else {
        "Pending"
    };
    if let Some(level) = ctx.data.get_mut(&level_key, lid) {
        level.insert("status".into(), json!({"name": status}));
    }
    roll_up(ctx.data, &level_key);
}

/// Sets the parent entity's `approval_status` from its levels.
fn roll_up(data: &mut PortalData, level_key: &str) {
    let Some((parent_key, pid)) = parent_of(level_key) else {
        return;
    };
    let statuses: Vec<String> = data
        .records(level_key)
        .filter_map(|(_, r)| r.get("status")?.get("name")?.as_str().map(str::to_owned))
        .collect();
    let status = if statuses.iter().any(|s| s == "Rejected") {
        "Rejected"
    } else if !statuses.is_empty() && statuses.iter().all(|s| s == "Approved") {
        "Approved"
    } else {
        "Pending Approval"
    };
    let parent_key = parent_key.to_owned();
    if let Some(parent) = data.get_mut(&parent_key, pid)
        && parent.contains_key("approval_status")
    {
        parent.insert("approval_status".into(), json!({"name": status}));
    }
}
