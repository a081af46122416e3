//! The holes a hostile tester found in the web adapter, each closed and attacked again here (issue #11).

use chrono::Duration;
use mypage_domain::model::FlowPurpose;
use mypage_domain::ports::{Clock, SessionStore};
use mypage_domain::values::StaffRole;
use mypage_testkit::{TEST_PASSWORD, TestKit};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::{Browser, site};

#[tokio::test]
async fn a_flood_of_anonymous_page_views_stores_no_session_and_their_forms_still_work() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    for _ in 0..50 {
        for path in ["/", "/login", "/start/signup", "/start/reset/email", "/staff/login", "/help"] {
            // Each view from a new client: no cookie sent back.
            let mut visitor = Browser::new(&client);
            visitor.get(path).await;
        }
    }
    let far = kit.clock.now() + Duration::days(3650);
    assert_eq!(kit.store.purge_expired(far).await.unwrap(), 0, "no session row was written");
    let mut visitor = Browser::new(&client);
    visitor.get("/login").await;
    let page = visitor.post("/login", &[("email", "nobody@example.jp"), ("password", "x")]).await;
    assert!(page.body.contains("メールアドレスまたはパスワードが正しくありません"), "the anonymous form is accepted");
    assert_eq!(kit.store.purge_expired(far).await.unwrap(), 0, "a refused login keeps nothing either");
}

