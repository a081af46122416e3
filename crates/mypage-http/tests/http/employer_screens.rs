//! The employer's screens as an office would publish them (issue 13): the confirmation screen and its read-back
//! on My Page, errors that name their field, the 求人申し込み実績 screen as seed 002 draws it, and the seeds' words
//! and links.

use mypage_domain::usecases::HistoryInput;
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, EXISTING, form_of, sign_up_to_password_page, site};

/// A signed-up employer, logged in through the pages.
async fn logged_in<'a, E: Endpoint>(client: &'a TestClient<E>, kit: &TestKit, email: &str) -> Browser<'a, E> {
    kit.sign_up(email).await;
    let mut b = Browser::new(client);
    b.get("/login").await;
    let home = b.post("/login", &[("email", email), ("password", TEST_PASSWORD)]).await;
    assert_eq!(home.location.as_deref(), Some("/mypage"));
    b
}

/// The text of a page without its tags, so that an assertion reads as what the employer sees.
fn text(body: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The rows a confirmation of the fixtures' job offer must show, as an office writes them.
const JOB_ROWS: &[&str] = &[
    "求人情報",
    "NC旋盤オペレーター",
    "NC旋盤による精密部品の加工をお任せします。",
    "雇用形態正社員",
    "雇用期間定めなし",
    "〒162-0846",
    "賃金月給 220,000円～300,000円",
    "就業時間08:30～17:30（休憩 60分）",
    "土日祝",
    "年間休日数120日",
    "加入保険等雇用保険、労災保険、健康保険、厚生年金",
    "採用人数2人",
    "必要な経験等未入力",
    "普通自動車運転免許(AT限定可)",
    "年齢不問",
    "試用期間（月数）3か月",
    "選考方法書類選考、面接",
];

#[tokio::test]
async fn case_c_confirmation_shows_every_field_in_sections_with_a_correction_link_each_then_my_page_reads_it_back() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "kakunin@example.jp").await;
    b.get("/mypage/history").await;
    b.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    b.get("/mypage/establishment").await;
    b.post_map("/mypage/establishment", &form_of(&fixtures::establishment_info())).await;
    b.get("/mypage/job").await;
    b.post_map("/mypage/job", &form_of(&fixtures::job_offer())).await;
    let review = b.get("/mypage/submit").await;
    let shown = text(&review.body);
    for row in [
        "求人申し込み実績初めて申し込む",
        "管轄のハローワークハローワーク飯田橋",
        "事業所情報",
        "事業所名称株式会社ハローテスト製作所",
        "カブシキガイシャ ハローテストセイサクショ",
        "〒162-0846東京都新宿区市谷左内町21-5",
        "電話番号03-1234-5678",
        "代表者役職代表取締役",
        "代表者氏名山田 太郎",
        "産業分類製造業",
        "従業員数（企業全体）48人",
        "従業員数（この事業所）30人",
        "創業年（西暦）1987年",
        "資本金（円）10,000,000円",
        "試作品の設計・製作",
        "https://example.jp/",
        "担当者氏名佐藤 花子",
        "担当者所属部署総務部",
        "担当者電話番号03-1234-5679",
        "担当者メールアドレスsoumu@example.jp",
    ]
    .iter()
    .chain(JOB_ROWS)
    {
        assert!(shown.contains(row), "the confirmation shows {row}:\n{shown}");
    }
    for link in ["href=\"/mypage/history\"", "href=\"/mypage/establishment\"", "href=\"/mypage/job\""] {
        assert!(review.body.contains(link), "a 修正 link to {link}");
    }
    b.post("/mypage/submit", &[]).await;
    let home = b.get("/mypage").await;
    let shown = text(&home.body);
    assert!(shown.contains("これまでの経過") && shown.contains("仮登録を送信しました"), "{shown}");
    assert!(shown.contains("登録した内容") && shown.contains("賃金月給 220,000円～300,000円"), "{shown}");
    assert!(shown.contains("事業所名称株式会社ハローテスト製作所"));
    assert!(!home.body.contains("href=\"/mypage/establishment\""), "read-only once sent: no 修正 link");
}

