//! The argon2id password hasher (R5).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash as Phc, Version};
use async_trait::async_trait;
use mypage_domain::model::PasswordHash;
use mypage_domain::ports::{InfrastructureError, PasswordCheck, PasswordHasher};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{OnceCell, Semaphore};

/// Argon2id parameters. The default is OWASP's first recommendation: m=19456 KiB, t=2, p=1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Config {
    /// Memory in KiB (m).
    pub memory_kib: u32,
    /// Passes (t).
    pub iterations: u32,
    /// Lanes (p).
    pub parallelism: u32,
    /// Hashes computed at once; `None` for as many as there are cores. Each holds `memory_kib` of memory.
    pub max_concurrent: Option<usize>,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1, max_concurrent: None }
    }
}

/// The parameters are outside what argon2 accepts.
#[derive(Debug, thiserror::Error)]
#[error("invalid argon2 parameters: {0}")]
pub struct Argon2ConfigError(String);

struct Inner {
    params: Params,
    permits: Semaphore,
    waiting: AtomicUsize,
    dummy: OnceCell<String>,
    /// argon2's working memory, one buffer per hash in progress, kept between hashes.
    buffers: Mutex<Vec<Vec<Block>>>,
}

/// Hashes and verifies passwords with argon2id on tokio's blocking threads, at most `max_concurrent` at once,
/// so that a flood of logins waits in a queue instead of taking memory without bound.
///
/// The working memory (`memory_kib` per hash) is allocated once per slot and reused: allocating it afresh for
/// every hash, on whichever blocking thread runs it, left the allocator holding hundreds of MiB after a burst of
/// logins (the load benchmark showed 110 MiB growing to 600 MiB in three seconds).
#[derive(Clone)]
pub struct Argon2Hasher {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.inner.params;
        write!(f, "Argon2Hasher(m={},t={},p={})", p.m_cost(), p.t_cost(), p.p_cost())
    }
}

fn infra(e: impl std::fmt::Display) -> InfrastructureError {
    InfrastructureError::new(format!("argon2: {e}"))
}

impl Argon2Hasher {
    /// A hasher with these parameters.
    ///
    /// # Errors
    /// [`Argon2ConfigError`] when argon2 refuses the parameters (memory below 8 × p KiB, zero passes, …).
    pub fn new(config: Argon2Config) -> Result<Self, Argon2ConfigError> {
        let params = Params::new(config.memory_kib, config.iterations, config.parallelism, None)
            .map_err(|e| Argon2ConfigError(e.to_string()))?;
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let permits = config.max_concurrent.unwrap_or(cores).max(1);
        Ok(Self {
            inner: Arc::new(Inner {
                params,
                permits: Semaphore::new(permits),
                waiting: AtomicUsize::new(0),
                dummy: OnceCell::new(),
                buffers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Requests waiting for a free hashing slot now (a figure for the metrics).
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Runs `work` on a blocking thread once a slot is free, with the configured parameters and a working buffer.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Params, &mut Vec<Block>) -> Result<T, InfrastructureError> + Send + 'static,
    ) -> Result<T, InfrastructureError> {
        self.inner.waiting.fetch_add(1, Ordering::Relaxed);
        let permit = self.inner.permits.acquire().await;
        self.inner.waiting.fetch_sub(1, Ordering::Relaxed);
        let _permit = permit.map_err(infra)?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // At most one buffer per permit exists, since a buffer is only taken while a permit is held.
            let mut buffer = inner.buffers.lock().ok().and_then(|mut b| b.pop()).unwrap_or_default();
            let result = work(&inner.params, &mut buffer);
            if let Ok(mut buffers) = inner.buffers.lock() {
                buffers.push(buffer);
            }
            result
        })
        .await
        .map_err(infra)?
    }

    /// Computes argon2 into `out`, growing `buffer` to the parameters' memory if it is smaller.
    fn compute(
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
        buffer: &mut Vec<Block>,
    ) -> Result<(), InfrastructureError> {
        let blocks = params.block_count();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::new());
        }
        Argon2::new(algorithm, version, params.clone())
            .hash_password_into_with_memory(password, salt, out, &mut buffer[..])
            .map_err(infra)
    }

    /// A PHC string of `password` under `params`, with a fresh 16-byte salt from the operating system.
    fn hash_now(params: &Params, password: &[u8], buffer: &mut Vec<Block>) -> Result<String, InfrastructureError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(infra)?;
        let mut out = [0u8; 32];
        Self::compute(Algorithm::Argon2id, Version::V0x13, params, password, &salt, &mut out, buffer)?;
        let phc = Phc {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(params).map_err(infra)?,
            salt: Some(Salt::new(&salt).map_err(infra)?),
            hash: Some(Output::new(&out).map_err(infra)?),
        };
        Ok(phc.to_string())
    }

    /// Whether `password` matches the stored PHC string, computed with the stored hash's own parameters.
    fn matches(phc: &Phc, password: &[u8], buffer: &mut Vec<Block>) -> Result<bool, InfrastructureError> {
        let (Some(salt), Some(expected)) = (&phc.salt, &phc.hash) else {
            return Err(infra("the stored password hash has no salt or no hash"));
        };
        let algorithm = Algorithm::try_from(phc.algorithm.as_str()).map_err(infra)?;
        let version = phc.version.map_or(Ok(Version::V0x13), Version::try_from).map_err(infra)?;
        let params = Params::try_from(phc).map_err(infra)?;
        let mut out = vec![0u8; expected.len()];
        Self::compute(algorithm, version, &params, password, salt.as_ref(), &mut out, buffer)?;
        // Output's equality is constant-time.
        Ok(Output::new(&out).map_err(infra)? == *expected)
    }
}

