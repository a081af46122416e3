//! Job offers after opening (R20) over HTTP: an Active employer files one page by page and through the API, the
//! reviewer accepts it (受理) in the console, and the employer reads it back and copies it.

use mypage_domain::model::{AccountId, StaffId};
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::TestClient;
use serde_json::json;

use crate::api::call;
use crate::{Browser, EXISTING, form_of, site};

/// The id of a staff member of the site.
async fn staff_id(kit: &TestKit, login: &str) -> StaffId {
    kit.store.read(|t| t.staff_by_login(login).map(mypage_domain::model::StaffMember::id)).await.unwrap()
}

/// Case A through the use cases: an Active account for the establishment [`EXISTING`].
async fn active_account(kit: &TestKit, email: &str) -> AccountId {
    kit.open_at_counter(staff_id(kit, "iidabashi.counter").await, email, EXISTING).await
}

async fn log_in<E: Endpoint>(b: &mut Browser<'_, E>, path: &str, fields: &[(&str, &str)], then: &str) {
    b.get(path).await;
    let page = b.post(path, fields).await;
    assert_eq!(page.location.as_deref(), Some(then), "{}", page.body);
}

/// The job offer id in a path `/mypage/job-offers/{id}…`.
fn offer_in(location: Option<&str>) -> String {
    let rest = location.unwrap().strip_prefix("/mypage/job-offers/").unwrap();
    rest.split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn r20_an_active_employer_files_a_job_offer_page_by_page_and_the_reviewer_accepts_it() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    active_account(&kit, "saiyou@example.jp").await;
    let mut employer = Browser::new(&client);
    log_in(&mut employer, "/login", &[("email", "saiyou@example.jp"), ("password", TEST_PASSWORD)], "/mypage").await;

    let list = employer.get("/mypage/job-offers").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("新しい求人を申し込む") && list.body.contains("まだ求人を申し込んでいません"));
    let started = employer.post("/mypage/job-offers", &[]).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER);
    let id = offer_in(started.location.as_deref());
    let edit = format!("/mypage/job-offers/{id}/edit");
    assert_eq!(started.location.as_deref(), Some(edit.as_str()));
    let form = employer.get(&edit).await;
    assert!(form.body.contains("求人情報の入力") && form.body.contains("name=\"occupation\""));

    // R10: a wrong form comes back with its error, what was typed kept; its valid fields stay in the draft.
    let mut wrong = form_of(&fixtures::job_offer());
    wrong.insert("wage_min".into(), "400000".into());
    wrong.insert("occupation".into(), "一般事務".into());
    let refused = employer.post_map(&edit, &wrong).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("error-summary") && refused.body.contains("value=\"400000\""), "{}", refused.body);
    let again = employer.get(&edit).await;
    assert!(again.body.contains("入力途中の内容を表示しています"));
    assert!(again.body.contains("value=\"一般事務\""), "a valid field is kept");

    let saved = employer.post_map(&edit, &form_of(&fixtures::job_offer())).await;
    let detail = format!("/mypage/job-offers/{id}");
    assert_eq!(saved.location.as_deref(), Some(detail.as_str()));
    let confirm = employer.get(&detail).await;
    assert!(confirm.body.contains("申込み内容の確認") && confirm.body.contains("この内容で申し込む"));
    assert!(confirm.body.contains("下書きを削除") && confirm.body.contains("NC旋盤オペレーター"));
    assert!(confirm.body.contains("申込みの事業所") && confirm.body.contains(EXISTING));
    let done = employer.post(&format!("{detail}/submit"), &[]).await;
    assert_eq!(done.status, StatusCode::OK);
    assert!(done.body.contains("求人の申込みを受け付けました"));
    assert_eq!(kit.store.mail_codes_to("saiyou@example.jp").await.last(), Some(&"job_offer_received"));
    let sent = employer.get(&detail).await;
    assert!(sent.body.contains("申込み済み（ハローワークで確認中）") && sent.body.contains("求人を申し込みました"));
    assert!(!sent.body.contains("この内容で申し込む") && !sent.body.contains("下書きを削除"));

    // The reviewer sees it marked as a job offer, and accepts it behind a confirmation that says what it does.
    let mut reviewer = Browser::new(&client);
    let credentials = [("login", "iidabashi.reviewer"), ("password", TEST_PASSWORD)];
    log_in(&mut reviewer, "/staff/login", &credentials, "/staff").await;
    let menu = reviewer.get("/staff").await;
    assert!(menu.body.contains(&format!("求人の申込み（事業所番号 {EXISTING}）")), "{}", menu.body);
    let review = reviewer.get(&format!("/staff/registrations/{id}")).await;
    assert!(review.body.contains("求人申込みの審査") && review.body.contains("受理する"));
    assert!(review.body.contains("受理しない") && !review.body.contains("本登録する"));
    let confirm = reviewer.get(&format!("/staff/registrations/{id}/confirm")).await;
    assert!(confirm.body.contains("受理の確認") && confirm.body.contains("アカウントと事業所の登録内容は変わりません"));
    let accepted = reviewer.post(&format!("/staff/registrations/{id}/confirm"), &[]).await;
    assert!(accepted.body.contains("求人を受理しました"), "{}", accepted.body);
    assert_eq!(kit.store.mail_codes_to("saiyou@example.jp").await.last(), Some(&"job_offer_accepted"));

    // The employer reads it back accepted, and copies it into a new draft.
    let list = employer.get("/mypage/job-offers").await;
    assert!(list.body.contains("受理済み") && list.body.contains("この求人をもとに新しく作成"));
    let copied = employer.post("/mypage/job-offers", &[("copy_from", &id)]).await;
    let copy = offer_in(copied.location.as_deref());
    assert_ne!(copy, id);
    let form = employer.get(&format!("/mypage/job-offers/{copy}/edit")).await;
    assert!(form.body.contains("value=\"NC旋盤オペレーター\""), "the copy starts with the earlier offer");
    let discarded = employer.post(&format!("/mypage/job-offers/{copy}/discard"), &[]).await;
    assert_eq!(discarded.location.as_deref(), Some("/mypage/job-offers"));
    assert_eq!(employer.get(&format!("/mypage/job-offers/{copy}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn r20_another_employers_job_offer_is_not_found_and_a_provisional_account_is_sent_home() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let owner = active_account(&kit, "owner@example.jp").await;
    let id = kit.mypage.start_job_offer(owner, None, &TestKit::client()).await.unwrap();
    active_account(&kit, "other@example.jp").await;
    let mut other = Browser::new(&client);
    log_in(&mut other, "/login", &[("email", "other@example.jp"), ("password", TEST_PASSWORD)], "/mypage").await;
    assert_eq!(other.get(&format!("/mypage/job-offers/{id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other.get(&format!("/mypage/job-offers/{id}/edit")).await.status, StatusCode::NOT_FOUND);
    other.get("/mypage/job-offers").await;
    let copied = other.post("/mypage/job-offers", &[("copy_from", &id.to_string())]).await;
    assert!(copied.body.contains("もとにする求人が見つかりません"), "{}", copied.body);

    kit.sign_up("provisional@example.jp").await;
    let mut provisional = Browser::new(&client);
    let credentials = [("email", "provisional@example.jp"), ("password", TEST_PASSWORD)];
    log_in(&mut provisional, "/login", &credentials, "/mypage").await;
    provisional.get("/mypage/job-offers").await;
    let refused = provisional.post("/mypage/job-offers", &[]).await;
    assert_eq!(refused.location.as_deref(), Some("/mypage"), "{}", refused.body);
}

#[tokio::test]
async fn r20_a_job_offer_through_the_api_is_reviewed_as_a_job_offer() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    active_account(&kit, "api@example.jp").await;
    let login = json!({"email": "api@example.jp", "password": TEST_PASSWORD});
    let (_, session) = call(&client, "POST", "/api/v1/sessions", None, Some(login)).await;
    let me = session["token"].as_str().unwrap().to_owned();
    let me = Some(me.as_str());

    let (status, started) = call(&client, "POST", "/api/v1/mypage/job-offers", me, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    let id = started["registration_id"].as_str().unwrap().to_owned();
    let offer = format!("/api/v1/mypage/job-offers/{id}");
    let mut wrong = serde_json::to_value(fixtures::job_offer()).unwrap();
    wrong["wage_min"] = json!("400000");
    let (status, error) = call(&client, "PUT", &offer, me, Some(wrong)).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_fields")));
    let (status, error) = call(&client, "POST", &format!("{offer}/submit"), me, None).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::CONFLICT, Some("incomplete")));
    let good = serde_json::to_value(fixtures::job_offer()).unwrap();
    assert_eq!(call(&client, "PUT", &offer, me, Some(good)).await.0, StatusCode::OK);
    assert_eq!(call(&client, "POST", &format!("{offer}/submit"), me, None).await.0, StatusCode::OK);
    let (_, read) = call(&client, "GET", &offer, me, None).await;
    assert_eq!((read["status"].as_str(), read["establishment_number"].as_str()), (Some("submitted"), Some(EXISTING)));
    assert_eq!(read["job_offer"]["occupation"].as_str(), Some("NC旋盤オペレーター"));

    let staff = json!({"login": "iidabashi.reviewer", "password": TEST_PASSWORD});
    let (_, session) = call(&client, "POST", "/api/v1/staff/sessions", None, Some(staff)).await;
    let reviewer = session["token"].as_str().unwrap().to_owned();
    let reviewer = Some(reviewer.as_str());
    let (_, queue) = call(&client, "GET", "/api/v1/staff/queue", reviewer, None).await;
    assert_eq!(queue[0]["registration_kind"].as_str(), Some("job_offer"));
    let detail = format!("/api/v1/staff/registrations/{id}");
    let (_, case) = call(&client, "GET", &detail, reviewer, None).await;
    assert_eq!(case["registration_kind"].as_str(), Some("job_offer"));
    let (status, decided) = call(&client, "POST", &format!("{detail}/confirm"), reviewer, None).await;
    assert_eq!((status, decided["establishment_number"].as_str()), (StatusCode::OK, Some(EXISTING)));
    let (_, list) = call(&client, "GET", "/api/v1/mypage/job-offers", me, None).await;
    assert_eq!(list[0]["status"].as_str(), Some("confirmed"));
    let (status, error) = call(&client, "DELETE", &offer, me, None).await;
    assert_eq!((status, error["code"].as_str()), (StatusCode::CONFLICT, Some("not_discardable")));
}
