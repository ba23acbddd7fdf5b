//! A posted poll's close as a scheduler job, so that of several processes on
//! one database only the lease holder closes it and announces its result.
//!
//! The poll service plans the job when it posts a poll (and again for every
//! open poll when the scheduler is attached). The job is keyed by the poll's
//! stored id, so planning it twice stores it once; it is not part of the
//! programme's plan, so re-planning leaves it alone; and it never expires: a
//! close that fell due while the bot was down runs when it starts, however
//! long ago that was.

use super::job::{Job, JobKind, Message, Target};
use super::Scheduler;
use crate::polls::{Poll, PollDeadlines};
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};

/// The job that closes `poll` at its deadline.
pub fn poll_close_job(poll: &Poll) -> Job {
    let mut message = Message::new(JobKind::PollClose, Vec::new());
    message.poll_message = Some(poll.message.clone());
    Job {
        key: format!("{}:p/{}", JobKind::PollClose, poll.id),
        due_at: poll.closes_at,
        expires_at: DateTime::<Utc>::MAX_UTC,
        target: Target::Channel(poll.message.channel.clone()),
        message,
    }
}

impl PollDeadlines for Scheduler {
    fn close_at<'a>(&'a self, poll: &'a Poll) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.inner.jobs.add_jobs(vec![poll_close_job(poll)]).await?;
            self.wake();
            Ok(())
        })
    }
}

#[cfg(test)]
#[path = "poll_close_tests.rs"]
mod tests;
