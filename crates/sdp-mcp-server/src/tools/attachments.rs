//! Toolset `requests`: attachments of a request. Uploads take the content
//! the client sends (base64 or text), never a path on the server; downloads
//! come back as an embedded resource. Both are size-limited.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::FileUpload;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ToolError;
use super::args::request_id;
use super::confirm::{WriteResult, confirm};
use super::crud::Kind;
use super::sub_views::{AttachmentView, Done};
use crate::handler::SdpMcp;

/// Largest upload accepted, in bytes (after base64 decoding).
pub(crate) const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// Largest download returned inline, in bytes.
pub(crate) const MAX_DOWNLOAD_BYTES: usize = 1024 * 1024;

const ATTACHMENT: Kind = Kind {
    noun: "attachment",
    list_tool: "list_attachments",
};

/// Arguments of `add_attachment`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddAttachmentParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// File name as SDP will show it, e.g. "error-log.txt".
    pub(crate) file_name: String,
    /// The file content, base64-encoded (for binary files). Give this or `content_text`.
    pub(crate) content_base64: Option<String>,
    /// The file content as plain text (for text files). Give this or `content_base64`.
    pub(crate) content_text: Option<String>,
    /// MIME type, e.g. "text/plain" (default: guessed from the file name).
    pub(crate) content_type: Option<String>,
}

/// Arguments of `list_attachments`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListAttachmentsParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
}

/// Arguments naming one attachment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentIdParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The attachment's id from list_attachments.
    pub(crate) attachment_id: String,
}

/// Arguments of `delete_attachment`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteAttachmentParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The attachment's id from list_attachments.
    pub(crate) attachment_id: String,
    /// Set to true only after the user agreed to delete (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// The attachments of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AttachmentList {
    /// The request.
    pub(crate) request_id: String,
    /// Its attachments.
    pub(crate) attachments: Vec<AttachmentView>,
}

/// The result of `add_attachment`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AttachmentAdded {
    /// What happened.
    pub(crate) message: String,
    /// The request.
    pub(crate) request_id: String,
    /// Bytes uploaded.
    pub(crate) bytes: usize,
    /// The request's attachments after the upload.
    pub(crate) attachments: Vec<AttachmentView>,
}

impl AddAttachmentParams {
    fn upload(self) -> Result<FileUpload, ToolError> {
        file_upload(
            &self.file_name,
            self.content_base64,
            self.content_text,
            self.content_type,
        )
    }
}

/// The upload of `file_name` from content the client sent (base64 or text),
/// size-checked; never a path on the server.
pub(crate) fn file_upload(
    file_name: &str,
    content_base64: Option<String>,
    content_text: Option<String>,
    content_type: Option<String>,
) -> Result<FileUpload, ToolError> {
    let name = file_name.trim();
    if name.is_empty() || name.contains(['/', '\\']) {
        return Err(ToolError::message(
            "`file_name` must be a plain file name such as \"log.txt\" (no path)",
        ));
    }
    let content = match (content_base64, content_text) {
        (Some(encoded), None) => {
            let compact: String = encoded.split_whitespace().collect();
            if compact.len() / 4 * 3 > MAX_UPLOAD_BYTES + 3 {
                return Err(too_big(compact.len() / 4 * 3));
            }
            STANDARD.decode(compact).map_err(|error| {
                ToolError::message(format!(
                    "`content_base64` is not valid base64 ({error}); encode the file with \
                     standard base64, or send text as `content_text`"
                ))
            })?
        }
        (None, Some(text)) => text.into_bytes(),
        _ => {
            return Err(ToolError::message(
                "give the file content in exactly one of `content_base64` (binary) or \
                 `content_text` (text); files on the server cannot be attached",
            ));
        }
    };
    if content.len() > MAX_UPLOAD_BYTES {
        return Err(too_big(content.len()));
    }
    Ok(FileUpload {
        content_type: content_type.unwrap_or_else(|| guess_type(name).to_owned()),
        file_name: name.to_owned(),
        content: bytes::Bytes::from(content),
    })
}

fn too_big(bytes: usize) -> ToolError {
    ToolError::message(format!(
        "the file is too large to attach through this server ({bytes} bytes; the limit is \
         {MAX_UPLOAD_BYTES} bytes). Attach it in ServiceDesk Plus directly."
    ))
}

fn guess_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("txt" | "log") => "text/plain",
        Some("csv") => "text/csv",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("html" | "htm") => "text/html",
        _ => "application/octet-stream",
    }
}

