//! Job offers after opening (R20): an Active employer files further job offers for its establishment, reviewed in
//! the queue of its office of jurisdiction as registrations are (R11).

use mypage_domain::model::{
    AccountId, AccountStatus, Actor, AuditAction, Filing, MailTemplate, NoteDecision, RegistrationId, RegistrationKind,
    RegistrationStatus,
};
use mypage_domain::usecases::{
    AdminActor, DiscardJobOfferError, JobOffersError, MAX_JOB_OFFER_DRAFTS, SaveJobOfferDraftError, StartJobOfferError,
    SubmitJobOfferError,
};
use mypage_domain::values::{FieldProblem, JobOffer};
use mypage_testkit::fixtures;

use crate::{EXISTING, World, client, world};

/// A job offer of `account` saved whole; returns its id.
async fn saved_offer(w: &World, account: AccountId) -> RegistrationId {
    let m = &w.kit.mypage;
    let id = m.start_job_offer(account, None, &client()).await.unwrap();
    m.save_job_offer_draft(account, id, &fixtures::job_offer(), &client()).await.unwrap();
    id
}

/// A job offer of `account` submitted to the queue; returns its id.
async fn submitted_offer(w: &World, account: AccountId) -> RegistrationId {
    let id = saved_offer(w, account).await;
    w.kit.mypage.submit_job_offer(account, id, &client()).await.unwrap();
    id
}

/// The occupation of the fixture's job offer as kept: NFKC-normalised (ＮＣ becomes NC).
fn kept_occupation() -> String {
    JobOffer::parse(&fixtures::job_offer()).unwrap().occupation
}

/// The audit actions recorded for registration `id`, in order.
async fn audit_of(w: &World, id: RegistrationId) -> Vec<(Actor, AuditAction)> {
    let subject = format!("registration:{id}");
    w.kit.store.read(|t| t.audit().iter().filter(|e| e.subject == subject).map(|e| (e.actor, e.action)).collect()).await
}

/// The last mail's template to `email`, as a closure over it sees it.
async fn last_mail<T>(w: &World, f: impl FnOnce(&MailTemplate) -> T) -> T {
    w.kit.store.read_outbox(|mails| f(&mails.last().expect("a mail").mail.template)).await
}

#[tokio::test]
async fn r20_an_active_employer_files_a_job_offer_that_the_office_accepts_without_touching_the_account() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let id = m.start_job_offer(account, None, &client()).await.unwrap();
    let draft = m.job_offer(account, id).await.unwrap();
    assert_eq!((draft.kind(), draft.status()), (RegistrationKind::JobOffer, &RegistrationStatus::Draft));
    assert_eq!(draft.office().map(|o| o.to_string()), Some("1301".to_owned()), "the number's office reviews it");
    assert!(draft.establishment().is_none(), "a job offer carries no establishment information");

    // R10: a wrong form is reported whole, and its valid fields are kept in the draft.
    let mut wrong = fixtures::job_offer();
    wrong.wage_min = "400000".into();
    let Err(SaveJobOfferDraftError::Invalid(errors)) = m.save_job_offer_draft(account, id, &wrong, &client()).await
    else {
        panic!("expected field errors")
    };
    assert_eq!(errors.of("wage_max"), Some(&FieldProblem::Conflicts { with: "wage_min" }));
    let kept = m.job_offer(account, id).await.unwrap();
    let unfinished = kept.unfinished().job_offer.clone().unwrap();
    assert_eq!((unfinished.occupation.as_str(), unfinished.wage_max.as_str()), (wrong.occupation.as_str(), ""));
    assert!(matches!(m.submit_job_offer(account, id, &client()).await, Err(SubmitJobOfferError::Incomplete)));

    m.save_job_offer_draft(account, id, &fixtures::job_offer(), &client()).await.unwrap();
    m.submit_job_offer(account, id, &client()).await.unwrap();
    let queue = m.review_queue(w.reviewer).await.unwrap();
    assert_eq!(queue.iter().map(|r| (r.id(), r.kind())).collect::<Vec<_>>(), vec![(id, RegistrationKind::JobOffer)]);
    let occupation = kept_occupation();
    let received = last_mail(&w, |t| match t {
        MailTemplate::JobOfferReceived { registration, office_name, occupation } => {
            Some((*registration, office_name.clone(), occupation.clone()))
        }
        _ => None,
    });
    assert_eq!(received.await, Some((id, "ハローワーク飯田橋".to_owned(), occupation.clone())));

    let before = w.kit.store.read(|t| t.account_by_email("a@example.jp").cloned()).await.unwrap();
    let number = m.confirm_registration(w.reviewer, id, &client()).await.unwrap();
    assert_eq!(number.to_string(), EXISTING);
    let accepted = m.job_offer(account, id).await.unwrap();
    assert!(
        matches!(accepted.status(), RegistrationStatus::Confirmed { number, .. } if number.to_string() == EXISTING)
    );
    assert_eq!(accepted.status_label_ja(), "受理済み");
    let after = w.kit.store.read(|t| t.account_by_email("a@example.jp").cloned()).await.unwrap();
    assert_eq!(after, before, "accepting a job offer leaves the account as it was");
    assert_eq!(after.status(), AccountStatus::Active);
    let mail = last_mail(&w, |t| match t {
        MailTemplate::JobOfferAccepted { registration, office_name, occupation: o } => {
            Some((*registration, office_name.clone(), o.clone()))
        }
        _ => None,
    });
    assert_eq!(mail.await, Some((id, "ハローワーク飯田橋".to_owned(), occupation)));
    let audit = audit_of(&w, id).await;
    let employer = Actor::Employer(account);
    assert_eq!(
        audit,
        vec![
            (employer, AuditAction::JobOfferStarted),
            (employer, AuditAction::JobOfferKept),
            (employer, AuditAction::JobOfferSaved),
            (employer, AuditAction::JobOfferSubmitted),
            (Actor::Staff(w.reviewer), AuditAction::JobOfferAccepted),
        ]
    );
    assert!(m.review_queue(w.reviewer).await.unwrap().is_empty(), "it leaves the queue");
}

