//! The command line: what a user can ask `emcee` to do.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// emcee: the emcee of a tech conference's chat.
#[derive(Debug, Parser)]
#[command(name = "emcee", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the config and agenda and print a one-screen summary.
    Check(CheckArgs),
    /// Ask the agenda a question from the command line.
    Agenda(AgendaArgs),
    /// Run the bot's commands in this terminal instead of a chat server.
    Console(ConsoleArgs),
    /// Connect to Discord (token from DISCORD_TOKEN) and serve the chat commands.
    Run(RunArgs),
    /// Write a first config/emcee.toml and config/agenda.toml from a published schedule.
    Init(InitArgs),
    /// Import a published schedule (path or URL) and report what it holds.
    Import(ImportArgs),
    /// Print every planned post (time, channel, text) of the day without waiting.
    Rehearse(RehearseArgs),
    /// Flash polls in the database: `emcee polls export --format csv|json`.
    #[command(subcommand)]
    Polls(PollsCommand),
    /// Print a shell completion script: `emcee completions bash > /etc/bash_completion.d/emcee`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `emcee man > emcee.1`.
    Man,
}

/// The completion script for `shell`. Built in memory: clap_complete panics
/// when its output fails, and a closed pipe (`| head`) is not a crash.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut command = <Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "emcee", &mut script);
    script
}

/// Writes the manual page, with a section per subcommand, to `out`.
///
/// # Errors
/// When `out` cannot be written.
pub fn write_man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(command.clone()).render(out)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        // Our own subcommand names: nothing in them needs roff escaping.
        writeln!(out, ".SH \"EMCEE {}\"", sub.get_name().to_uppercase())?;
        if let Some(about) = sub.get_about() {
            writeln!(out, "{about}")?;
        }
        let page = clap_mangen::Man::new(sub.clone().bin_name(format!("emcee {}", sub.get_name())));
        page.render_synopsis_section(out)?;
        page.render_options_section(out)?;
    }
    Ok(())
}

/// What to do with the stored polls.
#[derive(Debug, Subcommand)]
pub enum PollsCommand {
    /// Print every poll with its result to stdout.
    Export {
        #[command(flatten)]
        source: SourceArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// The database: a SQLite file or a `postgres://` URL; default: the
        /// config's store (`EMCEE_DATABASE_URL`, `[store] url`, `[store] database`).
        #[arg(long)]
        database: Option<PathBuf>,
    },
}

/// `emcee polls export` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct RehearseArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Only posts due at or after this instant (RFC 3339, or a local time in
    /// the conference's zone such as 2021-10-07T08:55).
    #[arg(long, value_parser = parse_moment)]
    pub from: Option<Moment>,
    /// Only posts due before this instant (RFC 3339, or a local time in the
    /// conference's zone).
    #[arg(long, value_parser = parse_moment)]
    pub to: Option<Moment>,
    /// Show times in this IANA timezone; default: the conference's.
    #[arg(long)]
    pub tz: Option<Tz>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A path or an http(s) URL: schedule.json, frab XML, Sessionize JSON or iCalendar.
    pub source: String,
    /// The zone the file's times without an offset are in; default: the
    /// file's own, else the config's `[agenda]`/`[conference] timezone` when
    /// there is a config, else UTC. (`--tz` is the old name.)
    #[arg(long = "source-tz", alias = "tz")]
    pub source_tz: Option<Tz>,
    /// emcee.toml whose zones to read offset-less times in.
    #[arg(long, env = "EMCEE_CONFIG", default_value = "config/emcee.toml")]
    pub config: PathBuf,
    /// Write the result as emcee's agenda TOML to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With `--out`: overwrite the file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
    /// The conference's name, instead of the file's own.
    #[arg(long)]
    pub name: Option<String>,
}

