//! The console's reads and the dead mails (R12, R14, R16): establishments of one's own office by name or number,
//! the staff list for admins (an office admin's own office only), the dead mails for central admins only, and a
//! re-queue recorded in the audit trail.

use chrono::Duration;
use mypage_domain::model::{Actor, AuditAction, ClientInfo, FlowPurpose};
use mypage_domain::ports::{Clock, MailQueue, MailState};
use mypage_domain::usecases::{AdminActor, ConsoleError};

use crate::{EXISTING, client, world};

#[tokio::test]
async fn r12_r14_counter_staff_find_their_own_offices_establishments_by_name_or_number_only() {
    let w = world().await;
    let m = &w.kit.mypage;
    let by_name = m.find_establishments(w.counter, "ハロー").await.unwrap();
    assert_eq!(by_name.iter().map(|e| e.number().to_string()).collect::<Vec<_>>(), vec![EXISTING]);
    let all = m.find_establishments(w.counter, "  ").await.unwrap();
    assert_eq!(all.len(), 1, "an empty search lists the office's establishments");
    let by_number = m.find_establishments(w.counter, "１３０１１２３４５６７").await.unwrap();
    assert_eq!(by_number.len(), 1, "a full-width number finds it too");
    assert!(m.find_establishments(w.counter, "大阪").await.unwrap().is_empty(), "another office's by name");
    assert!(m.find_establishments(w.counter, "2701-654321-0").await.unwrap().is_empty(), "another office's by number");
    assert_eq!(m.find_establishments(w.osaka_reviewer, "大阪").await.unwrap().len(), 1);
}

#[tokio::test]
async fn r14_only_admins_list_the_staff_an_office_admin_its_own_offices_and_the_list_never_holds_a_password_hash() {
    let w = world().await;
    let m = &w.kit.mypage;
    assert!(matches!(m.staff_list(w.reviewer).await, Err(ConsoleError::NotPermitted)));
    assert!(matches!(m.staff_list(w.counter).await, Err(ConsoleError::NotPermitted)));
    let list = m.staff_list(w.admin).await.unwrap();
    let logins: Vec<&str> = list.iter().map(|s| s.login.as_str()).collect();
    let iidabashi = ["central.admin", "iidabashi.admin", "iidabashi.counter", "iidabashi.reviewer"];
    assert_eq!(logins, [&iidabashi[..], &["osaka.reviewer"]].concat(), "a central admin sees every office's");
    let own: Vec<String> = m.staff_list(w.office_admin).await.unwrap().into_iter().map(|s| s.login).collect();
    assert_eq!(own, iidabashi, "an office admin sees its own office's only");
    assert!(!format!("{list:?}").contains("argon2") && !format!("{list:?}").contains("hash"));
    assert_eq!(m.staff_view(w.counter).await.unwrap().map(|v| v.login), Some("iidabashi.counter".into()));
}

#[tokio::test]
async fn r16_a_central_admin_sees_the_dead_mails_and_requeues_one_once_with_an_audit_event() {
    let w = world().await;
    w.request(FlowPurpose::SignUp, "dead@example.jp").await.unwrap();
    let store = &w.kit.store;
    let now = w.kit.clock.now();
    let claimed = store.claim(now, 10, now + Duration::minutes(5)).await.unwrap();
    let id = claimed[0].mail.id;
    store.mark_dead(id, "550 5.1.1 no such user").await.unwrap();

    let m = &w.kit.mypage;
    assert!(matches!(m.dead_mails(w.reviewer).await, Err(ConsoleError::NotPermitted)));
    assert!(matches!(m.requeue_mail(w.counter, id, &client()).await, Err(ConsoleError::NotPermitted)));
    // R14: a mail belongs to no office, so an office admin would see every office's recipients.
    assert!(matches!(m.dead_mails(w.office_admin).await, Err(ConsoleError::NotPermitted)));
    assert!(matches!(m.requeue_mail(w.office_admin, id, &client()).await, Err(ConsoleError::NotPermitted)));
    let dead = m.dead_mails(w.admin).await.unwrap();
    assert_eq!((dead.len(), dead[0].id, dead[0].last_error.as_deref()), (1, id, Some("550 5.1.1 no such user")));
    assert!(m.requeue_mail(w.admin, id, &client()).await.unwrap());
    assert!(!m.requeue_mail(w.admin, id, &client()).await.unwrap(), "a mail is re-queued once");
    assert!(m.dead_mails(w.admin).await.unwrap().is_empty());
    assert_eq!(store.list(Some(MailState::Pending), 10).await.unwrap().len(), 1);
    let requeued = store.read(|t| t.audit().iter().filter(|e| e.action == AuditAction::MailRequeued).count()).await;
    assert_eq!(requeued, 1);
}

