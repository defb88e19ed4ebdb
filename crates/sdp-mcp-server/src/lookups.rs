//! Resolution of the names people and models use ("High", "Open",
//! "Hardware") to the portal's lookup items, and of users given by email or
//! name. Names vary per portal (`High` vs `3 - High`), so they are matched
//! against the portal's own lists, case-insensitively, with an error that
//! lists the valid values when nothing matches.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sdp_client::{
    ApiCall, Criterion, ListInfo, Lookup, LookupItem, LookupRef, SdpClient, SearchCriteria, UserRef,
};
use serde_json::Value;

use crate::tools::ToolError;

/// How long a fetched lookup list is reused.
const TTL: Duration = Duration::from_secs(300);
/// How many valid values an error message lists.
const LISTED_VALUES: usize = 40;

/// A fetched list and when it was fetched.
type CachedList = (Instant, Arc<Vec<LookupItem>>);

/// Per-user (one portal per user) cache of lookup lists and request
/// template definitions, each entry fresh for [`TTL`].
#[derive(Debug, Default)]
pub(crate) struct LookupCache {
    lists: Mutex<HashMap<Vec<String>, CachedList>>,
    templates: Mutex<HashMap<String, (Instant, Arc<Value>)>>,
}

impl LookupCache {
    /// The definition of request template `id` (`GET /request_templates/{id}`:
    /// `mandatory_fields`, `fields_not_allowed`, layouts), from the cache when fresh.
    pub(crate) async fn template(
        &self,
        client: &SdpClient,
        id: &str,
    ) -> Result<Arc<Value>, ToolError> {
        if let Some((fetched, body)) = self.templates.lock().get(id)
            && fetched.elapsed() < TTL
        {
            return Ok(body.clone());
        }
        let response = client
            .execute(&ApiCall::get(["request_templates", id]))
            .await?;
        let body = Arc::new(
            response
                .entity_value(&["request_template"])
                .cloned()
                .unwrap_or(Value::Null),
        );
        self.templates
            .lock()
            .insert(id.to_owned(), (Instant::now(), body.clone()));
        Ok(body)
    }

    /// The items of `lookup`, from the cache when fresh.
    pub(crate) async fn items(
        &self,
        client: &SdpClient,
        lookup: Lookup,
    ) -> Result<Arc<Vec<LookupItem>>, ToolError> {
        let key = lookup.segments();
        if let Some((fetched, items)) = self.lists.lock().get(&key)
            && fetched.elapsed() < TTL
        {
            return Ok(items.clone());
        }
        let items: Vec<LookupItem> = client
            .lookups()
            .list(lookup)
            .await?
            .into_iter()
            .filter(|item| item.deleted != Some(true) && item.inactive != Some(true))
            .collect();
        let items = Arc::new(items);
        self.lists
            .lock()
            .insert(key, (Instant::now(), items.clone()));
        Ok(items)
    }

    /// Resolves `given` (a name or an id) in `lookup` to a reference by id.
    /// `field` names the argument in errors (`priority`).
    pub(crate) async fn resolve(
        &self,
        client: &SdpClient,
        field: &str,
        lookup: Lookup,
        given: &str,
    ) -> Result<Resolved, ToolError> {
        let items = self.items(client, lookup).await?;
        let item = match_item(field, given, &items)?;
        Ok(Resolved {
            id: item.id.clone().unwrap_or_default(),
            name: item.name.clone().unwrap_or_default(),
        })
    }
}

/// A lookup value found in the portal's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// Its id.
    pub(crate) id: String,
    /// Its name as the portal spells it.
    pub(crate) name: String,
}

impl Resolved {
    /// The write reference (`{"id": …}`).
    pub(crate) fn to_ref(&self) -> LookupRef {
        LookupRef::id(self.id.clone())
    }
}

