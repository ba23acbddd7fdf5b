//! Polls and votes: the synchronous poll store, and the recorder over it
//! (which keeps a network store's calls off the async workers).

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::polls::{
    Choice, Click, ClickVerdict, MarkRow, MessageKey, NewPoll, PollState, PollStyle, Reaction,
    Recorder, Verdict,
};
use std::sync::Arc;

contract!(
    polls_and_marks_round_trip,
    a_batch_that_changes_one_mark_twice_keeps_the_last,
    a_poll_leaves_open_once,
    the_recorder_stores_every_vote_before_it_counts,
    a_burst_of_votes_is_stored_in_batches,
    a_polls_style_is_stored_and_its_clicks_are_read_back_elsewhere,
);

fn opened() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_620_000, 0).unwrap()
}

fn new_poll(message: &str, declared: Option<&str>) -> NewPoll {
    let choice = |key: &str, label: &str| Choice {
        key: key.into(),
        label: label.into(),
    };
    NewPoll {
        message: MessageKey::new("c1", message),
        question: "Tea or coffee?".into(),
        choices: vec![
            choice("A", "Tea"),
            choice("🦀", "Crab"),
            choice("C", "Coffee"),
        ],
        multi: false,
        hide_tally: true,
        style: emcee_core::polls::PollStyle::Reactions,
        opened_at: opened(),
        closes_at: opened() + TimeDelta::minutes(5),
        declared_id: declared.map(str::to_owned),
        created_by: Some("42".into()),
        community: Some("guild-1".into()),
    }
}

fn mark(voter: &str, option: usize, net: i32, last_add: u64) -> MarkRow {
    MarkRow {
        voter: voter.into(),
        option,
        net,
        last_add,
    }
}

fn sorted(mut marks: Vec<MarkRow>) -> Vec<MarkRow> {
    marks.sort_by(|a, b| (&a.voter, a.option).cmp(&(&b.voter, b.option)));
    marks
}

async fn polls_and_marks_round_trip(f: Fixture) {
    let polls = Arc::clone(&f.db.polls);
    tokio::task::spawn_blocking(move || {
        let poll = polls.insert_poll(&new_poll("m1", Some("tea"))).unwrap();
        let second = polls.insert_poll(&new_poll("m2", None)).unwrap();
        assert!(second.id > poll.id);
        let found = polls.poll_by_message(&MessageKey::new("c1", "m1")).unwrap();
        assert_eq!(found.as_ref(), Some(&poll));
        assert_eq!(found.unwrap().choices.len(), 3);
        assert_eq!(polls.poll_by_declared("tea").unwrap(), Some(poll.clone()));
        assert_eq!(polls.poll_by_declared("none").unwrap(), None);
        assert_eq!(
            polls.poll_by_message(&MessageKey::new("c2", "m1")).unwrap(),
            None
        );
        assert!(
            polls.insert_poll(&new_poll("m1", None)).is_err(),
            "one poll per message"
        );
        assert!(
            polls.insert_poll(&new_poll("m3", Some("tea"))).is_err(),
            "declared once"
        );
        polls
            .save_marks(&[(poll.id, mark("alice", 1, 1, 7))])
            .unwrap();
        polls
            .save_marks(&[
                (poll.id, mark("alice", 1, 0, 7)),
                (poll.id, mark("bob", 2, 1, 9)),
            ])
            .unwrap();
        polls
            .save_marks(&[(second.id, mark("alice", 0, 1, 3))])
            .unwrap();
        assert_eq!(
            sorted(polls.marks(poll.id).unwrap()),
            [mark("alice", 1, 0, 7), mark("bob", 2, 1, 9)]
        );
        let all = polls.all_polls().unwrap();
        assert_eq!(
            all.iter().map(|p| p.id).collect::<Vec<_>>(),
            [poll.id, second.id]
        );
        assert_eq!(all[0], poll, "every field round-trips");
    })
    .await
    .unwrap();
}

