//! Loading and checking emcee's configuration: `emcee.toml` (how the bot runs)
//! and the agenda it points to (what the day holds).
//!
//! Loading is all-or-nothing and every refusal names file, line, column and field,
//! so `emcee check` can be run before the conference and trusted.

pub mod agenda_file;
mod location;
mod settings;

pub use location::{ConfigError, Location, Source};
pub use settings::{
    AgendaSettings, AnnouncementSettings, ChatSettings, ConferenceSettings, OrganiserSettings,
    PollSettings, Settings, StoreSettings,
};

use crate::polls::PollLimits;
use crate::programme::Programme;
use chrono_tz::Tz;
use std::path::{Path, PathBuf};

/// A loaded configuration: settings, where they came from, and the programme.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    /// The folder relative paths in the settings are resolved against.
    pub base_dir: PathBuf,
    pub programme: Programme,
}

impl Config {
    /// Loads `emcee.toml` at `path` and the agenda it names.
    ///
    /// # Errors
    /// The first [`ConfigError`] in either file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_with_agenda(path, None)
    }

    /// Loads `emcee.toml` at `path`, taking the agenda from `agenda` instead of the
    /// file's `[agenda] source` when given (`--agenda` on the command line).
    ///
    /// # Errors
    /// The first [`ConfigError`] in either file.
    pub fn load_with_agenda(path: &Path, agenda: Option<&Path>) -> Result<Self, ConfigError> {
        let source = Source::read(path)?;
        let settings: Settings = source.parse()?;
        let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        check_settings(&source, &settings)?;
        let agenda_path =
            agenda.map_or_else(|| base_dir.join(&settings.agenda.source), Path::to_path_buf);
        let programme = load_programme(
            &agenda_path,
            settings.conference.timezone,
            &settings.polls.limits(),
        )?;
        if agenda.is_none() {
            check_routing(&source, &settings, &programme)?;
        }
        Ok(Self {
            settings,
            base_dir,
            programme,
        })
    }

    /// A configuration with default settings around one agenda file, for using
    /// `--agenda` without an `emcee.toml`. Times without offset are read in `timezone`.
    ///
    /// # Errors
    /// The first [`ConfigError`] in the agenda file.
    pub fn from_agenda(agenda: &Path, timezone: Tz) -> Result<Self, ConfigError> {
        let settings = Settings::defaults_for(agenda.display().to_string(), timezone);
        let programme = load_programme(agenda, timezone, &settings.polls.limits())?;
        Ok(Self {
            settings,
            base_dir: PathBuf::new(),
            programme,
        })
    }

    /// The SQLite file, resolved against the config's folder.
    pub fn database_path(&self) -> PathBuf {
        self.base_dir.join(&self.settings.store.database)
    }
}

/// Loads a programme from an agenda file.
///
/// # Errors
/// A [`ConfigError`] locating the first problem.
pub fn load_programme(
    path: &Path,
    fallback_timezone: Tz,
    limits: &PollLimits,
) -> Result<Programme, ConfigError> {
    let source = Source::read(path)?;
    agenda_file::load(&source, fallback_timezone, limits)
}

fn check_settings(source: &Source, settings: &Settings) -> Result<(), ConfigError> {
    if let Some(lead) = settings
        .announcements
        .lead_minutes
        .iter()
        .find(|&&m| m > 24 * 60)
    {
        return Err(source.error_at(
            &["announcements", "lead_minutes"],
            format!("{lead} minutes is more than a day ahead"),
        ));
    }
    if settings.polls.max_options > PollLimits::REACTION_CEILING || settings.polls.max_options < 2 {
        return Err(source.error_at(
            &["polls", "max_options"],
            format!(
                "must be between 2 and {} (Discord's distinct reactions per message)",
                PollLimits::REACTION_CEILING
            ),
        ));
    }
    if settings.agenda.refresh_minutes == 0 {
        return Err(source.error_at(&["agenda", "refresh_minutes"], "must be at least 1"));
    }
    Ok(())
}

/// Every track and room named in `[announcements]` must exist in the agenda.
fn check_routing(
    source: &Source,
    settings: &Settings,
    programme: &Programme,
) -> Result<(), ConfigError> {
    let agenda = &programme.agenda;
    for track in settings.announcements.tracks.keys() {
        if !agenda.tracks().iter().any(|t| &t.name == track) {
            return Err(source.error_at(
                &["announcements", "tracks", track],
                format!("no track `{track}` in the agenda"),
            ));
        }
    }
    for room in settings.announcements.rooms.keys() {
        if !agenda.rooms().iter().any(|r| &r.name == room) {
            return Err(source.error_at(
                &["announcements", "rooms", room],
                format!("no room `{room}` in the agenda"),
            ));
        }
    }
    Ok(())
}
