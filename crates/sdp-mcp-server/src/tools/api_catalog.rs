//! The allow-list of `sdp_api_call`: every SDP v3 path pattern of the
//! endpoint catalogue (shared/reference/sdp-api.md §5) with its methods, and
//! the validation that turns a caller's path into safe segments.
//!
//! A path passes only if every segment is plain (`[A-Za-z0-9_]`), ids are
//! numeric, and the whole matches a pattern here: `..`, percent-encoding,
//! absolute URLs, query strings, fragments and `//` never reach SDP.

use reqwest::Method;

/// Methods as letters: G(ET), P(OST), U (PUT), D(ELETE).
struct Route(&'static str, &'static str);

/// `{id}` is a numeric SDP id; `{m}` is one of [`ITSM`].
const ROUTES: &[Route] = &[
    // Requests (§5.1).
    Route("requests", "GP"),
    Route("requests/_metainfo", "G"),
    Route("requests/{id}", "GUD"),
    Route("requests/{id}/move_to_trash", "D"),
    Route("requests/{id}/restore_from_trash", "U"),
    Route("requests/{id}/_close", "U"),
    Route("requests/{id}/close", "U"),
    Route("requests/{id}/pickup", "U"),
    Route("requests/{id}/_assign", "U"),
    Route("requests/{id}/resolutions", "GPU"),
    Route("requests/{id}/link_requests", "GPD"),
    Route("requests/{id}/merge_requests", "U"),
    Route("requests/{id}/summary", "G"),
    Route("requests/{id}/conversations", "G"),
    Route("requests/{id}/drafts", "GP"),
    Route("requests/{id}/drafts/{id}", "GD"),
    Route("requests/{id}/problem", "GPD"),
    Route("requests/{id}/request_initiated_change", "GPD"),
    Route("requests/{id}/request_caused_by_change", "GPD"),
    Route("requests/{id}/project", "PD"),
    Route("requests/{id}/checklists", "G"),
    Route("requests/{id}/tasks/{id}/worklogs", "GP"),
    Route("requests/{id}/tasks/{id}/worklogs/{id}", "GUD"),
    Route("requests/{id}/approval_levels", "GP"),
    Route("requests/{id}/approval_levels/{id}", "GD"),
    Route("requests/{id}/approval_levels/{id}/approvals", "GP"),
    Route(
        "requests/{id}/approval_levels/{id}/approvals/get_notification_content",
        "G",
    ),
    Route(
        "requests/{id}/approval_levels/{id}/approvals/send_notification",
        "U",
    ),
    Route("requests/{id}/approval_levels/{id}/approvals/{id}", "D"),
    Route(
        "requests/{id}/approval_levels/{id}/approvals/{id}/_approve",
        "U",
    ),
    Route(
        "requests/{id}/approval_levels/{id}/approvals/{id}/_reject",
        "U",
    ),
    // Requests, problems, changes, releases, projects (§5.1-§5.3).
    Route("{m}", "GP"),
    Route("{m}/_metainfo", "G"),
    Route("{m}/{id}", "GUD"),
    Route("{m}/{id}/close", "U"),
    Route("{m}/{id}/_close", "U"),
    Route("{m}/{id}/notes", "GP"),
    Route("{m}/{id}/notes/{id}", "GUD"),
    Route("{m}/{id}/tasks", "GP"),
    Route("{m}/{id}/tasks/{id}", "GUD"),
    Route("{m}/{id}/worklogs", "GP"),
    Route("{m}/{id}/worklogs/{id}", "GUD"),
    Route("{m}/{id}/attachments", "G"),
    Route("{m}/{id}/attachments/{id}", "D"),
    Route("{m}/{id}/attachments/{id}/download", "G"),
    Route("{m}/{id}/attachments/{id}/_download", "G"),
    Route("problems/{id}/link_requests", "G"),
    Route("changes/{id}/link_requests", "G"),
    Route("changes/{id}/move_to_trash", "D"),
    Route("changes/{id}/restore_from_trash", "U"),
    Route("changes/{id}/copy", "U"),
    Route("changes/{id}/approval_levels", "GP"),
    Route("changes/{id}/approval_levels/{id}", "GD"),
    Route("changes/{id}/approval_levels/{id}/approvals", "GP"),
    Route(
        "changes/{id}/approval_levels/{id}/approvals/{id}/_approve",
        "U",
    ),
    Route(
        "changes/{id}/approval_levels/{id}/approvals/{id}/_reject",
        "U",
    ),
    Route("projects/{id}/milestones", "GP"),
    Route("projects/{id}/milestones/{id}", "GUD"),
    Route("projects/{id}/milestones/{id}/tasks", "GP"),
    Route("projects/{id}/milestones/{id}/tasks/{id}", "GUD"),
    Route("projects/{id}/members", "GP"),
    Route("projects/{id}/members/{id}", "D"),
    Route("projects/{id}/comments", "GP"),
    Route("projects/{id}/comments/{id}", "GUD"),
    // Standalone tasks (§5.3).
    Route("tasks", "GP"),
    Route("tasks/{id}", "GUD"),
    Route("tasks/{id}/worklogs", "GP"),
    Route("tasks/{id}/worklogs/{id}", "GUD"),
    // Assets, products, CMDB (§5.4).
    Route("assets", "GP"),
    Route("assets/{id}", "GUD"),
    Route("products", "G"),
    Route("products/{id}", "G"),
    Route("product_types", "G"),
    Route("product_types/{id}", "G"),
    Route("workstations", "G"),
    Route("workstations/{id}", "G"),
    Route("depreciation_types", "G"),
    Route("cmdb", "G"),
    Route("cmdb/{id}", "G"),
    Route("cmdb/{id}/ci_relationships", "G"),
    // Solutions, users, setup lookups (§5.5).
    Route("solutions", "GP"),
    Route("solutions/{id}", "GUD"),
    Route("solutions/{id}/_move_to_trash", "D"),
    Route("solutions/{id}/restore_from_trash", "U"),
    Route("solutions/{id}/_publish", "U"),
    Route("solutions/{id}/_approve", "U"),
    Route("solutions/{id}/_reject", "U"),
    Route("solutions/{id}/attachments", "G"),
    Route("solutions/{id}/attachments/{id}/download", "G"),
    Route("topics", "GP"),
    Route("topics/{id}", "G"),
    Route("users", "G"),
    Route("users/{id}", "G"),
    Route("requesters", "GP"),
    Route("requesters/{id}", "GU"),
    Route("technicians", "GP"),
    Route("technicians/{id}", "GU"),
    Route("categories/{id}/subcategories", "G"),
    Route("subcategories/{id}/items", "G"),
    Route("request_templates/{id}", "G"),
    Route("closure_codes", "GP"),
    Route("contracts", "GP"),
    Route("contracts/{id}", "GUD"),
    Route("purchase_orders", "GP"),
    Route("purchase_orders/{id}", "GUD"),
    Route("{lookup}", "G"),
    Route("{lookup}/{id}", "G"),
];

