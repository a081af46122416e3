//! The employer's screens of issue 13 walked in Chromium: the 求人申し込み実績 screen shows only the chosen answer's
//! fields, the confirmation screen shows every field entered (cases B and C) and My Page reads it back after
//! sending, a first-time employer finds its office of jurisdiction from the workplace's prefecture and
//! municipality, and an empty job form's error summary takes the focus and names each field.
//!
//! Every wait waits for something on the page (a heading, the focused element), never for a time.

use serde_json::Value;
use thirtyfour::prelude::*;

use crate::{EXISTING, Walk, values};
use mypage_domain::model::ClientInfo;
use mypage_domain::usecases::AdminActor;
use mypage_domain::values::{OfficeAreaInput, OfficeDetailsInput};
use mypage_testkit::fixtures;

/// Waits until the page shows the heading `title`: the step has landed.
async fn landed(w: &Walk, title: &str) {
    w.driver.query(By::XPath(format!("//main//h1[normalize-space()='{title}']"))).first().await.unwrap();
}

/// Whether the element `id` is shown (not hidden by the stylesheet).
async fn shown(w: &Walk, id: &str) -> bool {
    w.driver.find(By::Id(id)).await.unwrap().is_displayed().await.unwrap()
}

/// The job offer's rows as the fixtures' offer must be shown, as an office writes them.
const JOB_ROWS: &[&str] = &[
    "NC旋盤オペレーター",
    "NC旋盤による精密部品の加工をお任せします。",
    "正社員",
    "定めなし",
    "〒162-0846",
    "月給 220,000円～300,000円",
    "08:30～17:30（休憩 60分）",
    "土日祝",
    "120日",
    "雇用保険、労災保険、健康保険、厚生年金",
    "2人",
    "普通自動車運転免許(AT限定可)",
    "不問",
    "3か月",
    "書類選考、面接",
];

/// The establishment's rows as the fixtures' establishment must be shown.
const ESTABLISHMENT_ROWS: &[&str] = &[
    "株式会社ハローテスト製作所",
    "カブシキガイシャ ハローテストセイサクショ",
    "東京都新宿区市谷左内町21-5",
    "03-1234-5678",
    "代表取締役",
    "山田 太郎",
    "製造業",
    "48人",
    "30人",
    "1987年",
    "10,000,000円",
    "精密部品の切削加工",
    "https://example.jp/",
    "佐藤 花子",
    "総務部",
    "03-1234-5679",
    "soumu@example.jp",
];

