//! Personal calendar feed tokens: made once per user and community, the
//! same URL from every process, reset to a new one, and never stored in a
//! form that gives the URL back.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, Utc};
use emcee_core::agenda::SessionId;
use emcee_core::clock::ManualClock;
use emcee_core::config::Config;
use emcee_core::feeds::{
    revisions, FeedConfig, FeedKey, FeedRow, FeedToken, Feeds, StoredRevision,
};
use emcee_core::scheduler::Reminder;
use emcee_core::stars::Star;
use emcee_core::store::Database;
use std::path::Path;
use std::sync::Arc;

contract!(
    a_feed_row_is_made_once_found_by_its_hash_and_replaced,
    the_database_keeps_one_feed_key_for_every_process,
    every_process_gives_the_same_url_and_a_reset_ends_the_old_one,
    the_personal_feed_holds_the_starred_and_reminded_sessions_of_its_owner_only,
    a_revision_is_set_only_over_the_fingerprint_it_was_made_from,
    every_process_publishes_one_revision_per_session_change,
);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800, 0).unwrap()
}

fn row(user: &str, nonce: &str, hash: &str) -> FeedRow {
    FeedRow {
        community: "guild".into(),
        user: user.into(),
        nonce: nonce.into(),
        token_hash: hash.into(),
    }
}

async fn a_feed_row_is_made_once_found_by_its_hash_and_replaced(f: Fixture) {
    let feeds = &f.db.feeds;
    assert_eq!(
        feeds.feed_of("guild".into(), "7".into()).await.unwrap(),
        None
    );
    assert!(feeds
        .insert_feed(row("7", "n1", "h1"), now())
        .await
        .unwrap());
    assert!(
        !feeds
            .insert_feed(row("7", "n2", "h2"), now())
            .await
            .unwrap(),
        "the first one made stays"
    );
    let other = f.another().await;
    assert_eq!(
        other
            .feeds
            .feed_of("guild".into(), "7".into())
            .await
            .unwrap(),
        Some(row("7", "n1", "h1"))
    );
    assert_eq!(
        other
            .feeds
            .feed_of("slack-team".into(), "7".into())
            .await
            .unwrap(),
        None,
        "per community"
    );
    let owner = Some(("guild".to_owned(), "7".to_owned()));
    assert_eq!(feeds.feed_owner("h1".into()).await.unwrap(), owner);
    other
        .feeds
        .replace_feed(row("7", "n3", "h3"), now())
        .await
        .unwrap();
    assert_eq!(feeds.feed_owner("h1".into()).await.unwrap(), None, "reset");
    assert_eq!(feeds.feed_owner("h3".into()).await.unwrap(), owner);
    feeds
        .replace_feed(row("8", "n4", "h4"), now())
        .await
        .unwrap();
    assert_eq!(
        feeds.feed_owner("h4".into()).await.unwrap(),
        Some(("guild".to_owned(), "8".to_owned())),
        "replacing where there was none makes one"
    );
}

async fn the_database_keeps_one_feed_key_for_every_process(f: Fixture) {
    let first = f.db.feeds.feed_key("a".repeat(64)).await.unwrap();
    assert_eq!(first, "a".repeat(64));
    let other = f.another().await;
    let second = other.feeds.feed_key("b".repeat(64)).await.unwrap();
    assert_eq!(second, first, "the key stored first is everyone's");
}

fn feeds_over(db: &Database, key: Option<FeedKey>) -> Feeds {
    let feeds = Feeds::new(db.clone(), Arc::new(ManualClock::new(now())));
    feeds.configure(FeedConfig {
        public_url: Some("https://emcee.example.org".into()),
        key,
    });
    feeds
}

fn token_of(url: &str) -> FeedToken {
    let file = url.rsplit('/').next().unwrap();
    FeedToken::parse(file.trim_end_matches(".ics")).unwrap()
}

async fn every_process_gives_the_same_url_and_a_reset_ends_the_old_one(f: Fixture) {
    let other = f.another().await;
    // No EMCEE_FEED_KEY: the processes share the database's key.
    let (here, there) = (feeds_over(&f.db, None), feeds_over(&other, None));
    let (a, b) = tokio::join!(
        here.personal_url("guild", "7"),
        there.personal_url("guild", "7")
    );
    let url = a.unwrap().unwrap();
    assert_eq!(b.unwrap().unwrap(), url, "made at once in two processes");
    assert!(url.starts_with("https://emcee.example.org/cal/"), "{url}");
    let token = token_of(&url);
    let stored =
        f.db.feeds
            .feed_of("guild".into(), "7".into())
            .await
            .unwrap()
            .unwrap();
    assert!(
        !stored.nonce.contains(token.expose()) && stored.token_hash != token.expose(),
        "the database does not hold the token"
    );
    assert_eq!(stored.token_hash, token.hash());
    assert_ne!(here.personal_url("slack", "7").await.unwrap().unwrap(), url);

    let reset = there.reset("guild", "7").await.unwrap().unwrap();
    assert_ne!(reset, url);
    assert_eq!(
        here.personal_url("guild", "7").await.unwrap().unwrap(),
        reset
    );
    let agenda = sample_agenda();
    assert_eq!(here.personal_calendar(&agenda, &token).await.unwrap(), None);
    assert!(here
        .personal_calendar(&agenda, &token_of(&reset))
        .await
        .unwrap()
        .is_some());

    // A new EMCEE_FEED_KEY gives everyone a new URL; the old ones end.
    let keyed = feeds_over(&f.db, FeedKey::from_secret(&"k".repeat(40)));
    let rekeyed = keyed.personal_url("guild", "7").await.unwrap().unwrap();
    assert_ne!(rekeyed, reset);
    assert_eq!(
        keyed
            .personal_calendar(&agenda, &token_of(&reset))
            .await
            .unwrap(),
        None
    );
    assert!(keyed
        .personal_calendar(&agenda, &token_of(&rekeyed))
        .await
        .unwrap()
        .is_some());
}

