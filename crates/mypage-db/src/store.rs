//! The connection, the unit of work and the repositories.

mod repositories;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mypage_domain::ports::{
    AccountRepository, AuditLog, EstablishmentRepository, FlowRepository, InfrastructureError, OfficeRepository,
    Outbox, RegistrationRepository, RepositoryError, StaffRepository, TermsRepository, ThrottleRepository, Transaction,
    Unique, UnitOfWork,
};
use sea_orm::{
    AccessMode, ColumnTrait, ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    QueryFilter, SqlErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use secrecy::{ExposeSecret, SecretBox};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::convert::db_version;
use crate::migration::Migrator;
use crate::seal::Sealer;

/// How to reach the database. The app fills it from its configuration.
#[derive(Debug)]
pub struct DbConfig {
    /// `sqlite://PATH?mode=rwc` or `postgres://USER@HOST:PORT/DB`.
    pub url: String,
    /// The pool's size. SQLite serialises writers anyway; PostgreSQL serves this many at once per instance.
    pub max_connections: u32,
    /// How long a request waits for a connection, and SQLite for a lock, before it fails.
    pub timeout: Duration,
    /// The key that seals the auth keys waiting in the outbox (R3). Keep it outside the database.
    pub outbox_key: SecretBox<[u8; 32]>,
    /// Earlier outbox keys, still used to open mails queued before a rotation (never to seal). A mail that no key
    /// opens goes dead alone, with its reason.
    pub previous_outbox_keys: Vec<SecretBox<[u8; 32]>>,
    /// SQLite: writers that may wait for their turn in this process; one more is refused at once with
    /// [`Overloaded`](mypage_domain::ports::Overloaded) instead of queueing (256 by default). Unused on PostgreSQL.
    pub max_waiting_writers: usize,
}

impl DbConfig {
    /// A configuration with the default pool (10 connections, 10 seconds).
    #[must_use]
    pub fn new(url: impl Into<String>, outbox_key: [u8; 32]) -> Self {
        Self {
            url: url.into(),
            max_connections: 10,
            timeout: Duration::from_secs(10),
            outbox_key: SecretBox::new(Box::new(outbox_key)),
            previous_outbox_keys: Vec::new(),
            max_waiting_writers: 256,
        }
    }

    /// The same configuration, still opening mails sealed under `keys` (a rotation in progress).
    #[must_use]
    pub fn with_previous_outbox_keys(mut self, keys: impl IntoIterator<Item = [u8; 32]>) -> Self {
        self.previous_outbox_keys = keys.into_iter().map(|k| SecretBox::new(Box::new(k))).collect();
        self
    }
}

/// Why the database could not be opened or migrated. Messages name no secret (URLs are not repeated).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is neither `sqlite:` nor `postgres:`.
    #[error("the database URL must start with sqlite: or postgres:")]
    UnsupportedUrl,
    /// The database could not be reached.
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    /// A migration failed; nothing of it was applied.
    #[error("a migration failed: {0}")]
    Migrate(String),
}

/// The database: a connection pool that implements the unit of work, the mail queue and the session store.
#[derive(Debug, Clone)]
pub struct Database {
    pub(crate) conn: DatabaseConnection,
    pub(crate) sealer: Arc<Sealer>,
    /// SQLite takes one writer at a time. Writers of this process queue here, in order, before `BEGIN IMMEDIATE`,
    /// instead of polling SQLite's lock in its busy handler, whose growing sleeps made the slowest writers wait
    /// hundreds of milliseconds under load. `None` on PostgreSQL, which takes writers in parallel.
    write_gate: Option<Arc<Semaphore>>,
    /// How long a writer waits for the gate before the database counts as busy.
    busy: std::time::Duration,
    /// Writers waiting at the gate now, and how many of them may.
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
    /// Writers refused because the gate's queue was full.
    refused: Arc<AtomicU64>,
}

/// When a writer refused at a full gate should try again: the queue drains in well under a second at SQLite's
/// rate, so the shortest whole second `Retry-After` can say.
const WRITER_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A place in the writers' queue, given back when dropped (also when the waiting request is dropped).
struct InQueue(Arc<AtomicUsize>);

