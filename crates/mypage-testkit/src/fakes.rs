//! Test doubles of the non-store ports: a clock the test moves, deterministic randomness, a fast hasher,
//! a plain digest and a sequential number allocator. None of them is fit for production.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_domain::model::PasswordHash;
use mypage_domain::ports::{
    Clock, Digest, DigestPurpose, EstablishmentNumberAllocator, InfrastructureError, KeyDigest, KeyGenerator,
    PasswordCheck, PasswordHasher,
};
use mypage_domain::values::{AUTH_KEY_LEN, AuthKey, EstablishmentNumber, OfficeCode};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest as _, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A clock that stands still until the test moves it. Clones share the time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock at `at`.
    #[must_use]
    pub fn at(at: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(at)))
    }

    /// A clock at 2026-11-23 10:00 JST (01:00 UTC), a Monday morning at the office.
    #[must_use]
    pub fn monday_morning() -> Self {
        Self::at(Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single().unwrap_or_default())
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Randomness from SHA-256 of a seed and a counter: different on every call, the same in every run.
#[derive(Debug)]
pub struct DeterministicKeys {
    seed: u64,
    counter: AtomicU64,
}

impl DeterministicKeys {
    /// A generator for `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: AtomicU64::new(0) }
    }

    fn next_block(&self) -> [u8; 32] {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut h = Sha256::new();
        h.update(self.seed.to_le_bytes());
        h.update(n.to_le_bytes());
        h.finalize().into()
    }
}

impl KeyGenerator for DeterministicKeys {
    fn auth_key(&self) -> AuthKey {
        let block = self.next_block();
        let mut bytes = [0u8; AUTH_KEY_LEN];
        bytes.copy_from_slice(&block[..AUTH_KEY_LEN]);
        AuthKey::from_random_bytes(bytes)
    }

    fn token(&self) -> SecretString {
        SecretString::from(hex(&self.next_block()))
    }

    fn id_bytes(&self) -> [u8; 16] {
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&self.next_block()[..16]);
        bytes
    }
}

/// A salted SHA-256 "hasher" that takes microseconds, in a PHC-like form `$fast$v=N$salt$hash`.
/// Hashes made under another `generation` need a rehash, as argon2 hashes with old parameters do (R5).
#[derive(Debug)]
pub struct FastHasher {
    generation: u32,
    salts: AtomicU64,
    verifications: AtomicU64,
}

impl FastHasher {
    /// A hasher of generation 1.
    #[must_use]
    pub fn new() -> Self {
        Self::generation(1)
    }

    /// A hasher whose hashes carry `generation`.
    #[must_use]
    pub fn generation(generation: u32) -> Self {
        Self { generation, salts: AtomicU64::new(0), verifications: AtomicU64::new(0) }
    }

    /// How many verifications ran, dummy ones included: a login for an unknown address must run one too (R8).
    #[must_use]
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    fn digest(salt: &str, password: &SecretString) -> String {
        let mut h = Sha256::new();
        h.update(salt.as_bytes());
        h.update(password.expose_secret().as_bytes());
        hex(&h.finalize())
    }
}

impl Default for FastHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl PasswordHasher for FastHasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        let salt = format!("s{}", self.salts.fetch_add(1, Ordering::Relaxed));
        Ok(PasswordHash::new(format!("$fast$v={}${salt}${}", self.generation, Self::digest(&salt, password))))
    }

    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let parts: Vec<&str> = hash.as_str().split('$').collect();
        let ["", "fast", version, salt, digest] = parts.as_slice() else {
            return Err(InfrastructureError::new("not a fast hash"));
        };
        if Self::digest(salt, password) != *digest {
            return Ok(PasswordCheck::Mismatch);
        }
        Ok(PasswordCheck::Match { needs_rehash: *version != format!("v={}", self.generation) })
    }

    async fn verify_nothing(&self, _password: &SecretString) -> Result<(), InfrastructureError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// SHA-256 of a purpose tag and the secret: deterministic, unkeyed, enough to keep clear keys out of the store.
#[derive(Debug, Default)]
pub struct PlainDigest;

impl KeyDigest for PlainDigest {
    fn digest(&self, purpose: DigestPurpose, secret: &SecretString) -> Digest {
        let mut h = Sha256::new();
        h.update(format!("{purpose:?}\0").as_bytes());
        h.update(secret.expose_secret().as_bytes());
        Digest::from_hex(hex(&h.finalize()))
    }
}

/// Allocates `OFFICE-9xxxxx-c` numbers: serials from 900001 upwards per office, so that they never meet the
/// numbers tests import (keep those below 900000). The check digit is the digit sum mod 10, a stand-in for the
/// office's own scheme.
#[derive(Debug, Default)]
pub struct SequentialNumbers(Mutex<HashMap<String, u32>>);

#[async_trait]
impl EstablishmentNumberAllocator for SequentialNumbers {
    async fn allocate(&self, office: &OfficeCode) -> Result<EstablishmentNumber, InfrastructureError> {
        let serial = {
            let mut serials = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let next = serials.entry(office.as_str().to_owned()).or_insert(900_000);
            *next += 1;
            *next
        };
        let digits = format!("{}{serial:06}", office.as_str());
        let check = digits.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 10;
        EstablishmentNumber::from_parts(office, serial, u8::try_from(check).unwrap_or(0))
            .map_err(|e| InfrastructureError::new(e.to_string()))
    }
}
