//! Logging in: R13 (throttling), R5 (rehash), R8 (no enumeration), R14 (staff).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Duration;
use mypage_domain::model::{AuditAction, ClientInfo, PasswordHash};
use mypage_domain::ports::{Clock, InfrastructureError, PasswordCheck, PasswordHasher};
use mypage_domain::usecases::{CounterRegistration, LoginError, StaffLoginError};
use mypage_domain::values::StaffRole;
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, PlainDigest, SequentialNumbers, TEST_PASSWORD};
use secrecy::SecretString;

use crate::{EXISTING, client, secret, world, world_with};

#[tokio::test]
async fn r13_active_and_provisional_accounts_log_in_and_others_get_one_answer() {
    let w = world().await;
    w.active_account("active@example.jp").await;
    w.kit.sign_up("provisional@example.jp").await;
    let registration =
        CounterRegistration { email: "waiting@example.jp".into(), establishment_number: EXISTING.into() };
    w.kit.mypage.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    let m = &w.kit.mypage;
    let pw = secret(TEST_PASSWORD);
    assert!(m.login("active@example.jp", &pw, &client()).await.unwrap().establishment.is_some());
    assert!(
        m.login("PROVISIONAL@example.jp".replace("PROVISIONAL", "provisional").as_str(), &pw, &client()).await.is_ok()
    );
    for email in ["waiting@example.jp", "nobody@example.jp", "not an address", "active@example.jp"] {
        let password = if email == "active@example.jp" { secret("Wrong#2026") } else { secret(TEST_PASSWORD) };
        assert!(matches!(m.login(email, &password, &client()).await, Err(LoginError::InvalidCredentials)), "{email}");
    }
}

#[tokio::test]
async fn r8_a_login_for_an_unknown_address_spends_a_verification_too() {
    let w = world().await;
    let before = w.kit.hasher.verifications();
    let _ = w.kit.mypage.login("nobody@example.jp", &secret(TEST_PASSWORD), &client()).await;
    assert_eq!(w.kit.hasher.verifications(), before + 1);
}

#[tokio::test]
async fn r13_five_failures_for_an_address_throttle_it_for_the_window() {
    let w = world().await;
    w.active_account("target@example.jp").await;
    let m = &w.kit.mypage;
    let first = w.kit.clock.now();
    for _ in 0..5 {
        let other_client = ClientInfo::from_ip("198.51.100.7".parse().unwrap());
        assert!(matches!(
            m.login("target@example.jp", &secret("Wrong#2026"), &other_client).await,
            Err(LoginError::InvalidCredentials)
        ));
        w.kit.clock.advance(Duration::minutes(1));
    }
    let err = m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    let LoginError::Throttled { retry_after } = err else { panic!("{err:?}") };
    assert_eq!(retry_after, first + Duration::minutes(15));
    w.kit.clock.advance(Duration::minutes(11));
    assert!(m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.is_ok());
}

#[tokio::test]
async fn r8_an_unknown_address_is_throttled_exactly_like_a_known_one() {
    let w = world().await;
    for _ in 0..5 {
        let _ = w.kit.mypage.login("ghost@example.jp", &secret("Wrong#2026"), &ClientInfo::system()).await;
    }
    let err = w.kit.mypage.login("ghost@example.jp", &secret("Wrong#2026"), &ClientInfo::system()).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }));
}

#[tokio::test]
async fn r13_one_client_failing_on_many_addresses_is_throttled() {
    let w = world_with(DomainConfig { login_failures_per_client: 3, ..DomainConfig::default() }).await;
    w.active_account("target@example.jp").await;
    for i in 0..3 {
        let _ = w.kit.mypage.login(&format!("spray{i}@example.jp"), &secret("Wrong#2026"), &client()).await;
    }
    let err = w.kit.mypage.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }));
    let elsewhere = ClientInfo::from_ip("203.0.113.9".parse().unwrap());
    assert!(w.kit.mypage.login("target@example.jp", &secret(TEST_PASSWORD), &elsewhere).await.is_ok());
}

#[tokio::test]
async fn r13_a_successful_login_clears_the_address_failures() {
    let w = world().await;
    w.active_account("target@example.jp").await;
    let m = &w.kit.mypage;
    for _ in 0..4 {
        let _ = m.login("target@example.jp", &secret("Wrong#2026"), &ClientInfo::system()).await;
    }
    m.login("target@example.jp", &secret(TEST_PASSWORD), &ClientInfo::system()).await.unwrap();
    for _ in 0..4 {
        let _ = m.login("target@example.jp", &secret("Wrong#2026"), &ClientInfo::system()).await;
    }
    assert!(m.login("target@example.jp", &secret(TEST_PASSWORD), &ClientInfo::system()).await.is_ok());
}

/// A hasher that holds its first `n` verifications until the test lets them go, to keep those logins in flight.
struct HeldHasher {
    inner: FastHasher,
    n: usize,
    started: AtomicUsize,
    gate: tokio::sync::Semaphore,
}

impl HeldHasher {
    fn new(n: usize) -> Self {
        Self { inner: FastHasher::new(), n, started: AtomicUsize::new(0), gate: tokio::sync::Semaphore::new(0) }
    }

    /// How many verifications have started.
    fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }

    fn let_go(&self) {
        self.gate.add_permits(self.n);
    }

    async fn hold(&self) {
        if self.started.fetch_add(1, Ordering::SeqCst) < self.n {
            let _permit = self.gate.acquire().await;
        }
    }
}

