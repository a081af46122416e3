//! The provisional registration (仮登録, R10) and its review (本登録, R11); and, on the same aggregate, a job offer
//! an Active employer files for its establishment after opening (求人の申込み, R20).
use chrono::{DateTime, Duration, Utc};

use crate::model::{
    AccountId, ApplicationHistory, EstablishmentId, MissingPart, NoteDecision, RegistrationId, RegistrationKind,
    RegistrationStatus, RegistrationStepError, StaffId, StaffNote, Unfinished,
};
use crate::values::{
    EstablishmentInfo, EstablishmentInfoInput, EstablishmentNumber, JobOffer, JobOfferInput, OfficeCode,
};

mod read;

/// A provisional registration: the application history, the establishment information (case C) and one job offer.
/// A job offer after opening (R20) is the same aggregate of kind [`RegistrationKind::JobOffer`]: its history is the
/// account's own establishment number, and it never carries establishment information.
///
/// Read it through its getters; it changes only through its transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvisionalRegistration {
    /// Its id.
    id: RegistrationId,
    /// An opening registration or a job offer after opening.
    kind: RegistrationKind,
    /// The account filing it: Provisional for an opening registration, Active for a job offer.
    account: AccountId,
    /// 求人申し込み実績, once declared.
    history: Option<ApplicationHistory>,
    /// 事業所情報, case C.
    establishment: Option<EstablishmentInfo>,
    /// 求人情報.
    job_offer: Option<JobOffer>,
    /// The forms last sent with errors, in place of the validated ones (R10).
    unfinished: Unfinished,
    /// Where it stands.
    status: RegistrationStatus,
    /// When the draft was started.
    created_at: DateTime<Utc>,
    /// When the employer last saved it; a draft expires a configured time after this.
    updated_at: DateTime<Utc>,
    /// When it was last submitted.
    submitted_at: Option<DateTime<Utc>>,
    /// Who decided it last.
    decided_by: Option<StaffId>,
    /// Optimistic-concurrency version.
    version: u64,
}

