//! Seeded records of the modules other than requests: problems, changes,
//! releases, projects, standalone tasks, assets, workstations, CIs,
//! solutions, contracts, purchase orders and announcements.

use rand::Rng;
use serde_json::{Value, json};

use super::seed::Seeder;
use super::seed_data::{
    CHANGE_TITLES, CIS, PROBLEM_TITLES, PROJECT_TITLES, RELEASE_TITLES, SOLUTIONS,
};
use super::seed_lookups::People;
use super::specs;
use super::time::datetime;

const DAY_MS: i64 = 86_400_000;

/// Seeds every non-request module of the portal.
pub fn seed_modules(s: &mut Seeder<'_>, people: &People) {
    seed_problems(s, people);
    seed_changes(s, people);
    seed_releases(s, people);
    seed_projects(s, people);
    seed_tasks(s, people);
    seed_assets(s, people);
    seed_cmdb(s, people);
    seed_solutions(s, people);
    seed_purchasing(s, people);
}

fn numbered(title: &str, n: usize, per: usize) -> String {
    if n < per {
        title.to_owned()
    } else {
        format!("{title} ({})", n / per + 1)
    }
}

fn seed_problems(s: &mut Seeder<'_>, people: &People) {
    for n in 0..25 {
        let title = numbered(
            PROBLEM_TITLES[n % PROBLEM_TITLES.len()],
            n,
            PROBLEM_TITLES.len(),
        );
        let created = s.past(90);
        let status = s.pick(&["Open", "Open", "In Progress", "Resolved", "Closed"]);
        let tech = s.pick(&people.technicians);
        let reporter = s.pick(&people.requesters);
        let fields = vec![
            ("title", json!(title)),
            (
                "description",
                json!(format!("<p>{title} observed repeatedly.</p>")),
            ),
            ("status", s.lookup_ref("statuses", status)),
            ("priority", s.any_ref("priorities")),
            ("urgency", s.any_ref("urgencies")),
            ("impact", s.any_ref("impacts")),
            ("category", s.lookup_ref("categories", "Network")),
            ("reported_by", s.user_ref(reporter)),
            ("technician", s.user_ref(tech)),
            ("group", s.any_ref("groups")),
            ("site", s.any_ref("sites")),
            ("reported_time", datetime(created)),
            ("due_by_time", datetime(created + 7 * DAY_MS)),
            (
                "closed_time",
                if status == "Closed" {
                    datetime(created + 3 * DAY_MS)
                } else {
                    Value::Null
                },
            ),
            ("root_cause", json!({"description": "Under investigation"})),
            (
                "known_error_details",
                json!({"is_known_error": n % 4 == 0, "comments": null}),
            ),
            ("created_by", s.user_ref(tech)),
            ("created_time", datetime(created)),
            ("last_updated_time", datetime(created + DAY_MS)),
        ];
        s.add(&specs::PROBLEMS, &fields);
    }
}

fn seed_changes(s: &mut Seeder<'_>, people: &People) {
    for n in 0..25 {
        let title = numbered(
            CHANGE_TITLES[n % CHANGE_TITLES.len()],
            n,
            CHANGE_TITLES.len(),
        );
        let created = s.past(90);
        let (stage, status) = s.pick(&[
            ("Submission", "Requested"),
            ("Planning", "In Progress"),
            ("CAB Evaluation", "Approved"),
            ("Implementation", "In Progress"),
            ("Close", "Completed"),
        ]);
        let owner = s.pick(&people.technicians);
        let requester = s.pick(&people.requesters);
        let start = created + 5 * DAY_MS;
        let fields = vec![
            ("title", json!(title)),
            ("description", json!(format!("<p>{title}.</p>"))),
            (
                "template",
                s.lookup_ref("change_templates", "General Template"),
            ),
            ("change_type", s.any_ref("change_types")),
            ("stage", s.lookup_ref("change_stages", stage)),
            ("status", s.lookup_ref("change_statuses", status)),
            ("risk", s.any_ref("risks")),
            ("change_requester", s.user_ref(requester)),
            ("change_owner", s.user_ref(owner)),
            ("priority", s.any_ref("priorities")),
            ("impact", s.any_ref("impacts")),
            ("category", s.lookup_ref("categories", "Network")),
            ("site", s.any_ref("sites")),
            ("group", s.lookup_ref("groups", "Network")),
            ("scheduled_start_time", datetime(start)),
            ("scheduled_end_time", datetime(start + 4 * 3_600_000)),
            (
                "completed_time",
                if status == "Completed" {
                    datetime(start + 4 * 3_600_000)
                } else {
                    Value::Null
                },
            ),
            (
                "roll_out_plan",
                json!({"description": "Follow the runbook."}),
            ),
            (
                "back_out_plan",
                json!({"description": "Restore the previous configuration."}),
            ),
            ("emergency", json!(n % 9 == 0)),
            ("created_by", s.user_ref(owner)),
            ("created_time", datetime(created)),
            ("last_updated_time", datetime(created + DAY_MS)),
        ];
        s.add(&specs::CHANGES, &fields);
    }
}

