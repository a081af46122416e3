//! Nothing typed is lost (issue 13, point 4), over HTTP: the key typed on the password screen, the first mail's
//! key after the address is sent again, the flow after an expired key, the valid fields of a form sent with errors,
//! and a form sent after the session ended.

use chrono::Duration;
use mypage_domain::model::AccountId;
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use poem::Endpoint;
use poem::http::{StatusCode, header};
use poem::test::TestClient;

use crate::{Browser, form_of, sign_up_to_password_page, site};

const MISMATCH: &str = "Another-pass-42!";

#[tokio::test]
async fn the_password_screen_keeps_the_key_typed_and_never_the_passwords() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "kept@example.jp").await;
    b.get("/start/signup/password").await;
    let key = kit.store.last_auth_key_to("kept@example.jp").await.unwrap();
    let page = b
        .post("/start/signup/password", &[("password", TEST_PASSWORD), ("confirmation", MISMATCH), ("auth_key", &key)])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("value=\"{key}\"")), "the key stays in its field: {}", page.body);
    assert!(!page.body.contains(TEST_PASSWORD) && !page.body.contains(MISMATCH), "no password is sent back");
    // A wrong key is kept too, so that a typo can be corrected in place.
    let page = b
        .post(
            "/start/signup/password",
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", "ABCDE-2345Z")],
        )
        .await;
    assert!(page.body.contains("value=\"ABCDE-2345Z\""), "{}", page.body);
}

#[tokio::test]
async fn r3_the_same_address_sent_again_is_a_resend_and_the_first_mails_key_still_works() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "again@example.jp").await;
    let first = kit.store.last_auth_key_to("again@example.jp").await.unwrap();
    // Back to the e-mail page, the same address (typed with another case in its domain) and 次へ進む again.
    b.get("/start/signup/email").await;
    let again = b.post("/start/signup/email", &[("email", "again@EXAMPLE.jp")]).await;
    assert_eq!(again.location.as_deref(), Some("/start/signup/password"));
    let page = b.get("/start/signup/password").await;
    assert!(page.body.contains("認証キーをもう一度お送りしました"), "{}", page.body);
    let second = kit.store.last_auth_key_to("again@example.jp").await.unwrap();
    assert_ne!(first, second, "a second mail was sent in the same flow");
    let done = b
        .post(
            "/start/signup/password",
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", &first)],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/start/signup/done"), "{}", done.body);
}

#[tokio::test]
async fn another_address_on_the_same_browser_starts_a_new_flow() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "first@example.jp").await;
    b.get("/start/signup/email").await;
    b.post("/start/signup/email", &[("email", "second@example.jp")]).await;
    let page = b.get("/start/signup/password").await;
    assert!(page.body.contains("second@example.jp") && !page.body.contains("もう一度お送りしました"), "{}", page.body);
}

