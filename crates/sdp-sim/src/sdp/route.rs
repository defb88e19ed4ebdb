//! Resolves `/api/v3/<segments>` against the entity tables: the addressed
//! entity, its ancestors, an optional record id and an optional action.

use axum::http::Method;
use serde_json::Value;

use super::spec::{Action, EntitySpec, Parent, Storage};
use super::specs;
use super::store::{PortalData, parse_id};
use super::wire::{ApiError, Record};

/// A resolved path.
#[derive(Debug)]
pub struct Resolved {
    /// The top-level entity (scope and license are its).
    pub root: &'static EntitySpec,
    /// Ancestors with their record ids, root first.
    pub chain: Vec<(&'static EntitySpec, u64)>,
    /// The addressed entity.
    pub spec: &'static EntitySpec,
    /// The addressed record, if the path names one.
    pub id: Option<u64>,
    /// The action, if the path ends in one.
    pub action: Option<&'static Action>,
}

/// Resolves path segments for `method`.
pub fn resolve(segments: &[&str], method: &Method) -> Result<Resolved, ApiError> {
    let (first, rest) = segments.split_first().ok_or_else(ApiError::invalid_url)?;
    let root = specs::find(first).ok_or_else(ApiError::invalid_url)?;
    let mut resolved = Resolved {
        root,
        chain: Vec::new(),
        spec: root,
        id: None,
        action: None,
    };
    let mut iter = rest.iter().peekable();
    while let Some(segment) = iter.next() {
        let is_last = iter.peek().is_none();
        let spec = resolved.spec;
        match resolved.id {
            None => {
                if let Some(action) = spec
                    .collection_actions
                    .iter()
                    .find(|a| a.name == *segment && a.method == *method)
                {
                    if !is_last {
                        return Err(ApiError::invalid_url());
                    }
                    resolved.action = Some(action);
                } else {
                    let id = segment
                        .parse::<u64>()
                        .map_err(|_| ApiError::invalid_url())?;
                    resolved.id = Some(id);
                }
            }
            Some(id) => {
                if let Some(sub) = spec.sub(segment) {
                    resolved.chain.push((spec, id));
                    resolved.spec = sub;
                    resolved.id = None;
                } else if let Some(action) = spec.action(segment, method) {
                    if !is_last {
                        return Err(ApiError::invalid_url());
                    }
                    resolved.action = Some(action);
                } else {
                    return Err(ApiError::invalid_url());
                }
            }
        }
    }
    if resolved.action.is_none() {
        let ops = resolved.spec.ops;
        let allowed = match (resolved.id.is_some(), method.as_str()) {
            (_, "GET") => ops.read,
            (false, "POST") => ops.create,
            (true, "PUT") => ops.update,
            (true, "DELETE") => ops.delete,
            _ => false,
        };
        if !allowed {
            return Err(ApiError::invalid_url());
        }
    }
    Ok(resolved)
}

/// Storage key of `spec`'s collection below `parent` (its key and record id).
pub fn key_of(spec: &EntitySpec, parent: Option<(&str, u64)>) -> String {
    match (spec.storage, parent) {
        (
            Storage::Own(key)
            | Storage::ChildOf {
                collection: key, ..
            },
            _,
        ) => key.to_owned(),
        (Storage::Nested, Some((pkey, pid))) => format!("{pkey}/{pid}/{}", spec.path),
        (Storage::Nested, None) => spec.path.to_owned(),
    }
}

/// Whether `record` belongs to `spec`'s view below parent record `parent_id`.
pub fn in_view(spec: &EntitySpec, parent_id: Option<u64>, record: &Record) -> bool {
    if let Some((field, wanted)) = spec.view
        && record.get(field).and_then(Value::as_bool).unwrap_or(false) != wanted
    {
        return false;
    }
    if let (Storage::ChildOf { field, .. }, Some(pid)) = (spec.storage, parent_id) {
        return record
            .get(field)
            .and_then(|v| v.get("id"))
            .and_then(parse_id)
            == Some(pid);
    }
    true
}

/// The addressed collection's key and parent, after checking that every
/// ancestor exists (else 4007, or the merge notice for a merged request).
pub fn locate(
    data: &PortalData,
    resolved: &Resolved,
) -> Result<(String, Option<Parent>), ApiError> {
    let mut parent: Option<Parent> = None;
    for (spec, id) in &resolved.chain {
        let key = key_of(spec, parent.as_ref().map(|(_, k, i)| (k.as_str(), *i)));
        check_exists(data, spec, &key, parent.as_ref().map(|p| p.2), *id)?;
        parent = Some((spec, key, *id));
    }
    let key = key_of(
        resolved.spec,
        parent.as_ref().map(|(_, k, i)| (k.as_str(), *i)),
    );
    Ok((key, parent))
}

/// 4007 unless record `id` exists in `key` and in `spec`'s view.
pub fn check_exists(
    data: &PortalData,
    spec: &EntitySpec,
    key: &str,
    parent_id: Option<u64>,
    id: u64,
) -> Result<(), ApiError> {
    if let Some(target) = data.merged_into.get(&id) {
        let display = data
            .get(key, *target)
            .and_then(|r| r.get("display_id"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        return Err(ApiError::new(
            4007,
            format!(
                "The {} {id} has been merged with {} {target} (display id {display})",
                spec.singular, spec.singular
            ),
        ));
    }
    match data.get(key, id) {
        Some(record) if in_view(spec, parent_id, record) => Ok(()),
        _ => Err(ApiError::not_found(spec.singular, &id.to_string())),
    }
}
