//! Projects and their milestones, members and comments (reference §5.3).

use super::common::{LookupRef, NamedRef, SdpDateTime, UserInfo, UserRef};
use super::macros::sdp_model;
use crate::entity::{entity, module};

sdp_model! {
    /// A project.
    pub struct Project {
        /// Id.
        pub id: String,
        /// Display id.
        pub display_id: String,
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: NamedRef,
        /// Priority.
        pub priority: NamedRef,
        /// Project type.
        pub project_type: NamedRef,
        /// Owner.
        pub owner: UserInfo,
        /// Site.
        pub site: NamedRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
        /// Actual start.
        pub actual_start_time: SdpDateTime,
        /// Actual end.
        pub actual_end_time: SdpDateTime,
        /// Percent done.
        pub percentage_completion: u32,
    }
}

entity!(Project, "projects", "project", "projects");
module!(Project, new = ProjectInput, update = ProjectInput);

sdp_model! {
    /// Body of a project create or update (`title` mandatory on create).
    pub struct ProjectInput {
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: LookupRef,
        /// Priority.
        pub priority: LookupRef,
        /// Project type.
        pub project_type: LookupRef,
        /// Owner.
        pub owner: UserRef,
        /// Site.
        pub site: LookupRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
    }
}

sdp_model! {
    /// A project milestone.
    pub struct Milestone {
        /// Id.
        pub id: String,
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: NamedRef,
        /// Owner.
        pub owner: UserInfo,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
    }
}

entity!(Milestone, "milestones", "milestone", "milestones");

sdp_model! {
    /// Body of a milestone create or update.
    pub struct MilestoneInput {
        /// Title.
        pub title: String,
        /// Description.
        pub description: String,
        /// Status.
        pub status: LookupRef,
        /// Owner.
        pub owner: UserRef,
        /// Scheduled start.
        pub scheduled_start_time: SdpDateTime,
        /// Scheduled end.
        pub scheduled_end_time: SdpDateTime,
    }
}

sdp_model! {
    /// A project member (add by `user.name`; the email form misbehaves on-prem).
    pub struct ProjectMember {
        /// Id.
        pub id: String,
        /// The user.
        pub user: UserInfo,
        /// Project role.
        pub project_role: NamedRef,
    }
}

entity!(ProjectMember, "members", "member", "members");

sdp_model! {
    /// A project comment (text in `content`, not `description`).
    pub struct ProjectComment {
        /// Id.
        pub id: String,
        /// Text.
        pub content: String,
        /// Author.
        pub created_by: UserInfo,
        /// Created.
        pub created_time: SdpDateTime,
    }
}

entity!(ProjectComment, "comments", "comment", "comments");
