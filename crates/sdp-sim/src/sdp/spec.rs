//! The table types that describe every SDP entity: its paths and wrapper keys,
//! its fields and their kinds, mandatory and unique fields, sub-resources,
//! actions and entity-specific rules. The tables live in [`super::specs`];
//! one generic engine ([`super::generic`]) serves them all.

use axum::http::Method;
use bytes::Bytes;

use super::call::Call;
use super::store::PortalData;
use super::wire::{ApiError, Record};

/// How a field's input is checked and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text, with a maximum length (0 = unlimited).
    Text(usize),
    /// Boolean (`"true"`/`"false"` strings tolerated).
    Bool,
    /// Integer.
    Int,
    /// Decimal number.
    Decimal,
    /// `{"value": epoch-ms}` in, `{"display_value","value"}` out.
    DateTime,
    /// Lookup into the top-level entity with this path, by `id` or `name`.
    Lookup(&'static str),
    /// A user by `id`, `email_id` or `name`.
    User(Role),
    /// Free-form object (`closure_info`, `resolution`, …).
    Object,
    /// Free-form array.
    Array,
    /// `{"hours","minutes"}` in, plus a millisecond `value` out.
    TimeSpent,
    /// `udf_fields`: keys must be user-defined fields of the module.
    Udf,
    /// Output-only; giving it → 4014.
    ReadOnly,
    /// Output-only boolean flag (`has_notes`), default `false`; giving it → 4014.
    Flag,
    /// Accepted on input, consumed by the entity's rules, never stored.
    Transient,
}

/// Which users a user field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Any user.
    Any,
    /// Technicians only.
    Technician,
}

/// One field of an entity.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// JSON key.
    pub name: &'static str,
    /// Kind.
    pub kind: Kind,
}

/// Where an entity's records live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// A top-level collection with this key (shared by views such as
    /// `/requesters` and `/technicians` over `users`).
    Own(&'static str),
    /// Under its parent record: `<parent key>/<parent id>/<path>`.
    Nested,
    /// A top-level collection whose records point at the parent through a
    /// lookup field (`/categories/{id}/subcategories`).
    ChildOf {
        /// Top-level collection key.
        collection: &'static str,
        /// Lookup field naming the parent.
        field: &'static str,
    },
}

/// Operations an entity supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ops {
    /// `GET` collection and item.
    pub read: bool,
    /// `POST` collection.
    pub create: bool,
    /// `PUT` item.
    pub update: bool,
    /// `DELETE` item.
    pub delete: bool,
}

impl Ops {
    /// Everything.
    pub const ALL: Self = Self {
        read: true,
        create: true,
        update: true,
        delete: true,
    };
    /// Read only.
    pub const READ: Self = Self {
        read: true,
        create: false,
        update: false,
        delete: false,
    };
    /// Read and create.
    pub const READ_CREATE: Self = Self {
        read: true,
        create: true,
        update: false,
        delete: false,
    };
}

/// What a handler answers.
#[derive(Debug)]
pub enum Reply {
    /// A JSON body with HTTP 200.
    Json(serde_json::Value),
    /// Raw bytes (attachment download).
    Raw {
        /// Content type.
        content_type: String,
        /// File name.
        name: String,
        /// Bytes.
        body: Bytes,
    },
}

/// A parent of a sub-resource: its entity, collection key and record id.
pub type Parent = (&'static EntitySpec, String, u64);

/// A request resolved against the tables, handed to action handlers with the
/// portal data locked for writing.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The call (caller, input, files, time, knobs).
    pub call: &'a Call,
    /// The portal's data, write-locked.
    pub data: &'a mut PortalData,
    /// The entity addressed.
    pub spec: &'static EntitySpec,
    /// Storage key of the addressed collection.
    pub key: String,
    /// Parent entity and record id, for sub-resources.
    pub parent: Option<Parent>,
    /// The addressed record id (item actions).
    pub id: Option<u64>,
}

