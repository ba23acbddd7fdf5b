//! Kept direct-message channels.

use crate::fixture::{contract, Fixture};
use chrono::DateTime;

contract!(a_kept_channel_is_seen_by_another_process_and_can_be_replaced);

async fn a_kept_channel_is_seen_by_another_process_and_can_be_replaced(f: Fixture) {
    let now = DateTime::from_timestamp(1_633_618_800, 0).unwrap();
    let direct = &f.db.direct;
    assert_eq!(direct.channel_of("discord", "7").await.unwrap(), None);
    direct
        .keep_channel("discord", "7", "100", now)
        .await
        .unwrap();
    let other = f.another().await;
    assert_eq!(
        other
            .direct
            .channel_of("discord", "7")
            .await
            .unwrap()
            .as_deref(),
        Some("100")
    );
    assert_eq!(
        other.direct.channel_of("slack", "7").await.unwrap(),
        None,
        "per platform"
    );
    other
        .direct
        .keep_channel("discord", "7", "200", now)
        .await
        .unwrap();
    assert_eq!(
        direct.channel_of("discord", "7").await.unwrap().as_deref(),
        Some("200"),
        "a reopened channel replaces the old one"
    );
}
