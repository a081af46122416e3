//! Staff review (R11) within their office and role (R14).

use mypage_domain::model::{
    AccountId, Actor, AuditAction, NoteDecision, ProvisionalRegistration, RegistrationId, RegistrationStatus,
    StaffNote, StaffNoteError,
};
use mypage_domain::usecases::{ConfirmError, CounterRegistration, CounterRegistrationError, QueueError, ReviewError};
use mypage_testkit::Fault;

use crate::{EXISTING, World, client, world};

/// A submitted registration decided with `decision` and `note` through `MyPage::decide_with_note`: the
/// registration as it then stands, the last mail's template code, and the audit events recorded for it.
async fn decided_with_note(
    w: &World,
    decision: NoteDecision,
    note: &str,
) -> (AccountId, ProvisionalRegistration, Option<&'static str>, Vec<(Actor, AuditAction)>) {
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    w.kit.mypage.decide_with_note(w.reviewer, id, decision, note, &client()).await.unwrap();
    let registration = w.kit.mypage.overview(account).await.unwrap().registration.unwrap();
    let mail = w.kit.store.mail_codes_to("c@example.jp").await.last().copied();
    let subject = format!("registration:{id}");
    let audit = w
        .kit
        .store
        .read(|t| t.audit().iter().filter(|e| e.subject == subject).map(|e| (e.actor, e.action)).collect())
        .await;
    (account, registration, mail, audit)
}

#[tokio::test]
async fn r11_decide_with_note_contact_needed_keeps_it_in_the_queue_mails_the_note_and_is_audited() {
    let w = world().await;
    let (_, reg, mail, audit) = decided_with_note(&w, NoteDecision::ContactNeeded, "お電話します。").await;
    let note = StaffNote::parse("お電話します。").unwrap();
    assert_eq!((reg.status(), reg.decided_by()), (&RegistrationStatus::ContactNeeded { note }, Some(w.reviewer)));
    assert_eq!(mail, Some("contact_needed"));
    assert_eq!(audit.last(), Some(&(Actor::Staff(w.reviewer), AuditAction::RegistrationContactNeeded)));
    assert_eq!(w.kit.mypage.review_queue(w.reviewer).await.unwrap().len(), 1, "it stays in the queue");
}

#[tokio::test]
async fn r11_decide_with_note_return_sends_it_back_for_correction_with_the_note_and_is_audited() {
    let w = world().await;
    let (account, reg, mail, audit) = decided_with_note(&w, NoteDecision::Return, "所在地を番地まで。").await;
    let note = StaffNote::parse("所在地を番地まで。").unwrap();
    assert_eq!((reg.status(), reg.decided_by()), (&RegistrationStatus::Returned { note }, Some(w.reviewer)));
    assert_eq!(mail, Some("registration_returned"));
    assert_eq!(audit.last(), Some(&(Actor::Staff(w.reviewer), AuditAction::RegistrationReturned)));
    assert!(w.kit.mypage.review_queue(w.reviewer).await.unwrap().is_empty(), "it leaves the queue");
    w.kit.mypage.submit_registration(account, &client()).await.unwrap();
    assert_eq!(w.kit.mypage.review_queue(w.reviewer).await.unwrap().len(), 1, "the employer submits it again");
}

#[tokio::test]
async fn r11_decide_with_note_reject_ends_the_review_with_the_reason_and_is_audited() {
    let w = world().await;
    let (_, reg, mail, audit) = decided_with_note(&w, NoteDecision::Reject, "確認できませんでした。").await;
    let reason = StaffNote::parse("確認できませんでした。").unwrap();
    assert_eq!((reg.status(), reg.decided_by()), (&RegistrationStatus::Rejected { reason }, Some(w.reviewer)));
    assert_eq!(mail, Some("registration_rejected"));
    assert_eq!(audit.last(), Some(&(Actor::Staff(w.reviewer), AuditAction::RegistrationRejected)));
    let m = &w.kit.mypage;
    assert!(matches!(
        m.decide_with_note(w.reviewer, reg.id(), NoteDecision::ContactNeeded, "連絡", &client()).await,
        Err(ReviewError::AlreadyDecided)
    ));
}

#[tokio::test]
async fn r11_decide_with_note_refuses_an_empty_note_whatever_the_decision_and_changes_nothing() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let mails = w.kit.store.mail_count().await;
    for decision in NoteDecision::ALL {
        assert!(matches!(
            w.kit.mypage.decide_with_note(w.reviewer, id, decision, " ", &client()).await,
            Err(ReviewError::InvalidNote(StaffNoteError::Empty))
        ));
    }
    assert_eq!(w.kit.store.mail_count().await, mails);
    assert_eq!(
        *w.kit.mypage.overview(account).await.unwrap().registration.unwrap().status(),
        RegistrationStatus::Submitted
    );
}

