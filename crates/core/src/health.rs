//! The process's own health, as `/healthz` asks it: whether the database
//! takes writes, and whether every background task is alive.
//!
//! Storage: the probe (a write lock, room under the size cap) is async, so it
//! never runs on an async worker. SQLite implements it (`crate::store`) on a
//! blocking thread; PostgreSQL (`crate::store::postgres`) asks whether the
//! server is a read-only standby.
//!
//! Tasks: the scheduler, the agenda refresh and each open poll's tally and
//! deadline run as tokio tasks. A task that panics (or returns while it should
//! run for ever) would otherwise die silently: no more announcements, and
//! nothing in the log or in `/healthz`. [`supervise`] runs such a task, logs
//! its death with the reason, counts it (`emcee_task_deaths_total`), shows it
//! down in [`Tasks::down`] and starts it again after a backoff. A task that
//! keeps dying soon after each start is given up: [`Tasks::fatal`] completes,
//! and the bot stops with a non-zero status, so that the service manager
//! restarts the whole process (and its operator is told).

use crate::store::StoreFuture;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::AbortHandle;

/// The storage's own health.
pub trait StorageHealth: Send + Sync {
    /// Fails with the reason when the database does not take writes now.
    fn check_writable(&self) -> StoreFuture<'_, ()>;
    /// Why writes failed within the last minute, if they did (in memory).
    fn writes_failing(&self) -> Option<String>;
}

/// The name of the metric counting task deaths, by task.
pub const TASK_DEATHS: &str = "emcee_task_deaths_total";

/// How a supervised task is restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Whether the task returning is its normal end (a poll's tally ends
    /// when the poll closes) rather than a death.
    pub may_finish: bool,
    /// The first wait before a restart; it doubles with each quick death.
    pub backoff: Duration,
    /// Deaths in a row, each within `settled` of its start, that give up.
    pub attempts: u32,
    /// A task that ran this long before dying starts its count afresh.
    pub settled: Duration,
    /// Whether giving up stops the process ([`Tasks::fatal`]).
    pub vital: bool,
}

impl Policy {
    /// A task that runs as long as the process (the scheduler): restarted
    /// after 1 s, 2 s; the third quick death stops the process.
    pub const fn vital() -> Self {
        Self {
            may_finish: false,
            backoff: Duration::from_secs(1),
            attempts: 3,
            settled: Duration::from_secs(60),
            vital: true,
        }
    }

    /// A task that cannot be started again (it owns what it works on): its
    /// first death stops the process.
    pub const fn vital_once() -> Self {
        Self {
            attempts: 1,
            ..Self::vital()
        }
    }

    /// A task with a natural end (a poll's tally): restarted like
    /// [`Self::vital`], but giving up leaves it down in `/healthz` without
    /// stopping the process.
    pub const fn until_done() -> Self {
        Self {
            may_finish: true,
            vital: false,
            ..Self::vital()
        }
    }
}

/// One task as `/healthz` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskStatus {
    pub name: String,
    pub running: bool,
    /// Times it died.
    pub deaths: u32,
    /// Why it last died.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_death: Option<String>,
}

/// The registry of supervised tasks of one process; share it in an `Arc`.
pub struct Tasks {
    tasks: Mutex<BTreeMap<String, TaskStatus>>,
    /// Set to the reason when a vital task was given up.
    fatal: watch::Sender<Option<String>>,
    /// Test-only panics, by task name (debug builds; see [`supervise`]).
    #[cfg(debug_assertions)]
    injected: Mutex<BTreeMap<String, u32>>,
}

impl Default for Tasks {
    fn default() -> Self {
        Self {
            tasks: Mutex::default(),
            fatal: watch::channel(None).0,
            #[cfg(debug_assertions)]
            injected: Mutex::new(injected_panics()),
        }
    }
}

impl Tasks {
    /// Names of the tasks that are not running now (dead, waiting to
    /// restart, or given up).
    pub fn down(&self) -> Vec<String> {
        let tasks = self.lock();
        tasks
            .values()
            .filter(|t| !t.running)
            .map(|t| t.name.clone())
            .collect()
    }

    /// Every supervised task that has not finished.
    pub fn statuses(&self) -> Vec<TaskStatus> {
        self.lock().values().cloned().collect()
    }

