//! Cases A, B and C walked page by page, as an employer and a staff member would.

use mypage_testkit::{TEST_PASSWORD, fixtures};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, EXISTING, form_of, site};

/// Terms, e-mail, key and password through the pages; returns the password page's body.
async fn open_account<E: Endpoint>(b: &mut Browser<'_, E>, kit: &mypage_testkit::TestKit, purpose: &str, email: &str) {
    let terms = b.get(&format!("/start/{purpose}")).await;
    assert_eq!(terms.status, StatusCode::OK);
    assert!(terms.body.contains("求人者マイページ利用規約確認"));
    let consent = kit.consent().await;
    let (pv, tv) = (consent.privacy_policy_version.0.to_string(), consent.mypage_terms_version.0.to_string());
    let to_email = b
        .post(&format!("/start/{purpose}/terms"), &[("privacy", "on"), ("terms", "on"), ("pv", &pv), ("tv", &tv)])
        .await;
    assert_eq!(to_email.location.as_deref(), Some(format!("/start/{purpose}/email").as_str()));
    let page = b.get(&format!("/start/{purpose}/email")).await;
    assert!(page.body.contains("system@mail.hellowork.mhlw.go.jp"), "R7: the page names the system address");
    let to_password = b.post(&format!("/start/{purpose}/email"), &[("email", email)]).await;
    assert_eq!(to_password.status, StatusCode::SEE_OTHER);
    let password = b.get(&format!("/start/{purpose}/password")).await;
    assert!(password.body.contains(email));
    assert!(password.body.contains("この画面を閉じないでください"), "R4");
    let key = kit.store.last_auth_key_to(email).await.unwrap();
    let done = b
        .post(
            &format!("/start/{purpose}/password"),
            &[("password", TEST_PASSWORD), ("confirmation", TEST_PASSWORD), ("auth_key", &key)],
        )
        .await;
    assert_eq!(done.location.as_deref(), Some(format!("/start/{purpose}/done").as_str()), "{}", done.body);
    let done = b.get(&format!("/start/{purpose}/done")).await;
    assert!(done.body.contains("ログイン画面へ進む"), "R6");
}

async fn log_in<E: Endpoint>(b: &mut Browser<'_, E>, email: &str) {
    b.get("/login").await;
    let home = b.post("/login", &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
}

async fn staff_log_in<E: Endpoint>(b: &mut Browser<'_, E>, login: &str) {
    b.get("/staff/login").await;
    let menu = b.post("/staff/login", &[("login", login), ("password", TEST_PASSWORD)]).await;
    assert_eq!(menu.location.as_deref(), Some("/staff"));
}

#[tokio::test]
async fn case_a_over_http_counter_registration_then_password_online() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut staff = Browser::new(&client);
    staff_log_in(&mut staff, "iidabashi.counter").await;
    staff.get("/staff/counter").await;
    let registered = staff
        .post("/staff/counter", &[("number", EXISTING), ("email", "saiyou@example.jp"), ("confirmed", "yes")])
        .await;
    assert!(registered.body.contains("を登録しました"), "{}", registered.body);

    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "open", "saiyou@example.jp").await;
    log_in(&mut employer, "saiyou@example.jp").await;
    let home = employer.get("/mypage").await;
    assert!(home.body.contains("新しい求人を申し込む"), "the Active home offers the next job offer (R20)");
    assert!(home.body.contains("1301-123456-7"));
    assert!(home.body.contains("ハローワーク飯田橋"), "the office of jurisdiction is named");
}

#[tokio::test]
async fn case_b_over_http_past_applicant_files_a_job_offer_and_staff_confirm_it() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "signup", "tanaka@example.co.jp").await;
    log_in(&mut employer, "tanaka@example.co.jp").await;
    assert!(employer.get("/mypage").await.body.contains("事業所・求人情報を登録"));
    employer.get("/mypage/history").await;
    let next = employer.post("/mypage/history", &[("choice", "past"), ("number", "１３０１－１２３４５６－７")]).await;
    assert_eq!(next.location.as_deref(), Some("/mypage/job"));
    employer.get("/mypage/job").await;
    let next = employer.post_map("/mypage/job", &form_of(&fixtures::job_offer())).await;
    assert_eq!(next.location.as_deref(), Some("/mypage/submit"), "{}", next.body);
    let review = employer.get("/mypage/submit").await;
    assert!(review.body.contains("NC旋盤オペレーター"));
    let submitted = employer.post("/mypage/submit", &[]).await;
    assert!(submitted.body.contains("仮登録を受け付けました"));

    let mut staff = Browser::new(&client);
    staff_log_in(&mut staff, "iidabashi.reviewer").await;
    let queue = staff.get("/staff").await;
    let start = queue.body.find("/staff/registrations/").unwrap();
    let link = &queue.body[start..start + queue.body[start..].find('"').unwrap()];
    let detail = staff.get(link).await;
    assert!(detail.body.contains("tanaka@example.co.jp"));
    let confirmed = staff.post(&format!("{link}/confirm"), &[]).await;
    assert!(confirmed.body.contains("事業所番号は 1301-123456-7"), "{}", confirmed.body);

    let home = employer.get("/mypage").await.body;
    assert!(home.contains("新しい求人を申し込む") && home.contains("1301-123456-7"), "{home}");
}

