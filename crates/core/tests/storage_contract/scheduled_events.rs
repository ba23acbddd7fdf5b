//! The scheduled events emcee made, per community and session, with what
//! each said, and the ones an organiser withdrew.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::SessionId;
use emcee_core::events::{EventShape, StoredEvent};

contract!(
    a_kept_event_is_seen_by_another_process_and_finds_its_session,
    an_event_is_replaced_per_session_and_forgotten_only_while_it_is_the_same,
    a_withdrawn_event_is_remembered_with_its_shape_until_the_session_is_kept_again,
);

fn session(id: &str) -> SessionId {
    SessionId::new(id)
}

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800, 0).unwrap()
}

/// A session's event from `now() + minutes`, twenty minutes long.
fn shaped(name: &str, minutes: i64) -> EventShape {
    let start = now() + TimeDelta::minutes(minutes);
    EventShape {
        start,
        end: start + TimeDelta::minutes(20),
        name: name.into(),
    }
}

fn kept(id: &str, event: &str, shape: EventShape) -> StoredEvent {
    StoredEvent {
        session: session(id),
        event: event.into(),
        shape: Some(shape),
        withdrawn: false,
    }
}

async fn a_kept_event_is_seen_by_another_process_and_finds_its_session(f: Fixture) {
    let events = &f.db.events;
    assert!(events.events_of("g1".into()).await.unwrap().is_empty());
    let keep = |community: &str, id: &str, event: &str, shape: EventShape| {
        events.keep_event(community.into(), session(id), event.into(), shape, now())
    };
    keep("g1", "keynote", "e1", shaped("Keynote", 60))
        .await
        .unwrap();
    keep("g1", "g1", "e2", shaped("Talk", 90)).await.unwrap();
    keep("g2", "keynote", "e3", shaped("Keynote", 60))
        .await
        .unwrap();
    let other = f.another().await;
    assert_eq!(
        other.events.events_of("g1".into()).await.unwrap(),
        vec![
            kept("g1", "e2", shaped("Talk", 90)),
            kept("keynote", "e1", shaped("Keynote", 60)),
        ],
        "by session, this community only, with what each says"
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
    let events = &f.db.events;
    let keep = |event: &str, shape: EventShape| {
        events.keep_event("g1".into(), session("s"), event.into(), shape, now())
    };
    keep("old", shaped("Talk", 0)).await.unwrap();
    keep("new", shaped("Talk, moved", 30)).await.unwrap();
    let stored = events.events_of("g1".into()).await.unwrap();
    assert_eq!(stored, vec![kept("s", "new", shaped("Talk, moved", 30))]);
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

async fn a_withdrawn_event_is_remembered_with_its_shape_until_the_session_is_kept_again(
    f: Fixture,
) {
    let events = &f.db.events;
    let keep = |id: &str, event: &str, shape: EventShape| {
        events.keep_event("g1".into(), session(id), event.into(), shape, now())
    };
    keep("s", "e1", shaped("Talk", 60)).await.unwrap();
    keep("t", "e2", shaped("Other", 60)).await.unwrap();
    let withdraw = |event: &str, shape: EventShape| {
        let later = now() + TimeDelta::minutes(5);
        events.withdraw_event("g1".into(), session("s"), event.into(), shape, later)
    };
    withdraw("not-its-event", shaped("Talk", 0)).await.unwrap();
    let other = f.another().await;
    let stored = other.events.events_of("g1".into()).await.unwrap();
    assert!(stored.iter().all(|s| !s.withdrawn), "only its own event");
    // As the organiser's event said it: cancelled, it keeps its shape.
    withdraw("e1", shaped("Talk as cancelled", 60))
        .await
        .unwrap();
    let stored = other.events.events_of("g1".into()).await.unwrap();
    let withdrawn = StoredEvent {
        withdrawn: true,
        ..kept("s", "e1", shaped("Talk as cancelled", 60))
    };
    assert_eq!(
        stored,
        vec![withdrawn, kept("t", "e2", shaped("Other", 60))],
        "remembered across processes, the other session untouched"
    );
    let of = other.events.session_of_event("g1".into(), "e1".into());
    assert_eq!(
        of.await.unwrap(),
        None,
        "a withdrawn event stands for nothing"
    );
    // The session moved: its new event replaces the withdrawal.
    keep("s", "e3", shaped("Talk", 90)).await.unwrap();
    let stored = other.events.events_of("g1".into()).await.unwrap();
    assert_eq!(stored[0], kept("s", "e3", shaped("Talk", 90)));
    let of = other.events.session_of_event("g1".into(), "e3".into());
    assert_eq!(of.await.unwrap(), Some(session("s")));
}