#[tokio::test]
async fn r3_an_expired_key_keeps_the_flow_and_the_page_says_the_newest_key_still_works() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "late@example.jp").await;
    let first = kit.store.last_auth_key_to("late@example.jp").await.unwrap();
    kit.clock.advance(Duration::minutes(20));
    b.get("/start/signup/password").await;
    b.post("/start/signup/resend", &[]).await;
    let second = kit.store.last_auth_key_to("late@example.jp").await.unwrap();
    kit.clock.advance(Duration::minutes(15));
    b.get("/start/signup/password").await;
    let page = b
        .post(
            "/start/signup/password",
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", &first)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "the password screen again, not the start-again page");
    assert!(page.body.contains("この認証キーは有効期限が過ぎています"), "{}", page.body);
    assert!(page.body.contains("最後にお送りしたメールの認証キーは、"), "{}", page.body);
    assert!(page.body.contains(&format!("value=\"{first}\"")));
    let done = b
        .post(
            "/start/signup/password",
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", &second)],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some("/start/signup/done"), "{}", done.body);
}

/// A Provisional employer logged in through the login page, with a first-time history for office 1301.
async fn first_timer<E: Endpoint>(b: &mut Browser<'_, E>, kit: &TestKit, email: &str) -> AccountId {
    let account = kit.sign_up(email).await;
    b.get("/login").await;
    let home = b.post("/login", &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
    b.get("/mypage/history").await;
    let next = b.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    assert_eq!(next.location.as_deref(), Some("/mypage/establishment"), "{}", next.body);
    account
}

#[tokio::test]
async fn r10_the_valid_fields_of_a_form_sent_with_errors_are_there_when_the_employer_comes_back() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    first_timer(&mut b, &kit, "partial@example.jp").await;
    let mut info = form_of(&fixtures::establishment_info());
    info.insert("phone".into(), "12345".into());
    let page = b.post_map("/mypage/establishment", &info).await;
    assert!(page.body.contains("value=\"12345\""), "the page sent back shows what was typed, wrong or not");
    // Away to My Page and back: the valid fields were kept in the draft, the wrong one is empty.
    b.get("/mypage").await;
    let again = b.get("/mypage/establishment").await;
    assert!(again.body.contains("入力途中の内容を表示しています"), "{}", again.body);
    assert!(again.body.contains(&format!("value=\"{}\"", fixtures::establishment_info().name)));
    assert!(!again.body.contains("value=\"12345\""));
}

/// Posts `form` as the site's own page would, after the session ended; the browser keeps the new cookie.
async fn post_from_the_page<E: Endpoint>(
    client: &TestClient<E>,
    b: &mut Browser<'_, E>,
    path: &str,
    form: &[(String, String)],
    same_origin: bool,
) -> Option<String> {
    let mut request = client.post(path).form(&form).header(header::COOKIE, b.cookie.clone().unwrap_or_default());
    if same_origin {
        request = request.header("sec-fetch-site", "same-origin");
    }
    let response = request.send().await;
    if let Some(set) = response.0.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
        b.cookie = set.split(';').next().map(str::to_owned);
    }
    response.0.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

#[tokio::test]
async fn r13_a_form_sent_after_the_session_ended_is_shown_again_after_the_next_login() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    let account = first_timer(&mut b, &kit, "slow@example.jp").await;
    let page = b.get("/mypage/job").await;
    assert!(page.body.contains("までに「保存して次へ進む」を押してください"), "the form says until when");
    kit.clock.advance(Duration::minutes(31));
    let mut offer: Vec<(String, String)> = form_of(&fixtures::job_offer()).into_iter().collect();
    offer.push(("owner".into(), owner_of(&page.body)));
    offer.push(("occupation".into(), "ゆっくり入力した職種".into()));
    offer.retain(|(k, v)| k != "occupation" || v == "ゆっくり入力した職種");
    offer.push(("csrf".into(), b.csrf_token().to_owned()));
    let to = post_from_the_page(&client, &mut b, "/mypage/job", &offer, true).await;
    assert_eq!(to.as_deref(), Some("/login"));
    let login = b.get("/login").await;
    assert!(login.body.contains("もう一度ログインすると、入力していた画面に戻り"), "{}", login.body);
    let back = b.post("/login", &[("email", "slow@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(back.location.as_deref(), Some("/mypage/job"));
    let form = b.get("/mypage/job").await;
    assert!(form.body.contains("value=\"ゆっくり入力した職種\""), "{}", form.body);
    assert!(form.body.contains("まだ保存されていません"));
    let draft = kit.mypage.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.job_offer().is_none(), "nothing is saved before the employer sends it again");
    // Shown once: the form sent again from the page is saved.
    offer.retain(|(k, _)| k != "csrf");
    offer.push(("csrf".into(), b.csrf_token().to_owned()));
    let saved = b.post_raw("/mypage/job", &offer).await;
    assert_eq!(saved.location.as_deref(), Some("/mypage/submit"), "{}", saved.body);
    assert!(!b.get("/mypage/job").await.body.contains("まだ保存されていません"));
}

/// The `owner` field of a long form's page.
fn owner_of(body: &str) -> String {
    let start = body.find("name=\"owner\" value=\"").unwrap() + 20;
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn r13_a_form_held_on_a_shared_computer_is_shown_to_nobody_but_its_employer() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    first_timer(&mut b, &kit, "first@example.jp").await;
    let page = b.get("/mypage/job").await;
    kit.clock.advance(Duration::minutes(31));
    // The first employer's session ends; the form sent then is held in this browser, and the employer walks away.
    let form = vec![
        ("occupation".to_owned(), "前の人の職種".to_owned()),
        ("owner".to_owned(), owner_of(&page.body)),
        ("csrf".to_owned(), b.csrf_token().to_owned()),
    ];
    assert_eq!(post_from_the_page(&client, &mut b, "/mypage/job", &form, true).await.as_deref(), Some("/login"));
    // The next person at the same computer logs in to another account.
    kit.sign_up("next@example.jp").await;
    b.get("/login").await;
    let home = b.post("/login", &[("email", "next@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"), "not sent to the other employer's form");
    b.get("/mypage/history").await;
    b.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    let job = b.get("/mypage/job").await;
    assert!(!job.body.contains("前の人の職種"), "another's form is never shown");
    // Nor can a form be planted: one held without the account's owner field is dropped at login.
    kit.clock.advance(Duration::minutes(31));
    let planted = vec![("occupation".to_owned(), "仕込まれた職種".to_owned())];
    post_from_the_page(&client, &mut b, "/mypage/job", &planted, true).await;
    b.get("/login").await;
    let home = b.post("/login", &[("email", "next@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
    assert!(!b.get("/mypage/job").await.body.contains("仕込まれた職種"));
}

#[tokio::test]
async fn r13_a_form_another_site_sent_is_not_held() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    first_timer(&mut b, &kit, "planted@example.jp").await;
    kit.clock.advance(Duration::minutes(31));
    let form = vec![("occupation".to_owned(), "よそのサイトの職種".to_owned())];
    let to = post_from_the_page(&client, &mut b, "/mypage/job", &form, false).await;
    assert_eq!(to.as_deref(), Some("/login"));
    assert!(!b.get("/login").await.body.contains("入力していた画面に戻り"));
    let home = b.post("/login", &[("email", "planted@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
}
