//! Attachments: `PUT …/{id}/upload` with multipart `input_file` (bytes kept),
//! list, `…/attachments/{aid}/download` (and `/_download`) as raw bytes,
//! delete through the generic engine.

use serde_json::{Value, json};

use super::generic::caller_ref;
use super::spec::{Ctx, Reply};
use super::store::{Blob, PortalData};
use super::time;
use super::wire::{self, ApiError, Record};

fn size_value(bytes: usize) -> Value {
    let display = if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{:.2} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.2} MB", bytes as f64 / (1024.0 * 1024.0))
    };
    json!({"display_value": display, "value": bytes})
}

/// `PUT /<module>/{id}/upload`: one attachment per `input_file` part.
pub fn upload(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let id = ctx.id.ok_or_else(ApiError::invalid_url)?;
    let files: Vec<_> = ctx
        .call
        .files
        .iter()
        .filter(|f| f.field == "input_file" || f.field == "filename")
        .collect();
    if files.is_empty() {
        return Err(ApiError::mandatory(&["input_file".to_owned()]));
    }
    let key = format!("{}/{id}/attachments", ctx.key);
    let module = ctx.spec.path;
    let description = ctx.call.param("description").map(str::to_owned);
    let mut created = Vec::new();
    for file in files {
        let mut record = Record::new();
        record.insert("name".into(), Value::String(file.name.clone()));
        record.insert("size".into(), size_value(file.bytes.len()));
        record.insert(
            "content_type".into(),
            Value::String(file.content_type.clone()),
        );
        record.insert("description".into(), json!(description));
        record.insert("created_time".into(), time::datetime(ctx.call.now_ms));
        record.insert("created_by".into(), caller_ref(ctx.data, ctx.call));
        let aid = ctx.data.insert(&key, record);
        let url = format!("/api/v3/{module}/{id}/attachments/{aid}/download");
        if let Some(stored) = ctx.data.get_mut(&key, aid) {
            stored.insert("file_id".into(), Value::String(aid.to_string()));
            stored.insert("content_url".into(), Value::String(url));
            created.push(Value::Object(stored.clone()));
        }
        ctx.data.blobs.insert(
            aid,
            Blob {
                content_type: file.content_type.clone(),
                name: file.name.clone(),
                bytes: file.bytes.clone(),
            },
        );
    }
    refresh_parent(ctx.data, &ctx.key, id);
    Ok(Reply::Json(json!({
        "response_status": wire::success_status(),
        "attachments": created,
    })))
}

/// Keeps record `id` of `parent_key`'s `has_attachments` and `attachments` in step.
pub fn refresh_parent(data: &mut PortalData, parent_key: &str, id: u64) {
    let key = format!("{parent_key}/{id}/attachments");
    let refs: Vec<Value> = data
        .records(&key)
        .map(|(_, r)| {
            json!({
                "id": r.get("id"),
                "name": r.get("name"),
                "size": r.get("size"),
                "content_url": r.get("content_url"),
            })
        })
        .collect();
    if let Some(parent) = data.get_mut(parent_key, id) {
        if parent.contains_key("has_attachments") {
            parent.insert("has_attachments".into(), Value::Bool(!refs.is_empty()));
        }
        if parent.contains_key("attachments") {
            parent.insert("attachments".into(), Value::Array(refs));
        }
    }
}

/// `GET …/attachments/{aid}/download`: the stored bytes.
pub fn download(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let aid = ctx.id.ok_or_else(ApiError::invalid_url)?;
    let blob = ctx
        .data
        .blobs
        .get(&aid)
        .ok_or_else(|| ApiError::not_found("attachment", &aid.to_string()))?;
    Ok(Reply::Raw {
        content_type: blob.content_type.clone(),
        name: blob.name.clone(),
        body: blob.bytes.clone(),
    })
}
