//! Deterministic seeding of every portal: `StdRng::seed_from_u64(seed ^
//! portal index)`, times relative to the fixed [`SEED_BASE_MS`], records
//! built through the same blank-record shapes the API creates.

use parking_lot::RwLock;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

use super::fields::{blank, time_spent_value};
use super::route::key_of;
use super::seed_data::{FILLERS, HR_SUBJECTS, NOTES, SENTENCES, SUBJECTS, SubjectTemplate};
use super::seed_lookups::{People, seed_lookups, seed_people};
use super::spec::EntitySpec;
use super::specs;
use super::store::{Portal, PortalData, SdpState};
use super::time::{SEED_BASE_MS, datetime};
use crate::config::SimConfig;
use crate::directory::Directory;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// Seeding helper over one portal's data.
pub struct Seeder<'a> {
    /// The portal's data.
    pub data: &'a mut PortalData,
    /// The portal's generator.
    pub rng: StdRng,
    /// Portal index (0 = default portal).
    pub portal_index: usize,
}

impl std::fmt::Debug for Seeder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seeder")
            .field("portal_index", &self.portal_index)
            .finish_non_exhaustive()
    }
}

impl Seeder<'_> {
    /// Adds a top-level record of `spec` with `fields` over its blank shape.
    pub fn add(&mut self, spec: &EntitySpec, fields: &[(&str, Value)]) -> u64 {
        let key = key_of(spec, None);
        self.add_at(spec, &key, fields)
    }

    /// Adds a record of `spec` to collection `key`.
    pub fn add_at(&mut self, spec: &EntitySpec, key: &str, fields: &[(&str, Value)]) -> u64 {
        let mut record = blank(spec);
        for (name, value) in fields {
            record.insert((*name).to_owned(), value.clone());
        }
        if let Some((field, value)) = spec.view {
            record.insert(field.to_owned(), Value::Bool(value));
        }
        if spec.display_id {
            let display = self.data.next_display_id(key);
            record.insert("display_id".into(), Value::String(display.to_string()));
        }
        self.data.insert(key, record)
    }

    /// A reference to record `id` of top-level entity `path`.
    pub fn reference(&self, path: &str, id: u64) -> Value {
        specs::find(path)
            .and_then(|spec| self.data.reference(spec, id))
            .unwrap_or(Value::Null)
    }

    /// A reference to the lookup of `path` named `name` (`null` when absent).
    pub fn lookup_ref(&self, path: &str, name: &str) -> Value {
        let Some(spec) = specs::find(path) else {
            return Value::Null;
        };
        self.data
            .find_by(&key_of(spec, None), "name", name)
            .map_or(Value::Null, |(_, r)| super::store::reference_of(spec, r))
    }

    /// A random reference among the records of lookup `path`.
    pub fn any_ref(&mut self, path: &str) -> Value {
        let Some(spec) = specs::find(path) else {
            return Value::Null;
        };
        let ids: Vec<u64> = self
            .data
            .records(&key_of(spec, None))
            .map(|(id, _)| *id)
            .collect();
        if ids.is_empty() {
            return Value::Null;
        }
        let id = ids[self.rng.random_range(0..ids.len())];
        self.reference(path, id)
    }

    /// A user reference.
    pub fn user_ref(&self, id: u64) -> Value {
        self.reference("users", id)
    }

    /// A random element of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    /// `true` with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A time up to `max_days` before the seed base.
    pub fn past(&mut self, max_days: i64) -> i64 {
        SEED_BASE_MS - self.rng.random_range(HOUR_MS..max_days.max(1) * DAY_MS)
    }
}