fn seed_releases(s: &mut Seeder<'_>, people: &People) {
    for title in RELEASE_TITLES {
        let created = s.past(60);
        let manager = s.pick(&people.technicians);
        let fields = vec![
            ("title", json!(title)),
            ("description", json!(format!("<p>{title}</p>"))),
            ("release_type", s.any_ref("release_types")),
            ("stage", s.lookup_ref("release_stages", "Planning")),
            ("status", s.lookup_ref("release_statuses", "In Progress")),
            ("priority", s.any_ref("priorities")),
            ("release_manager", s.user_ref(manager)),
            ("scheduled_start_time", datetime(created + 10 * DAY_MS)),
            ("scheduled_end_time", datetime(created + 12 * DAY_MS)),
            ("created_by", s.user_ref(manager)),
            ("created_time", datetime(created)),
            ("last_updated_time", datetime(created)),
        ];
        s.add(&specs::RELEASES, &fields);
    }
}

fn seed_projects(s: &mut Seeder<'_>, people: &People) {
    for n in 0..15 {
        let title = numbered(
            PROJECT_TITLES[n % PROJECT_TITLES.len()],
            n,
            PROJECT_TITLES.len(),
        );
        let created = s.past(90);
        let owner = s.pick(&people.technicians);
        let fields = vec![
            ("title", json!(title)),
            ("description", json!(format!("<p>{title}</p>"))),
            ("project_type", s.any_ref("project_types")),
            ("status", s.any_ref("project_statuses")),
            ("priority", s.any_ref("priorities")),
            ("owner", s.user_ref(owner)),
            ("site", s.any_ref("sites")),
            ("scheduled_start_time", datetime(created + DAY_MS)),
            ("scheduled_end_time", datetime(created + 60 * DAY_MS)),
            (
                "percentage_completion",
                json!(s.pick(&[0, 10, 40, 75, 100])),
            ),
            ("created_by", s.user_ref(owner)),
            ("created_time", datetime(created)),
            ("last_updated_time", datetime(created)),
        ];
        let id = s.add(&specs::PROJECTS, &fields);
        let base = format!("projects/{id}");
        for (m, name) in ["Planning", "Execution", "Closure"].iter().enumerate() {
            let start = created + (m as i64) * 20 * DAY_MS;
            s.add_at(
                &specs::MILESTONES,
                &format!("{base}/milestones"),
                &[
                    ("title", json!(name)),
                    ("owner", s.user_ref(owner)),
                    ("scheduled_start_time", datetime(start)),
                    ("scheduled_end_time", datetime(start + 20 * DAY_MS)),
                    ("created_time", datetime(created)),
                ],
            );
        }
        let status = s.any_ref("task_statuses");
        s.add_at(
            &specs::NESTED_TASKS,
            &format!("{base}/tasks"),
            &[
                ("title", json!("Kick-off meeting")),
                ("status", status),
                ("owner", s.user_ref(owner)),
                ("created_time", datetime(created)),
            ],
        );
        let member = s.pick(&people.technicians);
        for user in [owner, member] {
            s.add_at(
                &specs::MEMBERS,
                &format!("{base}/members"),
                &[
                    ("user", s.user_ref(user)),
                    ("role", json!("Member")),
                    ("created_time", datetime(created)),
                ],
            );
        }
        s.add_at(
            &specs::COMMENTS,
            &format!("{base}/comments"),
            &[
                ("content", json!("Project created.")),
                ("created_by", s.user_ref(owner)),
                ("created_time", datetime(created)),
            ],
        );
    }
}