async fn a_batch_that_changes_one_mark_twice_keeps_the_last(f: Fixture) {
    let polls = Arc::clone(&f.db.polls);
    tokio::task::spawn_blocking(move || {
        let poll = polls.insert_poll(&new_poll("m1", None)).unwrap();
        let batch = [
            (poll.id, mark("alice", 0, 1, 1)),
            (poll.id, mark("bob", 0, 1, 2)),
            (poll.id, mark("alice", 0, 0, 1)),
            (poll.id, mark("alice", 2, 1, 3)),
        ];
        polls.save_marks(&batch).unwrap();
        assert_eq!(
            sorted(polls.marks(poll.id).unwrap()),
            [
                mark("alice", 0, 0, 1),
                mark("alice", 2, 1, 3),
                mark("bob", 0, 1, 2)
            ]
        );
        polls.save_marks(&[]).unwrap();
        assert!(
            polls
                .save_marks(&[(poll.id + 100, mark("x", 0, 1, 1))])
                .is_err(),
            "a vote for no poll is refused, and nothing of its batch is stored"
        );
        assert_eq!(polls.marks(poll.id).unwrap().len(), 3);
    })
    .await
    .unwrap();
}

async fn a_poll_leaves_open_once(f: Fixture) {
    let (polls, other) = (Arc::clone(&f.db.polls), f.another().await.polls);
    tokio::task::spawn_blocking(move || {
        let poll = polls.insert_poll(&new_poll("m1", None)).unwrap();
        let at = poll.closes_at;
        assert!(polls.set_state(poll.id, PollState::Closed, at).unwrap());
        assert!(
            !other.set_state(poll.id, PollState::Cancelled, at).unwrap(),
            "closed once"
        );
        other.set_announced(poll.id).unwrap();
        let stored = polls.all_polls().unwrap().remove(0);
        assert_eq!(
            (stored.state, stored.closed_at, stored.announced),
            (PollState::Closed, Some(at), true)
        );
    })
    .await
    .unwrap();
}

async fn the_recorder_stores_every_vote_before_it_counts(f: Fixture) {
    let recorder = Recorder::start(Arc::clone(&f.db.polls));
    let poll = recorder.open(new_poll("m1", None)).await.unwrap();
    let react = |voter: &str, key: &str, added: bool| Reaction {
        message: poll.message.clone(),
        voter: voter.into(),
        key: key.into(),
        added,
        by_self: false,
    };
    let mut votes = Vec::new();
    for n in 0..40 {
        let key = ["A", "🦀", "C"][n % 3];
        let recorder = recorder.clone();
        let reaction = react(&format!("voter-{n}"), key, true);
        votes.push(tokio::spawn(async move {
            recorder.react(reaction, std::time::Instant::now()).await
        }));
    }
    for vote in votes {
        assert!(matches!(
            vote.await.unwrap().unwrap(),
            Verdict::Counted { .. }
        ));
    }
    let moved = recorder.react(react("voter-0", "C", true), std::time::Instant::now());
    match moved.await.unwrap() {
        Verdict::Counted { displaced, .. } => assert_eq!(displaced, ["A"]),
        other => panic!("{other:?}"),
    }
    let foreign = recorder.react(react("voter-1", "🐍", true), std::time::Instant::now());
    assert_eq!(foreign.await.unwrap(), Verdict::Foreign);
    // A second process reads what the first stored.
    let elsewhere = Recorder::start(f.another().await.polls);
    let (_, results) = elsewhere.results(&poll.message).await.unwrap().unwrap();
    let counts: Vec<u64> = results.options.iter().map(|o| o.votes).collect();
    assert_eq!(counts, [13, 13, 14], "{}", f.kind);
    let closed = recorder
        .close(&poll.message, PollState::Closed, poll.closes_at)
        .await
        .unwrap();
    assert!(closed.is_some());
    assert!(elsewhere
        .close(&poll.message, PollState::Closed, poll.closes_at)
        .await
        .unwrap()
        .is_none());
}

