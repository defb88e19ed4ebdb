//! The MCP server handler shared by every transport: server info, the tool
//! router built from the enabled toolsets, and how a tool call finds its
//! caller.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use parking_lot::Mutex;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    PromptsCapability, ProtocolVersion, ReadResourceRequestParams, ReadResourceResponse,
    ResourcesCapability, ResultType, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::auth::Principal;
use crate::context::{UserContext, UserContexts};
use crate::ops::metrics::METRICS;
use crate::ops::request_id::RequestId;
use crate::tools::{ConfirmRound, ScopeFilter, ToolError};

/// Tools per `tools/list` page.
const TOOLS_PAGE_SIZE: usize = 50;

/// Prefix of `tools/list` cursors (base64url of `tools:<offset>`).
const CURSOR_TAG: &str = "tools:";

/// What the server tells clients about itself in `initialize` / `server/discover`.
const INSTRUCTIONS: &str = "Tools for ManageEngine ServiceDesk Plus (SDP): list, search, read, \
create, update, assign, pick up and close requests, add and read notes, look up technicians, \
and read the portal's lookup values. Lookup fields (status, priority, category, …) take the \
names shown in SDP, e.g. status \"Open\"; call get_metadata to see the valid values and \
get_request_fields to see which fields a request template requires. Ids are SDP's numeric ids. \
Destructive or irreversible actions (delete, merge, close, trash, approve/reject) ask the user to \
confirm, or need `confirm: true` once the user agreed; a result with `indeterminate: true` means \
the change may or may not have happened: check before repeating it.";

/// State shared by all handler instances (one per session or request).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) router: ToolRouter<SdpMcp>,
    pub(crate) contexts: Arc<dyn UserContexts>,
    pub(crate) in_flight: TaskTracker,
    /// Audit log of write tool calls (multi-user mode).
    pub(crate) audit: Option<crate::audit::AuditLog>,
    /// The store of multi-user mode, for `/ready`.
    pub(crate) store: Option<Arc<dyn sdp_mcp_store::Store>>,
}

/// The MCP handler. Cheap to clone: rmcp creates one per legacy session or
/// per stateless request.
#[derive(Debug, Clone)]
pub(crate) struct SdpMcp {
    shared: Arc<Shared>,
    /// The caller when the transport has no HTTP request parts (stdio).
    fixed_principal: Option<Principal>,
    /// Toolsets this session enabled (`--toolsets dynamic`).
    toolsets: crate::tools::SessionToolsets,
}

