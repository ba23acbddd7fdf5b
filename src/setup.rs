//! Loading the configuration the way every subcommand needs it.

use crate::cli::SourceArgs;
use emcee_core::config::{Config, ConfigError};

/// The default config path, used to tell "no config given" from "config missing".
const DEFAULT_CONFIG: &str = "config/emcee.toml";

/// Loads the config named by `args`, with `--agenda` replacing its agenda source.
/// With `--agenda` and no config file at the default path, default settings are
/// used and offset-less times are read in UTC.
///
/// # Errors
/// The first [`ConfigError`], which names file, line, column and field.
pub fn load(args: &SourceArgs) -> Result<Config, ConfigError> {
    let config_missing = !args.config.exists() && args.config.as_os_str() == DEFAULT_CONFIG;
    match &args.agenda {
        Some(agenda) if config_missing => Config::from_agenda(agenda, chrono_tz::UTC),
        agenda => Config::load_with_agenda(&args.config, agenda.as_deref()),
    }
}
