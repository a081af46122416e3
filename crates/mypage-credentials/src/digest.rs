//! HMAC-SHA-256 keyed digests of auth keys, flow tokens and session ids (R3).

use hmac::{Hmac, KeyInit, Mac};
use mypage_domain::ports::{Digest, DigestPurpose, KeyDigest};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;

/// The shortest server secret accepted: 32 bytes, the HMAC-SHA-256 block's security level.
pub const MIN_SERVER_SECRET_LEN: usize = 32;

/// The server secret is too short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server secret must be at least {MIN_SERVER_SECRET_LEN} bytes, got {0}")]
pub struct ServerSecretError(pub usize);

/// Keyed digests under a server secret: a copy of the database alone does not let anyone test guesses
/// of a six-character key, nor link a digest to a key.
pub struct HmacKeyDigest {
    secret: SecretBox<[u8]>,
}

impl std::fmt::Debug for HmacKeyDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HmacKeyDigest([REDACTED])")
    }
}

impl HmacKeyDigest {
    /// A digest under `secret`, which the app keeps outside the database.
    ///
    /// # Errors
    /// [`ServerSecretError`] when the secret is shorter than [`MIN_SERVER_SECRET_LEN`] bytes.
    pub fn new(secret: &[u8]) -> Result<Self, ServerSecretError> {
        if secret.len() < MIN_SERVER_SECRET_LEN {
            return Err(ServerSecretError(secret.len()));
        }
        Ok(Self { secret: SecretBox::new(secret.into()) })
    }
}

fn tag(purpose: DigestPurpose) -> &'static [u8] {
    match purpose {
        DigestPurpose::AuthKey => b"mypage auth-key\0",
        DigestPurpose::FlowToken => b"mypage flow-token\0",
        DigestPurpose::SessionId => b"mypage session-id\0",
        DigestPurpose::RecoveryCode => b"mypage recovery-code\0",
    }
}

impl KeyDigest for HmacKeyDigest {
    fn digest(&self, purpose: DigestPurpose, secret: &SecretString) -> Digest {
        // new_from_slice accepts keys of any length for HMAC; the length was checked in `new`.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.secret.expose_secret()) else {
            unreachable!("HMAC accepts keys of any length")
        };
        mac.update(tag(purpose));
        mac.update(secret.expose_secret().as_bytes());
        Digest::from_hex(crate::hex(&mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest() -> HmacKeyDigest {
        HmacKeyDigest::new(&[7u8; 32]).unwrap()
    }

    #[test]
    fn r3_the_same_key_gives_the_same_digest() {
        let d = digest();
        let a = d.digest(DigestPurpose::AuthKey, &SecretString::from("ABCDE23456"));
        let b = d.digest(DigestPurpose::AuthKey, &SecretString::from("ABCDE23456"));
        assert_eq!(a, b);
        assert_eq!(a.as_hex().len(), 64);
        assert!(!a.as_hex().contains("ABCDE"));
    }

    #[test]
    fn r3_another_server_secret_gives_another_digest() {
        let other = HmacKeyDigest::new(&[8u8; 32]).unwrap();
        let key = SecretString::from("ABCDE23456");
        assert_ne!(digest().digest(DigestPurpose::AuthKey, &key), other.digest(DigestPurpose::AuthKey, &key));
    }

    #[test]
    fn purposes_are_separated() {
        let key = SecretString::from("ABCDE23456");
        let d = digest();
        assert_ne!(d.digest(DigestPurpose::AuthKey, &key), d.digest(DigestPurpose::FlowToken, &key));
        assert_ne!(d.digest(DigestPurpose::FlowToken, &key), d.digest(DigestPurpose::SessionId, &key));
    }

    #[test]
    fn a_short_server_secret_is_refused() {
        assert_eq!(HmacKeyDigest::new(&[1u8; 31]).unwrap_err(), ServerSecretError(31));
    }

    #[test]
    fn matches_the_rfc_4231_construction() {
        // HMAC-SHA-256 of the tagged message, computed independently, so that the digest stays stable across
        // versions of the crates: a change here would invalidate every stored digest.
        let d = HmacKeyDigest::new(&[0x0b; 32]).unwrap();
        let got = d.digest(DigestPurpose::AuthKey, &SecretString::from("K"));
        let mut mac = Hmac::<Sha256>::new_from_slice(&[0x0b; 32]).unwrap();
        mac.update(b"mypage auth-key\0K");
        assert_eq!(got.as_hex(), crate::hex(&mac.finalize().into_bytes()));
    }
}