fn assert_shows(text: &str, rows: &[&str]) {
    for row in rows {
        assert!(text.contains(row), "the page shows {row}:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_b_confirmation_shows_every_field_entered_and_my_page_reads_it_back() {
    let Some(mut w) = Walk::start("employer_b").await else { return };
    w.open_account("事業所登録・求人申し込み（仮登録）", "kakunin-b@example.jp").await;
    w.log_in("kakunin-b@example.jp").await;
    w.press("事業所・求人情報を登録").await;
    landed(&w, "求人申し込み実績").await;
    assert!(!shown(&w, "number").await && !shown(&w, "office").await, "no answer chosen, no answer's fields");
    w.driver.find(By::Id("past")).await.unwrap().click().await.unwrap();
    w.driver.query(By::Id("number")).and_displayed().first().await.unwrap();
    assert!(!shown(&w, "office").await, "a past applicant sees only the number");
    w.fill("number", EXISTING).await;
    w.press("求人情報を入力").await;
    landed(&w, "求人情報の入力").await;
    w.fill_form(&values(&fixtures::job_offer())).await;
    w.press("保存して次へ進む").await;
    landed(&w, "入力内容の確認").await;
    let review = w.text().await;
    assert_shows(&review, &["過去にハローワークに求人を申し込んだことがある", "1301-123456-7", "ハローワーク飯田橋"]);
    assert_shows(&review, JOB_ROWS);
    assert_eq!(w.driver.find_all(By::Css("main .summary-head a")).await.unwrap().len(), 2, "a 修正 link per section");
    w.press("この内容で仮登録する").await;
    landed(&w, "仮登録完了").await;
    w.goto("/mypage").await;
    landed(&w, "求人者マイページ").await;
    let home = w.text().await;
    assert_shows(&home, &["これまでの経過", "仮登録を送信しました", "登録した内容"]);
    assert_shows(&home, JOB_ROWS);
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_case_c_confirmation_shows_every_field_entered_with_a_correction_link_per_section() {
    let Some(mut w) = Walk::start("employer_c").await else { return };
    let areas = ["東京都 千代田区", "東京都 中央区", "東京都 文京区", "東京都 八丈町"];
    let details = OfficeDetailsInput {
        name: "ハローワーク飯田橋".into(),
        phone: "03-3812-8609".into(),
        areas: Some(areas.iter().map(|l| OfficeAreaInput::from_line(l)).collect()),
        ..OfficeDetailsInput::default()
    };
    w.kit.mypage.edit_office(AdminActor::System, "1301", &details, &ClientInfo::system()).await.unwrap();
    w.open_account("事業所登録・求人申し込み（仮登録）", "kakunin-c@example.jp").await;
    w.log_in("kakunin-c@example.jp").await;
    w.press("事業所・求人情報を登録").await;
    landed(&w, "求人申し込み実績").await;
    w.driver.find(By::Id("first")).await.unwrap().click().await.unwrap();
    w.driver.query(By::Id("office")).and_displayed().first().await.unwrap();
    assert!(!shown(&w, "number").await, "a first-time applicant sees only the office");
    // The office of jurisdiction found from the workplace's prefecture and municipality (issue 13, point 5).
    w.driver
        .find(By::XPath("//main//summary[normalize-space()='管轄のハローワークがわからない場合']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    w.driver.query(By::Id("lookup-municipality")).and_displayed().first().await.unwrap();
    w.driver.find(By::Css("#lookup-prefecture option[value='東京都']")).await.unwrap().click().await.unwrap();
    w.fill("lookup-municipality", "文京").await;
    w.press("管轄のハローワークを探す").await;
    let result = w.driver.query(By::Id("lookup-result")).and_displayed().first().await.unwrap();
    let found = result.text().await.unwrap();
    assert!(found.contains("ハローワーク飯田橋") && found.contains("03-3812-8609"), "{found}");
    let typed = w.driver.find(By::Id("lookup-municipality")).await.unwrap().value().await.unwrap();
    assert_eq!(typed.as_deref(), Some("文京"), "what was typed is kept");
    w.press("ハローワーク飯田橋を選ぶ").await;
    w.driver.query(By::Css("#office option[value='1301']:checked")).and_displayed().first().await.unwrap();
    assert!(w.driver.find(By::Id("first")).await.unwrap().is_selected().await.unwrap(), "the first-time answer");
    w.press("事業所情報を入力").await;
    landed(&w, "事業所情報の入力").await;
    w.fill_form(&values(&fixtures::establishment_info())).await;
    w.press("保存して次へ進む").await;
    landed(&w, "求人情報の入力").await;
    w.fill_form(&values(&fixtures::job_offer())).await;
    w.press("保存して次へ進む").await;
    landed(&w, "入力内容の確認").await;
    let review = w.text().await;
    assert_shows(&review, &["初めて申し込む", "ハローワーク飯田橋"]);
    assert_shows(&review, ESTABLISHMENT_ROWS);
    assert_shows(&review, JOB_ROWS);
    assert_eq!(w.driver.find_all(By::Css("main .summary-head a")).await.unwrap().len(), 3, "a 修正 link per section");
    // 修正 of the establishment leads back to its form with what was entered.
    w.driver.find(By::Css("main a[href='/mypage/establishment']")).await.unwrap().click().await.unwrap();
    landed(&w, "事業所情報の入力").await;
    let name = w.driver.find(By::Id("name")).await.unwrap().value().await.unwrap();
    assert_eq!(name.as_deref(), Some("株式会社ハローテスト製作所"));
    w.press("保存して次へ進む").await;
    landed(&w, "求人情報の入力").await;
    w.press("保存して次へ進む").await;
    landed(&w, "入力内容の確認").await;
    w.press("この内容で仮登録する").await;
    landed(&w, "仮登録完了").await;
    assert!(w.text().await.contains("窓口または電話で本登録の手続き"), "seed 002 step 6");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_an_empty_job_form_moves_the_focus_to_a_summary_naming_each_field() {
    let Some(mut w) = Walk::start("employer_errors").await else { return };
    w.open_account("事業所登録・求人申し込み（仮登録）", "kara@example.jp").await;
    w.log_in("kara@example.jp").await;
    w.goto("/mypage/history").await;
    w.driver.find(By::Id("past")).await.unwrap().click().await.unwrap();
    w.fill("number", EXISTING).await;
    w.press("求人情報を入力").await;
    landed(&w, "求人情報の入力").await;
    w.press("保存して次へ進む").await;
    w.driver.query(By::Css("#errors")).first().await.unwrap();
    let focused: Value =
        w.driver.execute("return document.activeElement.id;", Vec::<Value>::new()).await.unwrap().json().clone();
    assert_eq!(focused, Value::from("errors"), "the focus moves to the error summary");
    let summary = w.driver.find(By::Id("errors")).await.unwrap().text().await.unwrap();
    for message in ["職種を入力してください。", "雇用形態を選択してください。", "選考方法を1つ以上選択してください。"]
    {
        assert!(summary.contains(message), "{message} in {summary}");
    }
    w.driver.find(By::Css("#errors a[href='#occupation']")).await.unwrap().click().await.unwrap();
    w.driver.query(By::Css("#occupation")).and_displayed().first().await.unwrap();
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r5_the_password_screen_shows_every_refusal_at_once_and_refuses_full_width() {
    let Some(mut w) = Walk::start("employer_password").await else { return };
    w.goto("/").await;
    w.press("事業所登録・求人申し込み（仮登録）").await;
    w.driver
        .execute(
            "document.querySelectorAll('.terms').forEach(e => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); }); return true;",
            Vec::<Value>::new(),
        )
        .await
        .unwrap();
    w.driver.query(By::Id("privacy")).and_enabled().first().await.unwrap().click().await.unwrap();
    w.driver.query(By::Id("terms")).and_enabled().first().await.unwrap().click().await.unwrap();
    w.press("次へ進む").await;
    w.fill("email", "zenkaku@example.jp").await;
    w.press("次へ進む").await;
    landed(&w, "パスワード登録").await;
    w.fill("password", "abc").await;
    w.fill("confirmation", "abd").await;
    w.press("完了").await;
    w.driver.query(By::Css("#errors")).first().await.unwrap();
    let summary = w.driver.find(By::Id("errors")).await.unwrap().text().await.unwrap();
    for message in ["8文字以上", "数字を1文字以上", "記号を1文字以上", "確認用のパスワードが一致しません"]
    {
        assert!(summary.contains(message), "{message} in {summary}");
    }
    let full = "Ｋａｉｓｈａ＃２０２６";
    w.fill("password", full).await;
    w.fill("confirmation", full).await;
    w.press("完了").await;
    w.driver.query(By::XPath("//*[@id='errors'][contains(., '半角入力に切り替えて')]")).first().await.unwrap();
    w.finish().await;
}
