//! `emcee init [SOURCE]`: an organiser's first config, from the schedule they
//! already publish.
//!
//! The schedule (a path or URL, any format `import` reads) becomes
//! `agenda.toml`; `emcee.toml` gets the conference's zone, a channel per
//! track with a name both Discord and Slack accept, and a comment on every
//! key. What `emcee check` would refuse is never written: the zone is the
//! file's own, or `--tz` when the file names none (refused without one, since
//! a guessed zone moves every announcement), and existing files are kept
//! unless `--force` is given. The summary ends with the channels to create.

mod channels;
mod template;

use crate::cli::InitArgs;
use crate::import_cli::{agenda_toml, fetch_and_import, refuse_to_overwrite, write, ImportFailure};
use crate::render::text::for_terminal;
use channels::ChannelPlan;
use chrono_tz::Tz;
use emcee_core::agenda::{Conference, SessionKind};
use emcee_core::config::ConfigError;
use emcee_core::import::fetch::SourceLocation;
use emcee_core::import::ImportOptions;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Why `emcee init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The schedule could not be read, or a file could not be written.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `emcee.toml` or `agenda.toml` exists and `--force` was not given.
    #[error("{0}")]
    Exists(String),
    /// Nothing says which zone the conference is in.
    #[error("{0}")]
    NoZone(String),
    /// A file or the folder could not be written.
    #[error("{0}")]
    Write(String),
}

impl From<ImportFailure> for InitError {
    fn from(failure: ImportFailure) -> Self {
        match failure {
            ImportFailure::Config(error) => Self::Config(error),
            exists @ ImportFailure::Exists(_) => Self::Exists(exists.to_string()),
            write @ ImportFailure::Write { .. } => Self::Write(write.to_string()),
        }
    }
}

/// A zone no real schedule declares, to tell "the file names none" from
/// "the file names the fallback" (the importers fall back silently).
const PROBE_ZONE: Tz = chrono_tz::Pacific::Kiritimati;

/// The folder `init` writes to: `--config-dir`, else the folder of
/// `$EMCEE_CONFIG` (where the other commands will look), else `config`.
fn config_dir(args: &InitArgs) -> PathBuf {
    args.config_dir.clone().unwrap_or_else(|| {
        std::env::var_os("EMCEE_CONFIG")
            .map(PathBuf::from)
            .and_then(|config| config.parent().map(Path::to_path_buf))
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("config"))
    })
}

/// Writes `emcee.toml` and `agenda.toml` and returns what to tell the
/// organiser (stdout), with terminal controls removed.
///
/// # Errors
/// [`InitError`]; nothing is written then.
pub async fn run(args: &InitArgs) -> Result<String, InitError> {
    let dir = config_dir(args);
    let (settings_file, agenda_file) = (dir.join("emcee.toml"), dir.join("agenda.toml"));
    refuse_to_overwrite(&[&settings_file, &agenda_file], args.force)?;
    let (conference, agenda_text, notes) = match &args.source {
        Some(source) => imported(source, args).await?,
        None => example(args)?,
    };
    let plan = channel_plan(&conference, args.source.is_none());
    let settings_text = template::emcee_toml(&template::Settings {
        zone: conference.timezone,
        origin: args.source.as_deref(),
        origin_is_url: args
            .source
            .as_deref()
            .is_some_and(|s| SourceLocation::parse(s).is_url()),
        channels: &plan,
    });
    std::fs::create_dir_all(&dir).map_err(|source| ImportFailure::Write {
        file: dir.clone(),
        source,
    })?;
    write(&agenda_file, &agenda_text)?;
    write(&settings_file, &settings_text)?;
    Ok(for_terminal(&summary(
        &conference,
        &notes,
        &plan,
        &settings_file,
    )))
}

/// A channel for each track with sessions (rooms when there are no tracks),
/// and the main stage when there are keynotes (or in the `example`): a track
/// or room without sessions would be a channel nobody posts in.
fn channel_plan(conference: &Conference, example: bool) -> ChannelPlan {
    let used = |names: Vec<&String>, of: fn(&emcee_core::agenda::Session) -> Option<&String>| {
        let sessions = &conference.sessions;
        names
            .into_iter()
            .filter(|name| sessions.iter().any(|s| of(s) == Some(*name)))
            .cloned()
            .collect::<Vec<String>>()
    };
    let tracks = used(conference.tracks.iter().map(|t| &t.name).collect(), |s| {
        s.track.as_ref()
    });
    let rooms = used(conference.rooms.iter().map(|r| &r.name).collect(), |s| {
        s.room.as_ref()
    });
    let keynotes = conference
        .sessions
        .iter()
        .any(|s| s.kind == SessionKind::Keynote);
    ChannelPlan::new(&tracks, &rooms, keynotes || example)
}

/// The imported schedule, its agenda TOML and what to note about it.
async fn imported(
    source: &str,
    args: &InitArgs,
) -> Result<(Conference, String, Vec<String>), InitError> {
    let fallback_name = name_from_source(source);
    let options = |zone: Tz| ImportOptions {
        fallback_name: fallback_name.clone(),
        ..ImportOptions::new(zone)
    };
    let mut imported = fetch_and_import(source, options(args.tz.unwrap_or(PROBE_ZONE))).await?;
    let mut notes = imported.report.notes.clone();
    let named_none = imported.conference.timezone == PROBE_ZONE;
    if named_none && args.tz.is_none() {
        return Err(InitError::NoZone(format!(
            "{source} does not say which timezone the conference is in; give it with \
             --tz ZONE, an IANA name such as Europe/London or America/New_York"
        )));
    }
    if let Some(tz) = args.tz.filter(|tz| *tz != imported.conference.timezone) {
        notes.push(format!(
            "the file says the conference is in {}; --tz {tz} was not needed and is not used",
            imported.conference.timezone
        ));
    }
    match &args.name {
        Some(name) => imported.conference.name.clone_from(name),
        None if imported.conference.name == fallback_name => notes.push(format!(
            "the file names no conference; it is called \"{fallback_name}\" (change it with --name)"
        )),
        None => {}
    }
    let text = agenda_toml(&imported.conference, source, "emcee check").map_err(|message| {
        ConfigError::Import {
            file: source.into(),
            message,
        }
    })?;
    Ok((imported.conference, text, notes))
}

/// No schedule yet: an example agenda on tomorrow's date.
fn example(args: &InitArgs) -> Result<(Conference, String, Vec<String>), InitError> {
    let Some(zone) = args.tz else {
        return Err(InitError::NoZone(
            "without a schedule to import, give the conference's timezone with --tz, e.g. \
             `emcee init --tz Europe/Brussels --name \"My Conf\"` (or give the schedule: \
             `emcee init SOURCE`)"
                .into(),
        ));
    };
    let name = args.name.clone().unwrap_or_else(|| "My Conference".into());
    let tomorrow =
        (chrono::Utc::now().with_timezone(&zone) + chrono::TimeDelta::days(1)).date_naive();
    let text = template::example_agenda(&name, zone, tomorrow);
    let bytes = text.as_bytes();
    let limits = emcee_core::polls::PollLimits::default();
    let programme =
        emcee_core::config::programme_from_bytes(Path::new("agenda.toml"), bytes, zone, &limits)?;
    let conference = Conference {
        name,
        timezone: zone,
        tracks: programme.agenda.tracks().to_vec(),
        rooms: programme.agenda.rooms().to_vec(),
        sessions: programme.agenda.sessions().to_vec(),
    };
    let note = "no schedule given: agenda.toml holds an example day to replace".to_owned();
    Ok((conference, text, vec![note]))
}

