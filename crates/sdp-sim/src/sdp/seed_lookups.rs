//! Seeded lookups, templates, user-defined fields and people of a portal.

use serde_json::{Value, json};

use super::seed::Seeder;
use super::seed_data::{FIRST, JOB_TITLES, LAST};
use super::specs;
use crate::directory::SimUser;

/// Ids of the seeded people of a portal.
#[derive(Debug, Default)]
pub struct People {
    /// Requesters (not technicians).
    pub requesters: Vec<u64>,
    /// Technicians (directory users of the portal first).
    pub technicians: Vec<u64>,
}

const STATUSES: &[(&str, &str, &str)] = &[
    ("Open", "#0066ff", "Open"),
    ("In Progress", "#ff9900", "In Progress"),
    ("On Hold", "#999999", "Onhold"),
    ("Resolved", "#00cc66", "Resolved"),
    ("Closed", "#006600", "Closed"),
    ("Cancelled", "#cc0000", "Cancelled"),
];
const PRIORITY_COLORS: [&str; 4] = ["#666666", "#3399ff", "#ff9900", "#ff0000"];
const PRIORITIES_PLAIN: [&str; 4] = ["Low", "Medium", "High", "Urgent"];
const PRIORITIES_NUMBERED: [&str; 4] = ["1 - Low", "2 - Medium", "3 - High", "4 - Urgent"];

/// A category: name, HR portal only, subcategories with their items.
type Category = (
    &'static str,
    bool,
    &'static [(&'static str, &'static [&'static str])],
);

/// Categories → subcategories → items.
const CATEGORIES: &[Category] = &[
    (
        "Network",
        false,
        &[
            ("VPN", &["VPN Client", "VPN Gateway"]),
            ("Wi-Fi", &["Access Point", "Wi-Fi Authentication"]),
            ("Firewall", &["Rule Change"]),
        ],
    ),
    (
        "Hardware",
        false,
        &[
            ("Laptop", &["Battery", "Screen", "Keyboard"]),
            ("Desktop", &["Power Supply"]),
            ("Printer", &["Paper Jam", "Toner"]),
            ("Monitor", &["Display", "Display Cable"]),
        ],
    ),
    (
        "Software",
        false,
        &[
            ("Email Client", &["Outlook", "Thunderbird"]),
            ("Office Suite", &["Word", "Excel"]),
            ("Operating System", &["Windows", "macOS"]),
        ],
    ),
    (
        "Access",
        false,
        &[
            ("Password Reset", &["AD Account", "Email Account"]),
            ("Account Creation", &["New Hire Account"]),
            ("Permissions", &["Shared Drive", "Application Role"]),
        ],
    ),
    (
        "Email",
        false,
        &[
            ("Mailbox", &["Mailbox Quota", "Shared Mailbox"]),
            ("Spam", &["Phishing Report"]),
        ],
    ),
    ("General", false, &[]),
    (
        "Payroll",
        true,
        &[
            ("Salary", &["Payslip", "Salary Revision"]),
            ("Expenses", &["Expense Claim"]),
        ],
    ),
    (
        "Benefits",
        true,
        &[
            ("Health Insurance", &["Coverage"]),
            ("Pension", &["Contribution"]),
        ],
    ),
];

