//! Stars on Slack through the fake Slack: `/emcee star`, the ☆ button on a
//! session's private details toggling, `/emcee mytalks` with the sample's
//! parallel tracks clashing, `/emcee unstar`; every answer private.

use super::harness::{SlackOptions, SlackTestBot};
use crate::harness::PATIENCE;
use fake_slack::{FakeUser, ResponseEffect};

/// 08:30 PDT on the sample day.
const AT: &str = "2021-10-07T15:30:00Z";

#[tokio::test]
async fn stars_the_star_button_and_mytalks_with_a_clash_on_slack() {
    let bot = SlackTestBot::start_at(AT, SlackOptions::default()).await;
    let general = bot.fake.ids().general_channel_id.clone();
    let user = FakeUser::attendee(2);
    let ask = |text: &'static str| {
        let (bot, user, general) = (&bot, &user, &general);
        async move {
            let (_, answer) = bot.ask_as(user, general, text).await;
            assert_eq!(answer.body["response_type"], "ephemeral", "{}", answer.body);
            answer.text().unwrap_or_default().to_owned()
        }
    };
    assert_eq!(
        ask("star morling-jfrunit").await,
        "⭐ Starred “Continuous Performance Regression Testing with JfrUnit”."
    );
    assert!(ask("star").await.contains("Usage: /emcee star SESSION"));
    let (_, details) = bot
        .ask_as(&user, &general, "session ritter-java-latency")
        .await;
    let ResponseEffect::Ephemeral(ts) = details.effect.clone() else {
        panic!("{:?}", details.effect);
    };
    assert!(
        details.body.to_string().contains("emcee:star"),
        "{}",
        details.body
    );
    let mut told = Vec::new();
    for _ in 0..2 {
        let click = bot.fake.click(&user, &general, &ts, "emcee:star");
        let answer = bot
            .fake
            .wait_for_response(&click.response_token, PATIENCE)
            .await
            .unwrap();
        assert_eq!(answer.body["replace_original"], false, "{}", answer.body);
        told.push(answer.text().unwrap_or_default().to_owned());
        if told.len() == 1 {
            let listed = ask("mytalks").await;
            assert!(listed.starts_with("Your day (2 starred):"), "{listed}");
            assert!(listed.contains("⚠ <!date^1633622400^"), "{listed}");
            assert!(
                listed.contains(
                    "overlaps “Get Lower Latency and Higher Throughput for Java Applications”; \
                     catch it later on demand: <https://www.p99conf.io/session/get-lower-latency"
                ),
                "{listed}"
            );
        }
    }
    assert!(
        told[0].starts_with("⭐ Starred “Get Lower Latency"),
        "{told:?}"
    );
    assert!(
        told[1].starts_with("Unstarred “Get Lower Latency"),
        "{told:?}"
    );
    assert!(ask("unstar no such talk")
        .await
        .contains("I found no session matching “no such talk”."));
    let left = ask("mytalks").await;
    assert!(left.starts_with("Your day (1 starred):"), "{left}");
    assert!(!left.contains('⚠'), "no clash left: {left}");
    bot.stop().await;
}
