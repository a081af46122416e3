//! The auth-key flow (R3, R4): one browser session's attempt to prove it reads an e-mail address.

use chrono::{DateTime, Duration, Utc};

use crate::model::{AccountId, AccountStatus, FlowId};
use crate::values::{Digest, EmailAddress, TermsConsent};

/// What the flow is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowPurpose {
    /// 求人者マイページ開設（パスワード登録）: case A.
    OpenMyPage,
    /// 事業所登録・求人申し込み（仮登録）: cases B and C.
    SignUp,
    /// Password reset (R17).
    ResetPassword,
    /// メールアドレスの変更 (R19): a logged-in employer proves it reads its new address.
    ChangeEmail,
}

impl FlowPurpose {
    /// Every purpose.
    pub const ALL: [Self; 4] = [Self::OpenMyPage, Self::SignUp, Self::ResetPassword, Self::ChangeEmail];

    /// A stable code for storage and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::OpenMyPage => "open_mypage",
            Self::SignUp => "sign_up",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
        }
    }

    /// The purpose with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }

    /// Whether the terms must be agreed before the e-mail is taken (R1). A reset or a change of address is for an
    /// account that agreed already.
    #[must_use]
    pub fn needs_consent(self) -> bool {
        !matches!(self, Self::ResetPassword | Self::ChangeEmail)
    }
}

/// A code that names no flow purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown flow purpose: open_mypage, sign_up, reset_password or change_email")]
pub struct UnknownFlowPurpose;

impl std::str::FromStr for FlowPurpose {
    type Err = UnknownFlowPurpose;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::from_code(code).ok_or(UnknownFlowPurpose)
    }
}

impl TryFrom<&str> for FlowPurpose {
    type Error = UnknownFlowPurpose;

    fn try_from(code: &str) -> Result<Self, Self::Error> {
        code.parse()
    }
}

/// Whom the flow's mails reach. Decided when the flow starts; never shown to the browser (R8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowTarget {
    /// The address is eligible: each request mails a key. `account` is the account the key unlocks,
    /// `None` for a sign-up, whose account is created when the password is set.
    Key {
        /// The account, if it exists already.
        account: Option<AccountId>,
    },
    /// The address has an account for which this purpose does not fit: each request mails a notice instead.
    Notice {
        /// That account's status, which the notice explains.
        status: AccountStatus,
    },
    /// The address is unknown for this purpose: nothing is mailed, but the flow answers exactly as the others, and
    /// each request queues a withheld mail that is never sent, so that it does the same work (R8).
    Nothing,
}

/// Why a flow can no longer be used. Each tells the employer to start again from the beginning (R3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeathCause {
    /// Five wrong keys.
    TooManyWrongKeys,
    /// A new flow for the same address and purpose was started.
    Superseded,
    /// Every key expired.
    Expired,
    /// Counter staff corrected or withdrew the address the flow's keys were mailed to (R12): the keys die with it.
    Withdrawn,
}

impl DeathCause {
    /// A stable code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::TooManyWrongKeys => "too_many_wrong_keys",
            Self::Superseded => "superseded",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The cause with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::TooManyWrongKeys, Self::Superseded, Self::Expired, Self::Withdrawn]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

/// Where a flow stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowState {
    /// Keys may be entered.
    Open,
    /// A key was redeemed and the password set (R6).
    Spent,
    /// No key will ever be accepted.
    Dead(DeathCause),
}

/// One key request of a flow. `digest` is `None` for a flow that mails no key: its requests are counted and
/// timed the same way, so it behaves like any other (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedKey {
    /// Keyed hash of the key (R3); the key itself is never stored.
    pub digest: Option<Digest>,
    /// When it was mailed.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Why a key was not accepted. Keys that fail to parse never get here and are not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyCheckError {
    /// Not a key of this flow; `remaining` more wrong keys are allowed.
    #[error("wrong auth key; {remaining} attempts remain")]
    WrongKey {
        /// Attempts left before the flow dies.
        remaining: u8,
    },
    /// The key (or every key of the flow) has expired.
    #[error("the auth key has expired")]
    Expired,
    /// The fifth wrong key: the flow has just died.
    #[error("too many wrong auth keys")]
    TooManyWrongKeys,
    /// The flow was already dead.
    #[error("the flow can no longer be used ({})", .0.code())]
    Dead(DeathCause),
    /// The flow was already spent: its key was used.
    #[error("the auth key has already been used")]
    Spent,
}

