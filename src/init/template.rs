//! The text of the files `emcee init` writes: an `emcee.toml` with a comment
//! on every key an organiser will want to change, and, without a schedule to
//! import, a small example `agenda.toml`.
//!
//! Values are quoted by the toml crate (a track named `"Ops" & "Dev"` is a
//! valid key), and anything from the schedule that lands in a comment has its
//! line breaks removed, so no value can end a comment and start a key.

use super::channels::ChannelPlan;
use crate::import_cli::comment_safe;
use chrono::NaiveDate;
use chrono_tz::Tz;

/// A TOML basic string for `text` (also usable as a quoted key).
pub fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// What `emcee.toml` is made from.
pub struct Settings<'a> {
    pub zone: Tz,
    /// Where the schedule came from, for the comment above `[agenda] source`.
    pub origin: Option<&'a str>,
    /// Whether the origin is a URL the bot could follow instead of the copy.
    pub origin_is_url: bool,
    pub channels: &'a ChannelPlan,
}

/// The scaffolded `emcee.toml`.
pub fn emcee_toml(settings: &Settings<'_>) -> String {
    let channels = settings.channels;
    let mut out = String::from(
        "# emcee settings, written by `emcee init`. Edit freely; `emcee check`\n\
         # validates this file and the agenda, and lists every problem at once.\n\
         #\n\
         # Secrets never live here: the Discord token is read from DISCORD_TOKEN, the\n\
         # Slack ones from SLACK_BOT_TOKEN and SLACK_APP_TOKEN. Relative paths are\n\
         # relative to this file's folder. Channels are given by name or by id.\n\n\
         [conference]\n\
         # IANA timezone: local days, console times, and agenda times without an offset.\n",
    );
    out.push_str(&format!("timezone = {}\n\n", quoted(settings.zone.name())));
    out.push_str(
        "[store]\n\
         # The SQLite file that keeps votes, reminders and which posts were made.\n\
         database = \"emcee.sqlite3\"\n\n\
         [agenda]\n",
    );
    if let Some(origin) = settings.origin {
        out.push_str(&format!("# Imported from {}.\n", comment_safe(origin)));
    }
    out.push_str(
        "# A path or an http(s) URL (emcee agenda.toml, schedule.json, frab XML,\n\
         # Sessionize JSON or iCalendar).\n\
         source = \"agenda.toml\"\n",
    );
    if let (Some(origin), true) = (settings.origin, settings.origin_is_url) {
        out.push_str(&format!(
            "# To follow the published schedule instead of this copy (fetched again every\n\
             # refresh_minutes; times without an offset are read in `timezone` below):\n\
             # source = {}\n\
             # timezone = {}\n",
            quoted(&comment_safe(origin)),
            quoted(settings.zone.name())
        ));
    }
    out.push_str("refresh_minutes = 5\n\n");
    out.push_str(
        "[announcements]\n\
         # Announce each session 5 minutes ahead and again as it starts.\n\
         lead_minutes = [5, 0]\n\
         # Sessions whose track has no channel below are announced here.\n",
    );
    out.push_str(&format!(
        "default_channel = {}\n",
        quoted(&channels.default)
    ));
    if let Some(main) = &channels.main {
        out.push_str(&format!(
            "# Keynotes are announced here too.\nmain_channel = {}\n",
            quoted(main)
        ));
    }
    out.push_str(
        "# Post \"now available on demand\" after a session with a video link ends.\n\
         on_demand = true\n\
         # Post a short notice when a reload moves or cancels sessions.\n\
         change_notices = false\n\
         # Local time of a daily programme digest (in main_channel); omit for none.\n\
         # digest_at = \"08:00\"\n\n",
    );
    out.push_str(&routing_table(channels));
    out.push_str(
        "[organisers]\n\
         # Role ids (numbers: Developer Mode, then Copy Role ID) whose members may run\n\
         # organiser commands. Members who may manage the server are organisers anyway.\n\
         roles = []\n\n\
         [polls]\n\
         # Flash polls that name no channel are posted here.\n",
    );
    out.push_str(&format!("channel = {}\n", quoted(&channels.polls)));
    out.push_str(
        "default_minutes = 5\n\n\
         [discord]\n\
         # Your Discord server (guild) id, as a number (Developer Mode, then Copy\n\
         # Server ID): commands are registered there at start, instantly. Empty: every\n\
         # server the bot is in, with commands registered globally (up to an hour).\n\
         servers = []\n\
         # Discord Scheduled Events for the keynotes and the next 6 hours of sessions\n\
         # (needs Manage Events; see \"Scheduled Events\" in the README).\n\
         # scheduled_events = true\n\n\
         # Slack: uncomment with your workspace's team id (see the README).\n\
         # [slack]\n\
         # workspace = \"T0123ABCD\"\n",
    );
    out
}

/// `[announcements.tracks]` (or `.rooms`): each name and its channel.
fn routing_table(channels: &ChannelPlan) -> String {
    let (table, kind) = if channels.by_room {
        ("rooms", "room")
    } else {
        ("tracks", "track")
    };
    let mut out = format!(
        "# Each {kind}'s sessions are announced in its own channel. Point several at one\n\
         # channel to have fewer; remove a line to use default_channel for that {kind}.\n\
         [announcements.{table}]\n"
    );
    for (name, channel) in &channels.routed {
        out.push_str(&format!("{} = {}\n", quoted(name), quoted(channel)));
    }
    out.push('\n');
    out
}

/// An example `agenda.toml` for a conference still to be scheduled: one
/// track and room, a keynote and a talk on `day`.
pub fn example_agenda(name: &str, zone: Tz, day: NaiveDate) -> String {
    format!(
        "# The programme, written by `emcee init` as an example: replace it with your\n\
         # own, or import a published schedule with `emcee import SOURCE --out agenda.toml`.\n\
         # Times without an offset are wall-clock times in the conference's timezone.\n\n\
         [conference]\n\
         name = {name}\n\
         timezone = {zone}\n\n\
         [[tracks]]\n\
         name = \"Main track\"\n\n\
         [[rooms]]\n\
         name = \"Main hall\"\n\n\
         [[sessions]]\n\
         id = \"opening-keynote\"\n\
         title = \"Opening keynote\"\n\
         kind = \"keynote\"\n\
         room = \"Main hall\"\n\
         start = {day}T09:00:00\n\
         minutes = 45\n\
         speakers = [{{ name = \"A. Speaker\" }}]\n\n\
         [[sessions]]\n\
         id = \"first-talk\"\n\
         title = \"The first talk\"\n\
         track = \"Main track\"\n\
         room = \"Main hall\"\n\
         start = {day}T10:00:00\n\
         minutes = 30\n",
        name = quoted(name),
        zone = quoted(zone.name()),
        day = day.format("%Y-%m-%d"),
    )
}
