//! Typed SDP entities. Every field is optional and tolerant (a field SDP
//! sends in an unexpected type reads as `None`), unknown members are kept in
//! `extra`, and `None` fields are omitted when serialising, so the same types
//! serve as tolerant readers and as partial write bodies.

pub mod activity;
pub mod asset;
pub mod attachment;
pub mod common;
pub mod itsm;
pub mod lenient;
pub mod lookup;
mod macros;
pub mod project;
pub mod purchase;
pub mod request;
pub mod solution;
pub mod user;

pub use activity::{
    Approval, ApprovalInput, ApprovalLevel, ApprovalLevelInput, Note, NoteInput, Task, TaskInput,
    Worklog, WorklogInput,
};
pub use asset::{Asset, AssetInput, CiRelationship, ConfigurationItem};
pub use attachment::{Attachment, Download, FileUpload};
pub use common::{
    DescriptionBlock, LookupRef, NamedRef, SdpDateTime, TimeSpent, UserInfo, UserRef,
};
pub use itsm::{Change, ChangeInput, Problem, ProblemInput, Release, ReleaseInput};
pub use lookup::{Lookup, LookupItem, MetaInfo, Portal};
pub use project::{
    Milestone, MilestoneInput, Project, ProjectComment, ProjectInput, ProjectMember,
};
pub use purchase::{Contract, ContractInput, PurchaseOrder, PurchaseOrderInput};
pub use request::{
    Assignment, ClosureInfo, LinkedRequest, NewRequest, Request, RequestUpdate, Resolution,
};
pub use solution::{Solution, SolutionInput, Topic, TopicInput};
pub use user::{Requester, Technician, User, UserInput};
