//! Job offers after opening (求人の申込み, R20): an Active employer files further job offers for its establishment,
//! with the job-offer form and rules of the provisional registration (R10: a draft saved step by step, a wrong form
//! kept without its wrong fields, submitted whole), reviewed in the queue of the office of jurisdiction (R11).
//!
//! A job offer is a [`ProvisionalRegistration`] of kind [`RegistrationKind::JobOffer`] whose history is the account's
//! own establishment number, so that the office's queue and review treat it as they treat a registration.

use chrono::{DateTime, Utc};

use crate::model::{
    Account, AccountId, AccountStatus, Actor, AuditAction, ClientInfo, MailTemplate, ProvisionalRegistration,
    RegistrationId, RegistrationKind, RegistrationStatus, RegistrationStepError, ValidFields,
};
use crate::ports::{InfrastructureError, RepositoryError, Transaction};
use crate::usecases::{MyPage, infrastructure_from_repository};
use crate::values::{FieldErrors, JobOffer, JobOfferInput};

/// Job offers an account may have in progress (draft or returned) at once: a bound on what one account can store,
/// high enough for any employer filing offers one by one.
pub const MAX_JOB_OFFER_DRAFTS: usize = 10;

/// Why a job offer was not started.
#[derive(Debug, thiserror::Error)]
pub enum StartJobOfferError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only an Active account, linked to its establishment, files job offers after opening (R20).
    #[error("only an active account files job offers")]
    NotActive,
    /// The filing to copy is not one of this account's, or has no job offer.
    #[error("no such job offer to copy")]
    CopyNotFound,
    /// The office of jurisdiction is closed: it takes no new job offer (R14).
    #[error("the office of jurisdiction is closed")]
    OfficeClosed,
    /// The account has [`MAX_JOB_OFFER_DRAFTS`] job offers in progress already.
    #[error("too many job offers in progress")]
    TooManyDrafts,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(StartJobOfferError);

/// Why a job offer's form was not saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveJobOfferDraftError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only an Active account files job offers after opening (R20).
    #[error("only an active account files job offers")]
    NotActive,
    /// No job offer of this account has this id.
    #[error("no such job offer")]
    NotFound,
    /// The job offer is in review or decided.
    #[error("the job offer can no longer be edited")]
    NotEditable,
    /// Fields are wrong: the form's valid fields were kept in the draft, which lacks its offer until the form is
    /// sent whole (R10).
    #[error(transparent)]
    Invalid(FieldErrors),
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(SaveJobOfferDraftError);

/// Why a job offer was not submitted.
#[derive(Debug, thiserror::Error)]
pub enum SubmitJobOfferError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only an Active account files job offers after opening (R20).
    #[error("only an active account files job offers")]
    NotActive,
    /// No job offer of this account has this id.
    #[error("no such job offer")]
    NotFound,
    /// Already submitted or decided.
    #[error("the job offer can no longer be edited")]
    NotEditable,
    /// The form has not been saved whole yet.
    #[error("the job offer is incomplete")]
    Incomplete,
    /// The office of jurisdiction closed since the draft was started (R14).
    #[error("the office of jurisdiction is closed")]
    OfficeClosed,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(SubmitJobOfferError);

/// Why a job offer's draft was not discarded.
#[derive(Debug, thiserror::Error)]
pub enum DiscardJobOfferError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// Only an Active account files job offers after opening (R20).
    #[error("only an active account files job offers")]
    NotActive,
    /// No job offer of this account has this id.
    #[error("no such job offer")]
    NotFound,
    /// Only a draft never submitted is discarded; a submitted one stays on the office's record.
    #[error("only an unsubmitted draft can be discarded")]
    NotDiscardable,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(DiscardJobOfferError);

