//! `GET /<module>/_metainfo`: field definitions, including the portal's
//! user-defined fields under `fields.udf_fields.fields`.

use serde_json::{Map, Value, json};

use super::spec::{Ctx, Kind, Reply};
use super::wire::{self, ApiError};

fn type_name(kind: Kind) -> (&'static str, Option<&'static str>) {
    match kind {
        Kind::Text(_) => ("string", None),
        Kind::Bool | Kind::Flag => ("boolean", None),
        Kind::Int => ("integer", None),
        Kind::Decimal => ("decimal", None),
        Kind::DateTime => ("datetime", None),
        Kind::Lookup(target) => ("lookup", Some(target)),
        Kind::User(_) => ("lookup", Some("user")),
        Kind::Object | Kind::Transient | Kind::ReadOnly => ("object", None),
        Kind::Array => ("array", None),
        Kind::TimeSpent => ("duration", None),
        Kind::Udf => ("udf", None),
    }
}

fn display_name(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().collect::<String>() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The metainfo of the context's entity.
pub fn metainfo(ctx: &mut Ctx<'_>) -> Result<Reply, ApiError> {
    let spec = ctx.spec;
    let mut fields = Map::new();
    for field in spec.fields {
        if field.kind == Kind::Udf {
            let defs = ctx
                .data
                .udf_defs
                .get(spec.path)
                .cloned()
                .unwrap_or_default();
            fields.insert(
                "udf_fields".into(),
                json!({"type": "udf", "fields": Value::Object(defs)}),
            );
            continue;
        }
        let (kind, lookup) = type_name(field.kind);
        let mut def = json!({
            "name": field.name,
            "display_name": display_name(field.name),
            "type": kind,
            "mandatory": spec.mandatory.contains(&field.name),
            "read_only": matches!(field.kind, Kind::ReadOnly | Kind::Flag),
        });
        if let Some(lookup) = lookup {
            def["lookup_entity"] = json!(lookup);
        }
        if let Kind::Text(max) = field.kind
            && max > 0
        {
            def["max_length"] = json!(max);
        }
        fields.insert(field.name.to_owned(), def);
    }
    Ok(Reply::Json(wire::single(
        "metainfo",
        json!({"name": spec.singular, "plural_name": spec.plural, "fields": fields}),
    )))
}