#[tokio::test]
async fn r20_a_job_offer_can_be_copied_from_an_earlier_one_into_a_new_draft() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let first = submitted_offer(&w, account).await;
    let copy = m.start_job_offer(account, Some(first), &client()).await.unwrap();
    assert_ne!(copy, first);
    let draft = m.job_offer(account, copy).await.unwrap();
    assert_eq!(draft.status(), &RegistrationStatus::Draft);
    assert_eq!(draft.job_offer(), m.job_offer(account, first).await.unwrap().job_offer(), "the offer is copied");
    assert_eq!(draft.submitted_at(), None);
    let listed: Vec<_> = m.job_offers(account).await.unwrap().iter().map(|r| r.id()).collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&first) && listed.contains(&copy));
}

#[tokio::test]
async fn r20_another_accounts_job_offer_is_not_found_for_reading_copying_or_changing() {
    let w = world().await;
    let owner = w.active_account("a@example.jp").await;
    let other = w.active_account("b@example.jp").await;
    let m = &w.kit.mypage;
    let id = submitted_offer(&w, owner).await;
    assert!(matches!(m.job_offer(other, id).await, Err(JobOffersError::NotFound)));
    assert!(matches!(m.start_job_offer(other, Some(id), &client()).await, Err(StartJobOfferError::CopyNotFound)));
    let saved = m.save_job_offer_draft(other, id, &fixtures::job_offer(), &client()).await;
    assert!(matches!(saved, Err(SaveJobOfferDraftError::NotFound)));
    assert!(matches!(m.submit_job_offer(other, id, &client()).await, Err(SubmitJobOfferError::NotFound)));
    assert!(matches!(m.discard_job_offer(other, id, &client()).await, Err(DiscardJobOfferError::NotFound)));
    assert!(m.job_offers(other).await.unwrap().is_empty());
}

#[tokio::test]
async fn r20_a_provisional_account_files_no_job_offer() {
    let w = world().await;
    let account = w.kit.sign_up("c@example.jp").await;
    let m = &w.kit.mypage;
    assert!(matches!(m.start_job_offer(account, None, &client()).await, Err(StartJobOfferError::NotActive)));
    assert!(m.job_offers(account).await.unwrap().is_empty());
}

#[tokio::test]
async fn r20_a_closed_office_of_jurisdiction_takes_no_new_job_offer() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let id = saved_offer(&w, account).await;
    m.close_office(AdminActor::Staff(w.admin), "1301", &client()).await.unwrap();
    assert!(matches!(m.start_job_offer(account, None, &client()).await, Err(StartJobOfferError::OfficeClosed)));
    assert!(matches!(m.submit_job_offer(account, id, &client()).await, Err(SubmitJobOfferError::OfficeClosed)));
}

