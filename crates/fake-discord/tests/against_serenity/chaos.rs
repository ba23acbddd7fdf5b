//! `Fault::Chaos` on the wire: every route its matcher covers (messages,
//! reactions, interaction callbacks, webhooks) fails at the seeded rate, and the
//! fake counts what it injected.

use std::time::Duration;

use fake_discord::{FakeDiscord, FakeUser, Fault, Injected, Matcher};
use serde_json::json;
use serenity::all::{
    CreateInteractionResponse, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    InteractionId, ReactionType,
};

use crate::harness::{channel, http};

fn chaos(rate_limited: f64, server_error: f64) -> Fault {
    Fault::Chaos {
        matcher: Matcher::any_method("/"),
        rate_limited,
        server_error,
        retry_after: Duration::from_millis(20),
        seed: 7,
    }
}

#[tokio::test]
async fn chaos_covers_every_matching_route_and_counts_what_it_injected() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let polls = channel(fake.ids().polls_channel_id);
    let poll = polls.say(&http, "Poll").await.unwrap();
    let handle = fake
        .slash_command(&FakeUser::attendee(1), "agenda", json!({}))
        .await;
    let (id, token) = (InteractionId::new(handle.id), handle.token.as_str());
    let before = fake.requests().len();

    // Every request fails: half the draws are 429s, the other half 500s.
    fake.inject(chaos(0.5, 0.5));
    let reply = CreateInteractionResponse::Message(CreateInteractionResponseMessage::new());
    let results = [
        polls.say(&http, "x").await.map(drop),
        poll.react(&http, ReactionType::Unicode("🦀".into()))
            .await
            .map(drop),
        http.create_interaction_response(id, token, &reply, vec![])
            .await,
        http.create_followup_message(token, &CreateInteractionResponseFollowup::new(), vec![])
            .await
            .map(drop),
        poll.channel_id
            .edit_message(&http, poll.id, Default::default())
            .await
            .map(drop),
    ];
    assert!(results.iter().all(Result::is_err));
    let statuses: Vec<u16> = fake.requests()[before..].iter().map(|r| r.status).collect();
    let count = |status| statuses.iter().filter(|&&s| s == status).count() as u64;
    assert_eq!(count(429) + count(500), 5, "{statuses:?}");
    let injected = fake.injected();
    assert_eq!(
        injected,
        Injected {
            rate_limited: count(429),
            server_errors: count(500),
            delayed: 0
        }
    );
}

#[tokio::test]
async fn chaos_at_a_zero_rate_only_lets_requests_through() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    fake.inject(chaos(0.0, 0.0));
    for n in 0..20 {
        channel(fake.ids().polls_channel_id)
            .say(&http, format!("{n}"))
            .await
            .unwrap();
    }
    assert_eq!(fake.injected(), Injected::default());
}
