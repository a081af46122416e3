//! The host as an embedder would test it: its own route and My Page's answer side by side, and case C through the
//! mounted JSON API, confirmed with a number drawn from the host's registry rather than `mypage-db`'s counter.
#![expect(clippy::unwrap_used, reason = "tests fail at once with the reason")]

use std::sync::Arc;

use mypage_domain::values::{OfficeCode, StaffRole};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_embed_example::{RegistryNumbers, host};
use mypage_http::{HttpConfig, HttpPorts};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, PlainDigest, TEST_PASSWORD, TestKit, fixtures};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{Value, json};

async fn call<E: poem::Endpoint>(client: &TestClient<E>, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut request =
        if path.contains("registration/") && !path.ends_with("submit") { client.put(path) } else { client.post(path) };
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let response = request.body_json(&body).send().await;
    let status = response.0.status();
    let text = response.0.into_body().into_string().await.unwrap();
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_host_serves_its_route_and_my_page_and_case_c_draws_the_number_from_the_hosts_registry() {
    // The testkit's store holds the data; the kit's helpers set up terms, an office and a reviewer in it.
    let kit = TestKit::new();
    kit.publish_terms().await;
    kit.office("1301", "ハローワーク飯田橋").await;
    kit.staff("1301", "iidabashi.reviewer", &[StaffRole::Reviewer]).await;
    let ports = Ports {
        store: Arc::new(kit.store.clone()),
        clock: Arc::new(kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(3)),
        digest: Arc::new(PlainDigest),
        hasher: Arc::new(FastHasher::new()),
        numbers: Arc::new(RegistryNumbers::new(700_001)),
        outbox: Arc::new(kit.store.clone()),
        sessions: Arc::new(kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let mypage = MyPage::new(ports, DomainConfig::default());
    let http_ports = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(5)),
        clock: Arc::new(kit.clock.clone()),
    };
    let client = TestClient::new(host(mypage_http::routes(mypage, http_ports, HttpConfig::default())));

    let status = client.get("/portal/status").send().await;
    status.assert_status_is_ok();
    status.assert_text(r#"{"service":"office portal","employer_mypage":"mounted at /"}"#).await;
    let top = client.get("/").send().await;
    top.assert_status_is_ok();
    assert!(top.0.into_body().into_string().await.unwrap().contains("事業所登録・求人申し込み（仮登録）"));
    client.get("/portal/nothing").send().await.assert_status(StatusCode::NOT_FOUND);

    let consent = kit.consent().await;
    let email = "host@example.jp";
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": consent.privacy_policy_version.0, "mypage_terms_version": consent.mypage_terms_version.0,
    });
    let flow =
        call(&client, "/api/v1/auth-keys", None, json!({"purpose": "sign_up", "email": email, "consent": consent}))
            .await["flow_token"]
            .as_str()
            .unwrap()
            .to_owned();
    let key = kit.store.last_auth_key_to(email).await.unwrap();
    let entry = json!({"flow_token": flow, "auth_key": key, "password": TEST_PASSWORD, "confirmation": TEST_PASSWORD});
    call(&client, "/api/v1/passwords", None, entry).await;
    let token =
        call(&client, "/api/v1/sessions", None, json!({"email": email, "password": TEST_PASSWORD})).await["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let token = Some(token.as_str());
    call(&client, "/api/v1/mypage/registration/history", token, json!({"kind": "first", "office": "1301"})).await;
    let info = serde_json::to_value(fixtures::establishment_info()).unwrap();
    call(&client, "/api/v1/mypage/registration/establishment", token, info).await;
    let offer = serde_json::to_value(fixtures::job_offer()).unwrap();
    call(&client, "/api/v1/mypage/registration/job-offer", token, offer).await;
    let registration = call(&client, "/api/v1/mypage/registration/submit", token, Value::Null).await["registration_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The reviewer enrols a second factor (R21), and the confirmation opens the session.
    let login = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let secret = call(&client, "/api/v1/staff/second-factor", None, login).await["secret"].as_str().unwrap().to_owned();
    let code = FakeSecondFactor::code(&secret, mypage_domain::ports::Clock::now(&kit.clock));
    let confirm = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD, "code": code});
    let enrolled = call(&client, "/api/v1/staff/second-factor/confirm", None, confirm).await;
    let staff = enrolled["session"]["token"].as_str().unwrap().to_owned();
    let decided =
        call(&client, &format!("/api/v1/staff/registrations/{registration}/confirm"), Some(&staff), Value::Null).await;
    let office = OfficeCode::parse("1301").unwrap();
    let expected = format!("1301-700001-{}", RegistryNumbers::check_digit(&office, 700_001));
    assert_eq!(decided["establishment_number"], expected.as_str(), "the host's registry numbered it");
}
