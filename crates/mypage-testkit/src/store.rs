//! An in-memory store that behaves like a database: unique constraints, optimistic versions, and a unit of
//! work that keeps nothing of a transaction that was not committed.
//!
//! A transaction holds the store's lock from `begin` until it is committed or dropped, so transactions are
//! serialisable, as on SQLite with its single writer. A use case that opened two transactions at once would
//! wait for itself: the domain never does that, and an embedder's adapter test should not either.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountRecord, AuditEvent, AuthFlow, AuthFlowRecord, Establishment, EstablishmentId, FlowId,
    FlowPurpose, FlowState, MailId, MailTemplate, Office, OutgoingMail, ProvisionalRegistration, RegistrationId,
    RegistrationRecord, RegistrationStatus, StaffId, StaffLogin, StaffMember, StaffMemberRecord,
};
use mypage_domain::ports::{
    AccountRepository, AuditLog, ClaimedMail, Digest, EstablishmentRepository, FlowRepository, Hits,
    InfrastructureError, MailQueue, MailState, MailSummary, OfficeRepository, Outbox, RegistrationRepository,
    RepositoryError, Session, SessionStore, SessionSubject, StaffRepository, TermsRepository, ThrottleKey,
    ThrottleRepository, Transaction, Unique, UnitOfWork,
};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};
use secrecy::ExposeSecret;
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

/// Every table but the outbox, cloned at `begin` and written back at `commit`.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    accounts: Accounts,
    flows: Flows,
    registrations: Registrations,
    establishments: Establishments,
    offices: Offices,
    staff: Staff,
    terms: Terms,
    throttle: Throttle,
    audit: Audit,
}

impl Tables {
    fn set_faults(&mut self, faults: &Faults) {
        self.accounts.1 = faults.clone();
        self.flows.1 = faults.clone();
        self.registrations.1 = faults.clone();
        self.establishments.1 = faults.clone();
        self.offices.1 = faults.clone();
        self.staff.1 = faults.clone();
        self.terms.1 = faults.clone();
    }

    /// The account with this address.
    #[must_use]
    pub fn account_by_email(&self, email: &str) -> Option<&Account> {
        let email = EmailAddress::parse(email).ok()?;
        self.accounts.0.values().find(|a| *a.email() == email)
    }

    /// The staff member with this login.
    #[must_use]
    pub fn staff_by_login(&self, login: &str) -> Option<&StaffMember> {
        self.staff.0.values().find(|m| m.login().as_str() == login)
    }

    /// Every account.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.accounts.0.values()
    }

    /// Every flow.
    pub fn flows(&self) -> impl Iterator<Item = &AuthFlow> {
        self.flows.0.values()
    }

    /// Every registration.
    pub fn registrations(&self) -> impl Iterator<Item = &ProvisionalRegistration> {
        self.registrations.0.values()
    }

    /// Every establishment.
    pub fn establishments(&self) -> impl Iterator<Item = &Establishment> {
        self.establishments.0.values()
    }

    /// The audit trail, oldest first.
    #[must_use]
    pub fn audit(&self) -> &[AuditEvent] {
        &self.audit.0
    }
}

/// A mail as the recording outbox keeps it, readable by tests, with its delivery state (R16).
#[derive(Debug)]
pub struct RecordedMail {
    /// The mail as the domain queued it.
    pub mail: OutgoingMail,
    /// Where it stands.
    pub state: MailState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is due, or when its lease ends while sending.
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
}

impl RecordedMail {
    fn queued(mail: OutgoingMail) -> Self {
        let due = mail.created_at;
        Self { mail, state: MailState::Pending, attempts: 0, next_attempt_at: due, last_error: None }
    }

    fn summary(&self) -> MailSummary {
        MailSummary {
            id: self.mail.id,
            to: self.mail.to.clone(),
            template: self.code().to_owned(),
            state: self.state,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error.clone(),
            created_at: self.mail.created_at,
        }
    }
}

