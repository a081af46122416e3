//! Sealing of the secrets an outbox row must carry until its mail is sent: the auth key (R3: never stored in clear).
//!
//! XChaCha20-Poly1305 under a 32-byte key the app keeps outside the database. The nonce is the mail's id (a random
//! UUID, one per sealed key) and the id is also the associated data, so a sealed key cannot be moved to another row.
//! A staff member's TOTP secret (R21) is sealed under the same keys with a random nonce stored before it and the
//! member's id as associated data: TOTP needs the secret itself, so it cannot be kept as a digest.
//! The sealer is a key ring: it seals under the current key and opens under the current key or any earlier one the
//! app still lists, so that the key can be rotated while mails sealed under the old one wait in the queue.

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use mypage_domain::model::MailId;

/// The ciphers of one database's outbox: the current key first, then the earlier ones still read.
pub(crate) struct Sealer(Vec<XChaCha20Poly1305>);

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([REDACTED])")
    }
}

fn nonce(id: MailId) -> chacha20poly1305::XNonce {
    let mut bytes = [0u8; 24];
    bytes[..16].copy_from_slice(id.as_uuid().as_bytes());
    bytes.into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

impl Sealer {
    #[cfg(test)]
    pub(crate) fn new(key: &[u8; 32]) -> Self {
        Self::ring(key, [])
    }

    /// Seals under `current`; opens under `current` or any of `previous`.
    pub(crate) fn ring<'a>(current: &[u8; 32], previous: impl IntoIterator<Item = &'a [u8; 32]>) -> Self {
        let mut ciphers = vec![XChaCha20Poly1305::new(current.into())];
        ciphers.extend(previous.into_iter().map(|key| XChaCha20Poly1305::new(key.into())));
        Self(ciphers)
    }

    /// The sealed form of `secret`, in hex.
    pub(crate) fn seal(&self, id: MailId, secret: &str) -> String {
        let aad = id.to_string();
        // Encryption of a short text in memory has no failure mode; an empty result would only fail to open later.
        let sealed =
            self.0[0].encrypt(&nonce(id), Payload { msg: secret.as_bytes(), aad: aad.as_bytes() }).unwrap_or_default();
        hex(&sealed)
    }

    /// The sealed form of `secret` for the row named `context` (`staff:<id>`), in hex: a random 24-byte nonce, then
    /// the ciphertext. `None` when the operating system gives no randomness.
    pub(crate) fn seal_bytes(&self, context: &str, secret: &[u8]) -> Option<String> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).ok()?;
        let sealed = self.0[0].encrypt(&nonce.into(), Payload { msg: secret, aad: context.as_bytes() }).ok()?;
        Some(hex(&[nonce.as_slice(), &sealed].concat()))
    }

    /// The secret, if `sealed` was sealed for the row `context` under one of the ring's keys.
    pub(crate) fn open_bytes(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = unhex(sealed)?;
        let (nonce, msg) = bytes.split_at_checked(24)?;
        let nonce = chacha20poly1305::XNonce::try_from(nonce).ok()?;
        self.0.iter().find_map(|cipher| cipher.decrypt(&nonce, Payload { msg, aad: context.as_bytes() }).ok())
    }

    /// The secret, if `sealed` was sealed for this mail under one of the ring's keys.
    pub(crate) fn open(&self, id: MailId, sealed: &str) -> Option<String> {
        let aad = id.to_string();
        let bytes = unhex(sealed)?;
        let plain = self
            .0
            .iter()
            .find_map(|cipher| cipher.decrypt(&nonce(id), Payload { msg: &bytes, aad: aad.as_bytes() }).ok())?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_for_its_mail_and_key() {
        let sealer = Sealer::new(&[7; 32]);
        let (a, b) = (MailId::from_bytes([1; 16]), MailId::from_bytes([2; 16]));
        let sealed = sealer.seal(a, "ABCDE-23456");
        assert!(!sealed.contains("ABCDE"));
        assert_eq!(sealer.open(a, &sealed).as_deref(), Some("ABCDE-23456"));
        assert_eq!(sealer.open(b, &sealed), None, "moved to another row");
        assert_eq!(Sealer::new(&[8; 32]).open(a, &sealed), None, "another key");
        assert_eq!(sealer.open(a, "zz"), None);
    }

    #[test]
    fn a_key_ring_opens_what_an_earlier_key_sealed_and_seals_under_the_current_one() {
        let old = Sealer::new(&[7; 32]);
        let id = MailId::from_bytes([1; 16]);
        let sealed_before = old.seal(id, "ABCDE-23456");
        let ring = Sealer::ring(&[9; 32], [&[7; 32]]);
        assert_eq!(ring.open(id, &sealed_before).as_deref(), Some("ABCDE-23456"), "rotation keeps queued mails");
        let sealed_after = ring.seal(id, "FGHJK-23456");
        assert_eq!(Sealer::new(&[9; 32]).open(id, &sealed_after).as_deref(), Some("FGHJK-23456"));
        assert_eq!(old.open(id, &sealed_after), None, "new mails are sealed under the new key");
    }
}
