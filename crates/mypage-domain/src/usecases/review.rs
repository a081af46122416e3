//! Staff review of provisional registrations (本登録, R11) and of job offers after opening (受理, R20), within their
//! office and role (R14).

use crate::model::{
    Account, AccountStatus, Actor, ApplicationHistory, AuditAction, ClientInfo, Establishment, EstablishmentId, Filing,
    MailTemplate, NoteDecision, ProvisionalRegistration, RegistrationId, RegistrationKind, StaffId, StaffMember,
    StaffNote, StaffNoteError,
};
use crate::ports::{InfrastructureError, RepositoryError, Transaction, Unique};
use crate::usecases::{MyPage, infrastructure_from_repository, staff_with_role};
use crate::values::{EstablishmentNumber, StaffRole};

/// Why the queue or a registration could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The member does not hold the reviewer role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No such registration.
    #[error("no such registration")]
    RegistrationNotFound,
    /// The registration belongs to another office's queue (R14).
    #[error("the registration belongs to another office")]
    OutsideOffice,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(QueueError);

/// A registration as its reviewer checks it: see [`MyPage::review_case`].
#[derive(Debug, Clone)]
pub struct ReviewCase {
    /// The registration.
    pub registration: ProvisionalRegistration,
    /// The account that filed it.
    pub account: Account,
    /// Case B: the establishment holding the claimed number, if one does.
    pub claimed: Option<Establishment>,
}

/// Why a registration was not confirmed.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    /// The member does not hold the reviewer role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No such registration.
    #[error("no such registration")]
    RegistrationNotFound,
    /// The registration belongs to another office's queue (R14).
    #[error("the registration belongs to another office")]
    OutsideOffice,
    /// It is not in the queue any more: someone decided it already.
    #[error("the registration has already been decided")]
    AlreadyDecided,
    /// Case B: no establishment has the number the employer claimed (it left the office's records since).
    #[error("no establishment has the claimed number")]
    EstablishmentNotFound,
    /// A job offer (R20) whose account is no longer Active for the establishment it was filed for (closed, or
    /// linked elsewhere): it cannot be accepted.
    #[error("the job offer's account is no longer active for its establishment")]
    AccountNotActive,
    /// The store or the number allocator failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}

/// Why a registration was not marked, returned or rejected.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The member does not hold the reviewer role, or is disabled (R14).
    #[error("not permitted")]
    NotPermitted,
    /// No such registration.
    #[error("no such registration")]
    RegistrationNotFound,
    /// The registration belongs to another office's queue (R14).
    #[error("the registration belongs to another office")]
    OutsideOffice,
    /// It is not in the queue any more.
    #[error("the registration has already been decided")]
    AlreadyDecided,
    /// The note or reason is empty or too long.
    #[error(transparent)]
    InvalidNote(StaffNoteError),
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}

/// Two reviewers deciding at once: the second one's update or commit conflicts, and it is told the registration
/// was decided (R11). Any other repository failure is infrastructure.
macro_rules! decided_on_conflict {
    ($($error:ident),+) => {$(
        impl From<RepositoryError> for $error {
            fn from(e: RepositoryError) -> Self {
                match e {
                    RepositoryError::Conflict => Self::AlreadyDecided,
                    other => Self::Infrastructure(other.into()),
                }
            }
        }
    )+};
}
decided_on_conflict!(ConfirmError, ReviewError);

/// A registration reached by a reviewer of its office, or why not.
enum Reach {
    NotPermitted,
    NotFound,
    OutsideOffice,
}

macro_rules! reach_into {
    ($($error:ident),+) => {$(
        impl From<Reach> for $error {
            fn from(r: Reach) -> Self {
                match r {
                    Reach::NotPermitted => Self::NotPermitted,
                    Reach::NotFound => Self::RegistrationNotFound,
                    Reach::OutsideOffice => Self::OutsideOffice,
                }
            }
        }
    )+};
}
reach_into!(QueueError, ConfirmError, ReviewError);

async fn reach(
    tx: &mut Box<dyn Transaction>,
    staff: StaffId,
    id: RegistrationId,
) -> Result<Result<(StaffMember, ProvisionalRegistration), Reach>, RepositoryError> {
    let Some(member) = staff_with_role(tx, staff, StaffRole::Reviewer).await? else {
        return Ok(Err(Reach::NotPermitted));
    };
    let Some(reg) = tx.registrations().get(id).await? else {
        return Ok(Err(Reach::NotFound));
    };
    if reg.office().as_ref() != Some(member.office()) {
        return Ok(Err(Reach::OutsideOffice));
    }
    Ok(Ok((member, reg)))
}