/// 2,000 voters at once through the recorder: every vote stored, in batches
/// (group commit), the latency printed per backend.
async fn a_burst_of_votes_is_stored_in_batches(f: Fixture) {
    let recorder = Recorder::start(Arc::clone(&f.db.polls));
    let mut poll = new_poll("burst", None);
    poll.multi = true;
    let poll = recorder.open(poll).await.unwrap();
    let started = std::time::Instant::now();
    let votes: Vec<_> = (0..2_000)
        .map(|n| {
            let recorder = recorder.clone();
            let reaction = Reaction {
                message: poll.message.clone(),
                voter: format!("voter-{n}"),
                key: ["A", "C"][n % 2].into(),
                added: true,
                by_self: false,
            };
            tokio::spawn(async move { recorder.react(reaction, std::time::Instant::now()).await })
        })
        .collect();
    for vote in votes {
        assert!(matches!(
            vote.await.unwrap().unwrap(),
            Verdict::Counted { .. }
        ));
    }
    let elapsed = started.elapsed();
    let latency = recorder.latencies();
    println!(
        "vote burst: {} backend, 2000 votes stored in {elapsed:?}, received to stored p50 {:?} p99 {:?} max {:?}",
        f.kind, latency.p50, latency.p99, latency.max
    );
    assert_eq!(latency.count, 2_000);
    let polls = Arc::clone(&f.db.polls);
    let stored = tokio::task::spawn_blocking(move || polls.marks(poll.id).unwrap().len());
    assert_eq!(stored.await.unwrap(), 2_000);
}

/// A button or native poll keeps its style (a restart must not reconcile it
/// with reactions), and its clicks, moves and take-backs are stored as one vote
/// each: a second process reads the same counts.
async fn a_polls_style_is_stored_and_its_clicks_are_read_back_elsewhere(f: Fixture) {
    let recorder = Recorder::start(Arc::clone(&f.db.polls));
    let mut buttons = new_poll("buttons", None);
    buttons.style = PollStyle::Buttons;
    let poll = recorder.open(buttons).await.unwrap();
    let reactions = recorder.open(new_poll("reactions", None)).await.unwrap();
    let mut native = new_poll("native", None);
    native.style = PollStyle::Native;
    let native = recorder.open(native).await.unwrap();
    let click = |voter: &str, option: usize, at: u64| Click {
        message: poll.message.clone(),
        voter: voter.into(),
        option,
        at,
    };
    let clicks = [("ann", 0), ("bo", 0), ("cy", 2), ("ann", 1), ("bo", 0)];
    for (at, (voter, option)) in (1_000..).zip(clicks) {
        let verdict = recorder.click(click(voter, option, at), std::time::Instant::now());
        assert!(matches!(
            verdict.await.unwrap(),
            ClickVerdict::Counted { .. }
        ));
    }
    let on_buttons = Reaction {
        message: poll.message.clone(),
        voter: "dee".into(),
        key: "A".into(),
        added: true,
        by_self: false,
    };
    let reacted = recorder.react(on_buttons, std::time::Instant::now());
    assert_eq!(
        reacted.await.unwrap(),
        Verdict::NotAPoll,
        "a button poll counts clicks only"
    );
    let other = f.another().await.polls;
    let stored = tokio::task::spawn_blocking(move || other.all_polls().unwrap());
    let styles: Vec<(i64, PollStyle)> = stored
        .await
        .unwrap()
        .iter()
        .map(|p| (p.id, p.style))
        .collect();
    assert_eq!(
        styles,
        [
            (poll.id, PollStyle::Buttons),
            (reactions.id, PollStyle::Reactions),
            (native.id, PollStyle::Native)
        ],
        "{}",
        f.kind
    );
    let elsewhere = Recorder::start(f.another().await.polls);
    // After a restart, bo's last click delivered again still counts once.
    let again = elsewhere.click(click("bo", 0, 1_004), std::time::Instant::now());
    assert!(matches!(
        again.await.unwrap(),
        ClickVerdict::Counted { voted: false, .. }
    ));
    let (read, results) = elsewhere.results(&poll.message).await.unwrap().unwrap();
    assert_eq!(read.style, PollStyle::Buttons);
    let counts: Vec<u64> = results.options.iter().map(|o| o.votes).collect();
    assert_eq!((counts, results.voters), (vec![0, 1, 1], 2), "{}", f.kind);
}
