//! What the web adds to the rules: terms checked by the server (R1), CSRF, the key only in the browser that asked
//! (R4), session renewal at login (R13), staff confined to their routes and office (R14), security headers.

use mypage_testkit::TEST_PASSWORD;
use poem::http::{StatusCode, header};
use poem::test::TestClient;

use crate::{Browser, sign_up_to_password_page, site, submitted_first_timer};

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let page = Browser::new(&client).get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(page.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(
        page.body.contains("求人者マイページ開設（パスワード登録）")
            && page.body.contains("事業所登録・求人申し込み（仮登録）")
    );
}

#[tokio::test]
async fn r1_the_server_refuses_terms_that_were_not_both_agreed() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/start/signup").await;
    let v = kit.consent().await;
    let (pv, tv) = (v.privacy_policy_version.0.to_string(), v.mypage_terms_version.0.to_string());
    let page = b.post("/start/signup/terms", &[("privacy", "on"), ("pv", &pv), ("tv", &tv)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("両方に同意してください"));
    let skipped = b.get("/start/signup/email").await;
    assert_eq!(skipped.location.as_deref(), Some("/start/signup"), "the e-mail page needs consent first");
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    let page = b.post_raw("/login", &[("email".into(), "a@example.jp".into()), ("password".into(), "x".into())]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("ページの有効期限が切れました"));
}

#[tokio::test]
async fn r4_the_password_screen_in_another_browser_says_to_start_again() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut first = Browser::new(&client);
    sign_up_to_password_page(&mut first, &kit, "a@example.jp").await;
    let mut other = Browser::new(&client);
    let page = other.get("/start/signup/password").await;
    assert!(page.body.contains("はじめからやり直してください"));
    assert!(page.body.contains("メールアドレスを入力したブラウザーでのみ"));
}

#[tokio::test]
async fn r3_a_wrong_key_on_the_page_says_how_many_attempts_remain() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "a@example.jp").await;
    b.get("/start/signup/password").await;
    let page = b
        .post(
            "/start/signup/password",
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", "ZZZZZ-22222")],
        )
        .await;
    assert!(page.body.contains("認証キーが正しくありません。あと4回"), "{}", page.body);
}

