//! Staff are told (R20): an office's admins enter the address its digest goes to (通知先メールアドレス) on the
//! office's page and through the API, a wrong one named beside its field; and the console shows a reviewer how
//! many submissions wait in the office's queue.

use mypage_domain::values::{OfficeCode, StaffRole};
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::corrections::{api_login, staff_login};
use crate::{Browser, site, submitted_first_timer};

/// The notification address the store holds for office 1301.
async fn stored_address(kit: &mypage_testkit::TestKit) -> Option<String> {
    let code = OfficeCode::parse("1301").unwrap();
    let offices = kit.mypage.offices().await.unwrap();
    offices.into_iter().find(|o| *o.code() == code).and_then(|o| o.notification_email().map(ToString::to_string))
}

#[tokio::test]
async fn r20_an_office_admin_saves_the_notification_address_and_a_wrong_one_is_named_beside_its_field() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.admin").await;
    let page = b.get("/staff/admin/offices/1301").await;
    assert!(page.body.contains("<label for=\"notification_email\">通知先メールアドレス</label>"), "{}", page.body);

    let page =
        b.post("/staff/admin/offices/1301", &[("name", "ハローワーク飯田橋"), ("notification_email", "kyujin@")]).await;
    let beside = page
        .body
        .split("id=\"notification_email-error\"")
        .nth(1)
        .expect("the address's message")
        .split("</p>")
        .next()
        .unwrap();
    assert!(beside.contains("メールアドレス"), "{beside}");
    assert!(page.body.contains("value=\"kyujin@\""), "what was typed comes back");
    assert_eq!(stored_address(&kit).await, None, "nothing was saved");

    let typed = [("name", "ハローワーク飯田橋"), ("notification_email", " kyujin@Iidabashi.Example.JP ")];
    let page = b.post("/staff/admin/offices/1301", &typed).await;
    assert!(page.body.contains("ハローワークの情報を保存しました"), "{}", page.body);
    assert!(page.body.contains("value=\"kyujin@iidabashi.example.jp\""), "the address comes back as kept");
    assert_eq!(stored_address(&kit).await.as_deref(), Some("kyujin@iidabashi.example.jp"));

    let page = b.post("/staff/admin/offices/1301", &[("name", "ハローワーク飯田橋"), ("notification_email", "")]).await;
    assert!(page.body.contains("ハローワークの情報を保存しました"));
    assert_eq!(stored_address(&kit).await, None, "an empty field stops the digest");
}

#[tokio::test]
async fn r20_the_api_sets_the_notification_address_and_refuses_a_wrong_one_by_its_field() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let central = api_login(&client, "central.admin").await;
    let path = "/api/v1/staff/admin/offices/1301";
    let body = json!({"name": "ハローワーク飯田橋", "notification_email": "kyujin@iidabashi.example.jp"});
    let (status, office) = call(&client, "PUT", path, Some(&central), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{office}");
    assert_eq!(office["notification_email"], json!("kyujin@iidabashi.example.jp"));

    let bad = json!({"name": "ハローワーク飯田橋", "notification_email": "kyujin@@example.jp"});
    let (status, answer) = call(&client, "PUT", path, Some(&central), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["fields"][0]["field"].as_str(), Some("notification_email"), "{answer}");
    assert_eq!(stored_address(&kit).await.as_deref(), Some("kyujin@iidabashi.example.jp"), "unchanged");
}

#[tokio::test]
async fn r20_the_console_shows_a_reviewer_how_many_wait_in_the_offices_queue() {
    let (kit, endpoint) = site().await;
    for n in 0..3 {
        submitted_first_timer(&kit, &format!("matsu{n}@example.jp")).await;
    }
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.reviewer").await;
    let page = b.get("/staff").await;
    assert!(page.body.contains("<a href=\"/staff\">審査待ち（3件）</a>"), "{}", page.body);
    let page = b.get("/staff/establishments").await;
    assert!(page.body.contains("審査待ち（3件）"), "every console page shows it");

    let mut osaka = Browser::new(&client);
    staff_login(&mut osaka, "osaka.reviewer").await;
    assert!(osaka.get("/staff").await.body.contains("審査待ち（0件）"), "another office's queue is its own");
    let mut counter = Browser::new(&client);
    staff_login(&mut counter, "iidabashi.counter").await;
    assert!(!counter.get("/staff").await.body.contains("審査待ち（"), "a member who does not review sees no count");
}
