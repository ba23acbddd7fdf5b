//! Session Q&A: questions, merged duplicates, per-person limits, toggled
//! votes from many users and processes, host flags, boards and threads.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, Utc};
use emcee_core::agenda::SessionId;
use emcee_core::chat::MessageKey;
use emcee_core::questions::{
    normalise, Click, Filed, NewQuestion, QuestionState, SessionThread, Voted,
};
use emcee_core::scheduler::holder;
use emcee_core::store::Database;

contract!(
    a_question_is_filed_posted_and_read_back_by_another_process,
    a_duplicate_joins_the_first_question_with_its_askers_upvote,
    the_per_person_limit_counts_merged_questions_and_is_per_session_and_community,
    votes_toggle_per_user_and_concurrent_clicks_lose_and_double_none,
    a_click_delivered_again_changes_no_vote_in_any_process,
    a_click_tried_again_after_its_answer_never_went_out_changes_nothing,
    a_click_from_another_community_or_on_a_hidden_question_changes_nothing,
    host_flags_and_the_board_are_kept,
    a_sessions_thread_is_kept_once_and_found_by_its_channel,
);

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800 + seconds, 0).unwrap()
}

fn new(community: &str, session: &str, asker: &str, text: &str) -> NewQuestion {
    NewQuestion {
        community: community.into(),
        session: SessionId::new(session),
        asker: asker.into(),
        asker_name: format!("name of {asker}"),
        anonymous: false,
        text: text.into(),
        normal: normalise(text),
        asked_at: at(0),
    }
}

async fn filed(f: &Fixture, question: &NewQuestion) -> emcee_core::questions::Question {
    match f.db.questions.file_question(question, 3).await.unwrap() {
        Filed::New(question) => question,
        other => panic!("not new: {other:?}"),
    }
}

async fn a_question_is_filed_posted_and_read_back_by_another_process(f: Fixture) {
    let mut asked = new("g1", "s1", "7", "How fast is it?");
    asked.anonymous = true;
    let question = filed(&f, &asked).await;
    assert_eq!(question.text, "How fast is it?");
    assert_eq!(question.asker_name, "name of 7");
    assert!(question.anonymous);
    assert_eq!((question.votes, question.state), (0, QuestionState::Open));
    assert_eq!(question.askers.len(), 1);
    let key = MessageKey::new("100", "200");
    f.db.questions.set_message(question.id, &key).await.unwrap();
    let other = f.another().await;
    let read = other
        .questions
        .question(question.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.message, Some(key));
    assert_eq!(read.asked_at, at(0));
    assert!(other
        .questions
        .question(question.id + 100)
        .await
        .unwrap()
        .is_none());
    let listed = other
        .questions
        .session_questions(Some("g1"), &SessionId::new("s1"))
        .await
        .unwrap();
    assert_eq!(listed, vec![read]);
    let elsewhere = other
        .questions
        .session_questions(Some("g2"), &SessionId::new("s1"))
        .await
        .unwrap();
    assert!(elsewhere.is_empty(), "bound to its community");
}

async fn a_duplicate_joins_the_first_question_with_its_askers_upvote(f: Fixture) {
    let first = filed(&f, &new("g1", "s1", "1", "Is Rust fast?")).await;
    let mut again = new("g1", "s1", "2", "  is RUST fast ");
    again.anonymous = true;
    let merged = f.db.questions.file_question(&again, 3).await.unwrap();
    let Filed::Merged { question, already } = merged else {
        panic!("{merged:?}")
    };
    assert!(!already);
    assert_eq!(question.id, first.id);
    assert_eq!(question.votes, 1, "the second asker's upvote counts");
    let askers: Vec<(&str, bool)> = question
        .askers
        .iter()
        .map(|a| (a.user.as_str(), a.anonymous))
        .collect();
    assert_eq!(askers, [("1", false), ("2", true)]);
    let twice = f.db.questions.file_question(&again, 3).await.unwrap();
    assert!(
        matches!(twice, Filed::Merged { already: true, ref question } if question.votes == 1),
        "{twice:?}"
    );
    // Another session or community is another question.
    filed(&f, &new("g1", "s2", "2", "Is Rust fast?")).await;
    filed(&f, &new("g2", "s1", "2", "Is Rust fast?")).await;
}

