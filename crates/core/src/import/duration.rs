//! Durations as schedules write them.
//!
//! frab and pretalx write "HH:MM", hand-merged files "H:MM" ("1:00"), some
//! generators "HH:MM:SS", and iCalendar uses ISO 8601 ("PT1H30M"). Each is read
//! strictly enough that garbage is refused with a message, never guessed at.

use chrono::TimeDelta;

/// Reads "H:MM", "HH:MM" or "HH:MM:SS" (hours may exceed 24 for festivals).
pub(crate) fn clock(text: &str) -> Result<TimeDelta, String> {
    let bad = || format!("duration `{text}` is not H:MM, HH:MM or HH:MM:SS");
    let parts: Vec<&str> = text.trim().split(':').collect();
    let (hours, minutes, seconds) = match parts.as_slice() {
        [h, m] => (*h, *m, "0"),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(bad()),
    };
    let number = |part: &str, max: u32| -> Option<i64> {
        let digits_ok =
            !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit());
        digits_ok
            .then(|| part.parse::<u32>().ok())
            .flatten()
            .filter(|n| *n <= max)
            .map(i64::from)
    };
    let (Some(h), Some(m), Some(s)) = (
        number(hours, 9999),
        number(minutes, 59),
        number(seconds, 59),
    ) else {
        return Err(bad());
    };
    Ok(TimeDelta::seconds(h * 3600 + m * 60 + s))
}

/// Reads an iCalendar DURATION value: `P[nW]` or `P[nD][T[nH][nM][nS]]`, optionally signed.
pub(crate) fn iso8601(text: &str) -> Result<TimeDelta, String> {
    let bad = || format!("duration `{text}` is not an iCalendar duration such as PT1H30M");
    let trimmed = text.trim();
    let (negative, rest) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, trimmed.get(1..).unwrap_or_default()),
        Some(b'+') => (false, trimmed.get(1..).unwrap_or_default()),
        _ => (false, trimmed),
    };
    let rest = rest.strip_prefix(['P', 'p']).ok_or_else(bad)?;
    let mut seconds: i64 = 0;
    let mut number: Option<i64> = None;
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        if let Some(digit) = c.to_digit(10) {
            let so_far = number.unwrap_or(0);
            number = Some(
                so_far
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(digit)))
                    .ok_or_else(bad)?,
            );
            continue;
        }
        let unit = match (c.to_ascii_uppercase(), in_time) {
            ('T', false) if number.is_none() => {
                in_time = true;
                continue;
            }
            ('W', false) => 7 * 86_400,
            ('D', false) => 86_400,
            ('H', true) => 3600,
            ('M', true) => 60,
            ('S', true) => 1,
            _ => return Err(bad()),
        };
        let value = number.take().ok_or_else(bad)?;
        seconds = value
            .checked_mul(unit)
            .and_then(|v| seconds.checked_add(v))
            .ok_or_else(bad)?;
        any = true;
    }
    if !any || number.is_some() {
        return Err(bad());
    }
    let seconds = if negative { -seconds } else { seconds };
    TimeDelta::try_seconds(seconds).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations_in_every_published_shape() {
        assert_eq!(clock("1:00"), Ok(TimeDelta::hours(1)));
        assert_eq!(clock("00:25"), Ok(TimeDelta::minutes(25)));
        assert_eq!(clock("13:20"), Ok(TimeDelta::minutes(13 * 60 + 20)));
        assert_eq!(clock("00:05:30"), Ok(TimeDelta::seconds(330)));
        assert_eq!(clock(" 0:30 "), Ok(TimeDelta::minutes(30)));
        assert_eq!(clock("00:00"), Ok(TimeDelta::zero()));
    }

    #[test]
    fn clock_refuses_garbage() {
        for text in [
            "",
            "90",
            "1:60",
            "a:00",
            "1:00:00:00",
            "-1:00",
            "1:+5",
            ":30",
            "99999:00",
        ] {
            assert!(clock(text).is_err(), "{text}");
        }
    }

    #[test]
    fn iso_durations() {
        assert_eq!(iso8601("PT1H30M"), Ok(TimeDelta::minutes(90)));
        assert_eq!(iso8601("P1D"), Ok(TimeDelta::days(1)));
        assert_eq!(iso8601("P1W"), Ok(TimeDelta::weeks(1)));
        assert_eq!(iso8601("P1DT2H"), Ok(TimeDelta::hours(26)));
        assert_eq!(iso8601("PT45S"), Ok(TimeDelta::seconds(45)));
        assert_eq!(iso8601("-PT5M"), Ok(TimeDelta::minutes(-5)));
    }

    #[test]
    fn iso_refuses_garbage() {
        for text in [
            "",
            "P",
            "PT",
            "1H",
            "PT1",
            "PTH",
            "P1H",
            "PT1D",
            "P99999999999999999999D",
            "PT1H1",
        ] {
            assert!(iso8601(text).is_err(), "{text}");
        }
    }
}
