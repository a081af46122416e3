//! The key generator: ChaCha20 seeded from the operating system (R3).

use std::sync::Mutex;

use mypage_domain::ports::KeyGenerator;
use mypage_domain::values::{AUTH_KEY_LEN, AuthKey};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use secrecy::SecretString;

/// The operating system would not give a seed.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct KeyGeneratorError(String);

/// Draws auth keys, tokens and ids from a ChaCha20 CSPRNG seeded from the operating system.
pub struct ChaChaKeyGenerator {
    rng: Mutex<ChaCha20Rng>,
}

impl std::fmt::Debug for ChaChaKeyGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChaChaKeyGenerator")
    }
}

impl ChaChaKeyGenerator {
    /// Seeds a generator from the operating system.
    ///
    /// # Errors
    /// [`KeyGeneratorError`] when the operating system's source fails.
    pub fn from_os() -> Result<Self, KeyGeneratorError> {
        let rng = ChaCha20Rng::try_from_rng(&mut getrandom::SysRng).map_err(|e| KeyGeneratorError(e.to_string()))?;
        Ok(Self { rng: Mutex::new(rng) })
    }

    pub(crate) fn fill(&self, out: &mut [u8]) {
        // A poisoned lock only means another thread panicked while drawing; the generator state is still valid.
        let mut rng = self.rng.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        rng.fill_bytes(out);
    }
}

impl KeyGenerator for ChaChaKeyGenerator {
    fn auth_key(&self) -> AuthKey {
        let mut bytes = [0u8; AUTH_KEY_LEN];
        self.fill(&mut bytes);
        AuthKey::from_random_bytes(bytes)
    }

    fn token(&self) -> SecretString {
        let mut bytes = [0u8; 32];
        self.fill(&mut bytes);
        SecretString::from(crate::hex(&bytes))
    }

    fn id_bytes(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        self.fill(&mut bytes);
        bytes
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use mypage_domain::values::AUTH_KEY_ALPHABET;
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn r3_keys_use_only_the_alphabet_and_do_not_repeat() {
        let generator = ChaChaKeyGenerator::from_os().unwrap();
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let key = generator.auth_key();
            let text = key.canonical().expose_secret().to_owned();
            assert_eq!(text.len(), AUTH_KEY_LEN);
            assert!(text.bytes().all(|b| AUTH_KEY_ALPHABET.contains(&b)));
            assert!(seen.insert(text), "a 50-bit key repeated within 2000 draws");
        }
    }

    #[test]
    fn r3_every_symbol_of_the_alphabet_is_drawn() {
        let generator = ChaChaKeyGenerator::from_os().unwrap();
        let mut counts = [0u32; 32];
        for _ in 0..1000 {
            for b in generator.auth_key().canonical().expose_secret().bytes() {
                if let Some(i) = AUTH_KEY_ALPHABET.iter().position(|a| *a == b) {
                    counts[i] += 1;
                }
            }
        }
        // 10,000 symbols over 32: about 312 each; a symbol below 200 would mean a biased mapping.
        assert!(counts.iter().all(|c| *c > 200), "{counts:?}");
    }

    #[test]
    fn two_generators_seeded_from_the_os_differ() {
        let a = ChaChaKeyGenerator::from_os().unwrap();
        let b = ChaChaKeyGenerator::from_os().unwrap();
        assert_ne!(a.id_bytes(), b.id_bytes());
        assert_ne!(a.token().expose_secret(), b.token().expose_secret());
        assert_eq!(a.token().expose_secret().len(), 64);
    }
}
