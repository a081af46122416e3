//! The staff's second factor (R21): enrolment with a secret shown once and confirmed by a first code, the check of
//! a code or a recovery code at login, counted by the login throttle and audited, and an admin's reset.
//!
//! Which members need one is a setting ([`crate::DomainConfig::staff_second_factor`]). A member who needs one and
//! has none logs in only into enrolment ([`StaffLoggedIn::must_enrol`]): the adapter opens no staff session until
//! enrolment is confirmed.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::model::{Actor, AuditAction, ClientInfo, SecondFactorState, SecondFactorStepError, StaffId, StaffMember};
use crate::ports::{DigestPurpose, Provisioning, RepositoryError, SessionSubject, ThrottleKey, Transaction};
use crate::usecases::{
    MyPage, StaffAccessError, StaffLoggedIn, StaffLoginError, admin_scope, infrastructure_from_repository,
};
use crate::values::Digest;

/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;

/// What a member gives besides the password (R21).
#[derive(Debug, Clone)]
pub enum SecondFactorProof {
    /// The six digits the authenticator app shows.
    Code(String),
    /// One of the recovery codes shown at enrolment; it works once.
    RecoveryCode(SecretString),
}

/// A new secret to show the member once (R21).
pub struct Enrolment {
    /// The secret as text and as the URI of a QR code.
    pub provisioning: Provisioning,
}

/// Enrolment is confirmed: the recovery codes, shown once, and the member now logged in.
pub struct RecoveryCodes {
    /// Each works once, in place of a code.
    pub codes: Vec<SecretString>,
    /// The member, whose session may now open.
    pub member: StaffLoggedIn,
}

/// Why an enrolment step was refused.
#[derive(Debug, thiserror::Error)]
pub enum EnrolmentError {
    /// The member is unknown or stopped.
    #[error("not permitted")]
    NotPermitted,
    /// The member has a second factor already; an admin resets it first.
    #[error("already enrolled")]
    AlreadyEnrolled,
    /// No secret was shown: start again.
    #[error("enrolment was not started")]
    NotStarted,
    /// The code is not the current one of the secret shown.
    #[error("the code does not match")]
    WrongCode,
    /// Changed at the same moment elsewhere; start again.
    #[error("changed by someone else at the same time")]
    Concurrent,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] crate::ports::InfrastructureError),
}
infrastructure_from_repository!(EnrolmentError);

/// Recovery codes are compared as typed by a person: width, case, spaces and hyphens do not matter.
fn normalize_recovery_code(raw: &str) -> SecretString {
    let folded = crate::text::fold_width(raw);
    let code: String = folded.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    SecretString::from(code)
}

impl MyPage {
    /// Whether `member` logs in with a second factor (R21).
    pub(super) fn needs_second_factor(&self, member: &StaffMember) -> bool {
        self.config.requires_second_factor(member.roles())
    }

    /// The second factor of a login whose password was right (R21). For a member who needs none, or who must
    /// enrol, passes. Otherwise checks `proof` and records its use on `member` (which the caller stores) and
    /// returns the audit action of the success; a refusal is audited in `tx` and, for a missing proof, the
    /// client's reservation is given back (the password was right) while the account's stays until the second
    /// factor is given.
    pub(super) async fn second_factor_gate(
        &self,
        tx: &mut Box<dyn Transaction>,
        member: &mut StaffMember,
        proof: Option<&SecondFactorProof>,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Result<Option<AuditAction>, StaffLoginError>, RepositoryError> {
        if !self.needs_second_factor(member) {
            return Ok(Ok(None));
        }
        let SecondFactorState::Enrolled { secret, last_step, .. } = member.second_factor().clone() else {
            return Ok(Ok(None));
        };
        let subject = format!("staff:{}", member.id());
        let Some(proof) = proof else {
            if let Some(ip) = client.ip {
                tx.throttle().release(&ThrottleKey::ClientLoginFailures(ip), now).await?;
            }
            return Ok(Err(StaffLoginError::SecondFactorRequired { staff: member.id() }));
        };
        let used = match proof {
            SecondFactorProof::Code(code) => {
                let step = self.ports.second_factor.verify(&secret, code, now, Some(last_step));
                let used = step.and_then(|step| member.second_factor_mut().use_code(step).ok());
                used.map(|()| AuditAction::SecondFactorUsed)
            }
            SecondFactorProof::RecoveryCode(code) => {
                let digest = self.recovery_digest(code.expose_secret());
                let spent = member.second_factor_mut().use_recovery_code(&digest);
                spent.ok().map(|()| AuditAction::RecoveryCodeUsed)
            }
        };
        match used {
            Some(action) => Ok(Ok(Some(action))),
            None => {
                self.audit(tx, Actor::Anonymous, AuditAction::SecondFactorFailed, subject, client).await?;
                Ok(Err(StaffLoginError::WrongSecondFactor))
            }
        }
    }

    fn recovery_digest(&self, raw: &str) -> Digest {
        self.ports.digest.digest(DigestPurpose::RecoveryCode, &normalize_recovery_code(raw))
    }

    /// The second step of a staff login (R21): the member `staff`, whose password was right a moment ago (the
    /// adapter kept its id from [`StaffLoginError::SecondFactorRequired`]), gives a code or a recovery code.
    /// Counted by the same throttle as the password.
    ///
    /// # Errors
    /// See [`StaffLoginError`]; `InvalidCredentials` when the member is gone or stopped.
    pub async fn staff_second_factor(
        &self,
        staff: StaffId,
        proof: &SecondFactorProof,
        client: &ClientInfo,
    ) -> Result<StaffLoggedIn, StaffLoginError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let Some(mut member) = tx.staff().get(staff).await?.filter(StaffMember::active) else {
            return Err(StaffLoginError::InvalidCredentials);
        };
        let subject_key = ThrottleKey::StaffLoginFailures(member.login().clone());
        if let Some(retry_after) = self.reserve_attempt(&mut tx, &subject_key, client, now).await? {
            return Err(StaffLoginError::Throttled { retry_after });
        }
        let action = match self.second_factor_gate(&mut tx, &mut member, Some(proof), client, now).await? {
            Ok(action) => action,
            Err(refused) => {
                tx.commit().await?;
                return Err(refused);
            }
        };
        self.release_attempt(&mut tx, &subject_key, client, now).await?;
        let subject = format!("staff:{}", member.id());
        if let Some(action) = action {
            tx.staff().update(&member).await?;
            self.audit(&mut tx, Actor::Staff(member.id()), action, subject.clone(), client).await?;
        }
        self.audit(&mut tx, Actor::Staff(member.id()), AuditAction::StaffLoggedIn, subject, client).await?;
        tx.commit().await?;
        Ok(StaffLoggedIn::of(&member, false))
    }

