//! Corrections at the counter (R12) and the offices' pages (R14), on the pages and in the API: counter staff find,
//! correct and withdraw a registration that waits for its password; another office's staff are refused; admins edit
//! and close an office. Each change is one audit event (R15).

use mypage_domain::model::{AuditAction, FlowPurpose};
use mypage_domain::usecases::{KeyRedemptionError, PasswordEntry, RegisterPasswordError};
use mypage_domain::values::StaffRole;
use mypage_testkit::{TEST_PASSWORD, TestKit};
use poem::http::StatusCode;
use poem::test::TestClient;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::api::call;
use crate::{Browser, EXISTING, site};

pub(crate) async fn staff_login<E: poem::Endpoint>(b: &mut Browser<'_, E>, login: &str) {
    b.get("/staff/login").await;
    let page = b.post("/staff/login", &[("login", login), ("password", TEST_PASSWORD)]).await;
    assert_eq!(page.location.as_deref(), Some("/staff"), "{login} logs in");
}

pub(crate) async fn api_login<E: poem::Endpoint>(client: &TestClient<E>, login: &str) -> String {
    let (status, body) =
        call(client, "POST", "/api/v1/staff/sessions", None, Some(json!({"login": login, "password": TEST_PASSWORD})))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{login}: {body}");
    body["token"].as_str().unwrap().to_owned()
}

/// Registers `email` at the counter as 1301's counter staff would, and asks for its key as the employer would:
/// the account's id and the flow's token with its key.
async fn registered_with_key(kit: &TestKit, email: &str) -> (String, SecretString, String) {
    let counter = kit.store.read(|t| t.staff_by_login("iidabashi.counter").map(|m| m.id())).await.unwrap();
    let input =
        mypage_domain::usecases::CounterRegistration { email: email.into(), establishment_number: EXISTING.into() };
    let id = kit.mypage.register_email_at_counter(counter, &input, &TestKit::client()).await.unwrap();
    let flow = kit.request_key(FlowPurpose::OpenMyPage, email).await;
    let key = kit.store.last_auth_key_to(email).await.unwrap();
    (id.to_string(), flow, key)
}

/// The old key no longer opens the account: its flow died with the address (R3, R12).
async fn key_is_dead(kit: &TestKit, flow: &SecretString, key: &str) {
    let entry = PasswordEntry {
        flow_token: SecretString::from(flow.expose_secret()),
        auth_key: SecretString::from(key),
        password: SecretString::from(TEST_PASSWORD),
        confirmation: SecretString::from(TEST_PASSWORD),
    };
    let err = kit.mypage.register_password(&entry, &TestKit::client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(_))), "{err:?}");
}

/// How many audit events of `action` were written.
async fn audited(kit: &TestKit, action: AuditAction) -> usize {
    kit.store.read(move |t| t.audit().iter().filter(|e| e.action == action).count()).await
}

