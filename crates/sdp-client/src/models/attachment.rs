//! Attachments (reference §3.4).

use std::fmt;

use bytes::Bytes;

use super::common::{SdpDateTime, UserInfo};
use super::macros::sdp_model;
use crate::entity::entity;

sdp_model! {
    /// Attachment metadata.
    pub struct Attachment {
        /// Id.
        pub id: String,
        /// File name.
        pub name: String,
        /// Size (SDP sends bytes or a display string).
        pub size: String,
        /// MIME type.
        pub content_type: String,
        /// Relative URL of the content.
        pub content_url: String,
        /// Uploader.
        pub attached_by: UserInfo,
        /// Uploaded.
        pub attached_on: SdpDateTime,
    }
}

entity!(Attachment, "attachments", "attachment", "attachments");

/// A file to upload (multipart field `input_file`). `Debug` shows the size,
/// not the content.
#[derive(Clone, PartialEq, Eq)]
pub struct FileUpload {
    /// File name as SDP will show it.
    pub file_name: String,
    /// MIME type (`application/octet-stream` when unknown).
    pub content_type: String,
    /// Content.
    pub content: Bytes,
}

/// A downloaded attachment. `Debug` shows the size, not the content.
#[derive(Clone, PartialEq, Eq)]
pub struct Download {
    /// MIME type from the answer, when sent.
    pub content_type: Option<String>,
    /// File name from `Content-Disposition`, when sent.
    pub file_name: Option<String>,
    /// Content.
    pub content: Bytes,
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.content.len())
            .finish()
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.content.len())
            .finish()
    }
}
