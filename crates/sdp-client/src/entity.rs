//! The generic entity description every typed operation is built on.
//!
//! An [`Entity`] names its JSON keys and its path segment; a [`Module`] is an
//! entity with a collection at the API root (`/requests`, `/problems`) and
//! typed bodies for create and update. The generic functions in
//! [`crate::api::Collection`] and [`crate::api::ModuleApi`] do the rest, so a
//! typed wrapper is one line.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Something SDP lists and returns under a JSON key.
pub trait Entity: DeserializeOwned + Send + 'static {
    /// Path segment of the collection (`requests`, `notes`, `approval_levels`).
    const SEGMENT: &'static str;
    /// Key wrapping one item in writes and answers (`request`, `request_note`).
    const SINGULAR: &'static str;
    /// Key of the list in answers (`requests`, `notes`).
    const PLURAL: &'static str;
    /// Other keys seen for one item (`note` besides `request_note`).
    const SINGULAR_ALIASES: &'static [&'static str] = &[];
    /// Other keys seen for the list (`request_notes` besides `notes`).
    const PLURAL_ALIASES: &'static [&'static str] = &[];
}

/// An entity with a collection at the API root and typed write bodies.
pub trait Module: Entity {
    /// Body of a create (`NewRequest`, `ProblemInput`, …).
    type New: Serialize + Sync;
    /// Body of an update.
    type Update: Serialize + Sync;
}

/// Implements [`Entity`] (and optionally [`Module`]) in one line.
macro_rules! entity {
    ($ty:ty, $segment:literal, $singular:literal, $plural:literal $(, singular_aliases = [$($sa:literal),*])? $(, plural_aliases = [$($pa:literal),*])?) => {
        impl $crate::entity::Entity for $ty {
            const SEGMENT: &'static str = $segment;
            const SINGULAR: &'static str = $singular;
            const PLURAL: &'static str = $plural;
            $(const SINGULAR_ALIASES: &'static [&'static str] = &[$($sa),*];)?
            $(const PLURAL_ALIASES: &'static [&'static str] = &[$($pa),*];)?
        }
    };
}

/// Implements [`Module`] for an [`Entity`].
macro_rules! module {
    ($ty:ty, new = $new:ty, update = $update:ty) => {
        impl $crate::entity::Module for $ty {
            type New = $new;
            type Update = $update;
        }
    };
}

pub(crate) use {entity, module};
