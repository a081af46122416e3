//! R19, the account's care over HTTP: the pages and the API end to end, with two browsers (or two tokens) of one
//! account, and another account's session that nothing here may end.

use mypage_testkit::{TEST_PASSWORD, TestKit};
use poem::http::{StatusCode, header};
use poem::test::TestClient;
use serde_json::{Value, json};

use crate::{Browser, site};

const NEW: &str = "Atarashii#Pass77";

async fn logged_in<'a, E: poem::Endpoint>(client: &'a TestClient<E>, email: &str) -> Browser<'a, E> {
    let mut b = Browser::new(client);
    b.get("/login").await;
    let home = b.post("/login", &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER, "logged in as {email}");
    b
}

async fn is_logged_in<E: poem::Endpoint>(b: &mut Browser<'_, E>) -> bool {
    b.get("/mypage/account").await.status == StatusCode::OK
}

async fn token<E: poem::Endpoint>(client: &TestClient<E>, email: &str, password: &str) -> String {
    let response =
        client.post("/api/v1/sessions").body_json(&json!({"email": email, "password": password})).send().await;
    response.assert_status(StatusCode::CREATED);
    let body: Value = response.json().await.value().deserialize();
    body["token"].as_str().unwrap().to_owned()
}

async fn api<E: poem::Endpoint>(
    client: &TestClient<E>,
    method: &str,
    path: &str,
    bearer: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = match method {
        "GET" => client.get(path),
        "PUT" => client.put(path),
        "DELETE" => client.delete(path),
        _ => client.post(path),
    }
    .header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    let response = match body {
        Some(body) => request.body_json(&body).send().await,
        None => request.send().await,
    };
    let status = response.0.status();
    let text = response.0.into_body().into_string().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn r19_a_password_changed_on_the_page_logs_out_the_other_browser_and_keeps_this_one() {
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut here = logged_in(&client, "taro@example.jp").await;
    let mut there = logged_in(&client, "taro@example.jp").await;
    let settings = here.get("/mypage/account").await;
    assert!(
        settings.body.contains("taro@example.jp") && settings.body.contains("パスワードの変更"),
        "{}",
        settings.body
    );
    here.get("/mypage/account/password").await;
    let wrong = here
        .post(
            "/mypage/account/password",
            &[("current_password", "Wrong#Pass123"), ("password", NEW), ("confirmation", NEW)],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("現在のパスワードが正しくありません。"), "next to its field: {}", wrong.body);
    let short = here
        .post(
            "/mypage/account/password",
            &[("current_password", TEST_PASSWORD), ("password", "short"), ("confirmation", "short")],
        )
        .await;
    assert!(short.body.contains("8文字以上で入力してください。"), "{}", short.body);
    let before = here.cookie.clone();
    let done = here
        .post(
            "/mypage/account/password",
            &[("current_password", TEST_PASSWORD), ("password", NEW), ("confirmation", NEW)],
        )
        .await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/mypage/account")));
    assert_ne!(here.cookie, before, "this browser goes on under a new session id");
    let settings = here.get("/mypage/account").await;
    assert!(settings.body.contains("パスワードを変更しました。"), "{}", settings.body);
    assert!(!is_logged_in(&mut there).await, "the other browser is logged out");
    assert_eq!(kit.store.mail_codes_to("taro@example.jp").await.last(), Some(&"password_changed"));
}

#[tokio::test]
async fn r19_a_password_changed_through_the_api_ends_the_other_token_and_answers_a_new_one() {
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let client = TestClient::new(endpoint);
    let first = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let second = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let body = json!({"current_password": "Wrong#Pass123", "password": NEW, "confirmation": NEW});
    let (status, error) = api(&client, "PUT", "/api/v1/mypage/account/password", &first, Some(body)).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("wrong_password")));
    let body = json!({"current_password": TEST_PASSWORD, "password": NEW, "confirmation": NEW});
    let (status, renewed) = api(&client, "PUT", "/api/v1/mypage/account/password", &first, Some(body)).await;
    assert_eq!(status, StatusCode::OK);
    let renewed = renewed["token"].as_str().unwrap().to_owned();
    assert_eq!(api(&client, "GET", "/api/v1/mypage", &second, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&client, "GET", "/api/v1/mypage", &first, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&client, "GET", "/api/v1/mypage", &renewed, None).await.0, StatusCode::OK, "the new token works");
    token(&client, "taro@example.jp", NEW).await;
}