/// Finds `given` among `items`: exact name (case-insensitive), then id, then
/// the name without a numeric prefix (`3 - High` for `high`), then a unique
/// name containing it.
pub(crate) fn match_item<'a>(
    field: &str,
    given: &str,
    items: &'a [LookupItem],
) -> Result<&'a LookupItem, ToolError> {
    let wanted = normalize(given);
    let name_of = |item: &LookupItem| item.name.as_deref().map(normalize).unwrap_or_default();
    if let Some(item) = items.iter().find(|item| name_of(item) == wanted) {
        return Ok(item);
    }
    if let Some(item) = items
        .iter()
        .find(|item| item.id.as_deref() == Some(given.trim()))
    {
        return Ok(item);
    }
    let stripped: Vec<&LookupItem> = items
        .iter()
        .filter(|item| strip_rank(&name_of(item)) == wanted)
        .collect();
    if let [item] = stripped.as_slice() {
        return Ok(item);
    }
    let partial: Vec<&LookupItem> = items
        .iter()
        .filter(|item| !wanted.is_empty() && name_of(item).contains(&wanted))
        .collect();
    if let [item] = partial.as_slice() {
        return Ok(item);
    }
    Err(no_match(field, given, items))
}

fn no_match(field: &str, given: &str, items: &[LookupItem]) -> ToolError {
    if items.is_empty() {
        return ToolError::message(format!(
            "`{field}`: this portal has no values for {field}, so `{given}` cannot be used; leave \
             {field} out"
        ));
    }
    let mut names: Vec<&str> = items.iter().filter_map(|i| i.name.as_deref()).collect();
    let more = names.len().saturating_sub(LISTED_VALUES);
    names.truncate(LISTED_VALUES);
    let listed = names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if more > 0 {
        format!(" (and {more} more; see get_metadata)")
    } else {
        String::new()
    };
    let hint = suggestion(given, items)
        .map(|name| format!(" Did you mean \"{name}\"?"))
        .unwrap_or_default();
    ToolError::message(format!(
        "`{field}` \"{given}\" does not match any value of this portal.{hint} Valid values: \
         {listed}{more}. Use one of these names exactly and retry."
    ))
}

