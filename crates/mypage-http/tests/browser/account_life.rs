//! After the account opens (issue 14): an Active employer files a job offer that the office accepts (R20), then
//! cares for the account (R19): the password changed (another session ends), the address changed by a key to the new
//! one (the old one is told), a session ended from the list, and the account closed, after which its address can be
//! registered again. A second client beside the browser is an API client on its own bearer token.

use mypage_testkit::{TEST_PASSWORD, fixtures};
use serde_json::{Value, json};
use thirtyfour::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{EXISTING, Walk, values};

/// The password the walk changes to: valid under the office's rule (R5), not containing the address.
const NEW_PASSWORD: &str = "Kyujin#Henkou2027";

/// One HTTP/1.1 request to the walk's site, as another client (not the browser) would send it: the status and the
/// JSON body.
async fn api(w: &Walk, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let host = w.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{auth}\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let status = answer[9..12].parse().unwrap();
    let json = answer.split_once("\r\n\r\n").and_then(|(_, b)| serde_json::from_str(b).ok()).unwrap_or(Value::Null);
    (status, json)
}

/// Logs in through the API; the bearer token.
async fn api_login(w: &Walk, email: &str, password: &str) -> String {
    let (status, body) =
        api(w, "POST", "/api/v1/sessions", None, Some(json!({ "email": email, "password": password }))).await;
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// Whether the token still opens the employer's API.
async fn live(w: &Walk, token: &str) -> bool {
    match api(w, "GET", "/api/v1/mypage", Some(token), None).await.0 {
        200 => true,
        401 => false,
        other => panic!("GET /api/v1/mypage answered {other}"),
    }
}

async fn register_at_counter(w: &mut Walk, email: &str) {
    w.staff_log_in("iidabashi.counter").await;
    w.goto("/staff/counter").await;
    w.fill("number", EXISTING).await;
    w.fill("email", email).await;
    w.press("次へ進む").await;
    w.press("登録する").await;
    let shown = w.text().await;
    assert!(shown.contains("を登録しました"), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_an_active_employer_files_a_job_offer_then_cares_for_the_account_and_closes_it() {
    let Some(mut w) = Walk::start("account_life").await else { return };
    // Case A opens the account.
    register_at_counter(&mut w, "saiyou@example.jp").await;
    w.driver.delete_all_cookies().await.unwrap();
    w.open_account("求人者マイページ開設（パスワード登録）", "saiyou@example.jp").await;
    w.log_in("saiyou@example.jp").await;

    // R20: a job offer filed from the home, accepted by the office, seen accepted on the home.
    w.press("新しい求人を申し込む").await;
    w.fill_form(&values(&fixtures::job_offer())).await;
    w.press("保存して次へ進む").await;
    w.press("この内容で申し込む").await;
    assert!(w.kit.store.mail_codes_to("saiyou@example.jp").await.contains(&"job_offer_received"));
    w.staff_log_in("iidabashi.reviewer").await;
    assert!(w.text().await.contains("求人"), "the queue marks the job offer");
    let page = w.driver.find(By::Tag("html")).await.unwrap();
    w.driver.find(By::Css("main table a")).await.unwrap().click().await.unwrap();
    page.wait_until().stale().await.unwrap();
    w.screen().await;
    w.press("受理する").await;
    w.press("受理を確定する").await;
    // R1: the office publishes new My Page terms; the employer's next login passes through them first.
    w.kit.revise_terms(mypage_domain::values::TermsKind::MyPageTerms).await;
    w.driver.delete_all_cookies().await.unwrap();
    w.goto("/login").await;
    w.log_in("saiyou@example.jp").await;
    let shown = w.text().await;
    assert!(shown.contains("利用規約改定のお知らせ") && shown.contains("マイページ利用規約（第2版）"), "{shown}");
    w.driver
        .execute(
            "document.querySelectorAll('.terms').forEach(e => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); }); return true;",
            Vec::<Value>::new(),
        )
        .await
        .unwrap();
    w.driver.find(By::Id("privacy")).await.unwrap().click().await.unwrap();
    w.driver.find(By::Id("terms")).await.unwrap().click().await.unwrap();
    w.press("次へ進む").await;
    let home = w.text().await;
    assert!(home.contains("受理済み"), "the home shows the offer accepted: {home}");
    assert!(w.kit.store.mail_codes_to("saiyou@example.jp").await.contains(&"job_offer_accepted"));
    // The list, and a new offer copied from the accepted one: its form comes filled in.
    w.goto("/mypage/job-offers").await;
    w.press("この求人をもとに新しく作成").await;
    let copied = w.driver.find(By::Id("occupation")).await.unwrap().value().await.unwrap();
    assert_eq!(copied.as_deref(), Some("NC旋盤オペレーター"), "the copy carries the earlier offer");

    // R19: the password changed; another session of the account (an API client) ends, this browser stays.
    let other = api_login(&w, "saiyou@example.jp", TEST_PASSWORD).await;
    assert!(live(&w, &other).await);
    w.goto("/mypage/account/password").await;
    w.fill("current_password", TEST_PASSWORD).await;
    w.fill("password", NEW_PASSWORD).await;
    w.fill("confirmation", NEW_PASSWORD).await;
    w.press("変更する").await;
    assert!(w.text().await.contains("パスワードを変更しました"));
    assert!(!live(&w, &other).await, "the other session ended with the password change");
    w.goto("/mypage").await;
    assert!(w.text().await.contains("受理済み"), "this browser is still logged in");

    // The address changed: the key goes to the new address, the old one is told.
    w.goto("/mypage/account/email").await;
    w.fill("current_password", NEW_PASSWORD).await;
    w.fill("email", "jinji@example.jp").await;
    w.press("認証キーを送信する").await;
    let key = w.kit.store.last_auth_key_to("jinji@example.jp").await.expect("the key goes to the new address");
    assert!(w.kit.store.last_auth_key_to("saiyou@example.jp").await.is_none_or(|old| old != key));
    w.fill("auth_key", &key).await;
    w.press("変更する").await;
    assert!(w.text().await.contains("jinji@example.jp に変更しました"));
    assert!(w.kit.store.mail_codes_to("saiyou@example.jp").await.contains(&"email_changed"), "the old one is told");

    // The sessions: another one is listed and ended from the list.
    let other = api_login(&w, "jinji@example.jp", NEW_PASSWORD).await;
    w.goto("/mypage/account/sessions").await;
    let listed = w.text().await;
    assert!(listed.contains("この端末"), "{listed}");
    w.press("ログアウトさせる").await;
    assert!(!live(&w, &other).await, "the session ended from the list");

    // Closing: confirmed by the password; the address is free again.
    w.goto("/mypage/account/close").await;
    w.fill("current_password", NEW_PASSWORD).await;
    w.press("アカウントを削除する").await;
    assert!(w.text().await.contains("アカウントを削除しました"));
    assert!(w.kit.store.mail_codes_to("jinji@example.jp").await.contains(&"account_closed"));
    let (status, _) = api(
        &w,
        "POST",
        "/api/v1/sessions",
        None,
        Some(json!({ "email": "jinji@example.jp", "password": NEW_PASSWORD })),
    )
    .await;
    assert_eq!(status, 401, "a closed account cannot log in");
    register_at_counter(&mut w, "jinji@example.jp").await;
    w.finish().await;
}
