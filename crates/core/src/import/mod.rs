//! Schedule importers: the programme as organisers already publish it, turned into
//! emcee's [`Conference`] so nobody retypes it into TOML.
//!
//! Four formats are recognised by their content, never by a file name
//! ([`sniff`]): C3VOC/frab/pretalx `schedule.json`, frab/pentabarf `schedule.xml`,
//! the Sessionize API v2 "All" JSON view and iCalendar. Each parser turns every
//! event it can read into a [`Session`](crate::agenda::Session) with UTC instants,
//! and every event it cannot into a [`Skipped`] entry with the reason, so one broken
//! event never costs the rest of the programme. [`assemble`] then applies the rules
//! the agenda enforces (unique ids, non-empty titles, end after start, declared
//! tracks and rooms), which is why what [`from_bytes`] returns always passes
//! [`Agenda::new`](crate::agenda::Agenda::new).
//!
//! Times are the hard part: absolute timestamps with an offset win wherever a
//! format has them; the caller's fallback timezone is used only where a file gives
//! wall-clock times without one, and the report says so.
//!
//! Sources ([`source`]) add files and http(s) URLs with revalidation, a last good
//! copy on disk and the [`AgendaDiff`](crate::agenda::diff::AgendaDiff) of a refresh.

mod assemble;
mod cache;
pub(crate) mod caps;
mod destination;
mod duration;
mod export;
pub mod fetch;
mod frab_xml;
mod ical;
mod kind;
mod lenient_json;
mod limits;
mod report;
mod schedule_json;
mod sessionize;
mod shape;
mod sniff;
pub mod source;
mod text;
mod timestamp;

pub use export::to_agenda_file;
pub use limits::Budget;
pub use report::{ImportReport, Skipped};
pub use sniff::Format;

use crate::agenda::Conference;
use chrono_tz::Tz;
use limits::Meter;
use std::sync::Arc;

/// How to read a schedule.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The timezone for wall-clock times that carry no offset, and for grouping
    /// sessions into days when the file names no timezone of its own.
    pub fallback_timezone: Tz,
    /// The conference's name when the file has none (Sessionize, some calendars).
    pub fallback_name: String,
    /// What one import may cost before the file is refused.
    pub budget: Budget,
}

impl ImportOptions {
    /// Options with `fallback_timezone` and a generic conference name.
    pub fn new(fallback_timezone: Tz) -> Self {
        Self {
            fallback_timezone,
            fallback_name: "Conference".to_owned(),
            budget: Budget::default(),
        }
    }
}

/// A schedule read into emcee's model, with what happened on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    pub format: Format,
    /// Always accepted by [`Agenda::new`](crate::agenda::Agenda::new).
    pub conference: Conference,
    pub report: ImportReport,
}

/// Why a whole file could not be imported (a broken event only skips that event).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error(
        "not a schedule emcee can read (tried {}): {reason}",
        sniff::FORMATS_TRIED
    )]
    UnknownFormat { reason: String },
    #[error("this looks like {format} but cannot be read: {reason}")]
    Malformed { format: Format, reason: String },
    /// Too deep, too large once parsed, or over the time or memory [`Budget`].
    #[error("refused: {reason}")]
    Refused { reason: String },
    /// The import thread died; a bug, reported rather than taking the bot down.
    #[error("the import stopped unexpectedly: {reason}")]
    Aborted { reason: String },
}

/// Detects the format of `bytes` and imports it.
///
/// ```
/// use emcee_core::import::{from_bytes, ImportOptions};
/// let ics = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Opening\r\n\
/// DTSTART:20250201T090000Z\r\nDTEND:20250201T093000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
/// let imported = from_bytes(ics, &ImportOptions::new(chrono_tz::Europe::Brussels)).unwrap();
/// assert_eq!(imported.conference.sessions.len(), 1);
/// ```
///
/// # Errors
/// [`ImportError::UnknownFormat`] when the content is none of the four formats, and
/// [`ImportError::Malformed`] when it is one but its structure cannot be read at all.
pub fn from_bytes(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut meter = Meter::start(options.budget);
    let tripped = meter.tripped();
    let input = sniff::sniff(bytes, &mut meter)?;
    let format = input.format();
    let parsed = match input {
        sniff::Input::ScheduleJson(value) => schedule_json::parse(&value, options, meter),
        sniff::Input::Sessionize(value) => sessionize::parse(&value, options, meter),
        sniff::Input::FrabXml(text) => frab_xml::parse(&text, options, meter),
        sniff::Input::ICalendar => ical::parse(bytes, options, meter),
    }
    .and_then(|parsed| parsed.check_time().map(|()| parsed))
    .map_err(|reason| match tripped.get() {
        true => ImportError::Refused { reason },
        false => ImportError::Malformed { format, reason },
    })?;
    let (conference, report) = assemble::assemble(format, parsed);
    tracing::debug!(%format, imported = report.imported, skipped = report.skipped.len(), "schedule imported");
    Ok(Imported {
        format,
        conference,
        report,
    })
}

/// [`from_bytes`] on a blocking thread, so a large or hostile file never stalls
/// the async workers (announcements, polls and the gateway keep running), and
/// never runs on their smaller stacks. A parse that outlives twice its time
/// budget is abandoned (it cannot hold more than its memory budget meanwhile).
///
/// # Errors
/// As [`from_bytes`], plus [`ImportError::Refused`] for an abandoned parse and
/// [`ImportError::Aborted`] if the thread panicked.
pub async fn import(bytes: Arc<[u8]>, options: ImportOptions) -> Result<Imported, ImportError> {
    let patience = options
        .budget
        .time
        .saturating_mul(2)
        .saturating_add(std::time::Duration::from_millis(500));
    let task = tokio::task::spawn_blocking(move || from_bytes(&bytes, &options));
    match tokio::time::timeout(patience, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(error)) => Err(ImportError::Aborted {
            reason: error.to_string(),
        }),
        Err(_) => Err(ImportError::Refused {
            reason: format!(
                "reading it did not finish within {} ms",
                patience.as_millis()
            ),
        }),
    }
}
