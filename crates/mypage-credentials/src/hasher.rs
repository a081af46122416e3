//! The argon2id password hasher (R5).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Params, PasswordHash as Phc, Version};
use async_trait::async_trait;
use mypage_domain::model::PasswordHash;
use mypage_domain::ports::{InfrastructureError, PasswordCheck, PasswordHasher};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::{OnceCell, Semaphore, SemaphorePermit, TryAcquireError};

use crate::backend::{Argon2Implementation, Workspace};

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
    /// Requests that may wait for a free slot; one more is refused at once with
    /// [`Overloaded`](mypage_domain::ports::Overloaded) instead of queueing (shedding load: a flood of logins is
    /// answered at once, partly with 503, instead of every request waiting seconds). 64 by default: a few seconds
    /// of work at most for one instance.
    pub max_waiting: usize,
    /// Which implementation computes the tags; both read and write the same PHC strings (issue 15).
    pub implementation: Argon2Implementation,
}

impl Default for Argon2Config {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
            max_concurrent: None,
            max_waiting: 64,
            implementation: Argon2Implementation::default(),
        }
    }
}

/// The parameters are outside what argon2 accepts.
#[derive(Debug, thiserror::Error)]
#[error("invalid argon2 parameters: {0}")]
pub struct Argon2ConfigError(String);

struct Inner {
    params: Params,
    permits: Semaphore,
    slots: usize,
    waiting: AtomicUsize,
    max_waiting: usize,
    /// Requests refused because `max_waiting` were already waiting (a figure for the metrics).
    refused: AtomicU64,
    /// The mean time of a hash lately, in nanoseconds (an exponential average), to tell a refused request when
    /// the queue will have drained.
    mean_nanos: AtomicU64,
    dummy: OnceCell<String>,
    implementation: Argon2Implementation,
    /// argon2's working memory, one buffer per hash in progress, kept between hashes.
    buffers: Mutex<Vec<Workspace>>,
}

