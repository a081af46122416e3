//! Periodic expiry of drafts (R10) and flows (R3).

use chrono::Duration;
use mypage_domain::model::FlowPurpose;
use mypage_domain::model::{DeathCause, FlowState, RegistrationStatus};
use mypage_domain::usecases::{ExpireError, HistoryInput};

use crate::{client, world, world_with};

#[tokio::test]
async fn r10_r3_the_periodic_job_expires_old_drafts_and_flows_and_forgets_old_throttle_hits() {
    let w = world().await;
    let account = w.kit.sign_up("draft@example.jp").await;
    w.kit.mypage.declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &client()).await.unwrap();
    w.request(FlowPurpose::SignUp, "abandoned@example.jp").await.unwrap();
    let report = w.kit.mypage.expire_stale().await.unwrap();
    assert_eq!((report.drafts, report.flows), (0, 0));
    w.kit.clock.advance(Duration::days(15));
    let report = w.kit.mypage.expire_stale().await.unwrap();
    assert_eq!((report.drafts, report.flows), (1, 1));
    assert!(report.throttle_hits >= 2, "{report:?}");
    let status = w.kit.mypage.overview(account).await.unwrap().registration.unwrap().status().clone();
    assert_eq!(status, RegistrationStatus::Expired);
    let dead =
        w.kit.store.read(|t| t.flows().filter(|f| f.state() == FlowState::Dead(DeathCause::Expired)).count()).await;
    assert_eq!(dead, 1);
    assert_eq!(w.kit.mypage.expire_stale().await.unwrap().drafts, 0, "running again finds nothing");
}

#[tokio::test]
async fn r10_the_periodic_job_handles_more_drafts_than_one_batch() {
    // 120 sign-ups from the one test client: its key limit (R8) is not what this test is about.
    let w = world_with(mypage_domain::DomainConfig {
        key_requests_per_client: 0,
        ..mypage_domain::DomainConfig::default()
    })
    .await;
    for i in 0..120 {
        let account = w.kit.sign_up(&format!("draft{i}@example.jp")).await;
        w.kit
            .mypage
            .declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &client())
            .await
            .unwrap();
    }
    w.kit.clock.advance(Duration::days(15));
    assert_eq!(w.kit.mypage.expire_stale().await.unwrap().drafts, 120);
}

#[tokio::test]
async fn the_periodic_job_reports_a_store_failure() {
    let w = world().await;
    w.kit.store.fail_next_begins(1);
    assert!(matches!(w.kit.mypage.expire_stale().await, Err(ExpireError::Infrastructure(_))));
}