impl Drop for InQueue {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A writer's turn on SQLite, held until its transaction ends; nothing on PostgreSQL.
pub(crate) type WriteTurn = Option<OwnedSemaphorePermit>;

impl Database {
    /// Opens the pool. A SQLite file is created if missing, in WAL mode, with foreign keys on and a busy timeout.
    ///
    /// # Errors
    /// [`DbError::UnsupportedUrl`] or [`DbError::Connect`].
    pub async fn connect(config: &DbConfig) -> Result<Self, DbError> {
        let sqlite = config.url.starts_with("sqlite:");
        if !sqlite && !config.url.starts_with("postgres:") && !config.url.starts_with("postgresql:") {
            return Err(DbError::UnsupportedUrl);
        }
        let mut options = ConnectOptions::new(config.url.clone());
        options
            .max_connections(config.max_connections.max(1))
            .acquire_timeout(config.timeout)
            .connect_timeout(config.timeout)
            .sqlx_logging(false);
        let busy = config.timeout;
        options.map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(busy)
        });
        let conn = sea_orm::Database::connect(options).await.map_err(|e| DbError::Connect(e.to_string()))?;
        Ok(Self {
            conn,
            sealer: Arc::new(Sealer::ring(
                config.outbox_key.expose_secret(),
                config.previous_outbox_keys.iter().map(ExposeSecret::expose_secret),
            )),
            write_gate: sqlite.then(|| Arc::new(Semaphore::new(1))),
            busy,
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting: config.max_waiting_writers,
            refused: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Applies the migrations not yet applied. Safe to run from several instances: PostgreSQL runs each in a
    /// transaction, and the migration table records what was applied.
    ///
    /// # Errors
    /// [`DbError::Migrate`].
    pub async fn migrate(&self) -> Result<(), DbError> {
        Migrator::up(&self.conn, None).await.map_err(|e| DbError::Migrate(e.to_string()))
    }

    /// How many migrations are not applied yet (zero when ready).
    ///
    /// # Errors
    /// [`DbError::Connect`] when the database cannot be asked.
    pub async fn pending_migrations(&self) -> Result<usize, DbError> {
        Migrator::get_pending_migrations(&self.conn).await.map(|m| m.len()).map_err(|e| DbError::Connect(e.to_string()))
    }

    /// Which database this is.
    #[must_use]
    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    /// The pool, for this crate's own tests and tools (query plans).
    #[must_use]
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// SQLite writers waiting for their turn in this process now (a figure for the metrics; 0 on PostgreSQL).
    #[must_use]
    pub fn writers_waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// SQLite writers refused so far because `max_waiting_writers` already waited (a figure for the metrics).
    #[must_use]
    pub fn writers_refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// A writer's turn on SQLite (nothing on PostgreSQL): at once if the gate is free, else after the writers
    /// before it, within the busy timeout. With `bounded`, a writer that finds `max_waiting` writers already
    /// waiting is refused at once with [`Overloaded`](mypage_domain::ports::Overloaded), so that a flood is answered
    /// instead of queued; the process's own background work (the mail dispatcher, the number allocator) is not.
    async fn write_turn(&self, bounded: bool) -> Result<WriteTurn, InfrastructureError> {
        let Some(gate) = &self.write_gate else { return Ok(None) };
        match Arc::clone(gate).try_acquire_owned() {
            Ok(turn) => return Ok(Some(turn)),
            Err(TryAcquireError::Closed) => return Err(InfrastructureError::new("database: the write gate is closed")),
            Err(TryAcquireError::NoPermits) => {}
        }
        let max = if bounded { self.max_waiting } else { usize::MAX };
        if self.waiting.fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| (w < max).then_some(w + 1)).is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(InfrastructureError::overloaded(WRITER_RETRY_AFTER));
        }
        let _in_queue = InQueue(Arc::clone(&self.waiting));
        tokio::time::timeout(self.busy, Arc::clone(gate).acquire_owned())
            .await
            .map_err(|_| InfrastructureError::new("database: the database is busy: no write turn within the timeout"))?
            .map(Some)
            .map_err(|_| InfrastructureError::new("database: the write gate is closed"))
    }

    /// Begins a transaction: `BEGIN IMMEDIATE` on SQLite, so that two writers queue at the start instead of one
    /// failing when it upgrades its lock; READ COMMITTED on PostgreSQL, where versions and unique indexes decide races.
    /// The writer waits for its turn without a bound on the queue (the process's own background work).
    pub(crate) async fn begin_tx(&self) -> Result<(DatabaseTransaction, WriteTurn), DbErr> {
        let turn = self.write_turn(false).await.map_err(|e| DbErr::Custom(e.0.to_string()))?;
        Ok((self.begin_immediate().await?, turn))
    }

