//! Load shed instead of queued (issue 15): when the password hasher's queue is full, a login is answered at once
//! with 503 `overloaded` and `Retry-After` on the API, and on the page with 「ただいま混み合っています」 and the
//! address typed kept, while the logins that did queue still succeed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use mypage_domain::model::PasswordHash;
use mypage_domain::ports::{InfrastructureError, PasswordCheck, PasswordHasher};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_http::{HttpConfig, HttpPorts, routes};
use mypage_testkit::{
    DeterministicKeys, FakeSecondFactor, FastHasher, PlainDigest, SequentialNumbers, TEST_PASSWORD, TestKit,
};
use poem::Endpoint;
use poem::http::{HeaderMap, StatusCode, header};
use poem::test::TestClient;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::Browser;

/// The password hasher as a flood finds it: while held, each hash waits (at most `bound` of them; one more is
/// refused at once as `Overloaded`, as the argon2 adapter does) until released.
struct HeldHasher {
    inner: FastHasher,
    bound: usize,
    waiting: AtomicUsize,
    open: watch::Sender<bool>,
}

impl HeldHasher {
    fn new(bound: usize) -> Self {
        Self { inner: FastHasher::new(), bound, waiting: AtomicUsize::new(0), open: watch::channel(true).0 }
    }

    fn hold(&self) {
        self.open.send_replace(false);
    }

    fn release(&self) {
        self.open.send_replace(true);
    }

    fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    async fn turn(&self) -> Result<(), InfrastructureError> {
        if *self.open.borrow() {
            return Ok(());
        }
        let bound = self.bound;
        if self.waiting.fetch_update(Ordering::AcqRel, Ordering::Acquire, |w| (w < bound).then_some(w + 1)).is_err() {
            return Err(InfrastructureError::overloaded(Duration::from_secs(3)));
        }
        let opened = self.open.subscribe().wait_for(|open| *open).await.map(drop);
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        opened.map_err(|e| InfrastructureError::new(e.to_string()))
    }
}

#[async_trait]
impl PasswordHasher for HeldHasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        self.turn().await?;
        self.inner.hash(password).await
    }

    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        self.turn().await?;
        self.inner.verify(password, hash).await
    }

    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError> {
        self.turn().await?;
        self.inner.verify_nothing(password).await
    }
}

/// A site whose use cases check passwords with `hasher`, over the kit's store, with `emails` signed up.
async fn site_with_hasher(hasher: Arc<HeldHasher>, emails: &[&str]) -> (TestKit, impl Endpoint + 'static) {
    let kit = TestKit::new();
    kit.publish_terms().await;
    for email in emails {
        kit.sign_up(email).await;
    }
    let ports = Ports {
        store: Arc::new(kit.store.clone()),
        clock: Arc::new(kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(7)),
        digest: Arc::new(PlainDigest),
        hasher,
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(kit.store.clone()),
        sessions: Arc::new(kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let http = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(11)),
        clock: Arc::new(kit.clock.clone()),
    };
    let endpoint = routes(MyPage::new(ports, DomainConfig::default()), http, HttpConfig::default());
    (kit, endpoint)
}

/// One API login, its answer checked against the document.
async fn api_login<E: Endpoint>(client: &TestClient<E>, email: &str) -> (StatusCode, HeaderMap, Value) {
    let body = json!({"email": email, "password": TEST_PASSWORD});
    let response = client.post("/api/v1/sessions").body_json(&body).send().await;
    let status = response.0.status();
    let headers = response.0.headers().clone();
    let text = response.0.into_body().into_string().await.unwrap();
    crate::contract::contract(client).await.check("POST", "/api/v1/sessions", status, &headers, &text);
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Polls `done` until it holds, failing after a generous deadline (a condition decides, never a sleep).
async fn until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_logins_past_the_hashers_bound_is_refused_at_once_with_503_and_retry_after() {
    const EMAIL: &str = "flood0@example.jp";
    let emails: Vec<String> = (0..8).map(|i| format!("flood{i}@example.jp")).collect();
    let hasher = Arc::new(HeldHasher::new(2));
    let (_kit, endpoint) =
        site_with_hasher(Arc::clone(&hasher), &emails.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let client = Arc::new(TestClient::new(endpoint));
    hasher.hold();
    // Eight people log in at once from one office's address.
    let logins: Vec<_> = emails
        .into_iter()
        .map(|email| {
            let client = Arc::clone(&client);
            tokio::spawn(async move { api_login(&client, &email).await })
        })
        .collect();
    until("6 answered and 2 waiting", || {
        logins.iter().filter(|l| l.is_finished()).count() == 6 && hasher.waiting() == 2
    })
    .await;
    let (answered, waiting): (Vec<_>, Vec<_>) = logins.into_iter().partition(tokio::task::JoinHandle::is_finished);
    for login in answered {
        let (status, headers, body) = login.await.unwrap();
        assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("overloaded")), "{body}");
        assert_eq!(headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("3"));
        assert!(body["message"].as_str().unwrap().contains("混み合って"), "{body}");
    }
    // One of them tries again and again while the queue is full: each try is refused at once, and none counts as a
    // failed login (more than the five an account may fail would lock it out, R13).
    for _ in 0..6 {
        let (status, _, body) = api_login(&client, EMAIL).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("overloaded")), "{body}");
    }

    // A person at the login page, while the queue is still full: the page says so, keeps the address typed, and
    // tells the browser when to come back.
    let mut browser = Browser::new(&client);
    browser.get("/login").await;
    let page = browser.post("/login", &[("email", EMAIL), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("3"));
    assert!(page.body.contains("ただいま混み合っているため、受け付けることができませんでした"), "{}", page.body);
    assert!(page.body.contains("数秒たってから、もう一度お試しください。"), "{}", page.body);
    assert!(page.body.contains(&format!("value=\"{EMAIL}\"")), "the address typed is kept: {}", page.body);
    assert!(page.body.contains("action=\"/login\""), "the login form is shown again");

    // The queue drains: the logins that waited go through, and the person's second try too.
    hasher.release();
    for login in waiting {
        let (status, _, body) = login.await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let page = browser.post("/login", &[("email", EMAIL), ("password", TEST_PASSWORD)]).await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/mypage")));
}

#[tokio::test]
async fn a_password_change_refused_as_overloaded_comes_back_on_its_form_headed_as_busy() {
    const EMAIL: &str = "busy@example.jp";
    let hasher = Arc::new(HeldHasher::new(0));
    let (_kit, endpoint) = site_with_hasher(Arc::clone(&hasher), &[EMAIL]).await;
    let client = TestClient::new(endpoint);
    let mut browser = Browser::new(&client);
    browser.get("/login").await;
    let page = browser.post("/login", &[("email", EMAIL), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    browser.get("/mypage/account/password").await;
    // No place in the queue at all: the change is refused at once, and nothing changes.
    hasher.hold();
    let fields =
        [("current_password", TEST_PASSWORD), ("password", "Shinki#Pass2026"), ("confirmation", "Shinki#Pass2026")];
    let page = browser.post("/mypage/account/password", &fields).await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers.contains_key(header::RETRY_AFTER));
    assert!(page.body.contains("<h2>ただいま混み合っています</h2>"), "{}", page.body);
    assert!(!page.body.contains("入力内容に誤りがあります"), "{}", page.body);
    assert!(page.body.contains("action=\"/mypage/account/password\""), "the form is shown again");
    hasher.release();
    let mut again = Browser::new(&client);
    again.get("/login").await;
    let page = again.post("/login", &[("email", EMAIL), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "the old password still holds");
}
