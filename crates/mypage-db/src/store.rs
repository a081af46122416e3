//! The connection, the unit of work and the repositories.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AuditEvent, AuthFlow, Establishment, EstablishmentId, FlowPurpose, Office, OutgoingMail,
    ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember,
};
use mypage_domain::ports::{
    AccountRepository, AuditLog, Digest, EstablishmentRepository, FlowRepository, Hits, InfrastructureError,
    OfficeRepository, Outbox, RegistrationRepository, RepositoryError, StaffRepository, TermsRepository, ThrottleKey,
    ThrottleRepository, Transaction, Unique, UnitOfWork,
};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};
use sea_orm::{
    AccessMode, ActiveValue::Set, ColumnTrait, ConnectOptions, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;
use secrecy::{ExposeSecret, SecretBox};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::convert::{
    account_row, audit_row, db_version, establishment_row, flow_row, office_row, outbox_row, read, registration_row,
    staff_member, staff_row, state_text, terms_row,
};
use crate::entities::{
    account, audit_event, establishment, flow, office, outbox, registration, staff, terms, throttle_hit,
};
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

    /// Begins a transaction: `BEGIN IMMEDIATE` on SQLite, so that two writers queue at the start instead of one
    /// failing when it upgrades its lock; READ COMMITTED on PostgreSQL, where versions and unique indexes decide races.
    pub(crate) async fn begin_tx(&self) -> Result<(DatabaseTransaction, WriteTurn), DbErr> {
        let turn = match &self.write_gate {
            Some(gate) => Some(
                tokio::time::timeout(self.busy, Arc::clone(gate).acquire_owned())
                    .await
                    .map_err(|_| DbErr::Custom("the database is busy: no write turn within the timeout".into()))?
                    .map_err(|_| DbErr::Custom("the write gate is closed".into()))?,
            ),
            None => None,
        };
        let options = match self.backend() {
            DbBackend::Sqlite => TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            },
            _ => TransactionOptions::default(),
        };
        Ok((self.conn.begin_with_options(options).await?, turn))
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
    RepositoryError::Infrastructure(infra(e))
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
        let (tx, turn) = self.begin_tx().await.map_err(infra)?;
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

#[async_trait]
impl AccountRepository for DbTransaction {
    async fn insert(&mut self, a: &Account) -> Result<(), RepositoryError> {
        account::Entity::insert(account_row(a, 0))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::AccountEmail))?;
        Ok(())
    }
    async fn update(&mut self, a: &Account) -> Result<(), RepositoryError> {
        let columns = (account::Column::Id, account::Column::Version);
        update_versioned(&self.tx, account_row(a, a.version() + 1), columns, (a.id().to_string(), a.version()), |_| {
            Unique::AccountEmail
        })
        .await
    }
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError> {
        let row = account::Entity::find_by_id(id.to_string()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(Account::try_from).transpose()?)
    }
    async fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError> {
        let row = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            .one(&self.tx)
            .await
            .map_err(repo)?;
        Ok(row.map(Account::try_from).transpose()?)
    }
    async fn by_establishment(&mut self, id: EstablishmentId) -> Result<Vec<Account>, RepositoryError> {
        let rows = account::Entity::find()
            .filter(account::Column::EstablishmentId.eq(id.to_string()))
            .order_by_asc(account::Column::CreatedAt)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl FlowRepository for DbTransaction {
    async fn insert(&mut self, f: &AuthFlow) -> Result<(), RepositoryError> {
        flow::Entity::insert(flow_row(f, 0))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |m| if m.contains("token") { Unique::FlowToken } else { Unique::LiveFlow }))?;
        Ok(())
    }
    async fn update(&mut self, f: &AuthFlow) -> Result<(), RepositoryError> {
        let columns = (flow::Column::Id, flow::Column::Version);
        update_versioned(&self.tx, flow_row(f, f.version() + 1), columns, (f.id().to_string(), f.version()), |m| {
            if m.contains("token") { Unique::FlowToken } else { Unique::LiveFlow }
        })
        .await
    }
    async fn by_token(&mut self, token: &Digest) -> Result<Option<AuthFlow>, RepositoryError> {
        let row = flow::Entity::find()
            .filter(flow::Column::TokenDigest.eq(token.as_hex()))
            .one(&self.tx)
            .await
            .map_err(repo)?;
        Ok(row.map(AuthFlow::try_from).transpose()?)
    }
    async fn open_for(
        &mut self,
        email: &EmailAddress,
        purpose: FlowPurpose,
    ) -> Result<Option<AuthFlow>, RepositoryError> {
        let row = flow::Entity::find()
            .filter(flow::Column::Email.eq(email.as_str()))
            .filter(flow::Column::Purpose.eq(purpose.code()))
            .filter(flow::Column::State.eq(state_text(mypage_domain::model::FlowState::Open)))
            .one(&self.tx)
            .await
            .map_err(repo)?;
        Ok(row.map(AuthFlow::try_from).transpose()?)
    }
    async fn open_expired_before(&mut self, at: DateTime<Utc>, limit: usize) -> Result<Vec<AuthFlow>, RepositoryError> {
        let rows = flow::Entity::find()
            .filter(flow::Column::State.eq("open"))
            .filter(flow::Column::ExpiresAt.lt(at))
            .order_by_asc(flow::Column::ExpiresAt)
            .limit(limit as u64)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl RegistrationRepository for DbTransaction {
    async fn insert(&mut self, r: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        registration::Entity::insert(registration_row(r, 0))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::OpenRegistration))?;
        Ok(())
    }
    async fn update(&mut self, r: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        let columns = (registration::Column::Id, registration::Column::Version);
        update_versioned(
            &self.tx,
            registration_row(r, r.version() + 1),
            columns,
            (r.id().to_string(), r.version()),
            |_| Unique::OpenRegistration,
        )
        .await
    }
    async fn get(&mut self, id: RegistrationId) -> Result<Option<ProvisionalRegistration>, RepositoryError> {
        let row = registration::Entity::find_by_id(id.to_string()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(ProvisionalRegistration::try_from).transpose()?)
    }
    async fn for_account(&mut self, account: AccountId) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let rows = registration::Entity::find()
            .filter(registration::Column::AccountId.eq(account.to_string()))
            .order_by_desc(registration::Column::CreatedAt)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
    async fn pending_for_office(
        &mut self,
        office: &OfficeCode,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let rows = registration::Entity::find()
            .filter(registration::Column::Office.eq(office.as_str()))
            .filter(registration::Column::Status.is_in(["submitted", "contact_needed"]))
            .order_by_asc(registration::Column::SubmittedAt)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
    async fn drafts_saved_before(
        &mut self,
        at: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let rows = registration::Entity::find()
            .filter(registration::Column::Status.eq("draft"))
            .filter(registration::Column::UpdatedAt.lt(at))
            .order_by_asc(registration::Column::UpdatedAt)
            .limit(limit as u64)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl EstablishmentRepository for DbTransaction {
    async fn insert(&mut self, e: &Establishment) -> Result<(), RepositoryError> {
        establishment::Entity::insert(establishment_row(e))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|err| unique(err, |_| Unique::EstablishmentNumber))?;
        Ok(())
    }
    async fn get(&mut self, id: EstablishmentId) -> Result<Option<Establishment>, RepositoryError> {
        let row = establishment::Entity::find_by_id(id.to_string()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(Establishment::try_from).transpose()?)
    }
    async fn by_number(&mut self, number: &EstablishmentNumber) -> Result<Option<Establishment>, RepositoryError> {
        let row = establishment::Entity::find()
            .filter(establishment::Column::Number.eq(number.digits()))
            .one(&self.tx)
            .await
            .map_err(repo)?;
        Ok(row.map(Establishment::try_from).transpose()?)
    }
    async fn search(
        &mut self,
        office: &OfficeCode,
        fragment: &str,
        limit: usize,
    ) -> Result<Vec<Establishment>, RepositoryError> {
        let rows = establishment::Entity::find()
            .filter(establishment::Column::Office.eq(office.as_str()))
            .filter(establishment::Column::Name.contains(fragment))
            .order_by_asc(establishment::Column::Number)
            .limit(limit as u64)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl OfficeRepository for DbTransaction {
    async fn insert(&mut self, o: &Office) -> Result<(), RepositoryError> {
        office::Entity::insert(office_row(o))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::OfficeCode))?;
        Ok(())
    }
    async fn get(&mut self, code: &OfficeCode) -> Result<Option<Office>, RepositoryError> {
        let row = office::Entity::find_by_id(code.as_str().to_owned()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(Office::try_from).transpose()?)
    }
    async fn all(&mut self) -> Result<Vec<Office>, RepositoryError> {
        let rows = office::Entity::find().order_by_asc(office::Column::Code).all(&self.tx).await.map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl StaffRepository for DbTransaction {
    async fn insert(&mut self, m: &StaffMember) -> Result<(), RepositoryError> {
        staff::Entity::insert(staff_row(m, 0, &self.sealer)?)
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::StaffLogin))?;
        Ok(())
    }
    async fn update(&mut self, m: &StaffMember) -> Result<(), RepositoryError> {
        let columns = (staff::Column::Id, staff::Column::Version);
        let row = staff_row(m, m.version() + 1, &self.sealer)?;
        update_versioned(&self.tx, row, columns, (m.id().to_string(), m.version()), |_| Unique::StaffLogin).await
    }
    async fn get(&mut self, id: StaffId) -> Result<Option<StaffMember>, RepositoryError> {
        let row = staff::Entity::find_by_id(id.to_string()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(|r| staff_member(r, &self.sealer)).transpose()?)
    }
    async fn by_login(&mut self, login: &StaffLogin) -> Result<Option<StaffMember>, RepositoryError> {
        let row =
            staff::Entity::find().filter(staff::Column::Login.eq(login.as_str())).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(|r| staff_member(r, &self.sealer)).transpose()?)
    }
    async fn all(&mut self) -> Result<Vec<StaffMember>, RepositoryError> {
        let rows = staff::Entity::find()
            .order_by_asc(staff::Column::Office)
            .order_by_asc(staff::Column::Login)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        Ok(rows.into_iter().map(|r| staff_member(r, &self.sealer)).collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl TermsRepository for DbTransaction {
    async fn publish(&mut self, d: &TermsDocument) -> Result<(), RepositoryError> {
        terms::Entity::insert(terms_row(d))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::TermsVersion))?;
        Ok(())
    }
    async fn current(&mut self, kind: TermsKind) -> Result<Option<TermsDocument>, RepositoryError> {
        let row = terms::Entity::find()
            .filter(terms::Column::Kind.eq(kind.code()))
            .order_by_desc(terms::Column::Version)
            .one(&self.tx)
            .await
            .map_err(repo)?;
        Ok(row.map(TermsDocument::try_from).transpose()?)
    }
}

impl DbTransaction {
    /// Holds a throttle key's lock until this transaction ends. PostgreSQL takes a transaction-level advisory lock
    /// on the key's 64-bit hash, which every instance shares (two keys with one hash merely wait for each other).
    /// SQLite needs none: a writing transaction holds the database's one write lock (`BEGIN IMMEDIATE`, after the
    /// process's write turn) from its start to its end.
    async fn lock_throttle_key(&self, key: &ThrottleKey) -> Result<(), RepositoryError> {
        if self.tx.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let sql = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
        let lock = Statement::from_sql_and_values(DbBackend::Postgres, sql, [key.storage_key().into()]);
        self.tx.execute_raw(lock).await.map_err(repo)?;
        Ok(())
    }
}

#[async_trait]
impl ThrottleRepository for DbTransaction {
    async fn hit(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        let row =
            throttle_hit::ActiveModel { id: sea_orm::ActiveValue::NotSet, key: Set(key.storage_key()), at: Set(at) };
        throttle_hit::Entity::insert(row).exec_without_returning(&self.tx).await.map_err(repo)?;
        Ok(())
    }
    async fn hits_since(&mut self, key: &ThrottleKey, since: DateTime<Utc>) -> Result<Hits, RepositoryError> {
        let times: Vec<DateTime<Utc>> = throttle_hit::Entity::find()
            .select_only()
            .column(throttle_hit::Column::At)
            .filter(throttle_hit::Column::Key.eq(key.storage_key()))
            .filter(throttle_hit::Column::At.gte(since))
            .into_tuple()
            .all(&self.tx)
            .await
            .map_err(repo)?;
        Ok(Hits { count: u32::try_from(times.len()).unwrap_or(u32::MAX), oldest: times.iter().min().copied() })
    }
    async fn reserve(
        &mut self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Result<(), Hits>, RepositoryError> {
        self.lock_throttle_key(key).await?;
        // After the lock, the count sees every hit of the key's previous holder: READ COMMITTED gives each statement
        // a fresh snapshot on PostgreSQL, and SQLite has had no other writer since this transaction began.
        let hits = self.hits_since(key, since).await?;
        if hits.count >= limit {
            return Ok(Err(hits));
        }
        self.hit(key, at).await?;
        Ok(Ok(()))
    }
    async fn release(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        // Locked too, so that two releases of one key at one time remove two hits rather than the same one twice.
        self.lock_throttle_key(key).await?;
        let one: Option<i64> = throttle_hit::Entity::find()
            .select_only()
            .column(throttle_hit::Column::Id)
            .filter(throttle_hit::Column::Key.eq(key.storage_key()))
            .filter(throttle_hit::Column::At.eq(at))
            .into_tuple()
            .one(&self.tx)
            .await
            .map_err(repo)?;
        if let Some(id) = one {
            throttle_hit::Entity::delete_by_id(id).exec(&self.tx).await.map_err(repo)?;
        }
        Ok(())
    }
    async fn clear(&mut self, key: &ThrottleKey) -> Result<(), RepositoryError> {
        throttle_hit::Entity::delete_many()
            .filter(throttle_hit::Column::Key.eq(key.storage_key()))
            .exec(&self.tx)
            .await
            .map_err(repo)?;
        Ok(())
    }
    async fn purge_before(&mut self, at: DateTime<Utc>) -> Result<u64, RepositoryError> {
        Ok(throttle_hit::Entity::delete_many()
            .filter(throttle_hit::Column::At.lt(at))
            .exec(&self.tx)
            .await
            .map_err(repo)?
            .rows_affected)
    }
}

#[async_trait]
impl AuditLog for DbTransaction {
    async fn append(&mut self, event: &AuditEvent) -> Result<(), RepositoryError> {
        audit_event::Entity::insert(audit_row(event)).exec_without_returning(&self.tx).await.map_err(repo)?;
        Ok(())
    }
    async fn for_subject(&mut self, subject: &str) -> Result<Vec<AuditEvent>, RepositoryError> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Subject.eq(subject))
            .order_by_asc(audit_event::Column::Seq)
            .all(&self.tx)
            .await
            .map_err(repo)?;
        read(rows)
    }
}

#[async_trait]
impl Outbox for DbTransaction {
    async fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError> {
        outbox::Entity::insert(outbox_row(&mail, &self.sealer)).exec_without_returning(&self.tx).await.map_err(repo)?;
        Ok(())
    }
}