/// A step the flow does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlowStepError {
    /// At most `max_keys_per_flow` keys (R3).
    #[error("no more keys may be requested in this flow")]
    KeyLimitReached,
    /// The flow is spent or dead.
    #[error("the flow is closed")]
    Closed(FlowState),
}

/// An auth-key flow: made when an e-mail is entered, bound to the browser session that entered it (R4).
///
/// Read it through its getters; it changes only through its transitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFlow {
    /// Its id.
    id: FlowId,
    /// What it is for.
    purpose: FlowPurpose,
    /// The address entered.
    email: EmailAddress,
    /// Keyed hash of the secret token the browser session holds; the key is accepted only with it (R4).
    token_digest: Digest,
    /// Whom its mails reach.
    target: FlowTarget,
    /// The terms agreed before the address was entered (R1); `None` for a reset.
    consent: Option<TermsConsent>,
    /// Every key requested, oldest first.
    keys: Vec<IssuedKey>,
    /// Wrong keys entered, across all its keys (R3): asking for another key does not reset it.
    wrong_attempts: u8,
    /// Where it stands.
    state: FlowState,
    /// When it started.
    created_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    version: u64,
}

/// A flow as stored: what a repository reads back to rebuild one with [`AuthFlow::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFlowRecord {
    /// Its id.
    pub id: FlowId,
    /// What it is for.
    pub purpose: FlowPurpose,
    /// The address entered.
    pub email: EmailAddress,
    /// Keyed hash of the secret token the browser session holds.
    pub token_digest: Digest,
    /// Whom its mails reach.
    pub target: FlowTarget,
    /// The terms agreed before the address was entered (R1); `None` for a reset.
    pub consent: Option<TermsConsent>,
    /// Every key requested, oldest first.
    pub keys: Vec<IssuedKey>,
    /// Wrong keys entered, across all its keys (R3).
    pub wrong_attempts: u8,
    /// Where it stands.
    pub state: FlowState,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl AuthFlow {
    /// Starts a flow with its first key request.
    #[must_use]
    #[expect(
        clippy::too_many_arguments,
        reason = "a flow is born with all of its facts; a builder would only hide that"
    )]
    pub fn start(
        id: FlowId,
        purpose: FlowPurpose,
        email: EmailAddress,
        token_digest: Digest,
        target: FlowTarget,
        consent: Option<TermsConsent>,
        first_key: IssuedKey,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            purpose,
            email,
            token_digest,
            target,
            consent,
            keys: vec![first_key],
            wrong_attempts: 0,
            state: FlowState::Open,
            created_at: now,
            version: 0,
        }
    }

    /// Rebuilds a stored flow. For repositories: a new flow is made by [`AuthFlow::start`].
    #[must_use]
    pub fn restore(record: AuthFlowRecord) -> Self {
        let AuthFlowRecord {
            id,
            purpose,
            email,
            token_digest,
            target,
            consent,
            keys,
            wrong_attempts,
            state,
            created_at,
            version,
        } = record;
        Self { id, purpose, email, token_digest, target, consent, keys, wrong_attempts, state, created_at, version }
    }

    /// Takes the flow apart into its stored form: for a repository, or a test that needs a state the transitions do
    /// not reach.
    #[must_use]
    pub fn into_record(self) -> AuthFlowRecord {
        let Self {
            id,
            purpose,
            email,
            token_digest,
            target,
            consent,
            keys,
            wrong_attempts,
            state,
            created_at,
            version,
        } = self;
        AuthFlowRecord {
            id,
            purpose,
            email,
            token_digest,
            target,
            consent,
            keys,
            wrong_attempts,
            state,
            created_at,
            version,
        }
    }

    /// When the last of its keys stops working: after that, the flow is dead.
    #[must_use]
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.keys.iter().map(|k| k.expires_at).max().unwrap_or(self.created_at)
    }

    /// A new key request in the same flow (R3: "ask for the mail again").
    ///
    /// # Errors
    /// [`FlowStepError::KeyLimitReached`] past `max_keys`; [`FlowStepError::Closed`] unless Open.
    pub fn add_key(&mut self, key: IssuedKey, max_keys: u8) -> Result<(), FlowStepError> {
        if self.state != FlowState::Open {
            return Err(FlowStepError::Closed(self.state));
        }
        if self.keys.len() >= usize::from(max_keys) {
            return Err(FlowStepError::KeyLimitReached);
        }
        self.keys.push(key);
        Ok(())
    }

    /// Checks an entered key (already parsed and digested). A wrong key is counted, and the fifth kills the flow.
    /// Every unexpired key of the flow is accepted, so a late mail still works (R3).
    ///
    /// # Errors
    /// [`KeyCheckError`]; on `WrongKey`, `TooManyWrongKeys` and `Expired` the flow has changed and must be saved.
    pub fn check_key(&mut self, digest: &Digest, now: DateTime<Utc>, max_wrong: u8) -> Result<(), KeyCheckError> {
        match self.state {
            FlowState::Open => {}
            FlowState::Spent => return Err(KeyCheckError::Spent),
            FlowState::Dead(cause) => return Err(KeyCheckError::Dead(cause)),
        }
        if let Some(key) = self.keys.iter().find(|k| k.digest.as_ref() == Some(digest)) {
            return if now < key.expires_at { Ok(()) } else { Err(KeyCheckError::Expired) };
        }
        if now >= self.expires_at() {
            self.state = FlowState::Dead(DeathCause::Expired);
            return Err(KeyCheckError::Expired);
        }
        self.wrong_attempts = self.wrong_attempts.saturating_add(1);
        if self.wrong_attempts >= max_wrong {
            self.state = FlowState::Dead(DeathCause::TooManyWrongKeys);
            return Err(KeyCheckError::TooManyWrongKeys);
        }
        Err(KeyCheckError::WrongKey { remaining: max_wrong - self.wrong_attempts })
    }

    /// The key was redeemed and the password set (R6).
    pub fn spend(&mut self) {
        self.state = FlowState::Spent;
    }

    /// Ends the flow for `cause` (a new flow for the same address, or expiry).
    pub fn kill(&mut self, cause: DeathCause) {
        if self.state == FlowState::Open {
            self.state = FlowState::Dead(cause);
        }
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }

    /// The key's lifetime, as configured (R3).
    #[must_use]
    pub fn key_window(now: DateTime<Utc>, ttl: Duration, digest: Option<Digest>) -> IssuedKey {
        IssuedKey { digest, issued_at: now, expires_at: now + ttl }
    }
}

