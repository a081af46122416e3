//! The repositories a [`Transaction`](super::Transaction) hands out: employer accounts, auth-key flows, registrations,
//! establishments, offices, staff, terms, rate-limit counters and the audit trail.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Digest, RepositoryError};
use crate::model::{
    Account, AccountId, AuditEvent, AuthFlow, Establishment, EstablishmentId, FlowPurpose, Office,
    ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember,
};
use crate::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};

/// Employer accounts.
#[async_trait]
pub trait AccountRepository: Send {
    /// Stores a new account with `version` 0.
    ///
    /// # Errors
    /// MUST return `Duplicate(Unique::AccountEmail)` when a live (not closed) account has the same e-mail.
    async fn insert(&mut self, account: &Account) -> Result<(), RepositoryError>;
    /// Replaces an account read earlier; the stored version becomes `account.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `account.version` or the account is gone, and
    /// `Duplicate(Unique::AccountEmail)` when its e-mail changed to one another account has.
    async fn update(&mut self, account: &Account) -> Result<(), RepositoryError>;
    /// Deletes an account read earlier: counter staff withdrew a registration that never had a password (R12), so
    /// that its address is free again. Its audit events stay.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `account.version` or the account is gone.
    async fn remove(&mut self, account: &Account) -> Result<(), RepositoryError>;
    /// The account with this id.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError>;
    /// The live account with this (normalised) e-mail. A closed account (R19) keeps its row and its address but no
    /// longer holds it: this MUST NOT answer it, so that the address is free for a new account (R12: one live account
    /// per address) and every use case treats it as unknown.
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
    /// MUST return `Duplicate(Unique::OpenRegistration)` when the registration is an opening one
    /// ([`crate::model::RegistrationKind::Opening`]), open ([`crate::model::RegistrationStatus::is_open`]), and the
    /// account has another open opening one. Job offers (R20) are not bound: several may be open at once.
    async fn insert(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    /// Replaces a registration read earlier; the stored version becomes `registration.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `registration.version` or it is gone, and
    /// `Duplicate(Unique::OpenRegistration)` as `insert` does.
    async fn update(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    /// Deletes a registration read earlier: the employer discarded a job offer's draft (R20). Its audit events stay.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `registration.version` or it is gone.
    async fn remove(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
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
    /// What waits in the office's queue (Submitted and ContactNeeded registrations, as
    /// [`RegistrationRepository::pending_for_office`] lists them): how many, how many of them are job offers, how
    /// many were submitted after `since` (all of them when `None`), and when the oldest and the newest were
    /// submitted. A digest passes as `since` its office's watermark ([`Office::digest_watermark`]), the newest
    /// submission time a digest announced, not the time of the last digest. Counted by the store, without reading
    /// the registrations, so that a page can show it on every request (R20).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn queue_summary(
        &mut self,
        office: &OfficeCode,
        since: Option<DateTime<Utc>>,
    ) -> Result<QueueSummary, RepositoryError>;
}

/// What waits in an office's review queue ([`RegistrationRepository::queue_summary`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueSummary {
    /// Registrations waiting (Submitted or ContactNeeded).
    pub waiting: u64,
    /// Of those, the job offers after opening (R20); the others are provisional registrations.
    pub job_offers: u64,
    /// Of those, the ones submitted after the time asked about.
    pub submitted_since: u64,
    /// When the one waiting longest was submitted; `None` when none waits.
    pub oldest_submitted_at: Option<DateTime<Utc>>,
    /// When the one submitted last was submitted; `None` when none waits. What a digest announced up to.
    pub newest_submitted_at: Option<DateTime<Utc>>,
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
    /// Stores the new name and register details of an establishment (R18); its number, id and what an applicant
    /// entered stay as they are.
    ///
    /// # Errors
    /// MUST return `Conflict` when no establishment has its id.
    async fn update(&mut self, establishment: &Establishment) -> Result<(), RepositoryError>;
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
    /// Replaces an office read earlier (its details, its closing); the stored version becomes `office.version + 1`.
    ///
    /// # Errors
    /// MUST return `Conflict` when the stored version is not `office.version` or the office is gone.
    async fn update(&mut self, office: &Office) -> Result<(), RepositoryError>;
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
    /// Key requests (new flows, resends, address changes) from one client, whatever the addresses (R8): an IPv4
    /// address itself, an IPv6 address as its /64 network (see [`ThrottleKey::client_network`]).
    ClientKeyRequests(std::net::IpAddr),
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
            Self::ClientKeyRequests(ip) => format!("client-keys:{}", Self::client_network(*ip)),
        }
    }

    /// The client an address stands for in the per-client key limit (R8): an IPv4 address itself, an IPv6 address
    /// its /64 network, since one subscriber is handed a whole /64 and could otherwise count as endlessly many
    /// clients.
    #[must_use]
    pub fn client_network(ip: std::net::IpAddr) -> std::net::IpAddr {
        match ip {
            std::net::IpAddr::V4(_) => ip,
            std::net::IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                std::net::IpAddr::V6(network.into())
            }
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
    /// ([`UnitOfWork::begin`](super::UnitOfWork::begin)); a transaction that reserves several keys takes them in
    /// one fixed order, so that two never wait for each other. The domain's order: `ClientKeyRequests`, then
    /// `KeyRequests` (a key request: the client, then the address), then `LoginFailures` or `StaffLoginFailures`,
    /// then `ClientLoginFailures` (a login: the account, then the client).
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
