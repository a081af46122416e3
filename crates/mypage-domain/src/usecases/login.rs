//! Logging in, for employers and for staff, with throttling per account and per client (R13, R14).
//!
//! A login takes two transactions with the password check between them, never inside one: the first reserves
//! the attempt against both limits and reads the account, the second records the outcome.

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::model::{
    AccountId, AccountStatus, Actor, AuditAction, ClientInfo, EstablishmentId, PasswordHash, StaffId, StaffLogin,
};
use crate::ports::{Hits, InfrastructureError, PasswordCheck, RepositoryError, ThrottleKey, Transaction};
use crate::usecases::auth_key::load_current_terms;
use crate::usecases::{MyPage, SecondFactorProof, infrastructure_from_repository, reopens_at};
use crate::values::{EmailAddress, OfficeCode, StaffRole, normalize_password};

/// An employer is logged in. The adapter renews the session id now (R13).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoggedIn {
    /// The account.
    pub account: AccountId,
    /// Provisional (may file a registration) or Active.
    pub status: AccountStatus,
    /// The establishment, when Active.
    pub establishment: Option<EstablishmentId>,
    /// A newer version of the terms was published after the account agreed: the adapter opens no employer session
    /// yet, but asks the employer to agree to the versions in force first ([`MyPage::agree_to_terms`], R1).
    pub must_agree_terms: bool,
}

/// Why an employer login failed. Unknown address, no password yet and wrong password are one answer (R8).
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The address and password do not match an account that may log in.
    #[error("the e-mail address or password is wrong")]
    InvalidCredentials,
    /// Too many failures for this address or from this client; try again at `retry_after` (R13).
    #[error("too many failed logins")]
    Throttled {
        /// When a login will be tried again.
        retry_after: DateTime<Utc>,
    },
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(LoginError);

/// A staff member is logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffLoggedIn {
    /// The member.
    pub staff: StaffId,
    /// Its office (R14).
    pub office: OfficeCode,
    /// Its roles.
    pub roles: Vec<StaffRole>,
    /// Its name.
    pub name: String,
    /// A second factor is required of it and it has none (R21): the login opens only enrolment, no staff session.
    pub must_enrol: bool,
}

