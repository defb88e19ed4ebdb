//! Who is calling and on which portal: Zoho OAuth tokens (`Zoho-oauthtoken`,
//! optionally `Bearer`) bound to their portal, and on-prem technician keys
//! (`authtoken` / `TECHNICIAN_KEY`, optional `PORTALID`) on `/api/v3/...`.

use axum::http::{HeaderMap, header};

use super::call::Caller;
use super::store::Portal;
use super::wire::ApiError;
use crate::state::SimState;
use crate::zoho::TokenRejection;

/// Message of a missing, unknown or revoked token.
pub const INVALID_TOKEN: &str = "Invalid OAuth token";
/// Message of an expired token.
pub const EXPIRED_TOKEN: &str = "Invalid OAuth token: the access token has expired";
/// Message of a token (or key) used on another portal.
pub const WRONG_PORTAL: &str = "Invalid OAuth token: token not valid for this portal";

fn header_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The technician key of an on-prem call, if any.
fn technician_key(headers: &HeaderMap) -> Option<&str> {
    header_value(headers, "authtoken")
        .or_else(|| header_value(headers, "technician_key"))
        .or_else(|| {
            header_value(headers, header::AUTHORIZATION.as_str())
                .and_then(|v| strip_prefix_ci(v, "authtoken:"))
                .map(str::trim)
        })
}

fn strip_prefix_ci<'a>(value: &'a str, prefix: &str) -> Option<&'a str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &value[prefix.len()..])
}

/// The OAuth token of the `Authorization` header.
fn oauth_token(headers: &HeaderMap, allow_bearer: bool) -> Option<&str> {
    let value = header_value(headers, header::AUTHORIZATION.as_str())?;
    strip_prefix_ci(value, "Zoho-oauthtoken ")
        .or_else(|| {
            allow_bearer
                .then(|| strip_prefix_ci(value, "Bearer "))
                .flatten()
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Resolves the portal (from the URL, or `PORTALID`/default on `/api/v3`)
/// and authenticates the caller on it.
pub fn authenticate<'s>(
    state: &'s SimState,
    url_portal: Option<&str>,
    headers: &HeaderMap,
) -> Result<(&'s Portal, Caller), ApiError> {
    let portal = match url_portal {
        Some(name) => state.sdp.portal(name),
        None => match header_value(headers, "portalid") {
            Some(id) => state.sdp.portal_by_id_or_name(id),
            None => state.sdp.portals().first(),
        },
    }
    .ok_or_else(|| ApiError::new(4007, "Invalid URL: no such portal"))?;

    if url_portal.is_none()
        && let Some(key) = technician_key(headers)
    {
        let user = state
            .directory
            .users
            .iter()
            .find(|u| u.technician_key.eq_ignore_ascii_case(key))
            .ok_or_else(|| ApiError::unauthorized("Invalid API key"))?;
        if !user.portal.eq_ignore_ascii_case(&portal.name) {
            return Err(ApiError::unauthorized(
                "Invalid API key: not valid for this portal",
            ));
        }
        let caller = Caller {
            email: user.email.clone(),
            name: user.name.clone(),
            scopes: None,
        };
        return Ok((portal, caller));
    }

    let token = oauth_token(headers, state.config.accept_bearer_prefix)
        .ok_or_else(|| ApiError::unauthorized(INVALID_TOKEN))?;
    let now = state.clock.now_ms();
    let grant = state
        .zoho
        .lock()
        .check_access_token(token, now)
        .map_err(|rejection| match rejection {
            TokenRejection::Expired => ApiError::unauthorized(EXPIRED_TOKEN),
            TokenRejection::Unknown | TokenRejection::Revoked => {
                ApiError::unauthorized(INVALID_TOKEN)
            }
        })?;
    if !grant.portal.eq_ignore_ascii_case(&portal.name) {
        return Err(ApiError::unauthorized(WRONG_PORTAL));
    }
    let name = state
        .directory
        .user(&grant.email)
        .map_or_else(|| grant.email.clone(), |u| u.name.clone());
    Ok((
        portal,
        Caller {
            email: grant.email,
            name,
            scopes: Some(grant.scopes),
        },
    ))
}

/// The scope operation of an HTTP method.
pub fn operation(method: &axum::http::Method) -> &'static str {
    match method.as_str() {
        "POST" => "CREATE",
        "PUT" | "PATCH" => "UPDATE",
        "DELETE" => "DELETE",
        _ => "READ",
    }
}

/// 401 for a token lacking `SDPOnDemand.<module>.<op>`.
pub fn check_scope(caller: &Caller, module: &str, op: &str) -> Result<(), ApiError> {
    if caller.allows(module, op) {
        Ok(())
    } else {
        Err(ApiError::new(
            4002,
            format!("The OAuth token does not have the scope SDPOnDemand.{module}.{op} needed for this call"),
        )
        .with_http(axum::http::StatusCode::UNAUTHORIZED))
    }
}
