//! Problems, changes and releases (reference §5.2, §6.4).

use serde_json::{Map, Value};

use super::common::{DescriptionBlock, LookupRef, NamedRef, SdpDateTime, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A problem.
    pub struct Problem {
        /// Id.
        pub id: String,
        /// Display id.
        pub display_id: String,
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Status.
        pub status: NamedRef,
        /// Priority.
        pub priority: NamedRef,
        /// Urgency.
        pub urgency: NamedRef,
        /// Impact.
        pub impact: NamedRef,
        /// Category.
        pub category: NamedRef,
        /// Subcategory.
        pub subcategory: NamedRef,
        /// Item.
        pub item: NamedRef,
        /// Reporter.
        pub reported_by: UserInfo,
        /// Technician.
        pub technician: UserInfo,
        /// Group.
        pub group: NamedRef,
        /// Site.
        pub site: NamedRef,
        /// Reported.
        pub reported_time: SdpDateTime,
        /// Due by.
        pub due_by_time: SdpDateTime,
        /// Closed.
        pub closed_time: SdpDateTime,
        /// Impact details.
        pub impact_details: DescriptionBlock,
        /// Root cause.
        pub root_cause: DescriptionBlock,
        /// Symptoms.
        pub symptoms: DescriptionBlock,
        /// Workaround.
        pub workaround_details: DescriptionBlock,
        /// Resolution.
        pub resolution_details: DescriptionBlock,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

entity!(Problem, "problems", "problem", "problems");
module!(Problem, new = ProblemInput, update = ProblemInput);

sdp_model! {
    /// Body of a problem create or update (`title` mandatory on create).
    pub struct ProblemInput {
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Status.
        pub status: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Urgency.
        pub urgency: LookupRef,
        /// Impact.
        pub impact: LookupRef,
        /// Category.
        pub category: LookupRef,
        /// Subcategory.
        pub subcategory: LookupRef,
        /// Item.
        pub item: LookupRef,
        /// Reporter.
        pub reported_by: UserRef,
        /// Technician.
        pub technician: UserRef,
        /// Group.
        pub group: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// Due by.
        pub due_by_time: SdpDateTime,
        /// Impact details.
        pub impact_details: DescriptionBlock,
        /// Root cause.
        pub root_cause: DescriptionBlock,
        /// Symptoms.
        pub symptoms: DescriptionBlock,
        /// Workaround.
        pub workaround_details: DescriptionBlock,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

sdp_model! {
    /// A change.
    pub struct Change {
        /// Id.
        pub id: String,
        /// Display id.
        pub display_id: String,
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Template.
        pub template: NamedRef,
        /// Change type (`Standard`, …).
        pub change_type: NamedRef,
        /// Stage (`Submission`, …).
        pub stage: NamedRef,
        /// Status within the stage.
        pub status: NamedRef,
        /// Workflow.
        pub workflow: NamedRef,
        /// Risk.
        pub risk: NamedRef,
        /// Reason for change.
        pub reason_for_change: NamedRef,
        /// Requester.
        pub change_requester: UserInfo,
        /// Owner.
        pub change_owner: UserInfo,
        /// Manager.
        pub change_manager: UserInfo,
        /// Priority.
        pub priority: NamedRef,
        /// Urgency.
        pub urgency: NamedRef,
        /// Impact.
        pub impact: NamedRef,
        /// Category.
        pub category: NamedRef,
        /// Site.
        pub site: NamedRef,
        /// Group.
        pub group: NamedRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// Completed.
        pub completed_time: SdpDateTime,
        /// Roll-out plan.
        pub roll_out_plan: DescriptionBlock,
        /// Back-out plan.
        pub back_out_plan: DescriptionBlock,
        /// Emergency change.
        pub emergency: bool,
        /// Retrospective change.
        pub retrospective: bool,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

entity!(Change, "changes", "change", "changes");
module!(Change, new = ChangeInput, update = ChangeInput);

sdp_model! {
    /// Body of a change create or update (`title` mandatory on create; a
    /// status change needs `comment`).
    pub struct ChangeInput {
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Template.
        pub template: LookupRef,
        /// Change type.
        pub change_type: LookupRef,
        /// Stage.
        pub stage: LookupRef,
        /// Status.
        pub status: LookupRef,
        /// Comment for a status change.
        pub comment: String,
        /// Risk.
        pub risk: LookupRef,
        /// Reason for change.
        pub reason_for_change: LookupRef,
        /// Requester.
        pub change_requester: UserRef,
        /// Owner.
        pub change_owner: UserRef,
        /// Manager.
        pub change_manager: UserRef,
        /// Priority.
        pub priority: LookupRef,
        /// Urgency.
        pub urgency: LookupRef,
        /// Impact.
        pub impact: LookupRef,
        /// Category.
        pub category: LookupRef,
        /// Site.
        pub site: LookupRef,
        /// Group.
        pub group: LookupRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// Roll-out plan.
        pub roll_out_plan: DescriptionBlock,
        /// Back-out plan.
        pub back_out_plan: DescriptionBlock,
        /// Emergency change.
        pub emergency: bool,
        /// Retrospective change.
        pub retrospective: bool,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

sdp_model! {
    /// A release.
    pub struct Release {
        /// Id.
        pub id: String,
        /// Display id.
        pub display_id: String,
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Template.
        pub template: NamedRef,
        /// Release type.
        pub release_type: NamedRef,
        /// Stage.
        pub stage: NamedRef,
        /// Status.
        pub status: NamedRef,
        /// Priority.
        pub priority: NamedRef,
        /// Requester.
        pub release_requester: UserInfo,
        /// Engineer.
        pub release_engineer: UserInfo,
        /// Manager.
        pub release_manager: UserInfo,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// Completed.
        pub completed_time: SdpDateTime,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}

entity!(Release, "releases", "release", "releases");
module!(Release, new = ReleaseInput, update = ReleaseInput);

sdp_model! {
    /// Body of a release create or update (`title` mandatory on create).
    pub struct ReleaseInput {
        /// Title.
        pub title: String,
        /// HTML description.
        pub description: String,
        /// Template.
        pub template: LookupRef,
        /// Release type.
        pub release_type: LookupRef,
        /// Stage.
        pub stage: LookupRef,
        /// Status.
        pub status: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Requester.
        pub release_requester: UserRef,
        /// Engineer.
        pub release_engineer: UserRef,
        /// Manager.
        pub release_manager: UserRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// User-defined fields.
        pub udf_fields: Map<String, Value>,
    }
}
