//! Ports: what the domain needs from the world, as traits that adapters implement.
//!
//! **API Boundary.** An embedding service may hand in its own adapter for any port as `Arc<dyn …>`;
//! each method's `# Errors` section is the contract it MUST keep. `mypage-testkit` implements all of them in
//! memory and the contract suite of `mypage-db` holds every implementation to the same behaviour.
//!
//! Repositories are reached only through a [`Transaction`] from the [`UnitOfWork`], so that a state change,
//! its audit event (R15) and its mail (R16) are committed together or not at all.

mod credentials;
mod mail;
mod repositories;
mod sessions;

use std::fmt;

use async_trait::async_trait;

pub use self::credentials::{
    Clock, DigestPurpose, EstablishmentNumberAllocator, KeyDigest, KeyGenerator, PasswordCheck, PasswordHasher,
    Provisioning, SecondFactor,
};
pub use self::mail::{ClaimedMail, MailQueue, MailState, MailSummary, Outbox};
pub use self::repositories::{
    AccountRepository, AuditLog, EstablishmentRepository, FlowRepository, Hits, OfficeRepository, QueueSummary,
    RegistrationRepository, StaffRepository, TermsRepository, ThrottleKey, ThrottleRepository,
};
pub use self::sessions::{SESSION_HANDLE_LEN, Session, SessionStore, SessionSubject};
pub use crate::values::Digest;

/// An infrastructure failure the domain cannot act on: the database is down, a row is corrupt, a hasher failed.
/// Every use case's error enum has one variant carrying it. Its message must hold no secret.
#[derive(Debug, thiserror::Error)]
#[error("infrastructure failure: {0}")]
pub struct InfrastructureError(#[source] pub Box<dyn std::error::Error + Send + Sync>);

impl InfrastructureError {
    /// Wraps any error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }

    /// An adapter refused the work at once because its queue is full (see [`Overloaded`]).
    #[must_use]
    pub fn overloaded(retry_after: std::time::Duration) -> Self {
        Self(Box::new(Overloaded { retry_after }))
    }

    /// The refusal inside, when an adapter shed this request instead of queueing it.
    #[must_use]
    pub fn as_overloaded(&self) -> Option<&Overloaded> {
        self.0.downcast_ref::<Overloaded>()
    }
}

/// The cause an adapter puts inside an [`InfrastructureError`] when it refuses work at once because as many
/// requests as it may hold are already waiting (its queue has a bound): nothing was done, and the same request may
/// be sent again after `retry_after`. The web adapter answers it with 503 `overloaded` and `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("overloaded: the queue is full; try again in {} s", retry_after.as_secs().max(1))]
pub struct Overloaded {
    /// How long the caller should wait before it tries again.
    pub retry_after: std::time::Duration,
}

/// What a repository can report.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    /// A uniqueness rule would be broken; the string names it (see [`Unique`]).
    #[error("a record breaking the uniqueness of {0} already exists")]
    Duplicate(Unique),
    /// The record changed since it was read (its `version` differs), or does not exist any more.
    #[error("the record was changed by someone else")]
    Conflict,
    /// Anything else: connection lost, corrupt row, timeout.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}

/// The uniqueness rules the stores enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// One account per normalised e-mail (R12).
    AccountEmail,
    /// One establishment per number.
    EstablishmentNumber,
    /// One open (not spent, not dead) flow per e-mail and purpose (R3).
    LiveFlow,
    /// One flow per token digest.
    FlowToken,
    /// One open registration per account.
    OpenRegistration,
    /// One office per code.
    OfficeCode,
    /// One staff member per login.
    StaffLogin,
    /// One document per kind and version.
    TermsVersion,
}

impl fmt::Display for Unique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Starts transactions.
#[async_trait]
pub trait UnitOfWork: Send + Sync {
    /// Begins a transaction. Dropping it without [`Transaction::commit`] rolls everything back.
    ///
    /// # Errors
    /// MUST return [`InfrastructureError`] when the store cannot be reached. MAY return one carrying
    /// [`Overloaded`] ([`InfrastructureError::overloaded`]) when too many writers already wait for their turn.
    async fn begin(&self) -> Result<Box<dyn Transaction>, InfrastructureError>;

    /// Begins a transaction that only reads, for the use cases that change nothing (pages, queues, lists): an
    /// adapter may give it a snapshot that does not wait for writers (SQLite: a deferred transaction beside the
    /// writers' `BEGIN IMMEDIATE`). Writing in it is a mistake of the caller's. By default, [`UnitOfWork::begin`].
    ///
    /// # Errors
    /// MUST return [`InfrastructureError`] when the store cannot be reached.
    async fn begin_read(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        self.begin().await
    }
}

/// One transaction over every repository.
///
/// Reads see this transaction's own writes. Concurrent transactions MUST NOT both succeed in updating the same
/// record from the same version: one of them gets [`RepositoryError::Conflict`].
///
/// After a repository reports `Duplicate` or `Infrastructure`, the transaction MUST only be dropped: PostgreSQL
/// aborts a transaction at its first failed statement. (`Conflict` from an update leaves it usable.)
#[async_trait]
pub trait Transaction: Send {
    /// Employer accounts.
    fn accounts(&mut self) -> &mut dyn AccountRepository;
    /// Auth-key flows.
    fn flows(&mut self) -> &mut dyn FlowRepository;
    /// Provisional registrations.
    fn registrations(&mut self) -> &mut dyn RegistrationRepository;
    /// Establishments.
    fn establishments(&mut self) -> &mut dyn EstablishmentRepository;
    /// Offices.
    fn offices(&mut self) -> &mut dyn OfficeRepository;
    /// Staff.
    fn staff(&mut self) -> &mut dyn StaffRepository;
    /// Terms versions.
    fn terms(&mut self) -> &mut dyn TermsRepository;
    /// Rate-limit counters.
    fn throttle(&mut self) -> &mut dyn ThrottleRepository;
    /// The audit trail.
    fn audit(&mut self) -> &mut dyn AuditLog;
    /// The mail outbox.
    fn outbox(&mut self) -> &mut dyn Outbox;

    /// Makes every write of this transaction durable and visible at once.
    ///
    /// # Errors
    /// MUST return [`RepositoryError::Conflict`] when the store detects a serialisation conflict at commit, and
    /// [`RepositoryError::Infrastructure`] otherwise; in both cases nothing of the transaction is kept.
    async fn commit(self: Box<Self>) -> Result<(), RepositoryError>;
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn an_overloaded_refusal_is_found_again_inside_the_infrastructure_error() {
        let e = InfrastructureError::overloaded(Duration::from_secs(2));
        assert_eq!(e.as_overloaded(), Some(&Overloaded { retry_after: Duration::from_secs(2) }));
        assert!(e.to_string().contains("overloaded"), "{e}");
        assert_eq!(InfrastructureError::new("database: gone").as_overloaded(), None);
    }
}
