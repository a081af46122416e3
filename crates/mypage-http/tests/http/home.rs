//! The My Page home of an Active account (issue 14 point 1): the establishment with its office of jurisdiction and
//! phone, the account's address, its job offers with their status, and what to do next.

use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use poem::http::StatusCode;
use poem::test::TestClient;

use crate::{Browser, EXISTING, site};

#[tokio::test]
async fn the_active_home_names_the_establishment_its_office_the_job_offers_and_what_to_do_next() {
    let (kit, ep) = site().await;
    let counter = kit.store.read(|t| t.staff_by_login("iidabashi.counter").unwrap().id()).await;
    let account = kit.open_at_counter(counter, "saiyou@example.jp", EXISTING).await;
    let client = TestClient::new(ep);
    let mut b = Browser::new(&client);
    b.get("/login").await;
    b.post("/login", &[("email", "saiyou@example.jp"), ("password", TEST_PASSWORD)]).await;

    let home = b.get("/mypage").await;
    assert_eq!(home.status, StatusCode::OK);
    for shown in [
        "saiyou@example.jp",
        "株式会社ハローテスト",
        "1301-123456-7",
        "ハローワーク飯田橋",
        "03-0000-0000",
        "求人を申し込むには",
        "新しい求人を申し込む",
        "/mypage/account/password",
        "/mypage/account/sessions",
    ] {
        assert!(home.body.contains(shown), "the home shows {shown}: {}", home.body);
    }

    // A submitted offer and a draft: the list has both with their status, and the next steps name them.
    let c = TestKit::client();
    let m = &kit.mypage;
    let submitted = m.start_job_offer(account, None, &c).await.unwrap();
    m.save_job_offer_draft(account, submitted, &fixtures::job_offer(), &c).await.unwrap();
    m.submit_job_offer(account, submitted, &c).await.unwrap();
    let draft = m.start_job_offer(account, Some(submitted), &c).await.unwrap();
    let home = b.get("/mypage").await.body;
    assert!(home.contains("申込み済み（ハローワークで確認中）"), "{home}");
    assert!(home.contains("入力中（まだ申し込んでいません）"), "{home}");
    assert!(home.contains(&format!("/mypage/job-offers/{draft}/edit")), "the draft is offered to go on with");
    assert!(home.contains("ハローワークで確認しています"), "the submitted offer is said to be in review");
    assert!(home.contains("NC旋盤オペレーター"), "the offers are named by their occupation (as kept: NFKC)");
}