async fn the_per_person_limit_counts_merged_questions_and_is_per_session_and_community(f: Fixture) {
    filed(&f, &new("g1", "s1", "9", "first")).await;
    filed(&f, &new("g1", "s1", "8", "second")).await;
    let joined =
        f.db.questions
            .file_question(&new("g1", "s1", "9", "Second!"), 2)
            .await
            .unwrap();
    assert!(matches!(joined, Filed::Merged { .. }), "{joined:?}");
    let third = new("g1", "s1", "9", "third");
    assert_eq!(
        f.db.questions.file_question(&third, 2).await.unwrap(),
        Filed::LimitReached
    );
    let other_session = new("g1", "s2", "9", "third");
    assert!(matches!(
        f.db.questions
            .file_question(&other_session, 2)
            .await
            .unwrap(),
        Filed::New(_)
    ));
    let other_community = new("g2", "s1", "9", "third");
    assert!(matches!(
        f.db.questions
            .file_question(&other_community, 2)
            .await
            .unwrap(),
        Filed::New(_)
    ));
}

/// One click through `db`: whether the vote now counts, and the count read
/// back in the same transaction.
async fn click(db: &Database, community: &str, id: i64, user: &str) -> (bool, u32) {
    match db
        .questions
        .vote(community, id, user, at(4), Click::Plain)
        .await
        .unwrap()
    {
        Voted::Toggled { question, counts } => (counts, question.votes),
        other => panic!("not toggled: {other:?}"),
    }
}

async fn votes_toggle_per_user_and_concurrent_clicks_lose_and_double_none(f: Fixture) {
    let question = filed(&f, &new("g1", "s1", "1", "Votes?")).await;
    let id = question.id;
    assert_eq!(click(&f.db, "g1", id, "u1").await, (true, 1));
    assert_eq!(click(&f.db, "g1", id, "u1").await, (false, 0));
    assert_eq!(click(&f.db, "g1", id, "u1").await, (true, 1));
    // 50 users click at once, through two processes; five of them twice at
    // once, each pair ending where the clicks' order leaves it.
    let other = f.another().await;
    let clicks = (0..55).map(|n| {
        let db = if n % 2 == 0 {
            f.db.clone()
        } else {
            other.clone()
        };
        let user = format!("voter{}", n % 50);
        tokio::spawn(async move { click(&db, "g1", id, &user).await })
    });
    for click in clicks.collect::<Vec<_>>() {
        click.await.unwrap();
    }
    let store = &f.db.questions;
    let read = store.question(id).await.unwrap().unwrap();
    assert_eq!(read.votes, 46, "u1, and the 45 voters who clicked once");
    for n in 10..20 {
        let (counts, _) = click(&other, "g1", id, &format!("voter{n}")).await;
        assert!(!counts, "voter{n} took their vote back");
    }
    let read = store.question(id).await.unwrap().unwrap();
    assert_eq!(read.votes, 36, "ten took their vote back");
    let listed = store
        .session_questions(Some("g1"), &SessionId::new("s1"))
        .await
        .unwrap();
    assert_eq!(listed[0].votes, 36, "the board reads the same count");
}

async fn a_click_from_another_community_or_on_a_hidden_question_changes_nothing(f: Fixture) {
    let question = filed(&f, &new("g1", "s1", "1", "Hidden?")).await;
    let store = &f.db.questions;
    assert_eq!(
        store
            .vote("g2", question.id, "u1", at(1), Click::Plain)
            .await
            .unwrap(),
        Voted::Unknown
    );
    assert_eq!(
        store
            .vote("g1", question.id + 100, "u1", at(1), Click::Plain)
            .await
            .unwrap(),
        Voted::Unknown
    );
    assert_eq!(click(&f.db, "g1", question.id, "u2").await, (true, 1));
    store
        .set_state(question.id, QuestionState::Hidden)
        .await
        .unwrap();
    assert_eq!(
        store
            .vote("g1", question.id, "u2", at(2), Click::Plain)
            .await
            .unwrap(),
        Voted::Hidden
    );
    let read = store.question(question.id).await.unwrap().unwrap();
    assert_eq!(read.votes, 1, "the hidden question's vote stays");
}