/// Seeds every portal of the directory.
pub fn seed_all(config: &SimConfig, directory: &Directory) -> SdpState {
    let portals = directory
        .portals
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let mut data = PortalData::new(index);
            let mut seeder = Seeder {
                data: &mut data,
                rng: StdRng::seed_from_u64(config.seed ^ index as u64),
                portal_index: index,
            };
            let users: Vec<_> = directory
                .users
                .iter()
                .filter(|u| &u.portal == name)
                .collect();
            seed_lookups(&mut seeder);
            let people = seed_people(&mut seeder, &users);
            seed_requests(&mut seeder, &people, config.requests_per_portal);
            super::seed_modules::seed_modules(&mut seeder, &people);
            Portal {
                name: name.clone(),
                index,
                id: (700_000_001 + index).to_string(),
                display_name: display_name(index, name),
                data: RwLock::new(data),
            }
        })
        .collect();
    SdpState::from_portals(portals)
}

fn display_name(index: usize, name: &str) -> String {
    match index {
        0 => "IT Desk".to_owned(),
        1 => "HR Desk".to_owned(),
        2 => "Facilities".to_owned(),
        _ => format!("Portal {}", name.trim_start_matches("portal")),
    }
}

fn subject(s: &mut Seeder<'_>, template: &SubjectTemplate) -> String {
    let filler = s.pick(FILLERS);
    let mut text = template.0.replace("{}", filler);
    if s.chance(0.1) {
        text.push_str(" - urgent");
    }
    text
}

fn description(s: &mut Seeder<'_>, subject: &str) -> String {
    let a = s.pick(SENTENCES);
    let b = s.pick(SENTENCES);
    format!("<div>{subject}.<br>{a} {b}</div>")
}

fn seed_requests(s: &mut Seeder<'_>, people: &People, count: usize) {
    let mut times: Vec<i64> = (0..count).map(|_| s.past(90)).collect();
    times.sort_unstable();
    let mut templates: Vec<SubjectTemplate> = SUBJECTS.to_vec();
    if s.portal_index == 1 {
        templates.extend_from_slice(HR_SUBJECTS);
        templates.extend_from_slice(HR_SUBJECTS);
    }
    for created in times {
        let template = s.pick(&templates);
        seed_request(s, people, &template, created);
    }
}

fn seed_request(s: &mut Seeder<'_>, people: &People, template: &SubjectTemplate, created: i64) {
    let age_days = (SEED_BASE_MS - created) / DAY_MS;
    let status = if age_days > 30 && s.chance(0.75) {
        s.pick(&["Closed", "Closed", "Resolved"])
    } else {
        s.pick(&[
            "Open",
            "Open",
            "Open",
            "In Progress",
            "In Progress",
            "On Hold",
            "Resolved",
            "Closed",
        ])
    };
    let subject = subject(s, template);
    let description = description(s, &subject);
    let requester = s.pick(&people.requesters);
    let technician = (status != "Open" || s.chance(0.5)).then(|| s.pick(&people.technicians));
    let group = match template.1 {
        "Network" => "Network",
        "Hardware" => "Hardware",
        "Software" => "Software",
        "Access" => "Access Management",
        "Email" => "Email Support",
        "Payroll" => "Payroll Team",
        "Benefits" => "HR Operations",
        _ => "Service Desk",
    };
    let updated = (created + s.rng.random_range(HOUR_MS..5 * DAY_MS)).min(SEED_BASE_MS);
    let template_name = if template.1 == "Hardware" && s.chance(0.5) {
        "Hardware Request"
    } else {
        "Default Request"
    };
    let mut fields = vec![
        ("subject", json!(subject)),
        ("description", json!(description)),
        ("short_description", json!(subject)),
        ("requester", s.user_ref(requester)),
        (
            "technician",
            technician.map_or(Value::Null, |t| s.user_ref(t)),
        ),
        ("group", s.lookup_ref("groups", group)),
        ("site", s.any_ref("sites")),
        ("status", s.lookup_ref("statuses", status)),
        ("priority", s.any_ref("priorities")),
        ("urgency", s.any_ref("urgencies")),
        ("impact", s.any_ref("impacts")),
        ("mode", s.any_ref("modes")),
        ("level", s.any_ref("levels")),
        ("request_type", s.any_ref("request_types")),
        ("template", s.lookup_ref("request_templates", template_name)),
        ("category", s.lookup_ref("categories", template.1)),
        ("subcategory", s.lookup_ref("subcategories", template.2)),
        (
            "item",
            template.3.map_or(Value::Null, |i| s.lookup_ref("items", i)),
        ),
        ("created_by", s.user_ref(requester)),
        ("created_time", datetime(created)),
        ("last_updated_time", datetime(updated)),
        (
            "due_by_time",
            datetime(created + s.rng.random_range(1..6) * DAY_MS),
        ),
        ("is_overdue", json!(status == "Open" && s.chance(0.2))),
    ];
    if technician.is_some() {
        fields.push(("assigned_time", datetime(created + HOUR_MS)));
    }
    if status == "Resolved" || status == "Closed" {
        fields.push(("resolved_time", datetime(updated)));
        fields.push((
            "resolution",
            json!({"content": "<p>Issue resolved after troubleshooting.</p>", "submitted_by": technician.map_or(Value::Null, |t| s.user_ref(t)), "submitted_on": datetime(updated)}),
        ));
    }
    if status == "Closed" {
        fields.push(("completed_time", datetime(updated)));
        let code = s.pick(&["Success", "Success", "Failed", "Duplicate"]);
        fields.push((
            "closure_info",
            json!({"closure_code": s.lookup_ref("closure_codes", code), "closure_comments": "Closed by technician", "requester_ack_resolution": true}),
        ));
    }
    if s.chance(0.4) {
        let kind = s.pick(&["Laptop", "Desktop", "Printer", "Phone"]);
        fields.push((
            "udf_fields",
            json!({"udf_pick_301": kind, "udf_sline_302": format!("A-{}", s.rng.random_range(1000..9999)), "udf_long_303": s.rng.random_range(1..50), "udf_bool_304": s.chance(0.2)}),
        ));
    }
    let id = s.add(&specs::REQUESTS, &fields);
    seed_request_children(s, people, id, created, technician);
}

