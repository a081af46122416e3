//! A unit of work that writes down every port call it passes on, in order, so that a test can show that a use case
//! does the same work whatever the data: a key request for an unknown address makes the same calls, in the same
//! order, as one for an address with an account (R8), which is what keeps their timing alike.

use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AuditEvent, AuthFlow, Establishment, EstablishmentId, FlowPurpose, Office, OutgoingMail,
    ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember,
};
use mypage_domain::ports::{
    AccountRepository, AuditLog, Digest, EstablishmentRepository, FlowRepository, Hits, InfrastructureError,
    OfficeRepository, Outbox, QueueSummary, RegistrationRepository, RepositoryError, StaffRepository, TermsRepository,
    ThrottleKey, ThrottleRepository, Transaction, UnitOfWork,
};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};

/// The calls written down so far, shared by the store and its transactions.
#[derive(Debug, Clone, Default)]
struct Calls(Arc<Mutex<Vec<&'static str>>>);

impl Calls {
    fn record(&self, call: &'static str) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(call);
    }
}

/// Wraps a [`UnitOfWork`] (a [`crate::MemoryStore`], or an embedder's own) and records each call made through it
/// as `repository.method` (`flows.open_for`, `accounts.by_email`, `outbox.enqueue`, …), with `begin`,
/// `begin_read` and `commit`. Arguments and answers are not recorded: only which port was asked, in what order.
/// Cheap to clone; clones share the record.
#[derive(Clone)]
pub struct RecordingStore {
    inner: Arc<dyn UnitOfWork>,
    calls: Calls,
}

impl std::fmt::Debug for RecordingStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingStore").field("calls", &self.calls()).finish_non_exhaustive()
    }
}

impl RecordingStore {
    /// Records the calls made to `inner`.
    #[must_use]
    pub fn new(inner: impl UnitOfWork + 'static) -> Self {
        Self { inner: Arc::new(inner), calls: Calls::default() }
    }

    /// Every call recorded so far, oldest first.
    #[must_use]
    pub fn calls(&self) -> Vec<&'static str> {
        self.calls.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Every call recorded so far, oldest first, forgetting them: the next `take` answers only later calls.
    #[must_use]
    pub fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.calls.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[async_trait]
impl UnitOfWork for RecordingStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        self.calls.record("begin");
        let inner = self.inner.begin().await?;
        Ok(Box::new(RecordingTransaction { inner, calls: self.calls.clone() }))
    }

    async fn begin_read(&self) -> Result<Box<dyn Transaction>, InfrastructureError> {
        self.calls.record("begin_read");
        let inner = self.inner.begin_read().await?;
        Ok(Box::new(RecordingTransaction { inner, calls: self.calls.clone() }))
    }
}

/// A transaction of the wrapped store that is every repository at once: each call is recorded, then passed on.
struct RecordingTransaction {
    inner: Box<dyn Transaction>,
    calls: Calls,
}

#[async_trait]
impl Transaction for RecordingTransaction {
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
        self.calls.record("commit");
        self.inner.commit().await
    }
}

/// Implements a repository port on [`RecordingTransaction`]: each method records `repository.method`, then calls the
/// same method of the wrapped transaction's repository. The signatures are the port's, so the compiler checks them.
macro_rules! recorded {
    ($port:ident as $repo:ident { $(fn $method:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $answer:ty;)* }) => {
        #[async_trait]
        impl $port for RecordingTransaction {
            $(
                async fn $method(&mut self $(, $arg: $ty)*) -> $answer {
                    self.calls.record(concat!(stringify!($repo), ".", stringify!($method)));
                    self.inner.$repo().$method($($arg),*).await
                }
            )*
        }
    };
}

recorded!(AccountRepository as accounts {
    fn insert(&mut self, account: &Account) -> Result<(), RepositoryError>;
    fn update(&mut self, account: &Account) -> Result<(), RepositoryError>;
    fn remove(&mut self, account: &Account) -> Result<(), RepositoryError>;
    fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError>;
    fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError>;
    fn by_establishment(&mut self, id: EstablishmentId) -> Result<Vec<Account>, RepositoryError>;
});

