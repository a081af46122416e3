//! The provisional registration step by step (R9, R10).

use chrono::Duration;
use mypage_domain::model::{AccountId, MissingPart, NoteDecision, RegistrationStatus};
use mypage_domain::usecases::{
    DeclareHistoryError, HistoryInput, OverviewError, SaveEstablishmentError, SaveJobOfferError, SubmitError,
};
use mypage_domain::values::{EstablishmentNumberError, FieldProblem};
use mypage_testkit::fixtures;

use crate::{EXISTING, client, world};

fn past(number: &str) -> HistoryInput {
    HistoryInput::PastApplicant { establishment_number: number.into() }
}

fn first(office: &str) -> HistoryInput {
    HistoryInput::FirstTime { office: office.into() }
}

fn nobody() -> AccountId {
    AccountId::from_bytes([0xAB; 16])
}

#[tokio::test]
async fn r10_only_a_provisional_account_files_a_registration() {
    let w = world().await;
    let active = w.active_account("active@example.jp").await;
    let m = &w.kit.mypage;
    assert!(matches!(
        m.declare_history(active, &past(EXISTING), &client()).await,
        Err(DeclareHistoryError::NotProvisional)
    ));
    assert!(matches!(
        m.save_establishment_info(active, &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::NotProvisional)
    ));
    assert!(matches!(
        m.save_job_offer(active, &fixtures::job_offer(), &client()).await,
        Err(SaveJobOfferError::NotProvisional)
    ));
    assert!(matches!(m.submit_registration(active, &client()).await, Err(SubmitError::NotProvisional)));
    assert!(matches!(
        m.declare_history(nobody(), &past(EXISTING), &client()).await,
        Err(DeclareHistoryError::AccountNotFound)
    ));
    assert!(matches!(
        m.save_establishment_info(nobody(), &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::AccountNotFound)
    ));
    assert!(matches!(
        m.save_job_offer(nobody(), &fixtures::job_offer(), &client()).await,
        Err(SaveJobOfferError::AccountNotFound)
    ));
    assert!(matches!(m.submit_registration(nobody(), &client()).await, Err(SubmitError::AccountNotFound)));
    assert!(matches!(m.overview(nobody()).await, Err(OverviewError::AccountNotFound)));
}

#[tokio::test]
async fn r9_a_number_is_checked_for_form_and_existence_and_an_office_must_exist() {
    let w = world().await;
    let account = w.kit.sign_up("b@example.jp").await;
    let m = &w.kit.mypage;
    let err = m.declare_history(account, &past("1301-12345"), &client()).await.unwrap_err();
    assert!(matches!(err, DeclareHistoryError::InvalidEstablishmentNumber(EstablishmentNumberError::WrongLength(9))));
    let err = m.declare_history(account, &past("1301-999999-9"), &client()).await.unwrap_err();
    assert!(matches!(err, DeclareHistoryError::EstablishmentNotFound));
    assert!(matches!(
        m.declare_history(account, &first("9999"), &client()).await,
        Err(DeclareHistoryError::UnknownOffice)
    ));
    assert!(matches!(
        m.declare_history(account, &first("abc"), &client()).await,
        Err(DeclareHistoryError::UnknownOffice)
    ));
    assert!(m.overview(account).await.unwrap().registration.is_none(), "nothing was saved");
}

#[tokio::test]
async fn r10_steps_need_a_draft_and_establishment_information_is_for_first_timers_only() {
    let w = world().await;
    let account = w.kit.sign_up("b@example.jp").await;
    let m = &w.kit.mypage;
    assert!(matches!(
        m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::NoDraft)
    ));
    assert!(matches!(
        m.save_job_offer(account, &fixtures::job_offer(), &client()).await,
        Err(SaveJobOfferError::NoDraft)
    ));
    assert!(matches!(m.submit_registration(account, &client()).await, Err(SubmitError::NoDraft)));
    m.declare_history(account, &past(EXISTING), &client()).await.unwrap();
    assert!(matches!(
        m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::NotFirstTime)
    ));
}

