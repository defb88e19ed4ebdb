//! Requests (incidents and service requests) and their lifecycle bodies
//! (reference §6.1, §6.2).

use serde_json::{Map, Value};

use super::attachment::Attachment;
use super::common::{LookupRef, NamedRef, SdpDateTime, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A request as SDP returns it.
    pub struct Request {
        /// Id (long integer as a string): the key for every API call.
        pub id: String,
        /// The number people quote (`#2041`).
        pub display_id: String,
        /// Subject (≤ 250 characters).
        pub subject: String,
        /// HTML description.
        pub description: String,
        /// Plain-text start of the description.
        pub short_description: String,
        /// Requester.
        pub requester: UserInfo,
        /// Assigned technician.
        pub technician: UserInfo,
        /// Support group.
        pub group: NamedRef,
        /// Site.
        pub site: NamedRef,
        /// Status (`Open`, `On Hold`, `Resolved`, `Closed`, …).
        pub status: NamedRef,
        /// Priority.
        pub priority: NamedRef,
        /// Urgency.
        pub urgency: NamedRef,
        /// Impact.
        pub impact: NamedRef,
        /// Category.
        pub category: NamedRef,
        /// Subcategory (belongs to the category).
        pub subcategory: NamedRef,
        /// Item (belongs to the subcategory).
        pub item: NamedRef,
        /// Mode (`Web Form`, `E-Mail`, …).
        pub mode: NamedRef,
        /// Level (`Tier 1`, …).
        pub level: NamedRef,
        /// Request type (`Incident`, `Request`, …).
        pub request_type: NamedRef,
        /// Template.
        pub template: NamedRef,
        /// Service category.
        pub service_category: NamedRef,
        /// SLA.
        pub sla: NamedRef,
        /// Creator.
        pub created_by: UserInfo,
        /// On behalf of.
        pub on_behalf_of: UserInfo,
        /// Created.
        pub created_time: SdpDateTime,
        /// Last updated.
        pub last_updated_time: SdpDateTime,
        /// Due by.
        pub due_by_time: SdpDateTime,
        /// First response due by.
        pub first_response_due_by_time: SdpDateTime,
        /// Assigned.
        pub assigned_time: SdpDateTime,
        /// Responded.
        pub responded_time: SdpDateTime,
        /// Resolved.
        pub resolved_time: SdpDateTime,
        /// Completed (closed).
        pub completed_time: SdpDateTime,
        /// Service request rather than incident.
        pub is_service_request: bool,
        /// Past due.
        pub is_overdue: bool,
        /// Escalated.
        pub is_escalated: bool,
        /// In trash.
        pub is_trashed: bool,
        /// Has notes.
        pub has_notes: bool,
        /// Has attachments.
        pub has_attachments: bool,
        /// Has linked requests.
        pub has_linked_requests: bool,
        /// Resolution.
        pub resolution: Resolution,
        /// Closure details.
        pub closure_info: ClosureInfo,
        /// Approval status.
        pub approval_status: NamedRef,
        /// Emails notified.
        pub email_ids_to_notify: Vec<String>,
        /// Attachments.
        pub attachments: Vec<Attachment>,
        /// User-defined fields (`udf_pick_301`, `udf_sline_302`, …).
        pub udf_fields: Map<String, Value>,
    }
}

entity!(Request, "requests", "request", "requests");
module!(Request, new = NewRequest, update = RequestUpdate);

sdp_model! {
    /// Body of a request create. Only `subject` is globally mandatory; a
    /// template can demand more (SDP answers 4012 listing them). Lookups are
    /// objects (`{"name": …}` / `{"id": …}`), never bare strings.
    pub struct NewRequest {
        /// Subject (≤ 250 characters).
        pub subject: String,
        /// HTML description (raw HTML, no CDATA).
        pub description: String,
        /// Requester (must exist).
        pub requester: UserRef,
        /// Technician.
        pub technician: UserRef,
        /// Template.
        pub template: LookupRef,
        /// Request type.
        pub request_type: LookupRef,
        /// Mode.
        pub mode: LookupRef,
        /// Category.
        pub category: LookupRef,
        /// Subcategory.
        pub subcategory: LookupRef,
        /// Item.
        pub item: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Status.
        pub status: LookupRef,
        /// Urgency.
        pub urgency: LookupRef,
        /// Impact.
        pub impact: LookupRef,
        /// Level.
        pub level: LookupRef,
        /// Group.
        pub group: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// Service category.
        pub service_category: LookupRef,
        /// Due by (`{"value": "<epoch ms>"}`).
        pub due_by_time: SdpDateTime,
        /// Emails to notify.
        pub email_ids_to_notify: Vec<String>,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

impl NewRequest {
    /// A create body with only the subject.
    pub fn new(subject: impl Into<String>) -> Self {
        NewRequest {
            subject: Some(subject.into()),
            ..NewRequest::default()
        }
    }
}

sdp_model! {
    /// Body of a partial request update: only set fields are sent. To clear a
    /// field, put an explicit `null` in `extra` (SDP clears on `null`).
    pub struct RequestUpdate {
        /// Subject.
        pub subject: String,
        /// HTML description.
        pub description: String,
        /// Requester.
        pub requester: UserRef,
        /// Technician.
        pub technician: UserRef,
        /// Template.
        pub template: LookupRef,
        /// Request type.
        pub request_type: LookupRef,
        /// Mode.
        pub mode: LookupRef,
        /// Category.
        pub category: LookupRef,
        /// Subcategory.
        pub subcategory: LookupRef,
        /// Item.
        pub item: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Status.
        pub status: LookupRef,
        /// Urgency.
        pub urgency: LookupRef,
        /// Impact.
        pub impact: LookupRef,
        /// Level.
        pub level: LookupRef,
        /// Group.
        pub group: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// Due by.
        pub due_by_time: SdpDateTime,
        /// Comment recorded with a status change.
        pub status_change_comments: String,
        /// Reason recorded with the update.
        pub update_reason: String,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

sdp_model! {
    /// `closure_info` of a close (`PUT /requests/{id}/_close`).
    pub struct ClosureInfo {
        /// The requester acknowledged the resolution.
        pub requester_ack_resolution: bool,
        /// Requester's comments.
        pub requester_ack_comments: String,
        /// Closure comments.
        pub closure_comments: String,
        /// Closure code (may be refused unless configured on the portal).
        pub closure_code: LookupRef,
    }
}

sdp_model! {
    /// Body of `PUT /requests/{id}/_assign`.
    pub struct Assignment {
        /// Technician.
        pub technician: UserRef,
        /// Group.
        pub group: LookupRef,
    }
}

sdp_model! {
    /// A request resolution (`/requests/{id}/resolutions`).
    pub struct Resolution {
        /// HTML content.
        pub content: String,
        /// Apply to linked requests too (input).
        pub add_to_linked_requests: bool,
        /// Who submitted it.
        pub submitted_by: UserInfo,
        /// When.
        pub submitted_on: SdpDateTime,
    }
}

entity!(Resolution, "resolutions", "resolution", "resolutions");

impl Resolution {
    /// A resolution body with `content`.
    pub fn new(content: impl Into<String>) -> Self {
        Resolution {
            content: Some(content.into()),
            ..Resolution::default()
        }
    }
}

sdp_model! {
    /// One link of `/requests/{id}/link_requests`.
    pub struct LinkedRequest {
        /// The other request.
        pub linked_request: Request,
        /// Comments.
        pub comments: String,
    }
}

entity!(
    LinkedRequest,
    "link_requests",
    "link_request",
    "link_requests"
);