impl SdpMcp {
    /// A handler for HTTP transports: the caller comes from each request.
    pub(crate) fn for_http(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            fixed_principal: None,
            toolsets: crate::tools::SessionToolsets::default(),
        }
    }

    /// A handler whose caller is fixed at construction (stdio).
    pub(crate) fn with_principal(shared: Arc<Shared>, principal: Principal) -> Self {
        Self {
            shared,
            fixed_principal: Some(principal),
            toolsets: crate::tools::SessionToolsets::default(),
        }
    }

    /// Toolsets this session enabled with `enable_toolset`.
    pub(crate) fn session_toolsets(&self) -> &crate::tools::SessionToolsets {
        &self.toolsets
    }

    /// The authenticated caller of this request: the principal the HTTP
    /// auth layer put into the request extensions, else the fixed one.
    pub(crate) fn caller(&self, context: &RequestContext<RoleServer>) -> Option<Principal> {
        context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Principal>())
            .or(self.fixed_principal.as_ref())
            .cloned()
    }

    /// The caller's [`UserContext`], or a tool error explaining why there is none.
    pub(crate) async fn user_context(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Result<Arc<UserContext>, ToolError> {
        let Some(principal) = self.caller(context) else {
            return Err(ToolError::message(
                "this request carries no authenticated user; the server is misconfigured",
            ));
        };
        let user = self.shared.contexts.context_for(&principal).await?;
        user.check_rate_limit().map_err(|limited| {
            crate::ops::metrics::METRICS.rate_limited.inc(&[]);
            ToolError::message(limited.to_string())
        })?;
        Ok(user)
    }

    /// The caller's context without counting a call against the rate limit
    /// (listing and reading resources are not tool calls).
    async fn quiet_context(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Option<Arc<UserContext>> {
        let principal = self.caller(context)?;
        self.shared.contexts.context_for(&principal).await.ok()
    }

    /// The caller's Zoho scope filter and granted scopes; `None` when the
    /// scopes are unknown (then nothing is hidden).
    async fn scope_filter(
        &self,
        context: &RequestContext<RoleServer>,
    ) -> Option<(Arc<ScopeFilter>, Vec<String>)> {
        let user = self.quiet_context(context).await?;
        let granted = user.upstream().granted_scopes();
        (!granted.is_empty()).then(|| (ScopeFilter::for_scopes(granted), granted.to_vec()))
    }
}

/// Lists for 2026-07-28 clients carry cache hints: never cached, and private
/// because they depend on the caller's scopes.
fn cache_hints(context: &RequestContext<RoleServer>) -> (Option<u64>, Option<CacheScope>) {
    let supports = context
        .protocol_version()
        .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
    (
        supports.then_some(0),
        supports.then_some(CacheScope::Private),
    )
}

/// The offset a `tools/list` cursor stands for.
fn cursor_offset(cursor: Option<&str>) -> Result<usize, ErrorData> {
    let Some(cursor) = cursor else {
        return Ok(0);
    };
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_TAG)?.parse::<usize>().ok())
        .ok_or_else(|| invalid_cursor(Some(cursor)))
}

fn invalid_cursor(cursor: Option<&str>) -> ErrorData {
    ErrorData::invalid_params(
        "invalid cursor: pass the nextCursor of the previous tools/list answer unchanged, or \
         list again without a cursor",
        Some(serde_json::json!({ "cursor": cursor })),
    )
}

fn cursor_for(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}{offset}"))
}

