//! Toolset `requests`, part 3: notes of a request (full CRUD).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::NoteInput;
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::{paging, request_id};
use super::confirm::{WriteResult, confirm};
use super::crud::{Kind, delete_child};
use super::sub_views::Done;
use super::views::{NoteView, PageInfo};
use crate::handler::SdpMcp;

/// Arguments of `add_note`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddNoteParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// The note text, plain text or HTML, e.g. "Called the user; will replace the cable tomorrow".
    pub(crate) note: String,
    /// Show the note to the requester (and mail it to them). Default false: technicians only.
    pub(crate) show_to_requester: Option<bool>,
    /// Notify the assigned technician. Default false.
    pub(crate) notify_technician: Option<bool>,
    /// Count this note as the first response to the requester. Default false.
    pub(crate) mark_first_response: Option<bool>,
    /// With show_to_requester: true only after the user agreed to mail the requester.
    pub(crate) confirm: Option<bool>,
}

/// Arguments of `list_notes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListNotesParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

const NOTE: Kind = Kind {
    noun: "note",
    list_tool: "list_notes",
};

/// Arguments naming one note.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteIdParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// The note's id from list_notes.
    pub(crate) note_id: String,
}

/// Arguments of `update_note`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateNoteParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The note's id from list_notes.
    pub(crate) note_id: String,
    /// New text, plain text or HTML.
    pub(crate) note: Option<String>,
    /// Show the note to the requester.
    pub(crate) show_to_requester: Option<bool>,
}

/// Arguments of `delete_note`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteNoteParams {
    /// The request's SDP id.
    pub(crate) request_id: String,
    /// The note's id from list_notes.
    pub(crate) note_id: String,
    /// Set to true only after the user agreed to delete (clients with elicitation are asked).
    pub(crate) confirm: Option<bool>,
}

/// A note after `add_note`, `get_note` or `update_note`.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct NoteOutcome {
    /// What happened.
    pub(crate) message: String,
    /// The request the note was added to.
    pub(crate) request_id: String,
    /// The note as SDP stored it.
    pub(crate) note: NoteView,
}

/// The notes of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct NoteList {
    /// The request.
    pub(crate) request_id: String,
    /// Its notes, one page.
    pub(crate) notes: Vec<NoteView>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

#[tool_router(router = notes_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "add_note",
        title = "Add note",
        description = "Add a note to a ServiceDesk Plus request: a progress update, a finding, \
or a message to the requester (set show_to_requester; that mails the requester, so the user \
is asked to confirm, or give confirm: true). Adds; never changes or removes existing notes. \
Example: {\"request_id\": \"123456789012345\", \"note\": \"Replaced the power supply\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn add_note(
        &self,
        Parameters(params): Parameters<AddNoteParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<NoteOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.note.trim().is_empty() {
            return Err(ToolError::message(
                "`note` is empty: give the text of the note",
            ));
        }
        if params.show_to_requester == Some(true) {
            // A reply to the requester is mailed at once and cannot be taken back.
            confirm(
                &context,
                params.confirm,
                &format!("send this note to the requester of request {id} by mail"),
            )
            .await?;
        }
        let user = self.user_context(&context).await?;
        let mut body = NoteInput::new(params.note);
        body.show_to_requester = Some(params.show_to_requester.unwrap_or(false));
        body.notify_technician = params.notify_technician;
        body.mark_first_response = params.mark_first_response;
        let note = user
            .upstream()
            .client()
            .requests()
            .notes(&id)
            .create(&body)
            .await
            .or_unknown(&NOTE.check(&id))?;
        Ok(Json(NoteOutcome {
            message: format!("Added a note to request {id}."),
            request_id: id,
            note: NoteView::from(note),
        }))
    }

    #[tool(
        name = "list_notes",
        title = "List notes",
        description = "List the notes of a ServiceDesk Plus request (technicians' updates and \
messages), oldest first. Example: {\"request_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_notes(
        &self,
        Parameters(params): Parameters<ListNotesParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<NoteList>, ToolError> {
        let id = request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let (list_info, page, size) = paging(params.page, params.page_size);
        let result = user
            .upstream()
            .client()
            .requests()
            .notes(&id)
            .list(&list_info)
            .await?;
        Ok(Json(NoteList {
            paging: PageInfo::new(page, size, &result.list_info),
            notes: result.items.into_iter().map(NoteView::from).collect(),
            request_id: id,
        }))
    }

    #[tool(
        name = "get_note",
        title = "Get note",
        description = "Get one note of a ServiceDesk Plus request with its full text. Example: \
{\"request_id\": \"123456789012345\", \"note_id\": \"1001\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_note(
        &self,
        Parameters(params): Parameters<NoteIdParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<NoteOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let note_id = NOTE.id(&params.note_id)?;
        let user = self.user_context(&context).await?;
        let note = user
            .upstream()
            .client()
            .requests()
            .notes(&id)
            .get(&note_id)
            .await?;
        Ok(Json(NoteOutcome {
            message: format!("Note {note_id} of request {id}."),
            request_id: id,
            note: NoteView::from(note),
        }))
    }

    #[tool(
        name = "update_note",
        title = "Update note",
        description = "Change the text or visibility of a note of a ServiceDesk Plus request. \
Example: {\"request_id\": \"123456789012345\", \"note_id\": \"1001\", \"note\": \
\"Cable replaced; monitoring\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_note(
        &self,
        Parameters(params): Parameters<UpdateNoteParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<NoteOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        let note_id = NOTE.id(&params.note_id)?;
        if params.note.is_none() && params.show_to_requester.is_none() {
            return Err(ToolError::message(
                "nothing to update: give `note` (the new text) and/or `show_to_requester`",
            ));
        }
        let user = self.user_context(&context).await?;
        let body = NoteInput {
            description: params.note,
            show_to_requester: params.show_to_requester,
            ..NoteInput::default()
        };
        let note = user
            .upstream()
            .client()
            .requests()
            .notes(&id)
            .update(&note_id, &body)
            .await
            .or_unknown(&NOTE.check(&id))?;
        Ok(Json(NoteOutcome {
            message: format!("Updated note {note_id} of request {id}."),
            request_id: id,
            note: NoteView::from(note),
        }))
    }

    #[tool(
        name = "delete_note",
        title = "Delete note",
        description = "Permanently delete a note of a ServiceDesk Plus request. Asks the user \
to confirm (or needs confirm: true). Example: {\"request_id\": \"123456789012345\", \
\"note_id\": \"1001\", \"confirm\": true}.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn delete_note(
        &self,
        Parameters(params): Parameters<DeleteNoteParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Done>, ToolError> {
        let id = request_id(&params.request_id)?;
        let note_id = NOTE.id(&params.note_id)?;
        let user = self.user_context(&context).await?;
        let notes = user.upstream().client().requests().notes(&id);
        delete_child(&context, notes, NOTE, &id, &note_id, params.confirm).await
    }
}
