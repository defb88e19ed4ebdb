//! The tables a module toolset declares: what the module is called, where it
//! lives in the API, which filters and fields it has, and which
//! sub-resources and actions it offers. The generic machinery turns one
//! [`ModuleSpec`] into a set of tools.

/// A root module such as `/problems`, described for the tool builder.
#[derive(Debug)]
pub(crate) struct ModuleSpec {
    /// Path segment under the API root (`problems`, `cmdb`).
    pub(crate) path: &'static str,
    /// JSON key of one item (`problem`, `ci`).
    pub(crate) singular: &'static str,
    /// JSON key of the list (`problems`).
    pub(crate) plural: &'static str,
    /// Noun used in tool names (`problem` → `get_problem`).
    pub(crate) noun: &'static str,
    /// Plural noun used in tool names (`problems` → `list_problems`).
    pub(crate) nouns: &'static str,
    /// Noun for prose ("problem", "configuration item").
    pub(crate) label: &'static str,
    /// Zoho OAuth scope module (`problems`, `assets`, `general`).
    pub(crate) scope: &'static str,
    /// One sentence on what the module holds, reused by every tool.
    pub(crate) about: &'static str,
    /// Field naming an item in summaries (`title`, `name`).
    pub(crate) label_field: &'static str,
    /// Fields a list returns unless `fields` asks for others.
    pub(crate) summary_fields: &'static [&'static str],
    /// Fields a create must carry.
    pub(crate) mandatory: &'static [&'static str],
    /// Fields that are writable (shown in the `fields` description).
    pub(crate) writable: &'static [&'static str],
    /// Writable lookup fields: a plain string is sent as `{"name": …}`.
    pub(crate) lookups: &'static [&'static str],
    /// Writable user fields: a string is sent as `{"email_id": …}` or `{"name": …}`.
    pub(crate) users: &'static [&'static str],
    /// Writable date-time fields: a date string is sent as `{"value": epoch_ms}`.
    pub(crate) dates: &'static [&'static str],
    /// Writable rich-text groups: a string is sent as `{"description": …}`
    /// (a problem's `root_cause`, a change's `back_out_plan`).
    pub(crate) texts: &'static [&'static str],
    /// Friendly list filters.
    pub(crate) filters: &'static [Filter],
    /// An example create body (JSON text of `fields`).
    pub(crate) example: &'static str,
    /// Which of list/get/create/update/delete exist.
    pub(crate) ops: Ops,
    /// Also offer `search_<nouns>` with a mandatory query.
    pub(crate) search_tool: bool,
    /// Item actions (close, trash, restore).
    pub(crate) actions: &'static [ActionSpec],
    /// Sub-resources (notes, tasks, …).
    pub(crate) subs: &'static [SubSpec],
}

/// Which basic operations a module offers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ops {
    /// `list_<nouns>`.
    pub(crate) list: bool,
    /// `get_<noun>`.
    pub(crate) get: bool,
    /// `create_<noun>`.
    pub(crate) create: bool,
    /// `update_<noun>`.
    pub(crate) update: bool,
    /// `delete_<noun>`.
    pub(crate) delete: bool,
}

impl Ops {
    /// Every operation.
    pub(crate) const ALL: Ops = Ops {
        list: true,
        get: true,
        create: true,
        update: true,
        delete: true,
    };
    /// List and get only.
    pub(crate) const READ: Ops = Ops {
        list: true,
        get: true,
        create: false,
        update: false,
        delete: false,
    };
}

/// A friendly list filter: `{"status": "Open"}` becomes a search criterion.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filter {
    /// Argument name.
    pub(crate) arg: &'static str,
    /// SDP field the criterion tests (`status.name`).
    pub(crate) field: &'static str,
    /// How the value is matched.
    pub(crate) matching: Matching,
    /// What the argument means, with an example.
    pub(crate) description: &'static str,
}

/// How a [`Filter`] compares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Matching {
    /// Equal (case-insensitive in SDP).
    Is,
    /// Contains the text.
    Contains,
    /// A person field (`technician`): an email matches `.email_id`, else
    /// `.name` contains the text.
    Person,
    /// A date-time field on or after the date given.
    OnOrAfter,
    /// A date-time field on or before the date given.
    OnOrBefore,
}

/// Shorthand for an equality [`Filter`].
pub(crate) const fn is(
    arg: &'static str,
    field: &'static str,
    description: &'static str,
) -> Filter {
    Filter {
        arg,
        field,
        matching: Matching::Is,
        description,
    }
}

