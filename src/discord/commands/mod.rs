//! The slash commands, one file per feature; [`all`] lists them.

pub mod agenda;

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
    ]
}