/// Why job offers could not be read.
#[derive(Debug, thiserror::Error)]
pub enum JobOffersError {
    /// No such account.
    #[error("no such account")]
    AccountNotFound,
    /// No job offer of this account has this id.
    #[error("no such job offer")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(JobOffersError);

/// Why an account may not touch a job offer.
enum Gate {
    AccountNotFound,
    NotActive,
    NotFound,
    /// A draft past its lifetime, expired on the way (R10).
    Expired,
}

macro_rules! gate_into {
    ($($error:ident: expired => $expired:ident),+) => {$(
        impl From<Gate> for $error {
            fn from(g: Gate) -> Self {
                match g {
                    Gate::AccountNotFound => Self::AccountNotFound,
                    Gate::NotActive => Self::NotActive,
                    Gate::NotFound => Self::NotFound,
                    Gate::Expired => Self::$expired,
                }
            }
        }
    )+};
}
gate_into!(
    SaveJobOfferDraftError: expired => NotEditable,
    SubmitJobOfferError: expired => NotEditable,
    DiscardJobOfferError: expired => NotDiscardable
);

/// The Active account `id` and its establishment's number, or why not.
async fn active(
    tx: &mut Box<dyn Transaction>,
    id: AccountId,
) -> Result<Result<(Account, crate::values::EstablishmentNumber), Gate>, RepositoryError> {
    let account = match tx.accounts().get(id).await? {
        None => return Ok(Err(Gate::AccountNotFound)),
        Some(a) if a.status() != AccountStatus::Active => return Ok(Err(Gate::NotActive)),
        Some(a) => a,
    };
    let Some(establishment) = account.establishment() else { return Ok(Err(Gate::NotActive)) };
    match tx.establishments().get(establishment).await? {
        Some(e) => {
            let number = e.number().clone();
            Ok(Ok((account, number)))
        }
        None => Ok(Err(Gate::NotActive)),
    }
}

/// The account's job offer `id`; another account's, or a registration, is not found.
async fn own_offer(
    tx: &mut Box<dyn Transaction>,
    account: AccountId,
    id: RegistrationId,
) -> Result<Option<ProvisionalRegistration>, RepositoryError> {
    Ok(tx.registrations().get(id).await?.filter(|r| r.account() == account && r.kind() == RegistrationKind::JobOffer))
}

/// A transaction holding an Active account and one of its job offers.
type Editing = (Box<dyn Transaction>, Account, ProvisionalRegistration);

impl MyPage {
    /// Opens a transaction on the account's job offer `id`, expiring it on the way when it is a draft past its
    /// lifetime (R10), which then may not be changed.
    async fn job_offer_in_hand(
        &self,
        account: AccountId,
        id: RegistrationId,
        client: &ClientInfo,
    ) -> Result<Result<Editing, Gate>, RepositoryError> {
        let mut tx = self.begin().await?;
        let holder = match active(&mut tx, account).await? {
            Ok((holder, _)) => holder,
            Err(gate) => return Ok(Err(gate)),
        };
        let Some(mut offer) = own_offer(&mut tx, account, id).await? else { return Ok(Err(Gate::NotFound)) };
        if *offer.status() == RegistrationStatus::Draft && offer.draft_expires_at(self.config.draft_ttl) <= self.now() {
            if offer.expire().is_ok() {
                tx.registrations().update(&offer).await?;
                self.audit(&mut tx, Actor::System, AuditAction::DraftExpired, format!("registration:{id}"), client)
                    .await?;
                tx.commit().await?;
            }
            return Ok(Err(Gate::Expired));
        }
        Ok(Ok((tx, holder, offer)))
    }

