//! The account's care (R19): a logged-in employer changes its password, sees and ends its sessions, and closes its
//! account. Changing the address, which needs an auth key, is in `email_change`.
//!
//! Every step that changes something asks for the current password first, checked as a login is: throttled with
//! the account's login-failure key and the client's, and verified between transactions, never inside one (R13).

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::model::{
    Account, AccountId, Actor, AuditAction, ClientInfo, MailTemplate, PasswordChange, RegistrationStatus,
};
use crate::ports::{InfrastructureError, PasswordCheck, RepositoryError, SessionSubject, ThrottleKey, Transaction};
use crate::usecases::{MyPage, infrastructure_from_repository};
use crate::values::{NewPassword, PasswordPolicyErrors, normalize_password};

/// Why the current password did not let a step go on.
#[derive(Debug, thiserror::Error)]
pub enum CurrentPasswordError {
    /// The current password is wrong. Counted like a failed login (R13).
    #[error("the current password is wrong")]
    WrongPassword,
    /// Too many wrong passwords for this account or from this client; try again at `retry_after` (R13).
    #[error("too many wrong passwords")]
    Throttled {
        /// When the password will be checked again.
        retry_after: DateTime<Utc>,
    },
    /// The account cannot log in (closed, or gone): the session that asked is stale.
    #[error("the account can no longer log in")]
    NotLoggedIn,
}

/// Why the password was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangePasswordError {
    /// The current password did not let it go on.
    #[error(transparent)]
    Current(CurrentPasswordError),
    /// The new password breaks the rule (R5), each refusal named; the current one was not checked.
    #[error(transparent)]
    Password(PasswordPolicyErrors),
    /// Another change to the account came in between; nothing was written.
    #[error("the account changed meanwhile")]
    Conflict,
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ChangePasswordError);

/// Why the account was not closed.
#[derive(Debug, thiserror::Error)]
pub enum CloseAccountError {
    /// The current password did not let it go on.
    #[error(transparent)]
    Current(CurrentPasswordError),
    /// Another change to the account or its registrations came in between; nothing was written.
    #[error("the account changed meanwhile")]
    Conflict,
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(CloseAccountError);

/// Why a session was not ended.
#[derive(Debug, thiserror::Error)]
pub enum EndSessionError {
    /// No live session of this account has that handle (another account's session is not found either).
    #[error("no such session")]
    NotFound,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(EndSessionError);

/// One live session of an account, as ログイン中の端末 lists it (R19).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// Its name on pages and in the API ([`crate::ports::Session::handle`]); never its id.
    pub handle: String,
    /// When it was opened (the login).
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: DateTime<Utc>,
    /// The client that opened it.
    pub client: ClientInfo,
}

impl MyPage {
    /// パスワードの変更 (R19): with the current password, a new one by the rule of registration (R5). The employer is
    /// mailed a notice, and every session of the account ends, so that whoever knew the old password is logged out;
    /// the adapter then opens a fresh session for the browser or client that made the change.
    ///
    /// # Errors
    /// See [`ChangePasswordError`].
    pub async fn change_password(
        &self,
        account: AccountId,
        current: &SecretString,
        new: &SecretString,
        confirmation: &SecretString,
        client: &ClientInfo,
    ) -> Result<(), ChangePasswordError> {
        let mut tx = self.read().await?;
        let found = tx.accounts().get(account).await?.filter(|a| a.status().can_log_in());
        drop(tx);
        let found = found.ok_or(ChangePasswordError::Current(CurrentPasswordError::NotLoggedIn))?;
        let password = NewPassword::parse_all(new, confirmation, found.email(), self.config.password_policy)
            .map_err(ChangePasswordError::Password)?;
        let proven = self.prove_current(account, current, client).await?.map_err(ChangePasswordError::Current)?;
        let hash = self.ports.hasher.hash(password.secret()).await?;
        let now = self.now();
        let mut tx = self.begin().await?;
        let mut account = fresh(&mut tx, &proven).await?.ok_or(ChangePasswordError::Conflict)?;
        account.change_password(hash).map_err(|_| ChangePasswordError::Current(CurrentPasswordError::NotLoggedIn))?;
        match tx.accounts().update(&account).await {
            Err(RepositoryError::Conflict) => return Err(ChangePasswordError::Conflict),
            other => other?,
        }
        let (office_name, office_phone) = office_of(&mut tx, &account).await?;
        let how = PasswordChange::ChangedWhileLoggedIn;
        self.mail(&mut tx, account.email(), MailTemplate::PasswordChanged { at: now, how, office_name, office_phone })
            .await?;
        let subject = format!("account:{}", account.id());
        self.audit(&mut tx, Actor::Employer(account.id()), AuditAction::PasswordChanged, subject, client).await?;
        tx.commit().await?;
        // After the commit, so that no login with the old password slips in between (as a reset does, R17).
        self.ports.sessions.end_all(SessionSubject::Employer(account.id())).await?;
        Ok(())
    }

