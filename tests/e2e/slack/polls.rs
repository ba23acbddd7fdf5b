//! Flash polls on Slack end to end: an organiser creates a reaction poll by
//! command, the room votes with reactions (a moved vote, an unvote, the bot's
//! own seed reactions never counting), it closes by command with the result
//! and its chart; attendees cannot create one; the modal posts one; declared
//! polls vote by button unless the agenda asks for reactions (button polls
//! themselves are in `buttons`).

use super::harness::{SlackOptions, SlackTestBot};
use crate::harness::PATIENCE;
use fake_slack::{FakeUser, StoredMessage};
use std::time::Duration;

const AT: &str = "2021-10-07T15:55:00Z";

fn shown(message: &StoredMessage) -> String {
    serde_json::to_string(&message.blocks).unwrap()
}

fn poll_message(bot: &SlackTestBot) -> Option<StoredMessage> {
    let polls = &bot.fake.ids().polls_channel_id;
    bot.fake
        .messages(polls)
        .into_iter()
        .find(|m| m.by_bot() && m.text.contains("Tea or coffee"))
}

#[tokio::test]
async fn a_reaction_poll_counts_moves_and_closes_with_its_result() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let polls = bot.fake.ids().polls_channel_id.clone();
    let (_, refused) = bot
        .ask_as(
            &FakeUser::attendee(5),
            &polls,
            "poll create Tea or coffee? | Tea | Coffee",
        )
        .await;
    assert!(
        refused.body.to_string().contains("Only organisers"),
        "{}",
        refused.body
    );
    // attendee 1 is in the organisers' user group.
    let (_, created) = bot
        .ask_as(
            &FakeUser::attendee(1),
            &polls,
            "poll create Tea or coffee? | Tea | Coffee minutes:10 style:reactions",
        )
        .await;
    assert!(
        created.body.to_string().contains("Poll posted"),
        "{}",
        created.body
    );
    let poll = bot
        .fake
        .wait_until("the poll's seed reactions", PATIENCE, |_| {
            poll_message(&bot).filter(|m| m.reactions.len() == 2)
        })
        .await
        .unwrap();
    let (one, two) = ("one", "two");
    let voters = [
        FakeUser::attendee(20),
        FakeUser::attendee(21),
        FakeUser::attendee(22),
    ];
    for voter in &voters {
        bot.fake.add_user(voter);
        bot.fake.set_member(&polls, &voter.id, true).unwrap();
        bot.fake.react(voter, &polls, &poll.ts, one).unwrap();
    }
    // attendee 22 moves to Coffee; attendee 21 takes the vote back.
    bot.fake.react(&voters[2], &polls, &poll.ts, two).unwrap();
    bot.fake.unreact(&voters[1], &polls, &poll.ts, one).unwrap();
    // Slack keeps attendee 22's old reaction; they are told it no longer counts.
    bot.fake
        .wait_for_ephemeral(
            &voters[2].id,
            |e| e.text.contains("only your latest"),
            PATIENCE,
        )
        .await
        .unwrap();
    // The live tally (one chat.update per 2 s at most) shows the moved vote.
    bot.fake
        .wait_until("the live tally", PATIENCE, |fake| {
            let shown = serde_json::to_string(&fake.message(&polls, &poll.ts)?.blocks).ok()?;
            (shown.contains("2 voters") && shown.matches("1 vote (50%)").count() == 2).then_some(())
        })
        .await
        .unwrap();
    let (_, results) = bot.ask_as(&FakeUser::admin(), &polls, "poll results").await;
    let results = results.body.to_string();
    assert!(results.contains("2 voters"), "{results}");
    let shown = bot.close_poll(&poll, "Tea").await;
    assert!(
        shown.contains("1 vote (50%)"),
        "exact counts and percentages: {shown}"
    );
    assert!(shown.contains("2 voters"), "{shown}");
    bot.fake
        .wait_until("the chart shared", PATIENCE, |fake| {
            fake.messages(&polls)
                .into_iter()
                .find(|m| !m.files.is_empty())
        })
        .await
        .unwrap();
    bot.stop().await;
}

