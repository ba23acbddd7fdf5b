//! Reading the day someone asked for: a date, "today", "tomorrow", a weekday, or
//! the conference's day number.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;

/// Resolves `typed` against the conference's `days`, with `now` for relative words.
/// Returns `None` when the text names no day at all.
pub fn parse_day(
    typed: &str,
    days: &[NaiveDate],
    now: DateTime<Utc>,
    timezone: Tz,
) -> Option<NaiveDate> {
    let typed = typed.trim().to_lowercase();
    let today = now.with_timezone(&timezone).date_naive();
    match typed.as_str() {
        "" | "today" => return Some(today),
        "tomorrow" => return Some(today + TimeDelta::days(1)),
        "yesterday" => return Some(today - TimeDelta::days(1)),
        _ => {}
    }
    if let Ok(date) = NaiveDate::parse_from_str(&typed, "%Y-%m-%d") {
        return Some(date);
    }
    let number = typed.strip_prefix("day").unwrap_or(&typed).trim();
    if let Ok(n) = number.parse::<usize>() {
        return n.checked_sub(1).and_then(|i| days.get(i)).copied();
    }
    days.iter().copied().find(|day| {
        let weekday = day.weekday().to_string().to_lowercase();
        let full = day.format("%A").to_string().to_lowercase();
        typed.len() >= 3 && (full.starts_with(&typed) || weekday == typed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_relative_words_weekdays_and_day_numbers() {
        let days = [
            NaiveDate::from_ymd_opt(2021, 10, 6).unwrap(),
            NaiveDate::from_ymd_opt(2021, 10, 7).unwrap(),
        ];
        // 2021-10-07 03:00 UTC is still the 6th in US/Pacific.
        let now = DateTime::parse_from_rfc3339("2021-10-07T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tz = chrono_tz::US::Pacific;
        assert_eq!(parse_day("today", &days, now, tz), Some(days[0]));
        assert_eq!(parse_day("Tomorrow", &days, now, tz), Some(days[1]));
        assert_eq!(parse_day("2021-10-07", &days, now, tz), Some(days[1]));
        assert_eq!(parse_day("day 2", &days, now, tz), Some(days[1]));
        assert_eq!(parse_day("1", &days, now, tz), Some(days[0]));
        assert_eq!(parse_day("thu", &days, now, tz), Some(days[1]));
        assert_eq!(parse_day("Thursday", &days, now, tz), Some(days[1]));
        assert_eq!(parse_day("day 9", &days, now, tz), None);
        assert_eq!(parse_day("someday", &days, now, tz), None);
    }
}
