//! The tables: one [`EntitySpec`] per SDP entity, grouped by area. The router
//! resolves paths against [`TOP`]; lookups resolve through [`find`].

use std::collections::HashMap;
use std::sync::LazyLock;

use super::spec::{EntitySpec, Field, Kind, fd};

mod itsm;
mod other;
mod people;
mod setup;
mod subs;

pub use itsm::{CHANGES, PROBLEMS, RELEASES, REQUESTS};
pub use other::{ASSETS, CMDB, CONTRACTS, PROJECTS, PURCHASE_ORDERS, SOLUTIONS, TASKS};
pub use people::{REQUESTERS, TECHNICIANS, USERS};
pub use subs::{
    APPROVAL_LEVELS, APPROVALS, ATTACHMENTS, CI_RELATIONSHIPS, COMMENTS, MEMBERS, MILESTONES,
    NESTED_TASKS, NOTES, REQUEST_NOTES, WORKLOGS,
};

/// Every top-level entity, addressable as `/api/v3/<path>`.
pub static TOP: LazyLock<Vec<&'static EntitySpec>> = LazyLock::new(|| {
    let mut all: Vec<&'static EntitySpec> = vec![
        &REQUESTS,
        &PROBLEMS,
        &CHANGES,
        &RELEASES,
        &PROJECTS,
        &TASKS,
        &ASSETS,
        &CMDB,
        &SOLUTIONS,
        &CONTRACTS,
        &PURCHASE_ORDERS,
        &USERS,
        &REQUESTERS,
        &TECHNICIANS,
    ];
    all.extend(other::EXTRA.iter().copied());
    all.extend(setup::LOOKUPS.iter().copied());
    all
});

static BY_PATH: LazyLock<HashMap<&'static str, &'static EntitySpec>> =
    LazyLock::new(|| TOP.iter().map(|s| (s.path, *s)).collect());

/// The top-level entity at `path`.
pub fn find(path: &str) -> Option<&'static EntitySpec> {
    BY_PATH.get(path).copied()
}

/// `id`: read-only.
pub const ID: Field = fd("id", Kind::ReadOnly);

/// Read-only audit fields shared by most entities.
pub const fn ro(name: &'static str) -> Field {
    fd(name, Kind::ReadOnly)
}
/// Read-only boolean flag.
pub const fn flag(name: &'static str) -> Field {
    fd(name, Kind::Flag)
}
/// Text with a maximum length.
pub const fn text(name: &'static str, max: usize) -> Field {
    fd(name, Kind::Text(max))
}
/// Unlimited text / HTML.
pub const fn html(name: &'static str) -> Field {
    fd(name, Kind::Text(0))
}
/// Lookup into `target`.
pub const fn lookup(name: &'static str, target: &'static str) -> Field {
    fd(name, Kind::Lookup(target))
}
/// Any user.
pub const fn user(name: &'static str) -> Field {
    fd(name, Kind::User(super::spec::Role::Any))
}
/// A technician.
pub const fn tech(name: &'static str) -> Field {
    fd(name, Kind::User(super::spec::Role::Technician))
}
/// Datetime.
pub const fn dt(name: &'static str) -> Field {
    fd(name, Kind::DateTime)
}
/// Boolean.
pub const fn boolean(name: &'static str) -> Field {
    fd(name, Kind::Bool)
}
/// Free object.
pub const fn obj(name: &'static str) -> Field {
    fd(name, Kind::Object)
}
/// Free array.
pub const fn arr(name: &'static str) -> Field {
    fd(name, Kind::Array)
}
/// Integer.
pub const fn int(name: &'static str) -> Field {
    fd(name, Kind::Int)
}
/// Decimal.
pub const fn dec(name: &'static str) -> Field {
    fd(name, Kind::Decimal)
}