#[tokio::test]
async fn case_b_confirmation_names_the_number_and_its_office_and_the_receipt_says_what_to_do_without_the_mail() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "kakunin-b@example.jp").await;
    b.get("/mypage/history").await;
    b.post("/mypage/history", &[("choice", "past"), ("number", EXISTING)]).await;
    b.get("/mypage/job").await;
    b.post_map("/mypage/job", &form_of(&fixtures::job_offer())).await;
    let review = b.get("/mypage/submit").await;
    let shown = text(&review.body);
    assert!(shown.contains("求人申し込み実績過去にハローワークに求人を申し込んだことがある"), "{shown}");
    assert!(shown.contains("事業所番号1301-123456-7") && shown.contains("管轄のハローワークハローワーク飯田橋"));
    for row in JOB_ROWS {
        assert!(shown.contains(row), "the confirmation shows {row}:\n{shown}");
    }
    let sent = b.post("/mypage/submit", &[]).await;
    let receipt = text(&sent.body);
    assert!(
        receipt.contains("system@mail.hellowork.mhlw.go.jp"),
        "R7: the receipt page says what to do without the mail"
    );
    assert!(!receipt.contains("窓口または電話で本登録"), "case B is confirmed by the office itself");
    assert_eq!(receipt_mail_says_first_time(&kit).await, Some(false));
}

#[tokio::test]
async fn case_c_receipt_says_the_final_registration_is_done_at_the_counter_or_by_phone_and_what_to_do_without_the_mail()
{
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "uketsuke@example.jp").await;
    let account = kit.store.read(|t| t.account_by_email("uketsuke@example.jp").map(|a| a.id())).await.unwrap();
    let c = TestKit::client();
    kit.mypage.declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &c).await.unwrap();
    kit.mypage.save_establishment_info(account, &fixtures::establishment_info(), &c).await.unwrap();
    kit.mypage.save_job_offer(account, &fixtures::job_offer(), &c).await.unwrap();
    b.get("/mypage/submit").await;
    let receipt = text(&b.post("/mypage/submit", &[]).await.body);
    assert!(receipt.contains("仮登録完了"));
    assert!(receipt.contains("窓口または電話で本登録の手続きを行ってください"), "seed 002 step 6: {receipt}");
    assert!(receipt.contains("メールの受信制限") && receipt.contains("system@mail.hellowork.mhlw.go.jp"), "R7");
    assert_eq!(receipt_mail_says_first_time(&kit).await, Some(true), "the receipt mail says so too");
}

/// Whether the last receipt mail queued is a first-time applicant's.
async fn receipt_mail_says_first_time(kit: &TestKit) -> Option<bool> {
    use mypage_domain::model::MailTemplate;
    kit.store
        .read_outbox(|mails| {
            mails.iter().rev().find_map(|m| match &m.mail.template {
                MailTemplate::RegistrationReceived { first_time, .. } => Some(*first_time),
                _ => None,
            })
        })
        .await
}

#[tokio::test]
async fn an_empty_job_form_names_every_field_once_in_its_error_summary_and_links_each_to_its_field() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "kara@example.jp").await;
    b.get("/mypage/history").await;
    b.post("/mypage/history", &[("choice", "past"), ("number", EXISTING)]).await;
    b.get("/mypage/job").await;
    let page = b.post("/mypage/job", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let summary = &page.body[page.body.find("class=\"error-summary\"").unwrap()..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(page.body.contains("id=\"errors\" autofocus"), "focus moves to the summary");
    let items: Vec<&str> = summary.split("<li>").skip(1).collect();
    let messages: Vec<String> = items.iter().map(|i| text(i)).collect();
    for expected in ["職種を入力してください。", "雇用形態を選択してください。", "選考方法を1つ以上選択してください。"]
    {
        assert!(messages.iter().any(|m| m == expected), "{expected} in {messages:?}");
    }
    assert!(!messages.iter().any(|m| m == "入力してください。"), "no message without its field: {messages:?}");
    let mut distinct = messages.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), messages.len(), "one distinct message per field: {messages:?}");
    assert!(messages.len() >= 12, "{messages:?}");
    for item in &items {
        let field = item.split("href=\"#").nth(1).and_then(|r| r.split('"').next()).expect("a link to the field");
        assert!(page.body.contains(&format!("id=\"{field}\"")), "the summary links to #{field}, which exists");
    }
}

