//! R21: reviewers and admins log in with a code from an authenticator app besides the password. Enrolment on the
//! pages and through the API, the code step, replayed and recovery codes, the throttle, and an admin's reset.

use chrono::Duration;
use mypage_domain::DomainConfig;
use mypage_domain::ports::Clock as _;
use mypage_domain::values::StaffRole;
use mypage_testkit::{FakeSecondFactor, TEST_PASSWORD, TestKit};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::api::call;
use crate::{Browser, site_with};

const REVIEWER: &str = "iidabashi.reviewer";

/// The text between `start` and the next `end` in `body`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body.find(start).unwrap_or_else(|| panic!("{start} in {body}")) + start.len();
    &body[from..from + body[from..].find(end).unwrap()]
}

/// The code the member's app shows now.
pub(crate) fn code_now(kit: &TestKit, secret: &str) -> String {
    FakeSecondFactor::code(secret, kit.clock.now())
}

/// Logs `login` in with the password on a fresh browser and opens the page the login goes on to; its path.
async fn password<E: poem::Endpoint>(b: &mut Browser<'_, E>, login: &str) -> Option<String> {
    b.get("/staff/login").await;
    let next = b.post("/staff/login", &[("login", login), ("password", TEST_PASSWORD)]).await.location;
    if let Some(next) = &next {
        b.get(next).await;
    }
    next
}

