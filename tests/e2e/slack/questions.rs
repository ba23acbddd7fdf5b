//! Session Q&A on Slack end to end: `/emcee ask` with a ▲ button per
//! question, upvotes from 50 users with toggles, an anonymous question,
//! merged duplicates, the hosts' private panel and its controls (and a
//! non-host refused), the pinned "next question" board, another
//! workspace's click ignored, a restart while clicks are delivered again,
//! a thread on the start announcement with the questions in it and its
//! closing line said once, and `/emcee help` listing the Q&A.

use super::harness::{answers, fake_for_restarts, told, SlackOptions, SlackTestBot};
use crate::harness::PATIENCE;
use emcee_core::questions::QuestionStore;
use fake_slack::{Click, FakeUser, Fault, Interaction, ResponseEffect, StoredMessage};
use std::path::Path;
use std::time::Duration;

/// 09:05 PDT: JfrUnit (Observability, announced in #random) and the
/// Speakers Lounge are live.
const AT: &str = "2021-10-07T16:05:00Z";
pub(super) const SESSION: &str = "morling-jfrunit";

/// The JfrUnit speaker, mapped to a Slack user in the agenda.
fn speaker() -> FakeUser {
    FakeUser::attendee(777)
}

/// The sample agenda with the JfrUnit speaker mapped to [`speaker`].
fn agenda() -> String {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml");
    let agenda = std::fs::read_to_string(sample).unwrap();
    let mapped = agenda.replace(
        "speakers = [{ name = \"Gunnar Morling\", affiliation = \"Red Hat\" }]",
        &format!(
            "speakers = [{{ name = \"Gunnar Morling\", affiliation = \"Red Hat\", slack = \"{}\" }}]",
            speaker().id
        ),
    );
    assert_ne!(
        agenda, mapped,
        "the sample agenda still has the JfrUnit speaker"
    );
    mapped
}

fn options() -> SlackOptions {
    SlackOptions {
        agenda: Some(agenda()),
        extra_config: "[questions]\nboard_every_seconds = 1\n".into(),
        ..SlackOptions::default()
    }
}

fn random(bot: &SlackTestBot) -> String {
    bot.fake.ids().random_channel_id.clone()
}

/// `user` asks `text` in #random; returns what they were told.
pub(super) async fn ask(bot: &SlackTestBot, user: &FakeUser, text: &str) -> String {
    bot.fake.add_user(user);
    let (_, answer) = bot.ask_as(user, &random(bot), &format!("ask {text}")).await;
    answer.text().unwrap_or_default().to_owned()
}

/// The bot's message in #random whose text has `text`.
async fn message_with(bot: &SlackTestBot, text: &str) -> StoredMessage {
    let channel = random(bot);
    bot.fake
        .wait_for_message(&channel, |m| m.by_bot() && m.text.contains(text), PATIENCE)
        .await
        .unwrap()
}

/// The stored question of a message, by the id in its ▲ button.
async fn question_of(
    bot: &SlackTestBot,
    message: &StoredMessage,
) -> emcee_core::questions::Question {
    let blocks = serde_json::to_string(&message.blocks).unwrap();
    let id: i64 = blocks
        .split("qa:up:")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no ▲ on {blocks}"));
    bot.store.question(id).await.unwrap().unwrap()
}

/// The stored count of question `id`.
async fn votes_of(bot: &SlackTestBot, id: i64) -> u32 {
    bot.store.question(id).await.unwrap().unwrap().votes
}

/// Waits until the question's message shows `▲ votes`.
async fn shows(bot: &SlackTestBot, message: &StoredMessage, votes: u32) {
    let (channel, ts) = (message.channel.clone(), message.ts.clone());
    let label = format!("▲ {votes}\"");
    bot.fake
        .wait_until("the question's count", PATIENCE, |fake| {
            let shown = fake.message(&channel, &ts)?;
            serde_json::to_string(&shown.blocks)
                .unwrap()
                .contains(&label)
                .then_some(())
        })
        .await
        .unwrap();
}

