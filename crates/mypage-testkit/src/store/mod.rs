//! An in-memory store that behaves like a database: unique constraints, optimistic versions, and a unit of
//! work that keeps nothing of a transaction that was not committed.
//!
//! A transaction holds the store's lock from `begin` until it is committed or dropped, so transactions are
//! serialisable, as on SQLite with its single writer. A use case that opened two transactions at once would
//! wait for itself: the domain never does that, and an embedder's adapter test should not either.
//!
//! This module holds the [`MemoryStore`] itself, its transactions and the [`Fault`]s it can be told to report;
//! the rest is split by what it stores:
//!
//! - `repositories`: [`Tables`], the in-memory repositories a transaction works on;
//! - `mail`: the recording outbox ([`RecordedMail`]) and the mail queue the dispatcher claims from;
//! - `sessions`: the session store;
//! - `read`: the read helpers tests use, such as [`Tables::account_by_email`] and
//!   [`MemoryStore::last_auth_key_to`].

mod mail;
mod read;
mod repositories;
mod sessions;

pub use mail::RecordedMail;
pub use repositories::Tables;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use mail::PendingMail;
use mypage_domain::ports::{
    AccountRepository, AuditLog, EstablishmentRepository, FlowRepository, InfrastructureError, OfficeRepository,
    Outbox, RegistrationRepository, RepositoryError, Session, StaffRepository, TermsRepository, ThrottleRepository,
    Transaction, Unique, UnitOfWork,
};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// A failure the store will report once, to imitate a concurrent writer in a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The next update of any record reports `Conflict`, as if someone had changed it since it was read.
    Conflict,
    /// The next insert that could break this rule reports `Duplicate`, as if someone had inserted the same row first.
    Duplicate(Unique),
}

/// The faults waiting to be reported, shared by every transaction of a store.
#[derive(Debug, Clone, Default)]
struct Faults(Arc<std::sync::Mutex<Vec<Fault>>>);

impl Faults {
    fn take(&self, fault: Fault) -> bool {
        let mut faults = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match faults.iter().position(|f| *f == fault) {
            Some(i) => {
                faults.remove(i);
                true
            }
            None => false,
        }
    }

    fn on_update(&self) -> Result<(), RepositoryError> {
        if self.take(Fault::Conflict) { Err(RepositoryError::Conflict) } else { Ok(()) }
    }

    fn on_insert(&self, unique: Unique) -> Result<(), RepositoryError> {
        if self.take(Fault::Duplicate(unique)) { Err(RepositoryError::Duplicate(unique)) } else { Ok(()) }
    }
}

#[derive(Default)]
struct State {
    tables: Tables,
    outbox: Vec<RecordedMail>,
    sessions: BTreeMap<String, Session>,
}

/// The in-memory store: a [`UnitOfWork`] over [`Tables`] and a recording outbox. Cheap to clone; clones share data.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    failing_begins: Arc<AtomicUsize>,
    failing_commits: Arc<AtomicUsize>,
    faults: Faults,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryStore")
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` commits fail with an infrastructure error, as a database that went away would.
    /// Nothing of a failed transaction is kept.
    pub fn fail_next_commits(&self, n: usize) {
        self.failing_commits.store(n, Ordering::SeqCst);
    }

    /// Makes the next `n` transactions fail to begin, as when the database cannot be reached.
    pub fn fail_next_begins(&self, n: usize) {
        self.failing_begins.store(n, Ordering::SeqCst);
    }

    /// Makes the store report `fault` once, at the next operation it applies to.
    pub fn inject(&self, fault: Fault) {
        self.faults.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(fault);
    }
}

#[async_trait]
impl UnitOfWork for MemoryStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        if self.failing_begins.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
            return Err(InfrastructureError::new("the in-memory store was told to be unreachable"));
        }
        let guard = Arc::clone(&self.state).lock_owned().await;
        let mut work = guard.tables.clone();
        work.set_faults(&self.faults);
        Ok(Box::new(MemoryTransaction {
            guard,
            work,
            outbox: PendingMail::default(),
            failing_commits: Arc::clone(&self.failing_commits),
        }))
    }
}

struct MemoryTransaction {
    guard: OwnedMutexGuard<State>,
    work: Tables,
    outbox: PendingMail,
    failing_commits: Arc<AtomicUsize>,
}

#[async_trait]
impl Transaction for MemoryTransaction {
    fn accounts(&mut self) -> &mut dyn AccountRepository {
        &mut self.work.accounts
    }
    fn flows(&mut self) -> &mut dyn FlowRepository {
        &mut self.work.flows
    }
    fn registrations(&mut self) -> &mut dyn RegistrationRepository {
        &mut self.work.registrations
    }
    fn establishments(&mut self) -> &mut dyn EstablishmentRepository {
        &mut self.work.establishments
    }
    fn offices(&mut self) -> &mut dyn OfficeRepository {
        &mut self.work.offices
    }
    fn staff(&mut self) -> &mut dyn StaffRepository {
        &mut self.work.staff
    }
    fn terms(&mut self) -> &mut dyn TermsRepository {
        &mut self.work.terms
    }
    fn throttle(&mut self) -> &mut dyn ThrottleRepository {
        &mut self.work.throttle
    }
    fn audit(&mut self) -> &mut dyn AuditLog {
        &mut self.work.audit
    }
    fn outbox(&mut self) -> &mut dyn Outbox {
        &mut self.outbox
    }

    async fn commit(self: Box<Self>) -> Result<(), RepositoryError> {
        let failing = self.failing_commits.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
        if failing.is_ok() {
            return Err(InfrastructureError::new("the in-memory store was told to fail this commit").into());
        }
        let Self { mut guard, work, outbox, .. } = *self;
        guard.tables = work;
        guard.outbox.extend(outbox.0.into_iter().map(RecordedMail::queued));
        Ok(())
    }
}