/// The modules `{m}` stands for.
const ITSM: &[&str] = &["requests", "problems", "changes", "releases", "projects"];

/// The read-only lookup lists `{lookup}` stands for.
const LOOKUPS: &[&str] = &[
    "sites",
    "departments",
    "priorities",
    "urgencies",
    "impacts",
    "levels",
    "modes",
    "statuses",
    "request_types",
    "categories",
    "subcategories",
    "items",
    "groups",
    "support_groups",
    "request_templates",
    "service_categories",
    "change_types",
    "change_stages",
    "change_statuses",
    "risks",
    "announcements",
    "worklog_types",
    "task_types",
    "task_statuses",
];

/// Why a path was refused (the message says what to do instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PathError {
    /// A full URL instead of an API path.
    #[error(
        "`path` must be an SDP API path such as \"/api/v3/requests/123456789012345\", not a \
         full URL: the server adds the portal's address itself"
    )]
    Absolute,
    /// `?` or `#` in the path.
    #[error(
        "`path` must not carry a query string or fragment (`?`, `#`): put list_info and other \
         parameters into `input_data`"
    )]
    Query,
    /// `..`, `.`, `%`, `\`, `//` or other characters outside `[A-Za-z0-9_/]`.
    #[error(
        "`path` may only hold plain segments of letters, digits and `_` separated by single \
         `/` (no `..`, `.`, `//`, `\\`, spaces or percent-encoding); e.g. \
         \"/api/v3/requests/123456789012345/notes\""
    )]
    Segment,
    /// A well-formed path that is not in the catalogue.
    #[error(
        "`{0}` is not an SDP endpoint this tool allows (ids must be numeric); use a path of \
         the API catalogue such as /api/v3/requests/{{id}}/notes, /api/v3/problems/{{id}}, \
         /api/v3/projects/{{id}}/milestones/{{id}}/tasks"
    )]
    Unknown(String),
    /// A catalogue path whose method is not allowed.
    #[error("{method} is not allowed on {path} (allowed: {allowed})")]
    Method {
        /// The method given.
        method: String,
        /// The path.
        path: String,
        /// The methods the catalogue lists.
        allowed: String,
    },
}