    /// Starts a job offer's draft for the account's own establishment (R20), empty or with the job offer of one of
    /// the account's earlier filings (`copy_from`: a registration or a job offer, in any status). The office of
    /// jurisdiction is the establishment number's.
    ///
    /// # Errors
    /// See [`StartJobOfferError`].
    pub async fn start_job_offer(
        &self,
        account: AccountId,
        copy_from: Option<RegistrationId>,
        client: &ClientInfo,
    ) -> Result<RegistrationId, StartJobOfferError> {
        let mut tx = self.begin().await?;
        let (_, number) = active(&mut tx, account).await?.map_err(|g| match g {
            Gate::AccountNotFound => StartJobOfferError::AccountNotFound,
            Gate::NotActive | Gate::NotFound | Gate::Expired => StartJobOfferError::NotActive,
        })?;
        match tx.offices().get(&number.office()).await? {
            Some(office) if !office.is_closed() => {}
            _ => return Err(StartJobOfferError::OfficeClosed),
        }
        let mine = tx.registrations().for_account(account).await?;
        let now = self.now();
        let in_progress = mine
            .iter()
            .filter(|r| r.kind() == RegistrationKind::JobOffer && r.status().is_editable())
            .filter(|r| *r.status() != RegistrationStatus::Draft || r.draft_expires_at(self.config.draft_ttl) > now)
            .count();
        if in_progress >= MAX_JOB_OFFER_DRAFTS {
            return Err(StartJobOfferError::TooManyDrafts);
        }
        let copied = match copy_from {
            Some(from) => Some(
                mine.iter()
                    .find(|r| r.id() == from)
                    .and_then(|r| r.job_offer().cloned())
                    .ok_or(StartJobOfferError::CopyNotFound)?,
            ),
            None => None,
        };
        let mut offer =
            ProvisionalRegistration::job_offer_draft(self.new_id(RegistrationId::from_bytes), account, number, now);
        if let Some(copied) = copied {
            offer.save_job_offer(copied, now).map_err(|e| InfrastructureError::new(e.to_string()))?;
        }
        tx.registrations().insert(&offer).await?;
        self.audit(
            &mut tx,
            Actor::Employer(account),
            AuditAction::JobOfferStarted,
            format!("registration:{}", offer.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(offer.id())
    }

    /// Saves the form of the account's job offer `id`; a form with wrong fields is kept without them in the draft
    /// (R10), which then lacks its offer until the form is sent whole.
    ///
    /// # Errors
    /// See [`SaveJobOfferDraftError`].
    pub async fn save_job_offer_draft(
        &self,
        account: AccountId,
        id: RegistrationId,
        input: &JobOfferInput,
        client: &ClientInfo,
    ) -> Result<(), SaveJobOfferDraftError> {
        let parsed = JobOffer::parse(input);
        let (mut tx, _, mut offer) = self.job_offer_in_hand(account, id, client).await??;
        let now = self.now();
        let (step, action, invalid): (Result<(), RegistrationStepError>, _, _) = match parsed {
            Ok(valid) => (offer.save_job_offer(valid, now), AuditAction::JobOfferSaved, None),
            Err(errors) => {
                let kept = input.valid_fields(&errors);
                (offer.keep_unfinished_job_offer(kept, now), AuditAction::JobOfferKept, Some(errors))
            }
        };
        if step.is_err() {
            // A submitted or decided offer keeps nothing; a wrong form is still reported as wrong.
            return Err(invalid.map_or(SaveJobOfferDraftError::NotEditable, SaveJobOfferDraftError::Invalid));
        }
        self.store_offer(&mut tx, &offer, action, client).await?;
        tx.commit().await?;
        invalid.map_or(Ok(()), |errors| Err(SaveJobOfferDraftError::Invalid(errors)))
    }

    /// Submits the account's job offer `id` whole to the review queue of its office of jurisdiction, and mails a
    /// receipt (R20, as R10).
    ///
    /// # Errors
    /// See [`SubmitJobOfferError`].
    pub async fn submit_job_offer(
        &self,
        account: AccountId,
        id: RegistrationId,
        client: &ClientInfo,
    ) -> Result<(), SubmitJobOfferError> {
        let (mut tx, holder, mut offer) = self.job_offer_in_hand(account, id, client).await??;
        let code = offer.office().ok_or_else(|| InfrastructureError::new("a job offer has no office"))?;
        let office = match tx.offices().get(&code).await? {
            Some(office) if !office.is_closed() => office,
            _ => return Err(SubmitJobOfferError::OfficeClosed),
        };
        offer.submit(self.now()).map_err(|e| match e {
            RegistrationStepError::Incomplete(_) => SubmitJobOfferError::Incomplete,
            _ => SubmitJobOfferError::NotEditable,
        })?;
        self.store_offer(&mut tx, &offer, AuditAction::JobOfferSubmitted, client).await?;
        let occupation = offer.job_offer().map(|j| j.occupation.clone()).unwrap_or_default();
        let received = MailTemplate::JobOfferReceived {
            registration: offer.id(),
            office_name: office.name().to_owned(),
            occupation,
        };
        self.mail(&mut tx, holder.email(), received).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Discards the account's job offer `id`, a draft never submitted; its audit events stay.
    ///
    /// # Errors
    /// See [`DiscardJobOfferError`].
    pub async fn discard_job_offer(
        &self,
        account: AccountId,
        id: RegistrationId,
        client: &ClientInfo,
    ) -> Result<(), DiscardJobOfferError> {
        let mut tx = self.begin().await?;
        active(&mut tx, account).await??;
        let offer = own_offer(&mut tx, account, id).await?.ok_or(DiscardJobOfferError::NotFound)?;
        if !matches!(offer.status(), RegistrationStatus::Draft | RegistrationStatus::Expired)
            || offer.submitted_at().is_some()
        {
            return Err(DiscardJobOfferError::NotDiscardable);
        }
        tx.registrations().remove(&offer).await?;
        self.audit(
            &mut tx,
            Actor::Employer(account),
            AuditAction::JobOfferDiscarded,
            format!("registration:{id}"),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The account's job offers (R20), newest first, in every status.
    ///
    /// # Errors
    /// See [`JobOffersError`].
    pub async fn job_offers(&self, account: AccountId) -> Result<Vec<ProvisionalRegistration>, JobOffersError> {
        let mut tx = self.read().await?;
        if tx.accounts().get(account).await?.is_none() {
            return Err(JobOffersError::AccountNotFound);
        }
        let mine = tx.registrations().for_account(account).await?;
        Ok(mine.into_iter().filter(|r| r.kind() == RegistrationKind::JobOffer).collect())
    }

    /// The account's job offer `id`; another account's, or a registration, is not found.
    ///
    /// # Errors
    /// See [`JobOffersError`].
    pub async fn job_offer(
        &self,
        account: AccountId,
        id: RegistrationId,
    ) -> Result<ProvisionalRegistration, JobOffersError> {
        let mut tx = self.read().await?;
        if tx.accounts().get(account).await?.is_none() {
            return Err(JobOffersError::AccountNotFound);
        }
        own_offer(&mut tx, account, id).await?.ok_or(JobOffersError::NotFound)
    }

    /// When a job offer's draft expires if left unsaved (R10); `None` unless a draft.
    #[must_use]
    pub fn job_offer_expires_at(&self, offer: &ProvisionalRegistration) -> Option<DateTime<Utc>> {
        (*offer.status() == RegistrationStatus::Draft).then(|| offer.draft_expires_at(self.config.draft_ttl))
    }

    /// Stores a changed job offer with its audit event, in the caller's transaction.
    async fn store_offer(
        &self,
        tx: &mut Box<dyn Transaction>,
        offer: &ProvisionalRegistration,
        action: AuditAction,
        client: &ClientInfo,
    ) -> Result<(), RepositoryError> {
        tx.registrations().update(offer).await?;
        self.audit(tx, Actor::Employer(offer.account()), action, format!("registration:{}", offer.id()), client).await
    }
}
