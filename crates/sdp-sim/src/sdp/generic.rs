//! The generic, table-driven engine: list, get, create, update and delete of
//! any entity or sub-resource, plus the record helpers action handlers share.

use axum::http::Method;
use serde_json::{Value, json};

use super::call::Call;
use super::fields;
use super::list_info::ListInfo;
use super::route::{self, Resolved};
use super::spec::{Ctx, EntitySpec, Kind, Reply, Storage};
use super::specs;
use super::store::{Portal, PortalData, reference_of};
use super::time;
use super::wire::{self, ApiError, Record};

/// Serves a resolved path on `portal`. Takes the portal's read lock for plain
/// reads and its write lock otherwise; never across an `.await`.
pub fn handle(portal: &Portal, call: &Call, resolved: &Resolved) -> Result<Reply, ApiError> {
    if resolved.action.is_none() && call.method == Method::GET {
        let data = portal.data.read();
        let (key, parent) = route::locate(&data, resolved)?;
        let parent_id = parent.as_ref().map(|p| p.2);
        return match resolved.id {
            None => list(
                &data,
                call,
                resolved.spec,
                &key,
                parent_id,
                parent.map(|p| p.0),
            ),
            Some(id) => {
                route::check_exists(&data, resolved.spec, &key, parent_id, id)?;
                only_keys(call, &["list_info", "fields_required"])?;
                let record = data.get(&key, id).cloned().unwrap_or_default();
                Ok(Reply::Json(wire::single(
                    resolved.spec.singular,
                    Value::Object(record),
                )))
            }
        };
    }
    let mut data = portal.data.write();
    let (key, parent) = route::locate(&data, resolved)?;
    if let Some(id) = resolved.id {
        route::check_exists(&data, resolved.spec, &key, parent.as_ref().map(|p| p.2), id)?;
    }
    let mut ctx = Ctx {
        call,
        data: &mut data,
        spec: resolved.spec,
        key,
        parent,
        id: resolved.id,
    };
    if let Some(action) = resolved.action {
        return (action.run)(&mut ctx);
    }
    match (resolved.id, call.method.as_str()) {
        (None, "POST") => {
            if let Some(custom) = ctx.spec.custom_create {
                return custom(&mut ctx);
            }
            let input = entity_input(call, ctx.spec)?;
            let id = create(&mut ctx, &input)?;
            Ok(single_reply(&ctx, id))
        }
        (Some(id), "PUT") => {
            let input = entity_input(call, ctx.spec)?;
            update(&mut ctx, id, &input)?;
            Ok(single_reply(&ctx, id))
        }
        (Some(id), "DELETE") => {
            delete(&mut ctx, id)?;
            Ok(Reply::Json(wire::deleted()))
        }
        _ => Err(ApiError::invalid_url()),
    }
}

/// 4000 "Extra key" for any top-level `input_data` key outside `allowed`.
pub fn only_keys(call: &Call, allowed: &[&str]) -> Result<(), ApiError> {
    match call.input.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(extra) => Err(ApiError::extra_key(extra)),
        None => Ok(()),
    }
}

/// The entity object of a write (`{"request": {...}}`), empty when absent.
pub fn entity_input(call: &Call, spec: &EntitySpec) -> Result<Record, ApiError> {
    let mut keys = vec![spec.singular];
    keys.extend_from_slice(spec.aliases);
    Ok(call.entity(&keys)?.cloned().unwrap_or_default())
}

fn list(
    data: &PortalData,
    call: &Call,
    spec: &EntitySpec,
    key: &str,
    parent_id: Option<u64>,
    parent: Option<&EntitySpec>,
) -> Result<Reply, ApiError> {
    only_keys(call, &["list_info"])?;
    let info = ListInfo::parse(
        call.input.get("list_info"),
        spec,
        call.knobs.clamp_row_count,
    )?;
    let records = data
        .records(key)
        .map(|(_, r)| r)
        .filter(|r| route::in_view(spec, parent_id, r))
        .filter(|r| r.get("is_trashed") != Some(&Value::Bool(true)));
    let (items, list_info) = info.apply(records);
    let list_key = if spec.singular == "request_note" && parent.is_some() {
        call.knobs.notes_list_key.as_str()
    } else {
        spec.plural
    };
    Ok(Reply::Json(wire::list(list_key, items, list_info)))
}

/// `{<singular>: record}` for record `id` of the context's collection.
pub fn single_reply(ctx: &Ctx<'_>, id: u64) -> Reply {
    let record = ctx.data.get(&ctx.key, id).cloned().unwrap_or_default();
    Reply::Json(wire::single(ctx.spec.singular, Value::Object(record)))
}

/// The caller as a user reference (their technician record of this portal).
pub fn caller_ref(data: &PortalData, call: &Call) -> Value {
    data.find_by("users", "email_id", &call.caller.email)
        .map_or_else(
            || json!({"name": call.caller.name, "email_id": call.caller.email}),
            |(_, r)| reference_of(&specs::USERS, r),
        )
}

