//! Time, randomness and secrets: the clock, the key generator, keyed digests, password hashing, the staff's
//! second factor, and the allocator of establishment numbers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{Digest, InfrastructureError};
use crate::model::{PasswordHash, TotpSecret};
use crate::values::{AuthKey, EstablishmentNumber, OfficeCode};

/// The time. The domain never reads a clock of its own.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// All the randomness the domain uses: auth keys, flow tokens and record ids.
/// Implementations MUST draw from a CSPRNG seeded from the operating system (R3), except test doubles.
pub trait KeyGenerator: Send + Sync {
    /// A new auth key (built with [`AuthKey::from_random_bytes`]).
    fn auth_key(&self) -> AuthKey;
    /// A new opaque token of at least 128 bits, URL-safe (flow tokens, session ids).
    fn token(&self) -> SecretString;
    /// 16 random bytes for a record id.
    fn id_bytes(&self) -> [u8; 16];
}

/// What a digest is of; digests of different purposes never collide (domain separation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestPurpose {
    /// An auth key.
    AuthKey,
    /// A flow token.
    FlowToken,
    /// A session id.
    SessionId,
    /// A staff member's second-factor recovery code (R21).
    RecoveryCode,
}

/// Keyed hashing with a server secret, so that a stolen database does not yield usable keys (R3).
pub trait KeyDigest: Send + Sync {
    /// The digest of `secret` for `purpose`. Deterministic for one server secret.
    fn digest(&self, purpose: DigestPurpose, secret: &SecretString) -> Digest;
}

/// The outcome of a password verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// The password does not match.
    Mismatch,
    /// It matches; `needs_rehash` when the stored hash uses other parameters than the configured ones (R5).
    Match {
        /// Hash again and store the new hash.
        needs_rehash: bool,
    },
}

/// Password hashing (R5). Slow by design: implementations MUST NOT block the async executor.
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password with the configured parameters and a fresh salt.
    ///
    /// # Errors
    /// [`InfrastructureError`] when hashing fails; the message MUST NOT contain the password. One carrying
    /// [`Overloaded`](super::Overloaded) when the hasher's queue is full (the request was refused at once).
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError>;
    /// Verifies a password against a stored hash.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the stored hash cannot be parsed; one carrying
    /// [`Overloaded`](super::Overloaded) when the hasher's queue is full.
    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError>;
    /// Spends the time of a verification without a stored hash, so that a login for an unknown address
    /// takes as long as one for a known address (R8, R13).
    ///
    /// # Errors
    /// [`InfrastructureError`] when hashing fails; one carrying [`Overloaded`](super::Overloaded) when the
    /// hasher's queue is full.
    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError>;
}

/// Assigns new establishment numbers (R11, case C). An office may plug in its own numbering system.
#[async_trait]
pub trait EstablishmentNumberAllocator: Send + Sync {
    /// A number under `office` that no establishment has yet. Numbers are never reused; gaps are allowed.
    /// The domain calls it with no transaction of its own open, so an allocator may use the same database.
    ///
    /// # Errors
    /// [`InfrastructureError`] when no number can be had.
    async fn allocate(&self, office: &OfficeCode) -> Result<EstablishmentNumber, InfrastructureError>;
}

/// What an authenticator app needs to be set up (R21), shown to the member once, at enrolment.
pub struct Provisioning {
    /// The secret as the text a person types into the app (base32).
    pub secret_text: SecretString,
    /// The `otpauth://totp/…` URI that a QR code carries.
    pub uri: SecretString,
}

/// Time-based one-time codes (RFC 6238) for the staff's second factor (R21).
pub trait SecondFactor: Send + Sync {
    /// A new random secret (160 bits, RFC 4226's recommendation), from a CSPRNG seeded from the operating system.
    fn new_secret(&self) -> TotpSecret;
    /// The secret as text and as an `otpauth://` URI naming the service and `account` (the member's login).
    fn provisioning(&self, secret: &TotpSecret, account: &str) -> Provisioning;
    /// The time step whose code `code` is, for `secret` at `now`.
    ///
    /// MUST accept the code of the current step and of one step before or after it (clock drift), and no other;
    /// MUST refuse a step at or before `after` (a code already used); MUST compare in constant time.
    fn verify(&self, secret: &TotpSecret, code: &str, now: DateTime<Utc>, after: Option<u64>) -> Option<u64>;
    /// A new recovery code, typed by a person: at least 50 bits, from a CSPRNG (`ABCDE-FGHJK`).
    fn recovery_code(&self) -> SecretString;
}
