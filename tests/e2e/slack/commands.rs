//! `/emcee` end to end: acked bare at once, answered privately through
//! `response_url`, paged with buttons, refused across workspaces, acted on
//! once when Slack re-delivers, and pinging nobody whatever the user typed.

use super::harness::{forms, SlackOptions, SlackTestBot};
use crate::harness::PATIENCE;
use fake_slack::{FakeUser, Fault, ResponseEffect};
use std::time::Duration;

const AT: &str = "2021-10-07T15:55:00Z";

/// How many answers went to the `response_url` with `token`.
fn answers(bot: &SlackTestBot, token: &str) -> usize {
    let posts = bot.fake.response_posts();
    posts.iter().filter(|p| p.token == token).count()
}

fn text(body: &serde_json::Value) -> String {
    body.to_string()
}

#[tokio::test]
async fn every_agenda_subcommand_answers_privately_after_a_bare_ack() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let general = bot.fake.ids().general_channel_id.clone();
    let cases = [
        ("now", "Live now"),
        ("next", "Next up"),
        ("next Observability", "Next up in Observability"),
        ("agenda", "Thursday 7 October 2021"),
        ("track Observability", "Track: Observability"),
        ("speaker cantrill", "Cantrill"),
        ("room Speakers Lounge", "Room: Speakers Lounge"),
        ("search ebpf", "Sessions matching"),
        ("session g1", "When:"),
        ("help", "/emcee next [track]"),
        ("", "/emcee remind session"),
    ];
    for (n, (asked, expected)) in (10..).zip(cases) {
        // One user each: a user asking this fast would be throttled.
        let (interaction, answer) = bot.ask_as(&FakeUser::attendee(n), &general, asked).await;
        let ack = bot
            .fake
            .wait_for_ack(&interaction.envelope_id, PATIENCE)
            .await
            .unwrap();
        assert!(ack.payload.is_none(), "/emcee {asked}: the ack is bare");
        assert!(
            ack.latency < Duration::from_secs(1),
            "/emcee {asked}: acked in {:?}",
            ack.latency
        );
        let body = text(&answer.body);
        assert_eq!(answer.body["response_type"], "ephemeral", "/emcee {asked}");
        assert!(body.contains(expected), "/emcee {asked}: {body}");
        assert!(
            matches!(answer.effect, ResponseEffect::Ephemeral(_)),
            "/emcee {asked}: {:?}",
            answer.effect
        );
    }
    assert!(
        text(&bot.ask("next").await.body).contains("<!date^"),
        "times are reader-local"
    );
    assert!(
        bot.fake.messages(&general).iter().all(|m| !m.by_bot()),
        "nothing was posted in the channel"
    );
    bot.stop().await;
}

#[tokio::test]
async fn unknown_names_get_a_private_suggestion() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let answer = bot.ask("track Observabilty").await;
    let body = text(&answer.body);
    assert!(body.contains("No track matches"), "{body}");
    assert!(body.contains("did you mean"), "{body}");
    assert!(body.contains("Observability"), "{body}");
    assert_eq!(answer.body["response_type"], "ephemeral");
    let unknown = text(&bot.ask("dance").await.body);
    assert!(unknown.contains("/emcee help"), "{unknown}");
    bot.stop().await;
}

#[tokio::test]
async fn long_answers_page_and_share_in_the_channel() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let general = bot.fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(2);
    let (asked, first) = bot.ask_as(&user, &general, "agenda").await;
    let ResponseEffect::Ephemeral(ts) = first.effect.clone() else {
        panic!("{:?}", first.effect);
    };
    let key = asked.trigger_id.replace('.', "-");
    let next = format!("emcee:page:{key}:1");
    assert!(text(&first.body).contains(&next), "a ▶ button {next}");
    let click = bot.fake.click(&user, &general, &ts, &next);
    let ack = bot.fake.wait_for_ack(&click.envelope_id, PATIENCE).await;
    eprintln!("ACK {ack:?} ENVS {:?}", bot.fake.envelopes().last());
    let page = bot
        .fake
        .wait_for_response(&click.response_token, PATIENCE)
        .await
        .unwrap();
    assert_eq!(
        page.effect,
        ResponseEffect::Replaced,
        "the page flips in place"
    );
    assert!(
        text(&page.body).contains("Page 2 of"),
        "{}",
        text(&page.body)
    );
    let share = bot.fake.click(&user, &general, &ts, "emcee:share");
    let shared = bot
        .fake
        .wait_for_response(&share.response_token, PATIENCE)
        .await
        .unwrap();
    assert!(
        matches!(shared.effect, ResponseEffect::InChannel(_)),
        "{:?}",
        shared.effect
    );
    assert!(!text(&shared.body).contains("emcee:share"), "shared once");
    bot.stop().await;
}

