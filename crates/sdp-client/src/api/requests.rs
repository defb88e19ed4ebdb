//! Request-only operations (reference §5.1): close, assign, pickup,
//! resolution, merge, links.

use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::collection::wrap;
use super::module::ModuleApi;
use crate::entity::Entity;
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::models::{Assignment, ClosureInfo, LinkedRequest, Request, Resolution};

/// One link to add with [`ModuleApi::link`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinkRequest {
    /// The request to link.
    pub linked_request_id: String,
    /// Comments.
    pub comments: Option<String>,
}

impl ModuleApi<'_, Request> {
    /// Closes a request: `PUT /requests/{id}/_close` with
    /// `{"request": {"closure_info": …}}` (`/close` on-premises).
    ///
    /// # Errors
    /// [`SdpError`]; an unconfigured `closure_code` may be refused.
    pub async fn close(&self, id: &str, closure: &ClosureInfo) -> Result<ApiResponse, SdpError> {
        let action = if self.client.endpoint().is_on_prem() {
            "close"
        } else {
            "_close"
        };
        let body = json!({ "closure_info": to_value(closure)? });
        self.action(Method::PUT, id, action, Some(&body)).await
    }

    /// Assigns a technician and/or group: `PUT /requests/{id}/_assign`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn assign(&self, id: &str, assignment: &Assignment) -> Result<ApiResponse, SdpError> {
        let body = to_value(assignment)?;
        self.action(Method::PUT, id, "_assign", Some(&body)).await
    }

    /// Assigns the request to the credential's own technician: `PUT /requests/{id}/pickup`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn pickup(&self, id: &str) -> Result<ApiResponse, SdpError> {
        self.action(Method::PUT, id, "pickup", None).await
    }

    /// The resolution: `GET /requests/{id}/resolutions`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn resolution(&self, id: &str) -> Result<Resolution, SdpError> {
        let call = ApiCall::get([Request::SEGMENT, id, Resolution::SEGMENT]);
        self.client
            .execute(&call)
            .await?
            .entity(&[Resolution::SINGULAR])
    }

    /// Adds or replaces the resolution: `POST /requests/{id}/resolutions`
    /// with `{"resolution": {"content": …}}`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn set_resolution(
        &self,
        id: &str,
        resolution: &Resolution,
    ) -> Result<ApiResponse, SdpError> {
        let call = ApiCall::post([Request::SEGMENT, id, Resolution::SEGMENT])
            .input_data(wrap(Resolution::SINGULAR, resolution)?);
        self.client.execute(&call).await
    }

    /// Merges `others` into request `id`: `PUT /requests/{id}/merge_requests`.
    /// Irreversible: the merged requests answer 404 afterwards.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn merge(&self, id: &str, others: &[&str]) -> Result<ApiResponse, SdpError> {
        let items: Vec<Value> = others.iter().map(|o| json!({ "id": o })).collect();
        let call = ApiCall::put([Request::SEGMENT, id, "merge_requests"])
            .input_data(json!({ "merge_requests": items }));
        self.client.execute(&call).await
    }

    /// Linked requests: `GET /requests/{id}/link_requests`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn links(&self, id: &str) -> Result<Vec<LinkedRequest>, SdpError> {
        let call = ApiCall::get([Request::SEGMENT, id, LinkedRequest::SEGMENT]);
        Ok(self
            .client
            .execute(&call)
            .await?
            .list(&[LinkedRequest::PLURAL]))
    }

    /// Links requests: `POST /requests/{id}/link_requests`. The answer may
    /// carry per-item failures ([`ApiResponse::failures`]).
    ///
    /// # Errors
    /// [`SdpError`] when the call fails or every item failed.
    pub async fn link(&self, id: &str, links: &[LinkRequest]) -> Result<ApiResponse, SdpError> {
        let call = ApiCall::post([Request::SEGMENT, id, LinkedRequest::SEGMENT])
            .input_data(link_body(links));
        self.client.execute(&call).await
    }

    /// Unlinks requests: `DELETE /requests/{id}/link_requests`.
    ///
    /// # Errors
    /// [`SdpError`] when the call fails or every item failed.
    pub async fn unlink(&self, id: &str, linked_ids: &[&str]) -> Result<ApiResponse, SdpError> {
        let links: Vec<LinkRequest> = linked_ids
            .iter()
            .map(|l| LinkRequest {
                linked_request_id: (*l).to_owned(),
                comments: None,
            })
            .collect();
        let call = ApiCall::delete([Request::SEGMENT, id, LinkedRequest::SEGMENT])
            .input_data(link_body(&links));
        self.client.execute(&call).await
    }

    /// Counts shown in the request's summary (`GET /requests/{id}/summary`).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn summary(&self, id: &str) -> Result<Value, SdpError> {
        let call = ApiCall::get([Request::SEGMENT, id, "summary"]);
        Ok(self.client.execute(&call).await?.body)
    }
}

fn link_body(links: &[LinkRequest]) -> Value {
    let items: Vec<Value> = links
        .iter()
        .map(|link| {
            let mut item = Map::new();
            item.insert(
                "linked_request".into(),
                json!({ "id": link.linked_request_id }),
            );
            if let Some(comments) = &link.comments {
                item.insert("comments".into(), Value::String(comments.clone()));
            }
            Value::Object(item)
        })
        .collect();
    json!({ "link_requests": items })
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, SdpError> {
    serde_json::to_value(value).map_err(|e| SdpError::InvalidArgument {
        detail: format!("the body does not serialise: {e}"),
    })
}
