//! What the database benches share: the domain over one database with the testkit's fast fakes, and the databases
//! themselves (SQLite in a temporary file, migrated; PostgreSQL when `MYPAGE_BENCH_DATABASE_URL` names one).

use std::sync::Arc;

use mypage_db::{Database, DbConfig};
use mypage_domain::Ports;
use mypage_domain::ports::PasswordHasher;
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, ManualClock, PlainDigest};

/// The outbox key of every bench database.
const OUTBOX_KEY: [u8; 32] = [42; 32];

/// Every port over `db`, with the kit's clock, seeded keys, plain digest and `hasher`.
pub(crate) fn ports(db: &Database, clock: &ManualClock, seed: u64, hasher: Arc<dyn PasswordHasher>) -> Ports {
    Ports {
        store: Arc::new(db.clone()),
        clock: Arc::new(clock.clone()),
        keys: Arc::new(DeterministicKeys::new(seed)),
        digest: Arc::new(PlainDigest),
        hasher,
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    }
}

/// The database at `url`, migrated; `what` names it when it fails.
pub(crate) async fn open(url: String, what: &str) -> Database {
    let db = Database::connect(&DbConfig::new(url, OUTBOX_KEY)).await.unwrap_or_else(|e| panic!("open {what}: {e}"));
    db.migrate().await.unwrap_or_else(|e| panic!("migrate {what}: {e}"));
    db
}

/// A SQLite database in `dir`, migrated.
pub(crate) async fn sqlite(dir: &tempfile::TempDir) -> Database {
    open(format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()), "SQLite").await
}