#[tokio::test]
async fn r10_bad_fields_are_all_reported_and_only_the_valid_fields_are_kept() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    let mut info = fixtures::establishment_info();
    info.name = String::new();
    info.phone = "12345".into();
    info.employees_here = "100".into();
    let Err(SaveEstablishmentError::Invalid(errors)) = m.save_establishment_info(account, &info, &client()).await
    else {
        panic!("expected field errors")
    };
    assert_eq!(errors.of("name"), Some(&FieldProblem::Required));
    assert_eq!(errors.of("phone"), Some(&FieldProblem::InvalidPhone));
    assert_eq!(errors.of("employees_here"), Some(&FieldProblem::Conflicts { with: "employees_total" }));
    let mut offer = fixtures::job_offer();
    offer.wage_min = "400000".into();
    let Err(SaveJobOfferError::Invalid(errors)) = m.save_job_offer(account, &offer, &client()).await else {
        panic!("expected field errors")
    };
    assert_eq!(errors.of("wage_max"), Some(&FieldProblem::Conflicts { with: "wage_min" }));
    let draft = m.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.establishment().is_none() && draft.job_offer().is_none(), "no step is complete");
    let kept = draft.unfinished().establishment.clone().unwrap();
    assert_eq!((kept.name.as_str(), kept.phone.as_str(), kept.employees_here.as_str()), ("", "", ""));
    assert_eq!(kept.address, info.address, "a valid field is kept as typed");
    let kept = draft.unfinished().job_offer.clone().unwrap();
    assert_eq!((kept.wage_min.as_str(), kept.wage_max.as_str()), ("400000", ""));
    assert_eq!(kept.occupation, offer.occupation);
}

#[tokio::test]
async fn r10_a_draft_with_an_unfinished_form_stays_incomplete_until_the_form_is_sent_whole() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    // A correction that fails takes the validated form's place: what is submitted is what the form shows.
    let mut info = fixtures::establishment_info();
    info.phone = "12345".into();
    assert!(matches!(
        m.save_establishment_info(account, &info, &client()).await,
        Err(SaveEstablishmentError::Invalid(_))
    ));
    let Err(SubmitError::Incomplete(missing)) = m.submit_registration(account, &client()).await else { panic!() };
    assert_eq!(missing, vec![MissingPart::EstablishmentInfo], "R10: submitted whole or not at all");
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    let draft = m.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.unfinished().establishment.is_none() && draft.establishment().is_some());
    m.submit_registration(account, &client()).await.unwrap();
}

#[tokio::test]
async fn r10_a_form_no_draft_may_take_is_reported_and_nothing_is_kept() {
    let w = world().await;
    let account = w.kit.sign_up("b@example.jp").await;
    let m = &w.kit.mypage;
    let mut info = fixtures::establishment_info();
    info.phone = "12345".into();
    assert!(matches!(
        m.save_establishment_info(account, &info, &client()).await,
        Err(SaveEstablishmentError::Invalid(_))
    ));
    assert!(m.overview(account).await.unwrap().registration.is_none(), "no draft is started by a wrong form");
    // A past applicant has no establishment form: a wrong one is not kept either.
    m.declare_history(account, &past(EXISTING), &client()).await.unwrap();
    assert!(matches!(
        m.save_establishment_info(account, &info, &client()).await,
        Err(SaveEstablishmentError::Invalid(_))
    ));
    let draft = m.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.unfinished().establishment.is_none());
}

#[tokio::test]
async fn r10_a_submission_lists_what_is_missing() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    let Err(SubmitError::Incomplete(missing)) = m.submit_registration(account, &client()).await else { panic!() };
    assert_eq!(missing, vec![MissingPart::EstablishmentInfo, MissingPart::JobOffer]);
}

