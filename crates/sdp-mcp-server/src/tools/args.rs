//! Argument shapes and checks shared by several tools: ids, paging, dates,
//! sort order.

use schemars::JsonSchema;
use sdp_client::{ListInfo, MAX_ROW_COUNT, SortOrder};
use serde::Deserialize;

use super::ToolError;

/// Default rows per page.
pub(crate) const DEFAULT_PAGE_SIZE: u32 = 20;

/// A request id as the tools accept it: SDP's numeric id, optionally with a
/// leading `#`.
pub(crate) fn request_id(given: &str) -> Result<String, ToolError> {
    numeric_id("request_id", given, "list_requests or search_requests")
}

/// A numeric SDP id named `field`; `source` says where to find one.
pub(crate) fn numeric_id(field: &str, given: &str, source: &str) -> Result<String, ToolError> {
    let id = given.trim().trim_start_matches('#').trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ToolError::message(format!(
            "`{field}` must be SDP's numeric id (digits only, e.g. \"123456789012345\"), not \
             \"{given}\"; get it from {source}"
        )));
    }
    Ok(id.to_owned())
}

/// Paging arguments to `list_info` (1-based page).
pub(crate) fn paging(page: Option<u32>, page_size: Option<u32>) -> (ListInfo, u32, u32) {
    let page = page.unwrap_or(1).max(1);
    let size = page_size
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_ROW_COUNT);
    let start = (page - 1).saturating_mul(size).saturating_add(1);
    (
        ListInfo::new().row_count(size).start_index(start),
        page,
        size,
    )
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Direction {
    /// Oldest / smallest first.
    Asc,
    /// Newest / largest first (default).
    #[default]
    Desc,
}

impl From<Direction> for SortOrder {
    fn from(direction: Direction) -> Self {
        match direction {
            Direction::Asc => SortOrder::Asc,
            Direction::Desc => SortOrder::Desc,
        }
    }
}

/// Fields requests can be sorted by.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
pub(crate) enum RequestSort {
    /// Creation time (default).
    #[default]
    #[serde(rename = "created_time")]
    Created,
    /// Due-by time.
    #[serde(rename = "due_by_time")]
    DueBy,
    /// Last update.
    #[serde(rename = "last_updated_time")]
    LastUpdated,
}

impl RequestSort {
    pub(crate) fn field(self) -> &'static str {
        match self {
            Self::Created => "created_time",
            Self::DueBy => "due_by_time",
            Self::LastUpdated => "last_updated_time",
        }
    }
}

/// Parses `2026-01-31`, `2026-01-31T14:30`, `2026-01-31T14:30:00Z` (UTC) or
/// epoch milliseconds into epoch milliseconds.
pub(crate) fn epoch_ms(field: &str, given: &str) -> Result<i64, ToolError> {
    let text = given.trim();
    let invalid = || {
        ToolError::message(format!(
            "`{field}` \"{given}\" is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM (UTC) or epoch \
             milliseconds"
        ))
    };
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        return text.parse().map_err(|_| invalid());
    }
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, Some(time.trim_end_matches('Z'))),
        None => (text, None),
    };
    let mut parts = date.split('-').map(str::parse::<i64>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day)), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(invalid());
    }
    let mut seconds = days_from_civil(year, month, day) * 86_400;
    if let Some(time) = time {
        let mut fields = time.split(':').map(str::parse::<i64>);
        let hours = fields.next().and_then(Result::ok).ok_or_else(invalid)?;
        let minutes = fields.next().and_then(Result::ok).unwrap_or(0);
        let secs = fields.next().and_then(Result::ok).unwrap_or(0);
        if !(0..24).contains(&hours) || !(0..60).contains(&minutes) || !(0..61).contains(&secs) {
            return Err(invalid());
        }
        seconds += hours * 3600 + minutes * 60 + secs;
    }
    Ok(seconds * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_to_epoch_milliseconds() {
        assert_eq!(epoch_ms("d", "1970-01-01").unwrap(), 0);
        assert_eq!(epoch_ms("d", "2000-03-01").unwrap(), 951_868_800_000);
        assert_eq!(
            epoch_ms("d", "2026-01-31T14:30:15Z").unwrap(),
            1_769_869_815_000
        );
        assert_eq!(epoch_ms("d", "1769869815000").unwrap(), 1_769_869_815_000);
        assert!(epoch_ms("d", "31/01/2026").is_err());
        assert!(epoch_ms("d", "2026-13-01").is_err());
    }

    #[test]
    fn ids_accept_a_hash_prefix_only() {
        assert_eq!(request_id("#123").unwrap(), "123");
        let error = request_id("RE-12").unwrap_err().to_string();
        assert!(error.contains("request_id"), "{error}");
    }

    #[test]
    fn paging_is_one_based_and_bounded() {
        let (_, page, size) = paging(Some(0), Some(500));
        assert_eq!((page, size), (1, 100));
        let (list_info, _, _) = paging(Some(3), Some(10));
        assert_eq!(list_info.first_row(), 21);
    }
}
