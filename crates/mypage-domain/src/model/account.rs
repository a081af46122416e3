//! The employer account (求人者マイページのアカウント) and its state machine.

use chrono::{DateTime, Utc};

use crate::model::{AccountId, EstablishmentId};
use crate::values::{EmailAddress, TermsConsent};

/// Where an account stands.
///
/// ```text
/// (counter, R12) AwaitingPassword --password (R5)--> Active
/// (sign-up, R5)  Provisional --staff confirm (R11)--> Active
/// Provisional | Active --close (R19)--> Closed
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Registered by staff at the counter; the employer has not set a password yet (case A).
    AwaitingPassword,
    /// Opened online; may log in and file one provisional registration at a time (cases B and C).
    Provisional,
    /// Linked to an establishment.
    Active,
    /// Closed by its employer (R19): cannot log in; kept with its registrations and audit trail for the office's
    /// records, while its address is free for a new account (R12).
    Closed,
}

impl AccountStatus {
    /// A stable code for storage and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::AwaitingPassword => "awaiting_password",
            Self::Provisional => "provisional",
            Self::Active => "active",
            Self::Closed => "closed",
        }
    }

    /// The status with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::AwaitingPassword, Self::Provisional, Self::Active, Self::Closed].into_iter().find(|s| s.code() == code)
    }

    /// Whether an account in this status may log in (R13).
    #[must_use]
    pub fn can_log_in(self) -> bool {
        matches!(self, Self::Provisional | Self::Active)
    }

    /// Whether the account still holds its address: every status but Closed (R12: one live account per address).
    #[must_use]
    pub fn is_live(self) -> bool {
        self != Self::Closed
    }
}

/// A password hash in PHC string form (`$argon2id$v=19$m=19456,t=2,p=1$…`).
/// Not a secret in itself, but never shown: Debug prints only the algorithm.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string made by the hasher port or read from storage.
    #[must_use]
    pub fn new(phc: String) -> Self {
        Self(phc)
    }

    /// The PHC string, for storage and verification.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let algorithm = self.0.split('$').nth(1).unwrap_or("?");
        write!(f, "PasswordHash(${algorithm}$…)")
    }
}

/// A transition the account's state machine does not allow from where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the account is {from:?}; this step needs another status")]
pub struct AccountTransitionError {
    /// Where the account stood.
    pub from: AccountStatus,
}

/// An employer's account. One per e-mail address; an establishment may have several (R12).
///
/// Read it through its getters; it changes only through its transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    id: AccountId,
    /// The address it logs in with and receives mail at.
    email: EmailAddress,
    /// Where it stands.
    status: AccountStatus,
    /// The establishment it acts for; `None` while Provisional.
    establishment: Option<EstablishmentId>,
    /// The password's hash; `None` while AwaitingPassword.
    password: Option<PasswordHash>,
    /// The terms the employer agreed to when opening it (R1).
    consent: Option<TermsConsent>,
    /// When it was created.
    created_at: DateTime<Utc>,
    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    version: u64,
}

