//! The provisional registration, step by step (R9, R10): application history, establishment information
//! (case C), job offer, submission; and the My Page home that shows where it stands.

use chrono::{DateTime, Utc};

use crate::model::{
    Account, AccountId, AccountStatus, Actor, ApplicationHistory, AuditAction, ClientInfo, Establishment, MailTemplate,
    MissingPart, ProvisionalRegistration, RegistrationId, RegistrationStatus, RegistrationStepError, ValidFields,
};
use crate::ports::{InfrastructureError, RepositoryError, Transaction};
use crate::usecases::{MyPage, infrastructure_from_repository};
use crate::values::{
    EstablishmentInfo, EstablishmentInfoInput, EstablishmentNumber, EstablishmentNumberError, FieldErrors, JobOffer,
    JobOfferInput, OfficeCode,
};

/// 求人申し込み実績, as the screen sends it.
#[derive(Debug, Clone)]
pub enum HistoryInput {
    /// 過去にハローワークに求人を申し込んだことがある, with the number as typed.
    PastApplicant {
        /// 事業所番号.
        establishment_number: String,
    },
    /// 初めて申し込む, with the office chosen from the list.
    FirstTime {
        /// The office's code.
        office: String,
    },
}

/// Why the history was not saved.
#[derive(Debug, thiserror::Error)]
pub enum DeclareHistoryError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only a Provisional account files a registration (R10).
    #[error("only a provisional account files a registration")]
    NotProvisional,
    /// The number is malformed (R9).
    #[error(transparent)]
    InvalidEstablishmentNumber(EstablishmentNumberError),
    /// No establishment has this number: the page tells the employer to ask their office (R9).
    #[error("no establishment has this number")]
    EstablishmentNotFound,
    /// The office chosen does not exist.
    #[error("no such office")]
    UnknownOffice,
    /// The office chosen is closed: it takes no first-time applications (R14).
    #[error("the office is closed")]
    OfficeClosed,
    /// The registration is in review or decided.
    #[error("the registration can no longer be edited")]
    NotEditable,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(DeclareHistoryError);

/// Why the establishment information was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveEstablishmentError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only a Provisional account files a registration (R10).
    #[error("only a provisional account files a registration")]
    NotProvisional,
    /// There is no draft: the history comes first.
    #[error("there is no registration in progress")]
    NoDraft,
    /// The registration is in review or decided.
    #[error("the registration can no longer be edited")]
    NotEditable,
    /// Only a first-time applicant enters establishment information (case C).
    #[error("only a first-time applicant enters establishment information")]
    NotFirstTime,
    /// Fields are wrong: the form's valid fields were kept in the draft, which lacks this step until the form is
    /// sent whole (R10).
    #[error(transparent)]
    Invalid(FieldErrors),
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(SaveEstablishmentError);

/// Why the job offer was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveJobOfferError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only a Provisional account files a registration (R10).
    #[error("only a provisional account files a registration")]
    NotProvisional,
    /// There is no draft: the history comes first.
    #[error("there is no registration in progress")]
    NoDraft,
    /// The registration is in review or decided.
    #[error("the registration can no longer be edited")]
    NotEditable,
    /// Fields are wrong: the form's valid fields were kept in the draft, which lacks this step until the form is
    /// sent whole (R10).
    #[error(transparent)]
    Invalid(FieldErrors),
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(SaveJobOfferError);

/// Why the registration was not submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only a Provisional account files a registration (R10).
    #[error("only a provisional account files a registration")]
    NotProvisional,
    /// There is no draft.
    #[error("there is no registration in progress")]
    NoDraft,
    /// Already submitted or decided.
    #[error("the registration can no longer be edited")]
    NotEditable,
    /// Parts are missing.
    #[error("the registration is incomplete")]
    Incomplete(Vec<MissingPart>),
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(SubmitError);

/// Why the My Page home could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum OverviewError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(OverviewError);

