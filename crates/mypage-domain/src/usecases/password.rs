//! Setting a password with an auth key: opening My Page (case A), signing up (cases B and C) and
//! resetting a forgotten password (R4, R5, R6, R17).

use secrecy::SecretString;

use crate::model::{
    Account, AccountId, AccountStatus, Actor, AuditAction, AuthFlow, ClientInfo, DeathCause, FlowPurpose, FlowTarget,
    KeyCheckError, MailTemplate, PasswordChange, PasswordHash,
};
use crate::ports::{
    Digest, DigestPurpose, InfrastructureError, RepositoryError, SessionSubject, ThrottleKey, Transaction, Unique,
};
use crate::usecases::{MyPage, infrastructure_from_repository};
use crate::values::{AuthKey, AuthKeyError, NewPassword, PasswordPolicyErrors};

/// What the パスワード登録 screen sends.
#[derive(Debug)]
pub struct PasswordEntry {
    /// The flow token held by this browser session (R4).
    pub flow_token: SecretString,
    /// The key as typed.
    pub auth_key: SecretString,
    /// 新しいパスワード.
    pub password: SecretString,
    /// 新しいパスワード（確認用）.
    pub confirmation: SecretString,
}

/// The password is set; the completion screen leads to login (R6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRegistered {
    /// The account.
    pub account: AccountId,
    /// Its status now: Active (case A, reset of an Active account) or Provisional (sign-up).
    pub status: AccountStatus,
}

/// Why a key was not redeemed. Each but `InvalidKey` and `WrongKey` means: start again from the beginning (R3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyRedemptionError {
    /// This browser session has no flow for this screen (R4: the screen was closed, or another browser).
    #[error("no flow for this session")]
    FlowNotFound,
    /// The key is malformed; not counted as an attempt.
    #[error(transparent)]
    InvalidKey(AuthKeyError),
    /// Not a key of this flow.
    #[error("wrong auth key; {remaining} attempts remain")]
    WrongKey {
        /// Attempts left.
        remaining: u8,
    },
    /// The key has expired (R3).
    #[error("the auth key has expired")]
    KeyExpired,
    /// This was the fifth wrong key: the flow is dead (R3).
    #[error("too many wrong auth keys")]
    TooManyWrongKeys,
    /// The flow is dead (superseded by a newer one, expired, or too many wrong keys before).
    #[error("the flow can no longer be used")]
    FlowDead(DeathCause),
    /// The key was used already (R6).
    #[error("the auth key has already been used")]
    AlreadyUsed,
}

impl From<KeyCheckError> for KeyRedemptionError {
    fn from(e: KeyCheckError) -> Self {
        match e {
            KeyCheckError::WrongKey { remaining } => Self::WrongKey { remaining },
            KeyCheckError::Expired => Self::KeyExpired,
            KeyCheckError::TooManyWrongKeys => Self::TooManyWrongKeys,
            KeyCheckError::Dead(cause) => Self::FlowDead(cause),
            KeyCheckError::Spent => Self::AlreadyUsed,
        }
    }
}

/// Why opening My Page or signing up failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterPasswordError {
    /// The key was not redeemed.
    #[error(transparent)]
    Key(KeyRedemptionError),
    /// The password breaks the rule (R5), each refusal named; the key was not checked, so no attempt was spent.
    #[error(transparent)]
    Password(PasswordPolicyErrors),
    /// Between the key request and now, an account was opened with this address.
    #[error("an account already uses this e-mail address")]
    EmailTaken,
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(RegisterPasswordError);

/// Why a password reset failed (R17).
#[derive(Debug, thiserror::Error)]
pub enum ResetPasswordError {
    /// The key was not redeemed.
    #[error(transparent)]
    Key(KeyRedemptionError),
    /// The password breaks the rule (R5), each refusal named.
    #[error(transparent)]
    Password(PasswordPolicyErrors),
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ResetPasswordError);

/// The shared failure of the two steps below, mapped into each use case's own enum.
enum Refusal {
    Key(KeyRedemptionError),
    Password(PasswordPolicyErrors),
    Infrastructure(InfrastructureError),
    /// A concurrent change to the flow; the step is tried again.
    Conflict,
}

impl From<RepositoryError> for Refusal {
    fn from(e: RepositoryError) -> Self {
        Self::Infrastructure(e.into())
    }
}

impl From<InfrastructureError> for Refusal {
    fn from(e: InfrastructureError) -> Self {
        Self::Infrastructure(e)
    }
}