    /// `BEGIN IMMEDIATE` on SQLite, READ COMMITTED on PostgreSQL, for a writer that has its turn.
    async fn begin_immediate(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = match self.backend() {
            DbBackend::Sqlite => TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            },
            _ => TransactionOptions::default(),
        };
        self.conn.begin_with_options(options).await
    }

    /// Begins a transaction that only reads: deferred on SQLite, so that it takes no write lock and, in WAL mode,
    /// reads a snapshot while a writer holds its lock; `READ ONLY` on PostgreSQL, so that a stray write fails.
    pub(crate) async fn begin_read_tx(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = match self.backend() {
            DbBackend::Sqlite => TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Deferred),
                ..TransactionOptions::default()
            },
            _ => TransactionOptions { access_mode: Some(AccessMode::ReadOnly), ..TransactionOptions::default() },
        };
        self.conn.begin_with_options(options).await
    }
}

pub(crate) fn infra(e: DbErr) -> InfrastructureError {
    InfrastructureError::new(format!("database: {e}"))
}

fn repo(e: DbErr) -> RepositoryError {
    if lost_race(&e) { RepositoryError::Conflict } else { RepositoryError::Infrastructure(infra(e)) }
}

/// A deadlock or a serialisation failure (PostgreSQL's 40P01 and 40001): the transaction lost a race with another
/// and must not go on; its use case answers as for a record changed by someone else.
fn lost_race(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = e else { return false };
    e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "40P01" || code == "40001")
}

/// Maps a unique violation to the rule it breaks, which `which` names from the database's message.
fn unique(e: DbErr, which: impl Fn(&str) -> Unique) -> RepositoryError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => RepositoryError::Duplicate(which(&message)),
        _ => repo(e),
    }
}

fn changed(rows: u64) -> Result<(), RepositoryError> {
    if rows == 0 { Err(RepositoryError::Conflict) } else { Ok(()) }
}

/// The optimistic update every aggregate uses: `UPDATE … WHERE id = ? AND version = ?`, with no row changed
/// meaning someone else changed or removed it (`Conflict`), and a unique violation named by `which`.
async fn update_versioned<A>(
    tx: &DatabaseTransaction,
    row: A,
    columns: (<A::Entity as EntityTrait>::Column, <A::Entity as EntityTrait>::Column),
    key: (String, u64),
    which: impl Fn(&str) -> Unique,
) -> Result<(), RepositoryError>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let (id_column, version_column) = columns;
    let (id, version) = key;
    let rows = A::Entity::update_many()
        .set(row)
        .filter(id_column.eq(id))
        .filter(version_column.eq(db_version(version)))
        .exec(tx)
        .await
        .map_err(|e| unique(e, which))?
        .rows_affected;
    changed(rows)
}

#[async_trait]
impl UnitOfWork for Database {
    async fn begin(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        // A request's writer: refused at once when the queue is full (issue 15).
        let turn = self.write_turn(true).await?;
        let tx = self.begin_immediate().await.map_err(infra)?;
        Ok(Box::new(DbTransaction { tx, sealer: Arc::clone(&self.sealer), _turn: turn }))
    }

    async fn begin_read(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        let tx = self.begin_read_tx().await.map_err(infra)?;
        Ok(Box::new(DbTransaction { tx, sealer: Arc::clone(&self.sealer), _turn: None }))
    }
}

/// One database transaction, which is every repository at once. Dropped without commit, it rolls back.
pub(crate) struct DbTransaction {
    tx: DatabaseTransaction,
    sealer: Arc<Sealer>,
    /// Released after the transaction, which is declared first and so dropped (rolled back) first.
    _turn: WriteTurn,
}

#[async_trait]
impl Transaction for DbTransaction {
    fn accounts(&mut self) -> &mut dyn AccountRepository {
        self
    }
    fn flows(&mut self) -> &mut dyn FlowRepository {
        self
    }
    fn registrations(&mut self) -> &mut dyn RegistrationRepository {
        self
    }
    fn establishments(&mut self) -> &mut dyn EstablishmentRepository {
        self
    }
    fn offices(&mut self) -> &mut dyn OfficeRepository {
        self
    }
    fn staff(&mut self) -> &mut dyn StaffRepository {
        self
    }
    fn terms(&mut self) -> &mut dyn TermsRepository {
        self
    }
    fn throttle(&mut self) -> &mut dyn ThrottleRepository {
        self
    }
    fn audit(&mut self) -> &mut dyn AuditLog {
        self
    }
    fn outbox(&mut self) -> &mut dyn Outbox {
        self
    }

    async fn commit(self: Box<Self>) -> Result<(), RepositoryError> {
        self.tx.commit().await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => RepositoryError::Conflict,
            _ => repo(e),
        })
    }
}
