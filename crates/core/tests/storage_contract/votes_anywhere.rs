//! Votes from anywhere: two poll services (two processes) on one database.
//! A poll opened by one gets votes through the other, which adopts it from
//! the store; the close counts every stored vote, exactly.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::chat::memory::MemoryPort;
use emcee_core::clock::ManualClock;
use emcee_core::polls::{
    Choice, Click, ClickVerdict, MarkRow, MessageKey, NewPoll, Poll, PollOption, PollRequest,
    PollService, PollState, PollStore, PollStyle, Reaction, Verdict,
};
use emcee_core::store::StoreError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

contract!(
    a_poll_opened_by_one_process_counts_the_votes_another_receives,
    a_button_poll_takes_clicks_in_either_process,
    ordinary_messages_and_known_polls_cost_no_repeated_lookups,
    a_process_does_not_adopt_a_poll_past_its_deadline,
);

fn start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_620_000, 0).unwrap()
}

/// A poll store that counts its lookups by message, around a real one.
struct Counting {
    inner: Arc<dyn PollStore>,
    lookups: AtomicUsize,
}

impl PollStore for Counting {
    fn runs_inline(&self) -> bool {
        self.inner.runs_inline()
    }
    fn insert_poll(&self, poll: &NewPoll) -> Result<Poll, StoreError> {
        self.inner.insert_poll(poll)
    }
    fn poll_by_message(&self, message: &MessageKey) -> Result<Option<Poll>, StoreError> {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        self.inner.poll_by_message(message)
    }
    fn poll_by_declared(&self, declared_id: &str) -> Result<Option<Poll>, StoreError> {
        self.inner.poll_by_declared(declared_id)
    }
    fn all_polls(&self) -> Result<Vec<Poll>, StoreError> {
        self.inner.all_polls()
    }
    fn marks(&self, poll_id: i64) -> Result<Vec<MarkRow>, StoreError> {
        self.inner.marks(poll_id)
    }
    fn save_marks(&self, marks: &[(i64, MarkRow)]) -> Result<(), StoreError> {
        self.inner.save_marks(marks)
    }
    fn set_state(
        &self,
        poll_id: i64,
        state: PollState,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.inner.set_state(poll_id, state, at)
    }
    fn set_announced(&self, poll_id: i64) -> Result<(), StoreError> {
        self.inner.set_announced(poll_id)
    }
}

/// Two processes on one database and one platform.
struct Two {
    first: PollService,
    second: PollService,
    /// The second process's store, counting its lookups.
    second_store: Arc<Counting>,
    clock: ManualClock,
    /// The platform both post on, showing every reaction delivered.
    port: Arc<MemoryPort>,
}

async fn two(f: &Fixture) -> Two {
    let port = Arc::new(MemoryPort::default());
    let clock = ManualClock::new(start());
    let second_store = Arc::new(Counting {
        inner: f.another().await.polls,
        lookups: AtomicUsize::new(0),
    });
    Two {
        first: PollService::new(
            Arc::clone(&f.db.polls),
            port.clone(),
            Arc::new(clock.clone()),
        ),
        second: PollService::new(second_store.clone(), port.clone(), Arc::new(clock.clone())),
        second_store,
        clock,
        port,
    }
}

fn request(style: PollStyle, multi: bool) -> PollRequest {
    PollRequest {
        channel: "polls".into(),
        question: "Tea or coffee?".into(),
        options: ["Tea", "Coffee"].map(PollOption::parse).to_vec(),
        closes_at: start() + TimeDelta::minutes(5),
        multi,
        hide_tally: false,
        style: Some(style),
        declared_id: None,
        created_by: Some("organiser".into()),
        community: Some("guild-1".into()),
    }
}

fn reaction(poll: &Poll, voter: &str, option: usize, added: bool) -> Reaction {
    Reaction {
        message: poll.message.clone(),
        voter: voter.into(),
        key: poll.choices[option].key.clone(),
        added,
        by_self: false,
    }
}

