//! Voting times as people type them: "5" (minutes), "90s", "5m", "1h30m".

use chrono::TimeDelta;

/// Reads a voting time; a bare number is minutes. `None` for anything else,
/// zero, or more than a day.
pub fn parse_duration(text: &str) -> Option<TimeDelta> {
    let text = text.trim().to_lowercase();
    if let Ok(minutes) = text.parse::<i64>() {
        return within_a_day(TimeDelta::minutes(minutes));
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
        total += match c {
            'h' => TimeDelta::hours(value),
            'm' => TimeDelta::minutes(value),
            's' => TimeDelta::seconds(value),
            _ => return None,
        };
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
}