async fn a_click_delivered_again_changes_no_vote_in_any_process(f: Fixture) {
    let question = filed(&f, &new("T1", "s1", "U1", "Clicks?")).await;
    let (store, other) = (&f.db.questions, f.another().await);
    let once = |db: &emcee_core::store::Database, user: &str, click: u64| {
        let (db, user) = (db.clone(), user.to_owned());
        async move {
            let click = if click == 0 {
                Click::Plain
            } else {
                Click::Timed(click)
            };
            let voted = db.questions.vote("T1", question.id, &user, at(1), click);
            match voted.await.unwrap() {
                Voted::Toggled { counts, .. } => counts,
                other => panic!("not toggled: {other:?}"),
            }
        }
    };
    assert!(once(&f.db, "U2", 100).await, "the first click counts");
    assert!(
        once(&other, "U2", 100).await,
        "again, elsewhere: still counts"
    );
    assert!(!once(&f.db, "U2", 200).await, "a later click takes it back");
    assert!(
        !once(&other, "U2", 200).await,
        "and its redelivery changes nothing"
    );
    assert!(!once(&f.db, "U2", 150).await, "nor does an older click");
    assert!(once(&f.db, "U3", 150).await, "clicks are per user");
    // The same click handled by two processes at once counts once.
    let both = tokio::join!(once(&f.db, "U4", 300), once(&other, "U4", 300));
    assert_eq!(both, (true, true));
    assert!(once(&f.db, "U5", 0).await, "an unknown click time toggles");
    assert!(!once(&f.db, "U5", 0).await, "and toggles again");
    let read = store.question(question.id).await.unwrap().unwrap();
    assert_eq!(read.votes, 2, "U3 and U4");
}

/// A holder name of a process of this host that has exited, as a killed
/// bot's is once it is gone.
fn gone_process() -> &'static str {
    let me = holder::me();
    let mut parts = me.splitn(3, '/');
    let (host, _, namespace) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    Box::leak(format!("{host}/pid{pid}-1/{namespace}").into_boxed_str())
}

async fn a_click_tried_again_after_its_answer_never_went_out_changes_nothing(f: Fixture) {
    let question = filed(&f, &new("g1", "s1", "1", "Answered?")).await;
    let (id, store, other) = (question.id, &f.db.questions, f.another().await);
    let me = holder::me();
    let clicks = std::sync::atomic::AtomicU64::new(1);
    // One click by `by`, and the id it was given.
    let click = |db: &Database, user: &str, by: &'static str| {
        let (db, user) = (db.clone(), user.to_owned());
        let n = clicks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move {
            let voted = db
                .questions
                .vote("g1", id, &user, at(1), Click::Answered { by, click: n });
            match voted.await.unwrap() {
                Voted::Toggled { question, counts } => ((counts, question.votes), n),
                other => panic!("not toggled: {other:?}"),
            }
        }
    };
    let answered = |user: &'static str, by: &'static str, click: u64, delivered: bool| async move {
        let recorded = store.vote_answered(id, user, (by, click), delivered);
        recorded.await.unwrap();
    };
    // Answered clicks toggle; so does a quick second click while a live
    // process, here or elsewhere, still answers the first. The first one's
    // answer then leaves the second one's mark alone.
    let (voted, n) = click(&f.db, "u1", me).await;
    assert_eq!(voted, (true, 1));
    answered("u1", me, n, true).await;
    let (voted, first) = click(&f.db, "u1", me).await;
    assert_eq!(voted, (false, 0));
    let (voted, second) = click(&other, "u1", me).await;
    assert_eq!(voted, (true, 1), "unanswered, but by a live process");
    answered("u1", me, first, true).await;
    answered("u1", me, second, false).await;
    let (voted, n) = click(&f.db, "u1", me).await;
    assert_eq!(
        voted,
        (true, 1),
        "the second click's answer failed: a retry"
    );
    answered("u1", me, n, true).await;

    // Killed before answering: the user's retry keeps the vote, in any
    // process, and once that answer went out the next click toggles.
    let dead = gone_process();
    assert_eq!(click(&f.db, "u2", dead).await.0, (true, 2));
    let (voted, n) = click(&other, "u2", me).await;
    assert_eq!(voted, (true, 2), "the retry");
    answered("u2", me, n, true).await;
    let (voted, n) = click(&f.db, "u2", me).await;
    assert_eq!(voted, (false, 1), "a new click");
    answered("u2", me, n, true).await;
    // The same for taking a vote back.
    assert_eq!(click(&f.db, "u1", dead).await.0, (false, 0));
    assert_eq!(
        click(&f.db, "u1", me).await.0,
        (false, 0),
        "still taken back"
    );

    // Only the process that is to answer a click can say how it went.
    let (voted, n) = click(&f.db, "u3", me).await;
    assert_eq!(voted, (true, 1));
    answered("u3", dead, n, false).await;
    answered("u3", me, n, true).await;
    assert_eq!(
        click(&other, "u3", me).await.0,
        (false, 0),
        "answered: toggles"
    );

    // Plain clicks ignore what Answered ones left.
    assert_eq!(click(&f.db, "u4", dead).await.0, (true, 1));
    let plain = store
        .vote("g1", id, "u4", at(2), Click::Plain)
        .await
        .unwrap();
    assert!(matches!(plain, Voted::Toggled { counts: false, .. }));
    let read = store.question(id).await.unwrap().unwrap();
    assert_eq!(read.votes, 0, "every vote was taken back");
}

