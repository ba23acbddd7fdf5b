//! What the organisers planned for the day: the agenda and the flash polls.

use crate::agenda::Agenda;
use crate::contests::DeclaredContest;
use crate::polls::FlashPoll;

/// A loaded programme: the validated, indexed agenda plus the polls declared with it.
#[derive(Debug, Clone)]
pub struct Programme {
    pub agenda: Agenda,
    pub polls: Vec<FlashPoll>,
    /// Meme contests declared with it (`[[contests]]`).
    pub contests: Vec<DeclaredContest>,
}
