//! A meme contest's opening (declared in the agenda: planned with the
//! programme) and its close (planned when it opens, keyed by its stored id,
//! never expiring, left alone by re-planning) as scheduler jobs, so of
//! several processes on one database only the lease holder opens and closes
//! it, once.

use super::job::{Job, JobKind, Message, Target};
use super::runner::{Delivery, DeliveryError, ProgrammeSource};
use super::Scheduler;
use crate::contests::{Contest, ContestDeadlines, ContestError, ContestService, DeclaredContest};
use crate::store::StoreFuture;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// What the scheduler asks of the contests.
pub trait ContestJobs: Send + Sync {
    /// Opens declared contest `contest` in `channel` (a config key).
    fn open<'a>(&'a self, contest: &'a DeclaredContest, channel: &'a str) -> Delivery<'a>;
    /// Closes stored contest `id` and posts its result.
    fn close(&self, id: i64) -> Delivery<'_>;
}

/// The job that opens declared `contest` in its channel.
pub(super) fn contest_open_job(contest: &DeclaredContest) -> Job {
    let mut message = Message::new(JobKind::ContestOpen, Vec::new());
    message.contest = Some(contest.id.clone());
    Job {
        key: format!(
            "{}:{}:{}",
            JobKind::ContestOpen,
            contest.id,
            contest.opens_at.timestamp()
        ),
        due_at: contest.opens_at,
        expires_at: contest.closes_at,
        target: Target::Channel(contest.channel.clone()),
        message,
    }
}

/// The job that closes `contest` at its deadline.
pub fn contest_close_job(contest: &Contest) -> Job {
    let mut message = Message::new(JobKind::ContestClose, Vec::new());
    message.contest = Some(contest.id.to_string());
    Job {
        key: format!("{}:c/{}", JobKind::ContestClose, contest.id),
        due_at: contest.rules.closes_at,
        expires_at: DateTime::<Utc>::MAX_UTC,
        target: Target::Channel(contest.rules.channel.clone()),
        message,
    }
}

impl ContestDeadlines for Scheduler {
    fn close_at<'a>(&'a self, contest: &'a Contest) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            self.inner
                .jobs
                .add_jobs(vec![contest_close_job(contest)])
                .await?;
            self.wake();
            Ok(())
        })
    }
}

fn delivery_error(error: ContestError) -> DeliveryError {
    match error {
        ContestError::Port(error) => error,
        ContestError::Rules(_) | ContestError::NoSuchChannel(_) => {
            DeliveryError::Refused(error.to_string())
        }
        other => DeliveryError::Transient(other.to_string()),
    }
}

impl ContestJobs for ContestService {
    fn open<'a>(&'a self, contest: &'a DeclaredContest, channel: &'a str) -> Delivery<'a> {
        Box::pin(async move {
            let opened = self.open_declared(contest, channel).await;
            let opened = opened.map_err(delivery_error)?;
            Ok(format!("contest {}", opened.id))
        })
    }

    fn close(&self, id: i64) -> Delivery<'_> {
        Box::pin(async move {
            match ContestService::close(self, id)
                .await
                .map_err(delivery_error)?
            {
                Some(_) => Ok(format!("the result of contest {id}")),
                None => Ok("nothing: the contest was no longer open".into()),
            }
        })
    }
}

impl Scheduler {
    /// Hands contest jobs to `contests`; only the first call counts.
    pub fn attach_contests(&self, contests: Arc<dyn ContestJobs>) {
        let _ = self.inner.contests.set(contests);
    }

    /// Runs a contest job through the attached contests.
    pub(super) async fn run_contest_job(
        &self,
        job: &Job,
        programme: &ProgrammeSource,
    ) -> Result<String, DeliveryError> {
        let Some(contests) = self.inner.contests.get() else {
            return Err(DeliveryError::Refused("no contests attached".into()));
        };
        let subject = job.message.contest.as_deref().unwrap_or_default();
        match (job.kind(), &job.target) {
            (JobKind::ContestOpen, Target::Channel(channel)) => {
                let programme = programme();
                let declared = programme.contests.iter().find(|c| c.id == subject);
                match declared {
                    Some(declared) => contests.open(declared, channel).await,
                    None => Err(DeliveryError::Refused(
                        "the contest is no longer declared".into(),
                    )),
                }
            }
            (JobKind::ContestClose, _) => match subject.parse::<i64>() {
                Ok(id) => contests.close(id).await,
                Err(_) => Err(DeliveryError::Refused("no contest to close".into())),
            },
            _ => Err(DeliveryError::Refused("not a contest job".into())),
        }
    }
}