#[tokio::test]
async fn a_wage_range_upside_down_says_which_bound_is_wrong_and_a_founding_year_in_the_future_is_refused() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "mirai@example.jp").await;
    b.get("/mypage/history").await;
    b.post("/mypage/history", &[("choice", "first"), ("office", "1301")]).await;
    b.get("/mypage/establishment").await;
    let mut info = form_of(&fixtures::establishment_info());
    use mypage_domain::ports::Clock as _;
    let next_year = chrono::Datelike::year(&kit.clock.now()) + 1;
    info.insert("founded_year".into(), next_year.to_string());
    let page = b.post_map("/mypage/establishment", &info).await;
    let shown = text(&page.body);
    assert!(shown.contains("創業年（西暦）は1800から"), "{shown}");
    info.insert("founded_year".into(), "1987".into());
    b.post_map("/mypage/establishment", &info).await;
    b.get("/mypage/job").await;
    let mut offer = form_of(&fixtures::job_offer());
    offer.insert("wage_min".into(), "300000".into());
    offer.insert("wage_max".into(), "220000".into());
    let page = b.post_map("/mypage/job", &offer).await;
    assert!(text(&page.body).contains("賃金（上限）は下限以上の金額を入力してください。"), "{}", page.body);
}

#[tokio::test]
async fn r5_the_password_page_shows_every_problem_at_once_and_refuses_full_width_saying_to_switch() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = Browser::new(&client);
    sign_up_to_password_page(&mut b, &kit, "pw@example.jp").await;
    b.get("/start/signup/password").await;
    let page =
        b.post("/start/signup/password", &[("password", "abc"), ("confirmation", "abd"), ("auth_key", "")]).await;
    let shown = text(&page.body);
    for message in [
        "8文字以上で入力してください。",
        "数字を1文字以上含めてください。",
        "記号を1文字以上含めてください。",
        "確認用のパスワードが一致しません。",
    ] {
        assert!(shown.contains(message), "{message} in {shown}");
    }
    assert_eq!(page.body.matches("id=\"password-error\"").count(), 1, "the messages share the field's one id");
    let full = "Ｋａｉｓｈａ＃２０２６";
    let page = b.post("/start/signup/password", &[("password", full), ("confirmation", full), ("auth_key", "")]).await;
    assert!(text(&page.body).contains("半角入力に切り替えて"), "R5: full-width is refused, not folded");
    assert!(kit.store.read(|t| t.account_by_email("pw@example.jp").is_none()).await);
}

#[tokio::test]
async fn the_history_screen_shows_each_answer_with_its_own_fields_button_and_the_offices_to_ask() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = logged_in(&client, &kit, "jisseki@example.jp").await;
    let page = b.get("/mypage/history").await;
    let shown = text(&page.body);
    assert!(shown.contains("求人情報を入力") && shown.contains("事業所情報を入力"), "{shown}");
    assert!(!page.body.contains(">次へ進む<"));
    assert!(shown.contains(
        "ハローワークに求人を出したことがあるかわからない場合は、管轄のハローワークにお問い合わせください。"
    ));
    assert!(page.body.contains("class=\"for-past\"") && page.body.contains("class=\"for-first\""));
    assert!(shown.contains("管轄のハローワークがわからない場合") && shown.contains("ハローワーク大阪東"), "{shown}");
    let css = b.get("/assets/site.css").await.body;
    assert!(css.contains(".history:has(#past:not(:checked)) .for-past"), "the answer not chosen hides its fields");
}

#[tokio::test]
async fn every_footer_links_to_the_seeds_pages_and_each_answers() {
    let (_kit, ep) = site().await;
    let client = TestClient::new(ep);
    let mut b = Browser::new(&client);
    let top = b.get("/").await;
    for (path, title) in [
        ("/site-policy", "サイトポリシー"),
        ("/privacy", "プライバシーポリシー"),
        ("/terms", "利用規約"),
        ("/faq", "よくあるご質問"),
        ("/help", "お問い合わせ先"),
    ] {
        assert!(top.body.contains(&format!("<a href=\"{path}\">{title}</a>")), "the footer links {title}");
        let page = b.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
    }
    let privacy = text(&b.get("/privacy").await.body);
    assert!(privacy.contains("第1版"), "the policy in force: {privacy}");
}

#[tokio::test]
async fn both_e_mail_pages_recommend_an_address_the_organisation_can_share_as_seed_002_does() {
    let (kit, ep) = site().await;
    let client = TestClient::new(ep);
    let consent = kit.consent().await;
    let (pv, tv) = (consent.privacy_policy_version.0.to_string(), consent.mypage_terms_version.0.to_string());
    for purpose in ["open", "signup"] {
        let mut b = Browser::new(&client);
        b.get(&format!("/start/{purpose}")).await;
        b.post(&format!("/start/{purpose}/terms"), &[("privacy", "on"), ("terms", "on"), ("pv", &pv), ("tv", &tv)])
            .await;
        let page = b.get(&format!("/start/{purpose}/email")).await;
        assert!(text(&page.body).contains("組織で共有可能なアドレスを推奨します"), "{purpose}: {}", page.body);
    }
}
