//! Tool output types (`outputSchema` + `structuredContent`), converted from
//! the client's models. They are the server's own shapes: flat, named for a
//! reader, with lookups reduced to their names.

use schemars::JsonSchema;
use sdp_client::{
    ListInfoResponse, LookupItem, NamedRef, Note, Page, Request, SdpDateTime, User, UserInfo,
};
use serde::Serialize;
use serde_json::{Map, Value};

/// One request in a list.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestSummary {
    /// SDP id: pass it to get_request, update_request, add_note, …
    pub(crate) id: String,
    /// The number people quote (e.g. "2041").
    pub(crate) display_id: Option<String>,
    /// Subject.
    pub(crate) subject: Option<String>,
    /// Status name.
    pub(crate) status: Option<String>,
    /// Priority name.
    pub(crate) priority: Option<String>,
    /// Requester name.
    pub(crate) requester: Option<String>,
    /// Requester email.
    pub(crate) requester_email: Option<String>,
    /// Assigned technician name.
    pub(crate) technician: Option<String>,
    /// Support group.
    pub(crate) group: Option<String>,
    /// Category.
    pub(crate) category: Option<String>,
    /// Created, as SDP displays it.
    pub(crate) created_time: Option<String>,
    /// Due by, as SDP displays it.
    pub(crate) due_by_time: Option<String>,
    /// Past its due time.
    pub(crate) is_overdue: Option<bool>,
}

/// The fields [`RequestSummary`] reads: list tools ask SDP for these only
/// (`fields_required`; SDP always adds `id`), so SDP sends and the server
/// parses a fraction of each request (about 60 fields on a real portal).
pub(crate) const REQUEST_SUMMARY_FIELDS: &[&str] = &[
    "display_id",
    "subject",
    "status",
    "priority",
    "requester",
    "technician",
    "group",
    "category",
    "created_time",
    "due_by_time",
    "is_overdue",
];

impl From<Request> for RequestSummary {
    fn from(request: Request) -> Self {
        Self {
            id: request.id.unwrap_or_default(),
            display_id: request.display_id,
            subject: request.subject,
            status: name(request.status),
            priority: name(request.priority),
            requester_email: request.requester.as_ref().and_then(|u| u.email_id.clone()),
            requester: user_name(request.requester),
            technician: user_name(request.technician),
            group: name(request.group),
            category: name(request.category),
            created_time: display(request.created_time),
            due_by_time: display(request.due_by_time),
            is_overdue: request.is_overdue,
        }
    }
}

/// Paging information of a list.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct PageInfo {
    /// This page (1-based).
    pub(crate) page: u32,
    /// Rows per page.
    pub(crate) page_size: u32,
    /// More rows follow: ask for `page + 1`.
    pub(crate) has_more: bool,
    /// Total rows, when SDP reported it.
    pub(crate) total_count: Option<u64>,
}

impl PageInfo {
    pub(crate) fn new(page: u32, page_size: u32, list_info: &ListInfoResponse) -> Self {
        Self {
            page,
            page_size,
            has_more: list_info.has_more_rows.unwrap_or(false),
            total_count: list_info.total_count,
        }
    }
}

/// A page of requests.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestList {
    /// The requests.
    pub(crate) requests: Vec<RequestSummary>,
    /// Paging.
    pub(crate) paging: PageInfo,
}

impl RequestList {
    pub(crate) fn new(page: Page<Request>, number: u32, size: u32) -> Self {
        Self {
            paging: PageInfo::new(number, size, &page.list_info),
            requests: page.items.into_iter().map(RequestSummary::from).collect(),
        }
    }
}

/// One request with its details.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestDetail {
    /// Summary fields.
    #[serde(flatten)]
    pub(crate) summary: RequestSummary,
    /// Description (HTML).
    pub(crate) description: Option<String>,
    /// Subcategory.
    pub(crate) subcategory: Option<String>,
    /// Item.
    pub(crate) item: Option<String>,
    /// Urgency.
    pub(crate) urgency: Option<String>,
    /// Impact.
    pub(crate) impact: Option<String>,
    /// Level.
    pub(crate) level: Option<String>,
    /// Mode (how it was reported).
    pub(crate) mode: Option<String>,
    /// Request type.
    pub(crate) request_type: Option<String>,
    /// Template.
    pub(crate) template: Option<String>,
    /// Site.
    pub(crate) site: Option<String>,
    /// Last updated, as SDP displays it.
    pub(crate) last_updated_time: Option<String>,
    /// Resolved, as SDP displays it.
    pub(crate) resolved_time: Option<String>,
    /// Closed, as SDP displays it.
    pub(crate) completed_time: Option<String>,
    /// Resolution text (HTML).
    pub(crate) resolution: Option<String>,
    /// Closure comments.
    pub(crate) closure_comments: Option<String>,
    /// Closure code.
    pub(crate) closure_code: Option<String>,
    /// Notes exist: read them with list_notes.
    pub(crate) has_notes: Option<bool>,
    /// User-defined fields (`udf_*` name → value).
    pub(crate) udf_fields: Option<Map<String, Value>>,
}

