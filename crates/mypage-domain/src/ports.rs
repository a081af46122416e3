//! Ports: what the domain needs from the world, as traits that adapters implement.
//!
//! **API Boundary.** An embedding service may hand in its own adapter for any port as `Arc<dyn …>`;
//! each method's `# Errors` section is the contract it MUST keep. `mypage-testkit` implements all of them in
//! memory and the contract suite of `mypage-db` holds every implementation to the same behaviour.
//!
//! Repositories are reached only through a [`Transaction`] from the [`UnitOfWork`], so that a state change,
//! its audit event (R15) and its mail (R16) are committed together or not at all.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::model::{
    Account, AccountId, AuditEvent, AuthFlow, Establishment, EstablishmentId, FlowPurpose, MailId, Office,
    OutgoingMail, PasswordHash, ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember, TotpSecret,
};
pub use crate::values::Digest;
use crate::values::{AuthKey, EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};

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
    /// MUST return [`InfrastructureError`] when the store cannot be reached.
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

/// Employer accounts.
#[async_trait]
pub trait AccountRepository: Send {
    /// Stores a new account with `version` 0.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::AccountEmail)` when an account has the same e-mail.
    async fn insert(&mut self, account: &Account) -> Result<(), RepositoryError>;
    /// Replaces an account read earlier; the stored version becomes `account.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `account.version` or the account is gone.
    async fn update(&mut self, account: &Account) -> Result<(), RepositoryError>;
    /// The account with this id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError>;
    /// The account with this (normalised) e-mail.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError>;
    /// The accounts acting for an establishment, oldest first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn by_establishment(&mut self, id: EstablishmentId) -> Result<Vec<Account>, RepositoryError>;
}