/// Creates a record of the context's entity from `input`; returns its id.
pub fn create(ctx: &mut Ctx<'_>, input: &Record) -> Result<u64, ApiError> {
    let spec = ctx.spec;
    let mut record = fields::blank(spec);
    fields::apply(spec, ctx.data, input, &mut record)?;
    for (field, name) in spec.defaults {
        if record.get(*field).is_none_or(Value::is_null)
            && let Some(Kind::Lookup(target)) = spec.field(field).map(|f| f.kind)
            && let Some(target) = specs::find(target)
            && let Some(id) = fields::find_lookup(ctx.data, target, &json!({"name": name}))
            && let Some(reference) = ctx.data.reference(target, id)
        {
            record.insert((*field).to_owned(), reference);
        }
    }
    if let Some((field, value)) = spec.view {
        record.insert(field.to_owned(), Value::Bool(value));
    }
    if let (Storage::ChildOf { field, .. }, Some((pspec, pkey, pid))) = (spec.storage, &ctx.parent)
        && let Some(parent) = ctx.data.get(pkey, *pid)
    {
        record.insert(field.to_owned(), reference_of(pspec, parent));
    }
    let now = time::datetime(ctx.call.now_ms);
    for audit in ["created_time", "last_updated_time"] {
        if spec.field(audit).is_some() {
            record.insert(audit.to_owned(), now.clone());
        }
    }
    if spec.field("created_by").is_some() {
        record.insert("created_by".into(), caller_ref(ctx.data, ctx.call));
    }
    let mut wanted: Vec<String> = spec.mandatory.iter().map(|s| (*s).to_owned()).collect();
    wanted.extend(spec.rules.extra_mandatory(ctx.data, &record));
    let missing = fields::missing(&record, wanted);
    if !missing.is_empty() {
        return Err(ApiError::mandatory(&missing));
    }
    spec.rules
        .before_save(ctx.call, ctx.data, None, input, &mut record)?;
    check_unique(ctx.data, spec, &ctx.key, None, &record)?;
    if spec.display_id {
        let display = ctx.data.next_display_id(&ctx.key);
        record.insert("display_id".into(), Value::String(display.to_string()));
    }
    let id = ctx.data.insert(&ctx.key, record);
    refresh_parent_flag(ctx);
    Ok(id)
}

/// Applies `input` to record `id` (partial update; `null` clears).
pub fn update(ctx: &mut Ctx<'_>, id: u64, input: &Record) -> Result<(), ApiError> {
    let spec = ctx.spec;
    let before = ctx
        .data
        .get(&ctx.key, id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(spec.singular, &id.to_string()))?;
    let mut record = before.clone();
    fields::apply(spec, ctx.data, input, &mut record)?;
    let cleared: Vec<String> = spec
        .mandatory
        .iter()
        .filter(|m| input.contains_key(**m))
        .map(|m| (*m).to_owned())
        .collect();
    let missing = fields::missing(&record, cleared);
    if !missing.is_empty() {
        return Err(ApiError::mandatory(&missing));
    }
    spec.rules
        .before_save(ctx.call, ctx.data, Some(&before), input, &mut record)?;
    check_unique(ctx.data, spec, &ctx.key, Some(id), &record)?;
    if spec.field("last_updated_time").is_some() {
        record.insert("last_updated_time".into(), time::datetime(ctx.call.now_ms));
    }
    if let Some(slot) = ctx.data.get_mut(&ctx.key, id) {
        *slot = record;
    }
    Ok(())
}

/// Deletes record `id` after the entity's rules and the in-use check.
pub fn delete(ctx: &mut Ctx<'_>, id: u64) -> Result<(), ApiError> {
    let spec = ctx.spec;
    if let Some(record) = ctx.data.get(&ctx.key, id) {
        spec.rules.before_delete(ctx.data, record)?;
    }
    if spec.in_use_check && in_use(ctx.data, &ctx.key, id) {
        return Err(ApiError::field(
            4005,
            spec.singular,
            format!("The {} is in use and cannot be deleted", spec.singular),
        ));
    }
    ctx.data.remove(&ctx.key, id);
    refresh_parent_flag(ctx);
    Ok(())
}

fn check_unique(
    data: &PortalData,
    spec: &EntitySpec,
    key: &str,
    own_id: Option<u64>,
    record: &Record,
) -> Result<(), ApiError> {
    for field in spec.unique {
        let Some(value) = record
            .get(*field)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        if let Some((other, _)) = data.find_by(key, field, value)
            && Some(other) != own_id
        {
            return Err(ApiError::field(
                4008,
                field,
                format!("A {} with {field} '{value}' already exists", spec.singular),
            ));
        }
    }
    Ok(())
}

/// Whether any top-level record refers to record `id` of collection `key`.
fn in_use(data: &PortalData, key: &str, id: u64) -> bool {
    let wanted = Value::String(id.to_string());
    specs::TOP.iter().any(|spec| {
        let Storage::Own(own_key) = spec.storage else {
            return false;
        };
        let refers: Vec<&str> = spec
            .fields
            .iter()
            .filter(|f| match f.kind {
                Kind::Lookup(target) => {
                    specs::find(target).is_some_and(|t| route::key_of(t, None) == key)
                }
                Kind::User(_) => key == "users",
                _ => false,
            })
            .map(|f| f.name)
            .collect();
        !refers.is_empty()
            && data.records(own_key).any(|(_, r)| {
                refers
                    .iter()
                    .any(|f| r.get(*f).and_then(|v| v.get("id")) == Some(&wanted))
            })
    })
}

/// Sets the parent's flag (`has_notes`) to whether this sub-collection is non-empty.
pub fn refresh_parent_flag(ctx: &mut Ctx<'_>) {
    let (Some(flag), Some((_, pkey, pid))) = (ctx.spec.parent_flag, &ctx.parent) else {
        return;
    };
    if ctx.spec.path == "attachments" {
        super::attachments::refresh_parent(ctx.data, pkey, *pid);
        return;
    }
    let non_empty = ctx.data.collection(&ctx.key).is_some_and(|c| !c.is_empty());
    if let Some(parent) = ctx.data.get_mut(pkey, *pid) {
        parent.insert(flag.to_owned(), Value::Bool(non_empty));
    }
}
