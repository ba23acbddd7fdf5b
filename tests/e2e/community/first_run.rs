//! With `[discord] servers` empty (the first-run convenience), every server
//! is served, but each action is bound to its own server: the stranger's
//! owner can run polls in their own server and has no power over the
//! conference's channels or polls.

use super::{conference_poll, two_servers, AT};
use crate::harness::{BotOptions, TestBot};
use fake_discord::FakeUser;
use serde_json::json;

#[tokio::test]
async fn with_every_server_served_the_strangers_owner_acts_only_in_their_own_server() {
    let fake = two_servers().await;
    let options = BotOptions {
        every_server: true,
        ..BotOptions::default()
    };
    let bot = TestBot::start_with(fake, AT, options).await;
    let poll = conference_poll(&bot).await;
    let ids = bot.fake.ids().clone();
    let stranger = FakeUser::stranger_owner();
    let their_general = ids.stranger.general_channel_id;
    let before = bot.fake.requests().len();

    let link = format!(
        "https://discord.com/channels/{}/{}/{}",
        ids.guild_id, poll.channel, poll.message
    );
    let into_conference = json!({ "create": {
        "question": "Free crypto?", "options": "Yes | No",
        "channel": ids.announcements_channel_id.to_string(),
    }});
    let mut attempts = vec![(into_conference, "I found no such channel here")];
    for target in [poll.message.clone(), link] {
        attempts.push((
            json!({ "close": { "message": target } }),
            "There is no open poll there.",
        ));
        attempts.push((
            json!({ "cancel": { "message": target } }),
            "There is no open poll there.",
        ));
        attempts.push((
            json!({ "results": { "message": target } }),
            "I found no poll there.",
        ));
    }
    for (options, refusal) in attempts {
        let asked = bot
            .fake
            .slash_command_in(their_general, &stranger, "poll", options.clone())
            .await;
        let answer = bot.response(&asked).await;
        assert_eq!(answer["data"]["flags"], 64, "private: {answer}");
        let text = answer["data"]["content"].as_str().unwrap_or_default();
        assert!(text.starts_with(refusal), "{options}: {answer}");
    }
    let conference_channels = [
        ids.general_channel_id,
        ids.announcements_channel_id,
        ids.polls_channel_id,
    ];
    let touched: Vec<String> = bot.fake.requests()[before..]
        .iter()
        .filter(|r| r.method != "GET")
        .filter(|r| {
            conference_channels
                .iter()
                .any(|c| r.path.contains(&format!("/channels/{c}/")))
        })
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        touched.is_empty(),
        "nothing reached the conference: {touched:?}"
    );
    assert!(
        bot.data.polls.recorder().watch(&poll).is_some(),
        "the conference's poll is still open"
    );

    let own = json!({ "create": { "question": "Pizza?", "options": "Yes | No" } });
    let asked = bot
        .fake
        .slash_command_in(their_general, &stranger, "poll", own)
        .await;
    let answer = bot.response(&asked).await;
    let text = answer["data"]["content"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Poll posted in"),
        "their own server: {answer}"
    );
    let theirs = bot
        .data
        .polls
        .find(
            Some(&ids.stranger.guild_id.to_string()),
            &their_general.to_string(),
            None,
            true,
        )
        .await
        .unwrap();
    assert!(theirs.is_some_and(|p| p.question == "Pizza?"));
    bot.stop().await;
}
