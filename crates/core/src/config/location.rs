//! Config errors that say where: file, line, column and field.
//!
//! An organiser fixing a config on the morning of the conference should not have
//! to hunt. Every error from the TOML layer (syntax, unknown key, bad value) and
//! from validation (end before start, duplicate id) is turned into a
//! [`ConfigError`] whose message starts `path:line:column:` and names the field.
//! Each error keeps its line's text for a caret snippet.

use serde::de::DeserializeOwned;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// A place in a config file, 1-based like editors show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    /// The text of that line, for a snippet.
    pub line_text: String,
}

impl Location {
    /// The line with a caret under the column, as compilers show it:
    ///
    /// ```text
    ///   |
    /// 5 | szie = 2
    ///   | ^
    /// ```
    pub fn snippet(&self) -> String {
        let number = self.line.to_string();
        let gutter = " ".repeat(number.len());
        let line: String = self
            .line_text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let pad = " ".repeat(self.column.saturating_sub(1));
        format!("{gutter} |\n{number} | {line}\n{gutter} | {pad}^\n")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Why a config or agenda file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", file.display())]
    Import { file: PathBuf, message: String },
    #[error("{location}: {}{message}", field_prefix(.field))]
    Invalid {
        location: Location,
        /// Dotted path of the offending key ("sessions[3].end"), when known.
        field: Option<String>,
        message: String,
    },
    /// Several problems, in the order found; each on its own line.
    #[error("{}", lines(.0))]
    Several(Vec<ConfigError>),
}

fn lines(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn field_prefix(field: &Option<String>) -> String {
    field
        .as_ref()
        .map(|f| format!("`{f}`: "))
        .unwrap_or_default()
}

impl ConfigError {
    /// Where the (first) error points, if it points into a file's text.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Read { .. } | Self::Import { .. } => None,
            Self::Invalid { location, .. } => Some(location),
            Self::Several(errors) => errors.iter().find_map(Self::location),
        }
    }

    /// Each single problem, in order.
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            Self::Several(errors) => errors.iter().flat_map(Self::problems).collect(),
            single => vec![single],
        }
    }

    /// `Ok` when `errors` is empty, the error itself when there is one, else
    /// [`ConfigError::Several`] (flattened).
    ///
    /// # Errors
    /// As described: any error in `errors`.
    pub fn collect(errors: Vec<ConfigError>) -> Result<(), ConfigError> {
        let mut flat: Vec<ConfigError> = Vec::new();
        for error in errors {
            match error {
                Self::Several(inner) => flat.extend(inner),
                single => flat.push(single),
            }
        }
        match flat.len() {
            0 => Ok(()),
            1 => Err(flat.remove(0)),
            _ => Err(Self::Several(flat)),
        }
    }
}

/// A file's text, kept to turn byte offsets and key paths into locations.
#[derive(Debug, Clone)]
pub struct Source {
    pub file: PathBuf,
    pub text: String,
}

impl Source {
    /// Reads `file`.
    ///
    /// # Errors
    /// [`ConfigError::Read`] when the file cannot be read or is not UTF-8.
    pub fn read(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            file: file.to_owned(),
            source,
        })?;
        Ok(Self {
            file: file.to_owned(),
            text,
        })
    }

    /// Deserializes the whole file into `T`, locating every error: all syntax
    /// errors, else every unknown key and bad value (see `recovery`), with
    /// "did you mean" for unknown keys and zones.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for one problem, [`ConfigError::Several`] for more.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        super::recovery::parse(self)
    }

    pub(super) fn toml_error(&self, error: &toml::de::Error, field: Option<String>) -> ConfigError {
        let offset = error.span().map_or(0, |span| span.start);
        ConfigError::Invalid {
            location: self.location_at(offset),
            field,
            message: error.message().trim().to_owned(),
        }
    }

    /// An error about the value at `path` (e.g. `["sessions", "3", "end"]`), pointing at
    /// that value when it exists, else at its closest existing parent.
    pub fn error_at(&self, path: &[&str], message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            location: self.location_of(path),
            field: Some(dotted(path)),
            message: message.into(),
        }
    }

    /// Where the value at `path` is, else its closest existing parent.
    pub fn location_of(&self, path: &[&str]) -> Location {
        self.location_at(self.span_of(path).map_or(0, |span| span.start))
    }

    fn span_of(&self, path: &[&str]) -> Option<Range<usize>> {
        let root = DeTable::parse(&self.text).ok()?;
        let mut span = root.span();
        let mut table: Option<&DeTable<'_>> = Some(root.get_ref());
        let mut value: Option<&DeValue<'_>> = None;
        for segment in path {
            let next = match (table, value, segment.parse::<usize>()) {
                (Some(t), _, _) => t.get(*segment),
                (None, Some(DeValue::Array(array)), Ok(index)) => array.get(index),
                _ => None,
            };
            let Some(next) = next else { break };
            span = next.span();
            value = Some(next.get_ref());
            table = next.get_ref().as_table();
        }
        Some(span)
    }

    /// Line and column (1-based, in characters) of a byte offset.
    pub fn location_at(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or(&self.text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let line_text = self.text[line_start..]
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned();
        Location {
            file: self.file.clone(),
            line,
            column,
            line_text,
        }
    }
}

