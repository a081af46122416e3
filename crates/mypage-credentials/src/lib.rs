//! # Employer My Page — credentials
//!
//! Adapters of four domain ports that hold the cryptography:
//!
//! - [`Argon2Hasher`] implements `PasswordHasher` with argon2id (R5), off the async threads and with a bounded
//!   number of hashes at once, so that a flood of logins queues instead of exhausting memory; the tags are computed
//!   by `argon2-rust` or by the RustCrypto `argon2` crate ([`Argon2Implementation`], identical tags);
//! - [`ChaChaKeyGenerator`] implements `KeyGenerator` with ChaCha20 seeded from the operating system (R3);
//! - [`HmacKeyDigest`] implements `KeyDigest` with HMAC-SHA-256 under a server secret (R3);
//! - [`TotpSecondFactor`] implements `SecondFactor` with TOTP (RFC 6238) for the staff's second factor (R21).

mod backend;
mod digest;
mod hasher;
mod keys;
mod totp;

pub use backend::{Argon2Implementation, UnknownArgon2Implementation};
pub use digest::{HmacKeyDigest, MIN_SERVER_SECRET_LEN, ServerSecretError};
pub use hasher::{Argon2Config, Argon2ConfigError, Argon2Hasher};
pub use keys::{ChaChaKeyGenerator, KeyGeneratorError};
pub use totp::TotpSecondFactor;

/// Lower-case hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
