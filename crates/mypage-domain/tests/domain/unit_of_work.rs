//! A state change, its audit event (R15) and its mail (R16) are committed together or not at all.

use mypage_domain::model::{Actor, AuditAction, FlowPurpose};
use mypage_domain::usecases::{OverviewError, QueueError, RequestAuthKeyError, ResendAuthKeyError};

use crate::{client, world};

#[tokio::test]
async fn r16_a_key_request_whose_commit_fails_leaves_no_flow_no_mail_and_no_audit_event() {
    let w = world().await;
    let events = w.kit.store.read(|t| t.audit().len()).await;
    w.kit.store.fail_next_commits(1);
    let err = w.request(FlowPurpose::SignUp, "lost@example.jp").await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::Infrastructure(_)));
    assert_eq!(w.kit.store.read(|t| t.flows().count()).await, 0);
    assert_eq!(w.kit.store.mail_count().await, 0);
    assert_eq!(w.kit.store.read(|t| t.audit().len()).await, events);
    // Asking again works and the mail is queued once.
    w.request(FlowPurpose::SignUp, "lost@example.jp").await.unwrap();
    assert_eq!(w.kit.store.mail_codes_to("lost@example.jp").await, vec!["auth_key"]);
}

#[tokio::test]
async fn r16_a_resend_whose_commit_fails_queues_no_mail() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "lost@example.jp").await.unwrap();
    w.kit.store.fail_next_commits(1);
    let err = w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::Infrastructure(_)));
    assert_eq!(w.kit.store.mail_count().await, 1);
    let flow_keys = w.kit.store.read(|t| t.flows().map(|f| f.keys().len()).sum::<usize>()).await;
    assert_eq!(flow_keys, 1);
}

#[tokio::test]
async fn r15_every_state_change_records_who_what_and_from_which_client() {
    let w = world().await;
    let account = w.submitted_first_timer("audit@example.jp", "1301").await;
    let id = w.registration_of(account).await;
    w.kit.mypage.confirm_registration(w.reviewer, id, &client()).await.unwrap();
    let events = w.kit.store.read(|t| t.audit().to_vec()).await;
    let subject = format!("registration:{id}");
    let trail: Vec<(Actor, AuditAction)> =
        events.iter().filter(|e| e.subject == subject).map(|e| (e.actor, e.action)).collect();
    assert_eq!(
        trail,
        vec![
            (Actor::Employer(account), AuditAction::HistoryDeclared),
            (Actor::Employer(account), AuditAction::EstablishmentInfoSaved),
            (Actor::Employer(account), AuditAction::JobOfferSaved),
            (Actor::Employer(account), AuditAction::RegistrationSubmitted),
            (Actor::Staff(w.reviewer), AuditAction::RegistrationConfirmed),
        ]
    );
    assert!(events.iter().filter(|e| e.subject == subject).all(|e| e.client == client()));
}

#[tokio::test]
async fn reads_report_an_unreachable_store() {
    let w = world().await;
    let account = w.kit.sign_up("read@example.jp").await;
    w.kit.store.fail_next_begins(1);
    assert!(matches!(w.kit.mypage.overview(account).await, Err(OverviewError::Infrastructure(_))));
    w.kit.store.fail_next_begins(1);
    assert!(matches!(w.kit.mypage.review_queue(w.reviewer).await, Err(QueueError::Infrastructure(_))));
    w.kit.store.fail_next_begins(1);
    assert!(w.kit.mypage.current_terms().await.is_err());
}
