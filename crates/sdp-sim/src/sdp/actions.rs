//! Actions shared by several modules: trash and restore, close of problems,
//! changes and releases, solution approval, and the trash-before-delete rule.

use serde_json::{Value, json};

use super::generic;
use super::spec::{Ctx, Kind, Reply, Rules};
use super::specs;
use super::store::PortalData;
use super::wire::{self, ApiError, Record};

fn item(ctx: &Ctx<'_>) -> Result<u64, ApiError> {
    ctx.id.ok_or_else(ApiError::invalid_url)
}

fn set_trashed(ctx: &mut Ctx<'_>, id: u64, trashed: bool) -> Result<(), ApiError> {
    let record = ctx
        .data
        .get_mut(&ctx.key, id)
        .ok_or_else(|| ApiError::not_found(ctx.spec.singular, &id.to_string()))?;
    let current = record
        .get("is_trashed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !trashed && !current {
        return Err(ApiError::new(4000, "Not in trash"));
    }
    record.insert("is_trashed".into(), Value::Bool(trashed));
    Ok(())
}

/// `DELETE …/{id}/move_to_trash`: hidden from lists, restorable.
pub fn move_to_trash(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = item(ctx)?;
    set_trashed(ctx, id, true)?;
    Ok(Reply::Json(wire::deleted()))
}

/// `PUT …/{id}/restore_from_trash`.
pub fn restore_from_trash(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = item(ctx)?;
    set_trashed(ctx, id, false)?;
    Ok(generic::single_reply(ctx, id))
}

/// `PUT /problems|changes|releases/{id}/close`: status → Closed (or
/// Completed), optional body fields applied as an update.
pub fn close_generic(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = item(ctx)?;
    let mut input = generic::entity_input(ctx.call, ctx.spec)?;
    if let Some(Kind::Lookup(target)) = ctx.spec.field("status").map(|f| f.kind)
        && let Some(target) = specs::find(target)
    {
        let key = super::route::key_of(target, None);
        let closed = ["Closed", "Completed"]
            .into_iter()
            .find(|name| ctx.data.find_by(&key, "name", name).is_some());
        if let Some(name) = closed {
            input.insert("status".into(), json!({"name": name}));
        }
    }
    if ctx.spec.field("comment").is_some() && !input.contains_key("comment") {
        input.insert("comment".into(), Value::String("Closed".into()));
    }
    generic::update(ctx, id, &input)?;
    Ok(generic::single_reply(ctx, id))
}

/// `PUT /solutions/{id}/_approve|_publish`.
pub fn approve_solution(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = item(ctx)?;
    if let Some(record) = ctx.data.get_mut(&ctx.key, id) {
        record.insert("approval_status".into(), json!({"name": "Approved"}));
    }
    Ok(generic::single_reply(ctx, id))
}

/// Solutions: a DELETE must follow `_move_to_trash` ("Not in trash").
#[derive(Debug)]
pub struct TrashFirstRules;

impl Rules for TrashFirstRules {
    fn before_delete(&self, _data: &PortalData, record: &Record) -> Result<(), ApiError> {
        if record.get("is_trashed").and_then(Value::as_bool) == Some(true) {
            Ok(())
        } else {
            Err(ApiError::new(4000, "Not in trash"))
        }
    }
}
