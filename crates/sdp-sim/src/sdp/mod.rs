//! Simulated ServiceDesk Plus REST API v3: `/app/<portal>/api/v3/...` (cloud)
//! and `/api/v3/...` (default portal or `PORTALID`; on-prem `authtoken`
//! accepted). See `reference/sdp-api.md` §3–§8.
//!
//! Layers: [`wire`] (Accept, `input_data`, envelopes, errors) → [`auth`]
//! (tokens, keys, scopes) → [`route`] (path → entity tables in [`specs`]) →
//! [`generic`] (CRUD for every entity) and the entity-specific actions.

use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use serde_json::{Value, json};

use crate::config::SimConfig;
use crate::directory::Directory;
use crate::state::SimState;

pub mod actions;
pub mod approvals;
pub mod associations;
pub mod attachments;
pub mod auth;
pub mod call;
pub mod criteria;
pub mod fields;
pub mod generic;
pub mod knobs;
pub mod links;
pub mod list_info;
pub mod metainfo;
pub mod requests;
pub mod route;
pub mod rules;
mod seed;
mod seed_data;
mod seed_lookups;
mod seed_modules;
pub mod spec;
pub mod specs;
pub mod store;
pub mod time;
pub mod wire;
pub mod worklogs;

pub use knobs::SdpKnobs;
pub use store::SdpState;

use call::{Call, Upload};
use spec::Reply;
use wire::ApiError;

/// Largest accepted request body (uploads included).
const BODY_LIMIT: usize = 32 * 1024 * 1024;

impl SdpState {
    /// Seeds every portal deterministically from `config.seed`.
    pub fn seed(config: &SimConfig, directory: &Directory) -> Self {
        seed::seed_all(config, directory)
    }
}

/// Routes of the SDP service.
pub fn router() -> axum::Router<Arc<SimState>> {
    axum::Router::new()
        .route("/app/{portal}/api/v3/{*rest}", any(cloud))
        .route("/api/v3/{*rest}", any(on_prem))
}

async fn cloud(
    State(state): State<Arc<SimState>>,
    Path((portal, rest)): Path<(String, String)>,
    request: Request,
) -> Response {
    serve(state, Some(portal), rest, request).await
}

async fn on_prem(
    State(state): State<Arc<SimState>>,
    Path(rest): Path<String>,
    request: Request,
) -> Response {
    serve(state, None, rest, request).await
}

/// The raw inputs of a call, read before any lock is taken.
struct RawCall {
    method: Method,
    headers: HeaderMap,
    query: Vec<(String, String)>,
    body: Vec<(String, String)>,
    files: Vec<Upload>,
}

async fn serve(
    state: Arc<SimState>,
    url_portal: Option<String>,
    rest: String,
    request: Request,
) -> Response {
    let page_portal = url_portal
        .clone()
        .unwrap_or_else(|| state.directory.default_portal().to_owned());
    if !wire::accepts_v3(request.headers(), state.config.accept_short_media_type) {
        return wire::login_page(&page_portal);
    }
    let raw = match read(request, &state).await {
        Ok(raw) => raw,
        Err(error) => return error.into_response(),
    };
    match dispatch(&state, url_portal.as_deref(), &rest, raw) {
        Ok(Reply::Json(body)) => wire::json_response(axum::http::StatusCode::OK, &body),
        Ok(Reply::Raw {
            content_type,
            name,
            body,
        }) => wire::raw_response(&content_type, &name, body),
        Err(error) => error.into_response(),
    }
}

async fn read(request: Request, state: &Arc<SimState>) -> Result<RawCall, ApiError> {
    let method = request.method().clone();
    let headers = request.headers().clone();
    let query = wire::form_pairs(request.uri().query().unwrap_or("").as_bytes());
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut body = Vec::new();
    let mut files = Vec::new();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::new(4000, format!("Malformed multipart body: {e}")))?;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::new(4000, format!("Malformed multipart body: {e}")))?
        {
            let name = field.name().unwrap_or("").to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let file_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::new(4000, format!("Malformed multipart body: {e}")))?;
            match file_name {
                Some(file_name) => files.push(Upload {
                    field: name,
                    name: file_name,
                    content_type: file_type,
                    bytes,
                }),
                None => body.push((name, String::from_utf8_lossy(&bytes).into_owned())),
            }
        }
    } else {
        let bytes = axum::body::to_bytes(request.into_body(), BODY_LIMIT)
            .await
            .map_err(|e| ApiError::new(4000, format!("Unreadable body: {e}")))?;
        if !bytes.is_empty() {
            body = wire::form_pairs(&bytes);
        }
    }
    Ok(RawCall {
        method,
        headers,
        query,
        body,
        files,
    })
}

fn dispatch(
    state: &SimState,
    url_portal: Option<&str>,
    rest: &str,
    raw: RawCall,
) -> Result<Reply, ApiError> {
    let (portal, caller) = auth::authenticate(state, url_portal, &raw.headers)?;
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    if segments == ["portals"] {
        return if raw.method == Method::GET {
            Ok(Reply::Json(portals(state)))
        } else {
            Err(ApiError::invalid_url())
        };
    }
    let resolved = route::resolve(&segments, &raw.method)?;
    auth::check_scope(&caller, resolved.root.scope, auth::operation(&raw.method))?;
    let knobs = &state.config.sdp;
    if knobs
        .unlicensed_modules
        .iter()
        .any(|(p, m)| p.eq_ignore_ascii_case(&portal.name) && m == resolved.root.path)
    {
        return Err(ApiError::new(
            7001,
            format!(
                "The {} module is not available in the current license",
                resolved.root.path
            ),
        ));
    }
    let (primary, secondary) = if raw.method == Method::GET {
        (&raw.query, &raw.body)
    } else {
        (&raw.body, &raw.query)
    };
    let input_text = wire::find_input_data(primary).or_else(|| wire::find_input_data(secondary));
    let input = match input_text {
        Some(text) => wire::parse_input_data(text, knobs.tolerate_single_quotes)?,
        None => wire::Record::new(),
    };
    let params = raw
        .query
        .iter()
        .chain(raw.body.iter())
        .filter(|(k, _)| k != "input_data")
        .cloned()
        .collect();
    let call = Call {
        method: raw.method,
        caller,
        input,
        params,
        files: raw.files,
        now_ms: state.clock.now_ms(),
        knobs: knobs.clone(),
    };
    let reply = generic::handle(portal, &call, &resolved)?;
    if call.method != Method::GET {
        state.counters.record_write(&portal.name);
    }
    Ok(reply)
}

/// `GET /api/v3/portals`.
fn portals(state: &SimState) -> Value {
    let items: Vec<Value> = state
        .sdp
        .portals()
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "name": p.name,
                "display_name": p.display_name,
                "portal_type": "ITSM",
                "is_default": p.index == 0,
                "status": "active",
                "timezone": "UTC",
                "portal_url": format!("/app/{}", p.name),
            })
        })
        .collect();
    let count = items.len();
    wire::list(
        "portals",
        items,
        json!({"has_more_rows": false, "start_index": 1, "row_count": count}),
    )
}
