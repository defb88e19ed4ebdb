//! Toolset `api`: `sdp_api_call`, the escape hatch for SDP endpoints no
//! other tool covers. Off unless the operator enables it
//! (`--enable-api-call`); GET only unless writes are enabled too
//! (`--api-call-writes`, never with `--read-only`). The path must match the
//! endpoint catalogue ([`super::api_catalog`]) before anything is sent, a
//! DELETE needs the user's confirmation, and answers are size-capped.

use futures::FutureExt;
use reqwest::Method;
use rmcp::handler::server::common::{schema_for_output, schema_for_type};
use rmcp::handler::server::router::tool::{ToolRoute, ToolRouter};
use rmcp::handler::server::tool::{IntoCallToolResult, ToolCallContext};
use rmcp::model::{CallToolResult, ContentBlock, Tool, ToolAnnotations};
use schemars::JsonSchema;
use sdp_client::ApiCall;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ToolError;
use super::api_catalog::validate;
use super::confirm::{WriteResult, confirm};
use super::module_tools::scope_meta;
use crate::config::ApiCallMode;
use crate::handler::SdpMcp;

/// The tool's name.
pub(crate) const NAME: &str = "sdp_api_call";

/// Largest answer returned, in bytes of JSON.
pub(crate) const MAX_RESULT_BYTES: usize = 256 * 1024;

/// The HTTP method of a call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub(crate) enum ApiMethod {
    /// Read (the default).
    #[default]
    #[serde(rename = "GET")]
    Get,
    /// Create.
    #[serde(rename = "POST")]
    Post,
    /// Update or act.
    #[serde(rename = "PUT")]
    Put,
    /// Delete (asks the user to confirm).
    #[serde(rename = "DELETE")]
    Delete,
}

impl ApiMethod {
    fn http(self) -> Method {
        match self {
            Self::Get => Method::GET,
            Self::Post => Method::POST,
            Self::Put => Method::PUT,
            Self::Delete => Method::DELETE,
        }
    }
}

/// Arguments of `sdp_api_call`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApiCallArgs {
    /// HTTP method: GET (default), POST, PUT or DELETE. Writes only when the server allows
    /// them; DELETE asks the user to confirm.
    #[serde(default)]
    pub(crate) method: ApiMethod,
    /// SDP API path from the endpoint catalogue, ids numeric, no query string, e.g.
    /// "/api/v3/requests/123456789012345/notes".
    #[schemars(example = "/api/v3/problems/123456789012345/notes")]
    pub(crate) path: String,
    /// The `input_data` JSON object, e.g. {"list_info": {"row_count": 10}} for a GET or
    /// {"note": {"description": "Checked"}} for a POST; the server encodes it.
    pub(crate) input_data: Option<Map<String, Value>>,
    /// true once the user agreed to a DELETE (clients with elicitation are asked instead).
    pub(crate) confirm: Option<bool>,
}

/// The answer of `sdp_api_call`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ApiCallResult {
    /// The method sent.
    pub(crate) method: String,
    /// The path called, normalised (`/api/v3/…`).
    pub(crate) path: String,
    /// SDP's HTTP status.
    pub(crate) http_status: u16,
    /// SDP's JSON answer (`null` when it was empty).
    pub(crate) body: Value,
}

/// The `api` toolset's router for `mode` (empty when off).
pub(crate) fn router(mode: ApiCallMode) -> ToolRouter<SdpMcp> {
    let mut router = ToolRouter::new();
    if mode != ApiCallMode::Off {
        router.add_route(route(mode));
    }
    router
}

