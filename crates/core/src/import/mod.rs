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
mod duration;
mod export;
pub mod fetch;
mod frab_xml;
mod ical;
mod ical_lines;
mod kind;
mod lenient_json;
mod report;
mod schedule_json;
mod sessionize;
mod sniff;
pub mod source;
mod text;
mod timestamp;

pub use export::to_agenda_file;
pub use report::{ImportReport, Skipped};
pub use sniff::Format;

use crate::agenda::Conference;
use chrono_tz::Tz;

/// How to read a schedule.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The timezone for wall-clock times that carry no offset, and for grouping
    /// sessions into days when the file names no timezone of its own.
    pub fallback_timezone: Tz,
    /// The conference's name when the file has none (Sessionize, some calendars).
    pub fallback_name: String,
}

impl ImportOptions {
    /// Options with `fallback_timezone` and a generic conference name.
    pub fn new(fallback_timezone: Tz) -> Self {
        Self {
            fallback_timezone,
            fallback_name: "Conference".to_owned(),
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
    let input = sniff::sniff(bytes)?;
    let format = input.format();
    let parsed = match input {
        sniff::Input::ScheduleJson(value) => schedule_json::parse(&value, options),
        sniff::Input::Sessionize(value) => sessionize::parse(&value, options),
        sniff::Input::FrabXml(text) => frab_xml::parse(&text, options),
        sniff::Input::ICalendar => ical::parse(bytes, options),
    }
    .map_err(|reason| ImportError::Malformed { format, reason })?;
    let (conference, report) = assemble::assemble(format, parsed);
    tracing::debug!(%format, imported = report.imported, skipped = report.skipped.len(), "schedule imported");
    Ok(Imported {
        format,
        conference,
        report,
    })
}
