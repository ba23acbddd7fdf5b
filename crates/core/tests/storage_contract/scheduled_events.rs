//! The scheduled events emcee made, per community and session.

use crate::fixture::{contract, Fixture};
use chrono::DateTime;
use emcee_core::agenda::SessionId;
use emcee_core::events::StoredEvent;

contract!(
    a_kept_event_is_seen_by_another_process_and_finds_its_session,
    an_event_is_replaced_per_session_and_forgotten_only_while_it_is_the_same,
);

fn session(id: &str) -> SessionId {
    SessionId::new(id)
}

async fn a_kept_event_is_seen_by_another_process_and_finds_its_session(f: Fixture) {
    let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
    let events = &f.db.events;
    assert!(events.events_of("g1".into()).await.unwrap().is_empty());
    events
        .keep_event("g1".into(), session("keynote"), "e1".into(), now)
        .await
        .unwrap();
    events
        .keep_event("g1".into(), session("g1"), "e2".into(), now)
        .await
        .unwrap();
    events
        .keep_event("g2".into(), session("keynote"), "e3".into(), now)
        .await
        .unwrap();
    let other = f.another().await;
    assert_eq!(
        other.events.events_of("g1".into()).await.unwrap(),
        vec![
            StoredEvent {
                session: session("g1"),
                event: "e2".into()
            },
            StoredEvent {
                session: session("keynote"),
                event: "e1".into()
            },
        ],
        "by session, this community only"
    );
    let of = |community: &str, event: &str| {
        other
            .events
            .session_of_event(community.into(), event.into())
    };
    assert_eq!(of("g1", "e1").await.unwrap(), Some(session("keynote")));
    assert_eq!(of("g2", "e3").await.unwrap(), Some(session("keynote")));
    assert_eq!(of("g2", "e1").await.unwrap(), None, "another community's");
    assert_eq!(of("g1", "hand-made").await.unwrap(), None);
}

async fn an_event_is_replaced_per_session_and_forgotten_only_while_it_is_the_same(f: Fixture) {
    let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
    let events = &f.db.events;
    events
        .keep_event("g1".into(), session("s"), "old".into(), now)
        .await
        .unwrap();
    events
        .keep_event("g1".into(), session("s"), "new".into(), now)
        .await
        .unwrap();
    let stored = events.events_of("g1".into()).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].event, "new");
    events
        .forget_event("g1".into(), session("s"), "old".into())
        .await
        .unwrap();
    assert_eq!(
        events.events_of("g1".into()).await.unwrap().len(),
        1,
        "not the same event"
    );
    events
        .forget_event("g1".into(), session("s"), "new".into())
        .await
        .unwrap();
    assert!(events.events_of("g1".into()).await.unwrap().is_empty());
    let gone = events.session_of_event("g1".into(), "new".into());
    assert_eq!(gone.await.unwrap(), None);
}