impl MyPage {
    /// The review queue of the member's own office (R10, R14): submitted and contact-needed registrations.
    ///
    /// # Errors
    /// `NotPermitted` without the reviewer role; `Infrastructure`.
    pub async fn review_queue(&self, staff: StaffId) -> Result<Vec<ProvisionalRegistration>, QueueError> {
        let mut tx = self.read().await?;
        let member = staff_with_role(&mut tx, staff, StaffRole::Reviewer).await?.ok_or(QueueError::NotPermitted)?;
        Ok(tx.registrations().pending_for_office(member.office()).await?)
    }

    /// One registration of the member's office, with the account that filed it.
    ///
    /// # Errors
    /// See [`QueueError`].
    pub async fn registration_for_review(
        &self,
        staff: StaffId,
        id: RegistrationId,
    ) -> Result<(ProvisionalRegistration, Account), QueueError> {
        let mut tx = self.read().await?;
        let (_, reg) = reach(&mut tx, staff, id).await??;
        let account = tx
            .accounts()
            .get(reg.account())
            .await?
            .ok_or_else(|| InfrastructureError::new("a registration's account is missing"))?;
        Ok((reg, account))
    }

    /// A registration as its reviewer checks it (R11, R14): the registration, its account, and for case B the
    /// establishment that holds the claimed number in the office's register (R18), or `None` when no
    /// establishment holds it.
    ///
    /// # Errors
    /// As [`MyPage::registration_for_review`].
    pub async fn review_case(&self, staff: StaffId, id: RegistrationId) -> Result<ReviewCase, QueueError> {
        let mut tx = self.read().await?;
        let (_, registration) = reach(&mut tx, staff, id).await??;
        let account = tx
            .accounts()
            .get(registration.account())
            .await?
            .ok_or_else(|| InfrastructureError::new("a registration's account is missing"))?;
        let claimed = match registration.history() {
            Some(ApplicationHistory::PastApplicant { number }) => tx.establishments().by_number(number).await?,
            _ => None,
        };
        Ok(ReviewCase { registration, account, claimed })
    }

