//! `completion/complete` for lookup-valued arguments (priority, status,
//! category, subcategory, group, template, technician, …): the portal's own
//! values that start with (then contain) what was typed so far. Arguments
//! are recognised by name, whatever prompt or resource template refers to
//! them.

use rmcp::model::CompletionInfo;
use sdp_client::Lookup;

use super::validation::lookup_for;
use crate::context::UserContext;
use crate::lookups::{People, search_people};

/// Values of argument `name` matching `typed`, best first (at most 100).
/// `category` is the already chosen category, for `subcategory`.
/// Unknown arguments and failures give no values.
pub(crate) async fn complete_argument(
    user: &UserContext,
    name: &str,
    typed: &str,
    category: Option<&str>,
) -> CompletionInfo {
    let client = user.upstream().client();
    let typed = typed.trim();
    let candidates: Vec<String> = match name {
        "technician" | "owner" | "approver" => {
            if typed.is_empty() {
                Vec::new()
            } else {
                search_people(client, People::Technicians, typed)
                    .await
                    .map(|people| people.into_iter().map(|(_, name, _)| name).collect())
                    .unwrap_or_default()
            }
        }
        "subcategory" => match category {
            Some(category) => {
                match user
                    .lookups()
                    .resolve(client, "category", Lookup::Categories, category)
                    .await
                {
                    Ok(found) => {
                        let lookup = Lookup::Subcategories {
                            category_id: found.id,
                        };
                        item_names(user, lookup).await
                    }
                    Err(_) => Vec::new(),
                }
            }
            None => Vec::new(),
        },
        other => match lookup_for(other) {
            Some(lookup) => item_names(user, lookup).await,
            None => Vec::new(),
        },
    };
    rank(candidates, typed)
}

async fn item_names(user: &UserContext, lookup: Lookup) -> Vec<String> {
    user.lookups()
        .items(user.upstream().client(), lookup)
        .await
        .map(|items| items.iter().filter_map(|i| i.name.clone()).collect())
        .unwrap_or_default()
}

/// Names starting with `typed` first, then names containing it.
fn rank(candidates: Vec<String>, typed: &str) -> CompletionInfo {
    let wanted = typed.to_lowercase();
    let (mut prefix, mut inner): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let stripped = lower.split_once(" - ").map_or(lower.as_str(), |(_, r)| r);
        if lower.starts_with(&wanted) || stripped.starts_with(&wanted) {
            prefix.push(candidate);
        } else if lower.contains(&wanted) {
            inner.push(candidate);
        }
    }
    prefix.append(&mut inner);
    let total = prefix.len();
    prefix.truncate(CompletionInfo::MAX_VALUES);
    let has_more = total > prefix.len();
    CompletionInfo::with_pagination(prefix, u32::try_from(total).ok(), has_more).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::rank;

    #[test]
    fn prefixes_come_first() {
        let names = ["Low", "Medium", "High", "3 - Highest", "Urgent"]
            .map(str::to_owned)
            .to_vec();
        let info = rank(names, "h");
        assert_eq!(info.values, vec!["High", "3 - Highest"]);
        let info = rank(vec!["On Hold".into(), "Open".into()], "");
        assert_eq!(info.values.len(), 2);
    }
}