impl RecordedMail {
    /// The template's code (`auth_key`, `account_notice`, …).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.mail.template.code()
    }

    /// The auth key it carries, as printed in the mail.
    #[must_use]
    pub fn auth_key(&self) -> Option<String> {
        match &self.mail.template {
            MailTemplate::AuthKey { key, .. } => Some(key.expose_secret().to_owned()),
            _ => None,
        }
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

    /// Removes an establishment, as when it leaves the office's records through another system.
    pub async fn remove_establishment(&self, number: &str) {
        let Ok(number) = EstablishmentNumber::parse(number) else { return };
        self.state.lock().await.tables.establishments.0.retain(|_, e| *e.number() != number);
    }

    /// Reads the committed tables.
    pub async fn read<T>(&self, f: impl FnOnce(&Tables) -> T) -> T {
        f(&self.state.lock().await.tables)
    }

    /// Reads the committed outbox, oldest mail first.
    pub async fn read_outbox<T>(&self, f: impl FnOnce(&[RecordedMail]) -> T) -> T {
        f(&self.state.lock().await.outbox)
    }

    /// The template codes of the mails queued for an address, oldest first.
    pub async fn mail_codes_to(&self, email: &str) -> Vec<&'static str> {
        let Ok(email) = EmailAddress::parse(email) else { return Vec::new() };
        self.read_outbox(|mails| mails.iter().filter(|m| m.mail.to == email).map(RecordedMail::code).collect()).await
    }

    /// The auth key of the newest key mail to an address, as printed in it.
    pub async fn last_auth_key_to(&self, email: &str) -> Option<String> {
        let email = EmailAddress::parse(email).ok()?;
        self.read_outbox(|mails| mails.iter().rev().filter(|m| m.mail.to == email).find_map(RecordedMail::auth_key))
            .await
    }

    /// How many mails were queued in all.
    pub async fn mail_count(&self) -> usize {
        self.read_outbox(<[RecordedMail]>::len).await
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

/// Checks the optimistic version and stores the record with the next one.
fn replace<K: Ord, V: Clone>(
    table: &mut BTreeMap<K, V>,
    key: K,
    record: &V,
    version: impl Fn(&V) -> u64,
    bump: impl FnOnce(&mut V),
) -> Result<(), RepositoryError> {
    match table.get(&key) {
        Some(stored) if version(stored) == version(record) => {
            let mut next = record.clone();
            bump(&mut next);
            table.insert(key, next);
            Ok(())
        }
        _ => Err(RepositoryError::Conflict),
    }
}

#[derive(Debug, Clone, Default)]
struct Accounts(BTreeMap<AccountId, Account>, Faults);

#[async_trait]
impl AccountRepository for Accounts {
    async fn insert(&mut self, account: &Account) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::AccountEmail)?;
        if self.0.values().any(|a| a.email() == account.email()) {
            return Err(RepositoryError::Duplicate(Unique::AccountEmail));
        }
        let stored = Account::restore(AccountRecord { version: 0, ..account.clone().into_record() });
        self.0.insert(account.id(), stored);
        Ok(())
    }
    async fn update(&mut self, account: &Account) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        if self.0.values().any(|a| a.email() == account.email() && a.id() != account.id()) {
            return Err(RepositoryError::Duplicate(Unique::AccountEmail));
        }
        replace(&mut self.0, account.id(), account, Account::version, Account::mark_saved)
    }
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError> {
        Ok(self.0.get(&id).cloned())
    }
    async fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError> {
        Ok(self.0.values().find(|a| a.email() == email).cloned())
    }
    async fn by_establishment(&mut self, id: EstablishmentId) -> Result<Vec<Account>, RepositoryError> {
        let mut found: Vec<Account> = self.0.values().filter(|a| a.establishment() == Some(id)).cloned().collect();
        found.sort_by_key(|a| a.created_at());
        Ok(found)
    }
}

#[derive(Debug, Clone, Default)]
struct Flows(BTreeMap<FlowId, AuthFlow>, Faults);