/// The closest name to `given` among `items` (edit distance on the
/// normalised name and on the name without its rank prefix), when it is
/// close enough to be a misspelling.
pub(crate) fn suggestion<'a>(given: &str, items: &'a [LookupItem]) -> Option<&'a str> {
    let wanted = normalize(given);
    if wanted.is_empty() {
        return None;
    }
    let limit = wanted.chars().count().div_ceil(3).clamp(1, 3);
    items
        .iter()
        .filter_map(|item| {
            let name = item.name.as_deref()?;
            let normal = normalize(name);
            let distance =
                edit_distance(&wanted, &normal).min(edit_distance(&wanted, strip_rank(&normal)));
            Some((distance, name))
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous.last().copied().unwrap_or(0)
}

fn normalize(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// `3 - high` → `high`.
fn strip_rank(name: &str) -> &str {
    match name.split_once(" - ") {
        Some((rank, rest)) if rank.chars().all(|c| c.is_ascii_alphanumeric()) => rest,
        _ => name,
    }
}

/// Which user list a person is looked up in.
#[derive(Debug, Clone, Copy)]
pub(crate) enum People {
    /// `/technicians`.
    Technicians,
    /// `/requesters`.
    Requesters,
}

/// A user given by email, id or name, as a write reference. Emails and ids
/// go to SDP as they are (SDP validates them); names are looked up so an
/// ambiguous or unknown name gets a helpful error instead of a bare 4001.
pub(crate) async fn resolve_user(
    client: &SdpClient,
    field: &str,
    people: People,
    given: &str,
) -> Result<UserRef, ToolError> {
    let given = given.trim();
    let guess = UserRef::guess(given);
    let UserRef::Name { name } = &guess else {
        return Ok(guess);
    };
    let candidates = search_people(client, people, name).await?;
    let wanted = normalize(name);
    let exact: Vec<&(String, String, Option<String>)> = candidates
        .iter()
        .filter(|(_, candidate, _)| normalize(candidate) == wanted)
        .collect();
    let chosen: &(String, String, Option<String>) = match (exact.as_slice(), candidates.as_slice())
    {
        ([one], _) => one,
        ([], [one]) => one,
        _ => {
            let listed: Vec<String> = candidates
                .iter()
                .take(10)
                .map(|(_, name, email)| match email {
                    Some(email) => format!("{name} <{email}>"),
                    None => name.clone(),
                })
                .collect();
            let kind = match people {
                People::Technicians => "technician",
                People::Requesters => "requester",
            };
            return Err(ToolError::message(if listed.is_empty() {
                format!(
                    "`{field}`: no {kind} is named \"{name}\". Give the email address instead, \
                     or find the person with find_technician / list_technicians."
                )
            } else {
                format!(
                    "`{field}`: \"{name}\" matches several {kind}s: {}. Give the email address \
                     of the one you mean.",
                    listed.join("; ")
                )
            }));
        }
    };
    Ok(UserRef::id(chosen.0.clone()))
}

/// `(id, name, email)` of the people whose name contains `name`.
pub(crate) async fn search_people(
    client: &SdpClient,
    people: People,
    name: &str,
) -> Result<Vec<(String, String, Option<String>)>, ToolError> {
    let list_info = ListInfo::new()
        .row_count(25)
        .search_criteria(SearchCriteria::new(Criterion::contains("name", name)));
    let users: Vec<sdp_client::User> = match people {
        People::Technicians => client
            .technicians()
            .list(&list_info)
            .await?
            .items
            .into_iter()
            .map(|t| t.0)
            .collect(),
        People::Requesters => client
            .requesters()
            .list(&list_info)
            .await?
            .items
            .into_iter()
            .map(|r| r.0)
            .collect(),
    };
    Ok(users
        .into_iter()
        .filter_map(|user| Some((user.id?, user.name?, user.email_id)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(names: &[&str]) -> Vec<LookupItem> {
        names
            .iter()
            .enumerate()
            .map(|(i, name)| LookupItem {
                id: Some(format!("{}", 100 + i)),
                name: Some((*name).to_owned()),
                ..LookupItem::default()
            })
            .collect()
    }

    fn check(names: &[&str], given: &str, expect: Option<&str>) {
        let items = items(names);
        let found = match_item("priority", given, &items)
            .ok()
            .and_then(|i| i.name.clone());
        assert_eq!(found.as_deref(), expect, "given {given:?}");
    }

    #[test]
    fn names_match_case_insensitively_with_rank_prefixes_and_ids() {
        let plain = ["Low", "Medium", "High", "Urgent"];
        check(&plain, "high", Some("High"));
        check(&plain, "  URGENT ", Some("Urgent"));
        check(&plain, "101", Some("Medium"));
        let ranked = ["1 - Low", "2 - Medium", "3 - High", "4 - Urgent"];
        check(&ranked, "High", Some("3 - High"));
        check(&ranked, "3 - high", Some("3 - High"));
        check(&["On Hold", "Open"], "hold", Some("On Hold"));
        check(&["On Hold", "Open"], "o", None);
        check(&plain, "Critical", None);
    }

    #[test]
    fn misspellings_get_a_suggestion() {
        let items = items(&["1 - Low", "2 - Medium", "3 - High", "4 - Urgent"]);
        assert_eq!(suggestion("hgih", &items), Some("3 - High"));
        assert_eq!(suggestion("Urgnet", &items), Some("4 - Urgent"));
        assert_eq!(suggestion("Apocalyptic", &items), None);
        let error = match_item("priority", "Hihg", &items)
            .unwrap_err()
            .to_string();
        assert!(error.contains("Did you mean \"3 - High\"?"), "{error}");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn no_match_lists_the_valid_values() {
        let items = items(&["Open", "Closed"]);
        let error = match_item("status", "Done", &items)
            .unwrap_err()
            .to_string();
        assert!(error.contains("`status` \"Done\""), "{error}");
        assert!(error.contains("\"Open\", \"Closed\""), "{error}");
    }
}