#[tokio::test]
async fn r14_a_reviewer_of_another_office_can_neither_see_nor_decide_a_registration() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    let o = w.osaka_reviewer;
    assert!(m.review_queue(o).await.unwrap().is_empty());
    assert!(matches!(m.registration_for_review(o, id).await, Err(QueueError::OutsideOffice)));
    assert!(matches!(m.confirm_registration(o, id, &client()).await, Err(ConfirmError::OutsideOffice)));
    assert!(matches!(
        m.decide_with_note(o, id, NoteDecision::ContactNeeded, "連絡します", &client()).await,
        Err(ReviewError::OutsideOffice)
    ));
    assert!(matches!(
        m.decide_with_note(o, id, NoteDecision::Return, "修正を", &client()).await,
        Err(ReviewError::OutsideOffice)
    ));
    assert!(matches!(
        m.decide_with_note(o, id, NoteDecision::Reject, "不可", &client()).await,
        Err(ReviewError::OutsideOffice)
    ));
    assert_eq!(*m.overview(account).await.unwrap().registration.unwrap().status(), RegistrationStatus::Submitted);
}

#[tokio::test]
async fn r14_only_reviewers_review_and_only_counter_staff_register_addresses() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    for not_reviewer in [w.counter, w.admin] {
        assert!(matches!(m.review_queue(not_reviewer).await, Err(QueueError::NotPermitted)));
        assert!(matches!(m.registration_for_review(not_reviewer, id).await, Err(QueueError::NotPermitted)));
        assert!(matches!(m.confirm_registration(not_reviewer, id, &client()).await, Err(ConfirmError::NotPermitted)));
        assert!(matches!(
            m.decide_with_note(not_reviewer, id, NoteDecision::Reject, "不可", &client()).await,
            Err(ReviewError::NotPermitted)
        ));
    }
    let registration = CounterRegistration { email: "x@example.jp".into(), establishment_number: EXISTING.into() };
    let err = m.register_email_at_counter(w.reviewer, &registration, &client()).await.unwrap_err();
    assert!(matches!(err, CounterRegistrationError::NotPermitted));
}

#[tokio::test]
async fn r11_contact_needed_keeps_the_registration_in_the_queue_and_tells_the_employer() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    m.decide_with_note(
        w.reviewer,
        id,
        NoteDecision::ContactNeeded,
        "  担当者様へお電話します。\r\n平日日中にご連絡ください。 ",
        &client(),
    )
    .await
    .unwrap();
    let status = m.overview(account).await.unwrap().registration.unwrap().status().clone();
    let RegistrationStatus::ContactNeeded { note } = status else { panic!("{status:?}") };
    assert_eq!(note.as_str(), "担当者様へお電話します。\n平日日中にご連絡ください。");
    assert_eq!(m.review_queue(w.reviewer).await.unwrap().len(), 1);
    assert_eq!(w.kit.store.mail_codes_to("c@example.jp").await.last(), Some(&"contact_needed"));
    // From "contact needed", staff may still confirm.
    assert!(m.confirm_registration(w.reviewer, id, &client()).await.is_ok());
}

#[tokio::test]
async fn r11_a_rejection_carries_its_reason_and_ends_the_review() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    m.decide_with_note(w.reviewer, id, NoteDecision::Reject, "求人内容が確認できませんでした。", &client())
        .await
        .unwrap();
    assert_eq!(w.kit.store.mail_codes_to("c@example.jp").await.last(), Some(&"registration_rejected"));
    assert!(matches!(m.confirm_registration(w.reviewer, id, &client()).await, Err(ConfirmError::AlreadyDecided)));
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::Return, "修正を", &client()).await,
        Err(ReviewError::AlreadyDecided)
    ));
    assert!(m.review_queue(w.reviewer).await.unwrap().is_empty());
}

#[tokio::test]
async fn r11_a_return_mails_the_note() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    w.kit
        .mypage
        .decide_with_note(w.reviewer, id, NoteDecision::Return, "所在地を番地まで入力してください。", &client())
        .await
        .unwrap();
    let note = w.kit.store.read_outbox(|mails| match &mails.last().unwrap().mail.template {
        mypage_domain::model::MailTemplate::RegistrationReturned { note, office_name, .. } => {
            Some((note.clone(), office_name.clone()))
        }
        _ => None,
    });
    assert_eq!(note.await, Some(("所在地を番地まで入力してください。".to_owned(), "ハローワーク飯田橋".to_owned())));
}

#[tokio::test]
async fn r11_a_decision_needs_a_note_of_at_most_1000_characters() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::Reject, " \u{3000} ", &client()).await,
        Err(ReviewError::InvalidNote(StaffNoteError::Empty))
    ));
    let long = "あ".repeat(1001);
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::ContactNeeded, &long, &client()).await,
        Err(ReviewError::InvalidNote(StaffNoteError::TooLong))
    ));
}