#[async_trait::async_trait]
impl PasswordHasher for HeldHasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        self.inner.hash(password).await
    }
    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        self.hold().await;
        self.inner.verify(password, hash).await
    }
    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError> {
        self.hold().await;
        self.inner.verify_nothing(password).await
    }
}

#[tokio::test]
async fn r13_the_right_password_inside_a_burst_is_refused_once_the_failures_hold_the_limit() {
    let w = world().await;
    w.active_account("target@example.jp").await;
    let hasher = Arc::new(HeldHasher::new(5));
    let ports = Ports {
        store: Arc::new(w.kit.store.clone()),
        clock: Arc::new(w.kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(99)),
        digest: Arc::new(PlainDigest),
        hasher: hasher.clone(),
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(w.kit.store.clone()),
        sessions: Arc::new(w.kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let m = MyPage::new(ports, DomainConfig::default());
    // Five wrong guesses, each from its own client, are being checked: none has failed yet, but each has reserved
    // its attempt before its check began.
    let guesses: Vec<_> = (0..5u8)
        .map(|n| {
            let (m, from) = (m.clone(), ClientInfo::from_ip([198, 51, 100, n].into()));
            tokio::spawn(async move { m.login("target@example.jp", &secret("Wrong#2026"), &from).await })
        })
        .collect();
    while hasher.started() < 5 {
        tokio::task::yield_now().await;
    }
    let err = m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }), "{err:?}");
    assert_eq!(hasher.started(), 5, "the refused password was never checked");
    hasher.let_go();
    for guess in guesses {
        assert!(matches!(guess.await.unwrap(), Err(LoginError::InvalidCredentials)));
    }
    let err = m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }), "the failures keep their reservations: {err:?}");
}

#[tokio::test]
async fn r13_successful_logins_give_back_their_reservation_and_do_not_count_towards_the_client_limit() {
    let w = world_with(DomainConfig { login_failures_per_client: 2, ..DomainConfig::default() }).await;
    w.active_account("target@example.jp").await;
    let m = &w.kit.mypage;
    for _ in 0..3 {
        m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap();
    }
    for i in 0..2 {
        let answer = m.login(&format!("spray{i}@example.jp"), &secret("Wrong#2026"), &client()).await;
        assert!(matches!(answer, Err(LoginError::InvalidCredentials)), "{answer:?}");
    }
    let err = m.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    assert!(matches!(err, LoginError::Throttled { .. }), "{err:?}");
}

#[tokio::test]
async fn r5_a_hash_with_old_parameters_is_upgraded_at_login() {
    let w = world().await;
    w.active_account("old@example.jp").await;
    let ports = Ports {
        store: Arc::new(w.kit.store.clone()),
        clock: Arc::new(w.kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(99)),
        digest: Arc::new(PlainDigest),
        hasher: Arc::new(FastHasher::generation(2)),
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(w.kit.store.clone()),
        sessions: Arc::new(w.kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let upgraded = MyPage::new(ports, DomainConfig::default());
    upgraded.login("old@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap();
    let stored = w.kit.store.read(|t| t.account_by_email("old@example.jp").unwrap().password().cloned().unwrap()).await;
    assert!(stored.as_str().starts_with("$fast$v=2$"), "{stored:?}");
    let rehashed = w.kit.store.read(|t| t.audit().iter().any(|e| e.action == AuditAction::PasswordRehashed)).await;
    assert!(rehashed);
    assert!(upgraded.login("old@example.jp", &secret(TEST_PASSWORD), &client()).await.is_ok());
}

#[tokio::test]
async fn r13_a_login_that_cannot_be_recorded_fails_with_an_infrastructure_error() {
    let w = world().await;
    w.active_account("target@example.jp").await;
    w.kit.store.fail_next_commits(1);
    let err = w.kit.mypage.login("target@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap_err();
    assert!(matches!(err, LoginError::Infrastructure(_)));
}

#[tokio::test]
async fn r14_staff_log_in_with_their_login_and_get_their_office_and_roles() {
    let w = world().await;
    let m = &w.kit.mypage;
    let staff = m.staff_login("IIDABASHI.Reviewer", &secret(TEST_PASSWORD), &client()).await.unwrap();
    assert_eq!(staff.staff, w.reviewer);
    assert_eq!(staff.office.as_str(), "1301");
    assert_eq!(staff.roles, vec![StaffRole::Reviewer]);
    for (login, pw) in [("iidabashi.reviewer", "Wrong#2026"), ("nobody", TEST_PASSWORD), ("x", TEST_PASSWORD)] {
        assert!(matches!(m.staff_login(login, &secret(pw), &client()).await, Err(StaffLoginError::InvalidCredentials)));
    }
}

#[tokio::test]
async fn r13_staff_logins_are_throttled_too() {
    let w = world().await;
    let m = &w.kit.mypage;
    for _ in 0..5 {
        let _ = m.staff_login("iidabashi.reviewer", &secret("Wrong#2026"), &ClientInfo::system()).await;
    }
    let err = m.staff_login("iidabashi.reviewer", &secret(TEST_PASSWORD), &ClientInfo::system()).await.unwrap_err();
    assert!(matches!(err, StaffLoginError::Throttled { .. }));
    w.kit.store.fail_next_commits(1);
    w.kit.clock.advance(Duration::minutes(16));
    let err = m.staff_login("iidabashi.reviewer", &secret(TEST_PASSWORD), &ClientInfo::system()).await.unwrap_err();
    assert!(matches!(err, StaffLoginError::Infrastructure(_)));
}