#[async_trait]
impl FlowRepository for Flows {
    async fn insert(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::LiveFlow)?;
        self.1.on_insert(Unique::FlowToken)?;
        if flow.state() == FlowState::Open
            && self
                .0
                .values()
                .any(|f| f.state() == FlowState::Open && f.email() == flow.email() && f.purpose() == flow.purpose())
        {
            return Err(RepositoryError::Duplicate(Unique::LiveFlow));
        }
        if self.0.values().any(|f| f.token_digest() == flow.token_digest()) {
            return Err(RepositoryError::Duplicate(Unique::FlowToken));
        }
        let stored = AuthFlow::restore(AuthFlowRecord { version: 0, ..flow.clone().into_record() });
        self.0.insert(flow.id(), stored);
        Ok(())
    }
    async fn update(&mut self, flow: &AuthFlow) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        if flow.state() == FlowState::Open
            && self.0.values().any(|f| {
                f.id() != flow.id()
                    && f.state() == FlowState::Open
                    && f.email() == flow.email()
                    && f.purpose() == flow.purpose()
            })
        {
            return Err(RepositoryError::Duplicate(Unique::LiveFlow));
        }
        replace(&mut self.0, flow.id(), flow, AuthFlow::version, AuthFlow::mark_saved)
    }
    async fn by_token(&mut self, token: &Digest) -> Result<Option<AuthFlow>, RepositoryError> {
        Ok(self.0.values().find(|f| f.token_digest() == token).cloned())
    }
    async fn open_for(
        &mut self,
        email: &EmailAddress,
        purpose: FlowPurpose,
    ) -> Result<Option<AuthFlow>, RepositoryError> {
        Ok(self
            .0
            .values()
            .find(|f| f.state() == FlowState::Open && f.email() == email && f.purpose() == purpose)
            .cloned())
    }
    async fn open_expired_before(&mut self, at: DateTime<Utc>, limit: usize) -> Result<Vec<AuthFlow>, RepositoryError> {
        let mut found: Vec<AuthFlow> =
            self.0.values().filter(|f| f.state() == FlowState::Open && f.expires_at() < at).cloned().collect();
        found.sort_by_key(AuthFlow::expires_at);
        found.truncate(limit);
        Ok(found)
    }
}

#[derive(Debug, Clone, Default)]
struct Registrations(BTreeMap<RegistrationId, ProvisionalRegistration>, Faults);

impl Registrations {
    fn other_open(&self, reg: &ProvisionalRegistration) -> bool {
        reg.status().is_open()
            && self.0.values().any(|r| r.id() != reg.id() && r.account() == reg.account() && r.status().is_open())
    }
}

#[async_trait]
impl RegistrationRepository for Registrations {
    async fn insert(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::OpenRegistration)?;
        if self.other_open(registration) {
            return Err(RepositoryError::Duplicate(Unique::OpenRegistration));
        }
        let stored =
            ProvisionalRegistration::restore(RegistrationRecord { version: 0, ..registration.clone().into_record() });
        self.0.insert(registration.id(), stored);
        Ok(())
    }
    async fn update(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        if self.other_open(registration) {
            return Err(RepositoryError::Duplicate(Unique::OpenRegistration));
        }
        replace(
            &mut self.0,
            registration.id(),
            registration,
            ProvisionalRegistration::version,
            ProvisionalRegistration::mark_saved,
        )
    }
    async fn get(&mut self, id: RegistrationId) -> Result<Option<ProvisionalRegistration>, RepositoryError> {
        Ok(self.0.get(&id).cloned())
    }
    async fn for_account(&mut self, account: AccountId) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let mut found: Vec<_> = self.0.values().filter(|r| r.account() == account).cloned().collect();
        found.sort_by_key(|r| std::cmp::Reverse(r.created_at()));
        Ok(found)
    }
    async fn pending_for_office(
        &mut self,
        office: &OfficeCode,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let mut found: Vec<_> = self
            .0
            .values()
            .filter(|r| r.status().is_pending() && r.office().as_ref() == Some(office))
            .cloned()
            .collect();
        found.sort_by_key(|r| r.submitted_at());
        Ok(found)
    }
    async fn drafts_saved_before(
        &mut self,
        at: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<ProvisionalRegistration>, RepositoryError> {
        let mut found: Vec<_> = self
            .0
            .values()
            .filter(|r| *r.status() == RegistrationStatus::Draft && r.updated_at() < at)
            .cloned()
            .collect();
        found.sort_by_key(|r| r.updated_at());
        found.truncate(limit);
        Ok(found)
    }
}

#[derive(Debug, Clone, Default)]
struct Establishments(BTreeMap<EstablishmentId, Establishment>, Faults);