#[tokio::test]
async fn r11_an_unknown_registration_is_not_found() {
    let w = world().await;
    let id = RegistrationId::from_bytes([1; 16]);
    let m = &w.kit.mypage;
    assert!(matches!(m.registration_for_review(w.reviewer, id).await, Err(QueueError::RegistrationNotFound)));
    assert!(matches!(m.confirm_registration(w.reviewer, id, &client()).await, Err(ConfirmError::RegistrationNotFound)));
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::ContactNeeded, "連絡", &client()).await,
        Err(ReviewError::RegistrationNotFound)
    ));
}

#[tokio::test]
async fn r11_when_two_reviewers_decide_at_once_the_second_is_told_it_was_decided() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    let mails = w.kit.store.mail_count().await;
    w.kit.store.inject(Fault::Conflict);
    assert!(matches!(m.confirm_registration(w.reviewer, id, &client()).await, Err(ConfirmError::AlreadyDecided)));
    w.kit.store.inject(Fault::Conflict);
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::Reject, "不可", &client()).await,
        Err(ReviewError::AlreadyDecided)
    ));
    assert_eq!(w.kit.store.mail_count().await, mails, "R16: no mail without the state change");
    assert_eq!(*m.overview(account).await.unwrap().registration.unwrap().status(), RegistrationStatus::Submitted);
}

#[tokio::test]
async fn r11_case_b_cannot_be_confirmed_once_its_establishment_left_the_records() {
    let w = world().await;
    let account = w.kit.sign_up("b@example.jp").await;
    let m = &w.kit.mypage;
    let id = m
        .declare_history(
            account,
            &mypage_domain::usecases::HistoryInput::PastApplicant { establishment_number: EXISTING.into() },
            &client(),
        )
        .await
        .unwrap();
    m.save_job_offer(account, &mypage_testkit::fixtures::job_offer(), &client()).await.unwrap();
    m.submit_registration(account, &client()).await.unwrap();
    w.kit.store.remove_establishment(EXISTING).await;
    assert!(matches!(
        m.confirm_registration(w.reviewer, id, &client()).await,
        Err(ConfirmError::EstablishmentNotFound)
    ));
}

#[tokio::test]
async fn r11_a_decision_that_cannot_be_stored_is_an_infrastructure_error() {
    let w = world().await;
    let account = w.submitted_first_timer("c@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    let m = &w.kit.mypage;
    w.kit.store.fail_next_commits(1);
    assert!(matches!(m.confirm_registration(w.reviewer, id, &client()).await, Err(ConfirmError::Infrastructure(_))));
    w.kit.store.fail_next_commits(1);
    assert!(matches!(
        m.decide_with_note(w.reviewer, id, NoteDecision::Return, "修正を", &client()).await,
        Err(ReviewError::Infrastructure(_))
    ));
    assert!(m.confirm_registration(w.reviewer, id, &client()).await.is_ok());
}

/// The office named, and its phone, by the last contact or rejection mail to `email`.
async fn last_office(w: &World, email: &str) -> Option<(String, Option<String>)> {
    use mypage_domain::model::MailTemplate;
    w.kit
        .store
        .read_outbox(|mails| {
            mails.iter().rev().find(|m| m.mail.to.as_str() == email).and_then(|m| match &m.mail.template {
                MailTemplate::ContactNeeded { office_name, office_phone, .. }
                | MailTemplate::RegistrationRejected { office_name, office_phone, .. } => {
                    Some((office_name.clone(), office_phone.clone()))
                }
                _ => None,
            })
        })
        .await
}

#[tokio::test]
async fn r11_the_contact_and_rejection_mails_give_the_reviewing_offices_phone_when_its_admins_entered_one() {
    use mypage_domain::usecases::{AdminActor, NewOffice};
    use mypage_domain::values::StaffRole;
    let w = world().await;
    let office =
        NewOffice { code: "1302".into(), name: "ハローワーク新宿".into(), phone: Some("03-3200-8609".into()) };
    w.kit.mypage.add_office(AdminActor::System, &office, &client()).await.unwrap();
    let shinjuku = w.kit.staff("1302", "shinjuku.reviewer", &[StaffRole::Reviewer]).await;
    for (email, decision) in [("c@example.jp", NoteDecision::ContactNeeded), ("r@example.jp", NoteDecision::Reject)] {
        let account = w.submitted_first_timer(email, "1302").await;
        let id = w.registration_of(account).await;
        w.kit.mypage.decide_with_note(shinjuku, id, decision, "確認事項があります。", &client()).await.unwrap();
        let expected = Some(("ハローワーク新宿".to_owned(), Some("03-3200-8609".to_owned())));
        assert_eq!(last_office(&w, email).await, expected, "{decision:?}");
    }
}
