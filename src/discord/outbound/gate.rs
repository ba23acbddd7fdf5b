//! The global budget, shared fairly: who gets the next of the requests per
//! second Discord allows the bot as a whole.
//!
//! Waiters queue in lanes, first come, first served within a lane. When
//! channel traffic (announcements, poll posts and tallies, server lists) and
//! personal traffic (direct messages) both wait, they take turns, so a burst
//! of 2,000 reminders holds an announcement back by one slot at most, and a
//! poll's tally edits cannot starve the reminders either. Within personal
//! traffic, a message into a DM that is already open goes before opening the
//! next DM, so reminders arrive as the burst goes rather than all after all
//! the opens.
//!
//! A call holds its slot from the moment it is let go until a second after
//! its answer came back: Discord counts it when it arrives, somewhere in
//! between, so counting only the send lets a burst sent a second after a slow
//! first one (new connections, a slow answer) land inside Discord's same
//! second and draw a global 429.
//!
//! One pump task per busy spell hands the slots out; waiters sleep on a
//! oneshot, not on a timer, so a queue of thousands is not woken thousands of
//! times per slot (serenity's ratelimiter releases its waiters in such storms).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{oneshot, Notify};
use tokio::time::Instant;

/// Which queue a call waits in for its share of the global budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Anything in or about the servers' channels.
    Channel,
    /// A message into a DM channel that is open.
    Direct,
    /// Opening a DM channel.
    Opening,
}

impl Lane {
    fn index(self) -> usize {
        match self {
            Self::Channel => 0,
            Self::Direct => 1,
            Self::Opening => 2,
        }
    }
}

/// The queues, and the calls that still count against the budget.
#[derive(Debug, Default)]
struct Queues {
    waiting: [VecDeque<oneshot::Sender<Permit>>; 3],
    /// Calls let go whose answer has not come back.
    in_flight: usize,
    /// When the answers of the last second came back.
    answered: VecDeque<Instant>,
    blocked_until: Option<Instant>,
    pumping: bool,
    /// The last slot went to personal traffic: channel traffic is next.
    personal_last: bool,
}

impl Queues {
    fn is_empty(&self) -> bool {
        self.waiting.iter().all(VecDeque::is_empty)
    }

    /// How long until the next slot is free; `None`: until a call in flight
    /// is answered.
    fn wait(&mut self, now: Instant, per_second: usize) -> Option<Duration> {
        let second = Duration::from_secs(1);
        while self
            .answered
            .front()
            .is_some_and(|&at| now.duration_since(at) >= second)
        {
            self.answered.pop_front();
        }
        let mut until = self.blocked_until.unwrap_or(now).max(now);
        if self.in_flight + self.answered.len() >= per_second.max(1) {
            until = until.max(self.answered.front().copied()? + second);
        }
        Some(until - now)
    }

    /// The next waiter: channel and personal traffic alternate while both wait.
    fn pick(&mut self) -> Option<oneshot::Sender<Permit>> {
        let [channel, direct, opening] = &mut self.waiting;
        let personal_waits = !direct.is_empty() || !opening.is_empty();
        let channel_turn = channel.front().is_some() && (self.personal_last || !personal_waits);
        let next = if channel_turn {
            channel.pop_front()
        } else {
            direct.pop_front().or_else(|| opening.pop_front())
        };
        self.personal_last = next.is_some() && !channel_turn;
        next
    }
}

/// The global budget; cheap to clone, shared by every call of one sender.
#[derive(Debug, Clone)]
pub struct Gate {
    per_second: usize,
    /// One lane for everything, in arrival order (the floor the bench measures).
    single_lane: bool,
    queues: Arc<Mutex<Queues>>,
    /// Wakes the pump when an answer frees a slot.
    answered: Arc<Notify>,
}

/// One call's slot of the budget: it counts until a second after the permit
/// is dropped, which the caller does when the answer is in.
#[derive(Debug)]
pub struct Permit {
    gate: Gate,
    armed: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.armed {
            {
                let mut queues = self.gate.lock();
                queues.in_flight = queues.in_flight.saturating_sub(1);
                queues.answered.push_back(Instant::now());
            }
            self.gate.answered.notify_one();
        }
    }
}