#[async_trait]
impl EstablishmentRepository for Establishments {
    async fn insert(&mut self, establishment: &Establishment) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::EstablishmentNumber)?;
        if self.0.values().any(|e| e.number() == establishment.number()) {
            return Err(RepositoryError::Duplicate(Unique::EstablishmentNumber));
        }
        self.0.insert(establishment.id(), establishment.clone());
        Ok(())
    }
    async fn get(&mut self, id: EstablishmentId) -> Result<Option<Establishment>, RepositoryError> {
        Ok(self.0.get(&id).cloned())
    }
    async fn by_number(&mut self, number: &EstablishmentNumber) -> Result<Option<Establishment>, RepositoryError> {
        Ok(self.0.values().find(|e| e.number() == number).cloned())
    }
    async fn search(
        &mut self,
        office: &OfficeCode,
        fragment: &str,
        limit: usize,
    ) -> Result<Vec<Establishment>, RepositoryError> {
        let mut found: Vec<_> =
            self.0.values().filter(|e| &e.office() == office && e.name().contains(fragment)).cloned().collect();
        found.sort_by(|a, b| a.number().cmp(b.number()));
        found.truncate(limit);
        Ok(found)
    }
}

#[derive(Debug, Clone, Default)]
struct Offices(BTreeMap<OfficeCode, Office>, Faults);

#[async_trait]
impl OfficeRepository for Offices {
    async fn insert(&mut self, office: &Office) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::OfficeCode)?;
        if self.0.contains_key(office.code()) {
            return Err(RepositoryError::Duplicate(Unique::OfficeCode));
        }
        self.0.insert(office.code().clone(), office.clone());
        Ok(())
    }
    async fn get(&mut self, code: &OfficeCode) -> Result<Option<Office>, RepositoryError> {
        Ok(self.0.get(code).cloned())
    }
    async fn all(&mut self) -> Result<Vec<Office>, RepositoryError> {
        Ok(self.0.values().cloned().collect())
    }
}

#[derive(Debug, Clone, Default)]
struct Staff(BTreeMap<StaffId, StaffMember>, Faults);

#[async_trait]
impl StaffRepository for Staff {
    async fn insert(&mut self, member: &StaffMember) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::StaffLogin)?;
        if self.0.values().any(|m| m.login() == member.login()) {
            return Err(RepositoryError::Duplicate(Unique::StaffLogin));
        }
        let stored = StaffMember::restore(StaffMemberRecord { version: 0, ..member.clone().into_record() });
        self.0.insert(member.id(), stored);
        Ok(())
    }
    async fn update(&mut self, member: &StaffMember) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        replace(&mut self.0, member.id(), member, StaffMember::version, StaffMember::mark_saved)
    }
    async fn get(&mut self, id: StaffId) -> Result<Option<StaffMember>, RepositoryError> {
        Ok(self.0.get(&id).cloned())
    }
    async fn by_login(&mut self, login: &StaffLogin) -> Result<Option<StaffMember>, RepositoryError> {
        Ok(self.0.values().find(|m| m.login() == login).cloned())
    }
    async fn all(&mut self) -> Result<Vec<StaffMember>, RepositoryError> {
        let mut all: Vec<StaffMember> = self.0.values().cloned().collect();
        all.sort_by(|a, b| (a.office().as_str(), a.login().as_str()).cmp(&(b.office().as_str(), b.login().as_str())));
        Ok(all)
    }
}

#[derive(Debug, Clone, Default)]
struct Terms(Vec<TermsDocument>, Faults);

#[async_trait]
impl TermsRepository for Terms {
    async fn publish(&mut self, document: &TermsDocument) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::TermsVersion)?;
        if self.0.iter().any(|d| d.kind == document.kind && d.version == document.version) {
            return Err(RepositoryError::Duplicate(Unique::TermsVersion));
        }
        self.0.push(document.clone());
        Ok(())
    }
    async fn current(&mut self, kind: TermsKind) -> Result<Option<TermsDocument>, RepositoryError> {
        Ok(self.0.iter().filter(|d| d.kind == kind).max_by_key(|d| d.version).cloned())
    }
}

