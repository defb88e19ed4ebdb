//! Toolset `requests`, part 1: listing, searching, reading, creating and
//! updating requests.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{
    Criterion, ListInfo, NewRequest, Request, RequestUpdate, SdpClient, SearchCriteria,
};
use serde::Deserialize;

use super::ToolError;
use super::args::{Direction, RequestSort, paging, request_id};
use super::confirm::WriteResult;
use super::fields::{Filters, Parents, RequestFields};
use super::validation::{validate_create, validate_update};
use super::views::{REQUEST_SUMMARY_FIELDS, RequestDetail, RequestList, RequestOutcome};
use crate::handler::SdpMcp;

/// Arguments of `list_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListRequestsParams {
    /// Only requests with this status name, e.g. "Open", "On Hold", "Resolved", "Closed".
    pub(crate) status: Option<String>,
    /// Only requests with this priority name, e.g. "High".
    pub(crate) priority: Option<String>,
    /// Only requests assigned to this technician (email or full name), or "unassigned".
    pub(crate) technician: Option<String>,
    /// Only requests from this requester (email or full name).
    pub(crate) requester: Option<String>,
    /// Only requests of this support group, e.g. "Service Desk".
    pub(crate) group: Option<String>,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
    /// Sort field (default created_time).
    pub(crate) sort_by: Option<RequestSort>,
    /// Sort direction (default desc: newest first).
    pub(crate) sort_order: Option<Direction>,
}

/// Arguments of `search_requests`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchRequestsParams {
    /// Text to find in the subject or description, e.g. "printer jam".
    pub(crate) query: Option<String>,
    /// Status name, e.g. "Open".
    pub(crate) status: Option<String>,
    /// Priority name, e.g. "Urgent".
    pub(crate) priority: Option<String>,
    /// Category name, e.g. "Hardware".
    pub(crate) category: Option<String>,
    /// Support group name.
    pub(crate) group: Option<String>,
    /// Technician email or full name, or "unassigned".
    pub(crate) technician: Option<String>,
    /// Requester email or full name.
    pub(crate) requester: Option<String>,
    /// Created on or after: "2026-01-31", "2026-01-31T14:30" (UTC) or epoch milliseconds.
    pub(crate) created_after: Option<String>,
    /// Created on or before, same formats as created_after.
    pub(crate) created_before: Option<String>,
    /// Only requests past their due time.
    #[serde(default)]
    pub(crate) overdue_only: bool,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
    /// Sort field (default created_time).
    pub(crate) sort_by: Option<RequestSort>,
    /// Sort direction (default desc: newest first).
    pub(crate) sort_order: Option<Direction>,
}

/// Arguments naming one request.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RequestIdParams {
    /// The request's SDP id from list_requests / search_requests, e.g. "123456789012345".
    pub(crate) request_id: String,
}

/// Arguments of `get_request`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetRequestParams {
    /// The request's SDP id (e.g. "123456789012345") or its display id (e.g. "#2041").
    pub(crate) request_id: String,
}

/// The request with SDP id `given`, or else with display id `given`.
async fn find_request(client: &SdpClient, given: &str) -> Result<Request, ToolError> {
    let id = request_id(given)?;
    let requests = client.requests();
    let error = match requests.get(&id).await {
        Ok(request) => return Ok(request),
        Err(error) if error.is_not_found() => error,
        Err(error) => return Err(error.into()),
    };
    let by_display = ListInfo::new()
        .row_count(2)
        .search_criteria(SearchCriteria::new(Criterion::is(
            "display_id",
            id.as_str(),
        )));
    let found = requests.list(&by_display).await?;
    match found.items.into_iter().find_map(|r| r.id) {
        Some(internal) => Ok(requests.get(&internal).await?),
        None => Err(ToolError::message(format!(
            "no request has the id or display id {id} ({}); check the number with \
             search_requests",
            error.human_message()
        ))),
    }
}

