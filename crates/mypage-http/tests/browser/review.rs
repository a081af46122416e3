//! The reviewer's screen walked in Chromium (R11, R18): the establishment register imported through its page,
//! case B's claim beside the register's record, statuses in the office's words on the queue and the screen, and
//! the confirmation step before 本登録 and before 本登録しない, going back from which keeps the reason typed.

use mypage_domain::model::RegistrationId;
use mypage_domain::usecases::HistoryInput;
use mypage_testkit::{TestKit, fixtures};
use thirtyfour::prelude::*;

use crate::{EXISTING, Walk, workspace};

/// A registration filed through the use cases (the employer's screens have their own walks), submitted to office
/// 1301: case B claiming [`EXISTING`] when `past`, else case C.
async fn submitted(kit: &TestKit, email: &str, past: bool) -> RegistrationId {
    let account = kit.sign_up(email).await;
    let c = TestKit::client();
    let history = if past {
        HistoryInput::PastApplicant { establishment_number: EXISTING.into() }
    } else {
        HistoryInput::FirstTime { office: "1301".into() }
    };
    let id = kit.mypage.declare_history(account, &history, &c).await.unwrap();
    if !past {
        kit.mypage.save_establishment_info(account, &fixtures::establishment_info(), &c).await.unwrap();
    }
    kit.mypage.save_job_offer(account, &fixtures::job_offer(), &c).await.unwrap();
    kit.mypage.submit_registration(account, &c).await.unwrap();
    id
}

impl Walk {
    /// The text of the first element `css` finds in the page's main region, once it is there, including what a
    /// narrow screen shows only when its table region is scrolled sideways.
    async fn text_of(&self, css: &str) -> String {
        let element = self.driver.find(By::Css(format!("main {css}"))).await.unwrap();
        element.prop("textContent").await.unwrap().unwrap_or_default()
    }

    /// Opens the queue's only registration from the menu, and waits until its page has replaced the menu.
    async fn open_from_queue(&mut self) {
        let page = self.driver.find(By::Tag("html")).await.unwrap();
        self.driver.find(By::Css("main table a")).await.unwrap().click().await.unwrap();
        page.wait_until().stale().await.unwrap();
        self.screen().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_reviewer_checks_a_claim_against_the_register_and_confirms_each_decision_first() {
    let Some(mut w) = Walk::start("review").await else { return };
    // The office's register, with the establishment's address and one line that cannot be read, imported through
    // its page (R18), so that its check and its report are measured at 360 px too.
    let csv = format!(
        "事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\n\
         {EXISTING},株式会社ハローテスト,ハローテスト,162-0846,東京都新宿区市谷本村町5-1,03-3333-4444\n\
         1301-12,番号の短い事業所,,,,\n"
    );
    let file = workspace().join("target/screenshots/review_register.csv");
    std::fs::write(&file, csv).unwrap();
    // A file input takes a canonical path only.
    let file = file.canonicalize().unwrap();
    w.staff_log_in("central.admin").await;
    w.press("事業所台帳の取込み").await;
    w.driver.find(By::Id("file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    w.driver.find(By::Id("skip_invalid")).await.unwrap().click().await.unwrap();
    w.press("内容を確認する").await;
    assert!(w.text().await.contains("取り込めない行 1件"), "{}", w.text().await);
    w.press("この内容で取り込む").await;
    let address = w.kit.store.read(|t| t.establishments().find_map(|e| e.details().address.clone())).await;
    assert_eq!(address.as_deref(), Some("東京都新宿区市谷本村町5-1"), "the register's record is imported");
    w.goto("/help").await;
    let past = submitted(&w.kit, "tanaka@example.co.jp", true).await;

    w.staff_log_in("iidabashi.reviewer").await;
    assert!(w.text_of("table").await.contains("審査待ち"), "the queue says 審査待ち");
    w.open_from_queue().await;
    let claim = w.text_of("table.claim").await;
    assert!(claim.contains("株式会社ハローテスト"), "the register's name beside the claim: {claim}");
    assert!(claim.contains(EXISTING) && claim.contains("台帳と異なります"), "{claim}");
    assert!(w.text_of("table.kv").await.contains("審査待ち"));

    w.fill("contact-note", "求人の内容についてお電話します。").await;
    w.press("連絡が必要").await;
    assert!(w.text().await.contains("処理しました"));
    w.goto("/staff").await;
    assert!(w.text_of("table").await.contains("連絡が必要"), "the queue says 連絡が必要");
    w.open_from_queue().await;
    assert!(w.text_of("table.kv").await.contains("連絡が必要"));

    w.press("本登録する").await;
    assert_eq!(w.text_of("h1").await, "本登録の確認");
    assert!(w.text().await.contains("株式会社ハローテスト（1301-123456-7）"), "the establishment before confirming");
    w.press("審査画面に戻る").await;
    assert_eq!(w.text_of("h1").await, "仮登録の審査", "going back confirms nothing");
    w.press("本登録する").await;
    w.press("本登録を確定する").await;
    assert!(w.text().await.contains("事業所番号は 1301-123456-7"));
    w.goto(&format!("/staff/registrations/{past}")).await;
    assert!(w.text_of("table.kv").await.contains("本登録済み"));

    let first = submitted(&w.kit, "hajimete@example.jp", false).await;
    w.goto(&format!("/staff/registrations/{first}")).await;
    w.fill("reject-note", "事業所の所在を確認できませんでした。").await;
    w.press("本登録しない").await;
    assert_eq!(w.text_of("h1").await, "本登録しないことの確認");
    assert!(w.text().await.contains("事業所の所在を確認できませんでした。"));
    w.press("戻って理由を直す").await;
    let kept = w.driver.find(By::Id("reject-note")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("事業所の所在を確認できませんでした。"), "the reason is kept");
    w.press("本登録しない").await;
    w.press("本登録しないことを確定する").await;
    assert!(w.text().await.contains("処理しました"));
    w.goto(&format!("/staff/registrations/{first}")).await;
    assert!(w.text_of("table.kv").await.contains("本登録しない"));
    w.finish().await;
}
