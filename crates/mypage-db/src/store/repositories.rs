//! The repositories on one database transaction: each domain port implemented by [`DbTransaction`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountStatus, AuditEvent, AuthFlow, Establishment, EstablishmentId, FlowPurpose, Office,
    OutgoingMail, ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember,
};
use mypage_domain::ports::{
    AccountRepository, AuditLog, Digest, EstablishmentRepository, FlowRepository, Hits, OfficeRepository, Outbox,
    RegistrationRepository, RepositoryError, StaffRepository, TermsRepository, ThrottleKey, ThrottleRepository, Unique,
};
use mypage_domain::values::{EmailAddress, EstablishmentNumber, OfficeCode, TermsDocument, TermsKind};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use super::{DbTransaction, repo, unique, update_versioned};
use crate::convert::{
    account_row, audit_row, db_version, establishment_row, flow_row, office_row, outbox_row, read, registration_row,
    staff_member, staff_row, state_text, terms_row,
};
use crate::entities::{
    account, audit_event, establishment, flow, office, outbox, registration, staff, terms, throttle_hit,
};

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
    async fn remove(&mut self, a: &Account) -> Result<(), RepositoryError> {
        let rows = account::Entity::delete_many()
            .filter(account::Column::Id.eq(a.id().to_string()))
            .filter(account::Column::Version.eq(db_version(a.version())))
            .exec(&self.tx)
            .await
            .map_err(repo)?
            .rows_affected;
        if rows == 0 { Err(RepositoryError::Conflict) } else { Ok(()) }
    }
    async fn get(&mut self, id: AccountId) -> Result<Option<Account>, RepositoryError> {
        let row = account::Entity::find_by_id(id.to_string()).one(&self.tx).await.map_err(repo)?;
        Ok(row.map(Account::try_from).transpose()?)
    }
    async fn by_email(&mut self, email: &EmailAddress) -> Result<Option<Account>, RepositoryError> {
        let row = account::Entity::find()
            .filter(account::Column::Email.eq(email.as_str()))
            // A closed account no longer holds its address (R12, R19).
            .filter(account::Column::Status.ne(AccountStatus::Closed.code()))
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
    async fn remove(&mut self, r: &ProvisionalRegistration) -> Result<(), RepositoryError> {
        let rows = registration::Entity::delete_many()
            .filter(registration::Column::Id.eq(r.id().to_string()))
            .filter(registration::Column::Version.eq(db_version(r.version())))
            .exec(&self.tx)
            .await
            .map_err(repo)?
            .rows_affected;
        if rows == 0 { Err(RepositoryError::Conflict) } else { Ok(()) }
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
    async fn queue_summary(
        &mut self,
        office: &OfficeCode,
        since: Option<DateTime<Utc>>,
    ) -> Result<mypage_domain::ports::QueueSummary, RepositoryError> {
        use sea_orm::PaginatorTrait as _;
        let queue = || {
            registration::Entity::find()
                .filter(registration::Column::Office.eq(office.as_str()))
                .filter(registration::Column::Status.is_in(["submitted", "contact_needed"]))
        };
        let waiting = queue().count(&self.tx).await.map_err(repo)?;
        let job_offers = queue()
            .filter(registration::Column::Kind.eq(mypage_domain::model::RegistrationKind::JobOffer.code()))
            .count(&self.tx)
            .await
            .map_err(repo)?;
        let submitted_since = match since {
            Some(since) => {
                queue().filter(registration::Column::SubmittedAt.gt(since)).count(&self.tx).await.map_err(repo)?
            }
            None => waiting,
        };
        let oldest_submitted_at = queue()
            .filter(registration::Column::SubmittedAt.is_not_null())
            .select_only()
            .column(registration::Column::SubmittedAt)
            .order_by_asc(registration::Column::SubmittedAt)
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(&self.tx)
            .await
            .map_err(repo)?
            .flatten();
        let newest_submitted_at = queue()
            .select_only()
            .column_as(registration::Column::SubmittedAt.max(), "newest")
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(&self.tx)
            .await
            .map_err(repo)?
            .flatten();
        Ok(mypage_domain::ports::QueueSummary {
            waiting,
            job_offers,
            submitted_since,
            oldest_submitted_at,
            newest_submitted_at,
        })
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
    async fn update(&mut self, e: &Establishment) -> Result<(), RepositoryError> {
        // The whole row is written back as read and changed: number, office and an applicant's entry are unchanged.
        match establishment::Entity::update(establishment_row(e)).exec(&self.tx).await {
            Ok(_) => Ok(()),
            Err(sea_orm::DbErr::RecordNotUpdated) => Err(RepositoryError::Conflict),
            Err(err) => Err(repo(err)),
        }
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
        office::Entity::insert(office_row(o, 0))
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| unique(e, |_| Unique::OfficeCode))?;
        Ok(())
    }
    async fn update(&mut self, o: &Office) -> Result<(), RepositoryError> {
        let columns = (office::Column::Code, office::Column::Version);
        let key = (o.code().as_str().to_owned(), o.version());
        update_versioned(&self.tx, office_row(o, o.version() + 1), columns, key, |_| Unique::OfficeCode).await
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
