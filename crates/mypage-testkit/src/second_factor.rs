//! A stand-in for the second-factor port (R21): secrets drawn from a counter, codes from SHA-256 of the secret and
//! the time step, so that a test computes the code its "authenticator app" would show. Not TOTP; not for
//! production.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use mypage_domain::model::TotpSecret;
use mypage_domain::ports::{Provisioning, SecondFactor};
use secrecy::SecretString;
use sha2::{Digest as _, Sha256};

/// Seconds of a time step, as TOTP's.
const STEP: i64 = 30;

/// Deterministic one-time codes with TOTP's contract: ±1 step, used steps refused.
#[derive(Debug, Default)]
pub struct FakeSecondFactor {
    counter: AtomicU64,
}

impl FakeSecondFactor {
    /// The time step of `now`.
    #[must_use]
    pub fn step_of(now: DateTime<Utc>) -> u64 {
        u64::try_from(now.timestamp() / STEP).unwrap_or_default()
    }

    /// The code of the secret shown as `secret_text` at time step `step`.
    #[must_use]
    pub fn code_at_step(secret_text: &str, step: u64) -> String {
        let hash = Sha256::new().chain_update(secret_text.as_bytes()).chain_update(step.to_be_bytes()).finalize();
        let n = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]) % 1_000_000;
        format!("{n:06}")
    }

    /// The code an authenticator app given `secret_text` shows at `now`.
    #[must_use]
    pub fn code(secret_text: &str, now: DateTime<Utc>) -> String {
        Self::code_at_step(secret_text, Self::step_of(now))
    }

    fn text(secret: &TotpSecret) -> String {
        secret.expose().iter().map(|b| format!("{b:02X}")).collect()
    }
}

impl SecondFactor for FakeSecondFactor {
    fn new_secret(&self) -> TotpSecret {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        TotpSecret::from_bytes([b"fake-secret-".as_slice(), &n.to_be_bytes()].concat())
    }

    fn provisioning(&self, secret: &TotpSecret, account: &str) -> Provisioning {
        let text = Self::text(secret);
        let uri = format!("otpauth://totp/test:{account}?secret={text}");
        Provisioning { secret_text: SecretString::from(text), uri: SecretString::from(uri) }
    }

    fn verify(&self, secret: &TotpSecret, code: &str, now: DateTime<Utc>, after: Option<u64>) -> Option<u64> {
        let text = Self::text(secret);
        let current = Self::step_of(now);
        [current.saturating_sub(1), current, current + 1]
            .into_iter()
            .filter(|step| after.is_none_or(|used| *step > used))
            .find(|step| Self::code_at_step(&text, *step) == code.trim())
    }

    fn recovery_code(&self) -> SecretString {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        SecretString::from(format!("RCODE-{n:05}"))
    }
}
