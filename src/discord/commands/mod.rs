//! The slash commands, one file per feature; [`all`] lists them.

pub mod admin;
pub mod agenda;
pub mod questions;
pub mod remind;
pub mod stars;

use super::{Data, Error};
use emcee_core::agenda::SessionId;
use poise::serenity_prelude as serenity;

/// A button on a session's details that acts on that session: its custom
/// id is `prefix` and the session's short reference, which fits Discord's
/// 100 characters whatever the session's id is.
pub fn session_button(
    prefix: &str,
    (label, emoji): (&str, char),
    session: &SessionId,
) -> serenity::CreateActionRow {
    let id = format!("{prefix}{}", emcee_core::reminders::session_ref(session));
    let button = serenity::CreateButton::new(id)
        .label(label)
        .emoji(emoji)
        .style(serenity::ButtonStyle::Secondary);
    serenity::CreateActionRow::Buttons(vec![button])
}

/// Every command the bot registers.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        agenda::now(),
        agenda::next(),
        agenda::agenda(),
        agenda::track(),
        agenda::speaker(),
        agenda::room(),
        agenda::session(),
        agenda::search(),
        agenda::help(),
        remind::remind(),
        remind::reminders(),
        remind::mycal(),
        stars::star(),
        stars::unstar(),
        stars::mytalks(),
        questions::ask(),
        questions::questions(),
        admin::reload(),
        crate::discord::polls::commands::poll(),
        crate::discord::contests::contest(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_buttons_fit_discords_custom_id_limit_for_any_session_id() {
        let uid = format!("{}@outlook.com", "A".repeat(200));
        for (prefix, row) in [
            (remind::BUTTON_PREFIX, remind::button(&SessionId::new(&uid))),
            (stars::BUTTON_PREFIX, stars::button(&SessionId::new(&uid))),
        ] {
            let json = serde_json::to_value(&row).unwrap();
            let custom_id = json["components"][0]["custom_id"].as_str().unwrap();
            assert!(custom_id.len() <= 100, "{custom_id}");
            assert!(custom_id.starts_with(prefix));
        }
    }
}
