//! What the staff console reads, and the outbox's dead mails (R14, R16): establishments of the member's own
//! office found by name or number, the staff list for admins (an office admin's own office, a central admin's
//! every office), and the dead mails for central admins, with putting one back in the queue, which the audit
//! trail records.
//!
//! Dead mails are a central admin's: a mail belongs to no office (a key mail goes to an address that may have no
//! account yet), so an office admin could not be shown only its own office's recipients.

use crate::model::{
    Actor, AdminScope, AuditAction, ClientInfo, Establishment, MailId, SecondFactorState, StaffId, StaffMember,
    StaffMemberRecord,
};
use crate::ports::{InfrastructureError, MailState, MailSummary, SessionSubject};
use crate::usecases::{AdminActor, MyPage, admin_scope, infrastructure_from_repository};
use crate::values::{OfficeCode, StaffRole};

/// A staff member as the console shows them: never the password's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffView {
    /// Its id.
    pub id: StaffId,
    /// Its office.
    pub office: OfficeCode,
    /// Its login name.
    pub login: String,
    /// Its name.
    pub name: String,
    /// Its roles.
    pub roles: Vec<StaffRole>,
    /// Whether it may log in.
    pub active: bool,
    /// Whether it has enrolled a second factor (R21), which an admin may then reset.
    pub second_factor_enrolled: bool,
}

impl StaffView {
    /// What the member administers, if it is active and holds an admin role (R14): the console offers the admin
    /// pages, offices and roles by it; every step checks it again.
    #[must_use]
    pub fn admin_scope(&self) -> Option<AdminScope> {
        self.active.then(|| AdminScope::of(&self.office, &self.roles)).flatten()
    }
}

impl From<StaffMember> for StaffView {
    fn from(m: StaffMember) -> Self {
        let StaffMemberRecord { id, office, login, name, roles, active, second_factor, .. } = m.into_record();
        let second_factor_enrolled = matches!(second_factor, SecondFactorState::Enrolled { .. });
        Self { id, office, login: login.as_str().to_owned(), name, roles, active, second_factor_enrolled }
    }
}

/// Why the console could not answer.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The member lacks the role, or is inactive or unknown.
    #[error("not permitted")]
    NotPermitted,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ConsoleError);

/// Why a staff member's access was not changed.
#[derive(Debug, thiserror::Error)]
pub enum StaffAccessError {
    /// Only an admin changes access, and only a central admin a central admin's.
    #[error("not permitted")]
    NotPermitted,
    /// An office admin names a member of another office (R14).
    #[error("an office admin changes the access of their own office's staff only")]
    OutsideOffice,
    /// No member has this id.
    #[error("no such staff member")]
    NotFound,
    /// An admin cannot stop their own access, so that the last admin cannot lock everyone out.
    #[error("an admin cannot stop their own access")]
    OwnAccess,
    /// Another admin changed the member at the same moment; reload and try again.
    #[error("changed by someone else at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(StaffAccessError);

/// The most establishments one search shows; a longer list asks for a narrower name.
pub const ESTABLISHMENT_SEARCH_LIMIT: usize = 50;

impl MyPage {
    /// The member as the console shows them, if active: the console reads its roles to choose what to offer.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the store fails.
    pub async fn staff_view(&self, id: StaffId) -> Result<Option<StaffView>, InfrastructureError> {
        let mut tx = self.read().await?;
        Ok(tx.staff().get(id).await?.filter(|m| m.active()).map(StaffView::from))
    }

    /// Establishments of the member's own office whose name contains `fragment` (all of them, by number, when it
    /// is empty), at most [`ESTABLISHMENT_SEARCH_LIMIT`] (R12, R14). A fragment that is an establishment number
    /// finds that establishment, if it is the office's.
    ///
    /// # Errors
    /// [`ConsoleError::NotPermitted`] for an inactive or unknown member.
    pub async fn find_establishments(&self, by: StaffId, fragment: &str) -> Result<Vec<Establishment>, ConsoleError> {
        let mut tx = self.read().await?;
        let member = tx.staff().get(by).await?.filter(|m| m.active()).ok_or(ConsoleError::NotPermitted)?;
        let fragment = crate::text::nfkc(crate::text::trim(fragment));
        if let Ok(number) = crate::values::EstablishmentNumber::parse(&fragment) {
            let found = tx.establishments().by_number(&number).await?;
            return Ok(found.into_iter().filter(|e| &e.office() == member.office()).collect());
        }
        Ok(tx.establishments().search(member.office(), &fragment, ESTABLISHMENT_SEARCH_LIMIT).await?)
    }

