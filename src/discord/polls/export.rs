//! `emcee polls export`: every stored poll with its result, as CSV or JSON on
//! stdout. On SQLite it only reads the database the bot writes: no
//! migration, no journal switch, no file created (it works on a copy in
//! memory). On PostgreSQL it reads the shared database the processes write
//! (`--database postgres://…`, else `EMCEE_DATABASE_URL`, else `[store] url`),
//! beside them, as they read it.

use crate::cli::{ExportFormat, SourceArgs};
use anyhow::Context as _;
use emcee_core::config::Config;
use emcee_core::polls::export;
use emcee_core::store::postgres::PgStore;
use emcee_core::store::{Backend, DatabaseUrl, Store};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints the export.
///
/// # Errors
/// When the config or the database cannot be read.
pub async fn export(
    source: &SourceArgs,
    format: ExportFormat,
    database: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let polls = match backend(source, database)? {
        Backend::Sqlite(path) => {
            anyhow::ensure!(path.exists(), "no database at {}", path.display());
            let store =
                Store::snapshot(&path).with_context(|| format!("opening {}", path.display()))?;
            export::collect(&store)?
        }
        Backend::Postgres(url) => {
            let label = url.redacted();
            let store = PgStore::open(&url)
                .await
                .with_context(|| format!("opening {label}"))?;
            // The poll store answers on its own connection thread: wait for it
            // off the runtime's workers.
            let polls = store.polls();
            tokio::task::spawn_blocking(move || export::collect(&polls)).await??
        }
    };
    match format {
        ExportFormat::Csv => print!("{}", export::to_csv(&polls)),
        ExportFormat::Json => println!("{}", export::to_json(&polls)),
    }
    Ok(ExitCode::SUCCESS)
}

/// `--database` (a file, or a `postgres://` URL), else the config's store.
fn backend(source: &SourceArgs, database: Option<&Path>) -> anyhow::Result<Backend> {
    let named = database.and_then(Path::to_str);
    if let Some(url) = named.filter(|url| url.contains("://")) {
        return Ok(Backend::Postgres(DatabaseUrl::parse(url)?));
    }
    if let Some(path) = database {
        return Ok(Backend::Sqlite(path.to_path_buf()));
    }
    let config = &source.config;
    let settings = Config::read_settings(config)?;
    let file: PathBuf = Config::base_dir_of(config).join(&settings.store.database);
    Ok(Backend::choose(settings.store.url.as_ref(), file)?)
}