/// Arguments of `create_request`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct CreateRequestParams {
    /// Subject, one line (at most 250 characters), e.g. "Laptop does not boot".
    pub(crate) subject: String,
    /// Request template name (default: the portal's default template), e.g. "Hardware Request".
    pub(crate) template: Option<String>,
    /// The other fields.
    #[serde(flatten)]
    pub(crate) fields: RequestFields,
}

/// Arguments of `update_request`.
#[derive(Debug, Deserialize, JsonSchema)]
pub(crate) struct UpdateRequestParams {
    /// The request's SDP id, e.g. "123456789012345".
    pub(crate) request_id: String,
    /// New subject.
    pub(crate) subject: Option<String>,
    /// Comment recorded with a status change, e.g. "Waiting for the vendor".
    pub(crate) status_change_comments: Option<String>,
    /// The fields to change; fields left out keep their value.
    #[serde(flatten)]
    pub(crate) fields: RequestFields,
}

#[tool_router(router = requests_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_requests",
        title = "List requests",
        description = "List ServiceDesk Plus requests (tickets), newest first, optionally filtered \
by status, priority, technician, requester or group. Use it to browse a queue, e.g. \
{\"status\": \"Open\", \"technician\": \"unassigned\"}; use search_requests for text or date \
searches. Returns one page of summaries with their ids; pass an id to get_request for details.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_requests(
        &self,
        Parameters(params): Parameters<ListRequestsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestList>, ToolError> {
        let user = self.user_context(&context).await?;
        let filters = Filters {
            status: params.status,
            priority: params.priority,
            technician: params.technician,
            requester: params.requester,
            group: params.group,
            ..Filters::default()
        };
        let (mut list_info, page, size) = paging(params.page, params.page_size);
        list_info = list_info
            .sort(
                params.sort_by.unwrap_or_default().field(),
                params.sort_order.unwrap_or_default().into(),
            )
            .fields_required(REQUEST_SUMMARY_FIELDS.iter().copied());
        if let Some(criteria) = filters.criteria(&user).await? {
            list_info = list_info.search_criteria(criteria);
        }
        let result = user.upstream().client().requests().list(&list_info).await?;
        Ok(Json(RequestList::new(result, page, size)))
    }

    #[tool(
        name = "search_requests",
        title = "Search requests",
        description = "Search ServiceDesk Plus requests by text in the subject or description, \
and/or by status, priority, category, group, technician, requester, creation date range or \
overdue state. Example: {\"query\": \"VPN\", \"created_after\": \"2026-01-01\", \"status\": \
\"Open\"}. All given filters must match. Returns one page of summaries with ids.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn search_requests(
        &self,
        Parameters(params): Parameters<SearchRequestsParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestList>, ToolError> {
        let user = self.user_context(&context).await?;
        let filters = Filters {
            query: params.query,
            status: params.status,
            priority: params.priority,
            category: params.category,
            group: params.group,
            technician: params.technician,
            requester: params.requester,
            created_after: params.created_after,
            created_before: params.created_before,
            overdue_only: params.overdue_only,
        };
        let (mut list_info, page, size) = paging(params.page, params.page_size);
        list_info = list_info
            .sort(
                params.sort_by.unwrap_or_default().field(),
                params.sort_order.unwrap_or_default().into(),
            )
            .get_total_count(true)
            .fields_required(REQUEST_SUMMARY_FIELDS.iter().copied());
        if let Some(criteria) = filters.criteria(&user).await? {
            list_info = list_info.search_criteria(criteria);
        }
        let result = user.upstream().client().requests().list(&list_info).await?;
        Ok(Json(RequestList::new(result, page, size)))
    }

    #[tool(
        name = "get_request",
        title = "Get request",
        description = "Get one ServiceDesk Plus request with all its details: description, \
status, priority, category, requester, technician, dates, resolution and user-defined fields. \
Takes the id from list_requests or search_requests, e.g. {\"request_id\": \"123456789012345\"}, \
or the display id people quote, e.g. {\"request_id\": \"#2041\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_request(
        &self,
        Parameters(params): Parameters<GetRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestDetail>, ToolError> {
        request_id(&params.request_id)?;
        let user = self.user_context(&context).await?;
        let request = find_request(user.upstream().client(), &params.request_id).await?;
        Ok(Json(RequestDetail::from(request)))
    }

    #[tool(
        name = "create_request",
        title = "Create request",
        description = "Create a ServiceDesk Plus request (ticket). Only `subject` is always \
required, but templates can require more fields (get_request_fields lists them); everything \
is checked before SDP is called, and one error lists every missing field with its allowed \
values. Lookups take the names shown in SDP (see get_metadata), people take an email address \
or full name. Example: {\"subject\": \"Printer on floor 2 jams\", \"requester\": \
\"jane.doe@example.com\", \"priority\": \"High\", \"category\": \"Hardware\"}.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn create_request(
        &self,
        Parameters(params): Parameters<CreateRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestOutcome>, ToolError> {
        let user = self.user_context(&context).await?;
        validate_create(
            &user,
            params.template.as_deref(),
            &params.subject,
            &params.fields,
        )
        .await?;
        let mut body = NewRequest::new(params.subject);
        if let Some(template) = params.template {
            let found = user
                .lookups()
                .resolve(
                    user.upstream().client(),
                    "template",
                    sdp_client::Lookup::RequestTemplates,
                    &template,
                )
                .await?;
            body.template = Some(found.to_ref());
        }
        params
            .fields
            .resolve(&user, Parents::default())
            .await?
            .apply_to_new(&mut body);
        let created = user
            .upstream()
            .client()
            .requests()
            .create(&body)
            .await
            .or_unknown("call search_requests with the subject to see whether it was created")?;
        let request = RequestDetail::from(created);
        Ok(Json(RequestOutcome {
            message: format!(
                "Created request {} (id {}).",
                request.summary.display_id.as_deref().unwrap_or("?"),
                request.summary.id
            ),
            request,
        }))
    }

    #[tool(
        name = "update_request",
        title = "Update request",
        description = "Change fields of an existing ServiceDesk Plus request: subject, \
description, status, priority, category, group, technician, user-defined fields and more; \
fields left out keep their value. Example: {\"request_id\": \"123456789012345\", \"status\": \
\"On Hold\", \"status_change_comments\": \"Waiting for parts\"}. To close a request use \
close_request; to assign, assign_request.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn update_request(
        &self,
        Parameters(params): Parameters<UpdateRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<RequestOutcome>, ToolError> {
        let id = request_id(&params.request_id)?;
        if params.subject.is_none()
            && params.status_change_comments.is_none()
            && params.fields.is_empty()
        {
            return Err(ToolError::message(
                "nothing to update: give at least one field to change, e.g. status or priority",
            ));
        }
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        // A subcategory or item without its parent belongs to the request's
        // current category / subcategory.
        let parents = if (params.fields.subcategory.is_some() && params.fields.category.is_none())
            || (params.fields.item.is_some() && params.fields.subcategory.is_none())
        {
            let current = client.requests().get(&id).await?;
            Parents {
                category_id: current.category.and_then(|c| c.id),
                subcategory_id: current.subcategory.and_then(|s| s.id),
            }
        } else {
            Parents::default()
        };
        validate_update(&user, &params.fields, parents.clone()).await?;
        let mut body = RequestUpdate {
            subject: params.subject,
            status_change_comments: params.status_change_comments,
            ..RequestUpdate::default()
        };
        params
            .fields
            .resolve(&user, parents)
            .await?
            .apply_to_update(&mut body);
        let updated = client
            .requests()
            .update(&id, &body)
            .await
            .or_unknown(&format!("call get_request for {id} and compare the fields"))?;
        Ok(Json(RequestOutcome {
            message: format!("Updated request {id}."),
            request: RequestDetail::from(updated),
        }))
    }
}
