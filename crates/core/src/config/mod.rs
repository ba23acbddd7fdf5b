//! Loading and checking emcee's configuration: `emcee.toml` (how the bot runs)
//! and the agenda it points to (what the day holds).
//!
//! Loading is all-or-nothing and every refusal names file, line, column and field,
//! so `emcee check` can be run before the conference and trusted.

pub mod agenda_file;
mod location;
mod platform_ids;
mod settings;

pub use location::{ConfigError, Location, Source};
pub use platform_ids::warnings;
pub use settings::{
    AgendaSettings, AnnouncementSettings, ChatSettings, ConferenceSettings, DiscordSettings,
    MetricsSettings, OrganiserSettings, PollSettings, Settings, SlackSettings, StoreSettings,
};

use crate::agenda::{Agenda, AgendaError};
use crate::import;
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
        let source = Source::read(path)?;
        let settings: Settings = source.parse()?;
        check_settings(&source, &settings)?;
        let base_dir = Self::base_dir_of(path);
        let agenda_path = base_dir.join(&settings.agenda.source);
        let programme = load_programme(
            &agenda_path,
            settings.conference.timezone,
            &settings.polls.limits(),
        )?;
        check_routing(&source, &settings, &programme)?;
        Ok(Self {
            settings,
            base_dir,
            programme,
        })
    }

    /// Reads and checks `emcee.toml` alone, for callers that bring their own
    /// programme (`--agenda` with a URL or another format).
    ///
    /// # Errors
    /// The first [`ConfigError`] in the file.
    pub fn read_settings(path: &Path) -> Result<Settings, ConfigError> {
        let source = Source::read(path)?;
        let settings: Settings = source.parse()?;
        check_settings(&source, &settings)?;
        Ok(settings)
    }

    /// The folder that relative paths in the config at `path` are resolved against.
    pub fn base_dir_of(path: &Path) -> PathBuf {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
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
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        file: path.to_owned(),
        source,
    })?;
    programme_from_bytes(path, &bytes, fallback_timezone, limits)
}

/// Reads a programme from `bytes` named `origin` (a path or URL, for messages):
/// emcee's `agenda.toml` when the name ends in `.toml`, otherwise whichever
/// published schedule format the content is (schedule.json, frab XML,
/// Sessionize, iCalendar), falling back to emcee's TOML for other names.
///
/// # Errors
/// A [`ConfigError`] locating the problem in a TOML file, or naming the formats
/// tried for anything else.
pub fn programme_from_bytes(
    origin: &Path,
    bytes: &[u8],
    fallback_timezone: Tz,
    limits: &PollLimits,
) -> Result<Programme, ConfigError> {
    let as_toml = |text: String| {
        agenda_file::load(
            &Source {
                file: origin.to_owned(),
                text,
            },
            fallback_timezone,
            limits,
        )
    };
    let not_text = || ConfigError::Import {
        file: origin.to_owned(),
        message: "is not UTF-8 text".into(),
    };
    if origin
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    {
        return as_toml(String::from_utf8(bytes.to_vec()).map_err(|_| not_text())?);
    }
    match import::from_bytes(bytes, &import::ImportOptions::new(fallback_timezone)) {
        Ok(imported) => {
            for skipped in &imported.report.skipped {
                tracing::warn!(id = %skipped.id, title = %skipped.title, reason = %skipped.reason, "skipped an event");
            }
            let agenda =
                Agenda::new(imported.conference).map_err(|AgendaError::Invalid(problems)| {
                    ConfigError::Import {
                        file: origin.to_owned(),
                        message: problems
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    }
                })?;
            Ok(Programme {
                agenda,
                polls: Vec::new(),
            })
        }
        Err(error @ import::ImportError::UnknownFormat { .. }) => {
            match String::from_utf8(bytes.to_vec()) {
                Ok(text) if text.contains("[conference]") => as_toml(text),
                _ => Err(ConfigError::Import {
                    file: origin.to_owned(),
                    message: format!("{error}, or emcee agenda TOML"),
                }),
            }
        }
        Err(error) => Err(ConfigError::Import {
            file: origin.to_owned(),
            message: error.to_string(),
        }),
    }
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
    if settings.polls.max_options > PollLimits::SETTING_CEILING || settings.polls.max_options < 2 {
        return Err(source.error_at(
            &["polls", "max_options"],
            format!(
                "must be between 2 and {} (Discord's distinct reactions per message)",
                PollLimits::SETTING_CEILING
            ),
        ));
    }
    if settings.announcements.reminders_ahead_seconds > 300 {
        return Err(source.error_at(
            &["announcements", "reminders_ahead_seconds"],
            "must be at most 300 (five minutes): a reminder must not arrive long before its time",
        ));
    }
    if settings.agenda.refresh_minutes == 0 {
        return Err(source.error_at(&["agenda", "refresh_minutes"], "must be at least 1"));
    }
    if settings.store.max_size_mb == Some(0) {
        return Err(source.error_at(
            &["store", "max_size_mb"],
            "must be at least 1 (MiB); leave it out for no cap",
        ));
    }
    platform_ids::check(source, settings)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn settings_with(store: &str) -> Result<Settings, ConfigError> {
        let dir = std::env::temp_dir().join(format!("emcee-store-cap-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.toml", store.len()));
        let text = format!(
            "[conference]\ntimezone = \"UTC\"\n\n[store]\n{store}\n\n[agenda]\nsource = \"agenda.toml\"\n"
        );
        std::fs::write(&path, text).unwrap();
        let settings = Config::read_settings(&path);
        let _ = std::fs::remove_file(&path);
        settings
    }

    #[test]
    fn the_store_size_cap_is_optional_in_mib_and_zero_is_refused_where_written() {
        assert_eq!(settings_with("").unwrap().store.max_bytes(), None);
        let capped = settings_with("max_size_mb = 64").unwrap();
        assert_eq!(capped.store.max_bytes(), Some(64 * 1024 * 1024));
        let error = settings_with("max_size_mb = 0").unwrap_err().to_string();
        assert!(
            error.contains(":5:15: `store.max_size_mb`: must be at least 1"),
            "{error}"
        );
    }
}