/// An account as stored: what a repository reads back to rebuild one with [`Account::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// Its id.
    pub id: AccountId,
    /// The address it logs in with and receives mail at.
    pub email: EmailAddress,
    /// Where it stands.
    pub status: AccountStatus,
    /// The establishment it acts for; `None` while Provisional.
    pub establishment: Option<EstablishmentId>,
    /// The password's hash; `None` while AwaitingPassword.
    pub password: Option<PasswordHash>,
    /// The terms the employer agreed to when opening it (R1).
    pub consent: Option<TermsConsent>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl Account {
    /// An account registered at the counter for an existing establishment (R12, case A).
    #[must_use]
    pub fn registered_at_counter(
        id: AccountId,
        email: EmailAddress,
        establishment: EstablishmentId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            email,
            status: AccountStatus::AwaitingPassword,
            establishment: Some(establishment),
            password: None,
            consent: None,
            created_at: now,
            version: 0,
        }
    }

    /// An account opened online, after its auth key and password (cases B and C).
    #[must_use]
    pub fn opened_online(
        id: AccountId,
        email: EmailAddress,
        password: PasswordHash,
        consent: TermsConsent,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            email,
            status: AccountStatus::Provisional,
            establishment: None,
            password: Some(password),
            consent: Some(consent),
            created_at: now,
            version: 0,
        }
    }

    /// Rebuilds a stored account. For repositories: a new account is made by
    /// [`Account::registered_at_counter`] or [`Account::opened_online`].
    #[must_use]
    pub fn restore(record: AccountRecord) -> Self {
        let AccountRecord { id, email, status, establishment, password, consent, created_at, version } = record;
        Self { id, email, status, establishment, password, consent, created_at, version }
    }

    /// Takes the account apart into its stored form: for a repository, or a test that needs a state the transitions
    /// do not reach.
    #[must_use]
    pub fn into_record(self) -> AccountRecord {
        let Self { id, email, status, establishment, password, consent, created_at, version } = self;
        AccountRecord { id, email, status, establishment, password, consent, created_at, version }
    }

    /// The first password of a counter-registered account: it becomes Active (case A, R5–R6).
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless AwaitingPassword.
    pub fn set_first_password(
        &mut self,
        hash: PasswordHash,
        consent: TermsConsent,
    ) -> Result<(), AccountTransitionError> {
        if self.status != AccountStatus::AwaitingPassword {
            return Err(AccountTransitionError { from: self.status });
        }
        self.password = Some(hash);
        self.consent = Some(consent);
        self.status = AccountStatus::Active;
        Ok(())
    }

    /// A new password after a reset (R17), or a rehash with newer parameters (R5).
    ///
    /// # Errors
    /// [`AccountTransitionError`] while AwaitingPassword: such an account has no password to replace.
    pub fn replace_password(&mut self, hash: PasswordHash) -> Result<(), AccountTransitionError> {
        if !self.status.can_log_in() {
            return Err(AccountTransitionError { from: self.status });
        }
        self.password = Some(hash);
        Ok(())
    }

    /// Counter staff correct the address they registered, while the account still waits for its password (R12,
    /// case A step 1).
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless AwaitingPassword: an account with a password changes its own address.
    pub fn correct_email(&mut self, email: EmailAddress) -> Result<(), AccountTransitionError> {
        if self.status != AccountStatus::AwaitingPassword {
            return Err(AccountTransitionError { from: self.status });
        }
        self.email = email;
        Ok(())
    }

    /// The employer changed its password while logged in (R19).
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless Provisional or Active.
    pub fn change_password(&mut self, hash: PasswordHash) -> Result<(), AccountTransitionError> {
        if !self.status.can_log_in() {
            return Err(AccountTransitionError { from: self.status });
        }
        self.password = Some(hash);
        Ok(())
    }

    /// The employer proved it reads a new address and moves the account to it (R19).
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless Provisional or Active.
    pub fn change_email(&mut self, email: EmailAddress) -> Result<(), AccountTransitionError> {
        if !self.status.can_log_in() {
            return Err(AccountTransitionError { from: self.status });
        }
        self.email = email;
        Ok(())
    }

    /// The employer closes the account (R19): it can no longer log in and its address is free. It keeps its id,
    /// registrations and audit trail for the office (R15); the audit trail records when.
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless Provisional or Active.
    pub fn close(&mut self) -> Result<(), AccountTransitionError> {
        if !self.status.can_log_in() {
            return Err(AccountTransitionError { from: self.status });
        }
        self.status = AccountStatus::Closed;
        Ok(())
    }

    /// The employer agreed to the versions of the terms in force, at a login after a newer version was published
    /// (R1). An account that has never agreed (awaiting its password) agrees when it sets the password instead.
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless the account may log in.
    pub fn agree_to_terms(&mut self, consent: TermsConsent) -> Result<(), AccountTransitionError> {
        if !self.status.can_log_in() {
            return Err(AccountTransitionError { from: self.status });
        }
        self.consent = Some(consent);
        Ok(())
    }

    /// Staff confirmed the provisional registration: the account acts for `establishment` (R11).
    ///
    /// # Errors
    /// [`AccountTransitionError`] unless Provisional.
    pub fn activate(&mut self, establishment: EstablishmentId) -> Result<(), AccountTransitionError> {
        if self.status != AccountStatus::Provisional {
            return Err(AccountTransitionError { from: self.status });
        }
        self.establishment = Some(establishment);
        self.status = AccountStatus::Active;
        Ok(())
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }
}

/// Reading an account.
impl Account {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> AccountId {
        self.id
    }

    /// The address it logs in with and receives mail at.
    #[must_use]
    pub fn email(&self) -> &EmailAddress {
        &self.email
    }

    /// Where it stands.
    #[must_use]
    pub fn status(&self) -> AccountStatus {
        self.status
    }

    /// The establishment it acts for; `None` while Provisional.
    #[must_use]
    pub fn establishment(&self) -> Option<EstablishmentId> {
        self.establishment
    }

    /// The password's hash; `None` while AwaitingPassword.
    #[must_use]
    pub fn password(&self) -> Option<&PasswordHash> {
        self.password.as_ref()
    }

    /// The terms the employer agreed to when opening it (R1).
    #[must_use]
    pub fn consent(&self) -> Option<TermsConsent> {
        self.consent
    }

    /// When it was created.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }
}
