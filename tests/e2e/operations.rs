//! Operating the bot: `/metrics` and `/healthz` while it serves Discord.

use crate::harness::TestBot;
use serde_json::json;

#[tokio::test]
async fn metrics_count_commands_and_connections_and_health_reports_the_gateway() {
    let bot = TestBot::start_at("2021-10-07T16:00:00Z").await;
    let addr = emcee::telemetry::start("127.0.0.1:0".parse().unwrap(), bot.data.health.clone())
        .await
        .unwrap();
    bot.ask("now", json!({})).await;
    bot.ask("track", json!({ "name": "Nowhere" })).await;

    let client = reqwest::Client::new();
    let metrics = client
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        r#"emcee_commands_total{command="now",outcome="ok"}"#,
        r#"emcee_commands_total{command="track",outcome="user_error"}"#,
        r#"emcee_gateway_connects_total{kind="identify"}"#,
        "emcee_command_duration_seconds_bucket",
    ] {
        assert!(
            metrics.contains(series),
            "{series} missing from:\n{metrics}"
        );
    }
    let health = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let report: serde_json::Value = health.json().await.unwrap();
    assert_eq!(report["gateway_connected"], true);
    assert_eq!(report["store_writable"], true);
    bot.stop().await;
}
