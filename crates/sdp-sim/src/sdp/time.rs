//! Datetime values as SDP renders them: `{"display_value": "Nov 10, 2016 11:44 AM",
//! "value": "1478758440000"}` (epoch milliseconds as a string, display in UTC).

use serde_json::{Value, json};

/// Fixed base epoch of seeded data: 2026-09-01T00:00:00Z. Seeded times lie in
/// the 90 days before it, so data never depends on the wall clock.
pub const SEED_BASE_MS: i64 = 1_788_220_800_000;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `{"display_value", "value"}` for epoch milliseconds `ms`.
pub fn datetime(ms: i64) -> Value {
    json!({ "display_value": display(ms), "value": ms.to_string() })
}

/// Reads epoch milliseconds from an input datetime: `{"value": "…"}`, a
/// number or a numeric string. `None` when not a datetime.
pub fn parse_input(value: &Value) -> Option<i64> {
    match value {
        Value::Object(map) => map.get("value").and_then(parse_input),
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// The stored epoch milliseconds of an output datetime value.
pub fn stored_ms(value: &Value) -> Option<i64> {
    parse_input(value)
}

/// `Nov 10, 2016 11:44 AM` in UTC.
pub fn display(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let hour = rem / 3600;
    let minute = (rem % 3600) / 60;
    let (h12, ampm) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    let month_name = MONTHS[usize::try_from(month - 1).unwrap_or(0).min(11)];
    format!("{month_name} {day:02}, {year} {h12:02}:{minute:02} {ampm}")
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_like_sdp() {
        assert_eq!(super::display(1_478_758_440_000), "Nov 10, 2016 06:14 AM");
        assert_eq!(super::display(super::SEED_BASE_MS), "Sep 01, 2026 12:00 AM");
    }
}
