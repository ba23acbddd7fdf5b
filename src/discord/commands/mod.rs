//! The slash commands, one file per feature; [`all`] lists them.

pub mod admin;
pub mod agenda;
pub mod questions;
pub mod remind;
pub mod stars;

use super::{Data, Error};

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
