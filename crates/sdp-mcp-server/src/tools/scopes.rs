//! Zoho scope filtering: a user whose Zoho grant lacks a module's scope does
//! not see that module's tools, and calling one is refused before any SDP
//! call.
//!
//! A tool's scope comes from its `_meta["sdp/scope"]` (module tables and the
//! tools that declare one); the hand-written request tools (toolsets
//! `requests` and `request_work`) need `SDPOnDemand.requests.*`: READ for
//! read-only tools, any write operation (CREATE, UPDATE, DELETE or ALL) for
//! the others. Tools with no known scope (whoami, lookups, dynamic toolsets)
//! are always shown: SDP still enforces its scopes on the call.
//!
//! When the user's scopes are unknown (on-premises key, header credentials,
//! or credentials stored without scopes) nothing is hidden.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;
use rmcp::model::{CallToolResult, ContentBlock, Tool};

use super::toolsets;

/// Toolsets whose tools without `_meta["sdp/scope"]` work on requests.
const REQUEST_TOOLSETS: &[&str] = &["requests", "request_work"];

/// How many distinct scope sets the decision cache keeps.
const CACHE_LIMIT: usize = 256;

/// The Zoho scope a tool needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requirement {
    /// Scope module, lower case (`requests`, `problems`).
    module: String,
    /// `READ`, `CREATE`, `UPDATE`, `DELETE`; `None`: any write operation.
    operation: Option<String>,
}

impl Requirement {
    /// The scope to grant, as a sentence fragment.
    fn describe(&self) -> String {
        match &self.operation {
            Some(operation) => format!(
                "the Zoho scope SDPOnDemand.{module}.{operation} (or SDPOnDemand.{module}.ALL)",
                module = self.module
            ),
            None => format!(
                "a Zoho write scope of {module}: SDPOnDemand.{module}.CREATE, .UPDATE, .DELETE \
                 or .ALL",
                module = self.module
            ),
        }
    }

    /// Whether `granted` (parsed scopes) satisfies this requirement.
    fn met_by(&self, granted: &[(String, String)]) -> bool {
        granted.iter().any(|(module, operation)| {
            *module == self.module
                && (operation == "ALL"
                    || match &self.operation {
                        Some(needed) => operation == needed,
                        None => operation != "READ",
                    })
        })
    }
}

/// Parses `SDPOnDemand.<module>.<OPERATION>` scopes; others are ignored.
fn parse_granted(scopes: &[String]) -> Vec<(String, String)> {
    scopes
        .iter()
        .filter_map(|scope| {
            let mut parts = scope.trim().split('.');
            match (parts.next(), parts.next(), parts.next(), parts.next()) {
                (Some(product), Some(module), Some(operation), None)
                    if product.eq_ignore_ascii_case("SDPOnDemand") =>
                {
                    Some((module.to_ascii_lowercase(), operation.to_ascii_uppercase()))
                }
                _ => None,
            }
        })
        .collect()
}

/// The scope `tool` of toolset `toolset` needs, when known.
fn requirement(tool: &Tool, toolset: &str) -> Option<Requirement> {
    let declared = tool
        .meta
        .as_ref()
        .and_then(|meta| meta.0.get("sdp/scope"))
        .and_then(serde_json::Value::as_str);
    if let Some(declared) = declared {
        let parsed = parse_granted(&[declared.to_owned()]);
        return parsed
            .into_iter()
            .next()
            .map(|(module, operation)| Requirement {
                module,
                operation: Some(operation),
            });
    }
    if !REQUEST_TOOLSETS.contains(&toolset) {
        return None;
    }
    let read_only = tool
        .annotations
        .as_ref()
        .and_then(|a| a.read_only_hint)
        .unwrap_or(false);
    Some(Requirement {
        module: "requests".to_owned(),
        operation: read_only.then(|| "READ".to_owned()),
    })
}

