//! Logging in, for employers and for staff, with throttling per account and per client (R13, R14).

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::model::{
    AccountId, AccountStatus, Actor, AuditAction, ClientInfo, EstablishmentId, PasswordHash, StaffId, StaffLogin,
};
use crate::ports::{InfrastructureError, PasswordCheck, ThrottleKey, Transaction};
use crate::usecases::{MyPage, infrastructure_from_repository, throttled};
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
        if let Some(retry_after) = self.login_throttled(&mut tx, &subject_key, client, now).await? {
            return Err(LoginError::Throttled { retry_after });
        }
        let account = tx.accounts().by_email(&email).await?.filter(|a| a.status().can_log_in());
        drop(tx);
        let stored = account.as_ref().and_then(|a| a.password().cloned());
        let (check, rehash) = self.check_password(&password, stored.as_ref()).await?;
        let mut tx = self.begin().await?;
        let (Some(mut account), PasswordCheck::Match { .. }) = (account, check) else {
            self.record_failure(
                &mut tx,
                &subject_key,
                client,
                now,
                AuditAction::LoginFailed,
                format!("login:{}", email.masked()),
            )
            .await?;
            tx.commit().await?;
            return Err(LoginError::InvalidCredentials);
        };
        tx.throttle().clear(&subject_key).await?;
        let subject = format!("account:{}", account.id());
        if let Some(hash) = rehash {
            account.replace_password(hash).map_err(|e| InfrastructureError::new(e.to_string()))?;
            tx.accounts().update(&account).await?;
            self.audit(&mut tx, Actor::Employer(account.id()), AuditAction::PasswordRehashed, subject.clone(), client)
                .await?;
        }
        self.audit(&mut tx, Actor::Employer(account.id()), AuditAction::LoginSucceeded, subject, client).await?;
        tx.commit().await?;
        Ok(LoggedIn { account: account.id(), status: account.status(), establishment: account.establishment() })
    }

    /// A staff member logs in with login name and password (R14).
    ///
    /// # Errors
    /// See [`StaffLoginError`].
    pub async fn staff_login(
        &self,
        login: &str,
        password: &SecretString,
        client: &ClientInfo,
    ) -> Result<StaffLoggedIn, StaffLoginError> {
        let now = self.now();
        let password = normalize_password(password);
        let Ok(login) = StaffLogin::parse(login) else {
            return Err(StaffLoginError::InvalidCredentials);
        };
        let subject_key = ThrottleKey::StaffLoginFailures(login.clone());
        let mut tx = self.begin().await?;
        if let Some(retry_after) = self.login_throttled(&mut tx, &subject_key, client, now).await? {
            return Err(StaffLoginError::Throttled { retry_after });
        }
        let member = tx.staff().by_login(&login).await?.filter(|m| m.active());
        drop(tx);
        let stored = member.as_ref().map(|m| m.password().clone());
        let (check, rehash) = self.check_password(&password, stored.as_ref()).await?;
        let mut tx = self.begin().await?;
        let (Some(mut member), PasswordCheck::Match { .. }) = (member, check) else {
            self.record_failure(
                &mut tx,
                &subject_key,
                client,
                now,
                AuditAction::StaffLoginFailed,
                format!("staff-login:{}", login.as_str()),
            )
            .await?;
            tx.commit().await?;
            return Err(StaffLoginError::InvalidCredentials);
        };
        tx.throttle().clear(&subject_key).await?;
        if let Some(hash) = rehash {
            member.rehash_password(hash);
            tx.staff().update(&member).await?;
        }
        self.audit(
            &mut tx,
            Actor::Staff(member.id()),
            AuditAction::StaffLoggedIn,
            format!("staff:{}", member.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(StaffLoggedIn {
            staff: member.id(),
            office: member.office().clone(),
            roles: member.roles().to_vec(),
            name: member.name().to_owned(),
        })
    }

    /// When the subject or the client has failed too often in the window, when it may try again.
    async fn login_throttled(
        &self,
        tx: &mut Box<dyn Transaction>,
        subject: &ThrottleKey,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, crate::ports::RepositoryError> {
        let window = self.config.login_window;
        let by_subject = throttled(tx, subject, self.config.login_failures_per_account, window, now).await?;
        let by_client = match client.ip {
            Some(ip) => {
                throttled(tx, &ThrottleKey::ClientLoginFailures(ip), self.config.login_failures_per_client, window, now)
                    .await?
            }
            None => None,
        };
        Ok(by_subject.max(by_client))
    }

    async fn record_failure(
        &self,
        tx: &mut Box<dyn Transaction>,
        subject: &ThrottleKey,
        client: &ClientInfo,
        now: DateTime<Utc>,
        action: AuditAction,
        audit_subject: String,
    ) -> Result<(), crate::ports::RepositoryError> {
        tx.throttle().hit(subject, now).await?;
        if let Some(ip) = client.ip {
            tx.throttle().hit(&ThrottleKey::ClientLoginFailures(ip), now).await?;
        }
        self.audit(tx, Actor::Anonymous, action, audit_subject, client).await
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
