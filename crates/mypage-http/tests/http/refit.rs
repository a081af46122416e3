//! What the refitted web adapter promises beyond the cases: a failing session store is an outage (503), never a
//! logout (401); a staff decision is one of three, and anything else is refused without changing anything (R11).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use mypage_domain::model::RegistrationStatus;
use mypage_domain::ports::{Digest, InfrastructureError, Session, SessionStore, SessionSubject};
use mypage_http::{HttpConfig, HttpPorts, routes};
use mypage_testkit::{DeterministicKeys, MemoryStore, PlainDigest, TEST_PASSWORD, TestKit};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::{Browser, site, submitted_first_timer};

/// The kit's session store, which can be switched off as a database outage would.
#[derive(Clone)]
struct Flaky {
    inner: MemoryStore,
    down: Arc<AtomicBool>,
}

impl Flaky {
    fn check(&self) -> Result<(), InfrastructureError> {
        if self.down.load(Ordering::SeqCst) {
            Err(InfrastructureError::new("the session store is down"))
        } else {
            Ok(())
        }
    }
}

#[async_trait::async_trait]
impl SessionStore for Flaky {
    async fn save(&self, session: &Session) -> Result<(), InfrastructureError> {
        self.check()?;
        self.inner.save(session).await
    }

    async fn update(&self, session: &Session) -> Result<bool, InfrastructureError> {
        self.check()?;
        self.inner.update(session).await
    }

    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError> {
        self.check()?;
        self.inner.load(id, now).await
    }

    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError> {
        self.check()?;
        self.inner.delete(id).await
    }

    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError> {
        self.check()?;
        self.inner.end_all(subject).await
    }

    async fn for_subject(
        &self,
        subject: SessionSubject,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, InfrastructureError> {
        self.check()?;
        self.inner.for_subject(subject, now).await
    }

    async fn end(&self, subject: SessionSubject, id: &Digest) -> Result<bool, InfrastructureError> {
        self.check()?;
        self.inner.end(subject, id).await
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError> {
        self.check()?;
        self.inner.purge_expired(now).await
    }
}

async fn site_with_flaky_sessions() -> (TestKit, impl poem::Endpoint, Arc<AtomicBool>) {
    let (kit, _) = site().await;
    let down = Arc::new(AtomicBool::new(false));
    let ports = HttpPorts {
        sessions: Arc::new(Flaky { inner: kit.store.clone(), down: Arc::clone(&down) }),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(12)),
        clock: Arc::new(kit.clock.clone()),
    };
    let endpoint = routes(kit.mypage.clone(), ports, HttpConfig::default());
    (kit, endpoint, down)
}

#[tokio::test]
async fn a_session_store_outage_during_a_bearer_token_request_answers_503_not_401() {
    let (_kit, endpoint, down) = site_with_flaky_sessions().await;
    let client = TestClient::new(endpoint);
    let login = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let (status, body) = call(&client, "POST", "/api/v1/staff/sessions", None, Some(login)).await;
    assert_eq!(status, StatusCode::CREATED);
    let token = body["token"].as_str().unwrap().to_owned();
    down.store(true, Ordering::SeqCst);
    let (status, body) = call(&client, "GET", "/api/v1/staff/queue", Some(&token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")));
    let (status, body) = call(&client, "DELETE", "/api/v1/sessions/current", Some(&token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")), "logout");
    down.store(false, Ordering::SeqCst);
    let (status, _) = call(&client, "GET", "/api/v1/staff/queue", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "the token the client kept still works once the store is back");
}

#[tokio::test]
async fn a_session_store_outage_on_a_page_answers_503_and_keeps_the_browser_logged_in() {
    let (_kit, endpoint, down) = site_with_flaky_sessions().await;
    let client = TestClient::new(endpoint);
    let mut staff = Browser::new(&client);
    staff.get("/staff/login").await;
    staff.post("/staff/login", &[("login", "iidabashi.reviewer"), ("password", TEST_PASSWORD)]).await;
    let cookie = staff.cookie.clone();
    down.store(true, Ordering::SeqCst);
    let page = staff.get("/staff").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.location, None, "not sent to the login page");
    down.store(false, Ordering::SeqCst);
    staff.cookie = cookie;
    let page = staff.get("/staff").await;
    assert_eq!(page.status, StatusCode::OK);
}

#[tokio::test]
async fn r11_an_unknown_staff_decision_answers_400_and_changes_nothing() {
    let (kit, endpoint) = site().await;
    let id = submitted_first_timer(&kit, "c@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut reviewer = Browser::new(&client);
    reviewer.get("/staff/login").await;
    reviewer.post("/staff/login", &[("login", "iidabashi.reviewer"), ("password", TEST_PASSWORD)]).await;
    reviewer.get(&format!("/staff/registrations/{id}")).await;
    for decision in ["approve", "rejected", "CONTACT", ""] {
        let page = reviewer.post(&format!("/staff/registrations/{id}/{decision}"), &[("note", "確認")]).await;
        assert!(
            [StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&page.status),
            "page {decision:?}: {}",
            page.status
        );
    }
    let page = reviewer.post(&format!("/staff/registrations/{id}/approve"), &[("note", "確認")]).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST, "a decision that is not one of the three");
    let login = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let (_, body) = call(&client, "POST", "/api/v1/staff/sessions", None, Some(login)).await;
    let token = body["token"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/staff/registrations/{id}/approve");
    let (status, body) = call(&client, "POST", &path, Some(&token), Some(json!({"note": "確認"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let account = kit.store.read(|t| t.account_by_email("c@example.jp").unwrap().id()).await;
    let still = kit.mypage.overview(account).await.unwrap().registration.unwrap().status().clone();
    assert_eq!(still, RegistrationStatus::Submitted, "nothing was decided");
}