    /// A member without a second factor is shown a new secret, once (R21). Starting again replaces the secret.
    ///
    /// # Errors
    /// See [`EnrolmentError`].
    pub async fn begin_second_factor_enrolment(&self, staff: StaffId) -> Result<Enrolment, EnrolmentError> {
        let mut tx = self.begin().await?;
        let mut member =
            tx.staff().get(staff).await?.filter(StaffMember::active).ok_or(EnrolmentError::NotPermitted)?;
        let secret = self.ports.second_factor.new_secret();
        let provisioning = self.ports.second_factor.provisioning(&secret, member.login().as_str());
        member.second_factor_mut().start_enrolment(secret).map_err(|_| EnrolmentError::AlreadyEnrolled)?;
        update_enrolling(&mut tx, &member).await?;
        tx.commit().await?;
        Ok(Enrolment { provisioning })
    }

    /// The member confirms the secret shown with its current code: enrolled, with recovery codes shown once
    /// (R21); the member is now logged in.
    ///
    /// # Errors
    /// See [`EnrolmentError`].
    pub async fn confirm_second_factor_enrolment(
        &self,
        staff: StaffId,
        code: &str,
        client: &ClientInfo,
    ) -> Result<RecoveryCodes, EnrolmentError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        let mut member =
            tx.staff().get(staff).await?.filter(StaffMember::active).ok_or(EnrolmentError::NotPermitted)?;
        let step = match member.second_factor() {
            SecondFactorState::Enrolling { secret } => self.ports.second_factor.verify(secret, code, now, None),
            SecondFactorState::Enrolled { .. } => return Err(EnrolmentError::AlreadyEnrolled),
            SecondFactorState::NotEnrolled => return Err(EnrolmentError::NotStarted),
        };
        let step = step.ok_or(EnrolmentError::WrongCode)?;
        let codes: Vec<SecretString> = (0..RECOVERY_CODES).map(|_| self.ports.second_factor.recovery_code()).collect();
        let digests = codes.iter().map(|c| self.recovery_digest(c.expose_secret())).collect();
        member.second_factor_mut().confirm_enrolment(step, digests).map_err(|e| match e {
            SecondFactorStepError::AlreadyEnrolled => EnrolmentError::AlreadyEnrolled,
            _ => EnrolmentError::NotStarted,
        })?;
        update_enrolling(&mut tx, &member).await?;
        let subject = format!("staff:{}", member.id());
        self.audit(&mut tx, Actor::Staff(member.id()), AuditAction::SecondFactorEnrolled, subject, client).await?;
        tx.commit().await?;
        Ok(RecoveryCodes { codes, member: StaffLoggedIn::of(&member, false) })
    }

    /// An admin resets a member's second factor (R21): the member enrols again at the next login, and every
    /// session of theirs ends. The same admins who may stop a member's access may reset it (R14).
    ///
    /// # Errors
    /// See [`StaffAccessError`].
    pub async fn reset_second_factor(
        &self,
        by: StaffId,
        member: StaffId,
        client: &ClientInfo,
    ) -> Result<(), StaffAccessError> {
        let mut tx = self.begin().await?;
        let scope = admin_scope(&mut tx, by).await?.ok_or(StaffAccessError::NotPermitted)?;
        let mut target = tx.staff().get(member).await?.ok_or(StaffAccessError::NotFound)?;
        if !scope.covers(target.office()) {
            return Err(StaffAccessError::OutsideOffice);
        }
        if !scope.may_manage(target.office(), target.roles()) {
            return Err(StaffAccessError::NotPermitted);
        }
        target.second_factor_mut().reset();
        match tx.staff().update(&target).await {
            Err(RepositoryError::Conflict) => return Err(StaffAccessError::Concurrent),
            other => other?,
        }
        self.audit(&mut tx, Actor::Staff(by), AuditAction::SecondFactorReset, format!("staff:{member}"), client)
            .await?;
        tx.commit().await?;
        // After the commit, so that no login with the old factor opens a session between the two.
        self.ports.sessions.end_all(SessionSubject::Staff(member)).await?;
        Ok(())
    }
}

async fn update_enrolling(tx: &mut Box<dyn Transaction>, member: &StaffMember) -> Result<(), EnrolmentError> {
    match tx.staff().update(member).await {
        Err(RepositoryError::Conflict) => Err(EnrolmentError::Concurrent),
        other => Ok(other?),
    }
}

impl StaffLoggedIn {
    /// The answer of a login of `member`.
    pub(super) fn of(member: &StaffMember, must_enrol: bool) -> Self {
        Self {
            staff: member.id(),
            office: member.office().clone(),
            roles: member.roles().to_vec(),
            name: member.name().to_owned(),
            must_enrol,
        }
    }
}