/// Whether a stored hash was made with other parameters than `params` (R5: upgrade at login).
fn outdated(phc: &Phc, params: &Params) -> bool {
    let same_algorithm = phc.algorithm == argon2::ARGON2ID_IDENT;
    let same_version = phc.version == Some(Version::V0x13.into());
    let same_params = Params::try_from(phc)
        .is_ok_and(|p| (p.m_cost(), p.t_cost(), p.p_cost()) == (params.m_cost(), params.t_cost(), params.p_cost()));
    !(same_algorithm && same_version && same_params)
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        let password = SecretString::from(password.expose_secret().to_owned());
        let phc =
            self.run(move |params, buffer| Self::hash_now(params, password.expose_secret().as_bytes(), buffer)).await?;
        Ok(PasswordHash::new(phc))
    }

    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        let password = SecretString::from(password.expose_secret().to_owned());
        let stored = hash.as_str().to_owned();
        self.run(move |params, buffer| {
            let phc = Phc::new(&stored).map_err(|_| infra("the stored password hash is not a PHC string"))?;
            // The stored hash's own parameters are used for verification, whatever the configured ones.
            if Self::matches(&phc, password.expose_secret().as_bytes(), buffer)? {
                Ok(PasswordCheck::Match { needs_rehash: outdated(&phc, params) })
            } else {
                Ok(PasswordCheck::Mismatch)
            }
        })
        .await
    }

    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError> {
        let dummy = self
            .inner
            .dummy
            .get_or_try_init(|| async {
                self.run(|params, buffer| Self::hash_now(params, b"no account has this password", buffer)).await
            })
            .await?
            .clone();
        self.verify(password, &PasswordHash::new(dummy)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Argon2Hasher {
        Argon2Hasher::new(Argon2Config { memory_kib: 1024, iterations: 1, parallelism: 1, max_concurrent: Some(2) })
            .unwrap()
    }

    #[tokio::test]
    async fn r5_hashes_with_argon2id_and_verifies() {
        let hasher = small();
        let hash = hasher.hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{}", hash.as_str());
        assert_eq!(
            hasher.verify(&SecretString::from("Kaisha#2026"), &hash).await.unwrap(),
            PasswordCheck::Match { needs_rehash: false }
        );
        assert_eq!(hasher.verify(&SecretString::from("Kaisha#2027"), &hash).await.unwrap(), PasswordCheck::Mismatch);
    }

    #[tokio::test]
    async fn r5_default_parameters_are_m19456_t2_p1() {
        let hasher = Argon2Hasher::new(Argon2Config::default()).unwrap();
        let hash = hasher.hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
    }

    #[tokio::test]
    async fn r5_a_hash_with_old_parameters_needs_rehash() {
        let old = small().hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        let current =
            Argon2Hasher::new(Argon2Config { memory_kib: 2048, iterations: 1, parallelism: 1, max_concurrent: None })
                .unwrap();
        assert_eq!(
            current.verify(&SecretString::from("Kaisha#2026"), &old).await.unwrap(),
            PasswordCheck::Match { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways_with_the_argon2_crate() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let ours = small().hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        let phc = Phc::new(ours.as_str()).unwrap();
        assert!(ours.as_str().starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{}", ours.as_str());
        assert!(Argon2::default().verify_password(b"Kaisha#2026", &phc).is_ok(), "the crate's verifier accepts ours");
        assert!(Argon2::default().verify_password(b"Kaisha#2025", &phc).is_err());
        // A hash stored by the crate's own hasher (as this one did before it reused memory) still verifies.
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap())
            .hash_password(b"Kaisha#2026")
            .unwrap()
            .to_string();
        let theirs = PasswordHash::new(theirs);
        let check = small().verify(&SecretString::from("Kaisha#2026"), &theirs).await.unwrap();
        assert_eq!(check, PasswordCheck::Match { needs_rehash: false });
        let wrong = small().verify(&SecretString::from("kaisha#2026"), &theirs).await.unwrap();
        assert_eq!(wrong, PasswordCheck::Mismatch);
    }

    #[tokio::test]
    async fn the_working_memory_is_kept_for_the_next_hash_one_buffer_per_slot() {
        let hasher = small();
        let password = SecretString::from("Kaisha#2026");
        for _ in 0..3 {
            let (a, b, c) = tokio::join!(hasher.hash(&password), hasher.hash(&password), hasher.hash(&password));
            for hashed in [a, b, c] {
                hashed.unwrap();
            }
        }
        let buffers = hasher.inner.buffers.lock().unwrap();
        assert!(!buffers.is_empty() && buffers.len() <= 2, "at most max_concurrent buffers: {}", buffers.len());
        assert!(buffers.iter().all(|b| b.len() == 1024), "each holds m = 1024 KiB of blocks");
    }

    #[tokio::test]
    async fn salts_differ_between_two_hashes_of_one_password() {
        let hasher = small();
        let a = hasher.hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        let b = hasher.hash(&SecretString::from("Kaisha#2026")).await.unwrap();
        assert_ne!(a, b);
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_infrastructure_error_without_the_password() {
        let err = small()
            .verify(&SecretString::from("Kaisha#2026"), &PasswordHash::new("not-a-hash".into()))
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("Kaisha"));
    }

    #[tokio::test]
    async fn verify_nothing_never_matches_and_succeeds() {
        let hasher = small();
        hasher.verify_nothing(&SecretString::from("anything")).await.unwrap();
        hasher.verify_nothing(&SecretString::from("no account has this password")).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_hashes_at_once_all_finish_within_the_concurrency_bound() {
        let hasher = small();
        let mut tasks = Vec::new();
        for i in 0..16 {
            let h = hasher.clone();
            tasks.push(tokio::spawn(async move { h.hash(&SecretString::from(format!("Kaisha#{i}"))).await }));
        }
        for t in tasks {
            assert!(t.await.unwrap().is_ok());
        }
        assert_eq!(hasher.waiting(), 0);
        assert_eq!(hasher.inner.permits.available_permits(), 2);
    }

    #[test]
    fn parameters_argon2_refuses_are_reported() {
        let err =
            Argon2Hasher::new(Argon2Config { memory_kib: 1, iterations: 0, parallelism: 1, max_concurrent: None });
        assert!(err.is_err());
    }
}
