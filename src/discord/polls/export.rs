//! `emcee polls export`: every stored poll with its result, as CSV or JSON on
//! stdout. It only reads the database the bot writes: no migration, no
//! journal switch, no file created (it works on a copy in memory).

use crate::cli::{ExportFormat, SourceArgs};
use anyhow::Context as _;
use emcee_core::config::Config;
use emcee_core::polls::export;
use emcee_core::store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints the export.
///
/// # Errors
/// When the config or the database cannot be read.
pub fn export(
    source: &SourceArgs,
    format: ExportFormat,
    database: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let path = match database {
        Some(path) => path.to_path_buf(),
        None => configured_database(&source.config)?,
    };
    anyhow::ensure!(path.exists(), "no database at {}", path.display());
    let store = Store::snapshot(&path).with_context(|| format!("opening {}", path.display()))?;
    let polls = export::collect(&store)?;
    match format {
        ExportFormat::Csv => print!("{}", export::to_csv(&polls)),
        ExportFormat::Json => println!("{}", export::to_json(&polls)),
    }
    Ok(ExitCode::SUCCESS)
}

fn configured_database(config: &Path) -> anyhow::Result<PathBuf> {
    let settings = Config::read_settings(config)?;
    Ok(Config::base_dir_of(config).join(settings.store.database))
}