fn sample_agenda() -> emcee_core::agenda::Agenda {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/emcee.toml");
    Config::load(&path).unwrap().programme.agenda
}

async fn the_personal_feed_holds_the_starred_and_reminded_sessions_of_its_owner_only(f: Fixture) {
    let agenda = sample_agenda();
    let remind = |user: &str, session: &str| Reminder {
        user: user.into(),
        session: SessionId::new(session),
        minutes_before: 15,
    };
    for reminder in [
        remind("7", "rostedt-linux-tracing"),
        remind("7", "gone-from-the-agenda"),
        remind("8", "cantrill-wrights-law"),
    ] {
        f.db.reminders
            .add_reminder(reminder, 10, now())
            .await
            .unwrap();
    }
    // Starred in this server without a reminder; starred in another one.
    let star = |community: &str, session: &str| Star {
        community: community.into(),
        user: "7".into(),
        session: SessionId::new(session),
        reminder_minutes: None,
        starred_at: now(),
    };
    for starred in [
        star("guild", "morling-jfrunit"),
        star("guild", "rostedt-linux-tracing"),
        star("elsewhere", "cantrill-wrights-law"),
    ] {
        assert!(f.db.stars.add_star(&starred).await.unwrap());
    }
    let feeds = feeds_over(&f.db, FeedKey::from_secret(&"k".repeat(40)));
    let url = feeds.personal_url("guild", "7").await.unwrap().unwrap();
    let ics = feeds
        .personal_calendar(&agenda, &token_of(&url))
        .await
        .unwrap()
        .unwrap();
    assert!(ics.contains("UID:rostedt-linux-tracing@emcee"), "{ics}");
    assert!(ics.contains("TRIGGER:-PT15M"), "{ics}");
    assert!(ics.contains("UID:morling-jfrunit@emcee"), "starred: {ics}");
    assert!(
        !ics.contains("cantrill"),
        "another user's session, or a star in another server: {ics}"
    );
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    assert_eq!(
        ics.matches("BEGIN:VALARM").count(),
        1,
        "one alarm, the reminder's: {ics}"
    );
}

fn revision(print: &str, sequence: u32) -> StoredRevision {
    StoredRevision {
        fingerprint: print.into(),
        sequence,
        modified: now(),
    }
}

async fn a_revision_is_set_only_over_the_fingerprint_it_was_made_from(f: Fixture) {
    let (feeds, other) = (&f.db.feeds, f.another().await);
    assert!(feeds.revisions().await.unwrap().is_empty());
    assert!(feeds
        .revise("s1".into(), None, revision("a", 5))
        .await
        .unwrap());
    assert!(
        !other
            .feeds
            .revise("s1".into(), None, revision("b", 9))
            .await
            .unwrap(),
        "another process made one first"
    );
    assert!(!feeds
        .revise("s1".into(), Some("x".into()), revision("c", 9))
        .await
        .unwrap());
    assert!(other
        .feeds
        .revise("s1".into(), Some("a".into()), revision("d", 6))
        .await
        .unwrap());
    let stored = feeds.revisions().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored["s1"], revision("d", 6));
}

async fn every_process_publishes_one_revision_per_session_change(f: Fixture) {
    let other = f.another().await;
    let agenda = sample_agenda();
    let sessions: Vec<_> = agenda.sessions().iter().collect();
    let (a, b) = tokio::join!(
        revisions(f.db.feeds.as_ref(), &sessions, now()),
        revisions(
            other.feeds.as_ref(),
            &sessions,
            now() + chrono::TimeDelta::minutes(7)
        ),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.len(), sessions.len());
    assert_eq!(a, b, "two processes at once publish the same revisions");
    let mut moved = sessions[0].clone();
    moved.start += chrono::TimeDelta::minutes(30);
    moved.end += chrono::TimeDelta::minutes(30);
    let later = now() + chrono::TimeDelta::hours(1);
    let after = revisions(other.feeds.as_ref(), &[&moved], later)
        .await
        .unwrap();
    let again = revisions(f.db.feeds.as_ref(), &[&moved], later)
        .await
        .unwrap();
    let id = moved.id.as_str();
    assert!(
        after[id].sequence > a[id].sequence,
        "{:?} then {:?}",
        a[id],
        after[id]
    );
    assert_eq!(
        again[id], after[id],
        "the other process sees the same change"
    );
    let unchanged = sessions[1].id.as_str();
    let still = revisions(other.feeds.as_ref(), &[sessions[1]], later)
        .await
        .unwrap();
    assert_eq!(
        still[unchanged], a[unchanged],
        "an unchanged session keeps its revision"
    );
}
