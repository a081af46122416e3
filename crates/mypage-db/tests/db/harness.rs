//! The three backends the contract suite runs on, and a throwaway PostgreSQL cluster.
//!
//! PostgreSQL comes from `mypage-testenv` (`MYPAGE_TEST_POSTGRES_URL`, or a throwaway cluster from Debian's
//! binaries). Without either, PostgreSQL tests print `SKIP` — or fail under `MYPAGE_TEST_STRICT=1`.

use std::sync::Arc;

use mypage_db::{Database, DbConfig};
use mypage_domain::ports::{MailQueue, SessionStore, UnitOfWork};
use mypage_testkit::MemoryStore;

/// The ports of one backend.
#[derive(Clone)]
pub(crate) struct Stores {
    pub(crate) uow: Arc<dyn UnitOfWork>,
    pub(crate) queue: Arc<dyn MailQueue>,
    pub(crate) sessions: Arc<dyn SessionStore>,
}

/// A database made for one test, removed at the end.
pub(crate) struct Fresh {
    pub(crate) db: Database,
    /// Where it is, to open it a second time with other settings.
    pub(crate) url: String,
    cleanup: Option<mypage_testenv::postgres::TestDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl Fresh {
    pub(crate) fn stores(&self) -> Stores {
        Stores { uow: Arc::new(self.db.clone()), queue: Arc::new(self.db.clone()), sessions: Arc::new(self.db.clone()) }
    }

    /// The same database opened again with `config`'s keys (as another instance, or after a rotation).
    pub(crate) async fn reopen(&self, config: impl FnOnce(String) -> DbConfig) -> Database {
        Database::connect(&config(self.url.clone())).await.expect("open the database again")
    }

    /// Drops the test's PostgreSQL database (a SQLite file goes with its folder).
    pub(crate) async fn finish(self) {
        let Self { db, cleanup, _dir, .. } = self;
        drop(db);
        if let Some(test_db) = cleanup {
            test_db.drop_database().await;
        }
    }
}

pub(crate) fn memory() -> Stores {
    let store = MemoryStore::new();
    Stores { uow: Arc::new(store.clone()), queue: Arc::new(store.clone()), sessions: Arc::new(store) }
}

pub(crate) async fn sqlite() -> Fresh {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("mypage.db").display());
    let db = Database::connect(&DbConfig::new(url.clone(), TEST_OUTBOX_KEY)).await.expect("open SQLite");
    db.migrate().await.expect("migrate SQLite");
    Fresh { db, url, cleanup: None, _dir: Some(dir) }
}

pub(crate) use mypage_testenv::skip;

/// The outbox key of every test database.
pub(crate) const TEST_OUTBOX_KEY: [u8; 32] = [42; 32];

/// A fresh, migrated PostgreSQL database, or why there is none.
pub(crate) async fn postgres() -> Result<Fresh, String> {
    let test_db = mypage_testenv::postgres::database().await?;
    let db =
        Database::connect(&DbConfig::new(test_db.url.clone(), TEST_OUTBOX_KEY)).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(Fresh { db, url: test_db.url.clone(), cleanup: Some(test_db), _dir: None })
}