#[tokio::test]
async fn r19_the_sessions_page_marks_this_browser_and_logs_out_the_others_but_never_another_accounts() {
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let other = kit.sign_up("jiro@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut here = logged_in(&client, "taro@example.jp").await;
    let mut there = logged_in(&client, "taro@example.jp").await;
    let mut theirs = logged_in(&client, "jiro@example.jp").await;
    let list = here.get("/mypage/account/sessions").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("この端末") && list.body.contains("ログアウトさせる"), "{}", list.body);
    // A handle of another account's session, sent as if it were ours: nothing ends.
    let foreign = kit.mypage.sessions(other).await.unwrap().remove(0).handle;
    let refused = here.post("/mypage/account/sessions/end", &[("handle", &foreign)]).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(here.get("/mypage/account/sessions").await.body.contains("すでにログアウトしています"));
    assert!(is_logged_in(&mut theirs).await, "another account's session stays");
    let bearer = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let path = format!("/api/v1/mypage/account/sessions/{foreign}");
    let (status, error) = api(&client, "DELETE", &path, &bearer, None).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::NOT_FOUND, Some("session_not_found")));
    assert!(is_logged_in(&mut theirs).await);
    here.get("/mypage/account/sessions").await;
    let done = here.post("/mypage/account/sessions/end-others", &[]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let list = here.get("/mypage/account/sessions").await;
    assert!(
        list.body.contains("この端末以外の2台の端末をログアウトさせました。"),
        "the browser and the token: {}",
        list.body
    );
    assert!(!is_logged_in(&mut there).await, "the other browser is logged out");
    assert_eq!(api(&client, "GET", "/api/v1/mypage", &bearer, None).await.0, StatusCode::UNAUTHORIZED);
    assert!(is_logged_in(&mut here).await && is_logged_in(&mut theirs).await);
}