fn seed_tasks(s: &mut Seeder<'_>, people: &People) {
    let titles = [
        "Renew SSL certificate",
        "Review firewall rules",
        "Update asset inventory",
        "Clean up stale accounts",
        "Test backup restore",
    ];
    for n in 0..20 {
        let created = s.past(60);
        let owner = s.pick(&people.technicians);
        let fields = vec![
            (
                "title",
                json!(numbered(titles[n % titles.len()], n, titles.len())),
            ),
            ("description", json!("Routine task")),
            ("status", s.any_ref("task_statuses")),
            ("owner", s.user_ref(owner)),
            ("priority", s.any_ref("priorities")),
            ("task_type", s.any_ref("task_types")),
            ("percentage_completion", json!(s.pick(&[0, 50, 100]))),
            ("scheduled_start_time", datetime(created + DAY_MS)),
            ("scheduled_end_time", datetime(created + 3 * DAY_MS)),
            ("created_by", s.user_ref(owner)),
            ("created_time", datetime(created)),
        ];
        s.add(&specs::TASKS, &fields);
    }
}

fn seed_assets(s: &mut Seeder<'_>, people: &People) {
    let products = [
        "MacBook Pro 14",
        "Latitude 7440",
        "ThinkPad X1 Carbon",
        "OptiPlex 7010",
        "LaserJet Pro M404",
        "UltraSharp U2723QE",
        "iPhone 15",
    ];
    for n in 0..40 {
        let product_name = products[n % products.len()];
        let product = s.lookup_ref("products", product_name);
        let product_type = product
            .get("id")
            .and_then(super::store::parse_id)
            .and_then(|id| s.data.get("products", id))
            .and_then(|p| p.get("product_type"))
            .cloned()
            .unwrap_or(Value::Null);
        let state = s.pick(&["In Use", "In Use", "In Store", "In Repair"]);
        let holder = s.pick(&people.requesters);
        let user = if state == "In Use" {
            s.user_ref(holder)
        } else {
            Value::Null
        };
        let acquired = s.past(900);
        let fields = vec![
            ("name", json!(format!("ASSET-{:04}", n + 1))),
            ("product", product),
            ("product_type", product_type),
            ("state", s.lookup_ref("asset_states", state)),
            ("asset_tag", json!(format!("A-{}", 1000 + n))),
            (
                "serial_number",
                json!(format!("SN{:08}", s.rng.random_range(0..99_999_999))),
            ),
            ("user", user),
            ("site", s.any_ref("sites")),
            ("vendor", s.any_ref("vendors")),
            ("acquisition_date", datetime(acquired)),
            ("warranty_expiry", datetime(acquired + 3 * 365 * DAY_MS)),
            ("created_time", datetime(acquired)),
            ("last_updated_time", datetime(acquired)),
        ];
        s.add(&specs::ASSETS, &fields);
    }
    let Some(workstations) = specs::find("workstations") else {
        return;
    };
    for n in 0..15 {
        let user = s.pick(&people.requesters);
        let fields = vec![
            ("name", json!(format!("WS-{:03}", n + 1))),
            (
                "os",
                json!(s.pick(&["Windows 11", "Windows 10", "macOS 14", "Ubuntu 24.04"])),
            ),
            (
                "ip_address",
                json!(format!("10.0.{}.{}", n / 250, 10 + n % 240)),
            ),
            ("ram_mb", json!(s.pick(&[8192, 16384, 32768]))),
            ("user", s.user_ref(user)),
            ("site", s.any_ref("sites")),
            ("created_time", datetime(s.past(400))),
        ];
        s.add(workstations, &fields);
    }
}

