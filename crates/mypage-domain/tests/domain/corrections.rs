//! Corrections at the counter (R12): counter staff correct the address of, or withdraw, a registration still
//! awaiting its password, and the key mailed to the old address dies with it. Admins edit and close offices (R14).
//! Each change is one audit event (R15).

use mypage_domain::model::{AccountId, AccountStatus, Actor, AuditAction, DeathCause, FlowPurpose};
use mypage_domain::usecases::{
    AddStaffError, AdminActor, CloseOfficeError, CorrectCounterEmailError, CounterLookupError, CounterRegistration,
    CounterRegistrationError, DeclareHistoryError, EditOfficeError, HistoryInput, KeyRedemptionError, NewStaffMember,
    RegisterPasswordError, WithdrawCounterRegistrationError,
};
use mypage_domain::values::{EmailAddressError, FieldProblem, OfficeAreaInput, OfficeDetailsInput, StaffRole};
use mypage_testkit::{Fault, TEST_PASSWORD};

use crate::{EXISTING, OSAKA, World, client, secret, world};

/// Registers `email` at the counter for the establishment `number`.
async fn registered(w: &World, email: &str, number: &str) -> AccountId {
    let input = CounterRegistration { email: email.into(), establishment_number: number.into() };
    w.kit.mypage.register_email_at_counter(w.counter, &input, &client()).await.unwrap()
}

/// The actions audited about `subject`, in order, but the adding of the world's offices.
async fn audited(w: &World, subject: &str) -> Vec<(AuditAction, Actor)> {
    let subject = subject.to_owned();
    w.kit
        .store
        .read(move |t| {
            let events = t.audit().iter().filter(|e| e.subject == subject && e.action != AuditAction::OfficeAdded);
            events.map(|e| (e.action, e.actor)).collect()
        })
        .await
}

#[tokio::test]
async fn r12_counter_staff_correct_an_address_and_the_key_mailed_to_the_old_one_dies() {
    let w = world().await;
    let m = &w.kit.mypage;
    let id = registered(&w, "wrong@example.jp", EXISTING).await;
    let old_flow = w.request(FlowPurpose::OpenMyPage, "wrong@example.jp").await.unwrap();
    let old_key = w.last_key("wrong@example.jp").await;

    m.correct_counter_email(w.counter, id, "  right@Example.JP ", &client()).await.unwrap();

    let account = w.kit.store.read(|t| t.account_by_email("right@example.jp").cloned()).await.unwrap();
    assert_eq!((account.id(), account.status()), (id, AccountStatus::AwaitingPassword));
    let err = m.register_password(&World::entry(&old_flow.flow_token, &old_key), &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(DeathCause::Withdrawn))), "{err:?}");
    let events = audited(&w, &format!("account:{id}")).await;
    let corrections: Vec<_> = events.iter().filter(|(a, _)| *a == AuditAction::CounterEmailCorrected).collect();
    assert_eq!(corrections, vec![&(AuditAction::CounterEmailCorrected, Actor::Staff(w.counter))]);

    // Case A goes on at the new address.
    let flow = w.request(FlowPurpose::OpenMyPage, "right@example.jp").await.unwrap();
    let key = w.last_key("right@example.jp").await;
    let done = m.register_password(&World::entry(&flow.flow_token, &key), &client()).await.unwrap();
    assert_eq!(done.account, id);
}