impl From<Request> for RequestDetail {
    fn from(mut request: Request) -> Self {
        let closure = request.closure_info.take();
        let resolution = request.resolution.take().and_then(|r| r.content);
        Self {
            description: request.description.take(),
            subcategory: name(request.subcategory.take()),
            item: name(request.item.take()),
            urgency: name(request.urgency.take()),
            impact: name(request.impact.take()),
            level: name(request.level.take()),
            mode: name(request.mode.take()),
            request_type: name(request.request_type.take()),
            template: name(request.template.take()),
            site: name(request.site.take()),
            last_updated_time: display(request.last_updated_time.take()),
            resolved_time: display(request.resolved_time.take()),
            completed_time: display(request.completed_time.take()),
            resolution,
            closure_comments: closure.as_ref().and_then(|c| c.closure_comments.clone()),
            closure_code: closure.and_then(|c| c.closure_code).map(|code| match code {
                sdp_client::LookupRef::Id { id } => id,
                sdp_client::LookupRef::Name { name } => name,
            }),
            has_notes: request.has_notes,
            udf_fields: request.udf_fields.take().filter(|m| !m.is_empty()),
            summary: RequestSummary::from(request),
        }
    }
}

/// The result of a request write.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RequestOutcome {
    /// What happened, in one sentence.
    pub(crate) message: String,
    /// The request as SDP now has it.
    pub(crate) request: RequestDetail,
}

/// A note of a request.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct NoteView {
    /// Note id.
    pub(crate) id: Option<String>,
    /// Text (HTML).
    pub(crate) description: Option<String>,
    /// Visible to the requester.
    pub(crate) show_to_requester: Option<bool>,
    /// Author name.
    pub(crate) created_by: Option<String>,
    /// Created, as SDP displays it.
    pub(crate) created_time: Option<String>,
}

impl From<Note> for NoteView {
    fn from(note: Note) -> Self {
        Self {
            id: note.id,
            description: note.description,
            show_to_requester: note.show_to_requester,
            created_by: user_name(note.created_by),
            created_time: display(note.created_time),
        }
    }
}

/// A person (technician).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct PersonView {
    /// SDP user id.
    pub(crate) id: Option<String>,
    /// Display name.
    pub(crate) name: Option<String>,
    /// Email address (use it to assign requests).
    pub(crate) email: Option<String>,
    /// Phone.
    pub(crate) phone: Option<String>,
    /// Mobile.
    pub(crate) mobile: Option<String>,
    /// Job title.
    pub(crate) job_title: Option<String>,
    /// Department.
    pub(crate) department: Option<String>,
    /// Site.
    pub(crate) site: Option<String>,
}

impl From<User> for PersonView {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            name: user.name,
            email: user.email_id,
            phone: user.phone,
            mobile: user.mobile,
            job_title: user.job_title,
            department: name(user.department),
            site: name(user.site),
        }
    }
}

/// A lookup value.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub(crate) struct LookupValue {
    /// Id.
    pub(crate) id: Option<String>,
    /// Name: pass this to the tools.
    pub(crate) name: Option<String>,
}

impl From<&LookupItem> for LookupValue {
    fn from(item: &LookupItem) -> Self {
        Self {
            id: item.id.clone(),
            name: item.name.clone(),
        }
    }
}

pub(crate) fn name(reference: Option<NamedRef>) -> Option<String> {
    reference.and_then(|r| r.name)
}

pub(crate) fn user_name(user: Option<UserInfo>) -> Option<String> {
    user.and_then(|u| u.name.or(u.email_id))
}

pub(crate) fn display(time: Option<SdpDateTime>) -> Option<String> {
    time.and_then(|t| t.display_value.or(t.value))
}