    /// Completes with the reason once a vital task was given up.
    pub async fn fatal(&self) -> String {
        let mut fatal = self.fatal.subscribe();
        loop {
            if let Some(reason) = fatal.borrow_and_update().clone() {
                return reason;
            }
            // The sender lives in `self`, which outlives this borrow.
            if fatal.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, TaskStatus>> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn started(&self, name: &str) {
        let mut tasks = self.lock();
        let status = tasks.entry(name.to_owned()).or_insert_with(|| TaskStatus {
            name: name.to_owned(),
            running: true,
            deaths: 0,
            last_death: None,
        });
        status.running = true;
    }

    fn died(&self, name: &str, reason: &str) {
        if let Some(status) = self.lock().get_mut(name) {
            status.running = false;
            status.deaths += 1;
            status.last_death = Some(reason.to_owned());
        }
    }

    fn finished(&self, name: &str) {
        self.lock().remove(name);
    }

    /// Whether this start of `name` must panic (debug builds, tests only).
    #[cfg(debug_assertions)]
    fn must_panic(&self, name: &str) -> bool {
        let mut injected = self.injected.lock().unwrap_or_else(PoisonError::into_inner);
        match injected.get_mut(name) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }
}

/// `EMCEE_TEST_PANIC=task:N[,task:N]`: the named tasks panic at their first
/// N starts. Read in debug builds only, so that the end-to-end tests can kill a
/// task; release builds have no such hook.
#[cfg(debug_assertions)]
fn injected_panics() -> BTreeMap<String, u32> {
    let spec = std::env::var("EMCEE_TEST_PANIC").unwrap_or_default();
    spec.split(',')
        .filter_map(|item| {
            let (name, times) = item.split_once(':')?;
            Some((name.trim().to_owned(), times.trim().parse().ok()?))
        })
        .collect()
}

/// Tells a supervised task to stop; each start of the task gets one.
#[derive(Clone)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    /// Completes once the task is asked to stop ([`Supervised::stop`]); never
    /// when its handle was dropped (the task then runs detached).
    pub async fn requested(mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A supervised task: stop it, or abort it as a crash would (tests).
pub struct Supervised {
    stop: watch::Sender<bool>,
    current: Arc<Mutex<Option<AbortHandle>>>,
    monitor: tokio::task::JoinHandle<()>,
}

impl Supervised {
    /// Asks the task to stop and waits until it has.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.monitor.await;
    }

    /// Stops the task at once and for good, as a crash of the process would.
    pub fn abort(&self) {
        self.monitor.abort();
        let current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(task) = current.as_ref() {
            task.abort();
        }
    }
}

/// Runs the task that `start` makes under `policy`, as `name` in `tasks`:
/// `start` is called again for each restart, with a [`Stopping`] the task
/// must watch. See the module for what a death does.
pub fn supervise<F, Fut>(tasks: &Arc<Tasks>, name: &str, policy: Policy, start: F) -> Supervised
where
    F: FnMut(Stopping) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (stop, stopping) = watch::channel(false);
    let current = Arc::new(Mutex::new(None));
    let monitor = tokio::spawn(watch_over(
        Arc::clone(tasks),
        name.to_owned(),
        policy,
        start,
        Stopping(stopping),
        Arc::clone(&current),
    ));
    Supervised {
        stop,
        current,
        monitor,
    }
}

async fn watch_over<F, Fut>(
    tasks: Arc<Tasks>,
    name: String,
    policy: Policy,
    mut start: F,
    stopping: Stopping,
    current: Arc<Mutex<Option<AbortHandle>>>,
) where
    F: FnMut(Stopping) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut quick_deaths = 0;
    loop {
        tasks.started(&name);
        let run = start(stopping.clone());
        #[cfg(debug_assertions)]
        let injected = tasks.must_panic(&name);
        let task = tokio::spawn(async move {
            #[cfg(debug_assertions)]
            if injected {
                panic!("EMCEE_TEST_PANIC asked this task to panic");
            }
            run.await;
        });
        *current.lock().unwrap_or_else(PoisonError::into_inner) = Some(task.abort_handle());
        let began = Instant::now();
        let outcome = task.await;
        if *stopping.0.borrow() {
            tasks.finished(&name);
            return;
        }
        let reason = match outcome {
            Ok(()) if policy.may_finish => {
                tasks.finished(&name);
                return;
            }
            Ok(()) => "it returned".to_owned(),
            Err(error) if error.is_panic() => format!("it panicked: {}", panic_text(error)),
            Err(_) => "it was cancelled".to_owned(),
        };
        tasks.died(&name, &reason);
        metrics::counter!(TASK_DEATHS, "task" => name.clone()).increment(1);
        quick_deaths = if began.elapsed() < policy.settled {
            quick_deaths + 1
        } else {
            1
        };
        if quick_deaths >= policy.attempts {
            tracing::error!(task = %name, %reason, "a background task died again; giving up on it");
            if policy.vital {
                let _ = tasks
                    .fatal
                    .send(Some(format!("the {name} task died ({reason})")));
            }
            return;
        }
        let wait = policy.backoff * 2u32.saturating_pow(quick_deaths - 1);
        tracing::error!(task = %name, %reason, restart_in = ?wait, "a background task died; restarting it");
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = stopping.clone().requested() => {
                tasks.finished(&name);
                return;
            }
        }
    }
}

fn panic_text(error: tokio::task::JoinError) -> String {
    let payload = error.into_panic();
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn quick(policy: Policy) -> Policy {
        Policy {
            backoff: Duration::from_millis(10),
            ..policy
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_shown_down_then_restarted() {
        let tasks = Arc::new(Tasks::default());
        let starts = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&starts);
        let running = supervise(&tasks, "job", quick(Policy::vital()), move |stopping| {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                assert!(n > 0, "first start fails");
                stopping.requested().await;
            }
        });
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(tasks.down(), ["job"], "down while it waits to restart");
        assert!(tasks.statuses()[0]
            .last_death
            .as_deref()
            .unwrap()
            .contains("first start fails"));
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(tasks.down().is_empty(), "running again");
        assert_eq!(starts.load(Ordering::SeqCst), 2);
        running.stop().await;
        assert!(tasks.statuses().is_empty(), "a stopped task is forgotten");
    }

    #[tokio::test(start_paused = true)]
    async fn a_vital_task_that_keeps_dying_stops_the_process() {
        let tasks = Arc::new(Tasks::default());
        let _running = supervise(&tasks, "job", quick(Policy::vital()), |_| async {});
        let reason = tokio::time::timeout(Duration::from_secs(5), tasks.fatal())
            .await
            .unwrap();
        assert!(reason.contains("job task died (it returned)"), "{reason}");
        assert_eq!(tasks.statuses()[0].deaths, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_may_finish_is_forgotten_when_it_does() {
        let tasks = Arc::new(Tasks::default());
        let running = supervise(&tasks, "tally", Policy::until_done(), |_| async {});
        let _ = running.monitor.await;
        assert!(tasks.statuses().is_empty());
        let fatal = tokio::time::timeout(Duration::from_secs(60), tasks.fatal()).await;
        assert!(fatal.is_err(), "never fatal");
    }
}