/// Waits, within [`PATIENCE`], until `check` finds what the bot stored.
async fn stored<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    check: impl Fn() -> F,
) -> T {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn questions_take_upvotes_toggles_duplicates_and_anonymity_and_strangers_change_nothing() {
    let bot = SlackTestBot::start_at(AT, options()).await;
    let hostile = "How does JfrUnit measure *allocations*? @here";
    let asked = ask(&bot, &FakeUser::attendee(1), hostile).await;
    assert!(asked.contains("is up"), "{asked}");
    let message = message_with(&bot, "How does JfrUnit measure").await;
    assert!(message.text.contains("attendee1"), "{}", message.text);
    assert!(
        !message.text.contains("<!here>"),
        "hostile text is inert: {}",
        message.text
    );
    let question = question_of(&bot, &message).await;
    assert_eq!(
        question.session.as_str(),
        SESSION,
        "the session live in #random's track"
    );

    let merged = ask(
        &bot,
        &FakeUser::attendee(2),
        &format!("{SESSION} | how does JFRUNIT measure allocations, @here anonymous:yes"),
    )
    .await;
    assert!(merged.contains("Someone asked that already"), "{merged}");
    let before = votes_of(&bot, question.id).await;

    let voters: Vec<FakeUser> = (100..150).map(FakeUser::attendee).collect();
    let channel = random(&bot);
    let action = format!("qa:up:{}", question.id);
    let clicks: Vec<Interaction> = voters
        .iter()
        .map(|v| bot.fake.click(v, &channel, &message.ts, &action))
        .collect();
    for clicked in &clicks {
        assert!(told(&bot, clicked).await.starts_with("Your ▲ counts"));
    }
    for voter in &voters[..10] {
        let again = bot.fake.click(voter, &channel, &message.ts, &action);
        assert!(told(&bot, &again)
            .await
            .starts_with("Your ▲ was taken back"));
    }
    let votes = votes_of(&bot, question.id).await;
    assert_eq!(votes, before + 40, "50 upvotes, 10 taken back");
    shows(&bot, &message, votes).await;
    let stored = bot.app().questions.vote_latencies();
    println!(
        "slack upvotes: {} clicks, received -> stored p50 {:?}, p99 {:?}, max {:?} (debug build, in-memory SQLite)",
        stored.count, stored.p50, stored.p99, stored.max
    );

    // Another workspace's click acts on nothing and hears nothing.
    let stranger = bot.fake.click_as(&Click {
        user: FakeUser::stranger_owner(),
        channel: channel.clone(),
        ts: message.ts.clone(),
        action_id: action.clone(),
        block_id: "x".into(),
        value: action.clone(),
    });
    bot.fake
        .wait_for_ack(&stranger.envelope_id, PATIENCE)
        .await
        .unwrap();
    let after = votes_of(&bot, question.id).await;
    assert_eq!(after, votes);
    assert!(bot
        .fake
        .response_posts()
        .iter()
        .all(|p| p.token != stranger.response_token));

    let anonymous = ask(&bot, &FakeUser::attendee(3), "Is JFR cheap? anonymous:yes").await;
    assert!(anonymous.contains("is up"), "{anonymous}");
    let secret = message_with(&bot, "Is JFR cheap?").await;
    assert!(
        secret.text.contains("asked by anonymous"),
        "{}",
        secret.text
    );
    assert!(!secret.text.contains("attendee3"), "{}", secret.text);

    // The board, beside the questions, is pinned and shows the top one.
    let board = message_with(&bot, "Next question").await;
    bot.fake
        .wait_until("the board pinned", PATIENCE, |fake| {
            fake.pinned(&channel).contains(&board.ts).then_some(())
        })
        .await
        .unwrap();
    bot.stop().await;
}

#[tokio::test]
async fn hosts_answer_pin_and_hide_from_their_private_panel_and_others_are_refused() {
    let bot = SlackTestBot::start_at(AT, options()).await;
    ask(&bot, &FakeUser::attendee(1), "What does JfrUnit assert on?").await;
    let message = message_with(&bot, "What does JfrUnit assert on?").await;
    let question = question_of(&bot, &message).await;
    let channel = random(&bot);

    let attendee = FakeUser::attendee(5);
    bot.fake.add_user(&attendee);
    let (_, refused) = bot.ask_as(&attendee, &channel, "questions").await;
    assert_eq!(refused.body["response_type"], "ephemeral");
    assert!(
        refused
            .text()
            .unwrap_or_default()
            .contains("Only the session's speakers"),
        "{}",
        refused.body
    );

    let host = speaker();
    bot.fake.add_user(&host);
    let (_, panel) = bot
        .ask_as(&host, &channel, &format!("questions {SESSION}"))
        .await;
    assert_eq!(panel.body["response_type"], "ephemeral");
    let shown = panel.body.to_string();
    assert!(
        shown.contains("What does JfrUnit assert on?") && shown.contains("attendee1"),
        "{shown}"
    );
    let ResponseEffect::Ephemeral(panel_ts) = panel.effect.clone() else {
        panic!("the panel is private: {:?}", panel.effect);
    };
    let pin = bot.fake.click(
        &host,
        &channel,
        &panel_ts,
        &format!("qa:pin:{}", question.id),
    );
    let pinned = bot
        .fake
        .wait_for_response(&pin.response_token, PATIENCE)
        .await
        .unwrap();
    assert_eq!(pinned.effect, ResponseEffect::Replaced, "{}", pinned.body);
    assert!(pinned.body.to_string().contains("unpin"), "{}", pinned.body);
    assert!(
        bot.store
            .question(question.id)
            .await
            .unwrap()
            .unwrap()
            .pinned
    );

    let hide = bot.fake.click(
        &host,
        &channel,
        &panel_ts,
        &format!("qa:hide:{}", question.id),
    );
    bot.fake
        .wait_for_response(&hide.response_token, PATIENCE)
        .await
        .unwrap();
    let (ts, id) = (message.ts.clone(), question.id);
    bot.fake
        .wait_until("the question shown hidden", PATIENCE, |fake| {
            let shown = fake.message(&channel, &ts)?;
            let blocks = serde_json::to_string(&shown.blocks).unwrap();
            (shown.text.contains("A host hid this question") && !blocks.contains("qa:up:"))
                .then_some(())
        })
        .await
        .unwrap();
    // Its ▲ is gone; a stale click is refused privately.
    let stale = bot.fake.click_as(&Click {
        user: attendee.clone(),
        channel: channel.clone(),
        ts: message.ts.clone(),
        action_id: format!("qa:up:{id}"),
        block_id: "x".into(),
        value: String::new(),
    });
    assert!(told(&bot, &stale).await.contains("hidden by a host"));

    // A non-host's click on a host control is refused, privately.
    let forged = bot.fake.click_as(&Click {
        user: attendee,
        channel,
        ts: message.ts.clone(),
        action_id: format!("qa:answered:{id}"),
        block_id: "x".into(),
        value: String::new(),
    });
    assert!(told(&bot, &forged)
        .await
        .contains("Only the session's speakers"));
    let read = bot.store.question(id).await.unwrap().unwrap();
    assert_eq!(read.state, emcee_core::questions::QuestionState::Hidden);

    let (_, help) = bot.ask_as(&host, &random(&bot), "help").await;
    let help = help.body.to_string();
    assert!(
        help.contains("/emcee ask [session |] question [anonymous:yes]"),
        "{help}"
    );
    assert!(help.contains("/emcee questions [session]"), "{help}");
    bot.stop().await;
}

/// The first upvotes are stored and answered but their acks are lost, so
/// Slack delivers them again to the restarted bot: they change nothing,
/// and the voters are told their vote as it stands.
#[tokio::test]
async fn upvotes_delivered_again_after_a_restart_change_nothing() {
    const EACH: u32 = 10;
    let fake = fake_for_restarts().await;
    let bot = SlackTestBot::start_at(
        AT,
        SlackOptions {
            fake: Some(fake),
            ..options()
        },
    )
    .await;
    ask(&bot, &FakeUser::attendee(1), "Does it survive restarts?").await;
    let message = message_with(&bot, "Does it survive restarts?").await;
    let question = question_of(&bot, &message).await;
    let before = question.votes;
    let channel = random(&bot);
    let action = format!("qa:up:{}", question.id);
    bot.fake.inject(Fault::DropAcks { times: EACH });
    let voters: Vec<FakeUser> = (200..200 + 2 * EACH).map(FakeUser::attendee).collect();
    let mut clicks: Vec<Interaction> = voters[..EACH as usize]
        .iter()
        .map(|v| bot.fake.click(v, &channel, &message.ts, &action))
        .collect();
    for clicked in &clicks {
        assert!(told(&bot, clicked).await.starts_with("Your ▲ counts"));
    }
    let (fake, store) = bot.stop().await;
    for voter in &voters[EACH as usize..] {
        clicks.push(fake.click(voter, &channel, &message.ts, &action));
    }
    let bot = SlackTestBot::start_at(
        AT,
        SlackOptions {
            fake: Some(fake),
            store: Some(store),
            ..options()
        },
    )
    .await;
    for clicked in &clicks[EACH as usize..] {
        assert!(told(&bot, clicked).await.starts_with("Your ▲ counts"));
    }
    for clicked in &clicks[..EACH as usize] {
        let answers = answers(&bot.fake, clicked, 2).await;
        let again = answers[1].text().unwrap_or_default();
        assert!(
            again.starts_with("Your ▲ counts"),
            "delivered again: {again}"
        );
    }
    let votes = votes_of(&bot, question.id).await;
    assert_eq!(votes, before + 2 * EACH, "each click once");
    shows(&bot, &message, votes).await;
    bot.stop().await;
}

/// The scheduler on, `[threads] enabled` (closed a minute after the
/// session), the board every second and "now on demand" posts.
pub(super) fn threaded() -> SlackOptions {
    SlackOptions {
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "slack".into(),
            lease_ttl: Duration::from_secs(1),
            ..emcee_core::scheduler::SchedulerOptions::default()
        }),
        extra_config: "[questions]\nboard_every_seconds = 1\n\n[threads]\nenabled = true\narchive_after_minutes = 1\n".into(),
        on_demand: true,
        ..options()
    }
}