/// Simple lookups: `(path, names)`.
const SIMPLE: &[(&str, &[&str])] = &[
    (
        "impacts",
        &[
            "Affects User",
            "Affects Group",
            "Affects Department",
            "Affects Business",
        ],
    ),
    (
        "modes",
        &["Web Form", "E-Mail", "Phone Call", "Chat", "Walk-in"],
    ),
    (
        "request_types",
        &["Incident", "Service Request", "Request", "Information"],
    ),
    (
        "service_categories",
        &[
            "User Management",
            "Hardware Provisioning",
            "Software Installation",
            "Communication",
        ],
    ),
    (
        "sites",
        &[
            "Head Office",
            "Branch Office East",
            "Branch Office West",
            "Data Center",
        ],
    ),
    (
        "closure_codes",
        &[
            "Success",
            "Failed",
            "Cancelled",
            "Postponed",
            "Request Withdrawn",
            "Duplicate",
        ],
    ),
    (
        "change_templates",
        &["General Template", "Emergency Template"],
    ),
    (
        "change_stages",
        &[
            "Submission",
            "Planning",
            "CAB Evaluation",
            "Implementation",
            "Review",
            "Close",
        ],
    ),
    (
        "change_statuses",
        &[
            "Requested",
            "In Progress",
            "Approved",
            "Rejected",
            "Completed",
            "Cancelled",
        ],
    ),
    ("risks", &["Low", "Medium", "High", "Very High"]),
    ("release_types", &["Minor", "Major", "Emergency"]),
    (
        "release_stages",
        &[
            "Submission",
            "Planning",
            "Development",
            "Testing",
            "Deployment",
            "Review",
            "Close",
        ],
    ),
    (
        "release_statuses",
        &["Requested", "In Progress", "Completed", "Cancelled"],
    ),
    (
        "project_types",
        &[
            "Infrastructure",
            "Software Development",
            "Migration",
            "Rollout",
        ],
    ),
    (
        "project_statuses",
        &["Open", "In Progress", "On Hold", "Closed"],
    ),
    (
        "task_statuses",
        &["Open", "In Progress", "Pending", "Completed", "Closed"],
    ),
    (
        "task_types",
        &["Implementation", "Review", "Testing", "Documentation"],
    ),
    (
        "worklog_types",
        &["Break Fix", "Installation", "Maintenance", "Travel"],
    ),
    (
        "asset_states",
        &["In Store", "In Use", "In Repair", "Expired", "Disposed"],
    ),
    (
        "vendors",
        &["Dell", "Apple", "Lenovo", "HP", "Microsoft", "Cisco"],
    ),
    (
        "ci_types",
        &[
            "Server",
            "Workstation",
            "Business Service",
            "Database",
            "Network Device",
        ],
    ),
    (
        "topics",
        &[
            "Networking",
            "Hardware",
            "Software",
            "Accounts & Access",
            "Email",
            "HR Policies",
        ],
    ),
    (
        "product_types",
        &[
            "Laptop",
            "Desktop",
            "Server",
            "Printer",
            "Monitor",
            "Router",
            "Switch",
            "Mobile Device",
        ],
    ),
];

const PRODUCTS: &[(&str, &str, &str)] = &[
    ("MacBook Pro 14", "Laptop", "Apple"),
    ("Latitude 7440", "Laptop", "Dell"),
    ("ThinkPad X1 Carbon", "Laptop", "Lenovo"),
    ("OptiPlex 7010", "Desktop", "Dell"),
    ("PowerEdge R750", "Server", "Dell"),
    ("LaserJet Pro M404", "Printer", "HP"),
    ("UltraSharp U2723QE", "Monitor", "Dell"),
    ("Catalyst 9300", "Switch", "Cisco"),
    ("ISR 4331", "Router", "Cisco"),
    ("iPhone 15", "Mobile Device", "Apple"),
];

fn named(s: &mut Seeder<'_>, path: &str, name: &str, extra: &[(&str, Value)]) -> u64 {
    let Some(spec) = specs::find(path) else {
        return 0;
    };
    let mut fields = vec![("name", json!(name))];
    fields.extend(extra.iter().cloned());
    s.add(spec, &fields)
}