#[tokio::test]
async fn r15_r16_the_operator_requeues_a_dead_mail_from_the_command_line_through_the_audited_use_case() {
    let w = world().await;
    w.request(FlowPurpose::SignUp, "dead@example.jp").await.unwrap();
    let store = &w.kit.store;
    let now = w.kit.clock.now();
    let id = store.claim(now, 10, now + Duration::minutes(5)).await.unwrap()[0].mail.id;
    store.mark_dead(id, "550 5.1.1 no such user").await.unwrap();

    let m = &w.kit.mypage;
    let cli = ClientInfo::system();
    assert!(matches!(
        m.requeue_dead_mail(AdminActor::Staff(w.reviewer), id, &cli).await,
        Err(ConsoleError::NotPermitted)
    ));
    assert!(m.requeue_dead_mail(AdminActor::System, id, &cli).await.unwrap());
    assert!(!m.requeue_dead_mail(AdminActor::System, id, &cli).await.unwrap(), "a mail is re-queued once");
    assert_eq!(store.list(Some(MailState::Pending), 10).await.unwrap().len(), 1);
    let subject = format!("mail:{id}");
    let recorded: Vec<(Actor, AuditAction, ClientInfo)> = store
        .read(|t| {
            t.audit().iter().filter(|e| e.subject == subject).map(|e| (e.actor, e.action, e.client.clone())).collect()
        })
        .await;
    assert_eq!(
        recorded,
        [(Actor::System, AuditAction::MailRequeued, ClientInfo::system())],
        "recorded once, as the system"
    );
}

#[tokio::test]
async fn r14_an_admin_stops_a_members_access_which_ends_their_login_and_their_open_session_and_restores_it() {
    use mypage_domain::usecases::{QueueError, StaffAccessError};
    let w = world().await;
    let m = &w.kit.mypage;
    let password = secrecy::SecretString::from(mypage_testkit::TEST_PASSWORD);
    assert!(matches!(
        m.set_staff_active(w.reviewer, w.counter, false, &client()).await,
        Err(StaffAccessError::NotPermitted)
    ));
    assert!(matches!(m.set_staff_active(w.admin, w.admin, false, &client()).await, Err(StaffAccessError::OwnAccess)));
    m.set_staff_active(w.admin, w.reviewer, false, &client()).await.unwrap();
    assert!(m.staff_login("iidabashi.reviewer", &password, &client()).await.is_err(), "a stopped member cannot log in");
    assert!(matches!(m.review_queue(w.reviewer).await, Err(QueueError::NotPermitted)), "nor act in an open session");
    assert_eq!(m.staff_view(w.reviewer).await.unwrap(), None);
    let listed = m.staff_list(w.admin).await.unwrap();
    assert!(!listed.iter().find(|s| s.id == w.reviewer).unwrap().active);
    m.set_staff_active(w.admin, w.reviewer, false, &client()).await.unwrap();
    m.set_staff_active(w.admin, w.reviewer, true, &client()).await.unwrap();
    assert!(m.review_queue(w.reviewer).await.is_ok());
    let audit: Vec<AuditAction> = w
        .kit
        .store
        .read(|t| {
            t.audit()
                .iter()
                .map(|e| e.action)
                .filter(|a| matches!(a, AuditAction::StaffDeactivated | AuditAction::StaffReactivated))
                .collect()
        })
        .await;
    assert_eq!(
        audit,
        [AuditAction::StaffDeactivated, AuditAction::StaffReactivated],
        "a change that changes nothing is not recorded"
    );
}

#[tokio::test]
async fn r14_an_office_admin_of_1301_stops_and_restores_its_own_offices_staff_only_and_a_central_admin_any_offices() {
    use mypage_domain::usecases::StaffAccessError;
    let w = world().await;
    let m = &w.kit.mypage;
    assert!(matches!(
        m.set_staff_active(w.office_admin, w.osaka_reviewer, false, &client()).await,
        Err(StaffAccessError::OutsideOffice)
    ));
    assert!(m.staff_view(w.osaka_reviewer).await.unwrap().is_some(), "2701's reviewer keeps its access");
    assert!(
        matches!(
            m.set_staff_active(w.office_admin, w.admin, false, &client()).await,
            Err(StaffAccessError::NotPermitted)
        ),
        "an office admin cannot stop a central admin, even one of its own office"
    );
    m.set_staff_active(w.office_admin, w.reviewer, false, &client()).await.unwrap();
    assert_eq!(m.staff_view(w.reviewer).await.unwrap(), None);
    m.set_staff_active(w.office_admin, w.reviewer, true, &client()).await.unwrap();

    m.set_staff_active(w.admin, w.osaka_reviewer, false, &client()).await.unwrap();
    assert_eq!(m.staff_view(w.osaka_reviewer).await.unwrap(), None, "a central admin acts across offices");
    assert!(matches!(
        m.set_staff_active(w.office_admin, w.osaka_reviewer, true, &client()).await,
        Err(StaffAccessError::OutsideOffice)
    ));
    m.set_staff_active(w.admin, w.osaka_reviewer, true, &client()).await.unwrap();
    m.set_staff_active(w.admin, w.office_admin, false, &client()).await.unwrap();
    assert!(
        matches!(
            m.set_staff_active(w.office_admin, w.reviewer, false, &client()).await,
            Err(StaffAccessError::NotPermitted)
        ),
        "a stopped office admin administers nothing"
    );
}
