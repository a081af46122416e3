//! The in-memory repositories: [`Tables`], one table per repository port, each checking the same unique
//! constraints and optimistic versions as the database adapters, and reporting the injected faults.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountRecord, AuditEvent, AuthFlow, AuthFlowRecord, Establishment, EstablishmentId, FlowId,
    FlowPurpose, FlowState, Office, OfficeRecord, ProvisionalRegistration, RegistrationId, RegistrationKind,
    RegistrationRecord, RegistrationStatus, StaffId, StaffLogin, StaffMember, StaffMemberRecord,
};
use mypage_domain::ports::{
    AccountRepository, AuditLog, Digest, EstablishmentRepository, FlowRepository, Hits, OfficeRepository, QueueSummary,
    RegistrationRepository, RepositoryError, StaffRepository, TermsRepository, ThrottleKey, ThrottleRepository, Unique,
};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};

use super::Faults;

/// Every table but the outbox, cloned at `begin` and written back at `commit`.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub(super) accounts: Accounts,
    pub(super) flows: Flows,
    pub(super) registrations: Registrations,
    pub(super) establishments: Establishments,
    pub(super) offices: Offices,
    pub(super) staff: Staff,
    pub(super) terms: Terms,
    pub(super) throttle: Throttle,
    pub(super) audit: Audit,
}

impl Tables {
    pub(super) fn set_faults(&mut self, faults: &Faults) {
        self.accounts.1 = faults.clone();
        self.flows.1 = faults.clone();
        self.registrations.1 = faults.clone();
        self.establishments.1 = faults.clone();
        self.offices.1 = faults.clone();
        self.staff.1 = faults.clone();
        self.terms.1 = faults.clone();
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
pub(super) struct Accounts(pub(super) BTreeMap<AccountId, Account>, pub(super) Faults);

#[async_trait]
impl AccountRepository for Accounts {
    async fn insert(&mut self, account: &Account) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::AccountEmail)?;
        // One live account per address, as the database's partial unique index (R12, R19).
        if account.status().is_live() && self.0.values().any(|a| a.status().is_live() && a.email() == account.email()) {
            return Err(RepositoryError::Duplicate(Unique::AccountEmail));
        }
        let stored = Account::restore(AccountRecord { version: 0, ..account.clone().into_record() });
        self.0.insert(account.id(), stored);
        Ok(())
    }
    async fn update(&mut self, account: &Account) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        if account.status().is_live()
            && self.0.values().any(|a| a.status().is_live() && a.email() == account.email() && a.id() != account.id())
        {
            return Err(RepositoryError::Duplicate(Unique::AccountEmail));
        }
        replace(&mut self.0, account.id(), account, Account::version, Account::mark_saved)
    }
    async fn remove(&mut self, account: &Account) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        match self.0.get(&account.id()) {
            Some(stored) if stored.version() == account.version() => {
                self.0.remove(&account.id());
                Ok(())
            }
            _ => Err(RepositoryError::Conflict),
        }
    }
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError> {
        Ok(self.0.get(&id).cloned())
    }
    async fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError> {
        // A closed account no longer holds its address (R12, R19).
        Ok(self.0.values().find(|a| a.status().is_live() && a.email() == email).cloned())
    }
    async fn by_establishment(&mut self, id: EstablishmentId) -> Result<Vec<Account>, RepositoryError> {
        let mut found: Vec<Account> = self.0.values().filter(|a| a.establishment() == Some(id)).cloned().collect();
        found.sort_by_key(|a| a.created_at());
        Ok(found)
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Flows(pub(super) BTreeMap<FlowId, AuthFlow>, pub(super) Faults);

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
pub(super) struct Registrations(pub(super) BTreeMap<RegistrationId, ProvisionalRegistration>, pub(super) Faults);

impl Registrations {
    /// One open opening registration per account, as the database's partial unique index holds; job offers (R20)
    /// are not bound.
    fn other_open(&self, reg: &ProvisionalRegistration) -> bool {
        let bound = |r: &ProvisionalRegistration| r.kind() == RegistrationKind::Opening && r.status().is_open();
        bound(reg) && self.0.values().any(|r| r.id() != reg.id() && r.account() == reg.account() && bound(r))
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
    async fn remove(&mut self, registration: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        match self.0.get(&registration.id()) {
            Some(stored) if stored.version() == registration.version() => {
                self.0.remove(&registration.id());
                Ok(())
            }
            _ => Err(RepositoryError::Conflict),
        }
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
    async fn queue_summary(
        &mut self,
        office: &OfficeCode,
        since: Option<DateTime<Utc>>,
    ) -> Result<QueueSummary, RepositoryError> {
        let queue: Vec<&ProvisionalRegistration> =
            self.0.values().filter(|r| r.status().is_pending() && r.office().as_ref() == Some(office)).collect();
        let waiting: Vec<Option<DateTime<Utc>>> = queue.iter().map(|r| r.submitted_at()).collect();
        let new = |at: &&Option<DateTime<Utc>>| since.is_none_or(|since| at.is_some_and(|at| at > since));
        let job_offers = queue.iter().filter(|r| r.kind() == mypage_domain::model::RegistrationKind::JobOffer).count();
        Ok(QueueSummary {
            waiting: waiting.len() as u64,
            job_offers: job_offers as u64,
            submitted_since: waiting.iter().filter(new).count() as u64,
            oldest_submitted_at: waiting.iter().flatten().min().copied(),
            newest_submitted_at: waiting.iter().flatten().max().copied(),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Establishments(pub(super) BTreeMap<EstablishmentId, Establishment>, pub(super) Faults);

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
    async fn update(&mut self, establishment: &Establishment) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        let stored = self.0.get_mut(&establishment.id()).ok_or(RepositoryError::Conflict)?;
        *stored = establishment.clone();
        Ok(())
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
pub(super) struct Offices(pub(super) BTreeMap<OfficeCode, Office>, pub(super) Faults);

#[async_trait]
impl OfficeRepository for Offices {
    async fn insert(&mut self, office: &Office) -> Result<(), RepositoryError> {
        self.1.on_insert(Unique::OfficeCode)?;
        if self.0.contains_key(office.code()) {
            return Err(RepositoryError::Duplicate(Unique::OfficeCode));
        }
        let stored = Office::restore(OfficeRecord { version: 0, ..office.clone().into_record() });
        self.0.insert(office.code().clone(), stored);
        Ok(())
    }
    async fn update(&mut self, office: &Office) -> Result<(), RepositoryError> {
        self.1.on_update()?;
        replace(&mut self.0, office.code().clone(), office, Office::version, Office::mark_saved)
    }
    async fn get(&mut self, code: &OfficeCode) -> Result<Option<Office>, RepositoryError> {
        Ok(self.0.get(code).cloned())
    }
    async fn all(&mut self) -> Result<Vec<Office>, RepositoryError> {
        Ok(self.0.values().cloned().collect())
    }
}

#[derive(Debug, Clone, Default)]
pub(super) struct Staff(pub(super) BTreeMap<StaffId, StaffMember>, pub(super) Faults);

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
pub(super) struct Terms(pub(super) Vec<TermsDocument>, pub(super) Faults);

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
pub(super) struct Throttle(pub(super) Vec<(String, DateTime<Utc>)>);

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
pub(super) struct Audit(pub(super) Vec<AuditEvent>);

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
