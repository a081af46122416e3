//! The reviewer's screen and the staff console's own shell (R11, R12, R14, R18): every field the employer entered in
//! its sections, case B's claim beside the establishment register's record, statuses in the office's words, a
//! confirmation step before 本登録, before 本登録しない and before a counter registration, and notes kept on error.

use mypage_domain::model::{RegistrationId, RegistrationStatus};
use mypage_domain::usecases::{AdminActor, HistoryInput, ImportOptions};
use mypage_domain::values::RegisterFile;
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, EXISTING, site, submitted_first_timer};

async fn staff_log_in<E: Endpoint>(b: &mut Browser<'_, E>, login: &str) {
    b.get("/staff/login").await;
    let menu = b.post("/staff/login", &[("login", login), ("password", TEST_PASSWORD)]).await;
    assert_eq!(menu.location.as_deref(), Some("/staff"));
}

/// The register's record of [`EXISTING`] (R18), with an address other than the job offer's workplace and the same
/// postal code.
async fn import_register(kit: &TestKit) {
    let csv = format!(
        "事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\n\
         {EXISTING},株式会社ハローテスト,ハローテスト,162-0846,東京都新宿区市谷本村町5-1,03-3333-4444\n"
    );
    let file = RegisterFile::parse(csv.as_bytes()).unwrap();
    kit.mypage.import_register(AdminActor::System, file, ImportOptions::default(), &TestKit::client()).await.unwrap();
}

/// A past applicant's registration claiming [`EXISTING`] (case B), submitted with `job`; its id.
async fn submitted_past_applicant(
    kit: &TestKit,
    email: &str,
    job: &mypage_domain::values::JobOfferInput,
) -> RegistrationId {
    let account = kit.sign_up(email).await;
    let c = TestKit::client();
    let history = HistoryInput::PastApplicant { establishment_number: EXISTING.into() };
    let id = kit.mypage.declare_history(account, &history, &c).await.unwrap();
    kit.mypage.save_job_offer(account, job, &c).await.unwrap();
    kit.mypage.submit_registration(account, &c).await.unwrap();
    id
}

async fn status(kit: &TestKit, id: RegistrationId) -> RegistrationStatus {
    kit.store.read(|t| t.registrations().find(|r| r.id() == id).map(|r| r.status().clone())).await.unwrap()
}