    /// 本登録 (R11): case B links the account to the existing establishment it claimed; case C creates the
    /// establishment with a newly allocated number. The account becomes Active and the employer is mailed the number.
    ///
    /// # Errors
    /// See [`ConfirmError`].
    pub async fn confirm_registration(
        &self,
        staff: StaffId,
        id: RegistrationId,
        client: &ClientInfo,
    ) -> Result<EstablishmentNumber, ConfirmError> {
        // A new number is drawn before the transaction opens: an allocator may live in the same database, which on
        // SQLite admits one writer at a time. If the registration is decided meanwhile, the number is a gap.
        let new_number = {
            let mut tx = self.begin().await?;
            let (_, reg) = reach(&mut tx, staff, id).await??;
            if !reg.status().is_pending() {
                return Err(ConfirmError::AlreadyDecided);
            }
            drop(tx);
            match reg.history() {
                Some(ApplicationHistory::FirstTime { office }) => Some(self.ports.numbers.allocate(office).await?),
                _ => None,
            }
        };
        let mut tx = self.begin().await?;
        let (_, mut reg) = reach(&mut tx, staff, id).await??;
        if !reg.status().is_pending() {
            return Err(ConfirmError::AlreadyDecided);
        }
        // Take the registration before reading anything else: a second reviewer confirming at the same moment
        // waits here on the database's row lock, then finds the version changed (R11).
        tx.registrations().update(&reg).await?;
        reg.mark_saved();
        if reg.kind() == RegistrationKind::JobOffer {
            return self.accept_job_offer(tx, staff, reg, client).await;
        }
        // Only a Provisional account files a registration, and only confirmation makes it Active (R10, R11).
        let mut account = tx
            .accounts()
            .get(reg.account())
            .await?
            .filter(|a| a.status() == AccountStatus::Provisional)
            .ok_or_else(|| InfrastructureError::new("a pending registration's account is not provisional"))?;
        let establishment = match reg.history() {
            Some(ApplicationHistory::PastApplicant { number }) => {
                tx.establishments().by_number(number).await?.ok_or(ConfirmError::EstablishmentNotFound)?
            }
            Some(ApplicationHistory::FirstTime { .. }) => {
                let info = reg.establishment().cloned().ok_or_else(|| {
                    InfrastructureError::new("a submitted first-time registration has no establishment")
                })?;
                let number = new_number
                    .clone()
                    .ok_or_else(|| InfrastructureError::new("the history changed while the number was drawn"))?;
                let created =
                    Establishment::registered(self.new_id(EstablishmentId::from_bytes), number, info, self.now());
                match tx.establishments().insert(&created).await {
                    Err(RepositoryError::Duplicate(Unique::EstablishmentNumber)) => {
                        return Err(InfrastructureError::new("the allocator gave a number already in use").into());
                    }
                    other => other?,
                }
                created
            }
            None => return Err(InfrastructureError::new("a submitted registration has no history").into()),
        };
        reg.confirm(staff, establishment.id(), establishment.number().clone(), self.now())
            .map_err(|_| ConfirmError::AlreadyDecided)?;
        tx.registrations().update(&reg).await?;
        account.activate(establishment.id()).map_err(|e| InfrastructureError::new(e.to_string()))?;
        tx.accounts().update(&account).await?;
        let template = MailTemplate::RegistrationConfirmed {
            number: establishment.number().clone(),
            establishment_name: establishment.name().to_owned(),
        };
        self.mail(&mut tx, account.email(), template).await?;
        self.audit(
            &mut tx,
            Actor::Staff(staff),
            AuditAction::RegistrationConfirmed,
            format!("registration:{id}"),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(establishment.number().clone())
    }

    /// 受理 (R20): a job offer of an Active account, for the establishment the account acts for, is accepted in the
    /// transaction that took it. The account is not touched; the employer is mailed which offer was accepted.
    async fn accept_job_offer(
        &self,
        mut tx: Box<dyn Transaction>,
        staff: StaffId,
        mut reg: ProvisionalRegistration,
        client: &ClientInfo,
    ) -> Result<EstablishmentNumber, ConfirmError> {
        let Some(ApplicationHistory::PastApplicant { number }) = reg.history().cloned() else {
            return Err(InfrastructureError::new("a job offer has no establishment number").into());
        };
        let establishment = tx.establishments().by_number(&number).await?.ok_or(ConfirmError::EstablishmentNotFound)?;
        let account = tx
            .accounts()
            .get(reg.account())
            .await?
            .filter(|a| a.status() == AccountStatus::Active && a.establishment() == Some(establishment.id()))
            .ok_or(ConfirmError::AccountNotActive)?;
        reg.confirm(staff, establishment.id(), number.clone(), self.now()).map_err(|_| ConfirmError::AlreadyDecided)?;
        tx.registrations().update(&reg).await?;
        let office_name = match tx.offices().get(&number.office()).await? {
            Some(office) => office.name().to_owned(),
            None => number.office().to_string(),
        };
        let occupation = reg.job_offer().map(|j| j.occupation.clone()).unwrap_or_default();
        let template = MailTemplate::JobOfferAccepted { registration: reg.id(), office_name, occupation };
        self.mail(&mut tx, account.email(), template).await?;
        self.audit(
            &mut tx,
            Actor::Staff(staff),
            AuditAction::JobOfferAccepted,
            format!("registration:{}", reg.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    }

    /// Staff answer a registration of their office's queue with a note (R11): "contact needed" keeps it in the
    /// queue, "return" sends it back for correction, "reject" refuses it. The employer is mailed the note, and the
    /// audit trail records the decision (R15, R16).
    ///
    /// # Errors
    /// See [`ReviewError`].
    pub async fn decide_with_note(
        &self,
        staff: StaffId,
        id: RegistrationId,
        decision: NoteDecision,
        note: &str,
        client: &ClientInfo,
    ) -> Result<(), ReviewError> {
        let note = StaffNote::parse(note).map_err(ReviewError::InvalidNote)?;
        let mut tx = self.begin().await?;
        let (member, mut reg) = reach(&mut tx, staff, id).await??;
        let text = note.as_str().to_owned();
        reg.decide_with_note(staff, decision, note, self.now()).map_err(|_| ReviewError::AlreadyDecided)?;
        tx.registrations().update(&reg).await?;
        let account = tx
            .accounts()
            .get(reg.account())
            .await?
            .ok_or_else(|| InfrastructureError::new("a registration's account is missing"))?;
        let office = tx.offices().get(member.office()).await?;
        let office_name = office.as_ref().map_or_else(|| member.office().to_string(), |o| o.name().to_owned());
        // The mails that tell the employer to ask the office give its phone too.
        let office_phone = office.as_ref().and_then(|o| o.phone()).map(str::to_owned);
        // A job offer's mail names the offer, so that an employer with several knows which (R20).
        let about = match reg.kind() {
            RegistrationKind::Opening => Filing::Registration,
            RegistrationKind::JobOffer => {
                Filing::JobOffer { occupation: reg.job_offer().map(|j| j.occupation.clone()).unwrap_or_default() }
            }
        };
        let (template, action) = match decision {
            NoteDecision::ContactNeeded => (
                MailTemplate::ContactNeeded { about, note: text, office_name, office_phone },
                AuditAction::RegistrationContactNeeded,
            ),
            NoteDecision::Return => (
                MailTemplate::RegistrationReturned { about, note: text, office_name },
                AuditAction::RegistrationReturned,
            ),
            NoteDecision::Reject => (
                MailTemplate::RegistrationRejected { about, reason: text, office_name, office_phone },
                AuditAction::RegistrationRejected,
            ),
        };
        self.mail(&mut tx, account.email(), template).await?;
        self.audit(&mut tx, Actor::Staff(staff), action, format!("registration:{id}"), client).await?;
        tx.commit().await?;
        Ok(())
    }
}