/// Options of `emcee init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The published schedule, a path or an http(s) URL: pretalx or frab
    /// schedule.json or XML, Sessionize JSON or iCalendar. Without it, an
    /// example agenda is written.
    pub source: Option<String>,
    /// Where to write emcee.toml and agenda.toml; default: the folder of
    /// $EMCEE_CONFIG, else `config`.
    #[arg(long)]
    pub config_dir: Option<PathBuf>,
    /// The conference's name; default: the schedule's own.
    #[arg(long)]
    pub name: Option<String>,
    /// The conference's IANA timezone, for a schedule that names none
    /// (Sessionize, some calendars); its times without an offset are read in it.
    #[arg(long)]
    pub tz: Option<Tz>,
    /// Overwrite emcee.toml and agenda.toml if they exist.
    #[arg(long)]
    pub force: bool,
}

/// Options of `emcee check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Also connect to Discord (token from DISCORD_TOKEN) and check that every
    /// configured channel and role exists and that the bot may post, react and
    /// attach where it must; with `[slack]` and SLACK_BOT_TOKEN/SLACK_APP_TOKEN
    /// set, also check the Slack workspace and that the bot is in each channel.
    #[arg(long)]
    pub online: bool,
    /// With `--online`: list the posts due after this instant (RFC 3339, or a
    /// local time in the conference's zone); default: now.
    #[arg(long, value_parser = parse_moment)]
    pub at: Option<Moment>,
}

/// Where the configuration and the agenda come from.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// emcee.toml to use.
    #[arg(
        long,
        env = "EMCEE_CONFIG",
        default_value = "config/emcee.toml",
        global = true
    )]
    pub config: PathBuf,
    /// Use this agenda instead of the config's `[agenda] source`: a path or an
    /// http(s) URL, as emcee TOML, schedule.json, frab XML, Sessionize JSON or iCalendar.
    #[arg(long, global = true)]
    pub agenda: Option<String>,
    /// The zone the agenda's times without an offset are in (and its days are
    /// counted in, when the file names no zone); default: `[agenda] timezone`,
    /// else `[conference] timezone`, else UTC. `--tz` is the zone times are shown in.
    #[arg(long, global = true)]
    pub source_tz: Option<Tz>,
}

/// Options shared by everything that shows times.
#[derive(Debug, Clone, Args)]
pub struct TimeArgs {
    /// The instant to answer for: RFC 3339 (2021-10-07T16:55:00Z), or a local
    /// time in the conference's zone (2021-10-07T08:55); default: now.
    #[arg(long, value_parser = parse_moment, global = true)]
    pub at: Option<Moment>,
    /// Show times in this IANA timezone; default: the conference's.
    #[arg(long, global = true)]
    pub tz: Option<Tz>,
}

#[derive(Debug, Args)]
pub struct AgendaArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
    #[command(subcommand)]
    pub question: Question,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// What to ask the agenda.
#[derive(Debug, Subcommand)]
pub enum Question {
    /// Sessions running now.
    Now,
    /// The next slot: every session starting next (optionally in one track).
    Next {
        #[arg(long)]
        track: Option<String>,
    },
    /// One day's programme: a date, "today", "tomorrow", a weekday or a day number.
    Day {
        day: Option<String>,
        #[arg(long)]
        track: Option<String>,
    },
    /// Every session of a track.
    Track { name: Vec<String> },
    /// A speaker's sessions.
    Speaker { name: Vec<String> },
    /// Everything in one room.
    Room { name: Vec<String> },
    /// Full-text search over titles, abstracts and speakers.
    Search { text: Vec<String> },
    /// One session, by id or title.
    Session { id: Vec<String> },
}

/// Options of `console` and `run`: a config, and a clock that may be a rehearsal's.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    #[command(flatten)]
    pub time: TimeArgs,
    /// Run the clock this many times faster than real time (rehearsal).
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub speed: f64,
    /// The scheduler's database. Default: `[store] database`, or, when rehearsing
    /// (`--at`/`--speed`), emcee-rehearsal.sqlite3 beside the config, so a
    /// rehearsal never marks the real day's announcements as done. `run` also
    /// takes a `postgres://` URL here: a rehearsal of several processes on a
    /// PostgreSQL database of its own.
    #[arg(long)]
    pub database: Option<PathBuf>,
    /// Console: print announcements as they fire (implied by `--speed`).
    #[arg(long)]
    pub announce: bool,
}

