//! The health probe `/healthz` asks.

use crate::fixture::{contract, Fixture};

contract!(a_fresh_database_takes_writes);

async fn a_fresh_database_takes_writes(f: Fixture) {
    f.db.health.check_writable().await.unwrap();
    assert_eq!(f.db.health.writes_failing(), None);
    assert_eq!(f.db.writes_failing(), None);
    assert!(
        f.db.describe().to_lowercase().contains(f.kind),
        "{}",
        f.db.describe()
    );
}
