//! `Digest`: what the store keeps of an auth key, a flow token or a session id (R3).

use std::fmt;

/// A keyed digest (lower-case hex of HMAC-SHA-256) of a secret. Made by the `KeyDigest` port.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Digest(String);

impl Digest {
    /// Wraps a digest in hex, as the digest port or the store give it.
    #[must_use]
    pub fn from_hex(hex: String) -> Self {
        Self(hex.to_ascii_lowercase())
    }

    /// The lower-case hex.
    #[must_use]
    pub fn as_hex(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({}…)", self.0.get(..8).unwrap_or(&self.0))
    }
}