/// Why a staff login failed.
#[derive(Debug, thiserror::Error)]
pub enum StaffLoginError {
    /// The login and password do not match an active member.
    #[error("the login or password is wrong")]
    InvalidCredentials,
    /// Too many failures (R13).
    #[error("too many failed logins")]
    Throttled {
        /// When a login will be tried again.
        retry_after: DateTime<Utc>,
    },
    /// The password was right and the member logs in with a second factor, which was not given (R21). The
    /// adapter may keep `staff` for the second step ([`MyPage::staff_second_factor`]).
    #[error("a second factor is required")]
    SecondFactorRequired {
        /// The member whose password was right.
        staff: StaffId,
    },
    /// The code or recovery code is wrong, or a code already used (R21). Counted like a wrong password.
    #[error("the second factor is wrong")]
    WrongSecondFactor,
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(StaffLoginError);

impl MyPage {
    /// An employer logs in with e-mail and password (R13). A stored hash with old parameters is upgraded (R5).
    ///
    /// # Errors
    /// See [`LoginError`].
    pub async fn login(
        &self,
        email: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<LoggedIn, LoginError> {
        let now = self.now();
        let password = normalize_password(password);
        let Ok(email) = EmailAddress::parse(email) else {
            return Err(LoginError::InvalidCredentials);
        };
        let subject_key = ThrottleKey::LoginFailures(email.clone());
        let mut tx = self.begin().await?;
        if let Some(retry_after) = self.reserve_attempt(&mut tx, &subject_key, client, now).await? {
            return Err(LoginError::Throttled { retry_after });
        }
        let account = tx.accounts().by_email(&email).await?.filter(|a| a.status().can_log_in());
        tx.commit().await?;
        let stored = account.as_ref().and_then(|a| a.password().cloned());
        let checked = self.check_password(&password, stored.as_ref()).await;
        let (check, rehash) = self.unless_shed(checked, &subject_key, client, now).await?;
        let mut tx = self.begin().await?;
        let (Some(mut account), PasswordCheck::Match { .. }) = (account, check) else {
            let audit_subject = format!("login:{}", email.masked());
            self.audit(&mut tx, Actor::Anonymous, AuditAction::LoginFailed, audit_subject, client).await?;
            tx.commit().await?;
            return Err(LoginError::InvalidCredentials);
        };
        self.release_attempt(&mut tx, &subject_key, client, now).await?;
        let subject = format!("account:{}", account.id());
        if let Some(hash) = rehash {
            account.replace_password(hash).map_err(|e| InfrastructureError::new(e.to_string()))?;
            tx.accounts().update(&account).await?;
            self.audit(&mut tx, Actor::Employer(account.id()), AuditAction::PasswordRehashed, subject.clone(), client)
                .await?;
        }
        self.audit(&mut tx, Actor::Employer(account.id()), AuditAction::LoginSucceeded, subject, client).await?;
        let current = load_current_terms(&mut tx).await?;
        tx.commit().await?;
        let must_agree_terms = current.is_some_and(|terms| account.consent().is_none_or(|c| !c.covers(&terms)));
        Ok(LoggedIn {
            account: account.id(),
            status: account.status(),
            establishment: account.establishment(),
            must_agree_terms,
        })
    }

    /// A staff member logs in with login name and password (R14), and no second factor: a member who needs one
    /// gets [`StaffLoginError::SecondFactorRequired`] (R21).
    ///
    /// # Errors
    /// See [`StaffLoginError`].
    pub async fn staff_login(
        &self,
        login: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<StaffLoggedIn, StaffLoginError> {
        self.staff_login_with(login, password, None, client).await
    }

    /// A staff member logs in with login name, password and, when a role requires one, a code or recovery code
    /// (R14, R21). A wrong second factor counts as a failed login.
    ///
    /// # Errors
    /// See [`StaffLoginError`].
    pub async fn staff_login_with(
        &self,
        login: &str,
        password: &SecretString,
        proof: Option<&SecondFactorProof>,
        client: &ClientInfo,
    ) -> Result<StaffLoggedIn, StaffLoginError> {
        let now = self.now();
        let password = normalize_password(password);
        let Ok(login) = StaffLogin::parse(login) else {
            return Err(StaffLoginError::InvalidCredentials);
        };
        let subject_key = ThrottleKey::StaffLoginFailures(login.clone());
        let mut tx = self.begin().await?;
        if let Some(retry_after) = self.reserve_attempt(&mut tx, &subject_key, client, now).await? {
            return Err(StaffLoginError::Throttled { retry_after });
        }
        let member = tx.staff().by_login(&login).await?.filter(|m| m.active());
        tx.commit().await?;
        let stored = member.as_ref().map(|m| m.password().clone());
        let checked = self.check_password(&password, stored.as_ref()).await;
        let (check, rehash) = self.unless_shed(checked, &subject_key, client, now).await?;
        let mut tx = self.begin().await?;
        let (Some(mut member), PasswordCheck::Match { .. }) = (member, check) else {
            let audit_subject = format!("staff-login:{}", login.as_str());
            self.audit(&mut tx, Actor::Anonymous, AuditAction::StaffLoginFailed, audit_subject, client).await?;
            tx.commit().await?;
            return Err(StaffLoginError::InvalidCredentials);
        };
        let second = match self.second_factor_gate(&mut tx, &mut member, proof, client, now).await? {
            Ok(second) => second,
            Err(refused) => {
                tx.commit().await?;
                return Err(refused);
            }
        };
        self.release_attempt(&mut tx, &subject_key, client, now).await?;
        let rehashed = rehash.is_some();
        if let Some(hash) = rehash {
            member.rehash_password(hash);
        }
        if rehashed || second.is_some() {
            tx.staff().update(&member).await?;
        }
        if let Some(action) = second {
            self.audit(&mut tx, Actor::Staff(member.id()), action, format!("staff:{}", member.id()), client).await?;
        }
        let must_enrol = self.needs_second_factor(&member) && !member.second_factor().is_enrolled();
        self.audit(
            &mut tx,
            Actor::Staff(member.id()),
            AuditAction::StaffLoggedIn,
            format!("staff:{}", member.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(StaffLoggedIn::of(&member, must_enrol))
    }

    /// Reserves this attempt against the subject's and the client's limits, counted and recorded as one step in the
    /// transaction that checks them, before the password is checked (R13): of any number of parallel guesses, only
    /// as many as the limits allow get a verification. The reservation is the failure's record: a failure keeps it,
    /// a success gives it back ([`Self::release_attempt`]), an attempt that dies between the two keeps it too.
    ///
    /// When either limit is reached, answers when the later of the refusing windows reopens; the caller then drops
    /// the transaction, so that a refused attempt reserves nothing.
    pub(super) async fn reserve_attempt(
        &self,
        tx: &mut Box<dyn Transaction>,
        subject: &ThrottleKey,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, RepositoryError> {
        let window = self.config.login_window;
        let refused = |reserved: Result<(), Hits>| reserved.err().map(|hits| reopens_at(hits, window, now));
        // The subject first, then the client, in every login, so that two logins never wait for each other's keys.
        let limit = self.config.login_failures_per_account;
        let by_subject = refused(tx.throttle().reserve(subject, now, now - window, limit).await?);
        let by_client = match client.ip {
            Some(ip) => {
                let (key, limit) = (ThrottleKey::ClientLoginFailures(ip), self.config.login_failures_per_client);
                refused(tx.throttle().reserve(&key, now, now - window, limit).await?)
            }
            None => None,
        };
        Ok(by_subject.max(by_client))
    }

    /// A login succeeded: the subject's failures are forgotten, as a success always did, and the client's
    /// reservation is given back, so that a client's successful logins never count towards its limit (an office
    /// behind one address logs many people in). The reservation was made at `now`, the attempt's start.
    pub(super) async fn release_attempt(
        &self,
        tx: &mut Box<dyn Transaction>,
        subject: &ThrottleKey,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<(), RepositoryError> {
        tx.throttle().clear(subject).await?;
        if let Some(ip) = client.ip {
            tx.throttle().release(&ThrottleKey::ClientLoginFailures(ip), now).await?;
        }
        Ok(())
    }

    /// A password check that the hasher refused at once because its queue was full
    /// ([`Overloaded`](crate::ports::Overloaded): nothing was checked) gives the attempt's reservation back, so that
    /// load shed never counts as a failed login (R13): a flood of logins from one office's address must not lock it
    /// out. Any other result passes unchanged. The give-back is best effort: if the store refuses it too, the
    /// reservation stays, as for an attempt that dies.
    pub(super) async fn unless_shed<T>(
        &self,
        checked: Result<T, InfrastructureError>,
        subject: &ThrottleKey,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<T, InfrastructureError> {
        let e = match checked {
            Err(e) if e.as_overloaded().is_some() => e,
            other => return other,
        };
        if let Ok(mut tx) = self.begin().await {
            let mut given_back = tx.throttle().release(subject, now).await;
            if let (Ok(()), Some(ip)) = (&given_back, client.ip) {
                given_back = tx.throttle().release(&ThrottleKey::ClientLoginFailures(ip), now).await;
            }
            if given_back.is_ok() {
                let _ = tx.commit().await;
            }
        }
        Err(e)
    }

    /// Verifies against the stored hash, or spends the same time when there is none (R8). On a match with old
    /// parameters, also returns a new hash (R5).
    async fn check_password(
        &self,
        password: &SecretString,
        stored: Option<&PasswordHash>,
    ) -> Result<(PasswordCheck, Option<PasswordHash>), InfrastructureError> {
        let Some(stored) = stored else {
            self.ports.hasher.verify_nothing(password).await?;
            return Ok((PasswordCheck::Mismatch, None));
        };
        let check = self.ports.hasher.verify(password, stored).await?;
        let rehash = match check {
            PasswordCheck::Match { needs_rehash: true } => Some(self.ports.hasher.hash(password).await?),
            _ => None,
        };
        Ok((check, rehash))
    }
}
