//! `AuthKey` (認証キー, R3): the one-time key mailed to an employer.

use secrecy::{ExposeSecret, SecretString};

use crate::text::{fold_width, is_hyphen_like};

/// The key alphabet: digits and upper-case letters without the look-alikes 0, 1, I and O.
/// 32 symbols, so each character carries 5 bits.
pub const AUTH_KEY_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Characters in a key: 10 × 5 = 50 bits, above R3's floor of 40.
pub const AUTH_KEY_LEN: usize = 10;

// R3: at least 40 bits. Checked when the crate compiles, so that no edit of the two constants can weaken it.
const _: () = assert!(AUTH_KEY_LEN * 5 >= 40 && AUTH_KEY_ALPHABET.len() == 32);

/// An auth key in canonical form (ten characters of [`AUTH_KEY_ALPHABET`]).
///
/// It has no `Display`: the clear key exists only on its way into the mail and from the employer's form
/// to the keyed digest (R3).
pub struct AuthKey(SecretString);

impl std::fmt::Debug for AuthKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthKey([REDACTED])")
    }
}

/// Why a typed key cannot be an auth key. A malformed key is not counted as a wrong attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthKeyError {
    /// Nothing was entered.
    #[error("the auth key is empty")]
    Empty,
    /// Not ten characters once spaces and hyphens are dropped.
    #[error("the auth key has {0} characters instead of {AUTH_KEY_LEN}")]
    WrongLength(usize),
    /// A character that no key contains.
    #[error("the auth key contains a character that keys never contain")]
    InvalidCharacter,
}

impl AuthKey {
    /// Makes a key from random bytes: each byte picks one symbol (`byte % 32`, unbiased since 256 = 8 × 32).
    /// The key generator port calls this with bytes from its CSPRNG.
    #[must_use]
    pub fn from_random_bytes(bytes: [u8; AUTH_KEY_LEN]) -> Self {
        let text: String = bytes.iter().map(|b| char::from(AUTH_KEY_ALPHABET[usize::from(b % 32)])).collect();
        Self(SecretString::from(text))
    }

    /// Parses what an employer typed: case-insensitive, full-width accepted, spaces and hyphens ignored.
    ///
    /// # Errors
    /// [`AuthKeyError`] naming the problem.
    pub fn parse(raw: &SecretString) -> Result<Self, AuthKeyError> {
        let folded = fold_width(raw.expose_secret());
        let canonical: String = folded
            .chars()
            .filter(|c| !c.is_whitespace() && !is_hyphen_like(*c))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if canonical.is_empty() {
            return Err(AuthKeyError::Empty);
        }
        if !canonical.bytes().all(|b| AUTH_KEY_ALPHABET.contains(&b)) {
            return Err(AuthKeyError::InvalidCharacter);
        }
        let len = canonical.chars().count();
        if len != AUTH_KEY_LEN {
            return Err(AuthKeyError::WrongLength(len));
        }
        Ok(Self(SecretString::from(canonical)))
    }

    /// The canonical ten characters, for the keyed digest.
    #[must_use]
    pub fn canonical(&self) -> &SecretString {
        &self.0
    }

    /// The key as the mail prints it, in two groups of five (`ABCDE-FGH23`), easy to read aloud.
    #[must_use]
    pub fn for_mail(&self) -> SecretString {
        let s = self.0.expose_secret();
        SecretString::from(format!("{}-{}", &s[..5], &s[5..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r3_the_alphabet_has_32_distinct_symbols_so_a_key_carries_50_bits() {
        let unique: std::collections::BTreeSet<_> = AUTH_KEY_ALPHABET.iter().collect();
        assert_eq!(unique.len(), 32);
    }

    #[test]
    fn r3_the_alphabet_has_no_look_alikes() {
        for c in [b'0', b'1', b'I', b'O'] {
            assert!(!AUTH_KEY_ALPHABET.contains(&c));
        }
    }

    #[test]
    fn r3_typed_case_insensitively_with_full_width_and_hyphens() {
        let key = AuthKey::from_random_bytes([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(key.canonical().expose_secret(), "23456789AB");
        assert_eq!(key.for_mail().expose_secret(), "23456-789AB");
        for typed in ["23456789ab", "23456-789AB", " ２３４５６－７８９ＡＢ ", "23456 789aB"] {
            let parsed = AuthKey::parse(&SecretString::from(typed)).unwrap();
            assert_eq!(parsed.canonical().expose_secret(), "23456789AB", "{typed}");
        }
    }

    #[test]
    fn r3_malformed_keys_are_named() {
        let parse = |s: &str| AuthKey::parse(&SecretString::from(s)).unwrap_err();
        assert_eq!(parse(""), AuthKeyError::Empty);
        assert_eq!(parse("ABCDE"), AuthKeyError::WrongLength(5));
        assert_eq!(parse("ABCDE0GHJK"), AuthKeyError::InvalidCharacter);
    }

    #[test]
    fn r3_debug_never_shows_the_key() {
        let key = AuthKey::from_random_bytes([9; AUTH_KEY_LEN]);
        assert_eq!(format!("{key:?}"), "AuthKey([REDACTED])");
    }
}
