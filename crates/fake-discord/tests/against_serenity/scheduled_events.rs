//! Guild Scheduled Events through serenity's own `Http` and models: create,
//! list, edit, delete, Discord's refusals, its status transitions and its
//! cap of 100, and "Interested" as gateway dispatches.

use fake_discord::{FakeDiscord, FakeUser};
use serenity::all::{
    CreateScheduledEvent, EditScheduledEvent, HttpError, ScheduledEventId, ScheduledEventStatus,
    ScheduledEventType, Timestamp,
};

use crate::harness::{guild, http, Bot};

const START: i64 = 1_633_622_400; // 2021-10-07T16:00:00Z

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_timestamp(START + seconds).unwrap()
}

fn utc(seconds: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(START + seconds, 0).unwrap()
}

fn external(name: &str, offset: i64) -> CreateScheduledEvent<'static> {
    CreateScheduledEvent::new(ScheduledEventType::External, name, at(offset))
        .end_time(at(offset + 1500))
        .location("#observability")
        .description("A talk")
}

fn code(error: serenity::Error) -> (u16, isize) {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            (response.status_code.as_u16(), response.error.code)
        }
        other => panic!("expected a Discord error, got {other:?}"),
    }
}

#[tokio::test]
async fn events_are_created_listed_edited_and_deleted_in_discords_shapes() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let server = guild(fake.ids().guild_id);
    let made = http
        .create_scheduled_event(server, &external("Keynote", 0), None)
        .await
        .unwrap();
    assert_eq!(made.name, "Keynote");
    assert_eq!(made.kind, ScheduledEventType::External);
    assert_eq!(made.status, ScheduledEventStatus::Scheduled);
    assert_eq!(made.end_time, Some(at(1500)));
    assert_eq!(
        made.metadata.and_then(|m| m.location).as_deref(),
        Some("#observability")
    );
    assert_eq!(
        made.creator_id.map(|u| u.get()),
        Some(fake.ids().bot_user_id)
    );

    let moved = EditScheduledEvent::new()
        .start_time(at(600))
        .end_time(at(2100))
        .name("Keynote (moved)");
    let edited = http
        .edit_scheduled_event(server, made.id, &moved, None)
        .await
        .unwrap();
    assert_eq!(
        (edited.start_time, edited.name.as_str()),
        (at(600), "Keynote (moved)")
    );
    let listed = http.get_scheduled_events(server, true).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_count, Some(0));
    assert_eq!(
        fake.scheduled_events(server.get())[0].start.timestamp(),
        START + 600
    );

    http.delete_scheduled_event(server, made.id).await.unwrap();
    assert!(fake.scheduled_events(server.get()).is_empty());
    let gone = http
        .delete_scheduled_event(server, made.id)
        .await
        .unwrap_err();
    assert_eq!(code(gone), (404, 10070));
    let path = format!("/guilds/{server}/scheduled-events");
    assert!(
        fake.requests().iter().any(|r| r.is("POST", &path)),
        "recorded"
    );
}

#[tokio::test]
async fn discord_refuses_bad_fields_and_a_101st_uncompleted_event() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let server = guild(fake.ids().guild_id);
    let no_end =
        CreateScheduledEvent::new(ScheduledEventType::External, "x", at(0)).location("Main hall");
    let long_name = external(&"n".repeat(101), 0);
    let long_description = external("ok", 0).description("d".repeat(1001));
    for refused in [no_end, long_name, long_description] {
        let error = http
            .create_scheduled_event(server, &refused, None)
            .await
            .unwrap_err();
        assert_eq!(code(error), (400, 50035));
    }
    let organiser = FakeUser::organiser(1);
    let by_hand = fake
        .hand_made_event(&organiser, server.get(), "Meetup", utc(0), utc(60), "Bar")
        .unwrap();
    for n in 1..100 {
        http.create_scheduled_event(server, &external(&format!("talk {n}"), n), None)
            .await
            .unwrap();
    }
    let full = http
        .create_scheduled_event(server, &external("one too many", 0), None)
        .await
        .unwrap_err();
    assert_eq!(code(full), (400, 30038));
    // A completed or cancelled event no longer counts.
    let cancel = EditScheduledEvent::new().status(ScheduledEventStatus::Canceled);
    http.edit_scheduled_event(server, ScheduledEventId::new(by_hand), &cancel, None)
        .await
        .unwrap();
    http.create_scheduled_event(server, &external("now it fits", 0), None)
        .await
        .unwrap();
    assert_eq!(fake.scheduled_events(server.get()).len(), 101);
}

