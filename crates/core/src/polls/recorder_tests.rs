use super::*;
use crate::polls::Choice;
use crate::store::Store;

fn new_poll(multi: bool) -> NewPoll {
    let at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
    NewPoll {
        message: MessageKey::new("c", "m"),
        question: "Which language?".into(),
        choices: ["🇦", "🇧", "🇨"]
            .iter()
            .map(|k| Choice {
                key: (*k).into(),
                label: format!("option {k}"),
            })
            .collect(),
        multi,
        hide_tally: false,
        style: crate::polls::PollStyle::Reactions,
        opened_at: at,
        closes_at: at + chrono::TimeDelta::minutes(5),
        declared_id: None,
        created_by: None,
        community: None,
    }
}

fn reaction(voter: &str, key: &str, added: bool) -> Reaction {
    Reaction {
        message: MessageKey::new("c", "m"),
        voter: voter.into(),
        key: key.into(),
        added,
        by_self: false,
    }
}

async fn react(recorder: &Recorder, voter: &str, key: &str, added: bool) -> Verdict {
    recorder
        .react(reaction(voter, key, added), Instant::now())
        .await
        .unwrap()
}

fn counts(recorder: &Recorder) -> Vec<u64> {
    let message = MessageKey::new("c", "m");
    recorder
        .watch(&message)
        .unwrap()
        .borrow()
        .tally
        .counts
        .clone()
}

#[tokio::test]
async fn votes_are_stored_before_they_show_and_survive_a_restart() {
    let store = Store::in_memory().unwrap();
    let recorder = Recorder::start(Arc::new(store.clone()));
    let poll = recorder.open(new_poll(false)).await.unwrap();
    let moved = react(&recorder, "alice", "🇦", true).await;
    assert!(matches!(moved, Verdict::Counted { .. }));
    let moved = react(&recorder, "alice", "🇧", true).await;
    assert_eq!(
        moved,
        Verdict::Counted {
            displaced: vec!["🇦".into()],
            suspect: false
        }
    );
    assert_eq!(counts(&recorder), vec![0, 1, 0]);
    assert_eq!(
        store.marks(poll.id).unwrap().len(),
        2,
        "written before the reply"
    );
    let again = Recorder::start(Arc::new(store));
    assert_eq!(again.open_polls().await.unwrap().len(), 1);
    assert_eq!(counts(&again), vec![0, 1, 0]);
    assert_eq!(again.latencies().count, 0);
    assert_eq!(recorder.latencies().count, 2);
}

#[tokio::test]
async fn the_bots_own_foreign_emoji_and_votes_after_close_do_not_count() {
    let recorder = Recorder::start(Arc::new(Store::in_memory().unwrap()));
    recorder.open(new_poll(true)).await.unwrap();
    let mut own = reaction("bot", "🇦", true);
    own.by_self = true;
    let verdict = recorder.react(own, Instant::now()).await.unwrap();
    assert_eq!(verdict, Verdict::Ignored);
    assert_eq!(
        react(&recorder, "alice", "🍕", true).await,
        Verdict::Foreign
    );
    react(&recorder, "alice", "🇦", true).await;
    react(&recorder, "alice", "🇨", true).await;
    let message = MessageKey::new("c", "m");
    let at = DateTime::from_timestamp(1_633_620_300, 0).unwrap();
    let (poll, results) = recorder
        .close(&message, PollState::Closed, at)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(poll.state, PollState::Closed);
    assert_eq!((results.voters, results.winners.clone()), (1, vec![0, 2]));
    assert_eq!(react(&recorder, "bob", "🇧", true).await, Verdict::NotAPoll);
    assert!(recorder
        .close(&message, PollState::Closed, at)
        .await
        .unwrap()
        .is_none());
    let (_, after) = recorder.results(&message).await.unwrap().unwrap();
    assert_eq!(after, results);
}

#[tokio::test]
async fn reconciliation_takes_the_platforms_reactions_but_not_over_newer_events() {
    let recorder = Recorder::start(Arc::new(Store::in_memory().unwrap()));
    recorder.open(new_poll(false)).await.unwrap();
    react(&recorder, "alice", "🇦", true).await; // removed while down
    react(&recorder, "bob", "🇦", true).await; // also voted 🇧 while down
    let since = recorder.version();
    react(&recorder, "carol", "🇨", true).await; // after the fetch began
    let present = vec![
        ["bob"].iter().map(|s| s.to_string()).collect(),
        ["bob", "dave"].iter().map(|s| s.to_string()).collect(),
        BTreeSet::new(),
    ];
    let message = MessageKey::new("c", "m");
    let extras = recorder.reconcile(&message, present, since).await.unwrap();
    assert_eq!(extras, vec![("bob".to_owned(), vec!["🇦".to_owned()])]);
    assert_eq!(counts(&recorder), vec![0, 2, 1]);
}

#[tokio::test]
async fn a_single_choice_reaction_found_present_on_checking_displaces_the_other_one() {
    let recorder = Recorder::start(Arc::new(Store::in_memory().unwrap()));
    recorder.open(new_poll(false)).await.unwrap();
    react(&recorder, "alice", "🇦", true).await;
    let message = MessageKey::new("c", "m");
    let since = recorder.version();
    let observed = recorder
        .observe(&message, "alice", "🇧", true, since)
        .await
        .unwrap();
    assert_eq!(
        observed,
        Observed {
            suspect: false,
            extras: vec!["🇦".to_owned()],
        }
    );
    assert_eq!(counts(&recorder), [0, 1, 0]);
    let again = recorder
        .observe(&message, "alice", "🇧", true, since)
        .await
        .unwrap();
    assert_eq!(
        again,
        Observed::default(),
        "nothing changed, nothing to remove"
    );
}