#[tokio::test]
async fn r10_a_submitted_registration_cannot_be_edited() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let m = &w.kit.mypage;
    assert!(matches!(
        m.declare_history(account, &past(EXISTING), &client()).await,
        Err(DeclareHistoryError::NotEditable)
    ));
    assert!(matches!(
        m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::NotEditable)
    ));
    assert!(matches!(
        m.save_job_offer(account, &fixtures::job_offer(), &client()).await,
        Err(SaveJobOfferError::NotEditable)
    ));
    assert!(matches!(m.submit_registration(account, &client()).await, Err(SubmitError::NotEditable)));
}

#[tokio::test]
async fn r10_an_unsubmitted_draft_expires_after_14_days_from_its_last_save() {
    let w = world().await;
    let account = w.kit.sign_up("slow@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    w.kit.clock.advance(Duration::days(10));
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    w.kit.clock.advance(Duration::days(10));
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    let expires = m.overview(account).await.unwrap().draft_expires_at.unwrap();
    w.kit.clock.advance(Duration::days(14));
    use mypage_domain::ports::Clock;
    assert_eq!(expires, w.kit.clock.now());
    assert!(matches!(m.submit_registration(account, &client()).await, Err(SubmitError::NoDraft)));
    let status = m.overview(account).await.unwrap().registration.unwrap().status().clone();
    assert_eq!(status, RegistrationStatus::Expired);
    // A new draft may be started.
    assert!(m.declare_history(account, &past(EXISTING), &client()).await.is_ok());
}

#[tokio::test]
async fn r10_switching_to_a_past_application_drops_the_establishment_information() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    m.declare_history(account, &past(EXISTING), &client()).await.unwrap();
    let draft = m.overview(account).await.unwrap().registration.unwrap();
    assert!(draft.establishment().is_none());
    assert_eq!(w.kit.store.read(|t| t.registrations().count()).await, 1, "the same draft, not a second one");
}

#[tokio::test]
async fn r10_the_home_page_shows_where_the_registration_stands() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let overview = w.kit.mypage.overview(account).await.unwrap();
    assert_eq!(*overview.registration.unwrap().status(), RegistrationStatus::Submitted);
    assert!(overview.establishment.is_none());
    assert!(overview.draft_expires_at.is_none());
}

#[tokio::test]
async fn r10_a_failed_save_reports_an_infrastructure_error_and_keeps_the_previous_draft() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    w.kit.store.fail_next_commits(1);
    assert!(matches!(
        m.declare_history(account, &first("1301"), &client()).await,
        Err(DeclareHistoryError::Infrastructure(_))
    ));
    m.declare_history(account, &first("1301"), &client()).await.unwrap();
    w.kit.store.fail_next_commits(1);
    assert!(matches!(
        m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await,
        Err(SaveEstablishmentError::Infrastructure(_))
    ));
    w.kit.store.fail_next_commits(1);
    assert!(matches!(
        m.save_job_offer(account, &fixtures::job_offer(), &client()).await,
        Err(SaveJobOfferError::Infrastructure(_))
    ));
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    w.kit.store.fail_next_commits(1);
    assert!(matches!(m.submit_registration(account, &client()).await, Err(SubmitError::Infrastructure(_))));
    assert_eq!(*m.overview(account).await.unwrap().registration.unwrap().status(), RegistrationStatus::Draft);
    assert!(w.kit.store.mail_codes_to("c@example.jp").await.iter().all(|c| *c != "registration_received"));
}

#[tokio::test]
async fn r10_a_returned_registration_is_corrected_and_submitted_again() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    m.decide_with_note(w.reviewer, id, NoteDecision::Return, "賃金の上限を確認してください。", &client())
        .await
        .unwrap();
    let mut offer = fixtures::job_offer();
    offer.wage_max = "320000".into();
    m.save_job_offer(account, &offer, &client()).await.unwrap();
    assert_eq!(m.submit_registration(account, &client()).await.unwrap(), id);
    assert_eq!(m.review_queue(w.reviewer).await.unwrap().len(), 1);
}