/// Seeds every lookup of the portal.
pub fn seed_lookups(s: &mut Seeder<'_>) {
    let numbered = s.portal_index % 2 == 1;
    for (name, color, internal) in STATUSES {
        named(
            s,
            "statuses",
            name,
            &[("color", json!(color)), ("internal_name", json!(internal))],
        );
    }
    let priorities = if numbered {
        PRIORITIES_NUMBERED
    } else {
        PRIORITIES_PLAIN
    };
    for (name, color) in priorities.iter().zip(PRIORITY_COLORS) {
        named(s, "priorities", name, &[("color", json!(color))]);
    }
    let urgencies: &[&str] = if numbered {
        &[
            "1 - Minor Concern",
            "2 - General Concern",
            "3 - Serious Concern",
            "4 - Critical",
        ]
    } else {
        &["Low", "Normal", "High", "Urgent"]
    };
    let levels: &[&str] = if numbered {
        &["1 - Frontline", "2 - Specialist", "3 - Expert"]
    } else {
        &["Tier 1", "Tier 2", "Tier 3", "Tier 4"]
    };
    for name in urgencies {
        named(s, "urgencies", name, &[]);
    }
    for name in levels {
        named(s, "levels", name, &[]);
    }
    for (path, names) in SIMPLE {
        for name in *names {
            named(s, path, name, &[]);
        }
    }
    for (name, color, pre) in [
        ("Minor", "#66cc66", false),
        ("Standard", "#3399ff", true),
        ("Major", "#ff9900", false),
        ("Emergency", "#ff0000", false),
    ] {
        named(
            s,
            "change_types",
            name,
            &[("color", json!(color)), ("pre_approved", json!(pre))],
        );
    }
    let hr = s.portal_index == 1;
    for (category, hr_only, subs) in CATEGORIES {
        if *hr_only && !hr {
            continue;
        }
        let cid = named(s, "categories", category, &[]);
        let cref = s.reference("categories", cid);
        for (sub, items) in *subs {
            let sid = named(s, "subcategories", sub, &[("category", cref.clone())]);
            let sref = s.reference("subcategories", sid);
            for item in *items {
                named(s, "items", item, &[("subcategory", sref.clone())]);
            }
        }
    }
    for (i, name) in [
        "Finance",
        "Human Resources",
        "Engineering",
        "Sales",
        "Marketing",
        "Operations",
        "Legal",
        "IT",
    ]
    .iter()
    .enumerate()
    {
        let site = s.lookup_ref(
            "sites",
            if i % 3 == 0 {
                "Head Office"
            } else {
                "Branch Office East"
            },
        );
        named(s, "departments", name, &[("site", site)]);
    }
    let mut groups = vec![
        "Network",
        "Hardware",
        "Software",
        "Service Desk",
        "Access Management",
        "Email Support",
    ];
    if hr {
        groups.extend(["HR Operations", "Payroll Team"]);
    }
    for name in groups {
        let site = s.lookup_ref("sites", "Head Office");
        named(
            s,
            "groups",
            name,
            &[
                ("site", site),
                (
                    "email_id",
                    json!(format!(
                        "{}@zylker.com",
                        name.to_lowercase().replace(' ', "-")
                    )),
                ),
            ],
        );
    }
    for (name, product_type, vendor) in PRODUCTS {
        let pt = s.lookup_ref("product_types", product_type);
        named(
            s,
            "products",
            name,
            &[("product_type", pt), ("manufacturer", json!(vendor))],
        );
    }
    seed_templates(s);
    seed_udfs(s);
}

fn seed_templates(s: &mut Seeder<'_>) {
    let templates: &[(&str, &[&str], &[&str], bool)] = &[
        ("Default Request", &["subject", "requester"], &[], false),
        (
            "Hardware Request",
            &[
                "subject",
                "requester",
                "category",
                "subcategory",
                "priority",
            ],
            &[],
            true,
        ),
        (
            "Incident (strict)",
            &[
                "subject",
                "mode",
                "request_type",
                "urgency",
                "level",
                "impact",
                "category",
                "subcategory",
                "status",
            ],
            &[],
            false,
        ),
        (
            "Locked Priority Request",
            &["subject", "requester"],
            &["priority"],
            false,
        ),
        ("New Hire Onboarding", &["subject", "requester"], &[], true),
    ];
    for (name, mandatory, forbidden, service) in templates {
        named(
            s,
            "request_templates",
            name,
            &[
                ("mandatory_fields", json!(mandatory)),
                ("fields_not_allowed", json!(forbidden)),
                ("is_service_template", json!(service)),
                ("description", json!(format!("{name} template"))),
            ],
        );
    }
}