#[tokio::test]
async fn only_discords_status_transitions_are_taken_and_a_finished_event_never_changes() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let server = guild(fake.ids().guild_id);
    let make = |name: &'static str| {
        let http = &http;
        async move {
            let event = external(name, 0);
            let made = http.create_scheduled_event(server, &event, None);
            made.await.unwrap().id
        }
    };
    let status = |status| EditScheduledEvent::new().status(status);
    let edit = |id, edit: EditScheduledEvent<'static>| {
        let http = &http;
        async move { http.edit_scheduled_event(server, id, &edit, None).await }
    };
    let talk = make("Talk").await;
    let skipped = edit(talk, status(ScheduledEventStatus::Completed)).await;
    assert_eq!(code(skipped.unwrap_err()), (400, 50035), "not past ACTIVE");
    let live = edit(talk, status(ScheduledEventStatus::Active))
        .await
        .unwrap();
    assert_eq!(live.status, ScheduledEventStatus::Active);
    let moved = edit(talk, EditScheduledEvent::new().start_time(at(600))).await;
    assert_eq!(
        code(moved.unwrap_err()),
        (400, 50035),
        "a live event keeps its start"
    );
    let later = EditScheduledEvent::new().end_time(at(3000));
    assert_eq!(edit(talk, later).await.unwrap().end_time, Some(at(3000)));
    let undo = edit(talk, status(ScheduledEventStatus::Canceled)).await;
    assert_eq!(
        code(undo.unwrap_err()),
        (400, 50035),
        "a live event only ends"
    );
    let over = edit(talk, status(ScheduledEventStatus::Completed))
        .await
        .unwrap();
    assert_eq!(over.status, ScheduledEventStatus::Completed);
    let renamed = edit(talk, EditScheduledEvent::new().name("Again")).await;
    assert_eq!(code(renamed.unwrap_err()), (400, 180_000), "finished");

    let other = make("Other").await;
    fake.cancel_event_by_hand(other.get()).unwrap();
    let revived = edit(other, status(ScheduledEventStatus::Active)).await;
    assert_eq!(
        code(revived.unwrap_err()),
        (400, 180_000),
        "cancelled is final"
    );
    assert!(fake.cancel_event_by_hand(talk.get()).is_err());
    fake.delete_event_by_hand(other.get()).unwrap();
    let events = fake.scheduled_events(server.get());
    assert_eq!(events.len(), 1, "deleted by hand");
}

#[tokio::test]
async fn interested_reaches_a_bot_with_the_scheduled_events_intent() {
    let fake = FakeDiscord::start().await.unwrap();
    let mut bot = Bot::start(&fake).await;
    bot.handled("guild_create").await;
    let server = guild(fake.ids().guild_id);
    let event = bot
        .http
        .create_scheduled_event(server, &external("Keynote", 0), None)
        .await
        .unwrap();
    let attendee = FakeUser::attendee(7);
    assert!(fake
        .mark_interested(&attendee, event.id.get(), true)
        .unwrap()
        .is_some());
    assert_eq!(
        fake.mark_interested(&attendee, event.id.get(), true)
            .unwrap(),
        None,
        "already interested: nothing happens"
    );
    bot.handled(&format!("interested {} {}", attendee.id, event.id))
        .await;
    fake.mark_interested(&attendee, event.id.get(), false)
        .unwrap();
    bot.handled(&format!("uninterested {} {}", attendee.id, event.id))
        .await;
    assert!(fake.scheduled_events(server.get())[0].interested.is_empty());
    bot.stop().await;
}
