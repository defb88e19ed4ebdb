//! Typed operations, generic over [`Entity`](crate::Entity) /
//! [`Module`](crate::Module), with thin per-module additions.

mod approvals;
mod attachments;
mod cmdb;
mod collection;
mod lookups;
mod module;
mod requests;

pub use approvals::ApprovalsApi;
pub use attachments::AttachmentsApi;
pub use cmdb::CmdbApi;
pub use collection::{Collection, Page};
pub use lookups::{LookupsApi, MAX_LOOKUP_ITEMS};
pub use module::ModuleApi;
pub use requests::LinkRequest;
