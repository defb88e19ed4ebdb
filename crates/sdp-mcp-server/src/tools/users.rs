//! Toolset `users`: technicians and the current user.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use schemars::JsonSchema;
use sdp_client::{Criterion, SearchCriteria, UserRef};
use serde::{Deserialize, Serialize};

use super::ToolError;
use super::args::{numeric_id, paging};
use super::views::{PageInfo, PersonView};
use crate::handler::SdpMcp;

/// Arguments of `list_technicians`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListTechniciansParams {
    /// Page number, starting at 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Rows per page, 1-100 (default 20).
    pub(crate) page_size: Option<u32>,
}

/// Arguments of `get_technician`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct GetTechnicianParams {
    /// The technician's SDP user id, e.g. "123456789012345".
    pub(crate) technician_id: String,
}

/// Arguments of `find_technician`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FindTechnicianParams {
    /// An email address, or part of a name, e.g. "avery" or "avery.hall@example.com".
    pub(crate) query: String,
}

/// A page of technicians.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TechnicianList {
    /// The technicians.
    pub(crate) technicians: Vec<PersonView>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

/// Technicians matching a query.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TechnicianMatches {
    /// The query.
    pub(crate) query: String,
    /// Matching technicians (at most 25); empty when none match.
    pub(crate) technicians: Vec<PersonView>,
}

/// Who this connection acts as.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct WhoAmI {
    /// The caller's user id on this MCP server.
    pub(crate) mcp_user: String,
    /// How the caller authenticated: api_key, loopback or stdio.
    pub(crate) auth_method: String,
    /// The ServiceDesk Plus base URL.
    pub(crate) sdp_url: String,
    /// The portal (service desk instance), when set.
    pub(crate) portal: Option<String>,
    /// The credentials used towards SDP: zoho_oauth or on_prem_api_key.
    pub(crate) credentials: String,
    /// The Zoho OAuth client id, for cloud credentials.
    pub(crate) zoho_client_id: Option<String>,
    /// The credentials produced a token just now.
    pub(crate) credentials_valid: bool,
}

#[tool_router(router = users_router, vis = "pub(crate)")]
impl SdpMcp {
    #[tool(
        name = "list_technicians",
        title = "List technicians",
        description = "List the technicians of the ServiceDesk Plus portal (people requests can \
be assigned to), with their email addresses. Use find_technician to look someone up by name. \
Example: {\"page\": 1, \"page_size\": 50}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_technicians(
        &self,
        Parameters(params): Parameters<ListTechniciansParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<TechnicianList>, ToolError> {
        let user = self.user_context(&context).await?;
        let (list_info, page, size) = paging(params.page, params.page_size);
        let result = user
            .upstream()
            .client()
            .technicians()
            .list(&list_info)
            .await?;
        Ok(Json(TechnicianList {
            paging: PageInfo::new(page, size, &result.list_info),
            technicians: result
                .items
                .into_iter()
                .map(|t| PersonView::from(t.0))
                .collect(),
        }))
    }

    #[tool(
        name = "get_technician",
        title = "Get technician",
        description = "Get one ServiceDesk Plus technician by SDP user id: name, email, phone, \
job title, department and site. Example: {\"technician_id\": \"123456789012345\"}.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn get_technician(
        &self,
        Parameters(params): Parameters<GetTechnicianParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<PersonView>, ToolError> {
        let id = numeric_id(
            "technician_id",
            &params.technician_id,
            "list_technicians or find_technician",
        )?;
        let user = self.user_context(&context).await?;
        let technician = user.upstream().client().technicians().get(&id).await?;
        Ok(Json(PersonView::from(technician.0)))
    }

    #[tool(
        name = "find_technician",
        title = "Find technician",
        description = "Find ServiceDesk Plus technicians by email address or by part of their \
name, e.g. {\"query\": \"avery\"}. Use it before assign_request when you only know a first \
name. Returns up to 25 matches with ids and emails.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn find_technician(
        &self,
        Parameters(params): Parameters<FindTechnicianParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<TechnicianMatches>, ToolError> {
        let query = params.query.trim().to_owned();
        if query.is_empty() {
            return Err(ToolError::message(
                "`query` is empty: give an email or part of a name",
            ));
        }
        let criterion = match UserRef::guess(&query) {
            UserRef::Email { email_id } => Criterion::is("email_id", email_id),
            UserRef::Id { id } => Criterion::is("id", id),
            UserRef::Name { name } => Criterion::contains("name", name),
        };
        let list_info = sdp_client::ListInfo::new()
            .row_count(25)
            .search_criteria(SearchCriteria::new(criterion));
        let user = self.user_context(&context).await?;
        let result = user
            .upstream()
            .client()
            .technicians()
            .list(&list_info)
            .await?;
        Ok(Json(TechnicianMatches {
            query,
            technicians: result
                .items
                .into_iter()
                .map(|t| PersonView::from(t.0))
                .collect(),
        }))
    }

    #[tool(
        name = "whoami",
        title = "Who am I",
        description = "Show which ServiceDesk Plus instance, portal and credentials this \
connection uses, and check that the credentials work. Call it first when tools fail with \
authentication errors, or to tell the user which portal they are working in.",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn whoami(&self, context: RequestContext<RoleServer>) -> Result<Json<WhoAmI>, ToolError> {
        let principal = self.caller(&context);
        let user = self.user_context(&context).await?;
        let upstream = user.upstream();
        let client = upstream.client();
        // Obtaining a token checks the credentials without touching SDP data.
        client.token_source().access_token().await?;
        Ok(Json(WhoAmI {
            mcp_user: user.user_id().to_string(),
            auth_method: principal
                .map(|p| p.method.as_str().to_owned())
                .unwrap_or_default(),
            sdp_url: client.endpoint().base_url().to_owned(),
            portal: client.endpoint().portal().map(str::to_owned),
            credentials: upstream.credentials_kind().to_owned(),
            zoho_client_id: upstream.client_id().map(str::to_owned),
            credentials_valid: true,
        }))
    }
}