async fn api_login<E: poem::Endpoint>(client: &TestClient<E>, path: &str, body: serde_json::Value) -> String {
    let (status, body) = call(client, "POST", path, None, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn r17_a_password_reset_ends_the_old_browser_session_and_the_old_api_token() {
    let (kit, endpoint) = site().await;
    kit.sign_up("forgot@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut browser = Browser::new(&client);
    browser.get("/login").await;
    browser.post("/login", &[("email", "forgot@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(browser.get("/mypage").await.status, StatusCode::OK);
    let token =
        api_login(&client, "/api/v1/sessions", json!({"email": "forgot@example.jp", "password": TEST_PASSWORD})).await;
    let reset = kit.request_key(FlowPurpose::ResetPassword, "forgot@example.jp").await;
    let entry = kit.entry(reset, "forgot@example.jp").await;
    kit.mypage.reset_password(&entry, &TestKit::client()).await.unwrap();
    assert_eq!(browser.get("/mypage").await.location.as_deref(), Some("/login"), "the old cookie is logged out");
    let (status, body) = call(&client, "GET", "/api/v1/mypage", Some(&token), None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
}

#[tokio::test]
async fn r14_a_stopped_members_token_is_refused_as_logged_out_and_stays_so_after_the_access_is_restored() {
    let (kit, endpoint) = site().await;
    let admin = kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let reviewer = kit.store.read(|t| t.staff_by_login("iidabashi.reviewer").unwrap().id()).await;
    let client = TestClient::new(endpoint);
    let token =
        api_login(&client, "/api/v1/staff/sessions", json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD}))
            .await;
    kit.mypage.set_staff_active(admin, reviewer, false, &TestKit::client()).await.unwrap();
    let (status, _) = call(&client, "GET", "/api/v1/staff/queue", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "not 403: the session is gone");
    kit.mypage.set_staff_active(admin, reviewer, true, &TestKit::client()).await.unwrap();
    let (status, _) = call(&client, "GET", "/api/v1/staff/queue", Some(&token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "restoring the access brings no session back");
}

#[tokio::test]
async fn a_browser_session_id_is_no_api_token_and_an_api_token_no_browser_session() {
    let (kit, endpoint) = site().await;
    kit.sign_up("both@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut browser = Browser::new(&client);
    browser.get("/login").await;
    browser.post("/login", &[("email", "both@example.jp"), ("password", TEST_PASSWORD)]).await;
    let cookie = browser.cookie.clone().unwrap();
    let id = cookie.split_once('=').unwrap().1.to_owned();
    let (status, _) = call(&client, "GET", "/api/v1/mypage", Some(&id), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a stolen cookie does not open the API");
    let token =
        api_login(&client, "/api/v1/sessions", json!({"email": "both@example.jp", "password": TEST_PASSWORD})).await;
    let mut other = Browser::new(&client);
    other.cookie = Some(format!("mypage={token}"));
    assert_eq!(other.get("/mypage").await.location.as_deref(), Some("/login"), "a token does not open the pages");
}

#[tokio::test]
async fn r13_a_throttled_login_answers_429_with_retry_after_on_the_page_and_in_the_api() {
    let (kit, endpoint) = site().await;
    kit.sign_up("guessed@example.jp").await;
    let client = TestClient::new(endpoint);
    let wrong = json!({"email": "guessed@example.jp", "password": "Wrong#Password1"});
    let mut throttled = None;
    for _ in 0..10 {
        let response = client.post("/api/v1/sessions").body_json(&wrong).send().await;
        if response.0.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
    }
    let response = throttled.expect("the API throttles repeated failures");
    let retry = response.0.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let retry = retry.expect("a 429 says when to try again");
    assert!(retry.ends_with(" GMT") && chrono::DateTime::parse_from_rfc2822(&retry).is_ok(), "an HTTP-date: {retry}");
    let mut browser = Browser::new(&client);
    browser.get("/login").await;
    let page = browser.post("/login", &[("email", "guessed@example.jp"), ("password", "Wrong#Password1")]).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.get("retry-after").is_some(), "the page's 429 too");
}

#[tokio::test]
async fn a_body_over_the_limit_is_the_documented_413_json_error_in_the_api() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let huge = json!({"email": "a".repeat(70 * 1024), "password": "x"});
    let (status, body) = call(&client, "POST", "/api/v1/sessions", None, Some(huge)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
    let (_, spec) = call(&client, "GET", "/api/v1/openapi.json", None, None).await;
    let documented = &spec["paths"]["/sessions"]["post"]["responses"]["413"];
    assert_eq!(
        documented["content"]["application/json; charset=utf-8"]["schema"]["$ref"],
        "#/components/schemas/ApiError"
    );
}

#[tokio::test]
async fn r3_an_expired_key_keeps_the_flow_and_the_key_of_a_later_mail_still_opens_the_account() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    crate::sign_up_to_password_page(&mut b, &kit, "late@example.jp").await;
    let first = kit.store.last_auth_key_to("late@example.jp").await.unwrap();
    kit.clock.advance(Duration::minutes(20));
    b.get("/start/signup/password").await;
    b.post("/start/signup/resend", &[]).await;
    let second = kit.store.last_auth_key_to("late@example.jp").await.unwrap();
    assert_ne!(first, second);
    kit.clock.advance(Duration::minutes(15));
    b.get("/start/signup/password").await;
    let fields = [("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD)];
    let page = b.post("/start/signup/password", &[fields[0], fields[1], ("auth_key", first.as_str())]).await;
    assert_eq!(page.status, StatusCode::OK, "the password page again, not the start-again page");
    assert!(page.body.contains("後からお送りしたメールの認証キー"), "the page says a later key may still be good");
    let page = b.post("/start/signup/password", &[fields[0], fields[1], ("auth_key", second.as_str())]).await;
    assert_eq!(page.location.as_deref(), Some("/start/signup/done"), "the later key of the same flow works");
}

#[tokio::test]
async fn a_flood_of_forms_posted_as_if_from_the_site_holds_at_most_a_few_per_client() {
    use std::sync::Arc;

    use mypage_http::{HttpConfig, HttpPorts, routes};
    use mypage_testkit::{DeterministicKeys, PlainDigest};

    let (kit, _) = site().await;
    let ports = HttpPorts {
        sessions: Arc::new(kit.store.clone()),
        digest: Arc::new(PlainDigest),
        keys: Arc::new(DeterministicKeys::new(5)),
        clock: Arc::new(kit.clock.clone()),
    };
    let config = HttpConfig { behind_proxy: true, ..HttpConfig::default() };
    let client = TestClient::new(routes(kit.mypage.clone(), ports, config));
    // A script claims to be the site's own page (a header anyone can send) and posts a large form, again and again,
    // each time as a new visitor: every held form would be a stored session.
    let form = [("occupation", "x".repeat(30_000))];
    for from in ["198.51.100.7", "198.51.100.8"] {
        for _ in 0..40 {
            let sent = client
                .post("/mypage/job")
                .header("sec-fetch-site", "same-origin")
                .header("x-forwarded-for", from)
                .form(&form)
                .send()
                .await;
            sent.assert_status(StatusCode::SEE_OTHER);
        }
    }
    let far = kit.clock.now() + Duration::days(3650);
    assert_eq!(kit.store.purge_expired(far).await.unwrap(), 20, "ten held forms per client, the rest not kept");
}
