//! What staff see before they act: a registration with the establishment its case B claim names (R11, R18), the
//! status in the office's words, and a counter registration checked without being written (R12, R14).

use mypage_domain::model::RegistrationStatus;
use mypage_domain::usecases::{CounterRegistration, CounterRegistrationError, HistoryInput, QueueError};
use mypage_testkit::fixtures;

use crate::{EXISTING, OSAKA, client, world};

#[tokio::test]
async fn r11_a_case_b_registration_comes_with_the_establishment_holding_the_claimed_number() {
    let w = world().await;
    let m = &w.kit.mypage;
    let account = w.kit.sign_up("tanaka@example.co.jp").await;
    let history = HistoryInput::PastApplicant { establishment_number: EXISTING.into() };
    let id = m.declare_history(account, &history, &client()).await.unwrap();
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    m.submit_registration(account, &client()).await.unwrap();
    let case = m.review_case(w.reviewer, id).await.unwrap();
    assert_eq!(case.registration.id(), id);
    assert_eq!(case.account.id(), account);
    assert_eq!(case.claimed.map(|e| e.name().to_owned()).as_deref(), Some("株式会社ハローテスト"));
    assert!(matches!(m.review_case(w.osaka_reviewer, id).await, Err(QueueError::OutsideOffice)), "R14");
    assert!(matches!(m.review_case(w.counter, id).await, Err(QueueError::NotPermitted)), "R14");
}

#[tokio::test]
async fn r11_a_case_c_registration_claims_no_establishment() {
    let w = world().await;
    let account = w.submitted_first_timer("hajimete@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let case = w.kit.mypage.review_case(w.reviewer, id).await.unwrap();
    assert!(case.claimed.is_none());
    assert_eq!(case.registration.status().label_ja(), "審査待ち");
}

#[test]
fn r11_each_status_has_the_offices_word() {
    let note = mypage_domain::model::StaffNote::parse("x").unwrap();
    let labels = [
        RegistrationStatus::Submitted.label_ja(),
        RegistrationStatus::ContactNeeded { note: note.clone() }.label_ja(),
        RegistrationStatus::Returned { note: note.clone() }.label_ja(),
        RegistrationStatus::Rejected { reason: note }.label_ja(),
    ];
    assert_eq!(labels, ["審査待ち", "連絡が必要", "修正依頼中", "本登録しない"]);
}

#[tokio::test]
async fn r12_a_counter_registration_is_checked_without_being_written_and_refused_as_the_registration_would_be() {
    let w = world().await;
    let m = &w.kit.mypage;
    let input = CounterRegistration { email: "saiyou@example.jp".into(), establishment_number: EXISTING.into() };
    let establishment = m.check_counter_registration(w.counter, &input).await.unwrap();
    assert_eq!(establishment.name(), "株式会社ハローテスト");
    assert!(w.kit.store.read(|t| t.account_by_email("saiyou@example.jp").is_none()).await, "nothing written");
    m.register_email_at_counter(w.counter, &input, &client()).await.unwrap();
    let taken = m.check_counter_registration(w.counter, &input).await;
    assert!(matches!(taken, Err(CounterRegistrationError::EmailTaken)));
    let osaka = CounterRegistration { email: "x@example.jp".into(), establishment_number: OSAKA.into() };
    let outside = m.check_counter_registration(w.counter, &osaka).await;
    assert!(matches!(outside, Err(CounterRegistrationError::OutsideOffice)), "R14");
    let unknown = CounterRegistration { email: "x@example.jp".into(), establishment_number: "1301-999999-9".into() };
    let unknown = m.check_counter_registration(w.counter, &unknown).await;
    assert!(matches!(unknown, Err(CounterRegistrationError::EstablishmentNotFound)));
    assert!(matches!(
        m.check_counter_registration(w.reviewer, &input).await,
        Err(CounterRegistrationError::NotPermitted)
    ));
}
