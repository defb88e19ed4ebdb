//! Per-portal data: collections of JSON records keyed by numeric id, under one
//! `RwLock` per portal so portals never contend with each other.

use std::collections::{BTreeMap, HashMap};

use bytes::Bytes;
use parking_lot::RwLock;
use serde_json::{Map, Value};

use super::spec::{EntitySpec, Storage};
use super::wire::Record;

/// First id of portal 0; each portal gets its own id range.
const ID_BASE: u64 = 100_000_000_000_000_000;
/// Size of each portal's id range.
const ID_RANGE: u64 = 1_000_000_000_000;

/// A stored attachment's content.
#[derive(Debug, Clone)]
pub struct Blob {
    /// Content type.
    pub content_type: String,
    /// File name.
    pub name: String,
    /// Bytes.
    pub bytes: Bytes,
}

/// All data of one portal.
#[derive(Debug, Default)]
pub struct PortalData {
    next_id: u64,
    collections: HashMap<String, BTreeMap<u64, Record>>,
    display_ids: HashMap<String, u64>,
    /// Merged-away request id → the request it was merged into.
    pub merged_into: HashMap<u64, u64>,
    /// Attachment id → content.
    pub blobs: HashMap<u64, Blob>,
    /// User-defined field definitions per module path (`_metainfo` shape).
    pub udf_defs: HashMap<String, Map<String, Value>>,
}

impl PortalData {
    /// Empty data whose ids start in portal `index`'s range.
    pub fn new(index: usize) -> Self {
        Self {
            next_id: ID_BASE + (index as u64) * ID_RANGE + 1000,
            ..Self::default()
        }
    }

    /// A fresh id.
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The next sequential display id of `module`.
    pub fn next_display_id(&mut self, module: &str) -> u64 {
        let counter = self.display_ids.entry(module.to_owned()).or_insert(0);
        *counter += 1;
        *counter
    }

    /// The collection at `key`, if it has ever held a record.
    pub fn collection(&self, key: &str) -> Option<&BTreeMap<u64, Record>> {
        self.collections.get(key)
    }

    /// The collection at `key`, created on demand.
    pub fn collection_mut(&mut self, key: &str) -> &mut BTreeMap<u64, Record> {
        self.collections.entry(key.to_owned()).or_default()
    }

    /// Records of collection `key` (empty when none).
    pub fn records(&self, key: &str) -> impl Iterator<Item = (&u64, &Record)> {
        self.collections.get(key).into_iter().flat_map(|c| c.iter())
    }

    /// One record.
    pub fn get(&self, key: &str, id: u64) -> Option<&Record> {
        self.collections.get(key).and_then(|c| c.get(&id))
    }

    /// One record, mutable.
    pub fn get_mut(&mut self, key: &str, id: u64) -> Option<&mut Record> {
        self.collections.get_mut(key).and_then(|c| c.get_mut(&id))
    }

    /// Stores `record` under a new id (set as the record's `id`) and returns the id.
    pub fn insert(&mut self, key: &str, mut record: Record) -> u64 {
        let id = self.next_id();
        record.insert("id".into(), Value::String(id.to_string()));
        self.collection_mut(key).insert(id, record);
        id
    }

    /// Removes one record, and every nested collection under it.
    pub fn remove(&mut self, key: &str, id: u64) -> Option<Record> {
        let removed = self.collections.get_mut(key).and_then(|c| c.remove(&id));
        if removed.is_some() {
            let prefix = format!("{key}/{id}/");
            self.collections.retain(|k, _| !k.starts_with(&prefix));
        }
        removed
    }

    /// The first record of `key` whose `field` equals `value` (case-insensitive).
    pub fn find_by(&self, key: &str, field: &str, value: &str) -> Option<(u64, &Record)> {
        self.records(key)
            .find(|(_, r)| {
                r.get(field)
                    .and_then(Value::as_str)
                    .is_some_and(|s| s.eq_ignore_ascii_case(value))
            })
            .map(|(id, r)| (*id, r))
    }

    /// A reference to record `id` of `spec` (its `ref_keys`), for lookup fields.
    pub fn reference(&self, spec: &EntitySpec, id: u64) -> Option<Value> {
        let key = match spec.storage {
            Storage::Own(key)
            | Storage::ChildOf {
                collection: key, ..
            } => key,
            Storage::Nested => return None,
        };
        let record = self.get(key, id)?;
        Some(reference_of(spec, record))
    }
}

/// The reference form of `record` (`{"id","name",…}`).
pub fn reference_of(spec: &EntitySpec, record: &Record) -> Value {
    let mut out = Map::new();
    for key in spec.ref_keys {
        if let Some(v) = record.get(*key) {
            out.insert((*key).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

/// Parses a record id from a path segment or JSON value.
pub fn parse_id(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// One portal.
#[derive(Debug)]
pub struct Portal {
    /// URL name (`itdesk`).
    pub name: String,
    /// Position in the directory (0 = default portal).
    pub index: usize,
    /// Portal id (on-prem `PORTALID`).
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// The data.
    pub data: RwLock<PortalData>,
}

/// Data of every portal.
#[derive(Debug, Default)]
pub struct SdpState {
    portals: Vec<Portal>,
}

impl SdpState {
    /// Wraps seeded portals.
    pub fn from_portals(portals: Vec<Portal>) -> Self {
        Self { portals }
    }

    /// The portal with URL name `name` (case-insensitive).
    pub fn portal(&self, name: &str) -> Option<&Portal> {
        self.portals
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The portal with id or URL name `key` (on-prem `PORTALID`).
    pub fn portal_by_id_or_name(&self, key: &str) -> Option<&Portal> {
        self.portals
            .iter()
            .find(|p| p.id == key)
            .or_else(|| self.portal(key))
    }

    /// All portals, default first.
    pub fn portals(&self) -> &[Portal] {
        &self.portals
    }
}