#[derive(Debug, Clone, Default)]
struct Throttle(Vec<(String, DateTime<Utc>)>);

#[async_trait]
impl ThrottleRepository for Throttle {
    async fn hit(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        self.0.push((key.storage_key(), at));
        Ok(())
    }
    async fn hits_since(&mut self, key: &ThrottleKey, since: DateTime<Utc>) -> Result<Hits, RepositoryError> {
        let key = key.storage_key();
        let times: Vec<DateTime<Utc>> =
            self.0.iter().filter(|(k, at)| *k == key && *at >= since).map(|(_, at)| *at).collect();
        Ok(Hits { count: u32::try_from(times.len()).unwrap_or(u32::MAX), oldest: times.iter().min().copied() })
    }
    async fn reserve(
        &mut self,
        key: &ThrottleKey,
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<Result<(), Hits>, RepositoryError> {
        // The transaction holds the store's lock from `begin` to its end, so counting and recording are one step.
        let hits = self.hits_since(key, since).await?;
        if hits.count >= limit {
            return Ok(Err(hits));
        }
        self.hit(key, at).await?;
        Ok(Ok(()))
    }
    async fn release(&mut self, key: &ThrottleKey, at: DateTime<Utc>) -> Result<(), RepositoryError> {
        let key = key.storage_key();
        if let Some(i) = self.0.iter().position(|(k, t)| *k == key && *t == at) {
            self.0.remove(i);
        }
        Ok(())
    }
    async fn clear(&mut self, key: &ThrottleKey) -> Result<(), RepositoryError> {
        let key = key.storage_key();
        self.0.retain(|(k, _)| *k != key);
        Ok(())
    }
    async fn purge_before(&mut self, at: DateTime<Utc>) -> Result<u64, RepositoryError> {
        let before = self.0.len();
        self.0.retain(|(_, t)| *t >= at);
        Ok(u64::try_from(before - self.0.len()).unwrap_or(u64::MAX))
    }
}

#[derive(Debug, Clone, Default)]
struct Audit(Vec<AuditEvent>);

#[async_trait]
impl AuditLog for Audit {
    async fn append(&mut self, event: &AuditEvent) -> Result<(), RepositoryError> {
        self.0.push(event.clone());
        Ok(())
    }
    async fn for_subject(&mut self, subject: &str) -> Result<Vec<AuditEvent>, RepositoryError> {
        Ok(self.0.iter().filter(|e| e.subject == subject).cloned().collect())
    }
}

#[derive(Debug, Default)]
struct PendingMail(Vec<OutgoingMail>);

#[async_trait]
impl Outbox for PendingMail {
    async fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError> {
        self.0.push(mail);
        Ok(())
    }
}

/// The in-memory queue copies a claimed mail for the dispatcher; the template's secret is copied too.
fn copy_mail(mail: &OutgoingMail) -> OutgoingMail {
    use mypage_domain::model::MailTemplate as T;
    let template = match &mail.template {
        T::AuthKey { purpose, key, issued_at, expires_at } => T::AuthKey {
            purpose: *purpose,
            key: secrecy::SecretString::from(key.expose_secret().to_owned()),
            issued_at: *issued_at,
            expires_at: *expires_at,
        },
        T::AccountNotice { purpose, status, decoy } => T::AccountNotice {
            purpose: *purpose,
            status: *status,
            decoy: secrecy::SecretString::from(decoy.expose_secret().to_owned()),
        },
        T::Withheld { purpose, decoy } => {
            T::Withheld { purpose: *purpose, decoy: secrecy::SecretString::from(decoy.expose_secret().to_owned()) }
        }
        T::RegistrationReceived { registration, office_name } => {
            T::RegistrationReceived { registration: *registration, office_name: office_name.clone() }
        }
        T::RegistrationConfirmed { number, establishment_name } => {
            T::RegistrationConfirmed { number: number.clone(), establishment_name: establishment_name.clone() }
        }
        T::ContactNeeded { note, office_name } => {
            T::ContactNeeded { note: note.clone(), office_name: office_name.clone() }
        }
        T::RegistrationReturned { note, office_name } => {
            T::RegistrationReturned { note: note.clone(), office_name: office_name.clone() }
        }
        T::RegistrationRejected { reason, office_name } => {
            T::RegistrationRejected { reason: reason.clone(), office_name: office_name.clone() }
        }
        T::PasswordChanged { at } => T::PasswordChanged { at: *at },
    };
    OutgoingMail { id: mail.id, to: mail.to.clone(), template, created_at: mail.created_at }
}

impl MemoryStore {
    async fn with_sending(&self, id: MailId, f: impl FnOnce(&mut RecordedMail)) {
        let mut state = self.state.lock().await;
        if let Some(m) = state.outbox.iter_mut().find(|m| m.mail.id == id && m.state == MailState::Sending) {
            f(m);
        }
    }
}

#[async_trait]
impl MailQueue for MemoryStore {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMail>, InfrastructureError> {
        let mut state = self.state.lock().await;
        let mut due: Vec<&mut RecordedMail> = state
            .outbox
            .iter_mut()
            .filter(|m| matches!(m.state, MailState::Pending | MailState::Sending) && m.next_attempt_at <= now)
            .collect();
        due.sort_by_key(|m| m.next_attempt_at);
        Ok(due
            .into_iter()
            .take(limit)
            .map(|m| {
                m.state = MailState::Sending;
                m.attempts += 1;
                m.next_attempt_at = lease_until;
                ClaimedMail { mail: copy_mail(&m.mail), attempts: m.attempts }
            })
            .collect())
    }