/// What the My Page home shows: where the account and its latest registration stand.
#[derive(Debug, Clone)]
pub struct MyPageOverview {
    /// The account.
    pub account: Account,
    /// Its establishment, when Active.
    pub establishment: Option<Establishment>,
    /// Its latest provisional registration (not a job offer filed after opening), if any.
    pub registration: Option<ProvisionalRegistration>,
    /// When the draft expires, if the latest registration is a draft (R10).
    pub draft_expires_at: Option<DateTime<Utc>>,
}

/// Why an account may not touch a registration.
enum Gate {
    AccountNotFound,
    NotProvisional,
}

macro_rules! gate_into {
    ($($error:ident),+) => {$(
        impl From<Gate> for $error {
            fn from(g: Gate) -> Self {
                match g {
                    Gate::AccountNotFound => Self::AccountNotFound,
                    Gate::NotProvisional => Self::NotProvisional,
                }
            }
        }
    )+};
}
gate_into!(DeclareHistoryError, SaveEstablishmentError, SaveJobOfferError, SubmitError);

/// Why an employer cannot edit a draft now.
enum DraftAccess {
    Gate(Gate),
    NoDraft,
}

macro_rules! draft_access_into {
    ($($error:ident),+) => {$(
        impl From<DraftAccess> for $error {
            fn from(d: DraftAccess) -> Self {
                match d {
                    DraftAccess::Gate(g) => g.into(),
                    DraftAccess::NoDraft => Self::NoDraft,
                }
            }
        }
    )+};
}
draft_access_into!(SaveEstablishmentError, SaveJobOfferError, SubmitError);

/// A transaction holding a Provisional account and its open registration.
type Editing = (Box<dyn Transaction>, Account, ProvisionalRegistration);

async fn provisional(tx: &mut Box<dyn Transaction>, id: AccountId) -> Result<Result<Account, Gate>, RepositoryError> {
    Ok(match tx.accounts().get(id).await? {
        None => Err(Gate::AccountNotFound),
        Some(a) if a.status() != AccountStatus::Provisional => Err(Gate::NotProvisional),
        Some(a) => Ok(a),
    })
}

impl MyPage {
    /// The account's open registration. A draft past its lifetime is expired here, so that no step can revive it
    /// before the periodic job runs (R10).
    async fn open_registration(
        &self,
        tx: &mut Box<dyn Transaction>,
        account: AccountId,
        client: &ClientInfo,
    ) -> Result<Option<ProvisionalRegistration>, RepositoryError> {
        let now = self.now();
        let Some(mut reg) = tx.registrations().for_account(account).await?.into_iter().find(|r| r.status().is_open())
        else {
            return Ok(None);
        };
        if *reg.status() == RegistrationStatus::Draft && reg.draft_expires_at(self.config.draft_ttl) <= now {
            if reg.expire().is_ok() {
                tx.registrations().update(&reg).await?;
                self.audit(tx, Actor::System, AuditAction::DraftExpired, format!("registration:{}", reg.id()), client)
                    .await?;
            }
            return Ok(None);
        }
        Ok(Some(reg))
    }

    /// Opens a transaction on the account's open registration, for the steps that change it.
    async fn editable_draft(
        &self,
        account: AccountId,
        client: &ClientInfo,
    ) -> Result<Result<Editing, DraftAccess>, RepositoryError> {
        let mut tx = self.begin().await?;
        let holder = match provisional(&mut tx, account).await? {
            Ok(holder) => holder,
            Err(gate) => return Ok(Err(DraftAccess::Gate(gate))),
        };
        match self.open_registration(&mut tx, account, client).await? {
            Some(reg) => Ok(Ok((tx, holder, reg))),
            None => {
                // A draft expired on the way is recorded before the employer is told there is none.
                tx.commit().await?;
                Ok(Err(DraftAccess::NoDraft))
            }
        }
    }

