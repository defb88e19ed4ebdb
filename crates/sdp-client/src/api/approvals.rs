//! Approvals of one approval level, with approve / reject (reference §5.1).

use reqwest::Method;
use serde_json::json;

use super::collection::Collection;
use crate::client::SdpClient;
use crate::entity::Entity;
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::models::{Approval, ApprovalInput};

/// `/{module}/{id}/approval_levels/{level_id}/approvals`.
#[derive(Clone, Debug)]
pub struct ApprovalsApi<'c> {
    client: &'c SdpClient,
    level: Vec<String>,
}

impl<'c> ApprovalsApi<'c> {
    pub(crate) fn new(client: &'c SdpClient, level: Vec<String>) -> Self {
        ApprovalsApi { client, level }
    }

    /// The approvals collection (list, get, delete).
    pub fn collection(&self) -> Collection<'c, Approval> {
        let mut segments = self.level.clone();
        segments.push(Approval::SEGMENT.to_owned());
        Collection::new(self.client, segments)
    }

    /// Every approval of the level.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(&self) -> Result<Vec<Approval>, SdpError> {
        Ok(self.collection().list(&crate::ListInfo::new()).await?.items)
    }

    /// Adds an approver.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn add(&self, approval: &ApprovalInput) -> Result<Approval, SdpError> {
        self.collection().create(approval).await
    }

    /// Sends the approval notification (`PUT …/approvals/send_notification?ids=`);
    /// SDP refuses a decision before it.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn send_notification(&self, approval_ids: &[&str]) -> Result<ApiResponse, SdpError> {
        let mut segments = self.collection().segments().to_vec();
        segments.push("send_notification".to_owned());
        let call = ApiCall::new(Method::PUT, segments).query("ids", approval_ids.join(","));
        self.client.execute(&call).await
    }

    /// Approves: `PUT …/approvals/{id}/_approve` with `{"approval":{"comments"}}`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn approve(
        &self,
        approval_id: &str,
        comments: Option<&str>,
    ) -> Result<ApiResponse, SdpError> {
        self.decide(approval_id, "_approve", comments).await
    }

    /// Rejects: `PUT …/approvals/{id}/_reject`.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn reject(
        &self,
        approval_id: &str,
        comments: Option<&str>,
    ) -> Result<ApiResponse, SdpError> {
        self.decide(approval_id, "_reject", comments).await
    }

    async fn decide(
        &self,
        approval_id: &str,
        action: &str,
        comments: Option<&str>,
    ) -> Result<ApiResponse, SdpError> {
        let body = json!({ "comments": comments.unwrap_or_default() });
        self.collection()
            .action(Method::PUT, approval_id, action, Some(&body))
            .await
    }
}