fn counts(results: &emcee_core::polls::Results) -> Vec<u64> {
    results.options.iter().map(|o| o.votes).collect()
}

async fn a_poll_opened_by_one_process_counts_the_votes_another_receives(f: Fixture) {
    let two = two(&f).await;
    let poll = two.open(PollStyle::Reactions, false).await;
    // Twelve voters, their reactions dealt to both processes in turn.
    for n in 0..12 {
        let service = [&two.first, &two.second][n % 2];
        let vote = reaction(&poll, &format!("voter-{n}"), n % 3 / 2, true);
        two.deliver(service, vote).await;
    }
    // A single-choice vote moved in the process that adopted the poll:
    // the old reaction is reported displaced, the vote counts once.
    let moved = reaction(&poll, "voter-1", 1, true);
    two.port.user_reacted(&moved);
    let moved = two
        .second
        .recorder()
        .react(moved, Instant::now())
        .await
        .unwrap();
    assert_eq!(
        moved,
        Verdict::Counted {
            displaced: vec![poll.choices[0].key.clone()],
            suspect: false
        },
        "{}",
        f.kind
    );
    let adopted = two.second.recorder().open_polls().await.unwrap();
    assert_eq!(adopted.len(), 1, "the second process counts it now");
    assert_eq!(
        (adopted[0].id, adopted[0].style, adopted[0].multi),
        (poll.id, poll.style, poll.multi)
    );
    // Either process's `poll results` reads every stored vote.
    for service in [&two.first, &two.second] {
        let (_, running) = service
            .recorder()
            .results(&poll.message)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(counts(&running), [7, 5], "{}", f.kind);
        assert_eq!(running.voters, 12);
    }
    // The first process closes it with every vote, the second's included.
    let closed = two
        .first
        .recorder()
        .close(&poll.message, PollState::Closed, two.clock_now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counts(&closed.1), [7, 5], "exact at close: {}", f.kind);
    assert!(two
        .second
        .recorder()
        .close(&poll.message, PollState::Closed, two.clock_now())
        .await
        .unwrap()
        .is_none());
}

impl Two {
    /// `event` happens on the platform and reaches `service`.
    async fn deliver(&self, service: &PollService, event: Reaction) {
        self.port.user_reacted(&event);
        service.on_reaction(event, Instant::now()).await.unwrap();
    }

    /// The first process posts a poll.
    async fn open(&self, style: PollStyle, multi: bool) -> Poll {
        self.first.post(request(style, multi)).await.unwrap()
    }

    fn clock_now(&self) -> DateTime<Utc> {
        emcee_core::clock::Clock::now(&self.clock)
    }
}

async fn a_button_poll_takes_clicks_in_either_process(f: Fixture) {
    let two = two(&f).await;
    // The in-memory platform has no buttons: the poll is stored as a button
    // poll's would be once posted.
    let choice = |key: &str, label: &str| Choice {
        key: key.into(),
        label: label.into(),
    };
    let new = NewPoll {
        message: MessageKey::new("polls", "buttons"),
        question: "Tea or coffee?".into(),
        choices: vec![choice("A", "Tea"), choice("B", "Coffee")],
        multi: true,
        hide_tally: false,
        style: PollStyle::Buttons,
        opened_at: start(),
        closes_at: start() + TimeDelta::minutes(5),
        declared_id: None,
        created_by: None,
        community: Some("workspace-1".into()),
    };
    let poll = two.first.recorder().open(new).await.unwrap();
    let click = |voter: &str, option: usize, at: u64| Click {
        message: poll.message.clone(),
        voter: voter.into(),
        option,
        at,
    };
    let second = two
        .second
        .on_click(click("ann", 0, 10), Instant::now())
        .await
        .unwrap();
    assert!(
        matches!(&second, ClickVerdict::Counted { voted: true, .. }),
        "{second:?}"
    );
    let first = two.first.on_click(click("bob", 1, 11), Instant::now());
    assert!(matches!(
        first.await.unwrap(),
        ClickVerdict::Counted { voted: true, .. }
    ));
    two.second
        .on_click(click("ann", 1, 12), Instant::now())
        .await
        .unwrap();
    // A reaction on a button poll is chatter, in the adopting process too.
    let chatter = two
        .second
        .recorder()
        .react(reaction(&poll, "cat", 0, true), Instant::now());
    assert_eq!(chatter.await.unwrap(), Verdict::NotAPoll);
    let closed = two
        .first
        .finish(&poll.message, PollState::Closed)
        .await
        .unwrap();
    assert!(closed.is_some());
    let (_, results) = two
        .second
        .recorder()
        .results(&poll.message)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (counts(&results), results.voters),
        (vec![1, 2], 2),
        "{}",
        f.kind
    );
}