#[tokio::test]
async fn r20_the_office_answers_a_job_offer_with_mails_about_the_job_offer() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let occupation = kept_occupation();
    for decision in NoteDecision::ALL {
        let id = submitted_offer(&w, account).await;
        m.decide_with_note(w.reviewer, id, decision, "ご確認ください。", &client()).await.unwrap();
        let about = last_mail(&w, |t| match t {
            MailTemplate::ContactNeeded { about, .. }
            | MailTemplate::RegistrationReturned { about, .. }
            | MailTemplate::RegistrationRejected { about, .. } => Some((t.code(), about.clone())),
            _ => None,
        });
        let code = match decision {
            NoteDecision::ContactNeeded => "contact_needed",
            NoteDecision::Return => "registration_returned",
            NoteDecision::Reject => "registration_rejected",
        };
        assert_eq!(about.await, Some((code, Filing::JobOffer { occupation: occupation.clone() })), "{decision:?}");
        let decided = m.job_offer(account, id).await.unwrap();
        assert_eq!(decided.decided_by(), Some(w.reviewer));
        if decision == NoteDecision::Reject {
            assert_eq!(decided.status_label_ja(), "受理しない");
        }
    }
    // A returned offer is corrected and sent again, as a registration is (R11).
    let returned = m.job_offers(account).await.unwrap();
    let returned = returned.iter().find(|r| matches!(r.status(), RegistrationStatus::Returned { .. })).unwrap();
    m.submit_job_offer(account, returned.id(), &client()).await.unwrap();
    assert_eq!(m.job_offer(account, returned.id()).await.unwrap().status(), &RegistrationStatus::Submitted);
}

#[tokio::test]
async fn r20_several_job_offers_may_be_open_at_once_while_the_opening_registration_stays_one() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let a = submitted_offer(&w, account).await;
    let b = submitted_offer(&w, account).await;
    let c = m.start_job_offer(account, None, &client()).await.unwrap();
    let open: Vec<_> = m.job_offers(account).await.unwrap().into_iter().filter(|r| r.status().is_open()).collect();
    assert_eq!(open.len(), 3);
    assert_eq!(m.review_queue(w.reviewer).await.unwrap().len(), 2);
    assert!([a, b, c].iter().all(|id| open.iter().any(|r| r.id() == *id)));
    // The opening registration of a Provisional account is still one at a time: a second history updates it.
    let provisional = w.kit.sign_up("c@example.jp").await;
    let first = mypage_domain::usecases::HistoryInput::FirstTime { office: "1301".into() };
    let one = m.declare_history(provisional, &first, &client()).await.unwrap();
    let again = m.declare_history(provisional, &first, &client()).await.unwrap();
    assert_eq!(one, again);
}

#[tokio::test]
async fn r20_the_drafts_in_progress_are_bounded_and_a_discarded_one_frees_its_place() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let mut drafts = Vec::new();
    for _ in 0..MAX_JOB_OFFER_DRAFTS {
        drafts.push(m.start_job_offer(account, None, &client()).await.unwrap());
    }
    assert!(matches!(m.start_job_offer(account, None, &client()).await, Err(StartJobOfferError::TooManyDrafts)));
    m.discard_job_offer(account, drafts[0], &client()).await.unwrap();
    assert!(matches!(m.job_offer(account, drafts[0]).await, Err(JobOffersError::NotFound)));
    assert_eq!(audit_of(&w, drafts[0]).await.last(), Some(&(Actor::Employer(account), AuditAction::JobOfferDiscarded)));
    m.start_job_offer(account, None, &client()).await.unwrap();
}

#[tokio::test]
async fn r20_a_submitted_job_offer_is_not_discarded_nor_changed() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let id = submitted_offer(&w, account).await;
    assert!(matches!(m.discard_job_offer(account, id, &client()).await, Err(DiscardJobOfferError::NotDiscardable)));
    let saved = m.save_job_offer_draft(account, id, &fixtures::job_offer(), &client()).await;
    assert!(matches!(saved, Err(SaveJobOfferDraftError::NotEditable)));
    assert!(matches!(m.submit_job_offer(account, id, &client()).await, Err(SubmitJobOfferError::NotEditable)));
}

#[tokio::test]
async fn r20_a_job_offer_draft_expires_as_a_registration_draft_does() {
    let w = world().await;
    let account = w.active_account("a@example.jp").await;
    let m = &w.kit.mypage;
    let id = saved_offer(&w, account).await;
    w.kit.clock.advance(m.config().draft_ttl + chrono::Duration::minutes(1));
    let report = m.expire_stale().await.unwrap();
    assert_eq!(report.drafts, 1);
    assert_eq!(m.job_offer(account, id).await.unwrap().status(), &RegistrationStatus::Expired);
    assert!(matches!(m.submit_job_offer(account, id, &client()).await, Err(SubmitJobOfferError::NotEditable)));
    // An expired draft is still copied into a new one, and may be discarded.
    let copy = m.start_job_offer(account, Some(id), &client()).await.unwrap();
    assert!(m.job_offer(account, copy).await.unwrap().job_offer().is_some());
    m.discard_job_offer(account, id, &client()).await.unwrap();
}