fn seed_request_children(
    s: &mut Seeder<'_>,
    people: &People,
    id: u64,
    created: i64,
    technician: Option<u64>,
) {
    let author = technician.unwrap_or_else(|| people.technicians[0]);
    if s.chance(0.5) {
        let key = format!("requests/{id}/notes");
        for n in 0..s.rng.random_range(1..4) {
            let at = (created + (n + 1) * 2 * HOUR_MS).min(SEED_BASE_MS);
            let text = s.pick(NOTES);
            s.add_at(
                &specs::REQUEST_NOTES,
                &key,
                &[
                    ("description", json!(format!("<p>{text}</p>"))),
                    ("show_to_requester", json!(n == 0)),
                    ("created_by", s.user_ref(author)),
                    ("created_time", datetime(at)),
                    ("last_updated_time", datetime(at)),
                ],
            );
        }
        if let Some(record) = s.data.get_mut("requests", id) {
            record.insert("has_notes".into(), Value::Bool(true));
        }
    }
    if technician.is_some() && s.chance(0.25) {
        let key = format!("requests/{id}/worklogs");
        let start = created + HOUR_MS;
        let minutes = s.rng.random_range(15..240);
        let worklog_type = s.any_ref("worklog_types");
        s.add_at(
            &specs::WORKLOGS,
            &key,
            &[
                ("description", json!("Troubleshooting")),
                ("owner", s.user_ref(author)),
                ("start_time", datetime(start)),
                ("end_time", datetime(start + minutes * 60_000)),
                ("time_spent", time_spent_value(minutes * 60_000)),
                ("worklog_type", worklog_type),
                ("created_by", s.user_ref(author)),
                ("created_time", datetime(start)),
            ],
        );
    }
    if s.chance(0.15) {
        let key = format!("requests/{id}/tasks");
        let status = s.any_ref("task_statuses");
        let percentage = s.pick(&[0, 25, 50, 100]);
        s.add_at(
            &specs::NESTED_TASKS,
            &key,
            &[
                ("title", json!("Follow up with the requester")),
                ("status", status),
                ("owner", s.user_ref(author)),
                ("percentage_completion", json!(percentage)),
                ("created_by", s.user_ref(author)),
                ("created_time", datetime(created + HOUR_MS)),
            ],
        );
    }
}
