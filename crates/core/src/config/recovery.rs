//! Reading a config file past its problems, so that one run of `emcee check`
//! shows every one of them, as an editor would underline them, not the first.
//!
//! Syntax errors are recovered past by toml's own parser. After an unknown
//! key or a bad value, the key is set aside and the file read again. A
//! required key set aside then makes the file fail as "missing", which is no
//! new problem: a filler value that fits is put in its place (or, for a typo
//! such as `nmae`, the value under the key it was meant to be), so the rest
//! of the file is still read. The value read with fillers is never used: any
//! problem fails the whole file.

use super::location::{dotted, ConfigError, Source};
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

/// Deserializes `source` into `T`, reporting every problem found.
///
/// # Errors
/// [`ConfigError::Invalid`] for one problem, [`ConfigError::Several`] for more,
/// in file order.
pub(super) fn parse<T: DeserializeOwned>(source: &Source) -> Result<T, ConfigError> {
    let (mut root, syntax) = DeTable::parse_recoverable(&source.text);
    if !syntax.is_empty() {
        let errors = syntax.iter().map(|e| source.toml_error(e, None)).collect();
        return Err(ConfigError::collect(errors)
            .err()
            .unwrap_or_else(|| source.error_at(&[], "is not valid TOML")));
    }
    let mut problems: Vec<ConfigError> = Vec::new();
    let mut set_aside = SetAside::default();
    for _ in 0..MAX_ROUNDS {
        let error = match serde_path_to_error::deserialize::<_, T>(root.clone().into_deserializer())
        {
            Ok(value) if problems.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(error) => error,
        };
        let path = path_segments(error.path());
        let message = error.inner().message().trim().to_owned();
        match set_aside.next_step(&path, &message) {
            Step::Fill(field) => {
                if !set_aside.fill(root.get_mut(), &field) {
                    break;
                }
                continue;
            }
            Step::Rename(index) => {
                if !set_aside.rename(root.get_mut(), index) {
                    break;
                }
                continue;
            }
            Step::Report => {}
        }
        if problems.len() == MAX_PROBLEMS {
            break;
        }
        let (problem, meant) = located(source, error.inner(), &path, &message);
        problems.push(problem);
        let offending = offending_key(path, &message);
        if !set_aside.remove(root.get_mut(), offending, meant) {
            break;
        }
    }
    problems.sort_by_key(|p| p.location().map(|l| (l.line, l.column)));
    Err(ConfigError::collect(problems)
        .err()
        .unwrap_or_else(|| source.error_at(&[], "could not be read")))
}

/// The problem as the organiser reads it, with "did you mean" where a known
/// key or zone is close; and the key an unknown one was probably meant to be.
fn located(
    source: &Source,
    error: &toml::de::Error,
    path: &[String],
    message: &str,
) -> (ConfigError, Option<String>) {
    let field = Some(dotted_owned(path)).filter(|p| !p.is_empty());
    let mut problem = source.toml_error(error, field);
    let meant = closest_known_key(message);
    let hint = meant.clone().or_else(|| closest_zone(message));
    if let (ConfigError::Invalid { message, .. }, Some(hint)) = (&mut problem, hint) {
        message.push_str(&format!("; did you mean `{hint}`?"));
    }
    (problem, meant)
}

/// The key to set aside for an error at `path`: the unknown key itself, or
/// the whole array when one element of a plain array is bad.
fn offending_key(mut path: Vec<String>, message: &str) -> Vec<String> {
    if let Some(key) = unknown_key(message) {
        if path.last().map(String::as_str) != Some(key) {
            path.push(key.to_owned());
        }
    }
    while path.last().is_some_and(|s| s.parse::<usize>().is_ok()) {
        path.pop();
    }
    path
}

/// How many problems one file may report before the rest are left for the next run.
const MAX_PROBLEMS: usize = 50;
/// How many times a file is read again while setting keys aside and filling
/// required ones: bounds the work on a hostile file.
const MAX_ROUNDS: usize = 400;

/// serde_path_to_error's path as segments: keys and array indexes.
fn path_segments(path: &serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => Some(key.clone()),
            Segment::Unknown => None,
        })
        .collect()
}

/// The key an "unknown field `x`" message names.
fn unknown_key(message: &str) -> Option<&str> {
    message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
}

/// For "unknown field `szie`, expected `size`", the known key closest to the
/// typed one, if any is close.
fn closest_known_key(message: &str) -> Option<String> {
    let typed = unknown_key(message)?;
    let expected = message.split_once("expected").map_or("", |(_, rest)| rest);
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|known| (strsim::jaro_winkler(typed, known), known))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, known)| known.to_owned())
}

/// For chrono-tz's "failed to parse timezone: 'Europe/Londn'", the IANA zone
/// closest to the typed one, if any is close.
fn closest_zone(message: &str) -> Option<String> {
    let typed = message
        .strip_prefix("failed to parse timezone: '")?
        .strip_suffix('\'')?
        .to_lowercase();
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|zone| {
            (
                strsim::jaro_winkler(&typed, &zone.name().to_lowercase()),
                zone.name(),
            )
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.to_owned())
}

/// Values tried in place of a required key that was set aside, so that the
/// rest of the file can still be read: whichever the field's type accepts.
const FILLERS: &str = "a = 0\nb = \"UTC\"\nc = false\nd = 1970-01-01T00:00:00Z\n\
                       e = []\nf = {}\ng = 0.5\nh = \"\"\ni = \"00:00\"\n";