/// Reading a flow.
impl AuthFlow {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> FlowId {
        self.id
    }

    /// What it is for.
    #[must_use]
    pub fn purpose(&self) -> FlowPurpose {
        self.purpose
    }

    /// The address entered.
    #[must_use]
    pub fn email(&self) -> &EmailAddress {
        &self.email
    }

    /// Keyed hash of the secret token the browser session holds; the key is accepted only with it (R4).
    #[must_use]
    pub fn token_digest(&self) -> &Digest {
        &self.token_digest
    }

    /// Whom its mails reach.
    #[must_use]
    pub fn target(&self) -> FlowTarget {
        self.target
    }

    /// The terms agreed before the address was entered (R1); `None` for a reset.
    #[must_use]
    pub fn consent(&self) -> Option<TermsConsent> {
        self.consent
    }

    /// Every key requested, oldest first.
    #[must_use]
    pub fn keys(&self) -> &[IssuedKey] {
        &self.keys
    }

    /// Wrong keys entered, across all its keys (R3): asking for another key does not reset it.
    #[must_use]
    pub fn wrong_attempts(&self) -> u8 {
        self.wrong_attempts
    }

    /// Where it stands.
    #[must_use]
    pub fn state(&self) -> FlowState {
        self.state
    }

    /// When it started.
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