async fn host_flags_and_the_board_are_kept(f: Fixture) {
    let question = filed(&f, &new("g1", "s1", "1", "Flags?")).await;
    let store = &f.db.questions;
    store.set_pinned(question.id, true).await.unwrap();
    store
        .set_state(question.id, QuestionState::Answered)
        .await
        .unwrap();
    let read = store.question(question.id).await.unwrap().unwrap();
    assert!(read.pinned);
    assert_eq!(read.state, QuestionState::Answered);
    store
        .set_state(question.id, QuestionState::Hidden)
        .await
        .unwrap();
    store.set_pinned(question.id, false).await.unwrap();
    let read = store.question(question.id).await.unwrap().unwrap();
    assert_eq!((read.pinned, read.state), (false, QuestionState::Hidden));

    let session = SessionId::new("s1");
    assert_eq!(store.board("g1", &session).await.unwrap(), None);
    let board = MessageKey::new("100", "300");
    store.keep_board("g1", &session, &board).await.unwrap();
    let moved = MessageKey::new("101", "301");
    store.keep_board("g2", &session, &moved).await.unwrap();
    let other = f.another().await;
    assert_eq!(
        other.questions.board("g1", &session).await.unwrap(),
        Some(board)
    );
    assert_eq!(
        other.questions.board("g2", &session).await.unwrap(),
        Some(moved)
    );
}

async fn a_sessions_thread_is_kept_once_and_found_by_its_channel(f: Fixture) {
    let store = &f.db.questions;
    let session = SessionId::new("s1");
    assert_eq!(store.thread(&session).await.unwrap(), None);
    let thread = SessionThread {
        session: session.clone(),
        channel: "900".into(),
        parent: "100".into(),
        archived: false,
    };
    assert!(store.keep_thread(&thread, at(0)).await.unwrap());
    let second = SessionThread {
        channel: "901".into(),
        ..thread.clone()
    };
    assert!(
        !store.keep_thread(&second, at(1)).await.unwrap(),
        "a session keeps its first thread"
    );
    let other = f.another().await;
    assert_eq!(
        other.questions.thread(&session).await.unwrap(),
        Some(thread.clone())
    );
    assert_eq!(
        other.questions.thread_session("900").await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(other.questions.thread_session("901").await.unwrap(), None);
    other
        .questions
        .thread_archived(&session, at(9))
        .await
        .unwrap();
    assert!(store.thread(&session).await.unwrap().unwrap().archived);
}
