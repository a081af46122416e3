//! Use cases: one method of [`MyPage`] per step an employer, a staff member or the system takes,
//! each with its own input and its own error enum.
//!
//! **Architecture Invariant.** A use case reads and writes only through one [`Transaction`] at a time, and a
//! state change, its audit event (R15) and its mail (R16) are written in the same transaction. Slow work
//! (password hashing) is done between transactions, never while one is open.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::DomainConfig;
use crate::model::{Actor, AuditAction, AuditEvent, AuditEventId, ClientInfo, MailId, MailTemplate, OutgoingMail};
use crate::ports::{
    Clock, EstablishmentNumberAllocator, Hits, InfrastructureError, KeyDigest, KeyGenerator, MailQueue, PasswordHasher,
    RepositoryError, SecondFactor, SessionStore, ThrottleKey, Transaction, UnitOfWork,
};
use crate::values::EmailAddress;

mod account_care;
mod admin;
mod auth_key;
mod consent;
mod console;
mod counter;
mod digest;
mod email_change;
mod job_offers;
mod login;
mod maintenance;
mod offices;
mod password;
mod register;
mod registration;
mod review;
mod second_factor;

pub use account_care::{ChangePasswordError, CloseAccountError, CurrentPasswordError, EndSessionError, SessionView};
pub use admin::{
    AddOfficeError, AddStaffError, AdminActor, ImportEstablishmentError, NewOffice, NewStaffMember, PublishTermsError,
};
pub use auth_key::{KeyRequest, KeyRequested, KeySent, RequestAuthKeyError, ResendAuthKeyError};
pub use consent::AgreeTermsError;
pub use console::{ConsoleError, ESTABLISHMENT_SEARCH_LIMIT, StaffAccessError, StaffView};
pub use counter::{
    CorrectCounterEmailError, CounterLookupError, CounterRegistration, CounterRegistrationError,
    CounterRegistrationView, WithdrawCounterRegistrationError,
};
pub use digest::{DigestError, DigestReport};
pub use email_change::{ConfirmEmailChangeError, EmailChanged, RequestEmailChangeError};
pub use job_offers::{
    DiscardJobOfferError, JobOffersError, MAX_JOB_OFFER_DRAFTS, SaveJobOfferDraftError, StartJobOfferError,
    SubmitJobOfferError,
};
pub use login::{LoggedIn, LoginError, StaffLoggedIn, StaffLoginError};
pub use maintenance::{ExpireError, ExpiryReport};
pub use offices::{CloseOfficeError, EditOfficeError};
pub use password::{KeyRedemptionError, PasswordEntry, PasswordRegistered, RegisterPasswordError, ResetPasswordError};
pub use register::{ImportOptions, ImportReport, RegisterImportError};
pub use registration::{
    DeclareHistoryError, HistoryInput, MyPageOverview, OverviewError, SaveEstablishmentError, SaveJobOfferError,
    SubmitError,
};
pub use review::{ConfirmError, QueueError, ReviewCase, ReviewError};
pub use second_factor::{Enrolment, EnrolmentError, RECOVERY_CODES, RecoveryCodes, SecondFactorProof};

/// Every port the use cases need.
#[derive(Clone)]
pub struct Ports {
    /// Transactions over the repositories.
    pub store: Arc<dyn UnitOfWork>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub keys: Arc<dyn KeyGenerator>,
    /// Keyed digests.
    pub digest: Arc<dyn KeyDigest>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// New establishment numbers.
    pub numbers: Arc<dyn EstablishmentNumberAllocator>,
    /// The outbox as the dispatcher and the admins see it: its dead mails, and re-queuing one (R16).
    pub outbox: Arc<dyn MailQueue>,
    /// Login sessions, which a password reset or a stopped member's access ends (R14, R17).
    pub sessions: Arc<dyn SessionStore>,
    /// The staff's one-time codes (R21).
    pub second_factor: Arc<dyn SecondFactor>,
}

