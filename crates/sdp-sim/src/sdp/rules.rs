//! Rules of problems, changes, releases and assets.

use serde_json::Value;

use super::call::Call;
use super::requests::{check_category, status_effects};
use super::spec::Rules;
use super::store::{PortalData, parse_id};
use super::wire::{ApiError, Record};

/// Category/subcategory/item consistency and status timestamps
/// (problems, releases).
#[derive(Debug)]
pub struct CategoryRules;

impl Rules for CategoryRules {
    fn before_save(
        &self,
        call: &Call,
        data: &PortalData,
        before: Option<&Record>,
        input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        check_category(data, input, record, false)?;
        status_effects(call.now_ms, before, record);
        Ok(())
    }
}

/// Changes: as [`CategoryRules`], and a status change needs a `comment`.
#[derive(Debug)]
pub struct ChangeRules;

impl Rules for ChangeRules {
    fn before_save(
        &self,
        call: &Call,
        data: &PortalData,
        before: Option<&Record>,
        input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        if let Some(before) = before {
            let old = before.get("status").and_then(|s| s.get("id"));
            let new = record.get("status").and_then(|s| s.get("id"));
            let commented = input
                .get("comment")
                .and_then(Value::as_str)
                .is_some_and(|c| !c.trim().is_empty());
            if input.contains_key("status") && old != new && !commented {
                return Err(ApiError::mandatory(&["comment".to_owned()]));
            }
        }
        check_category(data, input, record, false)?;
        status_effects(call.now_ms, before, record);
        Ok(())
    }
}

/// Assets: `product_type` follows the product.
#[derive(Debug)]
pub struct AssetRules;

impl Rules for AssetRules {
    fn before_save(
        &self,
        _call: &Call,
        data: &PortalData,
        _before: Option<&Record>,
        _input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        let product_type = record
            .get("product")
            .and_then(|p| p.get("id"))
            .and_then(parse_id)
            .and_then(|id| data.get("products", id))
            .and_then(|p| p.get("product_type"))
            .cloned()
            .unwrap_or(Value::Null);
        record.insert("product_type".into(), product_type);
        Ok(())
    }
}