/// Hashes and verifies passwords with argon2id on tokio's blocking threads, at most `max_concurrent` at once,
/// so that a flood of logins waits in a queue instead of taking memory without bound; at most `max_waiting` wait,
/// and a request past them is refused at once with [`Overloaded`](mypage_domain::ports::Overloaded), so that the
/// queue never holds more than a few seconds of work (issue 15).
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
        write!(f, "Argon2Hasher({},m={},t={},p={})", self.inner.implementation, p.m_cost(), p.t_cost(), p.p_cost())
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
                slots: permits,
                waiting: AtomicUsize::new(0),
                max_waiting: config.max_waiting,
                refused: AtomicU64::new(0),
                mean_nanos: AtomicU64::new(0),
                dummy: OnceCell::new(),
                implementation: config.implementation,
                buffers: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Requests waiting for a free hashing slot now (a figure for the metrics).
    #[must_use]
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// Requests refused so far because the queue was full (a figure for the metrics).
    #[must_use]
    pub fn refused(&self) -> u64 {
        self.inner.refused.load(Ordering::Relaxed)
    }

    /// When a refused request should come back: the time the full queue takes to drain at the recent mean time
    /// of a hash, in whole seconds from 1 to 60.
    fn retry_after(&self) -> Duration {
        let mean = self.inner.mean_nanos.load(Ordering::Relaxed);
        let queue = u64::try_from(self.inner.max_waiting + self.inner.slots).unwrap_or(u64::MAX);
        let slots = u64::try_from(self.inner.slots).unwrap_or(1).max(1);
        let nanos = mean.saturating_mul(queue) / slots;
        Duration::from_secs(nanos.div_ceil(1_000_000_000).clamp(1, 60))
    }

    /// A slot at once if one is free, else a place in the queue and then a slot; or [`Overloaded`] at once when
    /// `max_waiting` requests already wait.
    async fn slot(&self) -> Result<SemaphorePermit<'_>, InfrastructureError> {
        match self.inner.permits.try_acquire() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(infra("the hasher is closed")),
            Err(TryAcquireError::NoPermits) => {}
        }
        let max = self.inner.max_waiting;
        if self.inner.waiting.fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| (w < max).then_some(w + 1)).is_err()
        {
            self.inner.refused.fetch_add(1, Ordering::Relaxed);
            return Err(InfrastructureError::overloaded(self.retry_after()));
        }
        // Leaves the queue however the wait ends, also when the request is dropped while it waits.
        let _in_queue = Waiting(&self.inner.waiting);
        self.inner.permits.acquire().await.map_err(infra)
    }

    /// Runs `work` on a blocking thread once a slot is free, with the configured parameters and a working buffer.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Params, &mut Workspace) -> Result<T, InfrastructureError> + Send + 'static,
    ) -> Result<T, InfrastructureError> {
        let _permit = self.slot().await?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            // At most one buffer per permit exists, since a buffer is only taken while a permit is held.
            let mut buffer = inner
                .buffers
                .lock()
                .ok()
                .and_then(|mut b| b.pop())
                .unwrap_or_else(|| Workspace::new(inner.implementation));
            let started = Instant::now();
            let result = work(&inner.params, &mut buffer);
            let took = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            // An exponential average over about the last eight hashes; a lost update under a race is harmless.
            let mean = inner.mean_nanos.load(Ordering::Relaxed);
            let next = if mean == 0 { took } else { mean - mean / 8 + took / 8 };
            inner.mean_nanos.store(next, Ordering::Relaxed);
            if let Ok(mut buffers) = inner.buffers.lock() {
                buffers.push(buffer);
            }
            result
        })
        .await
        .map_err(infra)?
    }

    /// Computes argon2 into `out` with the configured implementation, growing `buffer` to the parameters' memory
    /// if it is smaller.
    fn compute(
        algorithm: Algorithm,
        version: Version,
        params: &Params,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
        buffer: &mut Workspace,
    ) -> Result<(), InfrastructureError> {
        buffer.compute(algorithm, version, params, &[], password, salt, out).map_err(infra)
    }

    /// A PHC string of `password` under `params`, with a fresh 16-byte salt from the operating system.
    fn hash_now(params: &Params, password: &[u8], buffer: &mut Workspace) -> Result<String, InfrastructureError> {
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
    fn matches(phc: &Phc, password: &[u8], buffer: &mut Workspace) -> Result<bool, InfrastructureError> {
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

/// A place in the hashing queue, given back when dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
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
        Argon2Hasher::new(Argon2Config {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: Some(2),
            ..Argon2Config::default()
        })
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
        let current = Argon2Hasher::new(Argon2Config {
            memory_kib: 2048,
            iterations: 1,
            parallelism: 1,
            max_concurrent: None,
            ..Argon2Config::default()
        })
        .unwrap();
        assert_eq!(
            current.verify(&SecretString::from("Kaisha#2026"), &old).await.unwrap(),
            PasswordCheck::Match { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways_with_the_argon2_crate() {
        use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
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
        assert!(buffers.iter().all(|b| b.reserved_blocks() >= 1024), "each holds m = 1024 KiB of blocks");
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

    /// Polls `done` until it holds, failing after a generous deadline (a condition, not a sleep, decides).
    async fn until(what: &str, done: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(Instant::now() < deadline, "never happened: {what}");
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_queue_bound_a_hash_is_refused_at_once_as_overloaded() {
        let hasher = Argon2Hasher::new(Argon2Config {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            max_concurrent: Some(1),
            max_waiting: 2,
            ..Argon2Config::default()
        })
        .unwrap();
        // The one slot is taken, as by a hash that takes long: every request now queues or is refused.
        let held = hasher.inner.permits.acquire().await.unwrap();
        let tasks: Vec<_> = (0..10)
            .map(|i| {
                let h = hasher.clone();
                tokio::spawn(async move { h.hash(&SecretString::from(format!("Kaisha#{i}"))).await })
            })
            .collect();
        until("8 refused and 2 waiting", || {
            tasks.iter().filter(|t| t.is_finished()).count() == 8 && hasher.waiting() == 2
        })
        .await;
        let (done, waiting): (Vec<_>, Vec<_>) = tasks.into_iter().partition(tokio::task::JoinHandle::is_finished);
        for task in done {
            let err = task.await.unwrap().unwrap_err();
            let overloaded = err.as_overloaded().expect("refused as overloaded");
            assert!(overloaded.retry_after >= Duration::from_secs(1), "{overloaded:?}");
            assert!(!err.to_string().contains("Kaisha"), "{err}");
        }
        assert_eq!(hasher.refused(), 8);
        // The slot freed, the two that waited are hashed, and the queue is empty again.
        drop(held);
        for task in waiting {
            assert!(task.await.unwrap().is_ok());
        }
        assert_eq!(hasher.waiting(), 0);
        hasher.verify_nothing(&SecretString::from("anything")).await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_dropped_while_it_waits_leaves_the_queue() {
        let hasher = Argon2Hasher::new(Argon2Config {
            max_concurrent: Some(1),
            max_waiting: 1,
            memory_kib: 1024,
            iterations: 1,
            ..Argon2Config::default()
        })
        .unwrap();
        let held = hasher.inner.permits.acquire().await.unwrap();
        let h = hasher.clone();
        let task = tokio::spawn(async move { h.hash(&SecretString::from("Kaisha#2026")).await });
        until("one waiting", || hasher.waiting() == 1).await;
        task.abort();
        until("the aborted request gone from the queue", || hasher.waiting() == 0).await;
        drop(held);
        assert!(hasher.hash(&SecretString::from("Kaisha#2026")).await.is_ok());
        assert_eq!(hasher.refused(), 0);
    }

    #[test]
    fn parameters_argon2_refuses_are_reported() {
        let err = Argon2Hasher::new(Argon2Config {
            memory_kib: 1,
            iterations: 0,
            parallelism: 1,
            max_concurrent: None,
            ..Argon2Config::default()
        });
        assert!(err.is_err());
    }
}
