//! Worklog and task rules: owner defaults to the caller, time spent derives
//! from start/end, an end before its start is a 4016 time mismatch.

use serde_json::Value;

use super::call::Call;
use super::fields;
use super::generic::caller_ref;
use super::spec::Rules;
use super::store::PortalData;
use super::time;
use super::wire::{ApiError, Record};

fn ms(record: &Record, field: &str) -> Option<i64> {
    record
        .get(field)
        .filter(|v| !v.is_null())
        .and_then(time::stored_ms)
}

fn check_order(record: &Record, start: &str, end: &str) -> Result<(), ApiError> {
    if let (Some(s), Some(e)) = (ms(record, start), ms(record, end))
        && e < s
    {
        return Err(ApiError::field(
            4016,
            end,
            format!("{end} must not be earlier than {start}"),
        ));
    }
    Ok(())
}

/// Worklog rules.
#[derive(Debug)]
pub struct WorklogRules;

impl Rules for WorklogRules {
    fn before_save(
        &self,
        call: &Call,
        data: &PortalData,
        _before: Option<&Record>,
        input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        check_order(record, "start_time", "end_time")?;
        if record.get("owner").is_none_or(Value::is_null) {
            record.insert("owner".into(), caller_ref(data, call));
        }
        let given = input.get("time_spent").is_some_and(|t| !t.is_null());
        if !given && let (Some(s), Some(e)) = (ms(record, "start_time"), ms(record, "end_time")) {
            record.insert("time_spent".into(), fields::time_spent_value(e - s));
        }
        if record.get("time_spent").is_none_or(Value::is_null) {
            record.insert("time_spent".into(), fields::time_spent_value(0));
        }
        Ok(())
    }
}

/// Task rules.
#[derive(Debug)]
pub struct TaskRules;

impl Rules for TaskRules {
    fn before_save(
        &self,
        _call: &Call,
        _data: &PortalData,
        _before: Option<&Record>,
        _input: &Record,
        record: &mut Record,
    ) -> Result<(), ApiError> {
        check_order(record, "scheduled_start_time", "scheduled_end_time")?;
        check_order(record, "actual_start_time", "actual_end_time")?;
        if let Some(p) = record.get("percentage_completion").and_then(Value::as_i64)
            && !(0..=100).contains(&p)
        {
            return Err(ApiError::field(
                4001,
                "percentage_completion",
                "percentage_completion must be between 0 and 100",
            ));
        }
        Ok(())
    }
}