/// The segments of `path` (with or without `/api/v3/`) when `method` may
/// be sent to it.
pub(crate) fn validate(method: &Method, path: &str) -> Result<Vec<String>, PathError> {
    let lower = path.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("http:") || lower.starts_with("https:") {
        return Err(PathError::Absolute);
    }
    if path.contains(['?', '#']) {
        return Err(PathError::Query);
    }
    let rest = path
        .strip_prefix("/api/v3/")
        .or_else(|| path.strip_prefix("api/v3/"))
        .or_else(|| path.strip_prefix('/'))
        .unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').collect();
    let plain =
        |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !segments.iter().all(plain) {
        return Err(PathError::Segment);
    }
    let clean = segments.join("/");
    let route = ROUTES
        .iter()
        .find(|route| matches(route.0, &segments))
        .ok_or_else(|| PathError::Unknown(format!("/api/v3/{clean}")))?;
    let letter = match method.as_str() {
        "GET" => 'G',
        "POST" => 'P',
        "PUT" => 'U',
        "DELETE" => 'D',
        _ => '?',
    };
    if !route.1.contains(letter) {
        return Err(PathError::Method {
            method: method.to_string(),
            path: format!("/api/v3/{clean}"),
            allowed: allowed(route.1),
        });
    }
    Ok(segments.into_iter().map(str::to_owned).collect())
}

fn allowed(letters: &str) -> String {
    letters
        .chars()
        .map(|c| match c {
            'G' => "GET",
            'P' => "POST",
            'U' => "PUT",
            _ => "DELETE",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn matches(pattern: &str, segments: &[&str]) -> bool {
    let parts: Vec<&str> = pattern.split('/').collect();
    parts.len() == segments.len()
        && parts
            .iter()
            .zip(segments)
            .all(|(part, segment)| match *part {
                "{id}" => segment.len() <= 20 && segment.bytes().all(|b| b.is_ascii_digit()),
                "{m}" => ITSM.contains(segment),
                "{lookup}" => LOOKUPS.contains(segment),
                literal => literal == *segment,
            })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn catalogue_paths_pass_in_every_spelling() {
        for path in [
            "/api/v3/requests/123/notes",
            "api/v3/requests/123/notes",
            "/requests/123/notes",
            "requests/123/notes",
        ] {
            assert_eq!(
                validate(&Method::GET, path).unwrap(),
                ["requests", "123", "notes"]
            );
        }
        assert!(validate(&Method::GET, "/api/v3/projects/1/milestones/2/tasks/3").is_ok());
        assert!(validate(&Method::GET, "/api/v3/priorities").is_ok());
        assert!(validate(&Method::DELETE, "/api/v3/changes/7/notes/8").is_ok());
    }

    #[test]
    fn traversal_and_smuggling_are_refused() {
        let cases = [
            ("/api/v3/requests/../users", PathError::Segment),
            ("/api/v3/requests/%2e%2e/users", PathError::Segment),
            ("/api/v3/requests/%2E%2E/users", PathError::Segment),
            ("/api/v3/requests/1/./notes", PathError::Segment),
            ("/api/v3//requests", PathError::Segment),
            ("//evil.example/api/v3/requests", PathError::Segment),
            ("/api/v3/requests\\1", PathError::Segment),
            ("/api/v3/requests/1 /notes", PathError::Segment),
            ("/api/v3/requests/", PathError::Segment),
            ("https://evil.example/api/v3/requests", PathError::Absolute),
            ("HTTP://evil.example/api/v3/requests", PathError::Absolute),
            ("/api/v3/requests?input_data={}", PathError::Query),
            ("/api/v3/requests#x", PathError::Query),
        ];
        for (path, expected) in cases {
            assert_eq!(
                validate(&Method::GET, path).unwrap_err(),
                expected,
                "{path}"
            );
        }
    }

    #[test]
    fn unknown_paths_non_numeric_ids_and_wrong_methods_are_refused() {
        assert!(matches!(
            validate(&Method::GET, "/api/v3/requests/abc"),
            Err(PathError::Unknown(_))
        ));
        assert!(matches!(
            validate(&Method::GET, "/api/v3/secrets"),
            Err(PathError::Unknown(_))
        ));
        assert!(matches!(
            validate(&Method::GET, "/api/v3/requests/123456789012345678901"),
            Err(PathError::Unknown(_))
        ));
        let error = validate(&Method::DELETE, "/api/v3/users/1").unwrap_err();
        assert!(error.to_string().contains("allowed: GET"), "{error}");
    }
}
