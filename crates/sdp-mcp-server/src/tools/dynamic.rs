//! Dynamic toolsets (`--toolsets dynamic`): the session starts with the
//! default toolsets plus `list_toolsets` / `enable_toolset`; the assistant
//! enables more toolsets when it needs them, and the server sends
//! `notifications/tools/list_changed`. The router holds every toolset; what a
//! session sees and may call is filtered by its enabled set.
//!
//! The enabled set lives in the handler instance, which rmcp creates per
//! legacy session; stateless (2026-07-28) requests get a fresh handler each
//! time, so for them `enable_toolset` answers with the `--toolsets` to use.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{CallToolResult, ContentBlock, Tool};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ToolError, toolsets};
use crate::handler::SdpMcp;

/// The pseudo toolset name that turns dynamic mode on.
pub(crate) const DYNAMIC: &str = "dynamic";

/// Toolsets a session enabled with `enable_toolset`.
pub(crate) type SessionToolsets = Arc<Mutex<Vec<&'static str>>>;

/// Tool name → (toolset name, enabled by default).
fn owners() -> &'static HashMap<String, (&'static str, bool)> {
    static OWNERS: OnceLock<HashMap<String, (&'static str, bool)>> = OnceLock::new();
    OWNERS.get_or_init(|| {
        let mut owners = HashMap::new();
        for toolset in toolsets() {
            for tool in (toolset.router)().list_all() {
                owners.insert(
                    tool.name.into_owned(),
                    (toolset.name, toolset.default_enabled),
                );
            }
        }
        owners
    })
}

/// `true` when `router` was built in dynamic mode.
pub(crate) fn is_dynamic(router: &ToolRouter<SdpMcp>) -> bool {
    router.get("enable_toolset").is_some()
}

/// Whether `name` is visible to a session with `enabled` toolsets.
fn visible(name: &str, enabled: &[&'static str]) -> bool {
    owners()
        .get(name)
        .is_none_or(|(toolset, default)| *default || enabled.contains(toolset))
}

/// The tools a session sees.
pub(crate) fn visible_tools(router: &ToolRouter<SdpMcp>, session: &SessionToolsets) -> Vec<Tool> {
    let all = router.list_all();
    if !is_dynamic(router) {
        return all;
    }
    let enabled = session.lock().clone();
    all.into_iter()
        .filter(|tool| visible(&tool.name, &enabled))
        .collect()
}

/// An error result when `name` exists but its toolset is not enabled in
/// this session (dynamic mode only).
pub(crate) fn hidden_tool_refusal(
    router: &ToolRouter<SdpMcp>,
    session: &SessionToolsets,
    name: &str,
) -> Option<CallToolResult> {
    if !is_dynamic(router) || router.get(name).is_none() {
        return None;
    }
    let enabled = session.lock().clone();
    if visible(name, &enabled) {
        return None;
    }
    let toolset = owners().get(name).map_or("?", |(toolset, _)| *toolset);
    Some(CallToolResult::error(vec![ContentBlock::text(format!(
        "`{name}` belongs to toolset `{toolset}`, which is not enabled in this session: call \
         enable_toolset with {{\"toolset\": \"{toolset}\"}} first"
    ))]))
}

/// Arguments of `enable_toolset`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnableToolsetParams {
    /// Toolset name from list_toolsets, e.g. "problems".
    pub(crate) toolset: String,
}

/// One toolset.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ToolsetInfo {
    /// Name to pass to enable_toolset.
    pub(crate) name: String,
    /// What it covers.
    pub(crate) description: String,
    /// Its tools are available in this session.
    pub(crate) enabled: bool,
    /// Number of tools.
    pub(crate) tools: usize,
}

/// The toolsets of this server.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ToolsetList {
    /// What happened.
    pub(crate) message: String,
    /// Every toolset.
    pub(crate) toolsets: Vec<ToolsetInfo>,
}

fn listing(session: &SessionToolsets, message: String) -> ToolsetList {
    let enabled = session.lock().clone();
    let toolsets = toolsets()
        .into_iter()
        .map(|toolset| ToolsetInfo {
            name: toolset.name.to_owned(),
            description: toolset.description.to_owned(),
            enabled: toolset.default_enabled || enabled.contains(&toolset.name),
            tools: owners()
                .values()
                .filter(|(t, _)| *t == toolset.name)
                .count(),
        })
        .collect();
    ToolsetList { message, toolsets }
}

#[tool_router(router = dynamic_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_toolsets",
        title = "List toolsets",
        description = "List the groups of ServiceDesk Plus tools this server has (problems, \
changes, assets, request_work, …), whether each is enabled in this session and how many tools \
it adds. Enable one with enable_toolset when the user's task needs it.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_toolsets(&self) -> Json<ToolsetList> {
        Json(listing(
            self.session_toolsets(),
            "Toolsets of this server.".to_owned(),
        ))
    }

    #[tool(
        name = "enable_toolset",
        title = "Enable toolset",
        description = "Enable a group of ServiceDesk Plus tools for this session, e.g. \
{\"toolset\": \"problems\"}; the new tools appear in the tool list (the server sends \
notifications/tools/list_changed). See list_toolsets for the names.",
        annotations(
            read_only_hint = true,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = false
        )
    )]
    async fn enable_toolset(
        &self,
        Parameters(params): Parameters<EnableToolsetParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<ToolsetList>, ToolError> {
        let all = toolsets();
        let Some(toolset) = all.iter().find(|t| t.name == params.toolset.trim()) else {
            let names: Vec<&str> = all.iter().map(|t| t.name).collect();
            return Err(ToolError::message(format!(
                "no toolset \"{}\"; toolsets: {}",
                params.toolset,
                names.join(", ")
            )));
        };
        let added = {
            let mut enabled = self.session_toolsets().lock();
            let added = !toolset.default_enabled && !enabled.contains(&toolset.name);
            if added {
                enabled.push(toolset.name);
            }
            added
        };
        let stateless = context
            .protocol_version()
            .is_some_and(|v| v >= rmcp::model::ProtocolVersion::V_2026_07_28);
        let message = if stateless {
            format!(
                "This connection has no session, so toolsets cannot be enabled per session; \
                 ask the administrator to start the server with --toolsets {},…",
                toolset.name
            )
        } else if added {
            if let Err(error) = context.peer.notify_tool_list_changed().await {
                tracing::debug!(%error, "could not send tools/list_changed");
            }
            format!(
                "Enabled toolset {}; its tools are now in the tool list.",
                toolset.name
            )
        } else {
            format!("Toolset {} was already enabled.", toolset.name)
        };
        Ok(Json(listing(self.session_toolsets(), message)))
    }
}
