//! The tools, declared per toolset module, and the [`Toolset`] registry that
//! sums their routers and filters them (`--toolsets`, `--read-only`).
//!
//! Each module declares `#[tool_router(router = …)]` impl blocks on
//! [`SdpMcp`]; nothing here matches on tool names.

mod api_call;
mod api_catalog;
mod approvals;
mod args;
mod assets;
mod attachments;
mod change_approvals;
mod changes;
mod cmdb;
mod completion;
mod confirm;
mod contracts;
mod crud;
mod dynamic;
mod fields;
mod links;
mod lookup_lists;
mod lookups;
mod milestones;
mod module_tools;
mod notes;
mod problem_links;
mod problems;
mod projects;
mod purchase_orders;
mod releases;
mod request_actions;
mod request_details;
mod request_lifecycle;
mod request_state;
mod requesters;
mod requests;
mod scopes;
mod solutions;
mod sub_views;
mod tasks;
mod users;
mod validation;
mod views;
mod worklogs;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::IntoCallToolResult;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, Tool};

pub(crate) use completion::complete_argument;
pub(crate) use confirm::ConfirmRound;
pub(crate) use dynamic::{SessionToolsets, hidden_tool_refusal, is_dynamic, visible_tools};
pub(crate) use request_state::{Binding, arguments_digest};
pub(crate) use scopes::{ScopeFilter, scope_allows_read};

use crate::config::{ApiCallMode, ToolsConfig};
use crate::context::ContextError;
use crate::error::ServerError;
use crate::handler::SdpMcp;

/// A named group of tools, enabled or disabled together.
#[derive(Debug, Clone, Copy)]
pub struct Toolset {
    /// Stable name used by `--toolsets`.
    pub name: &'static str,
    /// One line for `--help` and `tools list`.
    pub description: &'static str,
    /// Enabled when no `--toolsets` are given.
    pub default_enabled: bool,
    router: fn() -> ToolRouter<SdpMcp>,
}

/// Every toolset of this build, in display order.
pub fn toolsets() -> Vec<Toolset> {
    vec![
        Toolset {
            name: "requests",
            description: "Service requests: list, search, read (also by display id), create and \
                          update (validated against templates), close, assign, pick up, merge, \
                          trash, restore, delete; conversation, summary, resolution, notes",
            default_enabled: true,
            router: || {
                SdpMcp::requests_router()
                    + SdpMcp::request_actions_router()
                    + SdpMcp::request_lifecycle_router()
                    + SdpMcp::request_details_router()
                    + SdpMcp::notes_router()
            },
        },
        Toolset {
            name: "users",
            description: "Technicians, requesters and the current user",
            default_enabled: true,
            router: || SdpMcp::users_router() + module_tools::routers(&[&requesters::REQUESTERS]),
        },
        Toolset {
            name: "lookups",
            description: "Portal metadata: statuses, priorities, categories, templates and \
                          their mandatory fields",
            default_enabled: true,
            router: || SdpMcp::lookups_router() + SdpMcp::lookup_lists_router(),
        },
        Toolset {
            name: "request_work",
            description: "Work on requests: worklogs, tasks, attachments (upload / download), \
                          approval levels, approvers and decisions, links between requests",
            default_enabled: false,
            router: || {
                SdpMcp::worklogs_router()
                    + SdpMcp::tasks_router()
                    + SdpMcp::attachments_router()
                    + SdpMcp::approvals_router()
                    + SdpMcp::links_router()
            },
        },
        module_toolset(
            "problems",
            "Problems: CRUD, close, notes, tasks, worklogs, attachments, analysis fields, \
             linked requests",
            || module_tools::routers(&[&problems::PROBLEMS]) + SdpMcp::problem_links_router(),
        ),
        module_toolset(
            "changes",
            "Changes: CRUD, close, trash/restore, notes, tasks, worklogs, attachments, approval \
             levels, linked requests",
            || {
                module_tools::routers(&[&changes::CHANGES])
                    + SdpMcp::change_approvals_router()
                    + SdpMcp::change_links_router()
            },
        ),
        module_toolset(
            "releases",
            "Releases: CRUD, close, notes, tasks, worklogs, attachments",
            || module_tools::routers(&[&releases::RELEASES]),
        ),
        module_toolset(
            "projects",
            "Projects: CRUD, milestones and their tasks, tasks, members, comments, notes, \
             worklogs, attachments",
            || module_tools::routers(&[&projects::PROJECTS]) + SdpMcp::milestones_router(),
        ),
        module_toolset(
            "assets",
            "Assets, workstations, products and product types",
            || {
                module_tools::routers(&[
                    &assets::ASSETS,
                    &assets::WORKSTATIONS,
                    &assets::PRODUCTS,
                    &assets::PRODUCT_TYPES,
                ])
            },
        ),
        module_toolset(
            "cmdb",
            "CMDB: configuration items and their relationships",
            || module_tools::routers(&[&cmdb::CIS]),
        ),
        module_toolset(
            "solutions",
            "Knowledge base: search, CRUD, trash/restore, topics, attachments",
            || module_tools::routers(&[&solutions::SOLUTIONS, &solutions::TOPICS]),
        ),
        module_toolset("contracts", "Vendor contracts", || {
            module_tools::routers(&[&contracts::CONTRACTS])
        }),
        module_toolset("purchase_orders", "Purchase orders", || {
            module_tools::routers(&[&purchase_orders::PURCHASE_ORDERS])
        }),
        module_toolset(
            API,
            "sdp_api_call: any catalogued SDP endpoint, GET only unless writes are allowed; \
             offered only with --enable-api-call",
            || api_call::router(ApiCallMode::ReadWrite),
        ),
    ]
}

