//! Loading and checking emcee's configuration: `emcee.toml` (how the bot runs)
//! and the agenda it points to (what the day holds).
//!
//! Loading is all-or-nothing and every refusal names file, line, column and field,
//! so `emcee check` can be run before the conference and trusted.

pub mod agenda_file;
mod contest_entry;
mod location;
pub mod needs;
mod platform_ids;
mod recovery;
mod settings;
mod shards;
mod zones;

pub use location::{ConfigError, Location, Source};
pub use settings::{
    AgendaSettings, AnnouncementSettings, ChatSettings, ConferenceSettings, DiscordSettings,
    MetricsSettings, OrganiserSettings, PollSettings, Settings, SlackSettings, StoreSettings,
};
pub use shards::{ShardRange, ShardRangeError};
pub use zones::canonical_zone;

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
    /// Every [`ConfigError`] found in either file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Self::load_reading_source_in(path, None)
    }

    /// [`Config::load`], with the agenda's offset-less times read in
    /// `source_timezone` when given (the command line's `--source-tz`)
    /// instead of `[agenda] timezone`.
    ///
    /// # Errors
    /// Every [`ConfigError`] found in either file.
    pub fn load_reading_source_in(
        path: &Path,
        source_timezone: Option<Tz>,
    ) -> Result<Self, ConfigError> {
        let source = Source::read(path)?;
        let mut settings: Settings = source.parse()?;
        if source_timezone.is_some() {
            settings.agenda.timezone = source_timezone;
        }
        let mut problems = check_settings(&source, &settings);
        let base_dir = Self::base_dir_of(path);
        let agenda_path = base_dir.join(&settings.agenda.source);
        let programme = load_programme(
            &agenda_path,
            settings.source_timezone(),
            &settings.polls.limits(),
        );
        let programme = match programme {
            Ok(programme) => {
                problems.extend(check_routing(&source, &settings, &programme));
                ConfigError::collect(problems)?;
                programme
            }
            Err(error) => {
                problems.push(error);
                return Err(ConfigError::collect(problems).err().unwrap_or_else(|| {
                    source.error_at(&["agenda", "source"], "could not be loaded")
                }));
            }
        };
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
    /// Every [`ConfigError`] found in the file.
    pub fn read_settings(path: &Path) -> Result<Settings, ConfigError> {
        let source = Source::read(path)?;
        let settings: Settings = source.parse()?;
        ConfigError::collect(check_settings(&source, &settings))?;
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

/// What `emcee check` (and `run` at start) should tell the organiser without
/// refusing the config: a moved key, zones that disagree, and old zone names
/// (`US/Pacific`) with the canonical one. Empty when the file cannot be read
/// (loading reports that).
pub fn warnings(path: &Path) -> Vec<String> {
    let mut warnings = platform_ids::warnings(path);
    warnings.extend(old_zone_names(path));
    warnings.extend(zone_disagreement(path));
    warnings
}

/// The zones written in `emcee.toml` and in its agenda TOML that are old
/// names of another zone.
fn old_zone_names(path: &Path) -> Vec<String> {
    let Ok(source) = Source::read(path) else {
        return Vec::new();
    };
    let mut warnings = zones::deprecated_in(
        &source,
        &[&["conference", "timezone"], &["agenda", "timezone"]],
    );
    let settings = Config::read_settings(path).ok();
    let agenda = settings.and_then(|settings| agenda_toml(path, &settings));
    if let Some(agenda) = agenda.and_then(|agenda| Source::read(&agenda).ok()) {
        warnings.extend(zones::deprecated_in(
            &agenda,
            &[&["conference", "timezone"]],
        ));
    }
    warnings
}

/// The config's agenda source when it is an emcee agenda TOML file.
fn agenda_toml(path: &Path, settings: &Settings) -> Option<PathBuf> {
    let agenda = Config::base_dir_of(path).join(&settings.agenda.source);
    agenda
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        .then_some(agenda)
}

/// An agenda TOML whose `[conference] timezone` differs from the config's
/// source zone: the agenda's wins (for its offset-less times and its days),
/// which the organiser may not expect.
fn zone_disagreement(path: &Path) -> Option<String> {
    let settings = Config::read_settings(path).ok()?;
    let agenda_path = agenda_toml(path, &settings)?;
    let text = std::fs::read_to_string(&agenda_path).ok()?;
    let table: toml::Table = text.parse().ok()?;
    let agenda_zone = table.get("conference")?.get("timezone")?.as_str()?;
    let config_zone = settings.source_timezone();
    // An old name and its canonical zone are one zone.
    let canonical = |name: &str| canonical_zone(name).unwrap_or(name).to_owned();
    let agenda_canonical = canonical(agenda_zone.parse::<Tz>().ok()?.name());
    (agenda_canonical != canonical(config_zone.name())).then(|| {
        format!(
            "{} says `[conference] timezone = \"{agenda_zone}\"` but {} reads agenda times in \
             {config_zone}; the agenda's zone is used for its times and days: make them agree",
            agenda_path.display(),
            path.display()
        )
    })
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
            let notes = imported.report.notes.clone();
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
                agenda: agenda.with_notes(notes),
                polls: Vec::new(),
                contests: Vec::new(),
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

fn check_settings(source: &Source, settings: &Settings) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    if let Some(lead) = settings
        .announcements
        .lead_minutes
        .iter()
        .find(|&&m| m > 24 * 60)
    {
        problems.push(source.error_at(
            &["announcements", "lead_minutes"],
            format!("{lead} minutes is more than a day ahead"),
        ));
    }
    if settings.polls.max_options > PollLimits::SETTING_CEILING || settings.polls.max_options < 2 {
        problems.push(source.error_at(
            &["polls", "max_options"],
            format!(
                "must be between 2 and {} (Discord's distinct reactions per message)",
                PollLimits::SETTING_CEILING
            ),
        ));
    }
    if settings.announcements.reminders_ahead_seconds > 300 {
        problems.push(source.error_at(
            &["announcements", "reminders_ahead_seconds"],
            "must be at most 300 (five minutes): a reminder must not arrive long before its time",
        ));
    }
    if settings.agenda.refresh_minutes == 0 {
        problems.push(source.error_at(&["agenda", "refresh_minutes"], "must be at least 1"));
    }
    if settings.store.max_size_mb == Some(0) {
        problems.push(source.error_at(
            &["store", "max_size_mb"],
            "must be at least 1 (MiB); leave it out for no cap",
        ));
    }
    problems.extend(platform_ids::check(source, settings));
    problems.extend(crate::feeds::check_settings(source, &settings.web));
    problems
}

/// Every track and room named in `[announcements]` must exist in the agenda.
fn check_routing(source: &Source, settings: &Settings, programme: &Programme) -> Vec<ConfigError> {
    let agenda = &programme.agenda;
    let mut problems = Vec::new();
    for track in settings.announcements.tracks.keys() {
        if !agenda.tracks().iter().any(|t| &t.name == track) {
            problems.push(source.error_at(
                &["announcements", "tracks", track],
                format!(
                    "no track `{track}` in the agenda{}",
                    did_you_mean(track, agenda.tracks().iter().map(|t| t.name.as_str()))
                ),
            ));
        }
    }
    for room in settings.announcements.rooms.keys() {
        if !agenda.rooms().iter().any(|r| &r.name == room) {
            problems.push(source.error_at(
                &["announcements", "rooms", room],
                format!(
                    "no room `{room}` in the agenda{}",
                    did_you_mean(room, agenda.rooms().iter().map(|r| r.name.as_str()))
                ),
            ));
        }
    }
    problems
}

/// "; did you mean `Observability`?" for the known name closest to `typed`.
fn did_you_mean<'a>(typed: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .map(|name| {
            (
                strsim::jaro_winkler(&typed.to_lowercase(), &name.to_lowercase()),
                name,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| format!("; did you mean `{name}`?"))
        .unwrap_or_default()
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
