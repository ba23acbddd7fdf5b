//! Voting times as people type them: "5" (minutes), "90s", "5m", "1h30m".

use chrono::TimeDelta;

/// Reads a voting time; a bare number is minutes. `None` for anything else,
/// zero, or more than a day.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let text = text.trim().to_lowercase();
    if let Ok(minutes) = text.parse::<i64>() {
        return within_a_day(TimeDelta::try_minutes(minutes)?);
    }
    let mut total = TimeDelta::zero();
    let mut number = String::new();
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let value: i64 = number.parse().ok()?;
        number.clear();
        // Checked: a number too large for a duration is no duration.
        let part = match c {
            'h' => TimeDelta::try_hours(value)?,
            'm' => TimeDelta::try_minutes(value)?,
            's' => TimeDelta::try_seconds(value)?,
            _ => return None,
        };
        total = total.checked_add(&part)?;
    }
    if !number.is_empty() {
        return None;
    }
    within_a_day(total)
}

fn within_a_day(duration: TimeDelta) -> Option<TimeDelta> {
    (duration > TimeDelta::zero() && duration <= TimeDelta::days(1)).then_some(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_seconds_and_hours() {
        assert_eq!(parse_duration("5"), Some(TimeDelta::minutes(5)));
        assert_eq!(parse_duration("90s"), Some(TimeDelta::seconds(90)));
        assert_eq!(parse_duration("1h 30m"), Some(TimeDelta::minutes(90)));
        assert_eq!(parse_duration("0"), None);
        assert_eq!(parse_duration("2d"), None);
        assert_eq!(parse_duration("5 minutes"), None);
        assert_eq!(parse_duration("25h"), None);
    }

    #[test]
    fn numbers_too_large_for_a_duration_are_refused_not_a_panic() {
        assert_eq!(parse_duration("9223372036854775807"), None);
        assert_eq!(parse_duration("9223372036854775807h"), None);
        assert_eq!(parse_duration("153722867280912930m"), None);
        assert_eq!(parse_duration("9223372036854775s9223372036854775s"), None);
        assert_eq!(parse_duration("99999999999999999999999"), None);
    }
}