    /// ログイン中の端末 (R19): the account's live sessions, browsers and API clients, newest first.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the session store fails.
    pub async fn sessions(&self, account: AccountId) -> Result<Vec<SessionView>, InfrastructureError> {
        let live = self.ports.sessions.for_subject(SessionSubject::Employer(account), self.now()).await?;
        Ok(live
            .into_iter()
            .map(|s| SessionView {
                handle: s.handle(),
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                client: s.client,
            })
            .collect())
    }

    /// Ends the account's session named `handle` (R19), and tells the account's address. A handle of another account's
    /// session ends nothing.
    ///
    /// # Errors
    /// See [`EndSessionError`].
    pub async fn end_session(
        &self,
        account: AccountId,
        handle: &str,
        client: &ClientInfo,
    ) -> Result<(), EndSessionError> {
        let subject = SessionSubject::Employer(account);
        let live = self.ports.sessions.for_subject(subject, self.now()).await?;
        let target = live.into_iter().find(|s| s.handle() == handle).ok_or(EndSessionError::NotFound)?;
        if !self.ports.sessions.end(subject, &target.id).await? {
            return Err(EndSessionError::NotFound);
        }
        let mut tx = self.begin().await?;
        let audit_subject = format!("account:{account}");
        self.audit(&mut tx, Actor::Employer(account), AuditAction::SessionEnded, audit_subject, client).await?;
        self.mail_sessions_ended(&mut tx, account, 1).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tells the account's address that `ended` of its sessions were logged out (R19), in the audit's transaction.
    async fn mail_sessions_ended(
        &self,
        tx: &mut Box<dyn Transaction>,
        account: AccountId,
        ended: u64,
    ) -> Result<(), RepositoryError> {
        let Some(holder) = tx.accounts().get(account).await?.filter(|_| ended > 0) else { return Ok(()) };
        let (office_name, office_phone) = office_of(tx, &holder).await?;
        let notice = MailTemplate::SessionsEnded { ended, at: self.now(), office_name, office_phone };
        self.mail(tx, holder.email(), notice).await
    }

    /// Ends every session of the account but the one named `keep`, the employer's own (R19); answers how many ended.
    /// The account's address is told when any did.
    ///
    /// # Errors
    /// [`InfrastructureError`] when a store fails.
    pub async fn end_other_sessions(
        &self,
        account: AccountId,
        keep: &str,
        client: &ClientInfo,
    ) -> Result<u64, InfrastructureError> {
        let subject = SessionSubject::Employer(account);
        let live = self.ports.sessions.for_subject(subject, self.now()).await?;
        let mut ended = 0;
        for other in live.iter().filter(|s| s.handle() != keep) {
            if self.ports.sessions.end(subject, &other.id).await? {
                ended += 1;
            }
        }
        let mut tx = self.begin().await?;
        let audit_subject = format!("account:{account}");
        self.audit(&mut tx, Actor::Employer(account), AuditAction::SessionsEnded, audit_subject, client).await?;
        self.mail_sessions_ended(&mut tx, account, ended).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// アカウントの削除（利用の停止） (R19): with the current password. Every open registration of the account is
    /// withdrawn and leaves the office's queue; the account is Closed (it keeps its row, its registrations and its
    /// audit trail for the office's records, R15, and frees its address); it is mailed a notice; every session ends.
    ///
    /// # Errors
    /// See [`CloseAccountError`].
    pub async fn close_account(
        &self,
        account: AccountId,
        current: &SecretString,
        client: &ClientInfo,
    ) -> Result<(), CloseAccountError> {
        let proven = self.prove_current(account, current, client).await?.map_err(CloseAccountError::Current)?;
        let now = self.now();
        let mut tx = self.begin().await?;
        let mut account = fresh(&mut tx, &proven).await?.ok_or(CloseAccountError::Conflict)?;
        let actor = Actor::Employer(account.id());
        for mut registration in tx.registrations().for_account(account.id()).await? {
            if !registration.status().is_open() {
                continue;
            }
            registration.withdraw(now).map_err(|e| InfrastructureError::new(e.to_string()))?;
            match tx.registrations().update(&registration).await {
                Err(RepositoryError::Conflict) => return Err(CloseAccountError::Conflict),
                other => other?,
            }
            debug_assert_eq!(registration.status(), &RegistrationStatus::Withdrawn);
            let subject = format!("registration:{}", registration.id());
            self.audit(&mut tx, actor, AuditAction::RegistrationWithdrawn, subject, client).await?;
        }
        account.close().map_err(|_| CloseAccountError::Current(CurrentPasswordError::NotLoggedIn))?;
        match tx.accounts().update(&account).await {
            Err(RepositoryError::Conflict) => return Err(CloseAccountError::Conflict),
            other => other?,
        }
        let (office_name, office_phone) = office_of(&mut tx, &account).await?;
        self.mail(&mut tx, account.email(), MailTemplate::AccountClosed { at: now, office_name, office_phone }).await?;
        self.audit(&mut tx, actor, AuditAction::AccountClosed, format!("account:{}", account.id()), client).await?;
        tx.commit().await?;
        self.ports.sessions.end_all(SessionSubject::Employer(account.id())).await?;
        Ok(())
    }

    /// Checks the current password of a logged-in employer as a login checks it (R13): the attempt is reserved
    /// against the account's and the client's limits first, the hash verified with no transaction open, and a
    /// failure keeps its reservation while a success gives it back. Answers the account as it was read.
    pub(super) async fn prove_current(
        &self,
        id: AccountId,
        current: &SecretString,
        client: &ClientInfo,
    ) -> Result<Result<Account, CurrentPasswordError>, InfrastructureError> {
        let now = self.now();
        let password = normalize_password(current);
        let mut tx = self.begin().await?;
        let Some(account) = tx.accounts().get(id).await?.filter(|a| a.status().can_log_in()) else {
            return Ok(Err(CurrentPasswordError::NotLoggedIn));
        };
        let key = ThrottleKey::LoginFailures(account.email().clone());
        if let Some(retry_after) = self.reserve_attempt(&mut tx, &key, client, now).await? {
            return Ok(Err(CurrentPasswordError::Throttled { retry_after }));
        }
        tx.commit().await?;
        let check = match account.password() {
            Some(stored) => self.ports.hasher.verify(&password, stored).await,
            None => self.ports.hasher.verify_nothing(&password).await.map(|()| PasswordCheck::Mismatch),
        };
        let check = self.unless_shed(check, &key, client, now).await?;
        let mut tx = self.begin().await?;
        let subject = format!("account:{id}");
        if !matches!(check, PasswordCheck::Match { .. }) {
            self.audit(&mut tx, Actor::Employer(id), AuditAction::LoginFailed, subject, client).await?;
            tx.commit().await?;
            return Ok(Err(CurrentPasswordError::WrongPassword));
        }
        self.release_attempt(&mut tx, &key, client, now).await?;
        tx.commit().await?;
        Ok(Ok(account))
    }
}

/// The account as stored now, if it is still the copy the password was proven against (no change in between).
async fn fresh(tx: &mut Box<dyn Transaction>, proven: &Account) -> Result<Option<Account>, RepositoryError> {
    Ok(tx.accounts().get(proven.id()).await?.filter(|a| a.version() == proven.version()))
}

/// The name and phone of the office of jurisdiction of the account's establishment, which a care mail tells the
/// employer to call if it was not them; `None` for an account not yet linked to one.
pub(super) async fn office_of(
    tx: &mut Box<dyn Transaction>,
    account: &Account,
) -> Result<(Option<String>, Option<String>), RepositoryError> {
    let establishment = match account.establishment() {
        Some(id) => tx.establishments().get(id).await?,
        None => None,
    };
    let office = match establishment {
        Some(e) => tx.offices().get(&e.office()).await?,
        None => None,
    };
    Ok((office.as_ref().map(|o| o.name().to_owned()), office.as_ref().and_then(|o| o.phone()).map(str::to_owned)))
}
