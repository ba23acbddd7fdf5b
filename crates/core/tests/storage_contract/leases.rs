//! Leases: one holder at a time, expiry, release, take-over from the gone.

use crate::fixture::{contract, Fixture};
use chrono::{DateTime, TimeDelta, Utc};

contract!(
    one_holder_at_a_time_until_expiry_or_release,
    a_gone_holder_is_taken_over_before_expiry_but_only_from_that_holder,
);

fn t0() -> DateTime<Utc> {
    DateTime::from_timestamp(1_633_618_800, 0).unwrap()
}

async fn one_holder_at_a_time_until_expiry_or_release(f: Fixture) {
    let leases = &f.db.leases;
    let other = f.another().await;
    let ttl = TimeDelta::seconds(30);
    let s = |seconds| t0() + TimeDelta::seconds(seconds);
    fn take<'a>(
        db: &'a emcee_core::store::Database,
        who: &str,
        at: DateTime<Utc>,
    ) -> emcee_core::store::StoreFuture<'a, bool> {
        db.leases
            .acquire_lease("scheduler".into(), who.into(), at, TimeDelta::seconds(30))
    }
    assert_eq!(leases.lease_holder("scheduler".into()).await.unwrap(), None);
    assert!(take(&f.db, "a", s(0)).await.unwrap());
    assert!(!take(&other, "b", s(10)).await.unwrap());
    assert!(take(&f.db, "a", s(20)).await.unwrap(), "renewal");
    assert!(!take(&other, "b", s(49)).await.unwrap());
    assert!(take(&other, "b", s(50)).await.unwrap(), "expired");
    assert_eq!(
        leases
            .lease_holder("scheduler".into())
            .await
            .unwrap()
            .as_deref(),
        Some("b")
    );
    leases
        .release_lease("scheduler".into(), "a".into())
        .await
        .unwrap();
    assert_eq!(
        leases
            .lease_holder("scheduler".into())
            .await
            .unwrap()
            .as_deref(),
        Some("b"),
        "only the holder releases"
    );
    other
        .leases
        .release_lease("scheduler".into(), "b".into())
        .await
        .unwrap();
    assert_eq!(leases.lease_holder("scheduler".into()).await.unwrap(), None);
    assert!(take(&f.db, "a", s(51)).await.unwrap(), "released");
    assert!(
        take(&f.db, "x", s(51)).await.is_ok_and(|taken| !taken),
        "names are separate"
    );
    let polls =
        f.db.leases
            .acquire_lease("other".into(), "x".into(), s(51), ttl);
    assert!(polls.await.unwrap());
}

async fn a_gone_holder_is_taken_over_before_expiry_but_only_from_that_holder(f: Fixture) {
    let leases = &f.db.leases;
    let ttl = TimeDelta::seconds(30);
    let acquire = |who: &str| leases.acquire_lease("scheduler".into(), who.into(), t0(), ttl);
    assert!(acquire("gone").await.unwrap());
    assert!(!acquire("next").await.unwrap());
    let take = |from: &str| {
        leases.take_lease_over("scheduler".into(), from.into(), "next".into(), t0(), ttl)
    };
    assert!(!take("someone-else").await.unwrap());
    assert!(take("gone").await.unwrap());
    assert_eq!(
        leases
            .lease_holder("scheduler".into())
            .await
            .unwrap()
            .as_deref(),
        Some("next")
    );
    assert!(!acquire("gone").await.unwrap(), "not back before expiry");
}