async fn ordinary_messages_and_known_polls_cost_no_repeated_lookups(f: Fixture) {
    let two = two(&f).await;
    let poll = two.open(PollStyle::Reactions, true).await;
    let lookups = || two.second_store.lookups.load(Ordering::SeqCst);
    let chatter = Reaction {
        message: MessageKey::new("general", "hello"),
        voter: "ann".into(),
        key: "👋".into(),
        added: true,
        by_self: false,
    };
    for _ in 0..20 {
        let verdict = two
            .second
            .recorder()
            .react(chatter.clone(), Instant::now())
            .await;
        assert_eq!(verdict.unwrap(), Verdict::NotAPoll);
    }
    assert_eq!(lookups(), 1, "an ordinary message is looked up once");
    let vote = |n: usize| reaction(&poll, &format!("voter-{n}"), n % 2, true);
    two.deliver(&two.second, vote(0)).await;
    // Adopted by this vote, or loaded at start (PostgreSQL loads off the
    // caller's thread, so maybe after the poll was stored): at most one read.
    let known = lookups();
    assert!(known <= 2, "{known}");
    for n in 1..20 {
        two.deliver(&two.second, vote(n)).await;
    }
    assert_eq!(lookups(), known, "a known poll costs no lookup");
    let mut bot = reaction(&poll, "bot", 0, true);
    bot.message = MessageKey::new("polls", "not-yet-stored");
    bot.by_self = true;
    let verdict = two.second.recorder().react(bot, Instant::now()).await;
    assert_eq!(verdict.unwrap(), Verdict::NotAPoll);
    assert_eq!(
        lookups(),
        known,
        "the bot's own reactions are never looked up"
    );
}

async fn a_process_does_not_adopt_a_poll_past_its_deadline(f: Fixture) {
    let two = two(&f).await;
    let poll = two.open(PollStyle::Reactions, false).await;
    two.deliver(&two.second, reaction(&poll, "early", 0, true))
        .await;
    // Past the deadline, before any close job ran: the store still says open.
    two.clock.set(poll.closes_at + TimeDelta::seconds(1));
    let late = Reaction {
        message: poll.message.clone(),
        ..reaction(&poll, "late", 1, true)
    };
    let fresh = PollService::new(
        f.another().await.polls,
        Arc::new(MemoryPort::default()),
        Arc::new(two.clock.clone()),
    );
    let verdict = fresh.recorder().react(late.clone(), Instant::now()).await;
    assert_eq!(verdict.unwrap(), Verdict::NotAPoll, "{}", f.kind);
    // Nor do the two processes counting it (closing it meanwhile or not).
    for service in [&two.first, &two.second] {
        let verdict = service.recorder().react(late.clone(), Instant::now()).await;
        assert_eq!(verdict.unwrap(), Verdict::NotAPoll, "{}", f.kind);
    }
    let (_, results) = fresh
        .recorder()
        .results(&poll.message)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(counts(&results), [1, 0], "the early vote only");
}
