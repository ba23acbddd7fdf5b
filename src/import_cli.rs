//! `emcee import`: read a published schedule, report it, optionally write it as
//! emcee's own agenda TOML.

use crate::cli::ImportArgs;
use crate::progress::Progress;
use crate::render::text::for_terminal;
use crate::setup::read_source;
use emcee_core::agenda::Conference;
use emcee_core::config::ConfigError;
use emcee_core::import::{self, ImportOptions, Imported};
use std::path::{Path, PathBuf};

/// Why `emcee import` (or `init`) wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    /// The source or the config could not be read, or the output written.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A file it would write exists, and `--force` was not given.
    #[error("{}", exists_text(.0))]
    Exists(Vec<PathBuf>),
    /// The output could not be written.
    #[error("{}: cannot write: {source}", file.display())]
    Write {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Writes `text` to `file`.
///
/// # Errors
/// [`ImportFailure::Write`] naming the file.
pub fn write(file: &Path, text: &str) -> Result<(), ImportFailure> {
    std::fs::write(file, text).map_err(|source| ImportFailure::Write {
        file: file.to_owned(),
        source,
    })
}

fn exists_text(files: &[PathBuf]) -> String {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    format!(
        "{} already {}; nothing was written (give --force to overwrite)",
        names.join(" and "),
        if files.len() == 1 { "exists" } else { "exist" }
    )
}

/// `Ok` when none of `files` exists or `force` is given.
///
/// # Errors
/// [`ImportFailure::Exists`] listing the files that exist.
pub fn refuse_to_overwrite(files: &[&Path], force: bool) -> Result<(), ImportFailure> {
    let existing: Vec<PathBuf> = files
        .iter()
        .filter(|file| !force && file.exists())
        .map(|file| file.to_path_buf())
        .collect();
    if existing.is_empty() {
        Ok(())
    } else {
        Err(ImportFailure::Exists(existing))
    }
}

/// The zone offset-less times are read in: `--source-tz`, else the config's
/// source zone when there is a config, else UTC.
///
/// # Errors
/// A [`ConfigError`] when a config exists and is broken: guessing UTC beside
/// a broken config would be a silent wrong answer.
fn source_timezone(args: &ImportArgs) -> Result<chrono_tz::Tz, ConfigError> {
    if let Some(zone) = args.source_tz {
        return Ok(zone);
    }
    if !args.config.exists() {
        return Ok(chrono_tz::UTC);
    }
    Ok(emcee_core::config::Config::read_settings(&args.config)?.source_timezone())
}

/// Reads `source` (a path or URL) and imports it on a blocking thread, within
/// the import budget, with a spinner on a terminal while it takes long.
///
/// # Errors
/// [`ConfigError`] when the source cannot be read or is no known format.
pub async fn fetch_and_import(
    source: &str,
    options: ImportOptions,
) -> Result<Imported, ConfigError> {
    let bytes = read_source(source, false).await?;
    let reading = Progress::start(&format!("reading {source}"));
    let imported = import::import(bytes.into(), options).await;
    drop(reading);
    imported.map_err(|e| ConfigError::Import {
        file: source.into(),
        message: e.to_string(),
    })
}

/// `conference` as emcee's agenda TOML, with a header saying where it came
/// from and which command (`check`) validates it.
///
/// # Errors
/// A message when the TOML cannot be written (not expected: every value has a
/// TOML form).
pub fn agenda_toml(conference: &Conference, origin: &str, check: &str) -> Result<String, String> {
    let file = import::to_agenda_file(conference);
    let text = toml::to_string(&file).map_err(|e| format!("cannot write TOML: {e}"))?;
    Ok(format!(
        "# Imported by emcee from {}\n# Edit freely; `{}` validates it.\n\n{text}",
        comment_safe(origin),
        comment_safe(check)
    ))
}

/// `text` fit for one comment line: controls (line breaks too) become spaces,
/// so no value can end a comment and start a key.
pub fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Imports `args.source` and returns the report to print, with terminal
/// controls removed; with `--out`, writes the agenda TOML too.
///
/// # Errors
/// [`ImportFailure`] when the source cannot be read, is no known format, the
/// output exists (without `--force`) or cannot be written.
pub async fn run(args: &ImportArgs) -> Result<String, ImportFailure> {
    if let Some(out) = &args.out {
        refuse_to_overwrite(&[out], args.force)?;
    }
    let options = ImportOptions::new(source_timezone(args)?);
    let mut imported = fetch_and_import(&args.source, options).await?;
    if let Some(name) = &args.name {
        imported.conference.name.clone_from(name);
    }
    // The report quotes titles and reasons from the file: printed, never obeyed.
    let mut report = for_terminal(&imported.report.to_string());
    if let Some(out) = &args.out {
        let check = format!("emcee check --agenda {}", out.display());
        let text = agenda_toml(&imported.conference, &args.source, &check).map_err(|message| {
            ConfigError::Import {
                file: args.source.clone().into(),
                message,
            }
        })?;
        write(out, &text)?;
        report.push_str(&format!(
            "\nWrote {} sessions of {} to {}\n",
            imported.conference.sessions.len(),
            for_terminal(&imported.conference.name),
            out.display()
        ));
    }
    Ok(report)
}