#[tokio::test]
async fn another_workspace_gets_one_refusal_and_nothing_else() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let stranger = FakeUser::stranger_owner();
    let theirs = bot.fake.ids().stranger.announcements_channel_id.clone();
    let calls_before = bot.fake.calls().len();
    for asked in [
        "poll create Take over? | Yes | No",
        "reload",
        "poll close",
        "next",
    ] {
        let (_, answer) = bot.ask_as(&stranger, &theirs, asked).await;
        assert!(
            text(&answer.body).contains("I serve another community"),
            "{}",
            text(&answer.body)
        );
    }
    let calls: Vec<String> = bot.fake.calls()[calls_before..]
        .iter()
        .map(|c| c.method.clone())
        .collect();
    assert!(
        calls.is_empty(),
        "no Web API call for a stranger: {calls:?}"
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_redelivered_command_is_answered_once() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    bot.fake.inject(Fault::DropAcks { times: 1 });
    let general = bot.fake.ids().general_channel_id.clone();
    let asked = bot
        .fake
        .slash_command(&FakeUser::attendee(3), &general, "next");
    bot.fake
        .wait_until("a second delivery acked", PATIENCE, |f| {
            f.acks()
                .iter()
                .any(|a| a.envelope_id == asked.envelope_id && a.retry_attempt >= 1)
                .then_some(())
        })
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(answers(&bot, &asked.response_token), 1, "acted on once");
    bot.stop().await;
}

#[tokio::test]
async fn hostile_typed_text_pings_nobody() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    for hostile in [
        "track <!channel> <!here|here>",
        "speaker <@U0ADMIN01> <!subteam^S0ORGANISE>",
        "search <!everyone> &lt;!here&gt;",
        "session <https://evil.example|click>",
    ] {
        let answer = bot.ask(hostile).await;
        let json = text(&answer.body);
        let found: Vec<String> = forms(&json)
            .into_iter()
            .filter(|f| !f.starts_with("!date^"))
            .collect();
        assert!(found.is_empty(), "/emcee {hostile}: {found:?} in {json}");
    }
    let pings: Vec<String> = bot
        .fake
        .ephemerals()
        .iter()
        .flat_map(|e| e.pings())
        .collect();
    assert_eq!(pings, Vec::<String>::new(), "the fake's own reading");
    bot.stop().await;
}

#[tokio::test]
async fn after_a_dropped_socket_and_a_disconnect_every_command_is_answered_once() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let general = bot.fake.ids().general_channel_id.clone();
    for (n, cut) in [(30, "drop"), (31, "refresh_requested")] {
        let before = bot.fake.connects();
        if cut == "drop" {
            assert!(bot.fake.drop_sockets() > 0);
        } else {
            assert!(bot.fake.disconnect(cut) > 0);
        }
        // Sent while the bot is between connections: delivered once it is back.
        let asked = bot
            .fake
            .slash_command(&FakeUser::attendee(n), &general, "next");
        bot.fake
            .wait_until("a new connection", PATIENCE, |f| {
                (f.connects() > before).then_some(())
            })
            .await
            .unwrap();
        bot.fake
            .wait_for_response(&asked.response_token, PATIENCE)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(700)).await;
        let answered = answers(&bot, &asked.response_token);
        assert_eq!(answered, 1, "after {cut}: acted on once");
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_name_matching_several_sessions_offers_a_menu_that_shows_the_one_picked() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let general = bot.fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(50);
    let (_, list) = bot.ask_as(&user, &general, "session latency").await;
    let json = text(&list.body);
    assert!(json.contains("emcee:pick"), "a menu: {json}");
    let ResponseEffect::Ephemeral(ts) = list.effect.clone() else {
        panic!("{:?}", list.effect)
    };
    let menu = &list.body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|b| {
            b["elements"]
                .as_array()?
                .iter()
                .find(|e| e["action_id"] == "emcee:pick")
                .cloned()
        })
        .unwrap();
    let picked = menu["options"][1].clone();
    // The fake's click opens the response_url; the user then chooses an option.
    let click = bot.fake.click(&user, &general, &ts, "emcee:pick");
    let sent = bot
        .fake
        .envelopes()
        .into_iter()
        .find(|e| e.envelope_id == click.envelope_id)
        .unwrap();
    let mut payload = sent.payload.clone();
    payload["trigger_id"] = json_str("picked.0001");
    payload["actions"][0]["selected_option"] = picked.clone();
    bot.fake
        .envelope(fake_slack::EnvelopeKind::Interactive, payload, true);
    let details = bot
        .fake
        .wait_for_response(&click.response_token, PATIENCE)
        .await
        .unwrap();
    assert_eq!(details.effect, ResponseEffect::Replaced);
    let shown = text(&details.body);
    assert!(shown.contains("When:"), "{shown}");
    assert!(
        shown.contains(
            picked["text"]["text"]
                .as_str()
                .unwrap()
                .trim_end_matches('…')
        ),
        "{shown}"
    );
    bot.stop().await;
}

fn json_str(text: &str) -> serde_json::Value {
    serde_json::Value::String(text.to_owned())
}

#[tokio::test]
async fn reload_is_for_organisers_and_reports_what_changed() {
    let options = SlackOptions {
        reload: true,
        ..SlackOptions::default()
    };
    let bot = SlackTestBot::start_at(AT, options).await;
    let general = bot.fake.ids().general_channel_id.clone();
    let (_, refused) = bot
        .ask_as(&FakeUser::attendee(60), &general, "reload")
        .await;
    assert!(
        text(&refused.body).contains("Only organisers"),
        "{}",
        text(&refused.body)
    );
    let (_, reloaded) = bot.ask_as(&FakeUser::admin(), &general, "reload").await;
    let reloaded = text(&reloaded.body);
    assert!(
        reloaded.contains("Agenda reloaded: 0 added, 0 cancelled"),
        "{reloaded}"
    );
    bot.stop().await;
}