fn describe(mode: ApiCallMode) -> Tool {
    let writes = mode == ApiCallMode::ReadWrite;
    let (methods, scope, annotations) = if writes {
        (
            "GET, POST, PUT or DELETE (DELETE asks the user to confirm)",
            "SDPOnDemand.<module>.ALL (the scope of the path's module)",
            ToolAnnotations::new()
                .read_only(false)
                .destructive(true)
                .idempotent(false)
                .open_world(true),
        )
    } else {
        (
            "GET only (this server does not allow writes through it)",
            "SDPOnDemand.<module>.READ (the scope of the path's module)",
            ToolAnnotations::new().read_only(true).open_world(true),
        )
    };
    let description = format!(
        "Call a ServiceDesk Plus v3 endpoint directly when no dedicated tool covers it: \
         {methods}. The path must be in the API catalogue (numeric ids, no query string); \
         parameters go in `input_data` as a JSON object. Answers larger than {} KiB are \
         refused: narrow them with list_info. Prefer the dedicated tools. Example: \
         {{\"path\": \"/api/v3/problems/123456789012345/notes\", \"input_data\": \
         {{\"list_info\": {{\"row_count\": 5}}}}}}.",
        MAX_RESULT_BYTES / 1024
    );
    let mut input = schema_for_type::<ApiCallArgs>().as_ref().clone();
    input.remove("title");
    input.remove("description");
    Tool::new(NAME, description, std::sync::Arc::new(input))
        .with_title("Call the SDP API")
        .with_raw_output_schema(schema_for_output::<ApiCallResult>())
        .with_annotations(annotations)
        .with_meta(scope_meta(scope))
}

fn route(mode: ApiCallMode) -> ToolRoute<SdpMcp> {
    ToolRoute::new_dyn(
        describe(mode),
        move |context: ToolCallContext<'_, SdpMcp>| {
            async move {
                match run(mode, context).await {
                    Ok(result) => Ok(result.into()),
                    Err(error) => error.into_call_tool_result(),
                }
            }
            .boxed()
        },
    )
}

async fn run(
    mode: ApiCallMode,
    context: ToolCallContext<'_, SdpMcp>,
) -> Result<CallToolResult, ToolError> {
    let arguments = Value::Object(context.arguments.clone().unwrap_or_default());
    let args: ApiCallArgs = serde_json::from_value(arguments).map_err(|error| {
        ToolError::message(format!(
            "the arguments of {NAME} are invalid ({error}); give `path`, optionally `method`, \
             `input_data` (a JSON object) and `confirm`"
        ))
    })?;
    let method = args.method.http();
    if method != Method::GET && mode != ApiCallMode::ReadWrite {
        return Err(ToolError::message(format!(
            "{method} through {NAME} is not allowed on this server: it only reads. Use the \
             dedicated tools for changes, or ask the operator to start the server with \
             --api-call-writes"
        )));
    }
    let segments = validate(&method, args.path.trim())
        .map_err(|error| ToolError::message(error.to_string()))?;
    let path = format!("/api/v3/{}", segments.join("/"));
    if method == Method::DELETE {
        confirm(
            &context.request_context,
            args.confirm,
            &format!("send DELETE {path} to ServiceDesk Plus"),
        )
        .await?;
    }
    let mut call = ApiCall::new(method.clone(), segments);
    if let Some(input) = args.input_data {
        call = call.input_data(Value::Object(input));
    }
    let user = context
        .service
        .user_context(&context.request_context)
        .await?;
    let client = user.upstream().client();
    let response = if method == Method::GET {
        client.execute(&call).await?
    } else {
        let check = format!("call {NAME} with GET on {path} or the list it belongs to");
        client.execute(&call).await.or_unknown(&check)?
    };
    let text = serde_json::to_string(&response.body).unwrap_or_default();
    if text.len() > MAX_RESULT_BYTES {
        return Err(ToolError::message(format!(
            "SDP answered {method} {path} with {} bytes of JSON, more than the {MAX_RESULT_BYTES} \
             this tool returns; ask for less, e.g. input_data {{\"list_info\": {{\"row_count\": \
             10}}}}",
            text.len()
        )));
    }
    let summary = format!(
        "{method} {path}: HTTP {}, {} bytes.\n{text}",
        response.http_status,
        text.len()
    );
    let value = ApiCallResult {
        method: method.to_string(),
        path,
        http_status: response.http_status,
        body: response.body,
    };
    let mut result = CallToolResult::success(vec![ContentBlock::text(summary)]);
    result.structured_content = serde_json::to_value(value).ok();
    Ok(result)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn off_means_no_tool_and_read_means_read_only() {
        assert!(router(ApiCallMode::Off).list_all().is_empty());
        let read = router(ApiCallMode::Read).list_all();
        assert_eq!(read.len(), 1);
        let hints = read[0].annotations.as_ref().unwrap();
        assert_eq!(hints.read_only_hint, Some(true));
        let write = router(ApiCallMode::ReadWrite).list_all();
        let hints = write[0].annotations.as_ref().unwrap();
        assert_eq!(hints.read_only_hint, Some(false));
        assert_eq!(hints.destructive_hint, Some(true));
    }
}
