//! A password check shed under load (the hasher refused it at once with `Overloaded`: nothing was checked) is not
//! a failed login (R13, issue 15): retrying through a flood locks neither the account nor the client out.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mypage_domain::model::{ClientInfo, PasswordHash};
use mypage_domain::ports::{InfrastructureError, PasswordCheck, PasswordHasher};
use mypage_domain::usecases::LoginError;
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, PlainDigest, SequentialNumbers, TEST_PASSWORD};
use secrecy::SecretString;

use crate::{World, client, secret, world};

/// A hasher that, while `full`, refuses every request at once as its full queue would.
#[derive(Default)]
struct SheddingHasher {
    inner: FastHasher,
    full: AtomicBool,
}

impl SheddingHasher {
    fn turn(&self) -> Result<(), InfrastructureError> {
        if self.full.load(Ordering::Acquire) {
            return Err(InfrastructureError::overloaded(Duration::from_secs(2)));
        }
        Ok(())
    }
}

#[async_trait]
impl PasswordHasher for SheddingHasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        self.turn()?;
        self.inner.hash(password).await
    }

    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        self.turn()?;
        self.inner.verify(password, hash).await
    }

    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError> {
        self.turn()?;
        self.inner.verify_nothing(password).await
    }
}

/// The world's use cases, checking passwords with `hasher`.
fn with_hasher(w: &World, hasher: Arc<SheddingHasher>) -> MyPage {
    let ports = Ports {
        store: Arc::new(w.kit.store.clone()),
        clock: Arc::new(w.kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(3)),
        digest: Arc::new(PlainDigest),
        hasher,
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(w.kit.store.clone()),
        sessions: Arc::new(w.kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    MyPage::new(ports, DomainConfig::default())
}

fn shed(answer: Result<impl std::fmt::Debug, LoginError>) -> bool {
    matches!(answer, Err(LoginError::Infrastructure(e)) if e.as_overloaded().is_some())
}

#[tokio::test]
async fn r13_logins_shed_by_a_full_hasher_count_as_no_failure_of_the_account_nor_the_client() {
    let w = world().await;
    w.active_account("busy@example.jp").await;
    let hasher = Arc::new(SheddingHasher::default());
    let m = with_hasher(&w, Arc::clone(&hasher));
    hasher.full.store(true, Ordering::Release);
    // Twice the account's limit (5) on one address, and more than the client's (30) over many.
    for _ in 0..10 {
        assert!(shed(m.login("busy@example.jp", &secret(TEST_PASSWORD), &client()).await));
    }
    for i in 0..40 {
        assert!(shed(m.login(&format!("someone{i}@example.jp"), &secret("Wrong#2026"), &client()).await));
    }
    let staff = ClientInfo::from_ip("198.51.100.9".parse().unwrap());
    for _ in 0..10 {
        let answer = m.staff_login("iidabashi.counter", &secret(TEST_PASSWORD), &staff).await;
        assert!(
            matches!(&answer, Err(mypage_domain::usecases::StaffLoginError::Infrastructure(e)) if e.as_overloaded().is_some()),
            "{answer:?}"
        );
    }
    // The queue has room again: the same client and the same account log in at once, no one throttled.
    hasher.full.store(false, Ordering::Release);
    assert!(m.login("busy@example.jp", &secret(TEST_PASSWORD), &client()).await.is_ok());
    assert!(m.staff_login("iidabashi.counter", &secret(TEST_PASSWORD), &staff).await.is_ok());
}

#[tokio::test]
async fn r13_a_shed_attempt_gives_back_only_its_own_reservation_and_real_failures_still_count() {
    let w = world().await;
    w.active_account("wrong@example.jp").await;
    let hasher = Arc::new(SheddingHasher::default());
    let m = with_hasher(&w, Arc::clone(&hasher));
    let (password, from) = (secret("Wrong#2026"), client());
    let wrong = || m.login("wrong@example.jp", &password, &from);
    for _ in 0..4 {
        assert!(matches!(wrong().await, Err(LoginError::InvalidCredentials)));
    }
    hasher.full.store(true, Ordering::Release);
    for _ in 0..3 {
        assert!(shed(wrong().await));
    }
    hasher.full.store(false, Ordering::Release);
    // The fifth real failure is still checked (the shed ones took no place), and then the account is held.
    assert!(matches!(wrong().await, Err(LoginError::InvalidCredentials)));
    assert!(matches!(
        m.login("wrong@example.jp", &secret(TEST_PASSWORD), &client()).await,
        Err(LoginError::Throttled { .. })
    ));
}