impl ServerHandler for SdpMcp {
    fn get_info(&self) -> ServerConfig {
        // The tool list changes only in dynamic mode (`enable_toolset`); a
        // server that declares `listChanged` must also serve
        // `subscriptions/listen` to 2026-07-28 clients, which we do not.
        let capabilities = ServerCapabilities::builder().enable_tools();
        let mut capabilities = if crate::tools::is_dynamic(&self.shared.router) {
            capabilities
                .enable_tool_list_changed()
                .enable_completions()
                .build()
        } else {
            capabilities.enable_completions().build()
        };
        capabilities.prompts = Some(PromptsCapability::default());
        capabilities.resources = Some(ResourcesCapability::default());
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("sdp-mcp", env!("CARGO_PKG_VERSION"))
                    .with_title("ServiceDesk Plus"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // Counted so that shutdown can wait for calls still running.
        let _in_flight = self.shared.in_flight.token();
        let caller = self.caller(&context);
        let user_id = caller
            .as_ref()
            .map(|p| p.user_id.to_string())
            .unwrap_or_default();
        // The HTTP request's id (stdio: none), and one per call: a POST may
        // carry a batch, and a legacy session's calls share no request.
        let request_id = context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestId>())
            .map(|id| id.0.clone())
            .unwrap_or_default();
        let call_id = RequestId::fresh().0;
        let span = tracing::info_span!(
            "tool_call",
            tool = %request.name,
            user_id = %user_id,
            request_id = %request_id,
            call_id = %call_id,
        );
        // Tool names from clients are only labels when the router knows them.
        let tool_label = if self.shared.router.get(&request.name).is_some() {
            request.name.to_string()
        } else {
            "unknown".to_owned()
        };
        let started = std::time::Instant::now();
        // Write tools (not marked read-only) are audited in multi-user mode.
        let audited = self.shared.audit.as_ref().and_then(|audit| {
            let writes = self.shared.router.get(&request.name).is_some_and(|tool| {
                tool.annotations.as_ref().and_then(|a| a.read_only_hint) != Some(true)
            });
            writes.then(|| {
                (
                    audit.clone(),
                    request.name.clone(),
                    request.arguments.clone(),
                )
            })
        });
        if let Some(refusal) =
            crate::tools::hidden_tool_refusal(&self.shared.router, &self.toolsets, &request.name)
        {
            return Ok(refusal.into());
        }
        if let Some((filter, granted)) = self.scope_filter(&context).await
            && let Some(refusal) = filter.refusal(&request.name, &granted)
        {
            return Ok(refusal.into());
        }
        // What a confirmation through MRTR needs (see `tools::confirm`).
        let input_required = Arc::new(Mutex::new(None));
        let mut context = context;
        context.extensions.insert(ConfirmRound {
            binding: crate::tools::Binding {
                user: user_id.clone(),
                tool: request.name.to_string(),
                arguments: crate::tools::arguments_digest(request.arguments.as_ref()),
            },
            request_state: request.request_state.clone(),
            input_responses: request.input_responses.clone(),
            input_required: input_required.clone(),
        });
        let call = ToolCallContext::new(self, request, context);
        // A panic inside a tool becomes an error result, never a dead
        // session or server.
        let Some(result) = catch_tool_panic(
            // Every SDP call of this tool call sends `x-request-id: <call id>`.
            sdp_client::with_request_id(call_id.clone(), self.shared.router.call(call)),
            &tool_label,
            &span,
        )
        .await
        else {
            return Ok(panic_result().into());
        };
        // The tool asked for confirmation through MRTR: nothing was written.
        if let Some(asked) = input_required.lock().take() {
            METRICS.tool_calls.inc(&[&tool_label, "input_required"]);
            return Ok(asked.into());
        }
        if let Some((audit, tool, arguments)) = audited {
            audit
                .record(caller.as_ref(), &tool, arguments.as_ref(), &result)
                .await;
        }
        let is_error = match &result {
            Ok(CallToolResponse::Complete(r)) => r.is_error.unwrap_or(false),
            Ok(_) => false,
            Err(_) => true,
        };
        let elapsed = started.elapsed();
        METRICS.tool_duration.observe(&[&tool_label], elapsed);
        METRICS
            .tool_calls
            .inc(&[&tool_label, if is_error { "error" } else { "ok" }]);
        span.in_scope(|| {
            tracing::info!(
                elapsed_ms = elapsed.as_millis() as u64,
                is_error,
                "tool call finished"
            );
        });
        result
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let offset = cursor_offset(request.as_ref().and_then(|r| r.cursor.as_deref()))?;
        let mut tools = crate::tools::visible_tools(&self.shared.router, &self.toolsets);
        if let Some((filter, _)) = self.scope_filter(&context).await {
            tools.retain(|tool| filter.allows(&tool.name));
        }
        if offset > tools.len() {
            // A cursor of a longer list (another server's, or scopes changed).
            return Err(invalid_cursor(
                request.as_ref().and_then(|r| r.cursor.as_deref()),
            ));
        }
        let next_cursor =
            (offset + TOOLS_PAGE_SIZE < tools.len()).then(|| cursor_for(offset + TOOLS_PAGE_SIZE));
        let tools = tools
            .into_iter()
            .skip(offset)
            .take(TOOLS_PAGE_SIZE)
            .collect();
        let (ttl_ms, cache_scope) = cache_hints(&context);
        Ok(ListToolsResult {
            result_type: Some(ResultType::COMPLETE),
            tools,
            meta: None,
            next_cursor,
            ttl_ms,
            // The list depends on the server's settings and the user's
            // scopes, so it must not be shared across users.
            cache_scope,
        })
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let (ttl_ms, cache_scope) = cache_hints(&context);
        let mut result = ListResourcesResult::with_all_items(crate::resources::resources());
        result.ttl_ms = ttl_ms;
        result.cache_scope = cache_scope;
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let (ttl_ms, cache_scope) = cache_hints(&context);
        let mut result = ListResourceTemplatesResult::with_all_items(crate::resources::templates());
        result.ttl_ms = ttl_ms;
        result.cache_scope = cache_scope;
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let user = self
            .user_context(&context)
            .await
            .map_err(|error| ErrorData::invalid_request(error.to_string(), None))?;
        let granted = user.upstream().granted_scopes();
        if let Some(module) = crate::resources::scope_module(&request.uri)
            && !crate::tools::scope_allows_read(granted, module)
        {
            return Err(crate::resources::scope_refusal(&request.uri, module));
        }
        let mut result = crate::resources::read(&user, &request.uri).await?;
        let (ttl_ms, cache_scope) = cache_hints(&context);
        result.ttl_ms = ttl_ms;
        result.cache_scope = cache_scope;
        Ok(result.into())
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let (ttl_ms, _) = cache_hints(&context);
        let mut result = ListPromptsResult::with_all_items(crate::prompts::list());
        // The prompts are the same for everyone.
        result.ttl_ms = ttl_ms;
        result.cache_scope = ttl_ms.map(|_| CacheScope::Public);
        Ok(result)
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        crate::prompts::get(&request.name, request.arguments.as_ref()).map(Into::into)
    }

