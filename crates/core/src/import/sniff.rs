//! Which of the four formats a file is, decided from its content.
//!
//! URLs such as `/schedule/export` or `planning.ics?lang=fr` say little, and
//! organisers rename files, so the file name is never consulted. JSON is told
//! apart by its top-level keys; the JSON value is handed on so it is parsed once.

use super::limits::Meter;
use super::shape::{self, JSON_NODE_BYTES, XML_NODE_BYTES};
use super::ImportError;
use serde_json::Value;
use std::fmt;

/// The formats named in the error for a file that is none of them.
pub(crate) const FORMATS_TRIED: &str =
    "C3VOC/frab/pretalx schedule.json, frab/pentabarf schedule.xml, Sessionize API v2 \"All\" JSON, iCalendar .ics";

/// A schedule format emcee imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// C3VOC / frab / pretalx `schedule.json`.
    ScheduleJson,
    /// frab / pentabarf `schedule.xml` (FOSDEM, pretalx, wafer).
    FrabXml,
    /// Sessionize API v2, "All" view.
    Sessionize,
    /// iCalendar (RFC 5545).
    ICalendar,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ScheduleJson => "schedule.json",
            Self::FrabXml => "frab schedule.xml",
            Self::Sessionize => "Sessionize JSON",
            Self::ICalendar => "iCalendar",
        })
    }
}

/// A recognised file, with what the sniffing already decoded.
pub(crate) enum Input {
    ScheduleJson(Value),
    Sessionize(Value),
    FrabXml(String),
    ICalendar,
}

impl Input {
    pub fn format(&self) -> Format {
        match self {
            Self::ScheduleJson(_) => Format::ScheduleJson,
            Self::Sessionize(_) => Format::Sessionize,
            Self::FrabXml(_) => Format::FrabXml,
            Self::ICalendar => Format::ICalendar,
        }
    }
}

/// Recognises `bytes`, charging the tree it decodes to `meter` before building it.
pub(crate) fn sniff(bytes: &[u8], meter: &mut Meter) -> Result<Input, ImportError> {
    let unknown = |reason: &str| ImportError::UnknownFormat {
        reason: reason.to_owned(),
    };
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let body = body.get(start..).unwrap_or_default();
    match body.first() {
        None => Err(unknown("the file is empty")),
        Some(b'{' | b'[') => {
            let nodes = shape::json(body).map_err(refused)?.nodes;
            let bytes = nodes
                .saturating_mul(JSON_NODE_BYTES)
                .saturating_add(body.len());
            meter.charge(bytes, "the JSON tree").map_err(refused)?;
            sniff_json(body)
        }
        Some(b'<') => {
            let text = String::from_utf8_lossy(body).into_owned();
            if !text.contains("<schedule") {
                return Err(unknown("XML without a <schedule> element"));
            }
            let nodes = shape::xml(&text).map_err(refused)?.nodes;
            let bytes = nodes
                .saturating_mul(XML_NODE_BYTES)
                .saturating_add(text.len());
            meter.charge(bytes, "the XML tree").map_err(refused)?;
            Ok(Input::FrabXml(text))
        }
        Some(_) if starts_with_ignore_case(body, b"BEGIN:VCALENDAR") => Ok(Input::ICalendar),
        Some(_) => Err(unknown(
            "neither JSON, XML nor a calendar starting with BEGIN:VCALENDAR",
        )),
    }
}

fn sniff_json(body: &[u8]) -> Result<Input, ImportError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| ImportError::UnknownFormat {
        reason: format!("JSON that does not parse ({e})"),
    })?;
    let is_object = |key: &str| value.get(key).is_some_and(Value::is_object);
    let is_array = |key: &str| value.get(key).is_some_and(Value::is_array);
    if is_object("schedule") {
        Ok(Input::ScheduleJson(value))
    } else if is_array("sessions") && (is_array("rooms") || is_array("speakers")) {
        Ok(Input::Sessionize(value))
    } else {
        let reason = if value.is_array() {
            "a JSON array (for Sessionize, export the \"All\" view, not \"Sessions\" or \"Schedule grid\")"
        } else {
            "JSON without a `schedule` object or Sessionize `sessions` and `rooms` arrays"
        };
        Err(ImportError::UnknownFormat {
            reason: reason.to_owned(),
        })
    }
}

fn refused(reason: String) -> ImportError {
    ImportError::Refused { reason }
}

fn starts_with_ignore_case(body: &[u8], prefix: &[u8]) -> bool {
    body.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(bytes: &[u8]) -> Result<Format, ImportError> {
        let mut meter = Meter::start(super::super::Budget::default());
        sniff(bytes, &mut meter).map(|input| input.format())
    }

    #[test]
    fn recognises_each_format_by_content() {
        assert_eq!(
            format_of(b"\xEF\xBB\xBF  {\"schedule\": {}}").ok(),
            Some(Format::ScheduleJson)
        );
        assert_eq!(
            format_of(b"{\"sessions\": [], \"rooms\": []}").ok(),
            Some(Format::Sessionize)
        );
        assert_eq!(
            format_of(b"<?xml version=\"1.0\"?>\n<schedule/>").ok(),
            Some(Format::FrabXml)
        );
        assert_eq!(
            format_of(b"\r\nbegin:vcalendar\r\n").ok(),
            Some(Format::ICalendar)
        );
    }

    #[test]
    fn an_unknown_file_names_the_formats_tried() {
        for bytes in [
            b"".as_slice(),
            b"hello",
            b"{\"a\": 1}",
            b"[1]",
            b"<html/>",
            b"{broken",
        ] {
            let error = format_of(bytes)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(
                error.contains("schedule.json") && error.contains("iCalendar"),
                "{error}"
            );
        }
    }
}