/// The Employer My Page: every use case, over the ports it was given. Cheap to clone.
#[derive(Clone)]
pub struct MyPage {
    ports: Ports,
    config: Arc<DomainConfig>,
}

impl MyPage {
    /// Assembles the use cases.
    #[must_use]
    pub fn new(ports: Ports, config: DomainConfig) -> Self {
        Self { ports, config: Arc::new(config) }
    }

    /// The settings in force.
    #[must_use]
    pub fn config(&self) -> &DomainConfig {
        &self.config
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    fn new_id<T>(&self, make: fn([u8; 16]) -> T) -> T {
        make(self.ports.keys.id_bytes())
    }

    async fn begin(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        self.ports.store.begin().await
    }

    /// A transaction for a use case that only reads.
    async fn read(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        self.ports.store.begin_read().await
    }

    /// Appends an audit event to the transaction (R15).
    async fn audit(
        &self,
        tx: &mut Box<dyn Transaction>,
        actor: Actor,
        action: AuditAction,
        subject: String,
        client: &ClientInfo,
    ) -> Result<(), RepositoryError> {
        let event = AuditEvent {
            id: self.new_id(AuditEventId::from_bytes),
            at: self.now(),
            actor,
            action,
            subject,
            client: client.clone(),
        };
        tx.audit().append(&event).await
    }

    /// Queues a mail in the transaction (R16).
    async fn mail(
        &self,
        tx: &mut Box<dyn Transaction>,
        to: &EmailAddress,
        template: MailTemplate,
    ) -> Result<(), RepositoryError> {
        let mail =
            OutgoingMail { id: self.new_id(MailId::from_bytes), to: to.clone(), template, created_at: self.now() };
        tx.outbox().enqueue(mail).await
    }
}

/// When a sliding window of `window` reopens, given its hits: the oldest hit plus the window.
fn reopens_at(hits: Hits, window: chrono::Duration, now: DateTime<Utc>) -> DateTime<Utc> {
    hits.oldest.map_or(now, |oldest| oldest + window)
}

/// Takes one of `key`'s `limit` slots in `window`, counted and recorded as one step (the port's `reserve`), so that
/// parallel requests cannot all see room; when none is left, the time one reopens. The slot is kept only if the
/// transaction commits.
async fn throttled(
    tx: &mut Box<dyn Transaction>,
    key: &ThrottleKey,
    limit: u32,
    window: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, RepositoryError> {
    Ok(tx.throttle().reserve(key, now, now - window, limit).await?.err().map(|hits| reopens_at(hits, window, now)))
}

impl From<RepositoryError> for InfrastructureError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Infrastructure(e) => e,
            other => Self::new(other.to_string()),
        }
    }
}

/// Lets `?` turn a repository failure the use case does not expect into its `Infrastructure` variant.
macro_rules! infrastructure_from_repository {
    ($($error:ty),+ $(,)?) => {$(
        impl From<$crate::ports::RepositoryError> for $error {
            fn from(error: $crate::ports::RepositoryError) -> Self {
                Self::Infrastructure(error.into())
            }
        }
    )+};
}
pub(crate) use infrastructure_from_repository;

/// The staff member `id`, if it exists, is active and holds `role` (R14).
async fn staff_with_role(
    tx: &mut Box<dyn Transaction>,
    id: crate::model::StaffId,
    role: crate::values::StaffRole,
) -> Result<Option<crate::model::StaffMember>, RepositoryError> {
    Ok(tx.staff().get(id).await?.filter(|member| member.may(role)))
}

/// What the staff member `id` administers, if it exists, is active and holds an admin role (R14).
async fn admin_scope(
    tx: &mut Box<dyn Transaction>,
    id: crate::model::StaffId,
) -> Result<Option<crate::model::AdminScope>, RepositoryError> {
    Ok(tx.staff().get(id).await?.and_then(|member| member.admin_scope()))
}
