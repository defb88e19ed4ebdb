//! The request fields shared by `create_request` and `update_request`, and
//! the list filters shared by `list_requests` and `search_requests`: resolved
//! against the portal once, here.

use schemars::JsonSchema;
use sdp_client::{
    Condition, Criterion, Lookup, LookupRef, NewRequest, RequestUpdate, SdpClient, SearchCriteria,
    UserRef,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::ToolError;
use super::args::epoch_ms;
use crate::context::UserContext;
use crate::lookups::{People, resolve_user};

/// Request fields that take names (lookups) or people. Every field is optional.
#[derive(Debug, Default, Deserialize, JsonSchema)]
pub(crate) struct RequestFields {
    /// Description, plain text or HTML.
    pub(crate) description: Option<String>,
    /// Requester: email address (preferred) or full name, e.g. "jane.doe@example.com".
    pub(crate) requester: Option<String>,
    /// Technician to assign: email address or full name, e.g. "avery.hall@example.com".
    pub(crate) technician: Option<String>,
    /// Status name, e.g. "Open", "In Progress", "On Hold", "Resolved".
    pub(crate) status: Option<String>,
    /// Priority name as this portal spells it, e.g. "High" (also matches "3 - High").
    pub(crate) priority: Option<String>,
    /// Urgency name, e.g. "High" or "2 - General Concern".
    pub(crate) urgency: Option<String>,
    /// Impact name, e.g. "Affects Group".
    pub(crate) impact: Option<String>,
    /// Level name, e.g. "Tier 1".
    pub(crate) level: Option<String>,
    /// Mode (how it was reported), e.g. "Web Form", "E-Mail", "Phone Call".
    pub(crate) mode: Option<String>,
    /// Request type, e.g. "Incident" or "Service Request".
    pub(crate) request_type: Option<String>,
    /// Category name, e.g. "Hardware".
    pub(crate) category: Option<String>,
    /// Subcategory name; must belong to the category, e.g. "Laptop".
    pub(crate) subcategory: Option<String>,
    /// Item name; must belong to the subcategory.
    pub(crate) item: Option<String>,
    /// Support group name, e.g. "Service Desk".
    pub(crate) group: Option<String>,
    /// Site name, e.g. "Head Office".
    pub(crate) site: Option<String>,
    /// User-defined fields by API name, e.g. {"udf_sline_302": "TAG-1234"} (see get_request_fields).
    pub(crate) udf_fields: Option<Map<String, Value>>,
}

impl RequestFields {
    /// `true` when no field is set.
    pub(crate) fn is_empty(&self) -> bool {
        let Self {
            description,
            requester,
            technician,
            status,
            priority,
            urgency,
            impact,
            level,
            mode,
            request_type,
            category,
            subcategory,
            item,
            group,
            site,
            udf_fields,
        } = self;
        [
            description,
            requester,
            technician,
            status,
            priority,
            urgency,
            impact,
            level,
            mode,
            request_type,
            category,
            subcategory,
            item,
            group,
            site,
        ]
        .iter()
        .all(|f| f.is_none())
            && udf_fields.as_ref().is_none_or(Map::is_empty)
    }
}

/// The fields with every name resolved to a reference.
#[derive(Debug, Default)]
pub(crate) struct ResolvedFields {
    description: Option<String>,
    requester: Option<UserRef>,
    technician: Option<UserRef>,
    status: Option<LookupRef>,
    priority: Option<LookupRef>,
    urgency: Option<LookupRef>,
    impact: Option<LookupRef>,
    level: Option<LookupRef>,
    mode: Option<LookupRef>,
    request_type: Option<LookupRef>,
    category: Option<LookupRef>,
    subcategory: Option<LookupRef>,
    item: Option<LookupRef>,
    group: Option<LookupRef>,
    site: Option<LookupRef>,
    udf_fields: Option<Map<String, Value>>,
}

/// The request's current category and subcategory ids, needed to resolve a
/// subcategory or item given without its parent (updates).
#[derive(Debug, Default, Clone)]
pub(crate) struct Parents {
    pub(crate) category_id: Option<String>,
    pub(crate) subcategory_id: Option<String>,
}

impl RequestFields {
    /// Resolves every name against the portal's lists.
    pub(crate) async fn resolve(
        self,
        user: &UserContext,
        parents: Parents,
    ) -> Result<ResolvedFields, ToolError> {
        let client = user.upstream().client();
        let cache = user.lookups();
        let simple = async |field: &str, value: Option<String>, lookup: Lookup| match value {
            None => Ok::<_, ToolError>(None),
            Some(value) => Ok(Some(
                cache.resolve(client, field, lookup, &value).await?.to_ref(),
            )),
        };
        let mut resolved = ResolvedFields {
            description: self.description,
            status: simple("status", self.status, Lookup::Statuses).await?,
            priority: simple("priority", self.priority, Lookup::Priorities).await?,
            urgency: simple("urgency", self.urgency, Lookup::Urgencies).await?,
            impact: simple("impact", self.impact, Lookup::Impacts).await?,
            level: simple("level", self.level, Lookup::Levels).await?,
            mode: simple("mode", self.mode, Lookup::Modes).await?,
            request_type: simple("request_type", self.request_type, Lookup::RequestTypes).await?,
            group: simple("group", self.group, Lookup::Groups).await?,
            site: simple("site", self.site, Lookup::Sites).await?,
            udf_fields: self.udf_fields,
            ..ResolvedFields::default()
        };
        resolved.requester =
            person(client, "requester", People::Requesters, self.requester).await?;
        resolved.technician =
            person(client, "technician", People::Technicians, self.technician).await?;

        let mut category_id = parents.category_id;
        if let Some(category) = self.category {
            let found = cache
                .resolve(client, "category", Lookup::Categories, &category)
                .await?;
            category_id = Some(found.id.clone());
            resolved.category = Some(found.to_ref());
        }
        let mut subcategory_id = parents.subcategory_id;
        if let Some(subcategory) = self.subcategory {
            let Some(category_id) = category_id else {
                return Err(ToolError::message(
                    "`subcategory` needs its `category`: give the category as well",
                ));
            };
            let found = cache
                .resolve(
                    client,
                    "subcategory",
                    Lookup::Subcategories { category_id },
                    &subcategory,
                )
                .await?;
            subcategory_id = Some(found.id.clone());
            resolved.subcategory = Some(found.to_ref());
        }
        if let Some(item) = self.item {
            let Some(subcategory_id) = subcategory_id else {
                return Err(ToolError::message(
                    "`item` needs its `subcategory` (and `category`): give them as well",
                ));
            };
            let found = cache
                .resolve(client, "item", Lookup::Items { subcategory_id }, &item)
                .await?;
            resolved.item = Some(found.to_ref());
        }
        Ok(resolved)
    }
}

async fn person(
    client: &SdpClient,
    field: &str,
    people: People,
    given: Option<String>,
) -> Result<Option<UserRef>, ToolError> {
    match given {
        None => Ok(None),
        Some(given) => Ok(Some(resolve_user(client, field, people, &given).await?)),
    }
}

/// Moves every resolved field into a create or update body; one list, so the
/// two bodies cannot drift apart.
macro_rules! move_request_fields {
    ($from:ident => $to:ident) => {
        move_request_fields!(@each $from => $to; description, requester, technician, status, priority, urgency, impact, level, mode, request_type, category, subcategory, item, group, site, udf_fields)
    };
    (@each $from:ident => $to:ident; $($field:ident),+) => {
        $( $to.$field = $from.$field; )+
    };
}

impl ResolvedFields {
    /// Puts the fields into a create body.
    pub(crate) fn apply_to_new(self, body: &mut NewRequest) {
        move_request_fields!(self => body);
    }

    /// Puts the fields into an update body (unset fields are not sent).
    pub(crate) fn apply_to_update(self, body: &mut RequestUpdate) {
        move_request_fields!(self => body);
    }
}

/// Filters of `list_requests` / `search_requests`.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    pub(crate) query: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) technician: Option<String>,
    pub(crate) requester: Option<String>,
    pub(crate) created_after: Option<String>,
    pub(crate) created_before: Option<String>,
    pub(crate) overdue_only: bool,
}

