//! Generic handlers for the sub-resources of a request (notes, worklogs,
//! tasks, …): list one page, delete with confirmation, and the id checks.
//! Each tool declares its own typed parameters and calls these.

use rmcp::RoleServer;
use rmcp::handler::server::wrapper::Json;
use rmcp::service::RequestContext;
use schemars::JsonSchema;
use sdp_client::{Collection, Entity};
use serde::Serialize;

use super::ToolError;
use super::args::{numeric_id, paging};
use super::confirm::{WriteResult, confirm};
use super::sub_views::Done;
use super::views::PageInfo;

/// One page of a request's sub-resource.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ChildList<V> {
    /// The request.
    pub(crate) request_id: String,
    /// The records of this page.
    pub(crate) items: Vec<V>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

/// One page of `collection`, converted to `V`.
pub(crate) async fn list_children<E: Entity, V: From<E>>(
    collection: Collection<'_, E>,
    request_id: &str,
    page: Option<u32>,
    page_size: Option<u32>,
) -> Result<Json<ChildList<V>>, ToolError> {
    let (list_info, page, size) = paging(page, page_size);
    let result = collection.list(&list_info).await?;
    Ok(Json(ChildList {
        request_id: request_id.to_owned(),
        paging: PageInfo::new(page, size, &result.list_info),
        items: result.items.into_iter().map(V::from).collect(),
    }))
}

/// What a sub-resource is called in messages, and the tool that lists it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kind {
    /// Singular noun, e.g. "worklog".
    pub(crate) noun: &'static str,
    /// The tool listing them, e.g. "list_worklogs".
    pub(crate) list_tool: &'static str,
}

impl Kind {
    /// Checks a sub-resource id argument named `{noun}_id`.
    pub(crate) fn id(self, given: &str) -> Result<String, ToolError> {
        numeric_id(&format!("{}_id", self.noun), given, self.list_tool)
    }

    /// How to find out whether a write on request `request_id` happened.
    pub(crate) fn check(self, request_id: &str) -> String {
        format!(
            "call {} with request_id {request_id} and look for the {}",
            self.list_tool, self.noun
        )
    }
}

/// Deletes record `id` of `collection` after confirmation.
pub(crate) async fn delete_child<E: Entity>(
    context: &RequestContext<RoleServer>,
    collection: Collection<'_, E>,
    kind: Kind,
    request_id: &str,
    id: &str,
    confirmed: Option<bool>,
) -> Result<Json<Done>, ToolError> {
    let noun = kind.noun;
    confirm(
        context,
        confirmed,
        &format!("permanently delete {noun} {id} of request {request_id}"),
    )
    .await?;
    collection
        .delete(id)
        .await
        .or_unknown(&kind.check(request_id))?;
    Ok(Json(Done {
        message: format!("Deleted {noun} {id} of request {request_id}."),
        request_id: request_id.to_owned(),
        id: Some(id.to_owned()),
    }))
}