    /// Stores a changed registration with its audit event, in the caller's transaction.
    async fn save_draft(
        &self,
        tx: &mut Box<dyn Transaction>,
        reg: &ProvisionalRegistration,
        action: AuditAction,
        client: &ClientInfo,
    ) -> Result<(), RepositoryError> {
        tx.registrations().update(reg).await?;
        self.audit(tx, Actor::Employer(reg.account()), action, format!("registration:{}", reg.id()), client).await
    }

    /// Keeps the valid fields of a form sent with errors in the draft (R10), when the draft may take them; a form
    /// that no draft may take (none open, not editable, another case's step) is only reported as wrong.
    async fn keep_unfinished(
        &self,
        account: AccountId,
        client: &ClientInfo,
        action: AuditAction,
        keep: impl FnOnce(&mut ProvisionalRegistration, DateTime<Utc>) -> Result<(), RegistrationStepError>,
    ) -> Result<(), RepositoryError> {
        let Ok((mut tx, _, mut reg)) = self.editable_draft(account, client).await? else { return Ok(()) };
        if keep(&mut reg, self.now()).is_ok() {
            self.save_draft(&mut tx, &reg, action, client).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// 求人申し込み実績: declares a past application with an establishment number (case B) or a first one with
    /// the office of jurisdiction (case C). Starts the draft, or changes the history of the draft in progress.
    ///
    /// # Errors
    /// See [`DeclareHistoryError`].
    pub async fn declare_history(
        &self,
        account: AccountId,
        input: &HistoryInput,
        client: &ClientInfo,
    ) -> Result<RegistrationId, DeclareHistoryError> {
        let mut tx = self.begin().await?;
        provisional(&mut tx, account).await??;
        let history = match input {
            HistoryInput::PastApplicant { establishment_number } => {
                let number = EstablishmentNumber::parse(establishment_number)
                    .map_err(DeclareHistoryError::InvalidEstablishmentNumber)?;
                if tx.establishments().by_number(&number).await?.is_none() {
                    return Err(DeclareHistoryError::EstablishmentNotFound);
                }
                ApplicationHistory::PastApplicant { number }
            }
            HistoryInput::FirstTime { office } => {
                let office = OfficeCode::parse(office).map_err(|_| DeclareHistoryError::UnknownOffice)?;
                ApplicationHistory::FirstTime { office }
            }
        };
        match (tx.offices().get(&history.office()).await?, &history) {
            (None, _) => return Err(DeclareHistoryError::UnknownOffice),
            (Some(o), ApplicationHistory::FirstTime { .. }) if o.is_closed() => {
                return Err(DeclareHistoryError::OfficeClosed);
            }
            (Some(_), _) => {}
        }
        let now = self.now();
        let id = match self.open_registration(&mut tx, account, client).await? {
            Some(mut reg) => {
                reg.declare_history(history, now).map_err(|_| DeclareHistoryError::NotEditable)?;
                tx.registrations().update(&reg).await?;
                reg.id()
            }
            None => {
                let reg =
                    ProvisionalRegistration::draft(self.new_id(RegistrationId::from_bytes), account, history, now);
                tx.registrations().insert(&reg).await?;
                reg.id()
            }
        };
        self.audit(
            &mut tx,
            Actor::Employer(account),
            AuditAction::HistoryDeclared,
            format!("registration:{id}"),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves the establishment information of a first-time applicant's draft (case C).
    ///
    /// # Errors
    /// See [`SaveEstablishmentError`].
    pub async fn save_establishment_info(
        &self,
        account: AccountId,
        input: &EstablishmentInfoInput,
        client: &ClientInfo,
    ) -> Result<(), SaveEstablishmentError> {
        let info = match EstablishmentInfo::parse_as_of(input, self.now()) {
            Ok(info) => info,
            Err(errors) => {
                let kept = input.valid_fields(&errors);
                self.keep_unfinished(account, client, AuditAction::EstablishmentInfoKept, |reg, now| {
                    reg.keep_unfinished_establishment(kept, now)
                })
                .await?;
                return Err(SaveEstablishmentError::Invalid(errors));
            }
        };
        let (mut tx, _, mut reg) = self.editable_draft(account, client).await??;
        reg.save_establishment(info, self.now()).map_err(|e| match e {
            RegistrationStepError::NotFirstTime => SaveEstablishmentError::NotFirstTime,
            RegistrationStepError::HistoryNotDeclared => SaveEstablishmentError::NoDraft,
            _ => SaveEstablishmentError::NotEditable,
        })?;
        self.save_draft(&mut tx, &reg, AuditAction::EstablishmentInfoSaved, client).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves the job offer of the draft.
    ///
    /// # Errors
    /// See [`SaveJobOfferError`].
    pub async fn save_job_offer(
        &self,
        account: AccountId,
        input: &JobOfferInput,
        client: &ClientInfo,
    ) -> Result<(), SaveJobOfferError> {
        let offer = match JobOffer::parse(input) {
            Ok(offer) => offer,
            Err(errors) => {
                let kept = input.valid_fields(&errors);
                self.keep_unfinished(account, client, AuditAction::JobOfferKept, |reg, now| {
                    reg.keep_unfinished_job_offer(kept, now)
                })
                .await?;
                return Err(SaveJobOfferError::Invalid(errors));
            }
        };
        let (mut tx, _, mut reg) = self.editable_draft(account, client).await??;
        reg.save_job_offer(offer, self.now()).map_err(|e| match e {
            RegistrationStepError::HistoryNotDeclared => SaveJobOfferError::NoDraft,
            _ => SaveJobOfferError::NotEditable,
        })?;
        self.save_draft(&mut tx, &reg, AuditAction::JobOfferSaved, client).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Submits the draft whole to the review queue of the office of jurisdiction, and mails a receipt (R10).
    ///
    /// # Errors
    /// See [`SubmitError`].
    pub async fn submit_registration(
        &self,
        account: AccountId,
        client: &ClientInfo,
    ) -> Result<RegistrationId, SubmitError> {
        let (mut tx, holder, mut reg) = self.editable_draft(account, client).await??;
        reg.submit(self.now()).map_err(|e| match e {
            RegistrationStepError::Incomplete(missing) => SubmitError::Incomplete(missing),
            _ => SubmitError::NotEditable,
        })?;
        self.save_draft(&mut tx, &reg, AuditAction::RegistrationSubmitted, client).await?;
        let office_name = match reg.office() {
            Some(code) => tx.offices().get(&code).await?.map_or_else(|| code.to_string(), |o| o.name().to_owned()),
            None => String::new(),
        };
        let first_time = matches!(reg.history(), Some(ApplicationHistory::FirstTime { .. }));
        let received = MailTemplate::RegistrationReceived { registration: reg.id(), office_name, first_time };
        self.mail(&mut tx, holder.email(), received).await?;
        tx.commit().await?;
        Ok(reg.id())
    }

    /// Where the account and its latest registration stand, for the My Page home.
    ///
    /// # Errors
    /// See [`OverviewError`].
    pub async fn overview(&self, account: AccountId) -> Result<MyPageOverview, OverviewError> {
        let mut tx = self.read().await?;
        let holder = tx.accounts().get(account).await?.ok_or(OverviewError::AccountNotFound)?;
        let establishment = match holder.establishment() {
            Some(id) => tx.establishments().get(id).await?,
            None => None,
        };
        // The account's own provisional registration; its job offers after opening are `job_offers` (R20).
        let registration = tx
            .registrations()
            .for_account(account)
            .await?
            .into_iter()
            .find(|r| r.kind() == crate::model::RegistrationKind::Opening);
        let draft_expires_at = registration
            .as_ref()
            .filter(|r| *r.status() == RegistrationStatus::Draft)
            .map(|r| r.draft_expires_at(self.config.draft_ttl));
        Ok(MyPageOverview { account: holder, establishment, registration, draft_expires_at })
    }
}
