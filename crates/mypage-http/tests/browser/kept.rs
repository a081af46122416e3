//! Nothing typed is lost (issue 13, point 4), walked in Chromium: each walk types, fails, and finds what it typed.
//! Every wait is for something on the page (an element, a text), never for a time.

use chrono::Duration;
use mypage_domain::model::{AccountId, RegistrationId};
use mypage_domain::usecases::HistoryInput;
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use serde_json::{Value, json};
use thirtyfour::prelude::*;

use crate::{EXISTING, Walk, values};

const SIGN_UP: &str = "事業所登録・求人申し込み（仮登録）";
const SAVE: &str = "保存して次へ進む";

impl Walk {
    /// Waits until the page's main region shows `text`.
    async fn shows(&self, text: &str) {
        let found = self.driver.query(By::XPath(format!("//main[contains(., '{text}')]"))).first().await;
        assert!(found.is_ok(), "the page never showed {text:?}: {}", self.text().await);
    }

    /// The value now in the field `id`.
    async fn value_of(&self, id: &str) -> String {
        self.driver.find(By::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
    }

    /// Terms (each text scrolled to its end: R1) and the e-mail on the sign-up entrance, to the password screen.
    async fn reach_the_password_screen(&mut self, email: &str) {
        self.goto("/").await;
        self.press(SIGN_UP).await;
        self.driver
            .execute(
                "document.querySelectorAll('.terms').forEach(e => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); }); return true;",
                Vec::<Value>::new(),
            )
            .await
            .unwrap();
        self.driver.find(By::Id("privacy")).await.unwrap().click().await.unwrap();
        self.driver.find(By::Id("terms")).await.unwrap().click().await.unwrap();
        self.press("次へ進む").await;
        self.fill("email", email).await;
        self.press("次へ進む").await;
        self.shows(email).await;
    }

    /// The password screen sent with the password twice and `key`.
    async fn set_password(&mut self, key: &str) {
        self.fill("password", TEST_PASSWORD).await;
        self.fill("confirmation", TEST_PASSWORD).await;
        self.fill("auth_key", key).await;
        self.press("完了").await;
    }

    /// A Provisional employer logged in through the login page, with its history declared through the use case
    /// (the history screen has walks of its own).
    async fn logged_in_with(&mut self, email: &str, history: HistoryInput) -> AccountId {
        let account = self.kit.sign_up(email).await;
        self.kit.mypage.declare_history(account, &history, &TestKit::client()).await.unwrap();
        self.goto("/login").await;
        self.log_in(email).await;
        account
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_password_screen_keeps_the_key_typed_and_never_the_passwords() {
    let Some(mut w) = Walk::start("kept_key").await else { return };
    w.reach_the_password_screen("kagi@example.jp").await;
    let key = w.kit.store.last_auth_key_to("kagi@example.jp").await.unwrap();
    w.fill("password", TEST_PASSWORD).await;
    w.fill("confirmation", "Another-pass-42!").await;
    w.fill("auth_key", &key).await;
    w.press("完了").await;
    w.shows("入力内容に誤りがあります").await;
    assert_eq!(w.value_of("auth_key").await, key, "the key typed is still there");
    assert_eq!((w.value_of("password").await, w.value_of("confirmation").await), (String::new(), String::new()));
    // Only the passwords are typed again.
    w.fill("password", TEST_PASSWORD).await;
    w.fill("confirmation", TEST_PASSWORD).await;
    w.press("完了").await;
    w.shows("パスワード登録完了").await;
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r3_the_same_address_sent_again_is_a_resend_and_the_first_mails_key_still_works() {
    let Some(mut w) = Walk::start("kept_resend").await else { return };
    w.reach_the_password_screen("futatabi@example.jp").await;
    let first = w.kit.store.last_auth_key_to("futatabi@example.jp").await.unwrap();
    // Back to the e-mail screen, as with the browser's back button, and 次へ進む again.
    w.goto("/start/signup/email").await;
    w.fill("email", "futatabi@example.jp").await;
    w.press("次へ進む").await;
    w.shows("認証キーをもう一度お送りしました").await;
    assert_ne!(w.kit.store.last_auth_key_to("futatabi@example.jp").await.unwrap(), first, "a second mail");
    w.set_password(&first).await;
    w.shows("パスワード登録完了").await;
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r3_an_expired_key_keeps_the_flow_and_the_newest_mails_key_works() {
    let Some(mut w) = Walk::start("kept_expired").await else { return };
    w.reach_the_password_screen("osoi@example.jp").await;
    let first = w.kit.store.last_auth_key_to("osoi@example.jp").await.unwrap();
    w.kit.clock.advance(Duration::minutes(20));
    w.press("認証キーを再送信する").await;
    w.shows("認証キーをもう一度お送りしました").await;
    let second = w.kit.store.last_auth_key_to("osoi@example.jp").await.unwrap();
    w.kit.clock.advance(Duration::minutes(15));
    w.set_password(&first).await;
    w.shows("この認証キーは有効期限が過ぎています").await;
    w.shows("最後にお送りしたメールの認証キーは、").await;
    assert_eq!(w.value_of("auth_key").await, first, "the expired key typed is still there");
    w.set_password(&second).await;
    w.shows("パスワード登録完了").await;
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r10_the_valid_fields_of_a_form_sent_with_errors_are_there_when_the_employer_comes_back() {
    let Some(mut w) = Walk::start("kept_draft").await else { return };
    w.logged_in_with("tochuu@example.jp", HistoryInput::FirstTime { office: "1301".into() }).await;
    w.goto("/mypage/establishment").await;
    let mut info = values(&fixtures::establishment_info());
    info["phone"] = json!("12345");
    w.fill_form(&info).await;
    w.press(SAVE).await;
    w.shows("入力内容に誤りがあります").await;
    // Away to My Page, and back: the valid fields are there, the wrong one is empty.
    w.goto("/mypage").await;
    w.goto("/mypage/establishment").await;
    w.shows("入力途中の内容を表示しています").await;
    let typed = fixtures::establishment_info();
    assert_eq!(w.value_of("name").await, typed.name);
    assert_eq!(w.value_of("address").await, typed.address);
    assert_eq!(w.value_of("phone").await, "");
    // Only the wrong field is typed again.
    w.fill("phone", "03-1234-5678").await;
    w.press(SAVE).await;
    w.driver.query(By::Css("form[action='/mypage/job']")).first().await.unwrap();
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r13_a_form_sent_after_the_session_ended_is_there_after_logging_in_again() {
    let Some(mut w) = Walk::start("kept_session").await else { return };
    let history = HistoryInput::PastApplicant { establishment_number: EXISTING.into() };
    let account = w.logged_in_with("yukkuri@example.jp", history).await;
    w.goto("/mypage/job").await;
    w.shows("までに「保存して次へ進む」を押してください").await;
    let mut offer = values(&fixtures::job_offer());
    offer["occupation"] = json!("夜間の施設警備員");
    w.fill_form(&offer).await;
    // The employer is away longer than the session lasts without a request (30 minutes).
    w.kit.clock.advance(Duration::minutes(31));
    w.press(SAVE).await;
    w.shows("もう一度ログインすると、入力していた画面に戻り").await;
    w.fill("email", "yukkuri@example.jp").await;
    w.fill("password", TEST_PASSWORD).await;
    w.press("ログイン").await;
    w.shows("まだ保存されていません").await;
    assert_eq!(w.value_of("occupation").await, "夜間の施設警備員");
    assert_eq!(w.value_of("wage_min").await, fixtures::job_offer().wage_min);
    let draft = w.kit.mypage.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.job_offer().is_none(), "nothing was saved before the employer sent it again");
    w.press(SAVE).await;
    w.driver.query(By::Css("form[action='/mypage/submit']")).first().await.unwrap();
    let draft = w.kit.mypage.overview(account).await.unwrap().registration.unwrap();
    assert_eq!(draft.job_offer().map(|j| j.occupation.as_str()), Some("夜間の施設警備員"));
    w.finish().await;
}

/// A case C registration submitted to office 1301 through the use cases.
async fn submitted(kit: &TestKit, email: &str) -> RegistrationId {
    let account = kit.sign_up(email).await;
    let c = TestKit::client();
    let history = HistoryInput::FirstTime { office: "1301".into() };
    let id = kit.mypage.declare_history(account, &history, &c).await.unwrap();
    kit.mypage.save_establishment_info(account, &fixtures::establishment_info(), &c).await.unwrap();
    kit.mypage.save_job_offer(account, &fixtures::job_offer(), &c).await.unwrap();
    kit.mypage.submit_registration(account, &c).await.unwrap();
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r11_a_decision_note_that_fails_is_there_as_it_was_typed() {
    let Some(mut w) = Walk::start("kept_note").await else { return };
    let id = submitted(&w.kit, "renraku@example.jp").await;
    w.staff_log_in("iidabashi.reviewer").await;
    w.goto(&format!("/staff/registrations/{id}")).await;
    // A note over its 1,000 characters, as pasted from a longer text.
    let note = format!("求人票の記載についてお電話します。\n{}", "詳細".repeat(500));
    w.fill("contact-note", &note).await;
    w.press("連絡が必要").await;
    w.driver.query(By::Css("main .field-error")).first().await.unwrap();
    assert_eq!(w.value_of("contact-note").await, note, "the note typed is still there");
    w.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_r13_a_session_about_to_end_warns_on_the_long_form_and_what_was_typed_survives_its_end() {
    let Some(mut w) = Walk::start("kept_warning").await else { return };
    let history = HistoryInput::PastApplicant { establishment_number: EXISTING.into() };
    w.logged_in_with("mamonaku@example.jp", history).await;
    // A long day: a page every 25 minutes keeps the session alive until 5 minutes of its 8 hours are left.
    for _ in 0..19 {
        w.kit.clock.advance(Duration::minutes(25));
        w.driver.goto(format!("{}/mypage", w.base)).await.unwrap();
        w.driver.query(By::Css("form[action='/logout']")).first().await.unwrap();
    }
    w.goto("/mypage/job").await;
    w.fill("occupation", "倉庫内の仕分け作業").await;
    w.driver.query(By::Id("session-warning")).and_displayed().first().await.unwrap();
    w.screen().await;
    assert_eq!(w.value_of("occupation").await, "倉庫内の仕分け作業", "the warning leaves the form as it is");
    // The warning is not heeded: the session ends, and the form is sent after it.
    w.kit.clock.advance(Duration::minutes(6));
    w.press(SAVE).await;
    w.shows("もう一度ログインすると、入力していた画面に戻り").await;
    w.fill("email", "mamonaku@example.jp").await;
    w.fill("password", TEST_PASSWORD).await;
    w.press("ログイン").await;
    w.shows("まだ保存されていません").await;
    assert_eq!(w.value_of("occupation").await, "倉庫内の仕分け作業");
    w.finish().await;
}