/// Auth-key flows.
#[async_trait]
pub trait FlowRepository: Send {
    /// Stores a new flow with `version` 0.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::LiveFlow)` when an Open flow exists for the same e-mail and purpose, and
    /// `Duplicate(Unique::FlowToken)` when a flow has the same token digest.
    async fn insert(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError>;
    /// Replaces a flow read earlier; the stored version becomes `flow.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `flow.version` or the flow is gone.
    async fn update(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError>;
    /// The flow whose token has this digest, in any state.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn by_token(&mut self, token: &Digest) -> Result<Option<AuthFlow>, RepositoryError>;
    /// The Open flow for this e-mail and purpose.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn open_for(
        &mut self,
        email: &EmailAddress,
        purpose: FlowPurpose,
    ) -> Result<Option<AuthFlow>, RepositoryError>;
    /// Open flows whose last key expired before `at`, at most `limit`, oldest first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn open_expired_before(&mut self, at: DateTime<Utc>, limit: usize) -> Result<Vec<AuthFlow>, RepositoryError>;
}

/// Provisional registrations.
#[async_trait]
pub trait RegistrationRepository: Send {
    /// Stores a new registration with `version` 0.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::OpenRegistration)` when the account has an open one
    /// ([`crate::model::RegistrationStatus::is_open`]).
    async fn insert(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    /// Replaces a registration read earlier; the stored version becomes `registration.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `registration.version` or it is gone.
    async fn update(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    /// The registration with this id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, id: RegistrationId) -> Result<Option<ProvisionalRegistration>, RepositoryError>;
    /// The account's registrations, newest first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn for_account(&mut self, account: AccountId) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
    /// The office's queue: Submitted and ContactNeeded registrations, oldest submission first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn pending_for_office(
        &mut self,
        office: &OfficeCode,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
    /// Drafts last saved before `at`, at most `limit`, oldest first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn drafts_saved_before(
        &mut self,
        at: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
}

/// Establishments.
#[async_trait]
pub trait EstablishmentRepository: Send {
    /// Stores a new establishment.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::EstablishmentNumber)` when one has the same number.
    async fn insert(&mut self, establishment: &Establishment) -> Result<(), RepositoryError>;
    /// The establishment with this id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, id: EstablishmentId) -> Result<Option<Establishment>, RepositoryError>;
    /// The establishment with this number.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn by_number(&mut self, number: &EstablishmentNumber) -> Result<Option<Establishment>, RepositoryError>;
    /// The office's establishments whose name contains `fragment`, at most `limit`, by number.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn search(
        &mut self,
        office: &OfficeCode,
        fragment: &str,
        limit: usize,
    ) -> Result<Vec<Establishment>, RepositoryError>;
}

/// Offices.
#[async_trait]
pub trait OfficeRepository: Send {
    /// Stores a new office.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::OfficeCode)` when one has the same code.
    async fn insert(&mut self, office: &Office) -> Result<(), RepositoryError>;
    /// The office with this code.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, code: &OfficeCode) -> Result<Option<Office>, RepositoryError>;
    /// Every office, by code.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn all(&mut self) -> Result<Vec<Office>, RepositoryError>;
}

/// Staff members.
#[async_trait]
pub trait StaffRepository: Send {
    /// Stores a new member with `version` 0.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::StaffLogin)` when one has the same login.
    async fn insert(&mut self, member: &StaffMember) -> Result<(), RepositoryError>;
    /// Replaces a member read earlier; the stored version becomes `member.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `member.version` or it is gone.
    async fn update(&mut self, member: &StaffMember) -> Result<(), RepositoryError>;
    /// The member with this id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, id: StaffId) -> Result<Option<StaffMember>, RepositoryError>;
    /// The member with this login.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn by_login(&mut self, login: &StaffLogin) -> Result<Option<StaffMember>, RepositoryError>;
    /// Every member, by office and login.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn all(&mut self) -> Result<Vec<StaffMember>, RepositoryError>;
}

/// Versions of the privacy policy and the My Page terms (R1).
#[async_trait]
pub trait TermsRepository: Send {
    /// Stores a new version.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::TermsVersion)` when that kind already has that version.
    async fn publish(&mut self, document: &TermsDocument) -> Result<(), RepositoryError>;
    /// The highest version of a kind.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn current(&mut self, kind: TermsKind) -> Result<Option<TermsDocument>, RepositoryError>;
}

/// What a throttle counter counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThrottleKey {
    /// Key requests (new flows and resends) for an address, whatever its eligibility (R3, R8).
    KeyRequests(EmailAddress),
    /// Failed employer logins for an address, known or not, so that the throttle reveals no account (R8, R13).
    LoginFailures(EmailAddress),
    /// Failed staff logins for a login name, known or not (R13, R14).
    StaffLoginFailures(StaffLogin),
    /// Failed logins from one client address (R13).
    ClientLoginFailures(std::net::IpAddr),
}

impl ThrottleKey {
    /// A stable text form for storage. E-mail addresses are stored as given, since the table is never logged.
    #[must_use]
    pub fn storage_key(&self) -> String {
        match self {
            Self::KeyRequests(email) => format!("key-requests:{email}"),
            Self::LoginFailures(email) => format!("login:{email}"),
            Self::StaffLoginFailures(login) => format!("staff-login:{}", login.as_str()),
            Self::ClientLoginFailures(ip) => format!("client-login:{ip}"),
        }
    }
}

/// Sliding-window counters for rate limits.
#[async_trait]
pub trait ThrottleRepository: Send {
    /// Records one hit at `at`.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn hit(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError>;
    /// The hits at or after `since`, and the oldest of them (which decides when the window reopens).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn hits_since(&mut self, key: &ThrottleKey, since: DateTime<Utc>) -> Result<Hits, RepositoryError>;
    /// Counts the hits of `key` at or after `since` and, when they are fewer than `limit`, records one more at `at`:
    /// `Ok(Ok(()))`. When `limit` is reached it records nothing and answers the window's hits: `Ok(Err(hits))`.
    /// A login reserves its attempt this way before its password is checked, so that parallel guesses cannot all
    /// pass a check that none of them has yet recorded (R13).
    ///
    /// The count and the record MUST be one step for every transaction, connection and instance: the store holds
    /// a lock on `key` from the count until this transaction ends, so that a concurrent `reserve` of the same key
    /// waits, then counts this hit if it was committed. Of any number of transactions reserving one key at once,
    /// at most `limit` minus the earlier hits succeed. It MUST be called in a writing transaction
    /// ([`UnitOfWork::begin`]); a transaction that reserves several keys takes them in one fixed order (the domain:
    /// the account, then the client), so that two never wait for each other.
    ///
    /// # Errors
    /// `Infrastructure` only, and then nothing is recorded.
    async fn reserve(
        &mut self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Result<(), Hits>, RepositoryError>;
    /// Forgets one hit of `key` recorded at exactly `at`, if one is left: a reserved attempt that succeeded gives
    /// its reservation back, so that a client's successful logins never count towards its limit.
    /// Another hit at the same time, or of another key, MUST stay.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn release(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError>;
    /// Forgets every hit of a key (a successful login clears its account's failures).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn clear(&mut self, key: &ThrottleKey) -> Result<(), RepositoryError>;
    /// Forgets every hit before `at`; returns how many were removed.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn purge_before(&mut self, at: DateTime<Utc>) -> Result<u64, RepositoryError>;
}

/// The hits of a throttle key in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Hits {
    /// How many.
    pub count: u32,
    /// The oldest, if any.
    pub oldest: Option<DateTime<Utc>>,
}

/// The audit trail (R15). Append-only.
#[async_trait]
pub trait AuditLog: Send {
    /// Appends an event.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn append(&mut self, event: &AuditEvent) -> Result<(), RepositoryError>;
    /// The events about a subject (`account:…`), oldest first.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn for_subject(&mut self, subject: &str) -> Result<Vec<AuditEvent>, RepositoryError>;
}

/// The mail outbox (R16): mails queued here are sent after the transaction commits, and only if it does.
#[async_trait]
pub trait Outbox: Send {
    /// Queues a mail. A withheld mail ([`crate::model::MailTemplate::Withheld`]) is queued like any other and is
    /// never sent. An adapter that protects a key mail's key (the database seals it) MUST do the same to the decoy of
    /// a notice or a withheld mail, so that the three answers to a key request cost the same (R8).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError>;
}

/// The time. The domain never reads a clock of its own.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// All the randomness the domain uses: auth keys, flow tokens and record ids.
/// Implementations MUST draw from a CSPRNG seeded from the operating system (R3), except test doubles.
pub trait KeyGenerator: Send + Sync {
    /// A new auth key (built with [`AuthKey::from_random_bytes`]).
    fn auth_key(&self) -> AuthKey;
    /// A new opaque token of at least 128 bits, URL-safe (flow tokens, session ids).
    fn token(&self) -> SecretString;
    /// 16 random bytes for a record id.
    fn id_bytes(&self) -> [u8; 16];
}

/// What a digest is of; digests of different purposes never collide (domain separation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestPurpose {
    /// An auth key.
    AuthKey,
    /// A flow token.
    FlowToken,
    /// A session id.
    SessionId,
    /// A staff member's second-factor recovery code (R21).
    RecoveryCode,
}

