//! A tool-calling harness: calls tools over MCP, checks arguments and
//! `structuredContent` against the tools' schemas, and records which tools
//! succeeded and which failed.

use std::collections::{BTreeMap, BTreeSet};

use rmcp::RoleClient;
use rmcp::model::{CallToolResult, ClientConfig, Tool};
use rmcp::service::RunningService;
use serde_json::Value;

use super::schema::validate;
use super::{call, text};

/// Calls tools, checks their schemas, and records which were called.
pub struct Harness {
    /// The MCP client.
    pub client: RunningService<RoleClient, ClientConfig>,
    /// The listed tools by name.
    pub tools: BTreeMap<String, Tool>,
    /// Tools that succeeded at least once.
    pub succeeded: BTreeSet<String>,
    /// Tools that failed at least once.
    pub failed: BTreeSet<String>,
}

impl Harness {
    /// Calls `tool`; a success must satisfy the input schema.
    pub async fn raw(&mut self, tool: &str, args: Value) -> CallToolResult {
        let schema = self.schema(tool, |t| {
            Some(Value::Object(t.input_schema.as_ref().clone()))
        });
        // Error cases deliberately break the input schema; successes must satisfy it.
        let valid_input = validate(&schema, &schema, &args, "$").is_ok();
        let result = call(&self.client, tool, args.clone()).await;
        if result.is_error != Some(true) {
            assert!(
                valid_input,
                "{tool}: {args} succeeded but breaks its input schema"
            );
        }
        result
    }

    /// Calls `tool`, expecting success; returns its checked `structuredContent`.
    pub async fn ok(&mut self, tool: &str, args: Value) -> Value {
        let schema = self.schema(tool, |t| {
            Some(Value::Object(t.input_schema.as_ref().clone()))
        });
        validate(&schema, &schema, &args, "$")
            .unwrap_or_else(|e| panic!("{tool}: arguments {args} break the input schema: {e}"));
        let result = self.raw(tool, args).await;
        assert_ne!(
            result.is_error,
            Some(true),
            "{tool} failed: {}",
            text(&result)
        );
        assert!(!text(&result).is_empty(), "{tool} has no text summary");
        let value = result
            .structured_content
            .clone()
            .unwrap_or_else(|| panic!("{tool} returned no structuredContent"));
        let output = self.schema(tool, |t| {
            t.output_schema
                .as_ref()
                .map(|s| Value::Object(s.as_ref().clone()))
        });
        validate(&output, &output, &value, "$").unwrap_or_else(|e| {
            panic!("{tool}: structuredContent breaks outputSchema: {e}\n{value}")
        });
        self.succeeded.insert(tool.to_owned());
        value
    }

    /// Calls `tool`, expecting a tool error whose text contains `needle`.
    pub async fn fails(&mut self, tool: &str, args: Value, needle: &str) {
        let result = self.raw(tool, args).await;
        assert_eq!(
            result.is_error,
            Some(true),
            "{tool} should fail: {}",
            text(&result)
        );
        assert!(
            text(&result).contains(needle),
            "{tool}: error {:?} should mention {needle:?}",
            text(&result)
        );
        self.failed.insert(tool.to_owned());
    }

    fn schema(&self, tool: &str, pick: impl Fn(&Tool) -> Option<Value>) -> Value {
        let found = self
            .tools
            .get(tool)
            .unwrap_or_else(|| panic!("no tool {tool}"));
        pick(found).unwrap_or_else(|| panic!("{tool} has no schema"))
    }

    /// Whether the server lists `tool`.
    pub fn has(&self, tool: &str) -> bool {
        self.tools.contains_key(tool)
    }

    /// The first item's `field` of `list_tool`.
    pub async fn first(&mut self, tool: &str, args: Value, field: &str) -> String {
        let listed = self.ok(tool, args).await;
        let items = ["items", "values", "technicians"]
            .iter()
            .find_map(|key| listed[key].as_array())
            .unwrap_or_else(|| panic!("{tool}: no list in {listed}"));
        let first = items
            .first()
            .unwrap_or_else(|| panic!("{tool} listed nothing"));
        first[field]
            .as_str()
            .unwrap_or_else(|| panic!("{tool}: no {field} in {first}"))
            .to_owned()
    }
}