macro_rules! refusal_into {
    ($($error:ident),+) => {$(
        impl From<Refusal> for $error {
            fn from(r: Refusal) -> Self {
                match r {
                    Refusal::Key(e) => Self::Key(e),
                    Refusal::Password(e) => Self::Password(e),
                    Refusal::Infrastructure(e) => Self::Infrastructure(e),
                    Refusal::Conflict => Self::Infrastructure(InfrastructureError::new("a concurrent change to the flow")),
                }
            }
        }
    )+};
}
refusal_into!(RegisterPasswordError, ResetPasswordError);

/// A key proven right and a password hashed, not yet applied.
struct Proven {
    token: Digest,
    key: Digest,
    hash: PasswordHash,
}

impl MyPage {
    /// パスワード登録: redeems the key of an open-My-Page or sign-up flow and sets the password.
    /// Case A: the counter-registered account becomes Active. Cases B and C: a Provisional account is opened.
    /// The key and the flow are spent (R6).
    ///
    /// # Errors
    /// See [`RegisterPasswordError`].
    pub async fn register_password(
        &self,
        entry: &PasswordEntry,
        client: &ClientInfo,
    ) -> Result<PasswordRegistered, RegisterPasswordError> {
        let proven = self.prove(entry, &[FlowPurpose::OpenMyPage, FlowPurpose::SignUp], client).await?;
        let (mut tx, flow) = self.reopen(&proven).await?;
        let Some(consent) = flow.consent() else {
            return Err(InfrastructureError::new("a flow for a new account has no stored consent").into());
        };
        let account = match flow.target() {
            FlowTarget::Key { account: Some(id) } => {
                let mut account = tx
                    .accounts()
                    .get(id)
                    .await?
                    // A key mailed to an address the account no longer has (corrected at the counter) opens nothing.
                    .filter(|a| a.email() == flow.email())
                    .ok_or(RegisterPasswordError::Key(KeyRedemptionError::FlowNotFound))?;
                account
                    .set_first_password(proven.hash, consent)
                    .map_err(|_| RegisterPasswordError::Key(KeyRedemptionError::AlreadyUsed))?;
                tx.accounts().update(&account).await?;
                account
            }
            FlowTarget::Key { account: None } => {
                let account = Account::opened_online(
                    self.new_id(AccountId::from_bytes),
                    flow.email().clone(),
                    proven.hash,
                    consent,
                    self.now(),
                );
                match tx.accounts().insert(&account).await {
                    Err(RepositoryError::Duplicate(Unique::AccountEmail)) => {
                        return Err(RegisterPasswordError::EmailTaken);
                    }
                    other => other?,
                }
                account
            }
            FlowTarget::Notice { .. } | FlowTarget::Nothing => {
                return Err(RegisterPasswordError::Key(KeyRedemptionError::FlowNotFound));
            }
        };
        self.audit(
            &mut tx,
            Actor::Employer(account.id()),
            AuditAction::PasswordRegistered,
            format!("account:{}", account.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        Ok(PasswordRegistered { account: account.id(), status: account.status() })
    }

    /// Resets a forgotten password with the key of a reset flow (R17). Earlier login failures are forgotten and the
    /// employer is mailed a notice of the change.
    ///
    /// # Errors
    /// See [`ResetPasswordError`].
    pub async fn reset_password(
        &self,
        entry: &PasswordEntry,
        client: &ClientInfo,
    ) -> Result<PasswordRegistered, ResetPasswordError> {
        let proven = self.prove(entry, &[FlowPurpose::ResetPassword], client).await?;
        let (mut tx, flow) = self.reopen(&proven).await?;
        let FlowTarget::Key { account: Some(id) } = flow.target() else {
            return Err(ResetPasswordError::Key(KeyRedemptionError::FlowNotFound));
        };
        let mut account = tx
            .accounts()
            .get(id)
            .await?
            .filter(|a| a.email() == flow.email())
            .ok_or(ResetPasswordError::Key(KeyRedemptionError::FlowNotFound))?;
        account.replace_password(proven.hash).map_err(|_| ResetPasswordError::Key(KeyRedemptionError::FlowNotFound))?;
        tx.accounts().update(&account).await?;
        tx.throttle().clear(&ThrottleKey::LoginFailures(account.email().clone())).await?;
        let now = self.now();
        // The mail tells an employer who did not make the change to call the office of jurisdiction: name it.
        let establishment = match account.establishment() {
            Some(id) => tx.establishments().get(id).await?,
            None => None,
        };
        let office = match establishment {
            Some(e) => tx.offices().get(&e.office()).await?,
            None => None,
        };
        let office_name = office.as_ref().map(|o| o.name().to_owned());
        let office_phone = office.as_ref().and_then(|o| o.phone()).map(str::to_owned);
        let changed = MailTemplate::PasswordChanged { at: now, how: PasswordChange::Reset, office_name, office_phone };
        self.mail(&mut tx, account.email(), changed).await?;
        self.audit(
            &mut tx,
            Actor::Employer(account.id()),
            AuditAction::PasswordRegistered,
            format!("account:{}", account.id()),
            client,
        )
        .await?;
        tx.commit().await?;
        // Whoever knew the old password is logged out everywhere, browser or API (R17). After the commit, so that
        // no login with the old password can slip in between.
        self.ports.sessions.end_all(SessionSubject::Employer(account.id())).await?;
        Ok(PasswordRegistered { account: account.id(), status: account.status() })
    }

    /// First step: find the flow of this browser session, check the password against the rule, then the key.
    /// A wrong key is counted and saved; a right key changes nothing yet. Then the password is hashed, with no
    /// transaction open, so a wrong key never costs a hash.
    async fn prove(
        &self,
        entry: &PasswordEntry,
        purposes: &[FlowPurpose],
        client: &ClientInfo,
    ) -> Result<Proven, Refusal> {
        // Wrong keys entered at the same moment must all be counted (R3): the one whose update conflicts reads the
        // flow again and is counted on top of the other.
        for _ in 0..5 {
            match self.prove_once(entry, purposes, client).await {
                Err(Refusal::Conflict) => {}
                other => return other,
            }
        }
        Err(Refusal::Infrastructure(InfrastructureError::new("wrong keys for one flow kept racing")))
    }

    async fn prove_once(
        &self,
        entry: &PasswordEntry,
        purposes: &[FlowPurpose],
        client: &ClientInfo,
    ) -> Result<Proven, Refusal> {
        let token = self.ports.digest.digest(DigestPurpose::FlowToken, &entry.flow_token);
        let mut tx = self.begin().await?;
        let mut flow = match tx.flows().by_token(&token).await? {
            Some(flow) if purposes.contains(&flow.purpose()) => flow,
            _ => return Err(Refusal::Key(KeyRedemptionError::FlowNotFound)),
        };
        let password =
            NewPassword::parse_all(&entry.password, &entry.confirmation, flow.email(), self.config.password_policy)
                .map_err(Refusal::Password)?;
        let key = AuthKey::parse(&entry.auth_key).map_err(|e| Refusal::Key(KeyRedemptionError::InvalidKey(e)))?;
        let key = self.ports.digest.digest(DigestPurpose::AuthKey, key.canonical());
        if let Err(refused) = flow.check_key(&key, self.now(), self.config.max_wrong_keys) {
            if matches!(
                refused,
                KeyCheckError::WrongKey { .. } | KeyCheckError::TooManyWrongKeys | KeyCheckError::Expired
            ) {
                match tx.flows().update(&flow).await {
                    Err(RepositoryError::Conflict) => return Err(Refusal::Conflict),
                    other => other?,
                }
                if !matches!(refused, KeyCheckError::Expired) {
                    self.audit(
                        &mut tx,
                        Actor::Anonymous,
                        AuditAction::WrongAuthKey,
                        format!("flow:{}", flow.id()),
                        client,
                    )
                    .await?;
                }
                tx.commit().await?;
            }
            return Err(Refusal::Key(refused.into()));
        }
        drop(tx);
        let hash = self.ports.hasher.hash(password.secret()).await?;
        Ok(Proven { token, key, hash })
    }

    /// Second step: a new transaction that checks the key again and spends the flow (R6), so that of two
    /// concurrent redemptions of one key only one succeeds: the other finds the flow spent, or its update of the
    /// flow conflicts. The caller applies the password in the same transaction.
    async fn reopen(&self, proven: &Proven) -> Result<(Box<dyn Transaction>, AuthFlow), Refusal> {
        let mut tx = self.begin().await?;
        let mut flow =
            tx.flows().by_token(&proven.token).await?.ok_or(Refusal::Key(KeyRedemptionError::FlowNotFound))?;
        if let Err(refused) = flow.check_key(&proven.key, self.now(), self.config.max_wrong_keys) {
            if refused == KeyCheckError::Expired {
                tx.flows().update(&flow).await?;
                tx.commit().await?;
            }
            return Err(Refusal::Key(refused.into()));
        }
        flow.spend();
        match tx.flows().update(&flow).await {
            Err(RepositoryError::Conflict) => return Err(Refusal::Key(KeyRedemptionError::AlreadyUsed)),
            other => other?,
        }
        Ok((tx, flow))
    }
}