#[tokio::test]
async fn r12_counter_staff_find_a_registration_and_correct_its_address_on_the_page() {
    let (kit, endpoint) = site().await;
    let (id, flow, key) = registered_with_key(&kit, "wrong@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.counter").await;
    let counter = b.get("/staff/counter").await;
    assert!(counter.body.contains("href=\"/staff/counter/registrations\""), "the counter page links corrections");

    b.get("/staff/counter/registrations").await;
    let page = b.post("/staff/counter/registrations", &[("email", "nobody@example.jp")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("パスワードの登録を待っている、このハローワークの登録は見つかりません"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"nobody@example.jp\""), "what was typed comes back");
    let found = b.post("/staff/counter/registrations", &[("email", "wrong@example.jp")]).await;
    let path = format!("/staff/counter/registrations/{id}");
    assert_eq!(found.location.as_deref(), Some(path.as_str()));
    let page = b.get(&path).await;
    assert!(page.body.contains("wrong@example.jp") && page.body.contains("株式会社ハローテスト"), "{}", page.body);

    let page = b.post(&format!("{path}/email"), &[("email", "wrong@example.jp")]).await;
    assert!(page.body.contains("登録されているメールアドレスと同じです"), "{}", page.body);
    let page = b.post(&format!("{path}/email"), &[("email", "no-at-sign")]).await;
    assert!(page.body.contains("メールアドレスの形式で入力してください") && page.body.contains("value=\"no-at-sign\""));
    let page = b.post(&format!("{path}/email"), &[("email", "right@example.jp")]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("メールアドレスを right@example.jp に訂正しました"), "{}", page.body);

    key_is_dead(&kit, &flow, &key).await;
    assert!(kit.store.read(|t| t.account_by_email("right@example.jp").is_some()).await);
    assert_eq!(audited(&kit, AuditAction::CounterEmailCorrected).await, 1);
}

#[tokio::test]
async fn r12_counter_staff_withdraw_a_registration_on_the_page_and_its_address_is_free_again() {
    let (kit, endpoint) = site().await;
    let (id, flow, key) = registered_with_key(&kit, "gone@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.counter").await;
    let path = format!("/staff/counter/registrations/{id}");
    b.get(&path).await;
    let page = b.post(&format!("{path}/withdraw"), &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("登録を取り消しました"), "{}", page.body);
    key_is_dead(&kit, &flow, &key).await;
    assert!(kit.store.read(|t| t.account_by_email("gone@example.jp").is_none()).await);
    assert_eq!(audited(&kit, AuditAction::CounterRegistrationWithdrawn).await, 1);
    assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND, "a withdrawn registration is gone");
    b.get("/staff/counter").await;
    let page =
        b.post("/staff/counter", &[("number", EXISTING), ("email", "gone@example.jp"), ("confirmed", "yes")]).await;
    assert!(page.body.contains("gone@example.jp を登録しました"), "{}", page.body);
}