    async fn complete(
        &self,
        request: rmcp::model::CompleteRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CompleteResult, ErrorData> {
        // Lookup-valued arguments (priority, status, category, …) complete
        // from the caller's portal; anything else completes to nothing.
        let Ok(user) = self.user_context(&context).await else {
            return Ok(rmcp::model::CompleteResult::default());
        };
        let category = request
            .context
            .as_ref()
            .and_then(|c| c.arguments.as_ref())
            .and_then(|arguments| arguments.get("category"));
        let completion = crate::tools::complete_argument(
            &user,
            &request.argument.name,
            &request.argument.value,
            category.map(String::as_str),
        )
        .await;
        Ok(rmcp::model::CompleteResult::new(completion))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.shared.router.get(name).cloned()
    }
}

/// The text of a panic payload (`&str` or `String`), else a placeholder.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}

/// Runs a tool call, turning a panic into `None` (logged and counted).
async fn catch_tool_panic<F>(call: F, tool_label: &str, span: &tracing::Span) -> Option<F::Output>
where
    F: std::future::Future,
{
    match AssertUnwindSafe(call)
        .catch_unwind()
        .instrument(span.clone())
        .await
    {
        Ok(result) => Some(result),
        Err(panic) => {
            let what = panic_message(panic.as_ref());
            span.in_scope(|| tracing::error!(panic = %what, "tool panicked"));
            METRICS.tool_panics.inc(&[]);
            METRICS.tool_calls.inc(&[tool_label, "panic"]);
            None
        }
    }
}

/// The result a client sees when a tool panicked.
fn panic_result() -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(
        "internal error in this tool (logged on the server); other tools still work, and \
         retrying may not help",
    )])
}

#[cfg(test)]
mod panic_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[tokio::test]
    async fn a_panicking_tool_becomes_an_error_result() {
        let before = METRICS.tool_calls.get(&["boom_tool", "panic"]);
        let span = tracing::info_span!("tool_call");
        let outcome = catch_tool_panic(
            async {
                assert!(before == u64::MAX, "boom");
                1
            },
            "boom_tool",
            &span,
        )
        .await;
        assert!(outcome.is_none());
        assert_eq!(METRICS.tool_calls.get(&["boom_tool", "panic"]), before + 1);
        assert_eq!(panic_result().is_error, Some(true));
        // The runtime and this task are still alive.
        let fine = catch_tool_panic(async { 2 }, "boom_tool", &span).await;
        assert_eq!(fine, Some(2));
    }
}
