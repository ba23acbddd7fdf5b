//! After a session, its "now on demand" post lists the top questions beside
//! the video link, hidden ones left out.

use super::{ask, click_all, config_dir, question_message, speaker, upvote_button, AT, SESSION};
use crate::harness::{instant, BotOptions, TestBot, PATIENCE};
use fake_discord::FakeUser;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_top_questions_go_into_the_on_demand_post() {
    let (_dir, config) = config_dir();
    let fake = fake_discord::FakeDiscord::start().await.unwrap();
    let options = BotOptions {
        config,
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "qa".into(),
            ..Default::default()
        }),
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options).await;
    let texts = ["Least liked?", "Most liked?", "Middle one?", "Rude one?"];
    let mut buttons = Vec::new();
    for (n, text) in (10..).zip(texts) {
        let options = json!({ "question": text, "session": SESSION });
        ask(&bot, &FakeUser::attendee(n), options).await;
        let message = question_message(&bot, text).await;
        buttons.push((message.id, upvote_button(&message).0));
    }
    for ((message, button), votes) in buttons.iter().zip([1, 5, 3, 9]) {
        let users: Vec<FakeUser> = (0..votes).map(|n| FakeUser::attendee(300 + n)).collect();
        click_all(&bot, *message, button, &users).await;
    }
    let (rude_message, rude) = &buttons[3];
    let hide = rude.replace(":up:", ":hide:");
    let handle = bot
        .fake
        .slash_command(&speaker(), "questions", json!({ "session": SESSION }))
        .await;
    bot.response(&handle).await;
    let panel = bot
        .fake
        .wait_until("the panel", PATIENCE, |fake| {
            fake.messages(handle.channel_id)
                .into_iter()
                .find(|m| m.content.contains("Questions for"))
        })
        .await
        .unwrap();
    let hidden = bot.fake.click_button(&speaker(), panel.id, &hide).await;
    bot.response(&hidden).await;
    assert!(bot.fake.message(*rude_message).is_some());

    // JfrUnit ends at 09:25 PDT; its on-demand post follows.
    bot.clock.set(instant("2021-10-07T16:25:30Z"));
    let channel = bot.fake.ids().announcements_channel_id;
    let post = bot
        .fake
        .wait_until("the on-demand post", PATIENCE, |fake| {
            fake.messages(channel)
                .into_iter()
                .find(|m| m.content.contains("on demand") && m.content.contains("JfrUnit"))
        })
        .await
        .unwrap();
    let content = post.content;
    let most = content.find("▲ 5 Most liked?").expect(&content);
    let middle = content.find("▲ 3 Middle one?").expect(&content);
    let least = content.find("▲ 1 Least liked?").expect(&content);
    assert!(
        content.contains("continuous-performance-regression-testing"),
        "{content}"
    );
    assert!(
        most < middle && middle < least,
        "ranked by votes: {content}"
    );
    assert!(
        !content.contains("Rude"),
        "hidden questions stay out: {content}"
    );
    bot.stop().await;
}