/// The toolset of `sdp_api_call`, routed only when the configuration enables it.
const API: &str = "api";

/// A toolset built from module tables, off by default.
fn module_toolset(
    name: &'static str,
    description: &'static str,
    router: fn() -> ToolRouter<SdpMcp>,
) -> Toolset {
    Toolset {
        name,
        description,
        default_enabled: false,
        router,
    }
}

/// The router of the enabled toolsets, without the tools `config` hides.
pub(crate) fn build_router(config: &ToolsConfig) -> Result<ToolRouter<SdpMcp>, ServerError> {
    let all = toolsets();
    let mut dynamic_mode = false;
    let enabled: Vec<&Toolset> = match &config.toolsets {
        None => all.iter().filter(|t| t.default_enabled).collect(),
        Some(names) => {
            let mut enabled = Vec::new();
            for name in names {
                // `dynamic`: every toolset is routed; sessions see the
                // default ones until they call enable_toolset.
                dynamic_mode |= name == dynamic::DYNAMIC;
                if name == "all" || name == dynamic::DYNAMIC {
                    enabled = all.iter().collect();
                    break;
                }
                let Some(toolset) = all.iter().find(|t| t.name == name) else {
                    return Err(ServerError::UnknownToolset {
                        name: name.clone(),
                        available: all.iter().map(|t| t.name).collect::<Vec<_>>().join(", "),
                    });
                };
                enabled.push(toolset);
            }
            enabled
        }
    };
    let mut router = ToolRouter::new();
    for toolset in enabled.into_iter().filter(|t| t.name != API) {
        router += (toolset.router)();
    }
    // `api` follows --enable-api-call, not --toolsets; --read-only keeps it GET-only.
    router += api_call::router(match config.api_call {
        ApiCallMode::ReadWrite if config.read_only => ApiCallMode::Read,
        mode => mode,
    });
    if dynamic_mode {
        router += SdpMcp::dynamic_router();
    }
    if config.read_only {
        let writes: Vec<String> = router
            .list_all()
            .into_iter()
            .filter(|tool| !is_read_only(tool))
            .map(|tool| tool.name.into_owned())
            .collect();
        for name in writes {
            router.disable_route(name);
        }
    }
    Ok(router)
}

/// The tools a server with `config` offers, sorted by name (for `tools list`).
///
/// # Errors
/// [`ServerError::UnknownToolset`] for a toolset name that does not exist.
pub fn tool_catalog(config: &ToolsConfig) -> Result<Vec<Tool>, ServerError> {
    Ok(build_router(config)?.list_all())
}

/// A tool is read-only only when it says so (`readOnlyHint` defaults to false).
fn is_read_only(tool: &Tool) -> bool {
    tool.annotations
        .as_ref()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false)
}

/// A tool failure the caller can act on: sent as a result with
/// `isError: true` and a sentence that names the problem and the fix,
/// optionally with machine-readable details as `structuredContent`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToolError {
    message: String,
    details: Option<serde_json::Value>,
}

impl ToolError {
    /// A failure described by `message`.
    pub(crate) fn message(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            details: None,
        }
    }

    /// A failure described by `message`, with `details` sent as `structuredContent`.
    pub(crate) fn with_details(message: impl Into<String>, details: serde_json::Value) -> Self {
        Self {
            message: message.into(),
            details: Some(details),
        }
    }

    /// The machine-readable details, if any.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn details(&self) -> Option<&serde_json::Value> {
        self.details.as_ref()
    }
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl IntoCallToolResult for ToolError {
    fn into_call_tool_result(self) -> Result<CallToolResponse, rmcp::ErrorData> {
        let mut result = CallToolResult::error(vec![ContentBlock::text(self.message)]);
        result.structured_content = self.details;
        Ok(result.into())
    }
}

impl From<ContextError> for ToolError {
    fn from(error: ContextError) -> Self {
        Self::message(error.to_string())
    }
}

impl From<sdp_client::AuthError> for ToolError {
    fn from(error: sdp_client::AuthError) -> Self {
        Self::message(error.human_message())
    }
}

impl From<sdp_client::SdpError> for ToolError {
    fn from(error: sdp_client::SdpError) -> Self {
        Self::message(error.human_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_hides_every_write() {
        let config = ToolsConfig {
            read_only: true,
            toolsets: None,
            api_call: ApiCallMode::Off,
        };
        let tools = tool_catalog(&config).unwrap();
        assert!(!tools.is_empty());
        assert!(tools.iter().all(is_read_only));
        let all = tool_catalog(&ToolsConfig::default()).unwrap();
        assert!(all.len() > tools.len());
    }

    #[test]
    fn unknown_toolset_lists_the_valid_ones() {
        let config = ToolsConfig {
            read_only: false,
            toolsets: Some(vec!["nope".to_owned()]),
            api_call: ApiCallMode::Off,
        };
        let error = tool_catalog(&config).unwrap_err().to_string();
        assert!(error.contains("requests, users, lookups"), "{error}");
    }

    #[test]
    fn every_tool_has_a_title_description_and_annotations() {
        let config = ToolsConfig {
            read_only: false,
            toolsets: Some(vec!["all".to_owned()]),
            api_call: ApiCallMode::ReadWrite,
        };
        for tool in tool_catalog(&config).unwrap() {
            assert!(tool.title.is_some(), "{} has no title", tool.name);
            assert!(
                tool.description.as_ref().is_some_and(|d| d.len() > 40),
                "{} has no useful description",
                tool.name
            );
            let annotations = tool.annotations.as_ref().unwrap();
            assert!(annotations.read_only_hint.is_some(), "{}", tool.name);
            if annotations.read_only_hint == Some(false) {
                assert!(annotations.destructive_hint.is_some(), "{}", tool.name);
            }
        }
    }
}