recorded!(FlowRepository as flows {
    fn insert(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError>;
    fn update(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError>;
    fn by_token(&mut self, token: &Digest) -> Result<Option<AuthFlow>, RepositoryError>;
    fn open_for(&mut self, email: &EmailAddress, purpose: FlowPurpose) -> Result<Option<AuthFlow>, RepositoryError>;
    fn open_expired_before(&mut self, at: DateTime<Utc>, limit: usize) -> Result<Vec<AuthFlow>, RepositoryError>;
});

recorded!(RegistrationRepository as registrations {
    fn insert(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    fn update(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    fn remove(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError>;
    fn get(&mut self, id: RegistrationId) -> Result<Option<ProvisionalRegistration>, RepositoryError>;
    fn for_account(&mut self, account: AccountId) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
    fn pending_for_office(&mut self, office: &OfficeCode) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
    fn drafts_saved_before(
        &mut self,
        at: DateTime<Utc>,
        limit: usize
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError>;
    fn queue_summary(
        &mut self,
        office: &OfficeCode,
        since: Option<DateTime<Utc>>
    ) -> Result<QueueSummary, RepositoryError>;
});

recorded!(EstablishmentRepository as establishments {
    fn insert(&mut self, establishment: &Establishment) -> Result<(), RepositoryError>;
    fn get(&mut self, id: EstablishmentId) -> Result<Option<Establishment>, RepositoryError>;
    fn by_number(&mut self, number: &EstablishmentNumber) -> Result<Option<Establishment>, RepositoryError>;
    fn update(&mut self, establishment: &Establishment) -> Result<(), RepositoryError>;
    fn search(
        &mut self,
        office: &OfficeCode,
        fragment: &str,
        limit: usize
    ) -> Result<Vec<Establishment>, RepositoryError>;
});

recorded!(OfficeRepository as offices {
    fn insert(&mut self, office: &Office) -> Result<(), RepositoryError>;
    fn update(&mut self, office: &Office) -> Result<(), RepositoryError>;
    fn get(&mut self, code: &OfficeCode) -> Result<Option<Office>, RepositoryError>;
    fn all(&mut self) -> Result<Vec<Office>, RepositoryError>;
});

recorded!(StaffRepository as staff {
    fn insert(&mut self, member: &StaffMember) -> Result<(), RepositoryError>;
    fn update(&mut self, member: &StaffMember) -> Result<(), RepositoryError>;
    fn get(&mut self, id: StaffId) -> Result<Option<StaffMember>, RepositoryError>;
    fn by_login(&mut self, login: &StaffLogin) -> Result<Option<StaffMember>, RepositoryError>;
    fn all(&mut self) -> Result<Vec<StaffMember>, RepositoryError>;
});

recorded!(TermsRepository as terms {
    fn publish(&mut self, document: &TermsDocument) -> Result<(), RepositoryError>;
    fn current(&mut self, kind: TermsKind) -> Result<Option<TermsDocument>, RepositoryError>;
});

recorded!(ThrottleRepository as throttle {
    fn hit(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError>;
    fn hits_since(&mut self, key: &ThrottleKey, since: DateTime<Utc>) -> Result<Hits, RepositoryError>;
    fn reserve(
        &mut self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: u32
    ) -> Result<Result<(), Hits>, RepositoryError>;
    fn release(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError>;
    fn clear(&mut self, key: &ThrottleKey) -> Result<(), RepositoryError>;
    fn purge_before(&mut self, at: DateTime<Utc>) -> Result<u64, RepositoryError>;
});

recorded!(AuditLog as audit {
    fn append(&mut self, event: &AuditEvent) -> Result<(), RepositoryError>;
    fn for_subject(&mut self, subject: &str) -> Result<Vec<AuditEvent>, RepositoryError>;
});

recorded!(Outbox as outbox {
    fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError>;
});