/// With `[threads] enabled`, JfrUnit's start announcement in #random is its
/// thread: questions asked then are replies there, the board too, and the
/// "now on demand" post with the top question; after the session the
/// thread gets its closing line, once.
#[tokio::test]
async fn the_start_announcement_is_the_sessions_thread_and_it_closes_once() {
    let bot = SlackTestBot::start_at("2021-10-07T15:59:50Z", threaded()).await;
    bot.clock
        .set(crate::harness::instant("2021-10-07T16:00:00Z"));
    let session = emcee_core::agenda::SessionId::new(SESSION);
    let thread = stored("the session's thread kept", || async {
        bot.store.thread(&session).await.ok().flatten()
    })
    .await;
    let channel = random(&bot);
    let (parent_channel, parent) = thread.channel.split_once('/').unwrap();
    assert_eq!(parent_channel, channel);
    let announcement = bot.fake.message(&channel, parent).unwrap();
    assert!(
        announcement.text.contains("JfrUnit"),
        "{}",
        announcement.text
    );

    ask(&bot, &FakeUser::attendee(1), "Does JfrUnit run in CI?").await;
    let question = message_with(&bot, "Does JfrUnit run in CI?").await;
    assert_eq!(
        question.thread_ts.as_deref(),
        Some(parent),
        "asked in the thread"
    );
    let board = message_with(&bot, "Next question").await;
    assert_eq!(board.thread_ts.as_deref(), Some(parent), "the board too");

    // At its end the session's video and top question go to the thread too.
    bot.clock
        .set(crate::harness::instant("2021-10-07T16:25:00Z"));
    let on_demand = bot
        .fake
        .wait_for_message(
            &channel,
            |m| {
                m.thread_ts.as_deref() == Some(parent) && m.text.contains("Now available on demand")
            },
            PATIENCE,
        )
        .await
        .unwrap();
    assert!(
        on_demand.text.contains("Does JfrUnit run in CI?"),
        "{}",
        on_demand.text
    );

    bot.clock
        .set(crate::harness::instant("2021-10-07T16:26:01Z"));
    let closing = emcee::slack::port::CLOSING_LINE;
    bot.fake
        .wait_for_message(
            &channel,
            |m| m.by_bot() && m.text.contains(closing),
            PATIENCE,
        )
        .await
        .unwrap();
    stored("the thread marked closed", || async {
        bot.store.open_threads().await.ok().filter(Vec::is_empty)
    })
    .await;
    let said = bot
        .fake
        .messages(&channel)
        .iter()
        .filter(|m| m.text.contains(closing))
        .count();
    assert_eq!(said, 1, "the closing line once");
    bot.stop().await;
}
