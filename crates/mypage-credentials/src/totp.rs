//! The second factor's one-time codes (R21): TOTP (RFC 6238: HMAC-SHA-1, six digits, 30-second steps, the values
//! every authenticator app reads from a QR code) with `totp-rs`, secrets and recovery codes from ChaCha20.

use chrono::{DateTime, Utc};
use mypage_domain::model::TotpSecret;
use mypage_domain::ports::{Provisioning, SecondFactor};
use mypage_domain::values::AUTH_KEY_ALPHABET;
use secrecy::SecretString;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{ChaChaKeyGenerator, KeyGeneratorError};

/// Digits of a code.
const DIGITS: usize = 6;
/// Seconds of a time step.
const STEP: u64 = 30;
/// Bytes of a secret: 160 bits, RFC 4226's recommendation.
const SECRET_LEN: usize = 20;

/// TOTP codes for the staff's second factor.
#[derive(Debug)]
pub struct TotpSecondFactor {
    keys: ChaChaKeyGenerator,
    issuer: String,
}

impl TotpSecondFactor {
    /// Codes whose URIs name `issuer` (the service's name, shown in the authenticator app).
    ///
    /// # Errors
    /// [`KeyGeneratorError`] when the operating system's random source fails.
    pub fn new(issuer: &str) -> Result<Self, KeyGeneratorError> {
        Ok(Self { keys: ChaChaKeyGenerator::from_os()?, issuer: issuer.to_owned() })
    }

    fn totp(secret: &TotpSecret) -> Option<TOTP> {
        TOTP::new(Algorithm::SHA1, DIGITS, 0, STEP, secret.expose().to_vec()).ok()
    }

    /// The code of `secret` at time step `step`: for tests that play the authenticator app.
    #[must_use]
    pub fn code_at_step(secret: &TotpSecret, step: u64) -> String {
        Self::totp(secret).map(|t| t.generate(step * STEP)).unwrap_or_default()
    }

    /// The code of the secret given as text (base32, as shown at enrolment) at `now`: for tests that play the
    /// authenticator app.
    #[must_use]
    pub fn code_for_text(secret_text: &str, now: DateTime<Utc>) -> Option<String> {
        let bytes = Secret::Encoded(secret_text.trim().to_owned()).to_bytes().ok()?;
        let step = u64::try_from(now.timestamp()).ok()? / STEP;
        Some(Self::code_at_step(&TotpSecret::from_bytes(bytes), step))
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl SecondFactor for TotpSecondFactor {
    fn new_secret(&self) -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_LEN];
        self.keys.fill(&mut bytes);
        TotpSecret::from_bytes(bytes)
    }

    fn provisioning(&self, secret: &TotpSecret, account: &str) -> Provisioning {
        let text = Secret::Raw(secret.expose().to_vec()).to_encoded().to_string();
        let issuer = percent_encode(&self.issuer);
        let uri = format!(
            "otpauth://totp/{issuer}:{}?secret={text}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
            percent_encode(account)
        );
        Provisioning { secret_text: SecretString::from(text), uri: SecretString::from(uri) }
    }

    fn verify(&self, secret: &TotpSecret, code: &str, now: DateTime<Utc>, after: Option<u64>) -> Option<u64> {
        let code: String = code
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
                c => c,
            })
            .collect();
        if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let totp = Self::totp(secret)?;
        let current = u64::try_from(now.timestamp()).ok()? / STEP;
        let mut found = None;
        // Every candidate is computed and compared, so that the time taken does not tell which step matched.
        for step in [current.saturating_sub(1), current, current + 1] {
            let fresh = after.is_none_or(|used| step > used);
            if same(totp.generate(step * STEP).as_bytes(), code.as_bytes()) && fresh && found.is_none() {
                found = Some(step);
            }
        }
        found
    }

    fn recovery_code(&self) -> SecretString {
        let mut bytes = [0u8; 10];
        self.keys.fill(&mut bytes);
        let mut code = String::with_capacity(11);
        for (i, b) in bytes.iter().enumerate() {
            if i == 5 {
                code.push('-');
            }
            code.push(char::from(AUTH_KEY_ALPHABET[usize::from(b & 31)]));
        }
        SecretString::from(code)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use secrecy::ExposeSecret;

    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn r21_codes_match_the_test_vectors_of_rfc_6238() {
        // RFC 6238, appendix B, SHA-1, the last six of the eight digits.
        assert_eq!(TotpSecondFactor::code_at_step(&rfc_secret(), 59 / STEP), "287082");
        assert_eq!(TotpSecondFactor::code_at_step(&rfc_secret(), 1_111_111_109 / STEP), "081804");
    }

    #[test]
    fn r21_a_code_of_one_step_before_or_after_is_accepted_and_no_further() {
        let codes = TotpSecondFactor::new("求人者マイページ").unwrap();
        let now = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let step = 1_700_000_000 / STEP;
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let s = step.checked_add_signed(offset).unwrap();
            let code = TotpSecondFactor::code_at_step(&rfc_secret(), s);
            assert_eq!(codes.verify(&rfc_secret(), &code, now, None), accepted.then_some(s), "{offset}");
        }
        let code = TotpSecondFactor::code_at_step(&rfc_secret(), step);
        assert_eq!(codes.verify(&rfc_secret(), &code, now, Some(step)), None, "a used step is refused");
        assert_eq!(codes.verify(&rfc_secret(), "12345", now, None), None);
    }

    #[test]
    fn r21_the_uri_carries_the_secret_text_and_recovery_codes_use_the_key_alphabet() {
        let codes = TotpSecondFactor::new("求人者マイページ").unwrap();
        let secret = codes.new_secret();
        assert_eq!(secret.expose().len(), SECRET_LEN);
        let p = codes.provisioning(&secret, "iidabashi.reviewer");
        assert!(p.uri.expose_secret().starts_with("otpauth://totp/%E6%B1%82"));
        assert!(p.uri.expose_secret().contains(&format!("secret={}&", p.secret_text.expose_secret())));
        let now = Utc::now();
        let code = TotpSecondFactor::code_for_text(p.secret_text.expose_secret(), now).unwrap();
        assert!(codes.verify(&secret, &code, now, None).is_some());
        let recovery = codes.recovery_code();
        assert_eq!(recovery.expose_secret().len(), 11);
        assert_ne!(recovery.expose_secret(), codes.recovery_code().expose_secret());
    }
}
