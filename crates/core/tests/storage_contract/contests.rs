//! Meme contests: contests (a declared one stored once), entries within the
//! per-person limit under concurrent posts from two processes, votes in
//! batches counted once per voter, standings, and a close that happens once.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, Utc};
use emcee_core::chat::MessageKey;
use emcee_core::contests::{
    default_emoji, ContestState, EntryAdded, NewContest, NewEntry, VoteChange,
};

contract!(
    a_contest_is_stored_once_per_declared_id_and_read_back_by_another_process,
    entries_stop_at_the_limit_and_the_refusal_is_noted_once_even_from_two_processes,
    votes_count_once_per_voter_and_entry_and_removals_take_them_back,
    a_contest_closes_once_and_its_result_is_marked_announced,
);

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800 + seconds, 0).unwrap()
}

fn rules(declared: Option<&str>, per_person: u32) -> NewContest {
    NewContest {
        community: Some("g1".into()),
        declared_id: declared.map(str::to_owned),
        title: "P99 memes".into(),
        channel: "c1".into(),
        template: Some("https://example.org/template.png".into()),
        per_person,
        emoji: default_emoji(),
        top: 3,
        opens_at: at(0),
        closes_at: at(3600),
        created_by: Some("7".into()),
    }
}

fn entry(contest_id: i64, message: u32, entrant: &str, posted: i64) -> NewEntry {
    NewEntry {
        contest_id,
        message: MessageKey::new("c1", message),
        entrant: entrant.into(),
        entrant_name: format!("name of {entrant}"),
        image_url: format!("https://cdn.example/{message}.png"),
        link: Some(format!("https://chat.example/c1/{message}")),
        posted_at: at(posted),
    }
}

fn vote(entry_id: i64, voter: &str, emoji: &str, present: bool) -> VoteChange {
    VoteChange {
        entry_id,
        voter: voter.into(),
        emoji: emoji.into(),
        present,
    }
}

async fn a_contest_is_stored_once_per_declared_id_and_read_back_by_another_process(f: Fixture) {
    let (contest, fresh) =
        f.db.contests
            .insert_contest(rules(Some("memes"), 2))
            .await
            .unwrap();
    assert!(fresh);
    assert_eq!(contest.rules, rules(Some("memes"), 2));
    assert_eq!(contest.state, ContestState::Open);
    let other = f.another().await;
    let (again, fresh) = other
        .contests
        .insert_contest(rules(Some("memes"), 5))
        .await
        .unwrap();
    assert!(!fresh, "a declared contest is stored once");
    assert_eq!(again, contest);
    let (by_command, _) = other.contests.insert_contest(rules(None, 1)).await.unwrap();
    let (also, fresh) = other.contests.insert_contest(rules(None, 1)).await.unwrap();
    assert!(
        fresh && also.id != by_command.id,
        "commanded contests are each new"
    );
    let ids: Vec<i64> =
        f.db.contests
            .contests()
            .await
            .unwrap()
            .iter()
            .map(|c| c.id)
            .collect();
    assert_eq!(ids, [contest.id, by_command.id, also.id]);
    assert_eq!(
        f.db.contests.contest(contest.id).await.unwrap(),
        Some(contest)
    );
    assert_eq!(f.db.contests.contest(9999).await.unwrap(), None);
}

async fn entries_stop_at_the_limit_and_the_refusal_is_noted_once_even_from_two_processes(
    f: Fixture,
) {
    let (contest, _) = f.db.contests.insert_contest(rules(None, 2)).await.unwrap();
    let other = f.another().await;
    // One person posts six images at once, through two processes.
    let mut tasks = Vec::new();
    for n in 0..6u32 {
        let db = if n % 2 == 0 {
            f.db.clone()
        } else {
            other.clone()
        };
        let new = entry(contest.id, 100 + n, "alice", i64::from(n));
        tasks.push(tokio::spawn(async move {
            db.contests.add_entry(new, 2).await.unwrap()
        }));
    }
    let mut added = 0;
    let mut first_refusals = 0;
    for task in tasks {
        match task.await.unwrap() {
            EntryAdded::Added(_) => added += 1,
            EntryAdded::OverLimit { first } => first_refusals += usize::from(first),
            EntryAdded::Known(entry) => panic!("not posted before: {entry:?}"),
        }
    }
    assert_eq!((added, first_refusals), (2, 1));
    let bob = entry(contest.id, 200, "bob", 10);
    let EntryAdded::Added(stored) = f.db.contests.add_entry(bob.clone(), 2).await.unwrap() else {
        panic!("bob's first entry counts");
    };
    assert_eq!(stored.entry, bob);
    let again = other.contests.add_entry(bob.clone(), 2).await.unwrap();
    assert_eq!(
        again,
        EntryAdded::Known(stored.clone()),
        "an event delivered twice"
    );
    let found = other
        .contests
        .entry_by_message(bob.message.clone())
        .await
        .unwrap();
    assert_eq!(found, Some(stored));
    let entries = f.db.contests.entries(contest.id).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(
        entries.last().unwrap().entry.entrant,
        "bob",
        "in posting order"
    );
    let none =
        f.db.contests
            .entry_by_message(MessageKey::new("c1", 1))
            .await
            .unwrap();
    assert_eq!(none, None);
}

