//! `emcee import`: read a published schedule, report it, optionally write it as
//! emcee's own agenda TOML.

use crate::cli::ImportArgs;
use crate::render::text::for_terminal;
use crate::setup::read_source;
use emcee_core::config::ConfigError;
use emcee_core::import::{self, ImportOptions};

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

/// Imports `args.source` (on a blocking thread, within the import budget) and
/// returns the report to print, with terminal controls removed.
///
/// # Errors
/// [`ConfigError`] when the source cannot be read, is no known format, or the
/// output file cannot be written.
pub async fn run(args: &ImportArgs) -> Result<String, ConfigError> {
    let bytes = read_source(&args.source, false).await?;
    let options = ImportOptions::new(source_timezone(args)?);
    let failed = |message: String| ConfigError::Import {
        file: args.source.clone().into(),
        message,
    };
    let imported = import::import(bytes.into(), options)
        .await
        .map_err(|e| failed(e.to_string()))?;
    // The report quotes titles and reasons from the file: printed, never obeyed.
    let mut report = for_terminal(&imported.report.to_string());
    if let Some(out) = &args.out {
        let file = import::to_agenda_file(&imported.conference);
        let text = toml::to_string(&file).map_err(|e| failed(format!("cannot write TOML: {e}")))?;
        let header = format!("# Imported by emcee from {}\n# Edit freely; `emcee check --agenda {}` validates it.\n\n", args.source, out.display());
        std::fs::write(out, header + &text).map_err(|source| ConfigError::Read {
            file: out.clone(),
            source,
        })?;
        report.push_str(&format!(
            "\nWrote {} sessions to {}\n",
            imported.conference.sessions.len(),
            out.display()
        ));
    }
    Ok(report)
}
