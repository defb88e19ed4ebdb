//! Toolset `lookups`: the portal's lookup values and the fields request
//! templates require.

use std::collections::BTreeMap;

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{ApiCall, Lookup};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ToolError;
use super::views::LookupValue;
use crate::handler::SdpMcp;
use crate::lookups::match_item;

/// Lists `get_metadata` returns when none are named.
const DEFAULT_LISTS: [&str; 11] = [
    "statuses",
    "priorities",
    "urgencies",
    "impacts",
    "levels",
    "modes",
    "request_types",
    "categories",
    "groups",
    "sites",
    "request_templates",
];

/// Arguments of `get_metadata`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetMetadataParams {
    /// Lists to return, e.g. `["priorities", "statuses"]`. Default: statuses, priorities,
    /// urgencies, impacts, levels, modes, request_types, categories, groups, sites,
    /// request_templates. Also available: closure_codes, service_categories, departments.
    pub(crate) lists: Option<Vec<String>>,
    /// Also return the subcategories of this category, e.g. "Hardware".
    pub(crate) category: Option<String>,
    /// Also return the items of this subcategory (needs `category`), e.g. "Laptop".
    pub(crate) subcategory: Option<String>,
}

/// Arguments of `get_request_fields`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetRequestFieldsParams {
    /// Request template name, e.g. "Hardware Request" (default: "Default Request").
    pub(crate) template: Option<String>,
}

/// Lookup values by list name.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Metadata {
    /// List name (statuses, priorities, …, subcategories, items) → its values.
    pub(crate) lists: BTreeMap<String, Vec<LookupValue>>,
    /// Lists that could not be read, with the reason (e.g. a missing OAuth scope).
    pub(crate) unavailable: BTreeMap<String, String>,
}

/// What a request template needs.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestFieldsInfo {
    /// The template.
    pub(crate) template: LookupValue,
    /// Fields create_request must be given with this template.
    pub(crate) mandatory_fields: Vec<String>,
    /// Fields this template refuses.
    pub(crate) fields_not_allowed: Vec<String>,
    /// User-defined fields of requests (pass them in `udf_fields`).
    pub(crate) udf_fields: Vec<UdfField>,
    /// Every template name of the portal.
    pub(crate) templates: Vec<String>,
}

/// A user-defined field.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct UdfField {
    /// API name to use as key in `udf_fields`, e.g. "udf_pick_301".
    pub(crate) name: String,
    /// Label shown in SDP.
    pub(crate) display_name: Option<String>,
    /// Type, e.g. "string", "pick_list", "datetime".
    pub(crate) field_type: Option<String>,
    /// Allowed values of a pick list.
    pub(crate) allowed_values: Option<Vec<Value>>,
}