#[tokio::test]
async fn r13_login_renews_the_session_id() {
    let (kit, endpoint) = site().await;
    kit.sign_up("renew@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    let before = b.cookie.clone().unwrap();
    b.post("/login", &[("email", "renew@example.jp"), ("password", TEST_PASSWORD)]).await;
    let after = b.cookie.clone().unwrap();
    assert_ne!(before, after);
    let token_before = b.csrf_token().to_owned();
    assert!(b.get("/mypage").await.body.contains("renew@example.jp"));
    assert_ne!(b.csrf_token(), token_before, "the CSRF token is renewed with the session");
}

#[tokio::test]
async fn r14_an_employer_session_never_reaches_the_staff_console() {
    let (kit, endpoint) = site().await;
    kit.sign_up("emp@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    b.post("/login", &[("email", "emp@example.jp"), ("password", TEST_PASSWORD)]).await;
    for path in ["/staff", "/staff/counter"] {
        assert_eq!(b.get(path).await.location.as_deref(), Some("/staff/login"), "{path}");
    }
}

#[tokio::test]
async fn r14_staff_of_another_office_can_neither_see_nor_decide_a_registration() {
    let (kit, endpoint) = site().await;
    let id = submitted_first_timer(&kit, "c@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut osaka = Browser::new(&client);
    osaka.get("/staff/login").await;
    osaka.post("/staff/login", &[("login", "osaka.reviewer"), ("password", TEST_PASSWORD)]).await;
    assert!(!osaka.get("/staff").await.body.contains(&id.to_string()));
    assert_eq!(osaka.get(&format!("/staff/registrations/{id}")).await.status, StatusCode::NOT_FOUND);
    for action in ["confirm", "contact", "return", "reject"] {
        let page = osaka.post(&format!("/staff/registrations/{id}/{action}"), &[("note", "確認")]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{action}");
    }
    let account = kit.store.read(|t| t.account_by_email("c@example.jp").unwrap().id()).await;
    let still = kit.mypage.overview(account).await.unwrap().registration.unwrap().status().clone();
    assert_eq!(still, mypage_domain::model::RegistrationStatus::Submitted);
}

#[tokio::test]
async fn r13_behind_the_trusted_proxy_the_client_is_the_address_it_forwarded() {
    use std::sync::Arc;

    use mypage_http::{HttpConfig, HttpPorts, routes};
    use mypage_testkit::{DeterministicKeys, PlainDigest};

    let (kit, _) = site().await;
    let ports = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(3)),
        clock: Arc::new(kit.clock.clone()),
    };
    let config = HttpConfig { behind_proxy: true, ..HttpConfig::default() };
    let client = TestClient::new(routes(kit.mypage.clone(), ports, config));
    let page = client.get("/login").send().await;
    let cookie =
        page.0.headers().get(header::SET_COOKIE).unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let body = page.0.into_body().into_string().await.unwrap();
    let i = body.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = body[i..i + body[i..].find('"').unwrap()].to_owned();
    client
        .post("/login")
        .header(header::COOKIE, cookie.as_str())
        .header("x-forwarded-for", "203.0.113.50, 198.51.100.23")
        .form(&[("email", "nobody@example.jp"), ("password", "Wrong#2026"), ("csrf", csrf.as_str())])
        .send()
        .await;
    let ips: Vec<String> =
        kit.store.read(|t| t.audit().iter().filter_map(|e| e.client.ip.map(|ip| ip.to_string())).collect()).await;
    assert_eq!(ips.last().map(String::as_str), Some("198.51.100.23"), "the proxy's own entry, not the client's claim");
}

#[tokio::test]
async fn r8_one_client_asking_keys_for_many_addresses_is_stopped_on_the_page_and_in_the_api() {
    use std::sync::Arc;

    use mypage_http::{HttpConfig, HttpPorts, routes};
    use mypage_testkit::{DeterministicKeys, PlainDigest};

    // The limit is the domain's, counted in the store that every instance shares.
    let domain = mypage_domain::DomainConfig {
        staff_second_factor: Vec::new(),
        key_requests_per_client: 2,
        ..mypage_domain::DomainConfig::default()
    };
    let (kit, _) = crate::site_with(domain).await;
    let ports = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(4)),
        clock: Arc::new(kit.clock.clone()),
    };
    let config = HttpConfig { behind_proxy: true, ..HttpConfig::default() };
    let client = TestClient::new(routes(kit.mypage.clone(), ports, config));
    let consent = kit.consent().await;
    let body = |email: &str| {
        serde_json::json!({"purpose": "sign_up", "email": email, "consent": {
            "privacy_policy_agreed": true, "mypage_terms_agreed": true,
            "privacy_policy_version": consent.privacy_policy_version.0,
            "mypage_terms_version": consent.mypage_terms_version.0}})
    };
    let ask = |email: &'static str, from: &'static str| {
        client.post("/api/v1/auth-keys").header("x-forwarded-for", from).body_json(&body(email)).send()
    };
    ask("one@example.jp", "198.51.100.7").await.assert_status(StatusCode::ACCEPTED);
    ask("two@example.jp", "198.51.100.7").await.assert_status(StatusCode::ACCEPTED);
    let third = ask("three@example.jp", "198.51.100.7").await;
    third.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let answer: serde_json::Value = serde_json::from_str(&third.0.into_body().into_string().await.unwrap()).unwrap();
    assert_eq!(answer["code"], "client_rate_limited");
    assert!(answer["retry_after"].is_string());
    assert!(kit.store.last_auth_key_to("three@example.jp").await.is_none(), "no mail for the refused request");
    ask("three@example.jp", "198.51.100.8").await.assert_status(StatusCode::ACCEPTED);

    // The page says when to come back, with status 429, and sends nothing.
    let mut browser = Browser::new(&client);
    browser.forwarded_for = Some("198.51.100.7");
    browser.get("/start/signup").await;
    let (pv, tv) = (consent.privacy_policy_version.0.to_string(), consent.mypage_terms_version.0.to_string());
    browser.post("/start/signup/terms", &[("privacy", "on"), ("terms", "on"), ("pv", &pv), ("tv", &tv)]).await;
    let page = browser.post("/start/signup/email", &[("email", "four@example.jp")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body.contains("しばらくしてからお試しください") && page.body.contains("以降に、もう一度お試しください")
    );
    assert!(kit.store.last_auth_key_to("four@example.jp").await.is_none());
}