async fn votes_count_once_per_voter_and_entry_and_removals_take_them_back(f: Fixture) {
    let (contest, _) = f.db.contests.insert_contest(rules(None, 1)).await.unwrap();
    let mut ids = Vec::new();
    for (n, entrant) in ["alice", "bob", "carol"].iter().enumerate() {
        let posted = i64::try_from(n).unwrap();
        let new = entry(contest.id, 300 + u32::try_from(n).unwrap(), entrant, posted);
        match f.db.contests.add_entry(new, 1).await.unwrap() {
            EntryAdded::Added(entry) => ids.push(entry.id),
            other => panic!("{other:?}"),
        }
    }
    let other = f.another().await;
    // 200 voters on alice's entry, in batches from two processes; half of
    // them react with both emoji, which is still one vote.
    for batch in 0..4 {
        let changes: Vec<VoteChange> = (0..50)
            .flat_map(|n| {
                let voter = format!("v{}", batch * 50 + n);
                let mut changes = vec![vote(ids[0], &voter, "👍", true)];
                if n % 2 == 0 {
                    changes.push(vote(ids[0], &voter, "😂", true));
                }
                changes
            })
            .collect();
        let db = if batch % 2 == 0 { &f.db } else { &other };
        db.contests.save_votes(changes).await.unwrap();
    }
    // Bob's entry: three voters, one of whom takes the vote back; a vote
    // stored twice counts once.
    let bobs = vec![
        vote(ids[1], "x", "👍", true),
        vote(ids[1], "y", "👍", true),
        vote(ids[1], "y", "👍", true),
        vote(ids[1], "z", "😂", true),
        vote(ids[1], "z", "😂", false),
    ];
    other.contests.save_votes(bobs).await.unwrap();
    // Removing one of two emoji keeps the vote.
    f.db.contests
        .save_votes(vec![vote(ids[0], "v0", "😂", false)])
        .await
        .unwrap();
    let standings = emcee_core::contests::rank(f.db.contests.standings(contest.id).await.unwrap());
    let counts: Vec<(String, u32)> = standings
        .iter()
        .map(|s| (s.entry.entry.entrant.clone(), s.votes))
        .collect();
    assert_eq!(
        counts,
        [
            ("alice".into(), 200),
            ("bob".into(), 2),
            ("carol".into(), 0)
        ]
    );
    let bob_votes = other.contests.votes(ids[1]).await.unwrap();
    assert_eq!(
        bob_votes,
        [("x".into(), "👍".into()), ("y".into(), "👍".into())]
    );
}

async fn a_contest_closes_once_and_its_result_is_marked_announced(f: Fixture) {
    let (contest, _) = f.db.contests.insert_contest(rules(None, 1)).await.unwrap();
    let other = f.another().await;
    let (one, two) = tokio::join!(
        f.db.contests.close_contest(contest.id, at(3600)),
        other.contests.close_contest(contest.id, at(3601)),
    );
    assert!(one.unwrap() ^ two.unwrap(), "exactly one process closes it");
    let closed = f.db.contests.contest(contest.id).await.unwrap().unwrap();
    assert_eq!(closed.state, ContestState::Closed);
    assert!(closed.closed_at.is_some() && !closed.announced);
    other.contests.set_announced(contest.id).await.unwrap();
    let announced = f.db.contests.contest(contest.id).await.unwrap().unwrap();
    assert!(announced.announced);
    assert!(!f
        .db
        .contests
        .close_contest(contest.id, at(4000))
        .await
        .unwrap());
}
