//! The console's announcer: each announcement, poll opening and reminder is
//! printed as it fires, so `emcee console --at T --speed N` rehearses the day.

use super::text;
use chrono_tz::Tz;
use emcee_core::clock::Clock;
use emcee_core::polls::FlashPoll;
use emcee_core::scheduler::{Announcer, Delivery, Message};
use std::io::Write;
use std::sync::Arc;

/// Prints to stdout with the clock's local time.
pub struct ConsoleAnnouncer {
    clock: Arc<dyn Clock>,
    timezone: Tz,
}

impl ConsoleAnnouncer {
    /// An announcer printing times in `timezone`.
    pub fn new(clock: Arc<dyn Clock>, timezone: Tz) -> Self {
        Self { clock, timezone }
    }

    fn print(&self, to: &str, body: &str) -> String {
        let at = self.clock.now().with_timezone(&self.timezone);
        let line = format!("[{}] {to}: {}\n", at.format("%H:%M:%S"), body);
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
        format!("console@{}", at.format("%H:%M:%S"))
    }
}

impl Announcer for ConsoleAnnouncer {
    fn post<'a>(&'a self, channel: &'a str, message: &'a Message, _nonce: &'a str) -> Delivery<'a> {
        let body = text::message(message, self.timezone);
        let posted = self.print(&format!("#{channel}"), &body);
        Box::pin(async move { Ok(posted) })
    }

    fn direct<'a>(&'a self, user: &'a str, message: &'a Message, _nonce: &'a str) -> Delivery<'a> {
        let body = text::message(message, self.timezone);
        let posted = self.print(&format!("DM to {user}"), &body);
        Box::pin(async move { Ok(posted) })
    }

    fn open_poll<'a>(&'a self, poll: &'a FlashPoll, channel: &'a str) -> Delivery<'a> {
        let options: Vec<&str> = poll.options.iter().map(|o| o.label.as_str()).collect();
        let body = format!(
            "Poll opens: {} [{}] until {}",
            poll.question,
            options.join(" / "),
            poll.closes_at.with_timezone(&self.timezone).format("%H:%M")
        );
        let posted = self.print(&format!("#{channel}"), &body);
        Box::pin(async move { Ok(posted) })
    }
}