impl Gate {
    /// A budget of `per_second` calls in any second.
    pub fn new(per_second: usize, single_lane: bool) -> Self {
        Self {
            per_second,
            single_lane,
            queues: Arc::default(),
            answered: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a slot in `lane`; it counts until a second after the permit
    /// is dropped.
    pub async fn slot(&self, lane: Lane) -> Permit {
        let lane = if self.single_lane {
            Lane::Channel
        } else {
            lane
        };
        let (granted, wait) = oneshot::channel();
        {
            let mut queues = self.lock();
            queues.waiting[lane.index()].push_back(granted);
            if !queues.pumping {
                queues.pumping = true;
                tokio::spawn(pump(self.clone()));
            }
        }
        match wait.await {
            Ok(permit) => permit,
            // The pump only drops a sender after handing it a permit, and runs
            // until the queues are empty; a runtime shutting down is the only
            // way here, and then nothing is sent any more.
            Err(_) => Permit {
                gate: self.clone(),
                armed: false,
            },
        }
    }

    /// Holds every call until `until` (a global 429's `retry-after`).
    pub fn block_until(&self, until: Instant) {
        let mut queues = self.lock();
        queues.blocked_until = Some(queues.blocked_until.map_or(until, |at| at.max(until)));
    }
}

/// Hands out slots while anyone waits, then ends.
async fn pump(gate: Gate) {
    loop {
        let answered = gate.answered.notified();
        let wait = {
            let mut queues = gate.lock();
            if queues.is_empty() {
                queues.pumping = false;
                return;
            }
            let wait = queues.wait(Instant::now(), gate.per_second);
            if wait == Some(Duration::ZERO) {
                grant(&gate, &mut queues);
            }
            wait
        };
        match wait {
            Some(Duration::ZERO) => {}
            Some(wait) => tokio::time::sleep(wait).await,
            None => answered.await,
        }
    }
}

/// Gives the next waiter a permit; one that gave up (its call was dropped)
/// does not use the slot.
fn grant(gate: &Gate, queues: &mut Queues) {
    while let Some(next) = queues.pick() {
        queues.in_flight += 1;
        let permit = Permit {
            gate: gate.clone(),
            armed: true,
        };
        match next.send(permit) {
            Ok(()) => return,
            Err(mut unused) => {
                // Dropping it armed would lock the queues, which are held here.
                unused.armed = false;
                queues.in_flight -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Queues `lanes` in order, each recording its name when served.
    async fn served_order(gate: &Gate, lanes: &[(Lane, &'static str)]) -> Vec<&'static str> {
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for &(lane, name) in lanes {
            let (gate, order) = (gate.clone(), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                drop(gate.slot(lane).await);
                order.lock().unwrap().push(name);
            }));
            // Let the task queue itself before the next one.
            tokio::task::yield_now().await;
        }
        for task in tasks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        order
    }

    #[tokio::test(start_paused = true)]
    async fn channel_traffic_keeps_its_turn_during_a_dm_burst() {
        let gate = Gate::new(1, false);
        let mut lanes = vec![(Lane::Opening, "open"); 4];
        lanes.push((Lane::Channel, "announce"));
        lanes.push((Lane::Direct, "dm"));
        let start = Instant::now();
        let order = served_order(&gate, &lanes).await;
        assert_eq!(
            order,
            ["open", "announce", "dm", "open", "open", "open"],
            "the announcement goes next, and a DM into an open channel before the next open"
        );
        assert_eq!(
            Instant::now() - start,
            Duration::from_secs(5),
            "one a second"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_lane_serves_in_arrival_order() {
        let gate = Gate::new(2, true);
        let lanes = [
            (Lane::Opening, "open"),
            (Lane::Opening, "open"),
            (Lane::Opening, "open"),
            (Lane::Channel, "announce"),
        ];
        assert_eq!(
            served_order(&gate, &lanes).await,
            ["open", "open", "open", "announce"]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_global_block_holds_every_lane() {
        let gate = Gate::new(10, false);
        let start = Instant::now();
        gate.block_until(start + Duration::from_millis(1500));
        drop(gate.slot(Lane::Direct).await);
        assert_eq!(Instant::now() - start, Duration::from_millis(1500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_counts_until_a_second_after_its_answer() {
        let gate = Gate::new(1, false);
        let start = Instant::now();
        let slow = gate.slot(Lane::Channel).await;
        let next = tokio::spawn({
            let gate = gate.clone();
            async move { drop(gate.slot(Lane::Channel).await) }
        });
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(!next.is_finished(), "held while the first is unanswered");
        drop(slow);
        next.await.unwrap();
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
    }
}