#[tool_router(router = lookups_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "get_metadata",
        title = "Get portal metadata",
        description = "Get the values this ServiceDesk Plus portal accepts for lookup fields: \
statuses, priorities, urgencies, impacts, levels, modes, request types, categories, groups, \
sites and templates (names differ per portal, e.g. \"High\" vs \"3 - High\"). Call it before \
creating or updating requests when unsure of a name. Example: {\"lists\": [\"priorities\"]} or \
{\"category\": \"Hardware\"} for its subcategories.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_metadata(
        &self,
        Parameters(params): Parameters<GetMetadataParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Metadata>, ToolError> {
        let names: Vec<String> = params
            .lists
            .unwrap_or_else(|| DEFAULT_LISTS.iter().map(|s| (*s).to_owned()).collect());
        let mut wanted = Vec::new();
        for name in &names {
            let Some(lookup) = Lookup::from_name(name) else {
                return Err(ToolError::message(format!(
                    "`lists`: unknown list \"{name}\"; use names such as {}",
                    DEFAULT_LISTS.join(", ")
                )));
            };
            wanted.push((lookup.plural_key().to_owned(), lookup));
        }
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let cache = user.lookups();
        let mut metadata = Metadata {
            lists: BTreeMap::new(),
            unavailable: BTreeMap::new(),
        };
        for (key, lookup) in wanted {
            match cache.items(client, lookup).await {
                Ok(items) => {
                    metadata
                        .lists
                        .insert(key, items.iter().map(LookupValue::from).collect());
                }
                Err(error) => {
                    metadata.unavailable.insert(key, error.to_string());
                }
            }
        }
        if let Some(category) = params.category {
            let category = cache
                .resolve(client, "category", Lookup::Categories, &category)
                .await?;
            let subcategories = cache
                .items(
                    client,
                    Lookup::Subcategories {
                        category_id: category.id.clone(),
                    },
                )
                .await?;
            metadata.lists.insert(
                "subcategories".to_owned(),
                subcategories.iter().map(LookupValue::from).collect(),
            );
            if let Some(subcategory) = params.subcategory {
                let found = match_item("subcategory", &subcategory, &subcategories)?;
                let items = cache
                    .items(
                        client,
                        Lookup::Items {
                            subcategory_id: found.id.clone().unwrap_or_default(),
                        },
                    )
                    .await?;
                metadata.lists.insert(
                    "items".to_owned(),
                    items.iter().map(LookupValue::from).collect(),
                );
            }
        } else if params.subcategory.is_some() {
            return Err(ToolError::message(
                "`subcategory` needs its `category`: give the category as well",
            ));
        }
        Ok(Json(metadata))
    }

    #[tool(
        name = "get_request_fields",
        title = "Get request fields",
        description = "Get the fields a ServiceDesk Plus request template requires \
(mandatory), refuses, and the user-defined fields requests can carry. Call it before \
create_request, and after a create fails for missing fields. Example: {\"template\": \
\"Hardware Request\"}; without a template it describes \"Default Request\".",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_request_fields(
        &self,
        Parameters(params): Parameters<GetRequestFieldsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestFieldsInfo>, ToolError> {
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let templates = user
            .lookups()
            .items(client, Lookup::RequestTemplates)
            .await?;
        let wanted = params.template.as_deref().unwrap_or("Default Request");
        let template = match match_item("template", wanted, &templates) {
            Ok(found) => found,
            Err(error) if params.template.is_some() => return Err(error),
            Err(_) => templates
                .first()
                .ok_or_else(|| ToolError::message("this portal has no request templates"))?,
        };
        let id = template.id.clone().unwrap_or_default();
        let detail = client
            .execute(&ApiCall::get(["request_templates", id.as_str()]))
            .await?;
        let body = detail
            .entity_value(&["request_template"])
            .cloned()
            .unwrap_or(Value::Null);
        // A failure to read UDF definitions (scope, on-prem) leaves them out.
        let udf_fields = match client.requests().metainfo().await {
            Ok(meta) => meta
                .udf_fields()
                .into_iter()
                .map(|(name, definition)| UdfField {
                    display_name: text(&definition, "display_name"),
                    field_type: text(&definition, "type"),
                    allowed_values: definition
                        .get("allowed_values")
                        .and_then(Value::as_array)
                        .cloned(),
                    name,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        Ok(Json(RequestFieldsInfo {
            template: LookupValue::from(template),
            mandatory_fields: mandatory_fields(&body),
            fields_not_allowed: strings(&body, "fields_not_allowed"),
            udf_fields,
            templates: templates.iter().filter_map(|t| t.name.clone()).collect(),
        }))
    }
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Mandatory fields of a template: its `mandatory_fields` list, or else every
/// field definition in its layout marked `"mandatory": true`.
fn mandatory_fields(template: &Value) -> Vec<String> {
    let listed = strings(template, "mandatory_fields");
    if !listed.is_empty() {
        return listed;
    }
    let mut found = Vec::new();
    collect_mandatory(template, &mut found);
    found
}

fn collect_mandatory(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if object.get("mandatory").and_then(Value::as_bool) == Some(true)
                && let Some(name) = object
                    .get("name")
                    .or_else(|| object.get("field"))
                    .and_then(Value::as_str)
                && !found.iter().any(|f| f == name)
            {
                found.push(name.to_owned());
            }
            for child in object.values() {
                collect_mandatory(child, found);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_mandatory(item, found);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::mandatory_fields;

    #[test]
    fn mandatory_fields_come_from_the_list_or_the_layout() {
        assert_eq!(
            mandatory_fields(&json!({"mandatory_fields": ["subject", "requester"]})),
            vec!["subject", "requester"]
        );
        let layout = json!({"layouts": [{"sections": [{"fields": [
            {"name": "subject", "mandatory": true},
            {"name": "site", "mandatory": false},
            {"field": "priority", "mandatory": true}
        ]}]}]});
        assert_eq!(mandatory_fields(&layout), vec!["subject", "priority"]);
    }
}
