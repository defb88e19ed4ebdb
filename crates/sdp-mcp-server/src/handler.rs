//! The MCP server handler shared by every transport: server info, the tool
//! router built from the enabled toolsets, and how a tool call finds its
//! caller.

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CacheScope, CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ProtocolVersion, ResultType, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use tokio_util::task::TaskTracker;
use tracing::Instrument;

use crate::auth::Principal;
use crate::context::{UserContext, UserContexts};
use crate::tools::ToolError;

/// What the server tells clients about itself in `initialize` / `server/discover`.
const INSTRUCTIONS: &str = "Tools for ManageEngine ServiceDesk Plus (SDP): list, search, read, \
create, update, assign, pick up and close requests, add and read notes, look up technicians, \
and read the portal's lookup values. Lookup fields (status, priority, category, …) take the \
names shown in SDP, e.g. status \"Open\"; call get_metadata to see the valid values and \
get_request_fields to see which fields a request template requires. Ids are SDP's numeric ids.";

/// State shared by all handler instances (one per session or request).
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) router: ToolRouter<SdpMcp>,
    pub(crate) contexts: Arc<dyn UserContexts>,
    pub(crate) in_flight: TaskTracker,
}

/// The MCP handler. Cheap to clone: rmcp creates one per legacy session or
/// per stateless request.
#[derive(Debug, Clone)]
pub(crate) struct SdpMcp {
    shared: Arc<Shared>,
    /// The caller when the transport has no HTTP request parts (stdio).
    fixed_principal: Option<Principal>,
}

impl SdpMcp {
    /// A handler for HTTP transports: the caller comes from each request.
    pub(crate) fn for_http(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            fixed_principal: None,
        }
    }

    /// A handler whose caller is fixed at construction (stdio).
    pub(crate) fn with_principal(shared: Arc<Shared>, principal: Principal) -> Self {
        Self {
            shared,
            fixed_principal: Some(principal),
        }
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
        Ok(self.shared.contexts.context_for(&principal).await?)
    }
}

impl ServerHandler for SdpMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
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
        let user_id = self
            .caller(&context)
            .map(|p| p.user_id.to_string())
            .unwrap_or_default();
        let span = tracing::info_span!("tool_call", tool = %request.name, user_id = %user_id);
        let started = std::time::Instant::now();
        let call = ToolCallContext::new(self, request, context);
        let result = self.shared.router.call(call).instrument(span.clone()).await;
        let is_error = match &result {
            Ok(CallToolResponse::Complete(r)) => r.is_error.unwrap_or(false),
            Ok(_) => false,
            Err(_) => true,
        };
        span.in_scope(|| {
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                is_error,
                "tool call finished"
            );
        });
        result
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let supports_cache_hints = context
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        Ok(ListToolsResult {
            result_type: Some(ResultType::COMPLETE),
            tools: self.shared.router.list_all(),
            meta: None,
            next_cursor: None,
            ttl_ms: supports_cache_hints.then_some(0),
            // The list depends on the server's and (later) the user's
            // settings, so it must not be shared across users.
            cache_scope: supports_cache_hints.then_some(CacheScope::Private),
        })
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.shared.router.get(name).cloned()
    }
}
