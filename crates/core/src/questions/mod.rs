//! Session Q&A: attendees file questions for a session with `/ask`, upvote
//! them with one ▲ each (clicking again takes the vote back), and the
//! session's hosts (its speakers as the agenda maps them to chat users, the
//! lounge hosts, organisers) mark them answered, pin or hide them.
//!
//! Like polls, this is platform-neutral and bound to a community: a
//! question lives in the server or workspace it was asked in, and a click
//! from another acts on nothing. Everything is stored (a question, each
//! asker, each vote as its own row) before the room sees it, so a restart
//! loses no question or vote and counts none twice.
//!
//! - `model`: a question, its state, and the normal form duplicates merge by.
//! - `posts`: what the room, the board and the hosts see, as neutral posts.
//! - `service`: asking, voting, moderating; `board`: the debounced
//!   "next question" post and recounts.
//! - `sessions`: which session a question is for, and who hosts it.
//! - `store`: what the Q&A needs from a database (both backends).
//! - `settings`: `[questions]` and `[threads]`.
//! - `threads`: a thread per session, opened on its start announcement.

mod board;
mod model;
pub mod posts;
mod service;
mod sessions;
mod settings;
mod store;
pub mod threads;

pub(crate) use model::{is_retry, ANSWER_FAILED};
pub use model::{normalise, Asker, Click, Filed, NewQuestion, Question, QuestionState, Voted};
pub use posts::Action;
pub use service::{Ask, Asked, Host, QuestionConfig, QuestionError, QuestionService};
pub use settings::{QuestionSettings, ThreadSettings};
pub use store::{QuestionStore, SessionThread};