/// Tool name → the scope it needs, for every tool of every toolset.
fn requirements() -> &'static HashMap<String, Requirement> {
    static REQUIREMENTS: OnceLock<HashMap<String, Requirement>> = OnceLock::new();
    REQUIREMENTS.get_or_init(|| {
        let mut map = HashMap::new();
        for toolset in toolsets() {
            for tool in (toolset.router)().list_all() {
                if let Some(needed) = requirement(&tool, toolset.name) {
                    map.insert(tool.name.into_owned(), needed);
                }
            }
        }
        map
    })
}

/// Whether `granted` allows reading module `module`; unknown (empty)
/// scopes allow everything.
pub(crate) fn scope_allows_read(granted: &[String], module: &str) -> bool {
    granted.is_empty()
        || Requirement {
            module: module.to_owned(),
            operation: Some("READ".to_owned()),
        }
        .met_by(&parse_granted(granted))
}

/// The tools a set of granted scopes does not allow, by name.
#[derive(Debug, Default)]
pub(crate) struct ScopeFilter {
    denied: HashSet<String>,
}

impl ScopeFilter {
    /// The filter for `scopes` (empty: unknown, nothing denied). Cached per
    /// distinct scope set, so each user context pays for it once.
    pub(crate) fn for_scopes(scopes: &[String]) -> Arc<Self> {
        static CACHE: OnceLock<Mutex<HashMap<Vec<String>, Arc<ScopeFilter>>>> = OnceLock::new();
        let mut key: Vec<String> = scopes.iter().map(|s| s.trim().to_owned()).collect();
        key.sort();
        key.dedup();
        let cache = CACHE.get_or_init(Mutex::default);
        if let Some(filter) = cache.lock().get(&key) {
            return filter.clone();
        }
        let filter = Arc::new(Self::compute(&key));
        let mut cache = cache.lock();
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(key, filter.clone());
        filter
    }

    fn compute(scopes: &[String]) -> Self {
        if scopes.is_empty() {
            return Self::default();
        }
        let granted = parse_granted(scopes);
        let denied = requirements()
            .iter()
            .filter(|(_, needed)| !needed.met_by(&granted))
            .map(|(name, _)| name.clone())
            .collect();
        Self { denied }
    }

    /// `true` when the scopes allow `name`.
    pub(crate) fn allows(&self, name: &str) -> bool {
        !self.denied.contains(name)
    }

    /// The error result for calling `name`, which these scopes do not allow.
    pub(crate) fn refusal(&self, name: &str, granted: &[String]) -> Option<CallToolResult> {
        if self.allows(name) {
            return None;
        }
        let needed = requirements()
            .get(name)
            .map_or_else(|| "a Zoho scope".to_owned(), Requirement::describe);
        Some(CallToolResult::error(vec![ContentBlock::text(format!(
            "`{name}` needs {needed}, which your ServiceDesk Plus authorisation \
             does not include (granted: {}). Nothing was sent to ServiceDesk Plus. To use this \
             tool, authorise again granting that scope: sign in to this server again (multi-user \
             OAuth), or mint a new refresh token with it and update SDP_REFRESH_TOKEN and \
             SDP_SCOPES.",
            granted.join(", ")
        ))]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scopes(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn read_scope_hides_writes_of_its_module_only() {
        let filter = ScopeFilter::for_scopes(&scopes(&["SDPOnDemand.requests.READ"]));
        assert!(filter.allows("list_requests"));
        assert!(filter.allows("get_request"));
        assert!(!filter.allows("create_request"));
        assert!(!filter.allows("delete_request"));
        assert!(!filter.allows("list_problems"));
        // No known scope: shown.
        assert!(filter.allows("whoami"));
        let refusal = filter.refusal("create_request", &scopes(&["x"])).unwrap();
        assert_eq!(refusal.is_error, Some(true));
    }

    #[test]
    fn all_and_unknown_scopes_allow_everything_they_cover() {
        let all = ScopeFilter::for_scopes(&scopes(&["sdpondemand.requests.all"]));
        assert!(all.allows("delete_request"));
        let unknown = ScopeFilter::for_scopes(&[]);
        assert!(unknown.allows("delete_problem"));
        let problems = ScopeFilter::for_scopes(&scopes(&["SDPOnDemand.problems.DELETE"]));
        assert!(problems.allows("delete_problem"));
        assert!(!problems.allows("list_problems"));
    }
}