fn seed_cmdb(s: &mut Seeder<'_>, people: &People) {
    let mut ids = Vec::new();
    for n in 0..24 {
        let (name, ci_type) = CIS[n % CIS.len()];
        let owner = s.pick(&people.technicians);
        let fields = vec![
            ("name", json!(numbered(name, n, CIS.len()))),
            ("ci_type", s.lookup_ref("ci_types", ci_type)),
            ("description", json!(format!("{ci_type} {name}"))),
            ("criticality", json!(s.pick(&["Low", "Medium", "High"]))),
            ("site", s.any_ref("sites")),
            ("owned_by", s.user_ref(owner)),
            ("created_time", datetime(s.past(300))),
        ];
        ids.push(s.add(&specs::CMDB, &fields));
    }
    for pair in ids.windows(2).step_by(2) {
        let related = s.reference("cmdb", pair[1]);
        let at = datetime(s.past(100));
        s.add_at(
            &specs::CI_RELATIONSHIPS,
            &format!("cmdb/{}/ci_relationships", pair[0]),
            &[
                ("relationship", json!("Depends On")),
                ("related_ci", related),
                ("created_time", at),
            ],
        );
    }
}

fn seed_solutions(s: &mut Seeder<'_>, people: &People) {
    for n in 0..25 {
        let (title, topic) = SOLUTIONS[n % SOLUTIONS.len()];
        let author = s.pick(&people.technicians);
        let created = s.past(300);
        let fields = vec![
            ("title", json!(numbered(title, n, SOLUTIONS.len()))),
            ("description", json!(format!("<p>Steps: {title}.</p>"))),
            ("topic", s.lookup_ref("topics", topic)),
            ("keywords", json!(title.to_lowercase())),
            ("is_public", json!(n % 2 == 0)),
            ("approval_status", json!({"name": "Approved"})),
            ("view_count", json!(s.rng.random_range(0..500))),
            ("created_by", s.user_ref(author)),
            ("created_time", datetime(created)),
            ("last_updated_time", datetime(created)),
        ];
        s.add(&specs::SOLUTIONS, &fields);
    }
}

fn seed_purchasing(s: &mut Seeder<'_>, people: &People) {
    for n in 0..8 {
        let from = s.past(300);
        let owner = s.pick(&people.technicians);
        let fields = vec![
            ("name", json!(format!("Support contract {}", n + 1))),
            ("contract_number", json!(format!("CT-{}", 2000 + n))),
            ("vendor", s.any_ref("vendors")),
            ("active_from", datetime(from)),
            ("active_till", datetime(from + 365 * DAY_MS)),
            ("cost", json!(1000.0 * (f64::from(n) + 1.0))),
            (
                "status",
                json!(if n % 3 == 0 { "Expired" } else { "Active" }),
            ),
            ("owner", s.user_ref(owner)),
            ("created_time", datetime(from)),
        ];
        s.add(&specs::CONTRACTS, &fields);
        let ordered = s.past(120);
        let fields = vec![
            ("name", json!(format!("Laptops batch {}", n + 1))),
            ("po_number", json!(format!("PO-{}", 5000 + n))),
            ("vendor", s.any_ref("vendors")),
            (
                "status",
                json!(s.pick(&["Open", "Approved", "Ordered", "Received"])),
            ),
            ("ordered_date", datetime(ordered)),
            ("required_by", datetime(ordered + 20 * DAY_MS)),
            ("total_price", json!(2500.0 * (f64::from(n) + 1.0))),
            ("owner", s.user_ref(owner)),
            ("created_time", datetime(ordered)),
        ];
        s.add(&specs::PURCHASE_ORDERS, &fields);
    }
    let Some(announcements) = specs::find("announcements") else {
        return;
    };
    for title in [
        "Planned network maintenance",
        "New VPN client available",
        "Office closed on Friday",
        "Phishing campaign warning",
        "Service desk hours extended",
    ] {
        let created = s.past(30);
        let author = s.pick(&people.technicians);
        let fields = vec![
            ("title", json!(title)),
            ("content", json!(format!("<p>{title}.</p>"))),
            ("show_to_requester", json!(true)),
            ("display_from", datetime(created)),
            ("display_to", datetime(created + 14 * DAY_MS)),
            ("created_by", s.user_ref(author)),
            ("created_time", datetime(created)),
        ];
        s.add(announcements, &fields);
    }
}