fn seed_udfs(s: &mut Seeder<'_>) {
    let requests = json!({
        "udf_pick_301": {"type": "pick_list", "display_name": "Asset Type", "allowed_values": ["Laptop", "Desktop", "Printer", "Phone"]},
        "udf_sline_302": {"type": "string", "display_name": "Asset Tag"},
        "udf_long_303": {"type": "integer", "display_name": "Affected Users"},
        "udf_bool_304": {"type": "boolean", "display_name": "VIP Impact"},
        "udf_date_305": {"type": "datetime", "display_name": "Needed By"},
    });
    let problems = json!({"udf_pick_501": {"type": "pick_list", "display_name": "Root Cause Area", "allowed_values": ["Network", "Hardware", "Software", "Process"]}});
    let changes = json!({"udf_sline_401": {"type": "string", "display_name": "Vendor Reference"}});
    let releases = json!({"udf_sline_601": {"type": "string", "display_name": "Build Number"}});
    for (path, defs) in [
        ("requests", requests),
        ("problems", problems),
        ("changes", changes),
        ("releases", releases),
    ] {
        if let Value::Object(map) = defs {
            s.data.udf_defs.insert(path.to_owned(), map);
        }
    }
}

/// Seeds requesters, the portal's directory users as technicians, and a few
/// extra technicians.
pub fn seed_people(s: &mut Seeder<'_>, directory_users: &[&SimUser]) -> People {
    let mut people = People::default();
    let offset = s.portal_index * 7;
    let departments = [
        "Finance",
        "Human Resources",
        "Engineering",
        "Sales",
        "Marketing",
        "Operations",
        "Legal",
    ];
    let sites = ["Head Office", "Branch Office East", "Branch Office West"];
    for i in 0..45 {
        let first = FIRST[(i + offset) % FIRST.len()];
        let last = LAST[(i * 5 + i / FIRST.len() + offset) % LAST.len()];
        let technician = i >= 40;
        let domain = if technician {
            "zylker.com"
        } else {
            "zylker-corp.com"
        };
        let email = format!(
            "{}.{}{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase(),
            if i >= 24 {
                i.to_string()
            } else {
                String::new()
            }
        );
        let department = s.lookup_ref("departments", departments[i % departments.len()]);
        let site = s.lookup_ref("sites", sites[i % sites.len()]);
        let title = if technician {
            "IT Technician"
        } else {
            JOB_TITLES[i % JOB_TITLES.len()]
        };
        let id = s.add(
            &specs::USERS,
            &[
                ("name", json!(format!("{first} {last}"))),
                ("first_name", json!(first)),
                ("last_name", json!(last)),
                ("email_id", json!(email)),
                ("phone", json!(format!("+1 555 01{:02}", i))),
                ("employee_id", json!(format!("E-{}", 100 + i))),
                ("job_title", json!(title)),
                ("department", department),
                ("site", site),
                ("is_technician", json!(technician)),
                ("is_vip_user", json!(i % 13 == 0)),
            ],
        );
        if technician {
            people.technicians.push(id);
        } else {
            people.requesters.push(id);
        }
    }
    let mut directory_ids = Vec::new();
    for user in directory_users {
        let (first, last) = user.name.split_once(' ').unwrap_or((&user.name, ""));
        let it = s.lookup_ref("departments", "IT");
        let id = s.add(
            &specs::USERS,
            &[
                ("name", json!(user.name)),
                ("first_name", json!(first)),
                ("last_name", json!(last)),
                ("email_id", json!(user.email)),
                ("job_title", json!("Service Desk Technician")),
                ("department", it),
                ("is_technician", json!(true)),
            ],
        );
        directory_ids.push(id);
    }
    directory_ids.append(&mut people.technicians);
    people.technicians = directory_ids;
    people
}