#[tokio::test]
async fn r19_the_api_lists_the_sessions_with_the_browser_in_plain_words_and_ends_one() {
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    let mut form =
        vec![("email".to_owned(), "taro@example.jp".to_owned()), ("password".to_owned(), TEST_PASSWORD.to_owned())];
    form.push(("csrf".into(), b.csrf_token().to_owned()));
    let chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
    let mut request = client.post("/login").form(&form).header(header::USER_AGENT, chrome);
    if let Some(c) = &b.cookie {
        request = request.header(header::COOKIE, c.as_str());
    }
    request.send().await.assert_status(StatusCode::SEE_OTHER);
    let bearer = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let (status, list) = api(&client, "GET", "/api/v1/mypage/account/sessions", &bearer, None).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let browser = list.iter().find(|s| s["current"] == json!(false)).unwrap();
    assert_eq!(browser["browser"], json!("Chrome（Windows）"));
    let path = format!("/api/v1/mypage/account/sessions/{}", browser["handle"].as_str().unwrap());
    assert_eq!(api(&client, "DELETE", &path, &bearer, None).await.0, StatusCode::NO_CONTENT);
    let (_, list) = api(&client, "GET", "/api/v1/mypage/account/sessions", &bearer, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only this token's session is left");
}

#[tokio::test]
async fn r19_r4_the_address_is_changed_with_the_key_in_the_browser_that_asked() {
    let (kit, endpoint) = site().await;
    kit.sign_up("old@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut here = logged_in(&client, "old@example.jp").await;
    let mut there = logged_in(&client, "old@example.jp").await;
    here.get("/mypage/account/email").await;
    let wrong =
        here.post("/mypage/account/email", &[("current_password", "Wrong#Pass123"), ("email", "new@example.jp")]).await;
    assert!(wrong.body.contains("現在のパスワードが正しくありません。"), "{}", wrong.body);
    let invalid = here.post("/mypage/account/email", &[("current_password", TEST_PASSWORD), ("email", "x")]).await;
    assert_eq!(invalid.status, StatusCode::OK);
    let asked =
        here.post("/mypage/account/email", &[("current_password", TEST_PASSWORD), ("email", "new@example.jp")]).await;
    assert_eq!((asked.status, asked.location.as_deref()), (StatusCode::SEE_OTHER, Some("/mypage/account/email/key")));
    let key_page = here.get("/mypage/account/email/key").await;
    assert!(key_page.body.contains("new@example.jp") && key_page.body.contains("この画面を閉じないでください"));
    let elsewhere = there.get("/mypage/account/email/key").await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND, "R4: only the browser that asked");
    let bad = here.post("/mypage/account/email/key", &[("auth_key", "ZZZZZ-22222")]).await;
    assert!(bad.body.contains("認証キーが正しくありません。あと4回"), "{}", bad.body);
    let resent = here.post("/mypage/account/email/resend", &[]).await;
    assert_eq!(resent.location.as_deref(), Some("/mypage/account/email/key"));
    assert!(here.get("/mypage/account/email/key").await.body.contains("認証キーをもう一度お送りしました。"));
    let key = kit.store.last_auth_key_to("new@example.jp").await.unwrap();
    let done = here.post("/mypage/account/email/key", &[("auth_key", &key)]).await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/mypage/account")));
    let settings = here.get("/mypage/account").await;
    assert!(settings.body.contains("メールアドレスを new@example.jp に変更しました。"), "{}", settings.body);
    assert_eq!(kit.store.mail_codes_to("old@example.jp").await.last(), Some(&"email_changed"));
    assert_eq!(kit.store.mail_codes_to("new@example.jp").await.last(), Some(&"email_change_confirmed"));
    logged_in(&client, "new@example.jp").await;
}

#[tokio::test]
async fn r19_closing_on_the_page_says_what_happens_ends_the_session_and_the_login() {
    let (kit, endpoint) = site().await;
    kit.sign_up("closing@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = logged_in(&client, "closing@example.jp").await;
    let mut other = logged_in(&client, "closing@example.jp").await;
    let form = b.get("/mypage/account/close").await;
    assert!(form.body.contains("ハローワークで保管します") && form.body.contains("取下げ"), "{}", form.body);
    let wrong = b.post("/mypage/account/close", &[("current_password", "Wrong#Pass123")]).await;
    assert!(wrong.body.contains("現在のパスワードが正しくありません。"));
    let closed = b.post("/mypage/account/close", &[("current_password", TEST_PASSWORD)]).await;
    assert_eq!(closed.status, StatusCode::OK);
    assert!(closed.body.contains("アカウントを削除しました"), "{}", closed.body);
    assert!(!is_logged_in(&mut b).await && !is_logged_in(&mut other).await);
    let mut again = Browser::new(&client);
    again.get("/login").await;
    let refused = again.post("/login", &[("email", "closing@example.jp"), ("password", TEST_PASSWORD)]).await;
    assert_eq!(refused.status, StatusCode::OK, "the login is refused");
    assert_eq!(kit.store.mail_codes_to("closing@example.jp").await.last(), Some(&"account_closed"));
    let _ = TestKit::client();
}

#[tokio::test]
async fn r19_a_session_ended_while_its_own_request_runs_stays_ended() {
    // The request that ends the browser's own session (its handle read from the API's list) also writes the session
    // (a notice): the write must not bring the session back, as a request in flight must not undo a logout, a
    // password change or a closing made elsewhere.
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = logged_in(&client, "taro@example.jp").await;
    let bearer = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let (_, list) = api(&client, "GET", "/api/v1/mypage/account/sessions", &bearer, None).await;
    let handle = list.as_array().unwrap().iter().find(|s| s["current"] == json!(false)).unwrap()["handle"].clone();
    b.get("/mypage/account/sessions").await;
    let ended = b.post("/mypage/account/sessions/end", &[("handle", handle.as_str().unwrap())]).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER);
    assert!(b.cookie.is_none(), "the browser is told to forget the ended session");
    let (_, list) = api(&client, "GET", "/api/v1/mypage/account/sessions", &bearer, None).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only the API's session is left: {list}");
}

#[tokio::test]
async fn r19_the_api_knows_its_own_token_whatever_the_case_of_the_scheme() {
    let (kit, endpoint) = site().await;
    kit.sign_up("taro@example.jp").await;
    let client = TestClient::new(endpoint);
    let mine = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    let other = token(&client, "taro@example.jp", TEST_PASSWORD).await;
    // `bearer` in lower case is the same scheme (RFC 9110): the token is this request's own, kept, and marked so.
    let ended = client
        .delete("/api/v1/mypage/account/other-sessions")
        .header(header::AUTHORIZATION, format!("bearer {mine}"))
        .send()
        .await;
    ended.assert_status_is_ok();
    let (status, list) = api(&client, "GET", "/api/v1/mypage/account/sessions", &mine, None).await;
    assert_eq!(status, StatusCode::OK, "the caller's own token was kept");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["current"], json!(true));
    assert_eq!(api(&client, "GET", "/api/v1/mypage/account/sessions", &other, None).await.0, StatusCode::UNAUTHORIZED);
}