/// Handler of an action route.
pub type ActionFn = fn(&mut Ctx<'_>) -> Result<Reply, ApiError>;

/// A named action under an item (`/requests/{id}/_close`) or a collection
/// (`/requests/_metainfo`).
#[derive(Debug, Clone)]
pub struct Action {
    /// Path segment.
    pub name: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Handler.
    pub run: ActionFn,
}

/// Entity-specific rules run by the generic engine inside the portal lock.
pub trait Rules: Sync {
    /// Extra mandatory fields of the final record (e.g. from its template).
    fn extra_mandatory(&self, _data: &PortalData, _record: &Record) -> Vec<String> {
        Vec::new()
    }
    /// Checks and completes a record about to be stored. `before` is `None` on create.
    fn before_save(
        &self,
        _call: &Call,
        _data: &PortalData,
        _before: Option<&Record>,
        _input: &Record,
        _record: &mut Record,
    ) -> Result<(), ApiError> {
        Ok(())
    }
    /// Checks a delete.
    fn before_delete(&self, _data: &PortalData, _record: &Record) -> Result<(), ApiError> {
        Ok(())
    }
}

/// No extra rules.
#[derive(Debug)]
pub struct NoRules;
impl Rules for NoRules {}

/// Describes one entity of the SDP API.
pub struct EntitySpec {
    /// URL segment (`requests`, `notes`).
    pub path: &'static str,
    /// Wrapper key of one record (`request`, `request_note`).
    pub singular: &'static str,
    /// Other accepted input wrapper keys (`note`).
    pub aliases: &'static [&'static str],
    /// List key (`requests`).
    pub plural: &'static str,
    /// Where records live.
    pub storage: Storage,
    /// A fixed boolean field value defining a view (`is_technician`).
    pub view: Option<(&'static str, bool)>,
    /// Scope module (`SDPOnDemand.<scope>.<op>`); sub-resources use the root's.
    pub scope: &'static str,
    /// Fields (input and output).
    pub fields: &'static [Field],
    /// Globally mandatory fields on create.
    pub mandatory: &'static [&'static str],
    /// Fields whose value must be unique (case-insensitive) → 4008.
    pub unique: &'static [&'static str],
    /// Default lookup values on create: `(field, name)`.
    pub defaults: &'static [(&'static str, &'static str)],
    /// Sub-resources.
    pub subs: &'static [&'static EntitySpec],
    /// Item actions.
    pub actions: &'static [Action],
    /// Collection actions.
    pub collection_actions: &'static [Action],
    /// Replaces the generic create (`approval_levels`).
    pub custom_create: Option<ActionFn>,
    /// Keys copied into a reference to a record of this entity.
    pub ref_keys: &'static [&'static str],
    /// Sequential `display_id`.
    pub display_id: bool,
    /// Default sort field and whether descending.
    pub default_sort: (&'static str, bool),
    /// Boolean on the parent that is true while this sub-collection is non-empty.
    pub parent_flag: Option<&'static str>,
    /// Deleting a record referenced by other records → 4005.
    pub in_use_check: bool,
    /// Supported operations.
    pub ops: Ops,
    /// Entity rules.
    pub rules: &'static dyn Rules,
}

impl std::fmt::Debug for EntitySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EntitySpec")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl EntitySpec {
    /// A spec with the common defaults; tables override with struct update syntax.
    pub const fn base(
        path: &'static str,
        singular: &'static str,
        plural: &'static str,
        scope: &'static str,
        fields: &'static [Field],
    ) -> Self {
        Self {
            path,
            singular,
            aliases: &[],
            plural,
            storage: Storage::Own(path),
            view: None,
            scope,
            fields,
            mandatory: &[],
            unique: &[],
            defaults: &[],
            subs: &[],
            actions: &[],
            collection_actions: &[],
            custom_create: None,
            ref_keys: &["id", "name"],
            display_id: false,
            default_sort: ("id", false),
            parent_flag: None,
            in_use_check: false,
            ops: Ops::ALL,
            rules: &NoRules,
        }
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The sub-resource at path segment `segment`.
    pub fn sub(&self, segment: &str) -> Option<&'static EntitySpec> {
        self.subs.iter().copied().find(|s| s.path == segment)
    }

    /// The item action at `segment` for `method`.
    pub fn action(&self, segment: &str, method: &Method) -> Option<&'static Action> {
        self.actions
            .iter()
            .find(|a| a.name == segment && a.method == *method)
    }

    /// Whether `key` is an accepted wrapper key.
    pub fn accepts_key(&self, key: &str) -> bool {
        key == self.singular || self.aliases.contains(&key)
    }
}

/// Shorthand constructor of a [`Field`].
pub const fn fd(name: &'static str, kind: Kind) -> Field {
    Field { name, kind }
}