/// A registration as stored: what a repository reads back to rebuild one with [`ProvisionalRegistration::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRecord {
    /// Its id.
    pub id: RegistrationId,
    /// An opening registration or a job offer after opening.
    pub kind: RegistrationKind,
    /// The account filing it.
    pub account: AccountId,
    /// 求人申し込み実績, once declared.
    pub history: Option<ApplicationHistory>,
    /// 事業所情報, case C.
    pub establishment: Option<EstablishmentInfo>,
    /// 求人情報.
    pub job_offer: Option<JobOffer>,
    /// The forms last sent with errors, in place of the validated ones (R10).
    pub unfinished: Unfinished,
    /// Where it stands.
    pub status: RegistrationStatus,
    /// When the draft was started.
    pub created_at: DateTime<Utc>,
    /// When the employer last saved it.
    pub updated_at: DateTime<Utc>,
    /// When it was last submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who decided it last.
    pub decided_by: Option<StaffId>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl ProvisionalRegistration {
    /// A new draft with its application history.
    #[must_use]
    pub fn draft(id: RegistrationId, account: AccountId, history: ApplicationHistory, now: DateTime<Utc>) -> Self {
        Self {
            id,
            kind: RegistrationKind::Opening,
            account,
            history: Some(history),
            establishment: None,
            job_offer: None,
            unfinished: Unfinished::default(),
            status: RegistrationStatus::Draft,
            created_at: now,
            updated_at: now,
            submitted_at: None,
            decided_by: None,
            version: 0,
        }
    }

    /// A new job offer draft of an Active account (R20), for the establishment of `number`, the account's own: its
    /// office of jurisdiction reviews it, as for a past applicant.
    #[must_use]
    pub fn job_offer_draft(
        id: RegistrationId,
        account: AccountId,
        number: EstablishmentNumber,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            kind: RegistrationKind::JobOffer,
            ..Self::draft(id, account, ApplicationHistory::PastApplicant { number }, now)
        }
    }

    /// Rebuilds a stored registration. For repositories: a new one is made by [`ProvisionalRegistration::draft`] or
    /// [`ProvisionalRegistration::job_offer_draft`].
    #[must_use]
    pub fn restore(record: RegistrationRecord) -> Self {
        let RegistrationRecord {
            id,
            kind,
            account,
            history,
            establishment,
            job_offer,
            unfinished,
            status,
            created_at,
            updated_at,
            submitted_at,
            decided_by,
            version,
        } = record;
        Self {
            id,
            kind,
            account,
            history,
            establishment,
            job_offer,
            unfinished,
            status,
            created_at,
            updated_at,
            submitted_at,
            decided_by,
            version,
        }
    }

    /// Takes the registration apart into its stored form: for a repository, or a test that needs a state the
    /// transitions do not reach.
    #[must_use]
    pub fn into_record(self) -> RegistrationRecord {
        let Self {
            id,
            kind,
            account,
            history,
            establishment,
            job_offer,
            unfinished,
            status,
            created_at,
            updated_at,
            submitted_at,
            decided_by,
            version,
        } = self;
        RegistrationRecord {
            id,
            kind,
            account,
            history,
            establishment,
            job_offer,
            unfinished,
            status,
            created_at,
            updated_at,
            submitted_at,
            decided_by,
            version,
        }
    }

    /// The office whose queue it goes to.
    #[must_use]
    pub fn office(&self) -> Option<OfficeCode> {
        self.history.as_ref().map(ApplicationHistory::office)
    }

    /// When an unsubmitted draft expires (R10).
    #[must_use]
    pub fn draft_expires_at(&self, ttl: Duration) -> DateTime<Utc> {
        self.updated_at + ttl
    }

    fn editable(&self) -> Result<(), RegistrationStepError> {
        if self.status.is_editable() { Ok(()) } else { Err(RegistrationStepError::NotEditable(self.status.code())) }
    }

    /// Declares (or changes) the application history. Changing to a past applicant drops any
    /// establishment information typed for case C, since the office already holds it.
    ///
    /// # Errors
    /// [`RegistrationStepError::NotEditable`], also for a job offer, whose history is fixed.
    pub fn declare_history(
        &mut self,
        history: ApplicationHistory,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.editable()?;
        // A job offer is always of the account's own establishment: its history is fixed when it starts.
        if self.kind == RegistrationKind::JobOffer {
            return Err(RegistrationStepError::NotEditable(self.kind.code()));
        }
        if matches!(history, ApplicationHistory::PastApplicant { .. }) {
            self.establishment = None;
            self.unfinished.establishment = None;
        }
        self.history = Some(history);
        self.updated_at = now;
        Ok(())
    }

    /// Saves the establishment information (case C).
    ///
    /// # Errors
    /// [`RegistrationStepError::NotEditable`], [`RegistrationStepError::NotFirstTime`].
    pub fn save_establishment(
        &mut self,
        info: EstablishmentInfo,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.may_enter_establishment()?;
        self.establishment = Some(info);
        self.unfinished.establishment = None;
        self.updated_at = now;
        Ok(())
    }

    /// Keeps establishment information sent with errors, reduced to its valid fields, in place of the validated
    /// one: the draft lacks it until it is sent whole (R10).
    ///
    /// # Errors
    /// As [`ProvisionalRegistration::save_establishment`].
    pub fn keep_unfinished_establishment(
        &mut self,
        input: EstablishmentInfoInput,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.may_enter_establishment()?;
        self.establishment = None;
        self.unfinished.establishment = Some(input);
        self.updated_at = now;
        Ok(())
    }

    fn may_enter_establishment(&self) -> Result<(), RegistrationStepError> {
        self.editable()?;
        match self.history {
            Some(ApplicationHistory::FirstTime { .. }) => Ok(()),
            Some(ApplicationHistory::PastApplicant { .. }) => Err(RegistrationStepError::NotFirstTime),
            None => Err(RegistrationStepError::HistoryNotDeclared),
        }
    }

    /// Saves the job offer.
    ///
    /// # Errors
    /// [`RegistrationStepError::NotEditable`], [`RegistrationStepError::HistoryNotDeclared`].
    pub fn save_job_offer(&mut self, offer: JobOffer, now: DateTime<Utc>) -> Result<(), RegistrationStepError> {
        self.may_enter_job_offer()?;
        self.job_offer = Some(offer);
        self.unfinished.job_offer = None;
        self.updated_at = now;
        Ok(())
    }

    /// Keeps a job offer sent with errors, reduced to its valid fields, in place of the validated one: the draft
    /// lacks it until it is sent whole (R10).
    ///
    /// # Errors
    /// As [`ProvisionalRegistration::save_job_offer`].
    pub fn keep_unfinished_job_offer(
        &mut self,
        input: JobOfferInput,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.may_enter_job_offer()?;
        self.job_offer = None;
        self.unfinished.job_offer = Some(input);
        self.updated_at = now;
        Ok(())
    }

    fn may_enter_job_offer(&self) -> Result<(), RegistrationStepError> {
        self.editable()?;
        if self.history.is_none() {
            return Err(RegistrationStepError::HistoryNotDeclared);
        }
        Ok(())
    }

    /// What a submission still lacks.
    #[must_use]
    pub fn missing(&self) -> Vec<MissingPart> {
        let mut missing = Vec::new();
        match &self.history {
            None => missing.push(MissingPart::History),
            Some(ApplicationHistory::FirstTime { .. }) if self.establishment.is_none() => {
                missing.push(MissingPart::EstablishmentInfo);
            }
            Some(_) => {}
        }
        if self.job_offer.is_none() {
            missing.push(MissingPart::JobOffer);
        }
        missing
    }

    /// Submits the whole registration to the office's queue (R10).
    ///
    /// # Errors
    /// [`RegistrationStepError::NotEditable`], [`RegistrationStepError::Incomplete`].
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<(), RegistrationStepError> {
        self.editable()?;
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(RegistrationStepError::Incomplete(missing));
        }
        self.status = RegistrationStatus::Submitted;
        self.submitted_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// 本登録 (R11): staff confirm it for `establishment`, existing (case B) or just created (case C).
    ///
    /// # Errors
    /// [`RegistrationStepError::AlreadyDecided`] unless pending.
    pub fn confirm(
        &mut self,
        by: StaffId,
        establishment: EstablishmentId,
        number: EstablishmentNumber,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.decide(by, RegistrationStatus::Confirmed { establishment, number }, now)
    }

    /// Staff mark it "contact needed", return it for correction or reject it, with a note (R11).
    ///
    /// # Errors
    /// [`RegistrationStepError::AlreadyDecided`] unless pending.
    pub fn decide_with_note(
        &mut self,
        by: StaffId,
        decision: NoteDecision,
        note: StaffNote,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        self.decide(by, decision.status(note), now)
    }

    /// Staff decide it: the current status must be pending. Only the two transitions above call it, so that the
    /// new status is always a decision.
    fn decide(
        &mut self,
        by: StaffId,
        status: RegistrationStatus,
        now: DateTime<Utc>,
    ) -> Result<(), RegistrationStepError> {
        if !self.status.is_pending() {
            return Err(RegistrationStepError::AlreadyDecided(self.status.code()));
        }
        self.status = status;
        self.decided_by = Some(by);
        self.updated_at = now;
        Ok(())
    }

    /// A draft left past its lifetime expires (R10).
    ///
    /// # Errors
    /// [`RegistrationStepError::NotEditable`] unless a Draft.
    pub fn expire(&mut self) -> Result<(), RegistrationStepError> {
        if self.status != RegistrationStatus::Draft {
            return Err(RegistrationStepError::NotEditable(self.status.code()));
        }
        self.status = RegistrationStatus::Expired;
        Ok(())
    }

    /// Its account was closed (R19): an open registration is withdrawn and leaves the office's queue.
    ///
    /// # Errors
    /// [`RegistrationStepError::AlreadyDecided`] unless open.
    pub fn withdraw(&mut self, now: DateTime<Utc>) -> Result<(), RegistrationStepError> {
        if !self.status.is_open() {
            return Err(RegistrationStepError::AlreadyDecided(self.status.code()));
        }
        self.status = RegistrationStatus::Withdrawn;
        self.updated_at = now;
        Ok(())
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }
}