/// A conference name from a file or URL's last segment:
/// `scottish-summit-2026.all.json` -> "scottish summit 2026".
fn name_from_source(source: &str) -> String {
    let last = source
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source);
    let stem = last.split('.').next().unwrap_or(last);
    let words: Vec<&str> = stem
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        "Conference".to_owned()
    } else {
        words.join(" ")
    }
}

/// What was written, what to know, the channels to create and what next.
fn summary(
    conference: &Conference,
    notes: &[String],
    plan: &ChannelPlan,
    settings_file: &Path,
) -> String {
    let mut out = String::new();
    let agenda_file = settings_file.with_file_name("agenda.toml");
    let _ = writeln!(
        out,
        "Wrote {} and {}: {} ({}), {} sessions, {} tracks, {} rooms",
        settings_file.display(),
        agenda_file.display(),
        conference.name,
        conference.timezone,
        conference.sessions.len(),
        conference.tracks.len(),
        conference.rooms.len()
    );
    for note in notes {
        let _ = writeln!(out, "note: {note}");
    }
    let to_create = plan.to_create();
    let _ = writeln!(
        out,
        "\nChannels to create ({}), on Discord and/or Slack:",
        to_create.len()
    );
    let width = to_create
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .min(30)
        + 1;
    for channel in &to_create {
        let _ = writeln!(
            out,
            "  #{:<width$} {}",
            channel.name,
            channel.purpose,
            width = width
        );
    }
    // The other commands find it without --config when it is where they look.
    let looked_at = std::env::var_os("EMCEE_CONFIG")
        .map_or_else(|| PathBuf::from("config/emcee.toml"), PathBuf::from);
    let config = if looked_at == settings_file {
        String::new()
    } else {
        format!(" --config {}", settings_file.display())
    };
    let first = conference.sessions.iter().map(|s| s.start).min();
    let at = first.map_or_else(
        || "TIME".to_owned(),
        |start| {
            (start - chrono::TimeDelta::minutes(5))
                .with_timezone(&conference.timezone)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        },
    );
    let next = [
        (format!("emcee check{config}"), "validates both files"),
        (
            format!("emcee rehearse{config}"),
            "prints every planned post",
        ),
        (
            format!("emcee console{config} --at {at}"),
            "the chat commands, five minutes before the first session",
        ),
    ];
    let width = next
        .iter()
        .map(|(command, _)| command.len())
        .max()
        .unwrap_or(0);
    out.push_str("\nNext:\n");
    for (command, what) in next {
        let _ = writeln!(out, "  {command:<width$}  {what}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_comes_from_the_file_or_url_when_the_schedule_has_none() {
        assert_eq!(
            name_from_source("tests/scottish-summit-2026.all.json"),
            "scottish summit 2026"
        );
        assert_eq!(
            name_from_source("https://example.org/conf/my_conf/"),
            "my conf"
        );
        assert_eq!(name_from_source(".ics"), "Conference");
    }
}
