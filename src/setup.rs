//! Loading the configuration the way every subcommand needs it.

use crate::cli::SourceArgs;
use emcee_core::config::{programme_from_bytes, Config, ConfigError, Settings};
use emcee_core::import::fetch::{self, FetchOptions, Fetched, SourceLocation, Validators};
use emcee_core::import::source::{AgendaSource, Origin, SourceOptions};
use emcee_core::import::ImportOptions;
use emcee_core::programme::Programme;
use std::path::Path;

/// The default config path, used to tell "no config given" from "config missing".
const DEFAULT_CONFIG: &str = "config/emcee.toml";

/// Loads the config named by `args`, with `--agenda` (a path or an http(s) URL in
/// any supported format) replacing its agenda source. With `--agenda` and no
/// config file at the default path, default settings are used and times without
/// an offset are read in UTC.
///
/// # Errors
/// The first [`ConfigError`], which names file, line, column and field.
pub async fn load(args: &SourceArgs) -> Result<Config, ConfigError> {
    let Some(agenda) = &args.agenda else {
        let settings = Config::read_settings(&args.config)?;
        if !SourceLocation::parse(&settings.agenda.source).is_url() {
            return Config::load(&args.config);
        }
        let bytes = read_source(&settings.agenda.source).await?;
        let limits = settings.polls.limits();
        let origin = Path::new(&settings.agenda.source).to_owned();
        let programme =
            programme_from_bytes(&origin, &bytes, settings.conference.timezone, &limits)?;
        return Ok(Config {
            settings,
            base_dir: Config::base_dir_of(&args.config),
            programme,
        });
    };
    let config_missing = !args.config.exists() && args.config.as_os_str() == DEFAULT_CONFIG;
    let settings = if config_missing {
        Settings::defaults_for(agenda.clone(), chrono_tz::UTC)
    } else {
        Config::read_settings(&args.config)?
    };
    let bytes = read_source(agenda).await?;
    let limits = settings.polls.limits();
    let programme = programme_from_bytes(
        Path::new(agenda),
        &bytes,
        settings.conference.timezone,
        &limits,
    )?;
    Ok(Config {
        settings,
        base_dir: Config::base_dir_of(&args.config),
        programme,
    })
}

/// For the running bot: the config, plus the agenda source to keep fresh when
/// `[agenda] source` is a URL. That source starts from its last good copy on disk
/// (beside the config) when it cannot be fetched.
///
/// # Errors
/// The first [`ConfigError`]; for a URL source, only when it fails and no good
/// copy exists.
pub async fn load_for_bot(
    args: &SourceArgs,
) -> Result<(Config, Option<AgendaSource>), ConfigError> {
    let settings = match &args.agenda {
        Some(_) => None,
        None => Some(Config::read_settings(&args.config)?),
    };
    let Some(settings) = settings.filter(|s| SourceLocation::parse(&s.agenda.source).is_url())
    else {
        return Ok((load(args).await?, None));
    };
    let base_dir = Config::base_dir_of(&args.config);
    let failed = |message: String| ConfigError::Import {
        file: settings.agenda.source.clone().into(),
        message,
    };
    let options = SourceOptions {
        import: ImportOptions::new(settings.conference.timezone),
        fetch: FetchOptions::default(),
        cache_file: Some(base_dir.join("agenda.last-good")),
    };
    let client = fetch::client().map_err(|e| failed(e.to_string()))?;
    let source = AgendaSource::new(
        SourceLocation::parse(&settings.agenda.source),
        options,
        client,
    );
    let loaded = source.load().await.map_err(|e| failed(e.to_string()))?;
    if let Origin::Cache { reason } = &loaded.origin {
        tracing::warn!(%reason, "agenda source is down; starting from the last good copy");
    }
    let programme = Programme {
        agenda: loaded.agenda,
        polls: Vec::new(),
    };
    Ok((
        Config {
            settings,
            base_dir,
            programme,
        },
        Some(source),
    ))
}

/// The bytes of a path or an http(s) URL.
///
/// # Errors
/// [`ConfigError::Import`] naming the source when it cannot be read or fetched.
pub async fn read_source(source: &str) -> Result<Vec<u8>, ConfigError> {
    let failed = |message: String| ConfigError::Import {
        file: source.into(),
        message,
    };
    let client = fetch::client().map_err(|e| failed(e.to_string()))?;
    let location = SourceLocation::parse(source);
    match fetch::fetch(
        &client,
        &location,
        &Validators::default(),
        &FetchOptions::default(),
    )
    .await
    {
        Ok(Fetched::Body { bytes, .. }) => Ok(bytes),
        Ok(Fetched::NotModified) => Err(failed(
            "answered 304 Not Modified to a request without validators".into(),
        )),
        Err(error) => Err(failed(error.to_string())),
    }
}