#[tokio::test]
async fn clicks_are_stored_before_they_answer_and_a_restart_keeps_one_vote_each() {
    let store = Store::in_memory().unwrap();
    let recorder = Recorder::start(Arc::new(store.clone()));
    let mut buttons = new_poll(false);
    buttons.style = crate::polls::PollStyle::Buttons;
    recorder.open(buttons).await.unwrap();
    let click = |voter: &str, option: usize| {
        let click = crate::polls::Click {
            message: MessageKey::new("c", "m"),
            voter: voter.into(),
            option,
            at: 0,
        };
        recorder.click(click, Instant::now())
    };
    let voted = click("alice", 0).await.unwrap();
    assert_eq!(
        voted,
        ClickVerdict::Counted {
            option: "option 🇦".into(),
            voted: true,
            chosen: vec!["option 🇦".into()],
            multi: false,
        }
    );
    click("alice", 1).await.unwrap();
    click("bob", 1).await.unwrap();
    let removed = click("bob", 1).await.unwrap();
    assert!(matches!(
        removed,
        ClickVerdict::Counted { voted: false, .. }
    ));
    assert_eq!(counts(&recorder), vec![0, 1, 0]);
    assert_eq!(
        click("bob", 9).await.unwrap(),
        ClickVerdict::NotAPoll,
        "no such option"
    );
    let restarted = Recorder::start(Arc::new(store));
    assert_eq!(counts(&restarted), vec![0, 1, 0]);
    let message = MessageKey::new("c", "m");
    let at = DateTime::from_timestamp(1_633_620_000, 0).unwrap();
    restarted
        .close(&message, PollState::Closed, at)
        .await
        .unwrap();
    let late = crate::polls::Click {
        message,
        voter: "carol".into(),
        option: 0,
        at: 0,
    };
    assert_eq!(
        restarted.click(late, Instant::now()).await.unwrap(),
        ClickVerdict::NotAPoll,
        "clicks after the close do not count"
    );
}

#[tokio::test]
async fn a_poll_another_process_opened_is_adopted_until_its_deadline() {
    let store = Store::in_memory().unwrap();
    let clock = Arc::new(crate::clock::ManualClock::new(new_poll(true).opened_at));
    // Another process on the same database, started before the poll.
    let other = Recorder::start_with_clock(Arc::new(store.clone()), clock.clone());
    let opener = Recorder::start(Arc::new(store.clone()));
    let poll = opener.open(new_poll(true)).await.unwrap();
    react(&opener, "alice", "🇦", true).await;
    let mut unknown = reaction("carol", "🇦", true);
    unknown.message = MessageKey::new("c", "not-a-poll");
    let verdict = other.react(unknown, std::time::Instant::now()).await;
    assert_eq!(verdict.unwrap(), Verdict::NotAPoll);
    assert!(matches!(
        react(&other, "bob", "🇧", true).await,
        Verdict::Counted { .. }
    ));
    assert_eq!(
        other
            .take_adopted()
            .into_iter()
            .map(|p| p.id)
            .collect::<Vec<_>>(),
        [poll.id],
        "adopted once, for the service to watch"
    );
    assert_eq!(counts(&other), vec![1, 1, 0], "its stored votes came along");
    clock.set(poll.closes_at);
    assert_eq!(
        react(&other, "dave", "🇧", true).await,
        Verdict::NotAPoll,
        "past its deadline it takes no votes"
    );
}

#[tokio::test]
async fn native_votes_count_on_native_polls_only_from_their_community_and_survive_a_restart() {
    let store = Store::in_memory().unwrap();
    let recorder = Recorder::start(Arc::new(store.clone()));
    let mut native = new_poll(false);
    native.style = crate::polls::PollStyle::Native;
    native.community = Some("g1".into());
    recorder.open(native).await.unwrap();
    let vote = |voter: &str, option: usize, added: bool, community: &str| {
        let vote = crate::polls::NativeVote {
            message: MessageKey::new("c", "m"),
            voter: voter.into(),
            option,
            added,
            community: Some(community.into()),
        };
        recorder.native_vote(vote, Instant::now())
    };
    assert!(matches!(
        vote("alice", 0, true, "g1").await.unwrap(),
        Verdict::Counted { .. }
    ));
    vote("bob", 2, true, "g1").await.unwrap();
    // A move is a removal, then the new vote.
    vote("bob", 2, false, "g1").await.unwrap();
    vote("bob", 1, true, "g1").await.unwrap();
    assert_eq!(
        vote("mallory", 2, true, "g2").await.unwrap(),
        Verdict::NotAPoll,
        "a vote naming another community counts nowhere"
    );
    assert_eq!(
        vote("carol", 7, true, "g1").await.unwrap(),
        Verdict::Foreign
    );
    assert_eq!(
        react(&recorder, "dave", "🇨", true).await,
        Verdict::NotAPoll,
        "a reaction on a native poll is chatter"
    );
    assert_eq!(counts(&recorder), vec![1, 1, 0]);
    let again = Recorder::start(Arc::new(store));
    assert_eq!(counts(&again), vec![1, 1, 0]);
}