    async fn mark_sent(&self, id: MailId, _at: DateTime<Utc>) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Sent;
            m.last_error = None;
        })
        .await;
        Ok(())
    }

    async fn reschedule(
        &self,
        id: MailId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Pending;
            m.next_attempt_at = next_attempt_at;
            m.last_error = Some(error.to_owned());
        })
        .await;
        Ok(())
    }

    async fn mark_dead(&self, id: MailId, error: &str) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Dead;
            m.last_error = Some(error.to_owned());
        })
        .await;
        Ok(())
    }

    async fn requeue(&self, id: MailId, now: DateTime<Utc>) -> Result<bool, InfrastructureError> {
        let mut state = self.state.lock().await;
        let Some(m) = state.outbox.iter_mut().find(|m| m.mail.id == id && m.state == MailState::Dead) else {
            return Ok(false);
        };
        m.state = MailState::Pending;
        m.next_attempt_at = now;
        Ok(true)
    }

    async fn list(&self, state: Option<MailState>, limit: usize) -> Result<Vec<MailSummary>, InfrastructureError> {
        let guard = self.state.lock().await;
        let mut found: Vec<MailSummary> = guard
            .outbox
            .iter()
            .rev()
            .filter(|m| state.is_none_or(|s| s == m.state))
            .take(limit)
            .map(RecordedMail::summary)
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        Ok(found)
    }

    async fn depth(&self) -> Result<Vec<(MailState, u64)>, InfrastructureError> {
        let guard = self.state.lock().await;
        Ok([MailState::Pending, MailState::Sending, MailState::Sent, MailState::Dead]
            .into_iter()
            .map(|s| (s, guard.outbox.iter().filter(|m| m.state == s).count() as u64))
            .collect())
    }
}

#[async_trait]
impl SessionStore for MemoryStore {
    async fn save(&self, session: &Session) -> Result<(), InfrastructureError> {
        self.state.lock().await.sessions.insert(session.id.as_hex().to_owned(), session.clone());
        Ok(())
    }

    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError> {
        let guard = self.state.lock().await;
        Ok(guard.sessions.get(id.as_hex()).filter(|s| now < s.expires_at && now < s.idle_expires_at).cloned())
    }

    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError> {
        self.state.lock().await.sessions.remove(id.as_hex());
        Ok(())
    }

    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError> {
        if subject == SessionSubject::Anonymous {
            return Ok(0);
        }
        let mut guard = self.state.lock().await;
        let before = guard.sessions.len();
        guard.sessions.retain(|_, s| s.subject != subject);
        Ok((before - guard.sessions.len()) as u64)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError> {
        let mut guard = self.state.lock().await;
        let before = guard.sessions.len();
        guard.sessions.retain(|_, s| now < s.expires_at && now < s.idle_expires_at);
        Ok((before - guard.sessions.len()) as u64)
    }
}
