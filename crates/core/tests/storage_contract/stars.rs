//! Starred sessions: one per community, user and session, with the
//! reminder the star set.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};
use emcee_core::agenda::SessionId;
use emcee_core::stars::Star;

contract!(
    a_star_is_kept_once_per_community_user_and_session,
    a_removed_star_comes_back_with_the_reminder_it_set,
);

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800, 0).unwrap()
}

fn star(community: &str, user: &str, session: &str, after: i64) -> Star {
    Star {
        community: community.into(),
        user: user.into(),
        session: SessionId::new(session),
        reminder_minutes: None,
        starred_at: now() + TimeDelta::seconds(after),
    }
}

async fn a_star_is_kept_once_per_community_user_and_session(f: Fixture) {
    let store = &f.db.stars;
    assert!(store.add_star(&star("g", "7", "b", 0)).await.unwrap());
    assert!(store.add_star(&star("g", "7", "a", 5)).await.unwrap());
    assert!(
        !store.add_star(&star("g", "7", "b", 9)).await.unwrap(),
        "starred already"
    );
    assert!(store.add_star(&star("other", "7", "b", 1)).await.unwrap());
    assert!(store.add_star(&star("g", "8", "b", 1)).await.unwrap());
    let held = store.stars_of("g", "7").await.unwrap();
    assert_eq!(
        held,
        [star("g", "7", "b", 0), star("g", "7", "a", 5)],
        "oldest first, the first star's time kept"
    );
    let again = f.another().await;
    assert_eq!(
        again.stars.stars_of("g", "7").await.unwrap(),
        held,
        "another process reads the same"
    );
    assert_eq!(store.stars_of("other", "7").await.unwrap().len(), 1);
    assert!(store.stars_of("g", "9").await.unwrap().is_empty());
}

async fn a_removed_star_comes_back_with_the_reminder_it_set(f: Fixture) {
    let store = &f.db.stars;
    let b = SessionId::new("b");
    store.add_star(&star("g", "7", "b", 0)).await.unwrap();
    store.add_star(&star("other", "7", "b", 0)).await.unwrap();
    store
        .set_star_reminder("g", "7", &b, Some(15))
        .await
        .unwrap();
    let mut expected = star("g", "7", "b", 0);
    expected.reminder_minutes = Some(15);
    assert_eq!(store.stars_of("g", "7").await.unwrap(), [expected.clone()]);
    assert_eq!(
        store.remove_star("g", "7", &b).await.unwrap(),
        Some(expected)
    );
    assert_eq!(store.remove_star("g", "7", &b).await.unwrap(), None);
    assert!(store.stars_of("g", "7").await.unwrap().is_empty());
    assert_eq!(
        store.stars_of("other", "7").await.unwrap(),
        [star("other", "7", "b", 0)],
        "the other community's star stays, without a reminder"
    );
    store
        .set_star_reminder("other", "7", &b, None)
        .await
        .unwrap();
}
