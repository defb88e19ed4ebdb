//! Building the [`Tool`] descriptions: names, titles, descriptions,
//! input schemas (a shape's schema with renamed ids, module filters and
//! field notes), output schemas, annotations and the scope in `_meta`.

use std::sync::Arc;

use rmcp::handler::server::common::{schema_for_output, schema_for_type};
use rmcp::model::{JsonObject, MetaObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde_json::{Value, json};

use super::spec::FieldRules;

/// How a tool changes SDP: decides the annotations and the scope operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Reads only.
    Read,
    /// Creates something new.
    Create,
    /// Changes something in place (repeatable).
    Update,
    /// Deletes, closes or trashes.
    Destroy,
    /// Restores from the trash.
    Restore,
}

impl Effect {
    fn annotations(self) -> ToolAnnotations {
        let base = ToolAnnotations::new().open_world(true);
        match self {
            Effect::Read => base.read_only(true),
            Effect::Create => base.read_only(false).destructive(false).idempotent(false),
            Effect::Update => base.read_only(false).destructive(true).idempotent(true),
            Effect::Destroy => base.read_only(false).destructive(true).idempotent(false),
            Effect::Restore => base.read_only(false).destructive(false).idempotent(true),
        }
    }

    fn operation(self) -> &'static str {
        match self {
            Effect::Read => "READ",
            Effect::Create => "CREATE",
            Effect::Update | Effect::Restore => "UPDATE",
            Effect::Destroy => "DELETE",
        }
    }
}

/// An input schema under construction, from the schema of shape `T`.
pub(crate) struct InputSchema(JsonObject);

impl InputSchema {
    /// The schema of shape `T`.
    pub(crate) fn of<T: JsonSchema + 'static>() -> Self {
        Self(schema_for_type::<T>().as_ref().clone())
    }

    fn properties(&mut self) -> Option<&mut serde_json::Map<String, Value>> {
        self.0.get_mut("properties").and_then(Value::as_object_mut)
    }

    /// Renames property `from` to `to` (also in `required`) and describes it.
    pub(crate) fn rename(mut self, from: &str, to: &str, description: &str) -> Self {
        if let Some(properties) = self.properties()
            && let Some(mut schema) = properties.remove(from)
        {
            if let Some(object) = schema.as_object_mut() {
                object.insert("description".into(), json!(description));
                object.insert("examples".into(), json!(["123456789012345"]));
            }
            properties.insert(to.to_owned(), schema);
        }
        if let Some(required) = self.0.get_mut("required").and_then(Value::as_array_mut) {
            for name in required.iter_mut() {
                if name == from {
                    *name = json!(to);
                }
            }
        }
        self
    }

    /// Adds an optional string property.
    pub(crate) fn string(mut self, name: &str, description: &str) -> Self {
        if let Some(properties) = self.properties() {
            properties.insert(
                name.to_owned(),
                json!({"type": "string", "description": description}),
            );
        }
        self
    }

    /// Marks property `name` as required.
    pub(crate) fn require(mut self, name: &str) -> Self {
        let required = self
            .0
            .entry("required")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = required.as_array_mut() {
            list.push(json!(name));
        }
        self
    }

    /// Describes the `fields` object from `rules`, with an example.
    pub(crate) fn fields(mut self, rules: FieldRules, example: &str, creating: bool) -> Self {
        let mut parts = Vec::new();
        if creating && !rules.mandatory.is_empty() {
            parts.push(format!("Required: {}.", rules.mandatory.join(", ")));
        }
        parts.push(format!(
            "Fields: {}; user-defined fields as udf_* keys.",
            rules.writable.join(", ")
        ));
        if !rules.lookups.is_empty() {
            parts.push(format!(
                "Lookups ({}) take the names shown in SDP.",
                rules.lookups.join(", ")
            ));
        }
        if !rules.users.is_empty() {
            parts.push(format!(
                "People ({}) take an email or a name.",
                rules.users.join(", ")
            ));
        }
        if !rules.dates.is_empty() {
            parts.push(format!(
                "Dates ({}) take YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or epoch milliseconds.",
                rules.dates.join(", ")
            ));
        }
        if !rules.texts.is_empty() {
            parts.push(format!(
                "Text groups ({}) take plain text or {{\"description\": …}}.",
                rules.texts.join(", ")
            ));
        }
        let text = parts.join(" ");
        let example: Value = serde_json::from_str(example).unwrap_or(Value::Null);
        let writable: Vec<&str> = rules.writable.to_vec();
        if let Some(properties) = self.properties()
            && let Some(fields) = properties.get_mut("fields").and_then(Value::as_object_mut)
        {
            fields.insert("description".into(), json!(text));
            fields.insert(
                "propertyNames".into(),
                json!({
                    "anyOf": [{"enum": writable}, {"pattern": "^udf_"}]
                }),
            );
            if creating && !rules.mandatory.is_empty() {
                fields.insert("required".into(), json!(rules.mandatory));
            }
            if !example.is_null() {
                fields.insert("examples".into(), json!([example]));
            }
        }
        self
    }

    /// The schema, without the shape's Rust name and doc (the tool's
    /// description says what the arguments are for).
    fn finish(mut self) -> Arc<JsonObject> {
        self.0.remove("title");
        self.0.remove("description");
        Arc::new(self.0)
    }
}

/// What [`tool`] needs besides the schemas.
pub(crate) struct ToolText {
    /// Tool name.
    pub(crate) name: String,
    /// Title.
    pub(crate) title: String,
    /// Description.
    pub(crate) description: String,
    /// Zoho scope module (`problems`).
    pub(crate) scope: &'static str,
    /// Effect.
    pub(crate) effect: Effect,
}

/// A tool description with the output schema of `O`.
pub(crate) fn tool<O: JsonSchema + 'static>(text: ToolText, input: InputSchema) -> Tool {
    let meta = scope_meta(&format!(
        "SDPOnDemand.{}.{}",
        text.scope,
        text.effect.operation()
    ));
    Tool::new(text.name, text.description, input.finish())
        .with_title(text.title)
        .with_raw_output_schema(schema_for_output::<O>())
        .with_annotations(text.effect.annotations())
        .with_meta(meta)
}

/// `_meta` naming the Zoho OAuth scope a tool needs (`sdp/scope`).
pub(crate) fn scope_meta(scope: &str) -> MetaObject {
    let mut meta = JsonObject::new();
    meta.insert("sdp/scope".into(), json!(scope));
    MetaObject(meta)
}