/// Keyed hashing with a server secret, so that a stolen database does not yield usable keys (R3).
pub trait KeyDigest: Send + Sync {
    /// The digest of `secret` for `purpose`. Deterministic for one server secret.
    fn digest(&self, purpose: DigestPurpose, secret: &SecretString) -> Digest;
}

/// The outcome of a password verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password does not match.
    Mismatch,
    /// It matches; `needs_rehash` when the stored hash uses other parameters than the configured ones (R5).
    Match {
        /// Hash again and store the new hash.
        needs_rehash: bool,
    },
}

/// Password hashing (R5). Slow by design: implementations MUST NOT block the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password with the configured parameters and a fresh salt.
    ///
    /// # Errors
    /// [`InfrastructureError`] when hashing fails; the message MUST NOT contain the password.
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError>;
    /// Verifies a password against a stored hash.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the stored hash cannot be parsed.
    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError>;
    /// Spends the time of a verification without a stored hash, so that a login for an unknown address
    /// takes as long as one for a known address (R8, R13).
    ///
    /// # Errors
    /// [`InfrastructureError`] when hashing fails.
    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError>;
}

/// Assigns new establishment numbers (R11, case C). An office may plug in its own numbering system.
#[async_trait]
pub trait EstablishmentNumberAllocator: Send + Sync {
    /// A number under `office` that no establishment has yet. Numbers are never reused; gaps are allowed.
    /// The domain calls it with no transaction of its own open, so an allocator may use the same database.
    ///
    /// # Errors
    /// [`InfrastructureError`] when no number can be had.
    async fn allocate(&self, office: &OfficeCode) -> Result<EstablishmentNumber, InfrastructureError>;
}

/// Where a queued mail stands (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailState {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a dispatcher, until its lease runs out.
    Sending,
    /// Accepted by the mail server, or withheld and settled without being sent (R8): the two are not told apart,
    /// so that the counts do not depend on which addresses have accounts.
    Sent,
    /// Given up after the configured attempts; an admin may queue it again.
    Dead,
}

impl MailState {
    /// A stable code for storage.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    /// The state with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Dead].into_iter().find(|s| s.code() == code)
    }
}

/// A mail a dispatcher claimed: send it, then mark it sent, reschedule it or mark it dead.
#[derive(Debug)]
pub struct ClaimedMail {
    /// The mail, with its secrets.
    pub mail: OutgoingMail,
    /// Attempts made so far, this one included.
    pub attempts: u32,
}