#[tokio::test]
async fn case_c_over_http_first_time_applicant_gets_a_new_number() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "signup", "hajimete@example.jp").await;
    log_in(&mut employer, "hajimete@example.jp").await;
    let history = employer.get("/mypage/history").await;
    assert!(history.body.contains("ハローワーク飯田橋"), "the offices to choose from");
    let next = employer.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    assert_eq!(next.location.as_deref(), Some("/mypage/establishment"));
    employer.get("/mypage/establishment").await;
    let next = employer.post_map("/mypage/establishment", &form_of(&fixtures::establishment_info())).await;
    assert_eq!(next.location.as_deref(), Some("/mypage/job"), "{}", next.body);
    employer.get("/mypage/job").await;
    employer.post_map("/mypage/job", &form_of(&fixtures::job_offer())).await;
    employer.get("/mypage/submit").await;
    employer.post("/mypage/submit", &[]).await;

    let mut staff = Browser::new(&client);
    staff_log_in(&mut staff, "iidabashi.reviewer").await;
    let queue = staff.get("/staff").await;
    let start = queue.body.find("/staff/registrations/").unwrap();
    let link = queue.body[start..start + queue.body[start..].find('"').unwrap()].to_owned();
    let detail = staff.get(&link).await;
    assert!(detail.body.contains("株式会社ハローテスト製作所"));
    let confirmed = staff.post(&format!("{link}/confirm"), &[]).await;
    assert!(confirmed.body.contains("事業所番号は 1301-9"), "{}", confirmed.body);
    let home = employer.get("/mypage").await.body;
    assert!(home.contains("新しい求人を申し込む") && home.contains("1301-9"), "{home}");
    assert!(home.contains("本登録までの経過と登録した内容"), "the registration that opened it stays readable");
}

#[tokio::test]
async fn a_form_sent_back_keeps_what_was_typed_and_shows_each_error_beside_its_field() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "signup", "c@example.jp").await;
    log_in(&mut employer, "c@example.jp").await;
    employer.get("/mypage/history").await;
    employer.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    employer.get("/mypage/establishment").await;
    let mut form = form_of(&fixtures::establishment_info());
    form.insert("phone".into(), "12345".into());
    form.insert("name".into(), "株式会社　入力途中".into());
    let page = employer.post_map("/mypage/establishment", &form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("入力内容に誤りがあります"));
    assert!(page.body.contains("電話番号は0から始まる10桁または11桁"));
    assert!(page.body.contains("value=\"12345\""), "the wrong value is kept");
    assert!(page.body.contains("株式会社　入力途中"), "the other values are kept");
}

#[tokio::test]
async fn r9_an_unknown_establishment_number_tells_the_employer_to_ask_the_office() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "signup", "b@example.jp").await;
    log_in(&mut employer, "b@example.jp").await;
    employer.get("/mypage/history").await;
    let page = employer.post("/mypage/history", &[("choice", "past"), ("number", "1301-999999-9")]).await;
    assert!(page.body.contains("管轄のハローワークにお問い合わせください"));
    assert!(page.body.contains("1301-999999-9"));
}

#[tokio::test]
async fn r9_an_unknown_number_names_its_office_of_jurisdiction_with_the_phone_its_admins_entered() {
    use mypage_domain::usecases::{AdminActor, NewOffice};
    let (kit, endpoint) = site().await;
    let office =
        NewOffice { code: "1302".into(), name: "ハローワーク新宿".into(), phone: Some("03-3200-8609".into()) };
    kit.mypage.add_office(AdminActor::System, &office, &mypage_testkit::TestKit::client()).await.unwrap();
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    open_account(&mut employer, &kit, "signup", "b@example.jp").await;
    log_in(&mut employer, "b@example.jp").await;
    employer.get("/mypage/history").await;
    let page = employer.post("/mypage/history", &[("choice", "past"), ("number", "1302-999999-9")]).await;
    assert!(
        page.body.contains("管轄のハローワーク新宿（電話：03-3200-8609）にお問い合わせください。"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn r11_a_decided_registration_names_the_reviewing_office_and_its_phone_on_my_page() {
    use mypage_domain::model::NoteDecision;
    use mypage_domain::usecases::{AdminActor, HistoryInput, NewOffice};
    use mypage_domain::values::StaffRole;
    use mypage_testkit::TestKit;
    let (kit, endpoint) = site().await;
    let c = TestKit::client();
    let office =
        NewOffice { code: "1302".into(), name: "ハローワーク新宿".into(), phone: Some("03-3200-8609".into()) };
    kit.mypage.add_office(AdminActor::System, &office, &c).await.unwrap();
    let reviewer = kit.staff("1302", "shinjuku.reviewer", &[StaffRole::Reviewer]).await;
    let account = kit.sign_up("r@example.jp").await;
    let id = kit.mypage.declare_history(account, &HistoryInput::FirstTime { office: "1302".into() }, &c).await.unwrap();
    kit.mypage.save_establishment_info(account, &fixtures::establishment_info(), &c).await.unwrap();
    kit.mypage.save_job_offer(account, &fixtures::job_offer(), &c).await.unwrap();
    kit.mypage.submit_registration(account, &c).await.unwrap();
    let client = TestClient::new(endpoint);
    let mut employer = Browser::new(&client);
    log_in(&mut employer, "r@example.jp").await;
    let submitted = employer.get("/mypage").await;
    assert!(!submitted.body.contains("ご不明な点は"), "nothing to ask while the office is checking");
    kit.mypage
        .decide_with_note(reviewer, id, NoteDecision::Reject, "所在地を確認できませんでした。", &c)
        .await
        .unwrap();
    let home = employer.get("/mypage").await;
    assert!(
        home.body.contains("ご不明な点は、管轄のハローワーク新宿（電話：03-3200-8609）にお問い合わせください。"),
        "{}",
        home.body
    );
}