/// Shorthand for a "contains" [`Filter`].
pub(crate) const fn contains(
    arg: &'static str,
    field: &'static str,
    description: &'static str,
) -> Filter {
    Filter {
        arg,
        field,
        matching: Matching::Contains,
        description,
    }
}

/// Shorthand for a person [`Filter`] on user field `field`.
pub(crate) const fn person(
    arg: &'static str,
    field: &'static str,
    description: &'static str,
) -> Filter {
    Filter {
        arg,
        field,
        matching: Matching::Person,
        description,
    }
}

/// The `created_after` / `created_before` filters on `created_time`.
pub(crate) const CREATED_RANGE: [Filter; 2] = [
    Filter {
        arg: "created_after",
        field: "created_time",
        matching: Matching::OnOrAfter,
        description: "Created on or after this date: YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or \
                      epoch milliseconds, e.g. \"2026-01-01\".",
    },
    Filter {
        arg: "created_before",
        field: "created_time",
        matching: Matching::OnOrBefore,
        description: "Created on or before this date, same formats as created_after.",
    },
];

/// What an item action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ActionKind {
    /// Closes the item, with optional closure comments (destructive).
    Close,
    /// Moves the item to the trash (destructive).
    Trash,
    /// Restores the item from the trash.
    Restore,
}

/// An item action: `method /{module}/{id}/{segment}`.
#[derive(Debug)]
pub(crate) struct ActionSpec {
    /// Tool name verb (`close` → `close_problem`, `trash` → `trash_change`).
    pub(crate) verb: &'static str,
    /// Path segment of the action (`close`, `_close`, `move_to_trash`).
    pub(crate) segment: &'static str,
    /// Kind (decides the method, the arguments and the annotations).
    pub(crate) kind: ActionKind,
    /// Where a close puts its comments in the item (`["close_details",
    /// "comments"]`); empty: they are added as a note instead.
    pub(crate) comments_at: &'static [&'static str],
}

/// A sub-resource of an item, e.g. `/problems/{id}/notes`.
#[derive(Debug)]
pub(crate) struct SubSpec {
    /// Path segment (`notes`, `ci_relationships`).
    pub(crate) path: &'static str,
    /// JSON key of one item in writes and answers (`note`).
    pub(crate) singular: &'static str,
    /// JSON key of the list (`notes`).
    pub(crate) plural: &'static str,
    /// Noun in tool names (`note` → `add_problem_note`).
    pub(crate) noun: &'static str,
    /// Plural noun in tool names (`notes` → `list_problem_notes`).
    pub(crate) nouns: &'static str,
    /// Field naming one in summaries.
    pub(crate) label_field: &'static str,
    /// Fields an add must carry.
    pub(crate) mandatory: &'static [&'static str],
    /// Writable fields.
    pub(crate) writable: &'static [&'static str],
    /// Writable lookup fields.
    pub(crate) lookups: &'static [&'static str],
    /// Writable user fields.
    pub(crate) users: &'static [&'static str],
    /// Writable date-time fields.
    pub(crate) dates: &'static [&'static str],
    /// Example add body (JSON text of `fields`).
    pub(crate) example: &'static str,
    /// Which of list/add/update/delete exist (`get` is unused).
    pub(crate) ops: Ops,
}

/// Writable-field rules shared by modules and sub-resources.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FieldRules {
    /// Fields a create must carry.
    pub(crate) mandatory: &'static [&'static str],
    /// Writable fields.
    pub(crate) writable: &'static [&'static str],
    /// Lookup fields.
    pub(crate) lookups: &'static [&'static str],
    /// User fields.
    pub(crate) users: &'static [&'static str],
    /// Date-time fields.
    pub(crate) dates: &'static [&'static str],
    /// Rich-text groups (`{"description": …}`).
    pub(crate) texts: &'static [&'static str],
}

impl ModuleSpec {
    /// The module's field rules.
    pub(crate) fn rules(&self) -> FieldRules {
        FieldRules {
            mandatory: self.mandatory,
            writable: self.writable,
            lookups: self.lookups,
            users: self.users,
            dates: self.dates,
            texts: self.texts,
        }
    }
}

impl SubSpec {
    /// The sub-resource's field rules.
    pub(crate) fn rules(&self) -> FieldRules {
        FieldRules {
            mandatory: self.mandatory,
            writable: self.writable,
            lookups: self.lookups,
            users: self.users,
            dates: self.dates,
            texts: &[],
        }
    }
}