#[tokio::test]
async fn r11_the_reviewers_screen_shows_every_section_the_employer_filled_in_and_the_status_in_japanese() {
    let (kit, endpoint) = site().await;
    let id = submitted_first_timer(&kit, "hajimete@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    let queue = b.get("/staff").await;
    assert!(queue.body.contains("審査待ち") && !queue.body.contains("submitted"), "{}", queue.body);
    let page = b.get(&format!("/staff/registrations/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for section in ["求人申し込み実績", "事業所情報", "求人情報"] {
        assert!(page.body.contains(&format!("<h2>{section}</h2>")), "section {section}: {}", page.body);
    }
    let info = fixtures::establishment_info();
    let business = info.business.lines().next().unwrap();
    for entered in [info.name.as_str(), &info.representative_name, &info.contact_name, business] {
        assert!(page.body.contains(entered), "{entered} is shown");
    }
    for shown in ["月給 220,000円～300,000円", "ハローワーク飯田橋", "審査待ち", "不問", "厚生年金", "08:30"]
    {
        assert!(page.body.contains(shown), "{shown} is shown");
    }
    assert!(!page.body.contains(">submitted<"), "no status code on the page");
}

#[tokio::test]
async fn r11_case_b_shows_the_registers_record_beside_the_claimed_number_with_each_difference_marked() {
    let (kit, endpoint) = site().await;
    import_register(&kit).await;
    let id = submitted_past_applicant(&kit, "tanaka@example.co.jp", &fixtures::job_offer()).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    let page = b.get(&format!("/staff/registrations/{id}")).await;
    let claim = &page.body[page.body.find("事業所台帳との照合").expect("the check is shown")..];
    let claim = &claim[..claim.find("</table>").unwrap()];
    for register in ["株式会社ハローテスト", "ハローテスト", "東京都新宿区市谷本村町5-1", "03-3333-4444", EXISTING]
    {
        assert!(claim.contains(register), "the register's {register} is beside the claim: {claim}");
    }
    assert!(claim.contains("東京都新宿区市谷左内町21-5"), "the workplace entered is beside it");
    assert_eq!(claim.matches("（台帳と異なります）").count(), 1, "only the address differs: {claim}");
}

#[tokio::test]
async fn r11_an_age_limit_is_shown_with_its_legal_exception() {
    let (kit, endpoint) = site().await;
    let job = mypage_domain::values::JobOfferInput {
        age: "limited".into(),
        age_max: "59".into(),
        age_exception: "1".into(),
        ..fixtures::job_offer()
    };
    let id = submitted_past_applicant(&kit, "teinen@example.jp", &job).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    let page = b.get(&format!("/staff/registrations/{id}")).await;
    assert!(page.body.contains("59歳以下"), "{}", page.body);
    assert!(page.body.contains("例外事由1号（定年年齢を上限として募集）"));
    assert!(page.body.contains("年齢制限があります"), "the reviewer is told to check it");
}

#[tokio::test]
async fn r11_confirmation_is_asked_for_before_the_registration_is_confirmed() {
    let (kit, endpoint) = site().await;
    import_register(&kit).await;
    let id = submitted_past_applicant(&kit, "tanaka@example.co.jp", &fixtures::job_offer()).await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    let detail = b.get(&format!("/staff/registrations/{id}")).await;
    assert!(detail.body.contains(&format!("href=\"/staff/registrations/{id}/confirm\"")), "a link, not a form");
    let ask = b.get(&format!("/staff/registrations/{id}/confirm")).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(ask.body.contains("本登録の確認") && ask.body.contains("株式会社ハローテスト（1301-123456-7）"));
    assert!(ask.body.contains("本登録を確定する"));
    assert_eq!(status(&kit, id).await, RegistrationStatus::Submitted, "asking changes nothing");
    let done = b.post(&format!("/staff/registrations/{id}/confirm"), &[]).await;
    assert!(done.body.contains("事業所番号は 1301-123456-7"), "{}", done.body);
    assert!(matches!(status(&kit, id).await, RegistrationStatus::Confirmed { .. }));
    let after = b.get(&format!("/staff/registrations/{id}/confirm")).await;
    assert_eq!(after.location, Some(format!("/staff/registrations/{id}")), "nothing left to confirm");
    let page = b.get(&format!("/staff/registrations/{id}")).await;
    assert!(page.body.contains("本登録済み"));
}

#[tokio::test]
async fn r11_a_rejection_is_confirmed_first_and_going_back_keeps_the_reason() {
    let (kit, endpoint) = site().await;
    let id = submitted_first_timer(&kit, "hajimete@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    let path = format!("/staff/registrations/{id}/reject");
    b.get(&format!("/staff/registrations/{id}")).await;
    let reason = "事業所の実在を確認できませんでした。\n窓口にお越しください。";
    let ask = b.post(&path, &[("note", reason)]).await;
    assert!(ask.body.contains("本登録しないことの確認") && ask.body.contains("本登録しないことを確定する"));
    assert!(ask.body.contains("事業所の実在を確認できませんでした。"));
    assert_eq!(status(&kit, id).await, RegistrationStatus::Submitted, "asking changes nothing");
    let back = b.post(&path, &[("note", reason), ("back", "yes")]).await;
    assert!(back.body.contains("窓口にお越しください。</textarea>"), "the reason is kept: {}", back.body);
    assert_eq!(status(&kit, id).await, RegistrationStatus::Submitted);
    let done = b.post(&path, &[("note", reason), ("confirmed", "yes")]).await;
    assert!(done.body.contains("処理しました"), "{}", done.body);
    assert!(matches!(status(&kit, id).await, RegistrationStatus::Rejected { .. }));
    let page = b.get(&format!("/staff/registrations/{id}")).await;
    assert!(page.body.contains("本登録しない") && page.body.contains("窓口にお越しください。"));
}

#[tokio::test]
async fn r11_a_note_refused_comes_back_in_its_form_and_an_empty_reason_asks_no_confirmation() {
    let (kit, endpoint) = site().await;
    let id = submitted_first_timer(&kit, "hajimete@example.jp").await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    b.get(&format!("/staff/registrations/{id}")).await;
    let long = "確認".repeat(501);
    let page = b.post(&format!("/staff/registrations/{id}/contact"), &[("note", &long)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(">{long}</textarea>")), "the note is kept");
    assert!(page.body.contains("note-error"), "with its message beside it");
    let empty = b.post(&format!("/staff/registrations/{id}/reject"), &[("note", "  ")]).await;
    assert!(!empty.body.contains("本登録しないことを確定する"), "nothing to confirm without a reason");
    assert!(empty.body.contains("note-error"));
    let marked = b.post(&format!("/staff/registrations/{id}/contact"), &[("note", "お電話します。")]).await;
    assert!(marked.body.contains("処理しました"));
    let queue = b.get("/staff").await;
    assert!(queue.body.contains("連絡が必要"), "{}", queue.body);
}

#[tokio::test]
async fn r14_the_console_has_its_own_header_with_the_member_and_no_public_help_desk() {
    let (_kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    let login = b.get("/staff/login").await;
    assert!(login.body.contains("header class=\"console\"") && !login.body.contains("0570-077450"));
    staff_log_in(&mut b, "iidabashi.reviewer").await;
    for path in ["/staff", "/staff/establishments"] {
        let page = b.get(path).await;
        assert!(page.body.contains("職員 iidabashi.reviewer"), "{path} names the member");
        assert!(page.body.contains("ハローワーク飯田橋"), "{path} names the office");
        assert!(page.body.contains("権限：審査"), "{path} names the role");
        assert!(page.body.contains("action=\"/logout\""), "{path} offers logout");
        assert!(!page.body.contains("0570-077450"), "{path} has no public help desk");
    }
    let top = b.get("/").await;
    assert!(top.body.contains("0570-077450") && !top.body.contains("header class=\"console\""), "the public site");
}

#[tokio::test]
async fn r12_the_counter_names_the_establishment_before_registering_and_going_back_keeps_what_was_typed() {
    let (kit, endpoint) = site().await;
    let client = TestClient::new(endpoint);
    let mut b = Browser::new(&client);
    staff_log_in(&mut b, "iidabashi.counter").await;
    b.get("/staff/counter").await;
    let typed = [("number", "１３０１１２３４５６７"), ("email", "saiyou@example.jp")];
    let ask = b.post("/staff/counter", &typed).await;
    assert!(ask.body.contains("株式会社ハローテスト") && ask.body.contains("saiyou@example.jp"), "{}", ask.body);
    assert!(kit.store.read(|t| t.account_by_email("saiyou@example.jp").is_none()).await, "nothing registered yet");
    let back = b.post("/staff/counter", &[typed[0], typed[1], ("back", "yes")]).await;
    assert!(
        back.body.contains("value=\"saiyou@example.jp\"") && back.body.contains("value=\"１３０１１２３４５６７\"")
    );
    let done = b.post("/staff/counter", &[typed[0], typed[1], ("confirmed", "yes")]).await;
    assert!(done.body.contains("saiyou@example.jp を登録しました"), "{}", done.body);
    assert!(kit.store.read(|t| t.account_by_email("saiyou@example.jp").is_some()).await);
    let taken = b.post("/staff/counter", &typed).await;
    assert!(!taken.body.contains("株式会社ハローテスト（"), "a taken address is refused at the first step");
    assert!(taken.body.contains("email-error"), "{}", taken.body);
    let unknown = b.post("/staff/counter", &[("number", "1301-999999-9"), ("email", "x@example.jp")]).await;
    assert!(unknown.body.contains("number-error") && !unknown.body.contains("name=\"confirmed\""));
}