/// What an admin sees of a queued mail: never its parameters, which may hold a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSummary {
    /// Its id.
    pub id: MailId,
    /// The recipient.
    pub to: EmailAddress,
    /// The template's code.
    pub template: String,
    /// Where it stands.
    pub state: MailState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is due (pending) or its lease ends (sending).
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// The outbox as the mail dispatcher sees it (R16): mails queued by committed transactions, claimed, sent once.
#[async_trait]
pub trait MailQueue: Send + Sync {
    /// Claims up to `limit` mails that are due at `now` — pending ones whose next attempt has come, and sending
    /// ones whose lease ran out (a dispatcher that died) — oldest due first, leases them until `lease_until` and
    /// counts the attempt.
    ///
    /// # Errors
    /// MUST NOT hand the same mail to two concurrent claimers while its lease runs; `Infrastructure` otherwise.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMail>, InfrastructureError>;
    /// The mail server accepted the mail, or it was a withheld one, settled without being sent (R8): it is never
    /// sent again, and its secret parameters are erased.
    ///
    /// # Errors
    /// `Infrastructure` only. Marking a mail that is not `Sending` changes nothing.
    async fn mark_sent(&self, id: MailId, at: DateTime<Utc>) -> Result<(), InfrastructureError>;
    /// The attempt failed and may be retried at `next_attempt_at`.
    ///
    /// # Errors
    /// `Infrastructure` only. A mail that is not `Sending` is left alone.
    async fn reschedule(
        &self,
        id: MailId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), InfrastructureError>;
    /// The mail is given up.
    ///
    /// # Errors
    /// `Infrastructure` only. A mail that is not `Sending` is left alone.
    async fn mark_dead(&self, id: MailId, error: &str) -> Result<(), InfrastructureError>;
    /// Queues a dead mail again, due at `now`; false when it was not dead.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn requeue(&self, id: MailId, now: DateTime<Utc>) -> Result<bool, InfrastructureError>;
    /// Mails in `state` (all when `None`), newest first, at most `limit`.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn list(&self, state: Option<MailState>, limit: usize) -> Result<Vec<MailSummary>, InfrastructureError>;
    /// How many mails are in each state.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn depth(&self) -> Result<Vec<(MailState, u64)>, InfrastructureError>;
}

/// Who a login session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSubject {
    /// Not logged in: a visitor in the middle of a flow (R4).
    Anonymous,
    /// A logged-in employer.
    Employer(AccountId),
    /// A logged-in staff member.
    Staff(StaffId),
}

/// A browser session, kept in the store so that any instance serves any request (R4, R13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The keyed digest of the session id; the id itself lives only in the cookie.
    pub id: Digest,
    /// Who it belongs to.
    pub subject: SessionSubject,
    /// The adapter's own data (flow token, CSRF token, form drafts), opaque to the store.
    pub data: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it ends whatever happens.
    pub expires_at: DateTime<Utc>,
    /// When it ends unless used before (R13: sessions expire when idle).
    pub idle_expires_at: DateTime<Utc>,
}

/// Login sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a session, replacing one with the same id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn save(&self, session: &Session) -> Result<(), InfrastructureError>;
    /// The session with this id, unless it has expired or gone idle at `now`.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError>;
    /// Ends a session (logout, or renewal of the id at login).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError>;
    /// Ends every session of `subject` (a password reset or change, a member whose access is stopped: R17, R19,
    /// R14); returns how many. A session of another subject MUST stay. `Anonymous` ends nothing.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError>;
    /// Removes the sessions expired or idle at `now`; returns how many.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError>;
}

/// What an authenticator app needs to be set up (R21), shown to the member once, at enrolment.
pub struct Provisioning {
    /// The secret as the text a person types into the app (base32).
    pub secret_text: SecretString,
    /// The `otpauth://totp/…` URI that a QR code carries.
    pub uri: SecretString,
}

/// Time-based one-time codes (RFC 6238) for the staff's second factor (R21).
pub trait SecondFactor: Send + Sync {
    /// A new random secret (160 bits, RFC 4226's recommendation), from a CSPRNG seeded from the operating system.
    fn new_secret(&self) -> TotpSecret;
    /// The secret as text and as an `otpauth://` URI naming the service and `account` (the member's login).
    fn provisioning(&self, secret: &TotpSecret, account: &str) -> Provisioning;
    /// The time step whose code `code` is, for `secret` at `now`.
    ///
    /// MUST accept the code of the current step and of one step before or after it (clock drift), and no other;
    /// MUST refuse a step at or before `after` (a code already used); MUST compare in constant time.
    fn verify(&self, secret: &TotpSecret, code: &str, now: DateTime<Utc>, after: Option<u64>) -> Option<u64>;
    /// A new recovery code, typed by a person: at least 50 bits, from a CSPRNG (`ABCDE-FGHJK`).
    fn recovery_code(&self) -> SecretString;
}