/// `["sessions", "3", "end"]` -> `sessions[3].end`.
pub(super) fn dotted(path: &[&str]) -> String {
    let mut out = String::new();
    for segment in path {
        if segment.parse::<usize>().is_ok() {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code)]
        name: String,
        #[serde(default)]
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[allow(dead_code)]
        size: u32,
    }

    fn source(text: &str) -> Source {
        Source {
            file: PathBuf::from("x.toml"),
            text: text.into(),
        }
    }

    #[test]
    fn unknown_key_names_line_column_and_field() {
        let error = source("name = \"a\"\n[[items]]\nsize = 1\n[[items]]\nszie = 2\n")
            .parse::<Sample>()
            .unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("x.toml:5:1: `items[1]"), "{text}");
        assert!(text.contains("szie"), "{text}");
    }

    #[test]
    fn bad_value_points_at_the_value() {
        let error = source("name = \"a\"\n[[items]]\nsize = \"big\"\n")
            .parse::<Sample>()
            .unwrap_err();
        assert!(
            error.to_string().starts_with("x.toml:3:8: `items[0].size`"),
            "{error}"
        );
    }

    #[test]
    fn every_unknown_key_and_bad_value_is_reported_in_one_run() {
        let error =
            source("nmae = \"a\"\n[[items]]\nsize = \"big\"\n[[items]]\nszie = 2\nsize = 3\n")
                .parse::<Sample>()
                .unwrap_err();
        let problems: Vec<String> = error.problems().iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(problems[0].starts_with("x.toml:1:1:"), "{}", problems[0]);
        assert!(
            problems[0].ends_with("did you mean `name`?"),
            "{}",
            problems[0]
        );
        assert!(problems
            .iter()
            .any(|p| p.starts_with("x.toml:3:8: `items[0].size`")));
        assert!(problems
            .iter()
            .any(|p| p.starts_with("x.toml:5:1:") && p.contains("did you mean `size`?")));
        assert!(
            !problems.iter().any(|p| p.contains("missing field")),
            "the missing `name` and `size` are the same problems again: {problems:#?}"
        );
        let szie = error.problems()[2].location().unwrap().snippet();
        assert_eq!(szie, "  |\n5 | szie = 2\n  | ^\n");
    }

    #[test]
    fn every_syntax_error_is_reported_and_a_clean_file_still_parses() {
        let error = source("name = \"a\nsize = = 2\n[[items]\n")
            .parse::<Sample>()
            .unwrap_err();
        assert!(error.problems().len() >= 2, "{error}");
        let sample: Sample = source("name = \"a\"\n[[items]]\nsize = 1\n")
            .parse()
            .unwrap();
        assert_eq!(sample.items.len(), 1);
    }

    #[test]
    fn error_at_finds_nested_values_and_falls_back_to_parents() {
        let src = source("name = \"a\"\n[[items]]\nsize = 1\n[[items]]\n  size = 2\n");
        let error = src.error_at(&["items", "1", "size"], "too big");
        assert_eq!(error.to_string(), "x.toml:5:10: `items[1].size`: too big");
        let missing = src.error_at(&["items", "1", "colour"], "missing");
        assert_eq!(missing.location().unwrap().line, 4);
    }
}
