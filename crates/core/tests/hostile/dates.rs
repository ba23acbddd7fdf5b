//! Sessions at the edges of time are skipped with a reason, so what is imported
//! can always be written back out: `import --out` TOML and `/mycal` iCalendar.

use super::corpus;
use emcee_core::agenda::Agenda;
use emcee_core::config::{agenda_file, Source};
use emcee_core::import::{from_bytes, to_agenda_file, ImportOptions};
use emcee_core::polls::PollLimits;
use emcee_core::scheduler::{ical, Reminder};

#[test]
fn extreme_dates_are_skipped_and_the_rest_writes_back_out() {
    let imported = from_bytes(
        &corpus::extreme_dates(),
        &ImportOptions::new(chrono_tz::UTC),
    )
    .unwrap();
    assert_eq!(imported.report.imported, 2);
    let reasons: Vec<(&str, &str)> = imported
        .report
        .skipped
        .iter()
        .map(|s| (s.id.as_str(), s.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    for (id, reason) in &reasons[..2] {
        assert!(
            reason.contains("dated outside the years calendars and agenda files can hold"),
            "{id}: {reason}"
        );
    }
    assert!(reasons[2].1.contains("out of range"), "{reasons:?}");

    // Year 9999 in Brussels was 10000-01-01 locally: a TOML datetime with a
    // five-digit year that no loader reads back.
    let text = toml::to_string(&to_agenda_file(&imported.conference)).unwrap();
    let source = Source {
        file: "agenda.toml".into(),
        text,
    };
    let loaded = agenda_file::load(&source, chrono_tz::UTC, &PollLimits::default()).unwrap();
    assert_eq!(loaded.agenda.sessions().len(), 2);

    let agenda = Agenda::new(imported.conference).unwrap();
    let reminders: Vec<Reminder> = agenda
        .sessions()
        .iter()
        .map(|s| Reminder {
            user: "u".into(),
            session: s.id.clone(),
            minutes_before: 5,
        })
        .collect();
    let calendar = ical::calendar(&agenda, &reminders, chrono::Utc::now());
    for line in calendar
        .lines()
        .filter(|l| l.starts_with("DTSTART") || l.starts_with("DTEND"))
    {
        let value = line.split(':').nth(1).unwrap_or_default();
        assert_eq!(value.len(), 16, "RFC 5545 basic UTC date-time: {line}");
    }
}