#[tokio::test]
async fn r14_another_offices_counter_staff_and_an_admin_cannot_see_correct_or_withdraw_a_registration() {
    let (kit, endpoint) = site().await;
    kit.staff("2701", "osaka.counter", &[StaffRole::Counter]).await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let (id, flow, key) = registered_with_key(&kit, "mine@example.jp").await;
    let client = TestClient::new(endpoint);
    let path = format!("/staff/counter/registrations/{id}");

    let mut osaka = Browser::new(&client);
    staff_login(&mut osaka, "osaka.counter").await;
    assert_eq!(osaka.get(&path).await.status, StatusCode::NOT_FOUND);
    osaka.get("/staff/counter/registrations").await;
    let page = osaka.post("/staff/counter/registrations", &[("email", "mine@example.jp")]).await;
    assert!(page.body.contains("このハローワークの登録は見つかりません"), "another office's registration is not found");
    assert_eq!(osaka.post(&format!("{path}/email"), &[("email", "x@example.jp")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(osaka.post(&format!("{path}/withdraw"), &[]).await.status, StatusCode::NOT_FOUND);

    let mut admin = Browser::new(&client);
    staff_login(&mut admin, "central.admin").await;
    admin.get("/staff").await;
    assert_eq!(admin.get(&path).await.status, StatusCode::FORBIDDEN, "counter staff's work only");
    assert_eq!(admin.post(&format!("{path}/withdraw"), &[]).await.status, StatusCode::FORBIDDEN);

    let osaka_token = api_login(&client, "osaka.counter").await;
    let api_path = format!("/api/v1/staff/counter-registrations/{id}");
    let body = json!({"email": "x@example.jp"});
    let (status, answer) = call(&client, "PUT", &format!("{api_path}/email"), Some(&osaka_token), Some(body)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(call(&client, "DELETE", &api_path, Some(&osaka_token), None).await.0, StatusCode::NOT_FOUND);
    let admin_token = api_login(&client, "central.admin").await;
    let (status, answer) = call(&client, "DELETE", &api_path, Some(&admin_token), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_permitted")));

    // Nothing changed: the key still works.
    assert!(kit.store.read(|t| t.account_by_email("mine@example.jp").is_some()).await);
    let entry = PasswordEntry {
        flow_token: flow,
        auth_key: SecretString::from(key),
        password: SecretString::from(TEST_PASSWORD),
        confirmation: SecretString::from(TEST_PASSWORD),
    };
    assert!(kit.mypage.register_password(&entry, &TestKit::client()).await.is_ok());
}

#[tokio::test]
async fn r12_counter_staff_look_up_correct_and_withdraw_through_the_api() {
    let (kit, endpoint) = site().await;
    let (id, flow, key) = registered_with_key(&kit, "typo@example.jp").await;
    let client = TestClient::new(endpoint);
    let token = api_login(&client, "iidabashi.counter").await;
    let me = Some(token.as_str());
    let lookup = json!({"email": "typo@example.jp"});
    let (status, found) = call(&client, "POST", "/api/v1/staff/counter-registrations/lookup", me, Some(lookup)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (found["account_id"].as_str(), found["establishment_number"].as_str()),
        (Some(id.as_str()), Some(EXISTING))
    );
    let path = format!("/api/v1/staff/counter-registrations/{id}");
    let (status, answer) = call(&client, "PUT", &format!("{path}/email"), me, Some(json!({"email": "x"}))).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_email")));
    let (status, _) =
        call(&client, "PUT", &format!("{path}/email"), me, Some(json!({"email": "fixed@example.jp"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    key_is_dead(&kit, &flow, &key).await;
    let (status, view) = call(&client, "GET", &path, me, None).await;
    assert_eq!((status, view["email"].as_str()), (StatusCode::OK, Some("fixed@example.jp")));
    assert_eq!(call(&client, "DELETE", &path, me, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&client, "GET", &path, me, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(audited(&kit, AuditAction::CounterEmailCorrected).await, 1);
    assert_eq!(audited(&kit, AuditAction::CounterRegistrationWithdrawn).await, 1);
}

#[tokio::test]
async fn r14_an_office_admin_edits_its_own_office_on_the_page_and_another_offices_page_is_not_found() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_login(&mut b, "iidabashi.admin").await;
    let list = b.get("/staff/admin/offices").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("/staff/admin/offices/1301") && !list.body.contains("/staff/admin/offices/2701"));
    assert!(!list.body.contains("name=\"code\""), "adding an office is a central admin's");
    b.get("/staff/admin/offices/1301").await;
    let typed = [
        ("name", "ハローワーク飯田橋"),
        ("phone", "12345"),
        ("address", "東京都文京区後楽1-9-20"),
        ("opening_hours", "月曜から金曜 8時30分から17時15分"),
    ];
    let page = b.post("/staff/admin/offices/1301", &typed).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("電話番号は0から始まる10桁または11桁"), "{}", page.body);
    assert!(page.body.contains("value=\"東京都文京区後楽1-9-20\""), "what was typed comes back");
    let mut fields = typed;
    fields[1] = ("phone", "03-3812-8609");
    let page = b.post("/staff/admin/offices/1301", &fields).await;
    assert!(page.body.contains("ハローワークの情報を保存しました"), "{}", page.body);
    let saved = kit.mypage.offices().await.unwrap().into_iter().find(|o| o.code().as_str() == "1301").unwrap();
    assert_eq!((saved.phone(), saved.address()), (Some("03-3812-8609"), Some("東京都文京区後楽1-9-20")));
    assert_eq!(audited(&kit, AuditAction::OfficeEdited).await, 1);

    assert_eq!(b.get("/staff/admin/offices/2701").await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.post("/staff/admin/offices/2701", &typed).await.status, StatusCode::NOT_FOUND);
    assert_eq!(b.post("/staff/admin/offices/2701/close", &[]).await.status, StatusCode::NOT_FOUND);
    let mut counter = Browser::new(&client);
    staff_login(&mut counter, "iidabashi.counter").await;
    assert_eq!(counter.get("/staff/admin/offices/1301").await.status, StatusCode::FORBIDDEN);
    assert_eq!(audited(&kit, AuditAction::OfficeEdited).await, 1, "nothing else was edited");
}

#[tokio::test]
async fn r14_a_closed_office_takes_no_counter_registration_and_its_staff_still_read() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    let client = TestClient::new(endpoint);
    let mut admin = Browser::new(&client);
    staff_login(&mut admin, "iidabashi.admin").await;
    admin.get("/staff/admin/offices/1301").await;
    let page = admin.post("/staff/admin/offices/1301/close", &[]).await;
    assert!(page.body.contains("閉庁しました"), "{}", page.body);
    let page = admin.post("/staff/admin/offices/1301/close", &[]).await;
    assert!(page.body.contains("すでに閉庁しています"), "{}", page.body);
    assert_eq!(audited(&kit, AuditAction::OfficeClosed).await, 1);
    let list = admin.get("/staff/admin/offices").await;
    assert!(list.body.contains("閉庁"));

    let mut counter = Browser::new(&client);
    staff_login(&mut counter, "iidabashi.counter").await;
    assert_eq!(counter.get("/staff").await.status, StatusCode::OK, "its staff still log in and read");
    counter.get("/staff/counter").await;
    let page = counter.post("/staff/counter", &[("number", EXISTING), ("email", "late@example.jp")]).await;
    assert!(
        page.body.contains("閉庁したため、窓口でのメールアドレスの登録と訂正は受け付けていません"),
        "{}",
        page.body
    );
    assert!(kit.store.read(|t| t.account_by_email("late@example.jp").is_none()).await);
    let (status, offices) = call(&client, "GET", "/api/v1/offices", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = offices.as_array().unwrap().iter().filter_map(|o| o["code"].as_str()).collect();
    assert_eq!(codes, vec!["2701"], "a closed office is not offered to first-time applicants");
}

#[tokio::test]
async fn r14_admins_edit_and_close_offices_through_the_api_an_office_admin_its_own_only() {
    let (kit, endpoint) = site().await;
    kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let client = TestClient::new(endpoint);
    let office_admin = api_login(&client, "iidabashi.admin").await;
    let central = api_login(&client, "central.admin").await;
    let counter = api_login(&client, "iidabashi.counter").await;
    let details = json!({"name": "ハローワーク飯田橋", "phone": "03-3812-8609", "address": "東京都文京区後楽1-9-20"});
    let (status, office) =
        call(&client, "PUT", "/api/v1/staff/admin/offices/1301", Some(&office_admin), Some(details.clone())).await;
    assert_eq!((status, office["address"].as_str()), (StatusCode::OK, Some("東京都文京区後楽1-9-20")));
    let (status, answer) =
        call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&office_admin), Some(details.clone())).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_permitted")));
    let (status, _) = call(&client, "PUT", "/api/v1/staff/admin/offices/1301", Some(&counter), Some(details)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let bad = json!({"name": "", "phone": "12345"});
    let (status, answer) = call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&central), Some(bad)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")));
    let fields: Vec<&str> = answer["fields"].as_array().unwrap().iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, vec!["name", "phone"]);
    let osaka = json!({"name": "ハローワーク大阪東", "opening_hours": "月曜から金曜 8時30分から17時15分"});
    let (status, office) = call(&client, "PUT", "/api/v1/staff/admin/offices/2701", Some(&central), Some(osaka)).await;
    assert_eq!((status, office["opening_hours"].as_str()), (StatusCode::OK, Some("月曜から金曜 8時30分から17時15分")));

    let (status, _) = call(&client, "POST", "/api/v1/staff/admin/offices/2701/close", Some(&office_admin), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, office) = call(&client, "POST", "/api/v1/staff/admin/offices/2701/close", Some(&central), None).await;
    assert!(status == StatusCode::OK && office["closed_at"].is_string(), "{office}");
    let (status, answer) = call(&client, "POST", "/api/v1/staff/admin/offices/2701/close", Some(&central), None).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("already_closed")));
    let (status, _) = call(&client, "POST", "/api/v1/staff/admin/offices/9999/close", Some(&central), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // What the closed office refuses, as the API says it.
    let member = json!({"office": "2701", "login": "osaka.new", "name": "新任 職員", "roles": ["counter"], "password": TEST_PASSWORD});
    let (status, answer) = call(&client, "POST", "/api/v1/staff/admin/staff", Some(&central), Some(member)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("office_closed")));
    kit.sign_up("first@example.jp").await;
    let login = json!({"email": "first@example.jp", "password": TEST_PASSWORD});
    let (_, session) = call(&client, "POST", "/api/v1/sessions", None, Some(login)).await;
    let employer = session["token"].as_str().unwrap().to_owned();
    let history = json!({"kind": "first", "office": "2701"});
    let (status, answer) =
        call(&client, "PUT", "/api/v1/mypage/registration/history", Some(&employer), Some(history)).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::CONFLICT, Some("office_closed")));
    assert_eq!(audited(&kit, AuditAction::OfficeEdited).await, 2);
    assert_eq!(audited(&kit, AuditAction::OfficeClosed).await, 1);
}
