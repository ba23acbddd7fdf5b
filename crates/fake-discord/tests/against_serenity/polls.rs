//! Native polls through serenity's own `Http`: a poll message created with
//! `CreatePoll`, Discord's limits refused with 400, votes recorded by the fake
//! (a second single-choice vote refused), voters read page by page and the
//! poll ended with the expire endpoint.

use std::time::Duration;

use fake_discord::{FakeDiscord, FakeUser};
use serenity::all::{
    AnswerId, CreateMessage, CreatePoll, CreatePollAnswer, HttpError, MessageId, UserId,
};

use crate::harness::{channel, http};

fn answers(texts: &[&str]) -> Vec<CreatePollAnswer> {
    texts
        .iter()
        .map(|t| CreatePollAnswer::new().text(*t))
        .collect()
}

fn poll(question: &str, texts: &[&str], hours: u64) -> CreateMessage {
    let poll = CreatePoll::new()
        .question(question)
        .answers(answers(texts))
        .duration(Duration::from_secs(hours * 3600));
    CreateMessage::new().poll(poll)
}

fn status(error: serenity::Error) -> u16 {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            response.status_code.as_u16()
        }
        other => panic!("expected a Discord error response, got {other:?}"),
    }
}

#[tokio::test]
async fn a_poll_is_created_voted_on_paged_and_expired() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let general = channel(fake.ids().general_channel_id);
    let sent = general
        .send_message(&http, poll("Tabs?", &["Yes", "No"], 2))
        .await
        .unwrap();
    let stored = fake.poll(sent.id.get()).unwrap();
    assert_eq!((stored.duration_hours, stored.answers.len()), (2, 2));
    assert!(!stored.allow_multiselect);

    for n in 0..130 {
        let user = FakeUser::attendee(n);
        fake.poll_vote(sent.id.get(), &user, 1 + u64::from(n % 2))
            .await
            .unwrap();
    }
    let alice = FakeUser::attendee(0);
    assert!(
        fake.poll_vote(sent.id.get(), &alice, 2).await.is_err(),
        "a second single-choice vote is refused"
    );
    fake.poll_unvote(sent.id.get(), &alice, 1).await.unwrap();
    fake.poll_vote(sent.id.get(), &alice, 2).await.unwrap();
    assert_eq!(fake.poll(sent.id.get()).unwrap().counts(), vec![64, 66]);

    let (mut after, mut yes) = (None, Vec::new());
    loop {
        let page = http
            .get_poll_answer_voters(
                general,
                sent.id,
                "1".parse::<AnswerId>().unwrap(),
                after,
                Some(50),
            )
            .await
            .unwrap();
        after = page.last().map(|u| u.id);
        yes.extend(page.iter().map(|u| u.id));
        if page.len() < 50 {
            break;
        }
    }
    assert_eq!(yes.len(), 64);
    assert!(yes.windows(2).all(|w| w[0] < w[1]), "ids ascending");
    assert!(!yes.contains(&UserId::new(alice.id)));

    let ended = http.expire_poll(general, sent.id).await.unwrap();
    let results = ended.poll.unwrap().results.unwrap();
    assert!(results.is_finalized);
    assert!(fake
        .poll_vote(sent.id.get(), &FakeUser::attendee(999), 1)
        .await
        .is_err());
    assert_eq!(
        status(http.expire_poll(general, sent.id).await.unwrap_err()),
        400
    );
    let plain = general
        .send_message(&http, CreateMessage::new().content("hi"))
        .await
        .unwrap();
    assert_eq!(
        status(http.expire_poll(general, plain.id).await.unwrap_err()),
        400
    );
    let unknown = MessageId::new(1);
    assert_eq!(
        status(http.expire_poll(general, unknown).await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn polls_past_discords_limits_are_refused() {
    let fake = FakeDiscord::start().await.unwrap();
    let http = http(&fake);
    let general = channel(fake.ids().general_channel_id);
    let eleven: Vec<String> = (1..=11).map(|n| format!("Option {n}")).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    let long_answer = "x".repeat(56);
    let long_question = "q".repeat(301);
    for (message, what) in [
        (poll("Which?", &eleven, 1), "eleven answers"),
        (
            poll("Which?", &[&long_answer, "b"], 1),
            "a 56-character answer",
        ),
        (
            poll(&long_question, &["a", "b"], 1),
            "a 301-character question",
        ),
        (poll("Which?", &["a", "b"], 769), "769 hours"),
    ] {
        let refused = general.send_message(&http, message).await;
        assert_eq!(status(refused.unwrap_err()), 400, "{what}");
    }
    let max = poll(&"q".repeat(300), &[&"x".repeat(55), "b"], 768);
    general.send_message(&http, max).await.unwrap();
}