/// Enrols `login` through the API; its secret text and recovery codes.
pub(crate) async fn enrol_by_api<E: poem::Endpoint>(
    client: &TestClient<E>,
    kit: &TestKit,
    login: &str,
) -> (String, Vec<String>) {
    let credentials = json!({"login": login, "password": TEST_PASSWORD});
    let (status, body) = call(client, "POST", "/api/v1/staff/second-factor", None, Some(credentials)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(body["otpauth_uri"].as_str().unwrap().starts_with("otpauth://"), "{body}");
    let confirm = json!({"login": login, "password": TEST_PASSWORD, "code": code_now(kit, &secret)});
    let (status, body) = call(client, "POST", "/api/v1/staff/second-factor/confirm", None, Some(confirm)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["session"]["token"].as_str().is_some_and(|t| !t.is_empty()), "{body}");
    let codes: Vec<String> =
        body["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

async fn api_login<E: poem::Endpoint>(client: &TestClient<E>, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({"login": REVIEWER, "password": TEST_PASSWORD});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    call(client, "POST", "/api/v1/staff/sessions", None, Some(body)).await
}

#[tokio::test]
async fn a_reviewer_enrols_on_the_pages_then_logs_in_with_a_code_once_and_a_recovery_code_once() {
    let (kit, endpoint) = site_with(DomainConfig::default()).await;
    let client = TestClient::new(endpoint);

    // The password alone opens no staff session: enrolment first.
    let mut b = Browser::new(&client);
    assert_eq!(password(&mut b, REVIEWER).await.as_deref(), Some("/staff/second-factor"));
    assert_eq!(b.get("/staff").await.location.as_deref(), Some("/staff/login"));
    let page = b.get("/staff/second-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("src=\"data:image/svg+xml;base64,"), "{}", page.body);
    let secret = between(&page.body, "<code id=\"secret\">", "<").to_owned();
    let wrong = b.post("/staff/second-factor", &[("code", "abcdef")]).await;
    assert_eq!((wrong.status, wrong.location), (StatusCode::OK, None));
    assert!(wrong.body.contains("確認コードが正しくありません"), "{}", wrong.body);
    let before = b.cookie.clone();
    let done = b.post("/staff/second-factor", &[("code", &code_now(&kit, &secret))]).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_ne!(b.cookie, before, "the session id is renewed when the staff session opens");
    let codes: Vec<&str> = done.body.split("<li><code>").skip(1).map(|s| &s[..s.find('<').unwrap()]).collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    assert_eq!(b.get("/staff").await.status, StatusCode::OK);

    // The next login asks for the code; the one just used is refused.
    kit.clock.advance(Duration::seconds(30));
    let mut b = Browser::new(&client);
    assert_eq!(password(&mut b, REVIEWER).await.as_deref(), Some("/staff/login/code"));
    assert_eq!(b.get("/staff").await.location.as_deref(), Some("/staff/login"));
    let step = b.get("/staff/login/code").await;
    assert!(step.body.contains("/staff/login/code?recovery=1"), "{}", step.body);
    let code = code_now(&kit, &secret);
    let ok = b.post("/staff/login/code", &[("code", &code)]).await;
    assert_eq!(ok.location.as_deref(), Some("/staff"), "{}", ok.body);
    assert_eq!(b.get("/staff").await.status, StatusCode::OK);

    let mut again = Browser::new(&client);
    password(&mut again, REVIEWER).await;
    let replayed = again.post("/staff/login/code", &[("code", &code)]).await;
    assert_eq!((replayed.status, replayed.location), (StatusCode::OK, None));
    assert!(replayed.body.contains("すでに使われています"), "{}", replayed.body);
    assert_eq!(again.get("/staff").await.location.as_deref(), Some("/staff/login"));

    // A recovery code works once.
    let mut b = Browser::new(&client);
    password(&mut b, REVIEWER).await;
    b.get("/staff/login/code?recovery=1").await;
    let ok = b.post("/staff/login/code", &[("recovery_code", codes[0])]).await;
    assert_eq!(ok.location.as_deref(), Some("/staff"), "{}", ok.body);
    let mut b = Browser::new(&client);
    password(&mut b, REVIEWER).await;
    let spent = b.post("/staff/login/code", &[("recovery_code", codes[0])]).await;
    assert_eq!((spent.status, spent.location), (StatusCode::OK, None));
    assert!(spent.body.contains("すでに使われています"), "{}", spent.body);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let (kit, endpoint) = site_with(DomainConfig::default()).await;
    let client = TestClient::new(endpoint);
    enrol_by_api(&client, &kit, REVIEWER).await;
    let mut b = Browser::new(&client);
    assert_eq!(password(&mut b, REVIEWER).await.as_deref(), Some("/staff/login/code"));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(b.post("/staff/login/code", &[("code", "abcdef")]).await.status);
    }
    assert_eq!(statuses.first(), Some(&StatusCode::OK));
    assert_eq!(statuses.last(), Some(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}

#[tokio::test]
async fn the_api_refuses_the_password_alone_and_takes_a_code_once() {
    let (kit, endpoint) = site_with(DomainConfig::default()).await;
    let client = TestClient::new(endpoint);
    let (status, body) = api_login(&client, json!({})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("enrolment_required")), "{body}");
    assert!(body.get("token").is_none());

    let (secret, codes) = enrol_by_api(&client, &kit, REVIEWER).await;
    let credentials = json!({"login": REVIEWER, "password": TEST_PASSWORD});
    let (status, body) = call(&client, "POST", "/api/v1/staff/second-factor", None, Some(credentials)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("already_enrolled")), "{body}");

    kit.clock.advance(Duration::seconds(30));
    let (status, body) = api_login(&client, json!({})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("second_factor_required")), "{body}");
    let code = code_now(&kit, &secret);
    let (status, body) = api_login(&client, json!({"code": code})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = api_login(&client, json!({"code": code})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("wrong_second_factor")), "{body}");
    let (status, body) = api_login(&client, json!({"recovery_code": codes[1]})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _) = api_login(&client, json!({"recovery_code": codes[1]})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_admins_reset_makes_the_member_enrol_again() {
    let config = DomainConfig { staff_second_factor: vec![StaffRole::Reviewer], ..DomainConfig::default() };
    let (kit, endpoint) = site_with(config).await;
    let admin = kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let client = TestClient::new(endpoint);
    let (secret, _) = enrol_by_api(&client, &kit, REVIEWER).await;
    let reviewer = kit.mypage.staff_list(admin).await.unwrap().into_iter().find(|s| s.login == REVIEWER).unwrap().id;

    let mut b = Browser::new(&client);
    assert_eq!(password(&mut b, "iidabashi.admin").await.as_deref(), Some("/staff"));
    let list = b.get("/staff/admin/staff").await;
    let action = format!("/staff/admin/staff/{reviewer}/reset-second-factor");
    assert!(list.body.contains(&action), "{}", list.body);
    let counter = kit.mypage.staff_list(admin).await.unwrap().into_iter().find(|s| s.login == "iidabashi.counter");
    let never_enrolled = format!("/staff/admin/staff/{}/reset-second-factor", counter.unwrap().id);
    assert!(!list.body.contains(&never_enrolled), "no reset is offered for a member who never enrolled");
    let done = b.post(&action, &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("確認コードを再設定しました"), "{}", done.body);
    let list = b.get("/staff/admin/staff").await;
    assert!(!list.body.contains(&action), "once reset, the member has nothing left to reset");

    kit.clock.advance(Duration::seconds(30));
    let (status, body) = api_login(&client, json!({"code": code_now(&kit, &secret)})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("enrolment_required")), "{body}");
    let mut b = Browser::new(&client);
    assert_eq!(password(&mut b, REVIEWER).await.as_deref(), Some("/staff/second-factor"));
}
