//! Attachments of module items (problems, changes, releases, projects,
//! solutions): `add_<noun>_attachment` uploads content the client sends
//! (base64 or text, size-limited, never a server path) and
//! `get_<noun>_attachment` returns one as an embedded resource. Listing and
//! deleting are the generic sub-resource tools of the `attachments` table.

use rmcp::model::CallToolResult;
use schemars::JsonSchema;
use sdp_client::SdpClient;
use sdp_client::api::AttachmentsApi;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::handlers::{Outcome, parse};
use super::shapes::ItemResult;
use super::spec::ModuleSpec;
use super::values::readable;
use crate::tools::ToolError;
use crate::tools::args::numeric_id;
use crate::tools::attachments::{MAX_DOWNLOAD_BYTES, MAX_UPLOAD_BYTES, embedded, file_upload};
use crate::tools::confirm::WriteResult;

/// Arguments of `add_<noun>_attachment`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// File name as SDP will show it, e.g. "rca.txt" (no path).
    pub(crate) file_name: String,
    /// The file content, base64-encoded (binary files). Give this or `content_text`.
    pub(crate) content_base64: Option<String>,
    /// The file content as plain text (text files). Give this or `content_base64`.
    pub(crate) content_text: Option<String>,
    /// MIME type, e.g. "text/plain" (default: guessed from the file name).
    pub(crate) content_type: Option<String>,
}

/// Arguments of `get_<noun>_attachment`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AttachmentArgs {
    /// The parent item's SDP id.
    pub(crate) id: String,
    /// The sub-item's SDP id.
    pub(crate) item_id: String,
}

/// What `get_<noun>_attachment` returns besides the embedded file.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AttachmentFile {
    /// The attachment's id.
    pub(crate) attachment_id: String,
    /// File name.
    pub(crate) name: String,
    /// MIME type.
    pub(crate) content_type: String,
    /// Size in bytes.
    pub(crate) bytes: usize,
}

/// The description of `add_<noun>_attachment`.
pub(crate) fn add_text(spec: &ModuleSpec) -> String {
    format!(
        "Attach a file to a {label}. Send the content itself: `content_text` for text or \
         `content_base64` for binary (at most {} MiB); server file paths are not accepted. \
         Example: {{\"{noun}_id\": \"123456789012345\", \"file_name\": \"rca.txt\", \
         \"content_text\": \"Root cause: expired certificate\"}}.",
        MAX_UPLOAD_BYTES / (1024 * 1024),
        label = spec.label,
        noun = spec.noun,
    )
}

/// The description of `get_<noun>_attachment`.
pub(crate) fn get_text(spec: &ModuleSpec) -> String {
    format!(
        "Download one attachment of a {label}, returned as an embedded resource (text or \
         base64 blob; at most {} MiB). Example: {{\"{noun}_id\": \"123456789012345\", \
         \"attachment_id\": \"4001\"}}.",
        MAX_DOWNLOAD_BYTES / (1024 * 1024),
        label = spec.label,
        noun = spec.noun,
    )
}

fn parent_id(spec: &ModuleSpec, given: &str) -> Result<String, ToolError> {
    numeric_id(
        &format!("{}_id", spec.noun),
        given,
        &format!("list_{}", spec.nouns),
    )
}

/// `add_<noun>_attachment`: `PUT /{module}/{id}/upload`, never retried.
pub(crate) async fn add(
    client: &SdpClient,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<Outcome, ToolError> {
    let args: AttachArgs = parse(args)?;
    let id = parent_id(spec, &args.id)?;
    let upload = file_upload(
        &args.file_name,
        args.content_base64,
        args.content_text,
        args.content_type,
    )?;
    let (name, size) = (upload.file_name.clone(), upload.content.len());
    let check = format!("list_{}_attachments with {}_id {id}", spec.noun, spec.noun);
    let response = AttachmentsApi::of(client, spec.path, &id)
        .upload(upload)
        .await
        .or_unknown(&check)?;
    let item = response
        .list_value(&["attachments"])
        .and_then(|items| items.first())
        .or_else(|| response.entity_value(&["attachment"]))
        .map(|v| readable(v, None));
    let message = format!("attached \"{name}\" ({size} bytes) to {} {id}", spec.label);
    let summary = match item.as_ref().and_then(|i| i.get("id")) {
        Some(Value::String(aid)) => format!("{message} as attachment {aid}"),
        _ => message.clone(),
    };
    Outcome::new(ItemResult { message, item }, summary)
}

/// `get_<noun>_attachment`: the file as an embedded resource.
pub(crate) async fn get(
    client: &SdpClient,
    spec: &ModuleSpec,
    args: Map<String, Value>,
) -> Result<CallToolResult, ToolError> {
    let args: AttachmentArgs = parse(args)?;
    let id = parent_id(spec, &args.id)?;
    let attachment_id = numeric_id(
        "attachment_id",
        &args.item_id,
        &format!("list_{}_attachments", spec.noun),
    )?;
    let download = AttachmentsApi::of(client, spec.path, &id)
        .download(&attachment_id)
        .await?;
    embedded(&download, (spec.noun, spec.path, &id), &attachment_id)
}
