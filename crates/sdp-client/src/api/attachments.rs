//! Attachments of a record (reference §3.4): upload with `PUT …/upload`
//! (multipart `input_file`), list, download, delete.

use crate::client::SdpClient;
use crate::entity::Entity;
use crate::error::SdpError;
use crate::http::call::{ApiCall, ApiResponse};
use crate::models::{Attachment, Download, FileUpload};

/// Attachments of `/{module}/{id}`.
#[derive(Clone, Debug)]
pub struct AttachmentsApi<'c> {
    client: &'c SdpClient,
    parent: Vec<String>,
}

impl<'c> AttachmentsApi<'c> {
    pub(crate) fn new(client: &'c SdpClient, parent: Vec<String>) -> Self {
        AttachmentsApi { client, parent }
    }

    /// Attachments of `/{module}/{id}` for a module known only by its path
    /// segment (`problems`, `changes`, `releases`, `projects`, `solutions`).
    pub fn of(client: &'c SdpClient, module: &str, id: &str) -> Self {
        Self::new(client, vec![module.to_owned(), id.to_owned()])
    }

    fn path(&self, tail: &[&str]) -> Vec<String> {
        let mut segments = self.parent.clone();
        segments.extend(tail.iter().map(|s| (*s).to_owned()));
        segments
    }

    /// Every attachment.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn list(&self) -> Result<Vec<Attachment>, SdpError> {
        let call = ApiCall::get(self.path(&[Attachment::SEGMENT]));
        Ok(self
            .client
            .execute(&call)
            .await?
            .list(&[Attachment::PLURAL]))
    }

    /// Uploads one file (`PUT …/upload`, multipart `input_file`). Never
    /// retried once sent.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn upload(&self, file: FileUpload) -> Result<ApiResponse, SdpError> {
        let call = ApiCall::put(self.path(&["upload"])).upload(file);
        self.client.execute(&call).await
    }

    /// Downloads one attachment's content (`…/attachments/{id}/download`,
    /// `/_download` on-premises).
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn download(&self, attachment_id: &str) -> Result<Download, SdpError> {
        let action = if self.client.endpoint().is_on_prem() {
            "_download"
        } else {
            "download"
        };
        let call = ApiCall::get(self.path(&[Attachment::SEGMENT, attachment_id, action]));
        self.client.download(&call).await
    }

    /// Deletes one attachment.
    ///
    /// # Errors
    /// [`SdpError`] for any failure of the call.
    pub async fn delete(&self, attachment_id: &str) -> Result<ApiResponse, SdpError> {
        let call = ApiCall::delete(self.path(&[Attachment::SEGMENT, attachment_id]));
        self.client.execute(&call).await
    }
}
