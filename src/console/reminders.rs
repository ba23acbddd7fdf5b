//! Personal reminders in the console, so organisers can rehearse them: the
//! core's reminder service for one console user, with DMs printed as they
//! are sent. Reminders need the scheduler, which the console runs with
//! `--announce` or `--speed`.
//!
//! - `/remind SESSION [MINUTES]` (SESSION: an id or a title naming one)
//! - `/reminders [cancel SESSION]`
//! - `/mycal` prints the feed's address (with `[web] public_url`) and the
//!   calendar file; `/mycal reset` makes a new address

use crate::scheduler::text;
use chrono_tz::Tz;
use emcee_core::app::App;
use emcee_core::reminders::DEFAULT_MINUTES;

/// The console's one user.
pub const USER: &str = "you";
/// The console's community (for the user's feed).
const COMMUNITY: &str = "console";

/// The reply to a reminder line, or `None` when the line is not about reminders.
pub async fn respond(app: &App, line: &str, timezone: Tz) -> Option<String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    if !matches!(word, "/remind" | "/reminders" | "/mycal") {
        return None;
    }
    let now = app.clock.now();
    let reset = word == "/mycal" && rest.eq_ignore_ascii_case("reset");
    let feed = match word {
        "/mycal" => feed(app, reset, timezone, now).await,
        _ => String::new(),
    };
    if reset {
        return Some(feed);
    }
    let Some(reminders) = app.reminders() else {
        return Some(format!(
            "{feed}Reminders need the scheduler: start the console with --announce or --speed.\n"
        ));
    };
    let programme = app.programme();
    let render = |lines: Vec<emcee_core::chat::Text>| {
        let lines: Vec<String> = lines.iter().map(|l| text::text(l, timezone, now)).collect();
        format!("{}\n", lines.join("\n"))
    };
    let answer = match word {
        "/remind" => {
            let (session, minutes) = split_minutes(rest);
            if session.is_empty() {
                return Some("Usage: /remind SESSION [MINUTES]\n".to_owned());
            }
            reminders
                .remind(&programme, USER, session, minutes)
                .await
                .map(|answer| render(vec![answer]))
        }
        "/reminders" => {
            let cancel = rest.strip_prefix("cancel").map(str::trim);
            reminders
                .list(&programme.agenda, USER, cancel)
                .await
                .map(render)
        }
        _ => reminders.calendar(&programme.agenda, USER).await.map(|c| {
            format!(
                "{feed}{} session(s) in your calendar:\n{}",
                c.sessions, c.ics
            )
        }),
    };
    Some(answer.unwrap_or_else(|error| format!("{error}\n")))
}

/// The console user's feed address (made anew with `reset`), as lines.
async fn feed(app: &App, reset: bool, timezone: Tz, now: chrono::DateTime<chrono::Utc>) -> String {
    let url = if reset {
        app.feeds.reset(COMMUNITY, USER).await
    } else {
        app.feeds.personal_url(COMMUNITY, USER).await
    };
    match url {
        Ok(url) => {
            let answer = emcee_core::feeds::wording::answer(url.as_deref(), reset);
            format!("{}\n", text::text(&answer, timezone, now))
        }
        Err(error) => format!("{error}\n"),
    }
}

/// "g1 15" as session "g1" and 15 minutes; no trailing number: the default.
fn split_minutes(rest: &str) -> (&str, u32) {
    match rest.rsplit_once(char::is_whitespace) {
        Some((session, minutes)) => match minutes.parse() {
            Ok(minutes) => (session.trim(), minutes),
            Err(_) => (rest, DEFAULT_MINUTES),
        },
        None => (rest, DEFAULT_MINUTES),
    }
}

#[cfg(test)]
mod tests {
    use super::split_minutes;

    #[test]
    fn a_trailing_number_is_the_lead_time() {
        assert_eq!(split_minutes("g1 15"), ("g1", 15));
        assert_eq!(split_minutes("Fast I/O"), ("Fast I/O", 10));
        assert_eq!(split_minutes("g1"), ("g1", 10));
    }
}
