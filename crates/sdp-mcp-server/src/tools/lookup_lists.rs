//! `list_lookup`: one page of any lookup list of the portal (groups, sites,
//! categories → subcategories → items, change stages, vendors, …).

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{ApiCall, Criterion, Lookup, SdpClient};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ToolError;
use super::args::paging;
use super::module_tools::scope_meta;
use super::module_tools::values::readable;
use super::views::PageInfo;
use crate::handler::SdpMcp;
use crate::lookups::match_item;

/// A lookup list.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub(crate) enum LookupList {
    /// Support groups.
    Groups,
    /// Sites.
    Sites,
    /// Departments.
    Departments,
    /// Categories.
    Categories,
    /// Subcategories of `category`.
    Subcategories,
    /// Items of `subcategory` (in `category`).
    Items,
    /// Priorities.
    Priorities,
    /// Request statuses.
    Statuses,
    /// Urgencies.
    Urgencies,
    /// Impacts.
    Impacts,
    /// Levels.
    Levels,
    /// Modes (how a request was reported).
    Modes,
    /// Closure codes.
    ClosureCodes,
    /// Request templates.
    RequestTemplates,
    /// Request types.
    RequestTypes,
    /// Service categories.
    ServiceCategories,
    /// Announcements.
    Announcements,
    /// Change types.
    ChangeTypes,
    /// Change stages.
    ChangeStages,
    /// Change statuses.
    ChangeStatuses,
    /// Change templates.
    ChangeTemplates,
    /// Risks.
    Risks,
    /// Release types.
    ReleaseTypes,
    /// Release stages.
    ReleaseStages,
    /// Release statuses.
    ReleaseStatuses,
    /// Project types.
    ProjectTypes,
    /// Project statuses.
    ProjectStatuses,
    /// Task types.
    TaskTypes,
    /// Task statuses.
    TaskStatuses,
    /// Worklog types.
    WorklogTypes,
    /// Asset states.
    AssetStates,
    /// Vendors.
    Vendors,
    /// CI types.
    CiTypes,
}

impl LookupList {
    /// The list's name, which is also its path segment and JSON key.
    fn key(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// Arguments of `list_lookup`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListLookupParams {
    /// Which list, e.g. "groups", "change_stages", "subcategories".
    pub(crate) list: LookupList,
    /// Category name or id, for "subcategories" and "items", e.g. "Hardware".
    pub(crate) category: Option<String>,
    /// Subcategory name or id, for "items", e.g. "Laptop".
    pub(crate) subcategory: Option<String>,
    /// Only values whose name contains this text, e.g. "net".
    pub(crate) query: Option<String>,
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// One page of a lookup list.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LookupPage {
    /// The list.
    pub(crate) list: LookupList,
    /// The values (id, name and what else SDP tells about them).
    pub(crate) values: Vec<Map<String, Value>>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

/// The path of `list`, resolving the parent category / subcategory by name.
async fn segments(client: &SdpClient, params: &ListLookupParams) -> Result<Vec<String>, ToolError> {
    let needs_category = matches!(params.list, LookupList::Subcategories | LookupList::Items);
    if !needs_category {
        return Ok(vec![params.list.key()]);
    }
    let Some(category) = params.category.as_deref() else {
        return Err(ToolError::message(
            "`category` is missing: subcategories and items belong to a category, e.g. \
             {\"list\": \"subcategories\", \"category\": \"Hardware\"}",
        ));
    };
    let categories = client.lookups().list(Lookup::Categories).await?;
    let category_id = match_item("category", category, &categories)?
        .id
        .clone()
        .unwrap_or_default();
    let subcategories = Lookup::Subcategories { category_id };
    if matches!(params.list, LookupList::Subcategories) {
        return Ok(subcategories.segments());
    }
    let Some(subcategory) = params.subcategory.as_deref() else {
        return Err(ToolError::message(
            "`subcategory` is missing: items belong to a subcategory, e.g. {\"list\": \"items\", \
             \"category\": \"Hardware\", \"subcategory\": \"Laptop\"}",
        ));
    };
    let found = client.lookups().list(subcategories).await?;
    let subcategory_id = match_item("subcategory", subcategory, &found)?
        .id
        .clone()
        .unwrap_or_default();
    Ok(Lookup::Items { subcategory_id }.segments())
}

#[tool_router(router = lookup_lists_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_lookup",
        title = "List lookup values",
        description = "List the values of one ServiceDesk Plus lookup list (groups, sites, \
departments, categories, subcategories of a category, items of a subcategory, priorities, \
statuses, urgencies, impacts, levels, modes, closure codes, templates, announcements, request \
types, change stages and statuses, vendors, CI types, …) with ids, one page at a time. Example: \
{\"list\": \"subcategories\", \"category\": \"Hardware\"}.",
        annotations(read_only_hint = true, open_world_hint = true),
        meta = scope_meta("SDPOnDemand.setup.READ")
    )]
    async fn list_lookup(
        &self,
        Parameters(params): Parameters<ListLookupParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<LookupPage>, ToolError> {
        let user = self.user_context(&context).await?;
        let client = user.upstream().client();
        let path = segments(client, &params).await?;
        let (mut list_info, page, size) = paging(params.page, params.page_size);
        let label = if matches!(params.list, LookupList::Announcements) {
            "title"
        } else {
            "name"
        };
        if let Some(query) = params
            .query
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
        {
            list_info = list_info.search_criteria(Criterion::contains(label, query));
        }
        let call = ApiCall::get(path).input_data(list_info.to_input_data());
        let response = client.execute(&call).await?;
        let key = params.list.key();
        let values = response
            .list_value(&[key.as_str()])
            .map(|items| items.iter().map(|item| readable(item, None)).collect())
            .unwrap_or_default();
        Ok(Json(LookupPage {
            list: params.list,
            values,
            paging: PageInfo::new(page, size, &response.list_info()),
        }))
    }
}