/// What the loop does with an error.
enum Step {
    /// Report it, then set the offending key aside.
    Report,
    /// It only says a required key is missing, or that the filler put in its
    /// place does not fit: try the next filler at this path.
    Fill(Vec<String>),
    /// It says a required key is missing that an unknown key set aside was
    /// probably meant to be ("nmae" for "name"): read that value as it.
    Rename(usize),
}

/// A key set aside: where it was, and what the organiser probably meant.
struct Removed<'i> {
    path: Vec<String>,
    key: Spanned<DeString<'i>>,
    value: Spanned<DeValue<'i>>,
    /// For an unknown key, the known key it is closest to.
    meant: Option<String>,
}

/// The keys set aside so far, and the required ones being filled.
#[derive(Default)]
struct SetAside<'i> {
    removed: Vec<Removed<'i>>,
    /// The required key being filled, and how many fillers it has had.
    filling: Option<(Vec<String>, usize)>,
}

impl<'i> SetAside<'i> {
    fn next_step(&mut self, path: &[String], message: &str) -> Step {
        if let Some((field, _)) = &self.filling {
            if path == field.as_slice() || missing_at(message, path, field) {
                return Step::Fill(field.clone());
            }
        }
        self.filling = None;
        let meant = self.removed.iter().position(|removed| {
            removed.meant.as_ref().is_some_and(|meant| {
                let (_, parents) = removed.path.split_last().unwrap_or((meant, &[]));
                let mut field = parents.to_vec();
                field.push(meant.clone());
                missing_at(message, path, &field)
            })
        });
        if let Some(index) = meant {
            return Step::Rename(index);
        }
        match self
            .removed
            .iter()
            .find(|removed| missing_at(message, path, &removed.path))
        {
            Some(removed) => Step::Fill(removed.path.clone()),
            None => Step::Report,
        }
    }

    /// Removes the key at `path`, remembering what it was probably meant to
    /// be; false when nothing is there.
    fn remove(&mut self, root: &mut DeTable<'i>, path: Vec<String>, meant: Option<String>) -> bool {
        let Some((last, parents)) = path.split_last() else {
            return false;
        };
        let Some((key, value)) =
            table_at(root, parents).and_then(|t| t.remove_entry(last.as_str()))
        else {
            return false;
        };
        self.removed.push(Removed {
            path,
            key,
            value,
            meant,
        });
        true
    }

    /// Puts the value of the unknown key `removed[index]` back under the key
    /// it was meant to be; false when that fails.
    fn rename(&mut self, root: &mut DeTable<'i>, index: usize) -> bool {
        let Some(removed) = self.removed.get_mut(index) else {
            return false;
        };
        let (Some(meant), Some((_, parents))) = (removed.meant.take(), removed.path.split_last())
        else {
            return false;
        };
        let parents = parents.to_vec();
        let key = Spanned::new(removed.key.span(), std::borrow::Cow::Owned(meant.clone()));
        let value = removed.value.clone();
        removed.path = parents.iter().cloned().chain([meant]).collect();
        match table_at(root, &parents) {
            Some(table) => {
                table.insert(key, value);
                true
            }
            None => false,
        }
    }

    /// Puts the next filler at `field`; false when none is left.
    fn fill(&mut self, root: &mut DeTable<'i>, field: &[String]) -> bool {
        let tried = match &mut self.filling {
            Some((filling, tried)) if filling.as_slice() == field => {
                *tried += 1;
                *tried
            }
            _ => {
                self.filling = Some((field.to_vec(), 0));
                0
            }
        };
        let Ok(fillers) = DeTable::parse(FILLERS) else {
            return false;
        };
        let Some(filler) = fillers
            .get_ref()
            .iter()
            .nth(tried)
            .map(|(_, v)| v.get_ref().clone())
        else {
            return false;
        };
        let Some((key, span)) = self
            .removed
            .iter()
            .find(|removed| removed.path.as_slice() == field)
            .map(|removed| (removed.key.clone(), removed.value.span()))
        else {
            return false;
        };
        let Some((_, parents)) = field.split_last() else {
            return false;
        };
        match table_at(root, parents) {
            Some(table) => {
                table.insert(key, Spanned::new(span, filler));
                true
            }
            None => false,
        }
    }
}

/// Whether `message` says that `field` (a full path) is missing from `path`.
fn missing_at(message: &str, path: &[String], field: &[String]) -> bool {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (missing, field.split_last()) {
        (Some(missing), Some((last, parents))) => missing == last && parents == path,
        _ => false,
    }
}

/// The table at `path` (keys, and indexes into arrays of tables).
fn table_at<'t, 'i>(root: &'t mut DeTable<'i>, path: &[String]) -> Option<&'t mut DeTable<'i>> {
    let mut table = root;
    let mut segments = path.iter();
    while let Some(segment) = segments.next() {
        let mut value = table.get_mut(segment.as_str())?.get_mut();
        loop {
            match value {
                DeValue::Table(inner) => {
                    table = inner;
                    break;
                }
                DeValue::Array(array) => {
                    let index = segments.next()?.parse::<usize>().ok()?;
                    value = array.get_mut(index)?.get_mut();
                }
                _ => return None,
            }
        }
    }
    Some(table)
}

fn dotted_owned(path: &[String]) -> String {
    dotted(&path.iter().map(String::as_str).collect::<Vec<_>>())
}
