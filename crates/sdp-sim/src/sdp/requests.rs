//! Request rules (templates with mandatory and forbidden fields, category /
//! subcategory / item consistency, status side effects, closed-request
//! locks) and the request-only actions: close, pickup, assign, resolutions,
//! summary, conversations.

use serde_json::{Value, json};

use super::call::Call;
use super::fields;
use super::generic::{self, caller_ref};
use super::list_info::ListInfo;
use super::spec::{Ctx, Reply, Rules};
use super::specs;
use super::store::{PortalData, parse_id};
use super::time;
use super::wire::{self, ApiError, Record};

/// Rules of `/requests`.
#[derive(Debug)]
pub struct RequestRules;

fn template_of<'a>(data: &'a PortalData, record: &Record) -> Option<&'a Record> {
    let id = record.get("template")?.get("id").and_then(parse_id)?;
    data.get("request_templates", id)
}

fn string_list(record: &Record, key: &str) -> Vec<String> {
    record
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn name_of(record: &Record, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(|v| v.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn id_of(record: &Record, field: &str) -> Option<u64> {
    record
        .get(field)
        .and_then(|v| v.get("id"))
        .and_then(parse_id)
}

impl Rules for RequestRules {
    fn extra_mandatory(&self, data: &PortalData, record: &Record) -> Vec<String> {
        template_of(data, record).map_or_else(Vec::new, |t| string_list(t, "mandatory_fields"))
    }

    fn before_save(
        &self,
        call: &Call,
        data: &PortalData,
        before: Option<&Record>,
        input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        if let Some(template) = template_of(data, record) {
            for field in string_list(template, "fields_not_allowed") {
                if input.get(&field).is_some_and(|v| !v.is_null()) {
                    return Err(ApiError::field(
                        4002,
                        &field,
                        format!("Cannot give value for {field}"),
                    )
                    .with_http(axum::http::StatusCode::FORBIDDEN));
                }
            }
            let is_service = template
                .get("is_service_template")
                .cloned()
                .unwrap_or(Value::Bool(false));
            record.insert("is_service_request".into(), is_service);
        }
        if let Some(before) = before
            && name_of(before, "status").is_some_and(|s| s.eq_ignore_ascii_case("Closed"))
            && input.contains_key("requester")
        {
            return Err(ApiError::field(
                4009,
                "requester",
                "requester cannot be edited once the request is closed",
            ));
        }
        check_category(
            data,
            input,
            record,
            call.knobs.category_requires_subcategory,
        )?;
        if let Some(Value::Object(closure)) = input.get("closure_info") {
            let resolved = closure_info(call, data, closure)?;
            record.insert("closure_info".into(), resolved);
        }
        status_effects(call.now_ms, before, record);
        if record.get("technician").is_some_and(|t| !t.is_null())
            && before.and_then(|b| b.get("technician")) != record.get("technician")
        {
            record.insert("assigned_time".into(), time::datetime(call.now_ms));
        }
        let short: String = record
            .get("description")
            .and_then(Value::as_str)
            .map(strip_tags)
            .unwrap_or_default()
            .chars()
            .take(100)
            .collect();
        record.insert("short_description".into(), Value::String(short));
        Ok(())
    }
}

/// Subcategory must belong to the category, item to the subcategory; with
/// `require_sub`, giving a category that has subcategories makes
/// `subcategory` mandatory.
pub fn check_category(
    data: &PortalData,
    input: &Record,
    record: &Record,
    require_sub: bool,
) -> Result<(), ApiError> {
    let category = id_of(record, "category");
    let subcategory = id_of(record, "subcategory");
    if let Some(sub) = subcategory {
        let owner = data
            .get("subcategories", sub)
            .and_then(|s| id_of(s, "category"));
        if owner.is_none() || owner != category {
            return Err(ApiError::field(
                4001,
                "subcategory",
                "The subcategory does not belong to the given category",
            ));
        }
    }
    if let Some(item) = id_of(record, "item") {
        let owner = data
            .get("items", item)
            .and_then(|i| id_of(i, "subcategory"));
        if owner.is_none() || owner != subcategory {
            return Err(ApiError::field(
                4001,
                "item",
                "The item does not belong to the given subcategory",
            ));
        }
    }
    if require_sub
        && input.get("category").is_some_and(|c| !c.is_null())
        && subcategory.is_none()
        && let Some(category) = category
        && data
            .records("subcategories")
            .any(|(_, s)| id_of(s, "category") == Some(category))
    {
        return Err(ApiError::mandatory(&["subcategory".to_owned()]));
    }
    Ok(())
}

fn closure_info(call: &Call, data: &PortalData, input: &Record) -> Result<Value, ApiError> {
    const KEYS: [&str; 4] = [
        "closure_code",
        "closure_comments",
        "requester_ack_resolution",
        "requester_ack_comments",
    ];
    if let Some(extra) = input.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(ApiError::extra_key(&format!("closure_info.{extra}")));
    }
    let mut out = input.clone();
    if let Some(code) = input.get("closure_code").filter(|c| !c.is_null()) {
        let spec =
            specs::find("closure_codes").ok_or_else(|| ApiError::invalid_value("closure_code"))?;
        match fields::find_lookup(data, spec, code).and_then(|id| data.reference(spec, id)) {
            Some(reference) => {
                out.insert("closure_code".into(), reference);
            }
            None if call.knobs.validate_closure_code => {
                return Err(ApiError::invalid_value("closure_code"));
            }
            None => {}
        }
    }
    if let Some(ack) = input
        .get("requester_ack_resolution")
        .filter(|v| !v.is_null())
    {
        let ack = fields::as_bool(ack)
            .ok_or_else(|| ApiError::type_mismatch("requester_ack_resolution", "boolean"))?;
        out.insert("requester_ack_resolution".into(), Value::Bool(ack));
    }
    Ok(Value::Object(out))
}

/// Sets `resolved_time` / `completed_time` / `is_reopened` on status changes.
pub fn status_effects(now_ms: i64, before: Option<&Record>, record: &mut Record) {
    let old = before
        .and_then(|b| name_of(b, "status"))
        .unwrap_or_default();
    let new = name_of(record, "status").unwrap_or_default();
    if old.eq_ignore_ascii_case(&new) {
        return;
    }
    let now = time::datetime(now_ms);
    match new.to_ascii_lowercase().as_str() {
        "closed" | "completed" | "cancelled" => {
            for field in ["completed_time", "closed_time"] {
                if record.get(field).is_some_and(Value::is_null) {
                    record.insert(field.into(), now.clone());
                }
            }
        }
        "resolved" => {
            record.insert("resolved_time".into(), now);
        }
        _ => {
            if old.eq_ignore_ascii_case("closed") || old.eq_ignore_ascii_case("resolved") {
                for field in ["completed_time", "resolved_time", "closed_time"] {
                    if record.contains_key(field) {
                        record.insert(field.into(), Value::Null);
                    }
                }
                if record.contains_key("is_reopened") {
                    record.insert("is_reopened".into(), Value::Bool(true));
                }
            }
        }
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.trim().to_owned()
}

fn request_id(ctx: &Ctx<'_>) -> Result<u64, ApiError> {
    ctx.id.ok_or_else(ApiError::invalid_url)
}

/// `PUT /requests/{id}/_close` (and `/close`): `closure_info` (and any other
/// request fields) applied with status Closed.
pub fn close(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let mut input = generic::entity_input(ctx.call, ctx.spec)?;
    input
        .entry("status")
        .or_insert_with(|| json!({"name": "Closed"}));
    generic::update(ctx, id, &input)?;
    Ok(generic::single_reply(ctx, id))
}

/// `PUT /requests/{id}/pickup`: the caller becomes the technician.
pub fn pickup(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let mut input = Record::new();
    input.insert(
        "technician".into(),
        json!({"email_id": ctx.call.caller.email}),
    );
    generic::update(ctx, id, &input)?;
    Ok(generic::single_reply(ctx, id))
}

/// `PUT /requests/{id}/_assign`: `technician` and/or `group`.
pub fn assign(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let body = generic::entity_input(ctx.call, ctx.spec)?;
    if let Some(extra) = body.keys().find(|k| *k != "technician" && *k != "group") {
        return Err(ApiError::extra_key(extra));
    }
    if body.is_empty() {
        return Err(ApiError::mandatory(&[
            "technician".to_owned(),
            "group".to_owned(),
        ]));
    }
    generic::update(ctx, id, &body)?;
    Ok(generic::single_reply(ctx, id))
}

/// `GET /requests/{id}/resolutions`.
pub fn get_resolution(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let resolution = ctx
        .data
        .get(&ctx.key, id)
        .and_then(|r| r.get("resolution"))
        .filter(|r| !r.is_null())
        .cloned()
        .unwrap_or_else(|| json!({"content": null, "submitted_by": null, "submitted_on": null}));
    Ok(Reply::Json(wire::single("resolution", resolution)))
}

/// `POST|PUT /requests/{id}/resolutions` with `{"resolution":{"content"}}`.
pub fn set_resolution(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let body = ctx
        .call
        .entity(&["resolution"])?
        .cloned()
        .unwrap_or_default();
    if let Some(extra) = body
        .keys()
        .find(|k| *k != "content" && *k != "add_to_linked_requests")
    {
        return Err(ApiError::extra_key(extra));
    }
    let content = match body.get("content") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::String(_) | Value::Null) | None => {
            return Err(ApiError::mandatory(&["content".to_owned()]));
        }
        Some(_) => return Err(ApiError::type_mismatch("content", "string")),
    };
    let resolution = json!({
        "content": content,
        "submitted_by": caller_ref(ctx.data, ctx.call),
        "submitted_on": time::datetime(ctx.call.now_ms),
    });
    if let Some(record) = ctx.data.get_mut(&ctx.key, id) {
        record.insert("resolution".into(), resolution.clone());
        record.insert("last_updated_time".into(), time::datetime(ctx.call.now_ms));
    }
    Ok(Reply::Json(wire::single("resolution", resolution)))
}

/// `GET /requests/{id}/summary`: counts of the request's sub-resources.
pub fn summary(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    let count = |sub: &str| {
        ctx.data
            .collection(&format!("{}/{id}/{sub}", ctx.key))
            .map_or(0, std::collections::BTreeMap::len)
    };
    let summary = json!({
        "notes_count": count("notes"),
        "worklogs_count": count("worklogs"),
        "tasks_count": count("tasks"),
        "attachments_count": count("attachments"),
        "approval_levels_count": count("approval_levels"),
        "linked_requests_count": count("link_requests"),
    });
    Ok(Reply::Json(wire::single("summary", summary)))
}

/// `GET /requests/{id}/conversations`: notes as conversation entries.
pub fn conversations(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = request_id(ctx)?;
    generic::only_keys(ctx.call, &["list_info"])?;
    let info = ListInfo::parse(
        ctx.call.input.get("list_info"),
        &specs::REQUEST_NOTES,
        ctx.call.knobs.clamp_row_count,
    )?;
    let entries: Vec<Record> = ctx
        .data
        .records(&format!("{}/{id}/notes", ctx.key))
        .map(|(nid, note)| {
            let mut entry = Record::new();
            entry.insert("id".into(), Value::String(nid.to_string()));
            entry.insert("type".into(), Value::String("note".into()));
            for key in [
                "description",
                "created_by",
                "created_time",
                "show_to_requester",
            ] {
                entry.insert(key.into(), note.get(key).cloned().unwrap_or(Value::Null));
            }
            entry.insert(
                "content_url".into(),
                Value::String(format!("/api/v3/requests/{id}/notes/{nid}")),
            );
            entry
        })
        .collect();
    let (items, list_info) = info.apply(entries.iter());
    Ok(Reply::Json(wire::list("conversations", items, list_info)))
}
