//! Stars in the console, so organisers can rehearse "my day": the core's
//! star service for the console's one user, in the console's community.
//! Starring sets a reminder only when the console runs its scheduler
//! (`--announce` or `--speed`); its DM is then printed when it is due.
//!
//! - `/star SESSION`, `/unstar SESSION` (SESSION: an id or a title naming one)
//! - `/mytalks`: the starred sessions by day, clashes flagged

use super::questions::COMMUNITY;
use super::reminders::USER;
use crate::scheduler::text;
use chrono_tz::Tz;
use emcee_core::app::App;
use emcee_core::chat::Text;

/// The reply to a star line, or `None` when the line is not about stars.
pub async fn respond(app: &App, line: &str, timezone: Tz) -> Option<String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let stars = &app.stars;
    let answer = match word {
        "/star" | "/unstar" if rest.is_empty() => {
            return Some(format!("Usage: {word} SESSION\n"));
        }
        "/star" => stars
            .star_typed(COMMUNITY, USER, rest)
            .await
            .map(|t| vec![t]),
        "/unstar" => stars
            .unstar_typed(COMMUNITY, USER, rest)
            .await
            .map(|t| vec![t]),
        "/mytalks" => stars.my_day(COMMUNITY, USER).await.map(|day| day.lines()),
        _ => return None,
    };
    let now = app.clock.now();
    let lines = answer.unwrap_or_else(|error| vec![Text::plain(error.to_string())]);
    let lines: Vec<String> = lines.iter().map(|l| text::text(l, timezone, now)).collect();
    Some(format!("{}\n", lines.join("\n")))
}