/// Options of `run`: the console's, and which Discord shards to run.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub console: ConsoleArgs,
    /// Run only these Discord shards, FIRST-LAST/TOTAL such as 0-3/8 (both
    /// ends included); every process must name the same TOTAL. Default:
    /// `[discord] shards`, else one shard for the whole bot.
    #[arg(long, value_parser = parse_shards)]
    pub shards: Option<emcee_core::config::ShardRange>,
}

fn parse_shards(text: &str) -> Result<emcee_core::config::ShardRange, String> {
    text.parse()
        .map_err(|e: emcee_core::config::ShardRangeError| e.to_string())
}

impl ConsoleArgs {
    /// True when the clock is a rehearsal's rather than the real one.
    pub fn rehearsing(&self) -> bool {
        self.time.at.is_some() || self.speed != 1.0
    }
}

/// An instant typed on the command line: an RFC 3339 instant, or a date and
/// time without offset, read in the conference's zone once the config says
/// which (an organiser thinks in the conference's local time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Instant(DateTime<Utc>),
    Local(NaiveDateTime),
}

impl Moment {
    /// The instant, reading a local time in `zone`.
    ///
    /// # Errors
    /// A message when the local time does not exist in `zone` (the clocks go
    /// forward over it) or happens twice (they go back).
    pub fn resolve(self, zone: Tz) -> Result<DateTime<Utc>, String> {
        use chrono::offset::LocalResult;
        let local = match self {
            Self::Instant(instant) => return Ok(instant),
            Self::Local(local) => local,
        };
        match local.and_local_timezone(zone) {
            LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
            LocalResult::None => Err(format!(
                "{local} does not exist in {zone}: the clocks go forward over it"
            )),
            LocalResult::Ambiguous(first, second) => Err(format!(
                "{local} happens twice in {zone} ({} and {}): give the offset, e.g. {}",
                first.format("%:z"),
                second.format("%:z"),
                first.to_rfc3339(),
            )),
        }
    }
}

/// Resolves an optional [`Moment`] in `zone`.
///
/// # Errors
/// As [`Moment::resolve`].
pub fn resolve_moment(moment: Option<Moment>, zone: Tz) -> Result<Option<DateTime<Utc>>, String> {
    moment.map(|m| m.resolve(zone)).transpose()
}

fn parse_moment(text: &str) -> Result<Moment, String> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(Moment::Instant(instant.with_timezone(&Utc)));
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(Moment::Local)
    .ok_or_else(|| {
        "expected RFC 3339 such as 2021-10-07T16:55:00Z, or a local time in the \
             conference's zone such as 2021-10-07T08:55"
            .to_owned()
    })
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 && speed <= 100_000.0 => Ok(speed),
        _ => Err("expected a number above 0 and at most 100000".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_an_instant_or_a_local_time_in_the_conference_zone() {
        let pacific = chrono_tz::US::Pacific;
        let utc = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap()
                .with_timezone(&Utc)
        };
        let read = |text: &str| parse_moment(text).unwrap().resolve(pacific);
        assert_eq!(
            read("2021-10-07T16:55:00Z"),
            Ok(utc("2021-10-07T16:55:00Z"))
        );
        assert_eq!(read("2021-10-07T08:55"), Ok(utc("2021-10-07T15:55:00Z")));
        assert_eq!(read("2021-10-07 08:55:30"), Ok(utc("2021-10-07T15:55:30Z")));
        let gap = read("2021-03-14T02:30").unwrap_err();
        assert!(gap.contains("does not exist"), "{gap}");
        let fold = read("2021-11-07T01:30").unwrap_err();
        assert!(
            fold.contains("happens twice") && fold.contains("-07:00"),
            "{fold}"
        );
        assert!(parse_moment("tomorrow at nine").is_err());
    }
}