#[tool_router(router = attachments_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "add_attachment",
        title = "Add attachment",
        description = "Attach a file to a ServiceDesk Plus request. Send the content itself: \
`content_text` for text or `content_base64` for binary (at most 2 MiB); server file paths are \
not accepted. Example: {\"request_id\": \"123456789012345\", \"file_name\": \"error.log\", \
\"content_text\": \"Error 0x80070005 at 10:42\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_attachment(
        &self,
        Parameters(params): Parameters<AddAttachmentParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AttachmentAdded>, ToolError> {
        let id = request_id(&params.request_id)?;
        let upload = params.upload()?;
        let (name, size) = (upload.file_name.clone(), upload.content.len());
        let user = self.user_context(&context).await?;
        let attachments = user.upstream().client().requests().attachments(&id);
        attachments
            .upload(upload)
            .await
            .or_unknown(&ATTACHMENT.check(&id))?;
        let listed = attachments.list().await?;
        Ok(Json(AttachmentAdded {
            message: format!("Attached \"{name}\" ({size} bytes) to request {id}."),
            request_id: id,
            bytes: size,
            attachments: listed.into_iter().map(AttachmentView::from).collect(),
        }))
    }

    #[tool(
        name = "list_attachments",
        title = "List attachments",
        description = "List the files attached to a ServiceDesk Plus request: id, name, size \
and type. Example: {\"request_id\": \"123456789012345\"}; read one with get_attachment.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_attachments(
        &self,
        Parameters(params): Parameters<ListAttachmentsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<AttachmentList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let listed = user
            .upstream()
            .client()
            .requests()
            .attachments(&id)
            .list()
            .await?;
        Ok(Json(AttachmentList {
            request_id: id,
            attachments: listed.into_iter().map(AttachmentView::from).collect(),
        }))
    }

    #[tool(
        name = "get_attachment",
        title = "Get attachment",
        description = "Download one attachment of a ServiceDesk Plus request, returned as an \
embedded resource (text or base64 blob; at most 1 MiB). Example: {\"request_id\": \
\"123456789012345\", \"attachment_id\": \"4001\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_attachment(
        &self,
        Parameters(params): Parameters<AttachmentIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ToolError> {
        let id = request_id(&params.request_id)?;
        let attachment_id = ATTACHMENT.id(&params.attachment_id)?;
        let user = self.user_context(&context).await?;
        let download = user
            .upstream()
            .client()
            .requests()
            .attachments(&id)
            .download(&attachment_id)
            .await?;
        embedded(&download, ("request", "requests", &id), &attachment_id)
    }

    #[tool(
        name = "delete_attachment",
        title = "Delete attachment",
        description = "Permanently delete an attachment of a ServiceDesk Plus request. Asks the \
user to confirm (or needs confirm: true). Example: {\"request_id\": \"123456789012345\", \
\"attachment_id\": \"4001\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_attachment(
        &self,
        Parameters(params): Parameters<DeleteAttachmentParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let attachment_id = ATTACHMENT.id(&params.attachment_id)?;
        confirm(
            &context,
            params.confirm,
            &format!("permanently delete attachment {attachment_id} of request {id}"),
        )
        .await?;
        let user = self.user_context(&context).await?;
        user.upstream()
            .client()
            .requests()
            .attachments(&id)
            .delete(&attachment_id)
            .await
            .or_unknown(&ATTACHMENT.check(&id))?;
        Ok(Json(Done {
            message: format!("Deleted attachment {attachment_id} of request {id}."),
            request_id: id,
            id: Some(attachment_id),
        }))
    }
}

/// A downloaded attachment of `parent` (noun, path segment, id) as an
/// embedded resource (text or base64 blob), refused above
/// [`MAX_DOWNLOAD_BYTES`].
pub(crate) fn embedded(
    download: &sdp_client::Download,
    parent: (&str, &str, &str),
    attachment_id: &str,
) -> Result<CallToolResult, ToolError> {
    let (noun, segment, id) = parent;
    let size = download.content.len();
    if size > MAX_DOWNLOAD_BYTES {
        return Err(ToolError::message(format!(
            "attachment {attachment_id} is {size} bytes, more than the {MAX_DOWNLOAD_BYTES} \
             bytes this server returns inline; open it in ServiceDesk Plus instead"
        )));
    }
    let name = download
        .file_name
        .clone()
        .unwrap_or_else(|| format!("attachment-{attachment_id}"));
    let mime = download
        .content_type
        .clone()
        .map(|t| t.split(';').next().unwrap_or_default().trim().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| guess_type(&name).to_owned());
    let uri = format!("sdp://{segment}/{id}/attachments/{attachment_id}");
    let is_text = mime.starts_with("text/") || mime == "application/json";
    let contents = match (is_text, String::from_utf8(download.content.to_vec())) {
        (true, Ok(text)) => ResourceContents::TextResourceContents {
            uri,
            mime_type: Some(mime.clone()),
            text,
            meta: None,
        },
        _ => ResourceContents::BlobResourceContents {
            uri,
            mime_type: Some(mime.clone()),
            blob: STANDARD.encode(&download.content),
            meta: None,
        },
    };
    let mut result = CallToolResult::success(vec![
        ContentBlock::text(format!(
            "Attachment {attachment_id} of {noun} {id}: \"{name}\", {mime}, {size} bytes."
        )),
        ContentBlock::resource(contents),
    ]);
    let mut details = json!({
        "attachment_id": attachment_id, "name": name, "content_type": mime, "bytes": size,
    });
    details[format!("{noun}_id")] = json!(id);
    result.structured_content = Some(details);
    Ok(result)
}
