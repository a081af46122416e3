//! R1 after opening: when a newer version of the terms is published, an employer's next login passes through the
//! terms before anything else, on the pages and in the API, and the consent is recorded.

use mypage_domain::model::AuditAction;
use mypage_domain::values::TermsKind;
use mypage_testkit::TEST_PASSWORD;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::{Browser, EXISTING, site};

#[tokio::test]
async fn r1_a_new_terms_version_takes_the_next_page_login_through_the_terms_before_anything_else() {
    let (kit, ep) = site().await;
    let counter = kit.store.read(|t| t.staff_by_login("iidabashi.counter").unwrap().id()).await;
    kit.open_at_counter(counter, "saiyou@example.jp", EXISTING).await;
    kit.revise_terms(TermsKind::MyPageTerms).await;
    let client = TestClient::new(ep);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    let page = b.post("/login", &[("email", "saiyou@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/mypage/terms"));

    // Nothing else opens before the consent: My Page sends the browser to the login.
    let page = b.get("/mypage").await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/login")));
    let page = b.get("/mypage/terms").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("利用規約改定のお知らせ"));
    assert!(page.body.contains("マイページ利用規約（第2版）"), "the version in force is shown");

    // Sent without the boxes: the page again, saying what is missing, and still no employer session.
    let page = b.post("/mypage/terms", &[("pv", "1"), ("tv", "2")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("両方に同意してください"), "{}", page.body);
    assert_eq!(b.get("/mypage").await.location.as_deref(), Some("/login"));
    b.get("/mypage/terms").await;
    // An older version than the one in force is refused as outdated.
    let page = b.post("/mypage/terms", &[("privacy", "on"), ("terms", "on"), ("pv", "1"), ("tv", "1")]).await;
    assert!(page.body.contains("利用規約が改定されました"), "{}", page.body);

    let page = b.post("/mypage/terms", &[("privacy", "on"), ("terms", "on"), ("pv", "1"), ("tv", "2")]).await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/mypage")));
    assert_eq!(b.get("/mypage").await.status, StatusCode::OK);
    let agreed = kit
        .store
        .read(|t| {
            let consent = t.account_by_email("saiyou@example.jp").unwrap().consent().unwrap();
            (consent.mypage_terms.0, t.audit().iter().filter(|e| e.action == AuditAction::TermsAgreed).count())
        })
        .await;
    assert_eq!(agreed, (2, 1), "the new consent is recorded, once");

    // The next login goes straight to My Page.
    let mut again = Browser::new(&client);
    again.get("/login").await;
    let page = again.post("/login", &[("email", "saiyou@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.location.as_deref(), Some("/mypage"));
}

#[tokio::test]
async fn r1_the_api_login_gives_no_token_until_the_consent_to_the_new_version_comes_with_it() {
    let (kit, ep) = site().await;
    let counter = kit.store.read(|t| t.staff_by_login("iidabashi.counter").unwrap().id()).await;
    kit.open_at_counter(counter, "saiyou@example.jp", EXISTING).await;
    kit.revise_terms(TermsKind::PrivacyPolicy).await;
    let client = TestClient::new(ep);
    let login = json!({ "email": "saiyou@example.jp", "password": TEST_PASSWORD });
    let (status, body) = call(&client, "POST", "/api/v1/sessions", None, Some(login.clone())).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("terms_consent_required")));
    assert!(body.get("token").is_none());

    let consent = |pv: u32, agreed: bool| {
        json!({ "email": "saiyou@example.jp", "password": TEST_PASSWORD, "consent": {
            "privacy_policy_agreed": agreed, "mypage_terms_agreed": true,
            "privacy_policy_version": pv, "mypage_terms_version": 1 } })
    };
    let (status, body) = call(&client, "POST", "/api/v1/sessions", None, Some(consent(1, true))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("terms_outdated")));
    let (status, body) = call(&client, "POST", "/api/v1/sessions", None, Some(consent(2, false))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("consent_required")));
    let (status, body) = call(&client, "POST", "/api/v1/sessions", None, Some(consent(2, true))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["token"].as_str().is_some_and(|t| !t.is_empty()));
    let (status, _) = call(&client, "POST", "/api/v1/sessions", None, Some(login)).await;
    assert_eq!(status, StatusCode::CREATED, "agreed once, the login needs no consent any more");
}

#[tokio::test]
async fn r1_r19_a_login_waiting_for_the_consent_ends_with_the_accounts_sessions_and_keeps_nobody_logged_in() {
    let (kit, ep) = site().await;
    let counter = kit.store.read(|t| t.staff_by_login("iidabashi.counter").unwrap().id()).await;
    let account = kit.open_at_counter(counter, "saiyou@example.jp", EXISTING).await;
    kit.open_at_counter(counter, "jinji@example.jp", EXISTING).await;
    kit.revise_terms(TermsKind::MyPageTerms).await;
    let client = TestClient::new(ep);

    // A shared computer still logged in as another employer: the waiting login is not that employer any more.
    let mut b = Browser::new(&client);
    b.get("/login").await;
    b.post("/login", &[("email", "jinji@example.jp"), ("password", TEST_PASSWORD)]).await;
    b.get("/mypage/terms").await;
    b.post("/mypage/terms", &[("privacy", "on"), ("terms", "on"), ("pv", "1"), ("tv", "2")]).await;
    assert_eq!(b.get("/mypage").await.status, StatusCode::OK);
    b.get("/login").await;
    let page = b.post("/login", &[("email", "saiyou@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.location.as_deref(), Some("/mypage/terms"));
    assert_eq!(b.get("/mypage").await.location.as_deref(), Some("/login"), "the earlier employer is logged out");

    // Someone who knew the old password waits at the terms; the owner changes the password: the wait ends.
    b.get("/mypage/terms").await;
    let new = secrecy::SecretString::from("Kyujin#Henkou2027");
    let current = secrecy::SecretString::from(TEST_PASSWORD);
    kit.mypage.change_password(account, &current, &new, &new, &mypage_testkit::TestKit::client()).await.unwrap();
    let page = b.post("/mypage/terms", &[("privacy", "on"), ("terms", "on"), ("pv", "1"), ("tv", "2")]).await;
    // The session is gone: the form's token belongs to no session any more, and nothing opens.
    assert_ne!(page.location.as_deref(), Some("/mypage"), "the consent opens nothing once the wait has ended");
    assert_ne!(page.status, StatusCode::OK);
    assert_eq!(b.get("/mypage").await.location.as_deref(), Some("/login"));
}
