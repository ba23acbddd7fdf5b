//! Config errors that say where: file, line, column and field.
//!
//! An organiser fixing a config on the morning of the conference should not have
//! to hunt. Every error from the TOML layer (syntax, unknown key, bad value) and
//! from validation (end before start, duplicate id) is turned into a
//! [`ConfigError`] whose message starts `path:line:column:` and names the field.

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
}

fn field_prefix(field: &Option<String>) -> String {
    field
        .as_ref()
        .map(|f| format!("`{f}`: "))
        .unwrap_or_default()
}

impl ConfigError {
    /// Where the error points, if it points into a file's text.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Read { .. } | Self::Import { .. } => None,
            Self::Invalid { location, .. } => Some(location),
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

    /// Deserializes the whole file into `T`, locating any error.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] for a syntax error, an unknown key, a missing key or a bad value.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        let deserializer =
            toml::de::Deserializer::parse(&self.text).map_err(|e| self.toml_error(&e, None))?;
        serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let field = Some(e.path().to_string()).filter(|p| p != ".");
            self.toml_error(e.inner(), field)
        })
    }

    fn toml_error(&self, error: &toml::de::Error, field: Option<String>) -> ConfigError {
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
        Location {
            file: self.file.clone(),
            line,
            column,
        }
    }
}

/// `["sessions", "3", "end"]` -> `sessions[3].end`.
fn dotted(path: &[&str]) -> String {
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
        #[allow(dead_code)]
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
    fn error_at_finds_nested_values_and_falls_back_to_parents() {
        let src = source("name = \"a\"\n[[items]]\nsize = 1\n[[items]]\n  size = 2\n");
        let error = src.error_at(&["items", "1", "size"], "too big");
        assert_eq!(error.to_string(), "x.toml:5:10: `items[1].size`: too big");
        let missing = src.error_at(&["items", "1", "colour"], "missing");
        assert_eq!(missing.location().unwrap().line, 4);
    }
}