#[tokio::test]
async fn r12_a_corrected_address_is_valid_new_and_unique_and_the_account_still_awaits_its_password() {
    let w = world().await;
    let m = &w.kit.mypage;
    let id = registered(&w, "a@example.jp", EXISTING).await;
    registered(&w, "b@example.jp", EXISTING).await;
    let active = w.active_account("c@example.jp").await;
    let err = m.correct_counter_email(w.counter, id, "no-at-sign", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::InvalidEmail(EmailAddressError::MissingAt)), "{err:?}");
    let err = m.correct_counter_email(w.counter, id, "a@EXAMPLE.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::SameEmail), "{err:?}");
    let err = m.correct_counter_email(w.counter, id, "b@EXAMPLE.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::EmailTaken), "{err:?}");
    let err = m.correct_counter_email(w.counter, active, "d@example.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::NotAwaitingPassword), "{err:?}");
    let err = m.correct_counter_email(w.counter, AccountId::from_bytes([9; 16]), "d@example.jp", &client()).await;
    assert!(matches!(err, Err(CorrectCounterEmailError::NotFound)), "{err:?}");
    assert!(w.kit.store.read(|t| t.account_by_email("a@example.jp").is_some()).await);
    assert!(audited(&w, &format!("account:{id}")).await.iter().all(|(a, _)| *a != AuditAction::CounterEmailCorrected));
}

#[tokio::test]
async fn r14_only_counter_staff_of_the_establishments_office_see_correct_or_withdraw_a_registration() {
    let w = world().await;
    let m = &w.kit.mypage;
    let osaka_counter = w.kit.staff("2701", "osaka.counter", &[StaffRole::Counter]).await;
    let id = registered(&w, "a@example.jp", EXISTING).await;

    let err = m.correct_counter_email(osaka_counter, id, "b@example.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::NotFound), "{err:?}");
    let err = m.withdraw_counter_registration(osaka_counter, id, &client()).await.unwrap_err();
    assert!(matches!(err, WithdrawCounterRegistrationError::NotFound), "{err:?}");
    assert!(matches!(m.counter_registration(osaka_counter, id).await, Err(CounterLookupError::NotFound)));
    assert!(matches!(
        m.find_counter_registration(osaka_counter, "a@example.jp").await,
        Err(CounterLookupError::NotFound)
    ));
    for member in [w.reviewer, w.admin, w.office_admin] {
        let err = m.correct_counter_email(member, id, "b@example.jp", &client()).await.unwrap_err();
        assert!(matches!(err, CorrectCounterEmailError::NotPermitted), "{err:?}");
        let err = m.withdraw_counter_registration(member, id, &client()).await.unwrap_err();
        assert!(matches!(err, WithdrawCounterRegistrationError::NotPermitted), "{err:?}");
        assert!(matches!(
            m.find_counter_registration(member, "x@example.jp").await,
            Err(CounterLookupError::NotPermitted)
        ));
    }

    let seen = m.find_counter_registration(w.counter, "a@EXAMPLE.jp").await.unwrap();
    assert_eq!((seen.account, seen.establishment_number.to_string()), (id, EXISTING.to_owned()));
    assert_eq!(seen.establishment_name, "株式会社ハローテスト");
    assert_eq!(m.counter_registration(w.counter, id).await.unwrap(), seen);
    let osaka = registered_by(&w, osaka_counter, "osaka@example.jp").await;
    assert!(matches!(m.counter_registration(w.counter, osaka).await, Err(CounterLookupError::NotFound)));
    assert!(matches!(
        m.find_counter_registration(w.counter, "nobody@example.jp").await,
        Err(CounterLookupError::NotFound)
    ));
    assert!(matches!(m.find_counter_registration(w.counter, "x").await, Err(CounterLookupError::InvalidEmail(_))));
    w.active_account("active@example.jp").await;
    assert!(matches!(
        m.find_counter_registration(w.counter, "active@example.jp").await,
        Err(CounterLookupError::NotFound)
    ));
}

async fn registered_by(w: &World, member: mypage_domain::model::StaffId, email: &str) -> AccountId {
    let input = CounterRegistration { email: email.into(), establishment_number: OSAKA.into() };
    w.kit.mypage.register_email_at_counter(member, &input, &client()).await.unwrap()
}

#[tokio::test]
async fn r12_a_withdrawn_registration_frees_its_address_and_its_key_dies() {
    let w = world().await;
    let m = &w.kit.mypage;
    let id = registered(&w, "gone@example.jp", EXISTING).await;
    let flow = w.request(FlowPurpose::OpenMyPage, "gone@example.jp").await.unwrap();
    let key = w.last_key("gone@example.jp").await;

    m.withdraw_counter_registration(w.counter, id, &client()).await.unwrap();

    assert!(w.kit.store.read(|t| t.account_by_email("gone@example.jp").is_none()).await);
    let err = m.register_password(&World::entry(&flow.flow_token, &key), &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(DeathCause::Withdrawn))), "{err:?}");
    let events = audited(&w, &format!("account:{id}")).await;
    assert_eq!(
        events,
        vec![
            (AuditAction::EmailRegisteredAtCounter, Actor::Staff(w.counter)),
            (AuditAction::CounterRegistrationWithdrawn, Actor::Staff(w.counter)),
        ]
    );
    let err = m.withdraw_counter_registration(w.counter, id, &client()).await.unwrap_err();
    assert!(matches!(err, WithdrawCounterRegistrationError::NotFound), "{err:?}");
    registered(&w, "gone@example.jp", EXISTING).await;
    let active = w.active_account("active@example.jp").await;
    let err = m.withdraw_counter_registration(w.counter, active, &client()).await.unwrap_err();
    assert!(matches!(err, WithdrawCounterRegistrationError::NotAwaitingPassword), "{err:?}");
}

#[tokio::test]
async fn r15_a_correction_or_withdrawal_that_fails_or_meets_another_change_leaves_everything_as_it_was() {
    let w = world().await;
    let m = &w.kit.mypage;
    let id = registered(&w, "a@example.jp", EXISTING).await;
    w.kit.store.fail_next_commits(1);
    let err = m.correct_counter_email(w.counter, id, "b@example.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::Infrastructure(_)), "{err:?}");
    w.kit.store.inject(Fault::Conflict);
    let err = m.correct_counter_email(w.counter, id, "b@example.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::Concurrent), "{err:?}");
    w.kit.store.inject(Fault::Conflict);
    let err = m.withdraw_counter_registration(w.counter, id, &client()).await.unwrap_err();
    assert!(matches!(err, WithdrawCounterRegistrationError::Concurrent), "{err:?}");
    w.kit.store.fail_next_commits(1);
    let err = m.withdraw_counter_registration(w.counter, id, &client()).await.unwrap_err();
    assert!(matches!(err, WithdrawCounterRegistrationError::Infrastructure(_)), "{err:?}");
    assert!(w.kit.store.read(|t| t.account_by_email("a@example.jp").is_some()).await);
    assert_eq!(audited(&w, &format!("account:{id}")).await.len(), 1);
}

fn details(name: &str, phone: &str) -> OfficeDetailsInput {
    OfficeDetailsInput {
        name: name.into(),
        phone: phone.into(),
        address: "東京都文京区後楽1-9-20".into(),
        opening_hours: "月曜から金曜 8時30分から17時15分".into(),
        areas: None,
        notification_email: String::new(),
    }
}

/// The areas of `lines`, one 「都道府県 市区町村」 each.
fn areas(lines: &[&str]) -> Option<Vec<OfficeAreaInput>> {
    Some(lines.iter().map(|l| OfficeAreaInput::from_line(l)).collect())
}

#[tokio::test]
async fn case_c_an_office_keeps_its_areas_and_an_employer_finds_its_office_by_place() {
    let w = world().await;
    let m = &w.kit.mypage;
    let mut input = details("ハローワーク飯田橋", "03-3812-8609");
    input.areas = areas(&["東京都 千代田区", "東京都　文京区", "東京都八丈町"]);
    m.edit_office(AdminActor::Staff(w.office_admin), "1301", &input, &client()).await.unwrap();
    let mut osaka = details("ハローワーク大阪東", "06-6942-4771");
    osaka.areas = areas(&["大阪府 大阪市中央区"]);
    m.edit_office(AdminActor::Staff(w.admin), "2701", &osaka, &client()).await.unwrap();
    assert_eq!(audited(&w, "office:1301").await, vec![(AuditAction::OfficeEdited, Actor::Staff(w.office_admin))]);

    let found = |p: &'static str, c: &'static str| async move {
        let offices = m.offices_serving(p, c).await.unwrap();
        offices.iter().map(|o| o.code().as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(found("東京都", "文京区").await, ["1301"]);
    assert_eq!(found("東京都", "八丈").await, ["1301"]);
    assert_eq!(found("大阪府", "中央区").await, ["2701"]);
    assert!(found("東京都", "中央区").await.is_empty());
    assert!(found("東京都", "").await.is_empty());

    // Leaving the areas out keeps them; giving a wrong line names it and changes nothing.
    m.edit_office(AdminActor::Staff(w.office_admin), "1301", &details("ハローワーク飯田橋", ""), &client())
        .await
        .unwrap();
    assert_eq!(found("東京都", "千代田区").await, ["1301"]);
    input.areas = areas(&["東京都 新宿区", "東京 港区"]);
    let err = m.edit_office(AdminActor::Staff(w.office_admin), "1301", &input, &client()).await.unwrap_err();
    let EditOfficeError::InvalidFields(fields) = err else { panic!("{err:?}") };
    let want = FieldProblem::InEntry { entry: 2, problem: Box::new(FieldProblem::UnknownChoice) };
    assert_eq!(fields.of("areas"), Some(&want));
    assert!(found("東京都", "新宿区").await.is_empty());

    // An area is one open office's: an office admin cannot draw another office's employers to its own.
    let mut grab = details("ハローワーク飯田橋", "03-3812-8609");
    grab.areas = areas(&["東京都 千代田区", "大阪府 大阪市中央区"]);
    let err = m.edit_office(AdminActor::Staff(w.office_admin), "1301", &grab, &client()).await.unwrap_err();
    let EditOfficeError::InvalidFields(fields) = err else { panic!("{err:?}") };
    let want = FieldProblem::InEntry { entry: 2, problem: Box::new(FieldProblem::Taken) };
    assert_eq!(fields.of("areas"), Some(&want));
    assert_eq!(found("大阪府", "中央区").await, ["2701"], "nothing changed");

    // A closed office is nobody's office of jurisdiction.
    m.close_office(AdminActor::Staff(w.admin), "2701", &client()).await.unwrap();
    assert!(found("大阪府", "中央区").await.is_empty());
}

#[tokio::test]
async fn r14_an_office_admin_edits_its_own_office_and_a_central_admin_any() {
    let w = world().await;
    let m = &w.kit.mypage;
    m.edit_office(AdminActor::Staff(w.office_admin), "1301", &details("ハローワーク飯田橋", "03-3812-8609"), &client())
        .await
        .unwrap();
    m.edit_office(AdminActor::Staff(w.admin), "2701", &details("ハローワーク大阪東", "06-6942-4771"), &client())
        .await
        .unwrap();
    let offices = m.offices().await.unwrap();
    let iidabashi = offices.iter().find(|o| o.code().as_str() == "1301").unwrap();
    assert_eq!(
        (iidabashi.phone(), iidabashi.address(), iidabashi.opening_hours()),
        (Some("03-3812-8609"), Some("東京都文京区後楽1-9-20"), Some("月曜から金曜 8時30分から17時15分"))
    );
    assert_eq!(audited(&w, "office:1301").await, vec![(AuditAction::OfficeEdited, Actor::Staff(w.office_admin))]);
    assert_eq!(audited(&w, "office:2701").await, vec![(AuditAction::OfficeEdited, Actor::Staff(w.admin))]);

    let osaka = details("ハローワーク大阪", "");
    for member in [w.office_admin, w.counter, w.reviewer] {
        let err = m.edit_office(AdminActor::Staff(member), "2701", &osaka, &client()).await.unwrap_err();
        assert!(matches!(err, EditOfficeError::NotPermitted), "{err:?}");
        let err = m.close_office(AdminActor::Staff(member), "2701", &client()).await.unwrap_err();
        assert!(matches!(err, CloseOfficeError::NotPermitted), "{err:?}");
    }
    let err = m.edit_office(AdminActor::System, "9999", &osaka, &client()).await.unwrap_err();
    assert!(matches!(err, EditOfficeError::UnknownOffice), "{err:?}");
    let err = m.edit_office(AdminActor::System, "2701", &details("", "12345"), &client()).await.unwrap_err();
    let EditOfficeError::InvalidFields(fields) = err else { panic!("{err:?}") };
    assert_eq!(
        (fields.of("name"), fields.of("phone")),
        (Some(&FieldProblem::Required), Some(&FieldProblem::InvalidPhone))
    );
    w.kit.store.inject(Fault::Conflict);
    let err = m.edit_office(AdminActor::System, "2701", &osaka, &client()).await.unwrap_err();
    assert!(matches!(err, EditOfficeError::Concurrent), "{err:?}");
    w.kit.store.fail_next_commits(1);
    let err = m.edit_office(AdminActor::System, "2701", &osaka, &client()).await.unwrap_err();
    assert!(matches!(err, EditOfficeError::Infrastructure(_)), "{err:?}");
    assert_eq!(audited(&w, "office:2701").await.len(), 1);
}

#[tokio::test]
async fn r14_a_closed_office_takes_no_new_registrations_or_staff_and_its_staff_keep_read_access() {
    let w = world().await;
    let m = &w.kit.mypage;
    let waiting = registered(&w, "waiting@example.jp", EXISTING).await;
    let queued = w.submitted_first_timer("first@example.jp", "1301").await;
    let newcomer = w.kit.sign_up("late@example.jp").await;

    m.close_office(AdminActor::Staff(w.office_admin), "1301", &client()).await.unwrap();
    assert_eq!(audited(&w, "office:1301").await, vec![(AuditAction::OfficeClosed, Actor::Staff(w.office_admin))]);
    let err = m.close_office(AdminActor::Staff(w.admin), "1301", &client()).await.unwrap_err();
    assert!(matches!(err, CloseOfficeError::AlreadyClosed), "{err:?}");
    assert!(m.offices().await.unwrap().iter().find(|o| o.code().as_str() == "1301").unwrap().is_closed());

    let input = CounterRegistration { email: "new@example.jp".into(), establishment_number: EXISTING.into() };
    let err = m.register_email_at_counter(w.counter, &input, &client()).await.unwrap_err();
    assert!(matches!(err, CounterRegistrationError::OfficeClosed), "{err:?}");
    let err = m.correct_counter_email(w.counter, waiting, "other@example.jp", &client()).await.unwrap_err();
    assert!(matches!(err, CorrectCounterEmailError::OfficeClosed), "{err:?}");
    let first = HistoryInput::FirstTime { office: "1301".into() };
    let err = m.declare_history(newcomer, &first, &client()).await.unwrap_err();
    assert!(matches!(err, DeclareHistoryError::OfficeClosed), "{err:?}");
    m.declare_history(newcomer, &HistoryInput::FirstTime { office: "2701".into() }, &client()).await.unwrap();
    let member = NewStaffMember {
        office: "1301".into(),
        login: "iidabashi.late".into(),
        name: "新任 職員".into(),
        roles: vec![StaffRole::Counter],
        password: secret(TEST_PASSWORD),
    };
    let err = m.add_staff(AdminActor::System, &member, &client()).await.unwrap_err();
    assert!(matches!(err, AddStaffError::OfficeClosed), "{err:?}");

    // Its staff still read: the queue, a registration awaiting its password; and may take one away.
    let queue = m.review_queue(w.reviewer).await.unwrap();
    assert!(queue.iter().any(|r| r.account() == queued));
    assert_eq!(m.counter_registration(w.counter, waiting).await.unwrap().account, waiting);
    m.withdraw_counter_registration(w.counter, waiting, &client()).await.unwrap();
}

#[tokio::test]
async fn r12_a_key_whose_flow_outlived_a_correction_opens_nothing() {
    use mypage_domain::ports::UnitOfWork as _;
    use mypage_domain::values::EmailAddress;
    // On PostgreSQL a key request for the old address can read the account before a correction commits and insert
    // its flow after the correction ended the old ones: the flow survives, its key went to the wrong mailbox.
    let w = world().await;
    let account = registered(&w, "typo@example.jp", EXISTING).await;
    let requested = w.request(FlowPurpose::OpenMyPage, "typo@example.jp").await.unwrap();
    let key = w.last_key("typo@example.jp").await;
    let mut tx = w.kit.store.begin().await.unwrap();
    let mut stored = tx.accounts().get(account).await.unwrap().unwrap();
    stored.correct_email(EmailAddress::parse("right@example.jp").unwrap()).unwrap();
    tx.accounts().update(&stored).await.unwrap();
    tx.commit().await.unwrap();
    let refused = w.kit.mypage.register_password(&World::entry(&requested.flow_token, &key), &client()).await;
    assert!(
        matches!(refused, Err(RegisterPasswordError::Key(KeyRedemptionError::FlowNotFound))),
        "the old address's key sets no password: {refused:?}"
    );
}