#[tokio::test]
async fn poll_create_alone_opens_a_modal_whose_submission_posts_the_poll() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let polls = bot.fake.ids().polls_channel_id.clone();
    let organiser = FakeUser::attendee(1);
    let _ = bot.fake.slash_command(&organiser, &polls, "poll create");
    let view = bot
        .fake
        .wait_until("the poll modal", PATIENCE, |fake| {
            fake.views()
                .into_iter()
                .find(|v| v.open && v.user == organiser.id)
        })
        .await
        .unwrap();
    assert_eq!(view.view["callback_id"], "emcee:poll");
    let text = |value: &str| serde_json::json!({ "type": "plain_text_input", "value": value });
    let values = serde_json::json!({
        "question": { "question": text("Tea or coffee?") },
        "options": { "options": text("Tea\nCoffee\n") },
        "minutes": { "minutes": text("3") },
        "settings": { "settings": { "type": "checkboxes", "selected_options": [
            { "text": { "type": "plain_text", "text": "Voters may pick several options" }, "value": "multi" },
            { "text": { "type": "plain_text", "text": "Vote with emoji reactions instead of buttons" }, "value": "reactions" }
        ] } },
    });
    let _ = bot.fake.submit_view(&organiser, &view.id, values);
    // The form's reactions box makes a reaction poll, seeded with its options.
    let posted = bot
        .fake
        .wait_until("the poll", PATIENCE, |_| {
            poll_message(&bot).filter(|m| m.reactions.len() == 2)
        })
        .await
        .unwrap();
    let shown = serde_json::to_string(&posted.blocks).unwrap();
    assert!(shown.contains("Tea") && shown.contains("Coffee"), "{shown}");
    assert!(shown.contains("pick as many"), "multi-choice: {shown}");
    bot.fake
        .wait_for_ephemeral(&organiser.id, |e| e.text.contains("Poll posted"), PATIENCE)
        .await
        .unwrap();
    bot.stop().await;
}

/// Declared polls on Slack: buttons by default, reactions where the agenda
/// says `style = "reactions"` (then seeded with one reaction per option).
#[tokio::test]
async fn declared_polls_vote_by_button_unless_the_agenda_asks_for_reactions() {
    let sample = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/agenda.toml"),
    )
    .unwrap();
    let agenda = sample.replace(
        "options = [\"Yes\", \"No\", \"Not yet\"]\n",
        "options = [\"Yes\", \"No\", \"Not yet\"]\nstyle = \"reactions\"\n",
    );
    assert_ne!(agenda, sample);
    let options = SlackOptions {
        scheduler: Some(emcee_core::scheduler::SchedulerOptions {
            holder: "slack".into(),
            lease_ttl: Duration::from_secs(1),
            ..emcee_core::scheduler::SchedulerOptions::default()
        }),
        agenda: Some(agenda),
        ..SlackOptions::default()
    };
    let bot = SlackTestBot::start_at(AT, options).await;
    let polls = bot.fake.ids().polls_channel_id.clone();
    let find = |question: &'static str| {
        let polls = polls.clone();
        move |fake: &fake_slack::FakeSlack| {
            fake.messages(&polls)
                .into_iter()
                .find(|m| m.by_bot() && m.text.contains(question))
        }
    };
    let languages = bot
        .fake
        .wait_until(
            "the languages poll",
            PATIENCE,
            find("programming languages"),
        )
        .await
        .unwrap();
    assert!(
        shown(&languages).contains("emcee:vote:5"),
        "{}",
        shown(&languages)
    );
    assert!(languages.reactions.is_empty());
    bot.clock
        .set(crate::harness::instant("2021-10-07T16:56:00Z"));
    let kubernetes = bot
        .fake
        .wait_until("the seeded reaction poll", PATIENCE, |fake| {
            find("Kubernetes")(fake).filter(|m| m.reactions.len() == 3)
        })
        .await
        .unwrap();
    assert!(
        !shown(&kubernetes).contains("emcee:vote"),
        "{}",
        shown(&kubernetes)
    );
    bot.stop().await;
}