impl Filters {
    /// `search_criteria` for the filters, `None` when there are none. Lookup
    /// names are checked against the portal first, so a typo gets the list
    /// of valid values instead of an empty result.
    pub(crate) async fn criteria(
        self,
        user: &UserContext,
    ) -> Result<Option<SearchCriteria>, ToolError> {
        let client = user.upstream().client();
        let cache = user.lookups();
        let mut criteria: Vec<Criterion> = Vec::new();
        let mut text_search: Option<(Criterion, Criterion)> = None;
        if let Some(query) = self.query.filter(|q| !q.trim().is_empty()) {
            text_search = Some((
                Criterion::contains("subject", query.trim()),
                Criterion::contains("description", query.trim()),
            ));
        }
        for (field, value, lookup) in [
            ("status", self.status, Lookup::Statuses),
            ("priority", self.priority, Lookup::Priorities),
            ("category", self.category, Lookup::Categories),
            ("group", self.group, Lookup::Groups),
        ] {
            if let Some(value) = value {
                let found = cache.resolve(client, field, lookup, &value).await?;
                criteria.push(Criterion::is(format!("{field}.name"), found.name));
            }
        }
        for (field, value) in [
            ("technician", self.technician),
            ("requester", self.requester),
        ] {
            if let Some(value) = value {
                criteria.push(person_criterion(field, &value));
            }
        }
        if let Some(after) = self.created_after {
            let ms = epoch_ms("created_after", &after)?;
            criteria.push(Criterion::new(
                "created_time",
                Condition::GreaterOrEqual,
                ms.to_string(),
            ));
        }
        if let Some(before) = self.created_before {
            let ms = epoch_ms("created_before", &before)?;
            criteria.push(Criterion::new(
                "created_time",
                Condition::LesserOrEqual,
                ms.to_string(),
            ));
        }
        if self.overdue_only {
            criteria.push(Criterion::is("is_overdue", true));
        }
        // Entries combine left to right, so the OR of the text search comes
        // first and the ANDs apply to its result.
        let mut search = if let Some((subject, description)) = text_search {
            SearchCriteria::new(subject).or(description)
        } else {
            if criteria.is_empty() {
                return Ok(None);
            }
            SearchCriteria::new(criteria.remove(0))
        };
        for criterion in criteria {
            search = search.and(criterion);
        }
        Ok(Some(search))
    }
}

/// `technician` / `requester` filter: email, id, "unassigned", or name.
fn person_criterion(field: &str, given: &str) -> Criterion {
    let given = given.trim();
    if ["unassigned", "none", "nobody"]
        .iter()
        .any(|word| given.eq_ignore_ascii_case(word))
    {
        return Criterion::is_empty(field);
    }
    match UserRef::guess(given) {
        UserRef::Email { email_id } => Criterion::is(format!("{field}.email_id"), email_id),
        UserRef::Id { id } => Criterion::is(format!("{field}.id"), id),
        UserRef::Name { name } => Criterion::is(format!("{field}.name"), name),
    }
}