    /// The staff members the admin administers, by office and login (R14): an office admin's own office, a
    /// central admin's every office.
    ///
    /// # Errors
    /// [`ConsoleError::NotPermitted`] for anyone but an admin.
    pub async fn staff_list(&self, by: StaffId) -> Result<Vec<StaffView>, ConsoleError> {
        let mut tx = self.read().await?;
        let scope = admin_scope(&mut tx, by).await?.ok_or(ConsoleError::NotPermitted)?;
        let all = tx.staff().all().await?;
        Ok(all.into_iter().filter(|m| scope.covers(m.office())).map(StaffView::from).collect())
    }

    /// The mails given up (dead), newest first, at most 200: for central admins (R16). Never their content.
    ///
    /// # Errors
    /// [`ConsoleError::NotPermitted`] for anyone but a central admin.
    pub async fn dead_mails(&self, by: StaffId) -> Result<Vec<MailSummary>, ConsoleError> {
        self.require_central_admin(by).await?;
        Ok(self.ports.outbox.list(Some(MailState::Dead), 200).await?)
    }

    /// A central admin puts a dead mail back in the queue from the console: [`MyPage::requeue_dead_mail`] with
    /// [`AdminActor::Staff`].
    ///
    /// # Errors
    /// [`ConsoleError::NotPermitted`] for anyone but a central admin.
    pub async fn requeue_mail(&self, by: StaffId, id: MailId, client: &ClientInfo) -> Result<bool, ConsoleError> {
        self.requeue_dead_mail(AdminActor::Staff(by), id, client).await
    }

    /// Puts a dead mail back in the queue, to be sent at once (R16), and records who did it (R15): a central admin
    /// at the console, or the operator at the command line ([`AdminActor::System`]). `false` when the mail is not
    /// dead (already re-queued, or unknown); nothing is recorded then.
    ///
    /// # Errors
    /// [`ConsoleError::NotPermitted`] for a member who is not a central admin.
    pub async fn requeue_dead_mail(
        &self,
        by: AdminActor,
        id: MailId,
        client: &ClientInfo,
    ) -> Result<bool, ConsoleError> {
        {
            let mut tx = self.read().await?;
            if !by.is_central(&mut tx).await? {
                return Err(ConsoleError::NotPermitted);
            }
        }
        if !self.ports.outbox.requeue(id, self.now()).await? {
            return Ok(false);
        }
        // The queue is not part of the unit of work: the audit event follows the requeue in its own transaction.
        let mut tx = self.begin().await?;
        self.audit(&mut tx, by.actor(), AuditAction::MailRequeued, format!("mail:{id}"), client).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Stops (`active == false`) or restores a staff member's access (R14). A stopped member cannot log in, and
    /// every session of theirs ends, for good: restoring the access later does not bring one back. Setting the
    /// state it already has records nothing (a stop still ends any session left).
    ///
    /// An office admin changes the access of its own office's members only, and a central admin's access is
    /// changed only by a central admin, so that nobody stops the admin above them.
    ///
    /// # Errors
    /// See [`StaffAccessError`].
    pub async fn set_staff_active(
        &self,
        by: StaffId,
        member: StaffId,
        active: bool,
        client: &ClientInfo,
    ) -> Result<(), StaffAccessError> {
        if by == member && !active {
            return Err(StaffAccessError::OwnAccess);
        }
        let mut tx = self.begin().await?;
        let scope = admin_scope(&mut tx, by).await?.ok_or(StaffAccessError::NotPermitted)?;
        let mut target = tx.staff().get(member).await?.ok_or(StaffAccessError::NotFound)?;
        if !scope.covers(target.office()) {
            return Err(StaffAccessError::OutsideOffice);
        }
        if !scope.may_manage(target.office(), target.roles()) {
            return Err(StaffAccessError::NotPermitted);
        }
        if target.active() != active {
            if active {
                target.reactivate();
            } else {
                target.deactivate();
            }
            match tx.staff().update(&target).await {
                Err(crate::ports::RepositoryError::Conflict) => return Err(StaffAccessError::Concurrent),
                other => other?,
            }
            let action = if active { AuditAction::StaffReactivated } else { AuditAction::StaffDeactivated };
            self.audit(&mut tx, Actor::Staff(by), action, format!("staff:{member}"), client).await?;
            tx.commit().await?;
        } else {
            // Nothing to change: the transaction ends here, before the session store is asked.
            drop(tx);
        }
        if !active {
            // After the commit, so that no login can open a session between the two.
            self.ports.sessions.end_all(SessionSubject::Staff(member)).await?;
        }
        Ok(())
    }

    async fn require_central_admin(&self, by: StaffId) -> Result<(), ConsoleError> {
        let mut tx = self.read().await?;
        if AdminActor::Staff(by).is_central(&mut tx).await? { Ok(()) } else { Err(ConsoleError::NotPermitted) }
    }
}
