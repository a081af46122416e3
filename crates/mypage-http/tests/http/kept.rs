//! Nothing typed is lost (issue 13, point 4), over HTTP: the key typed on the password screen, the first mail's
//! key after the address is sent again, the flow after an expired key.

use chrono::Duration;
use mypage_testkit::TEST_PASSWORD;
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, sign_up_to_password_page, site};

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
