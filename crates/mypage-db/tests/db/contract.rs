//! The ports' `# Errors` contracts, written once and run on every backend (see the macro in `main.rs`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountRecord, AccountStatus, Actor, ApplicationHistory, AuditAction, AuditEvent, AuditEventId,
    AuthFlow, AuthFlowRecord, ClientInfo, DeathCause, Establishment, EstablishmentId, EstablishmentRecord, FlowId,
    FlowPurpose, FlowState, FlowTarget, IssuedKey, MailId, MailTemplate, NoteDecision, Office, OutgoingMail,
    PasswordHash, ProvisionalRegistration, RegistrationId, StaffId, StaffLogin, StaffMember, StaffMemberRecord,
    StaffNote,
};
use mypage_domain::ports::{Hits, MailState, RepositoryError, Session, SessionSubject, ThrottleKey, Unique};
use mypage_domain::values::{
    Digest, EmailAddress, EstablishmentInfo, EstablishmentNumber, JobOffer, OfficeCode, StaffRole, TermsConsent,
    TermsDocument, TermsKind, TermsVersion,
};
use mypage_testkit::fixtures;
use secrecy::{ExposeSecret, SecretString};

use crate::harness::Stores;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

fn id(n: u8) -> [u8; 16] {
    [n; 16]
}

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

fn office(code: &str) -> Office {
    Office::new(OfficeCode::parse(code).unwrap(), format!("ハローワーク{code}"), None)
}

fn establishment(n: u8, number: &str) -> Establishment {
    Establishment::imported(
        EstablishmentId::from_bytes(id(n)),
        EstablishmentNumber::parse(number).unwrap(),
        format!("事業所{n}"),
        t0(),
    )
}

fn consent() -> TermsConsent {
    TermsConsent { privacy_policy: TermsVersion(1), mypage_terms: TermsVersion(2), at: t0() }
}

fn account(n: u8, address: &str) -> Account {
    Account::opened_online(
        AccountId::from_bytes(id(n)),
        email(address),
        PasswordHash::new("$x$".into()),
        consent(),
        t0(),
    )
}

fn flow(n: u8, address: &str, purpose: FlowPurpose, token: &str) -> AuthFlow {
    let key = IssuedKey {
        digest: Some(Digest::from_hex(format!("aa{n:02x}"))),
        issued_at: t0(),
        expires_at: t0() + Duration::minutes(30),
    };
    AuthFlow::start(
        FlowId::from_bytes(id(n)),
        purpose,
        email(address),
        Digest::from_hex(token.into()),
        FlowTarget::Key { account: None },
        Some(consent()),
        key,
        t0(),
    )
}

/// A sign-up flow of `u{n}@example.jp` whose one key expires at `at`.
fn flow_expiring(n: u8, at: DateTime<Utc>) -> AuthFlow {
    let key = IssuedKey { digest: Some(Digest::from_hex(format!("aa{n:02x}"))), issued_at: t0(), expires_at: at };
    AuthFlow::start(
        FlowId::from_bytes(id(n)),
        FlowPurpose::SignUp,
        email(&format!("u{n}@example.jp")),
        Digest::from_hex(format!("t{n}")),
        FlowTarget::Key { account: None },
        Some(consent()),
        key,
        t0(),
    )
}

async fn seed_office_and_account(s: &Stores, n: u8, address: &str) -> Account {
    let mut tx = s.uow.begin().await.unwrap();
    if tx.offices().get(&OfficeCode::parse("1301").unwrap()).await.unwrap().is_none() {
        tx.offices().insert(&office("1301")).await.unwrap();
    }
    let a = account(n, address);
    tx.accounts().insert(&a).await.unwrap();
    tx.commit().await.unwrap();
    a
}

fn draft(n: u8, account: AccountId, office_code: &str, at: DateTime<Utc>) -> ProvisionalRegistration {
    let history = ApplicationHistory::FirstTime { office: OfficeCode::parse(office_code).unwrap() };
    ProvisionalRegistration::draft(RegistrationId::from_bytes(id(n)), account, history, at)
}

fn mail(n: u8, to: &str, at: DateTime<Utc>) -> OutgoingMail {
    OutgoingMail {
        id: MailId::from_bytes(id(n)),
        to: email(to),
        template: MailTemplate::AuthKey {
            purpose: FlowPurpose::SignUp,
            key: SecretString::from(format!("ABCDE-2345{}", n % 10)),
            issued_at: at,
            expires_at: at + Duration::minutes(30),
        },
        created_at: at,
    }
}

// Accounts.

pub(crate) async fn accounts_refuse_a_second_account_with_the_same_email(s: Stores) {
    seed_office_and_account(&s, 1, "taro@example.jp").await;
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.accounts().insert(&account(2, "taro@EXAMPLE.jp")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::AccountEmail)), "{err:?}");
}

pub(crate) async fn accounts_refuse_an_update_from_a_stale_copy(s: Stores) {
    let a = seed_office_and_account(&s, 1, "taro@example.jp").await;
    let mut tx = s.uow.begin().await.unwrap();
    let stored = tx.accounts().get(a.id()).await.unwrap().unwrap();
    assert_eq!(stored, a);
    let stored = Account::restore(AccountRecord { status: AccountStatus::Active, ..stored.into_record() });
    tx.accounts().update(&stored).await.unwrap();
    let err = tx.accounts().update(&stored).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "{err:?}");
    let again = tx.accounts().get(a.id()).await.unwrap().unwrap();
    assert_eq!((again.version(), again.status()), (1, AccountStatus::Active));
    let gone = account(9, "nobody@example.jp");
    assert_eq!(gone.version(), 0);
    assert!(matches!(tx.accounts().update(&gone).await, Err(RepositoryError::Conflict)));
}

pub(crate) async fn accounts_are_found_by_email_and_by_establishment_oldest_first(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    let e = establishment(7, "1301-123456-7");
    tx.establishments().insert(&e).await.unwrap();
    let older = Account::registered_at_counter(
        AccountId::from_bytes(id(2)),
        email("b@example.jp"),
        e.id(),
        t0() - Duration::days(1),
    );
    let newer = Account::registered_at_counter(AccountId::from_bytes(id(1)), email("a@example.jp"), e.id(), t0());
    tx.accounts().insert(&newer).await.unwrap();
    tx.accounts().insert(&older).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.accounts().by_email(&email("a@example.jp")).await.unwrap().unwrap().id(), newer.id());
    assert!(tx.accounts().by_email(&email("z@example.jp")).await.unwrap().is_none());
    let ids: Vec<AccountId> =
        tx.accounts().by_establishment(e.id()).await.unwrap().into_iter().map(|a| a.id()).collect();
    assert_eq!(ids, vec![older.id(), newer.id()]);
}

// Flows.

pub(crate) async fn flows_allow_one_open_flow_per_email_and_purpose(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.flows().insert(&flow(1, "a@example.jp", FlowPurpose::SignUp, "t1")).await.unwrap();
    tx.flows().insert(&flow(3, "a@example.jp", FlowPurpose::ResetPassword, "t3")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.flows().insert(&flow(2, "a@example.jp", FlowPurpose::SignUp, "t2")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::LiveFlow)), "{err:?}");
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    let mut dead = tx.flows().open_for(&email("a@example.jp"), FlowPurpose::SignUp).await.unwrap().unwrap();
    dead.kill(DeathCause::Superseded);
    tx.flows().update(&dead).await.unwrap();
    tx.flows().insert(&flow(4, "a@example.jp", FlowPurpose::SignUp, "t4")).await.unwrap();
    tx.commit().await.unwrap();
}

pub(crate) async fn flows_refuse_a_repeated_token(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.flows().insert(&flow(1, "a@example.jp", FlowPurpose::SignUp, "same")).await.unwrap();
    let err = tx.flows().insert(&flow(2, "b@example.jp", FlowPurpose::SignUp, "same")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::FlowToken)), "{err:?}");
}

pub(crate) async fn flows_come_back_as_they_were_stored(s: Stores) {
    let started = flow(1, "a@example.jp", FlowPurpose::OpenMyPage, "tok");
    let mut f = AuthFlow::restore(AuthFlowRecord {
        target: FlowTarget::Key { account: Some(AccountId::from_bytes(id(5))) },
        wrong_attempts: 2,
        ..started.into_record()
    });
    f.add_key(IssuedKey { digest: None, issued_at: t0(), expires_at: t0() + Duration::minutes(45) }, 3).unwrap();
    let notice = AuthFlow::restore(AuthFlowRecord {
        target: FlowTarget::Notice { status: AccountStatus::Active },
        consent: None,
        ..flow(2, "b@example.jp", FlowPurpose::SignUp, "tok2").into_record()
    });
    let mut tx = s.uow.begin().await.unwrap();
    tx.flows().insert(&f).await.unwrap();
    tx.flows().insert(&notice).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.flows().by_token(&Digest::from_hex("tok".into())).await.unwrap().unwrap(), f);
    assert_eq!(tx.flows().by_token(&Digest::from_hex("tok2".into())).await.unwrap().unwrap(), notice);
    assert!(tx.flows().by_token(&Digest::from_hex("none".into())).await.unwrap().is_none());
    let mut spent = f.clone();
    spent.spend();
    tx.flows().update(&spent).await.unwrap();
    let back = tx.flows().by_token(&Digest::from_hex("tok".into())).await.unwrap().unwrap();
    assert_eq!((back.state(), back.version()), (FlowState::Spent, 1));
}

pub(crate) async fn flows_whose_keys_all_expired_are_listed_oldest_first(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    for (n, minutes) in [(1u8, 10i64), (2, 0), (3, 20)] {
        let f = flow_expiring(n, t0() + Duration::minutes(minutes));
        tx.flows().insert(&f).await.unwrap();
    }
    let mut dead = flow_expiring(4, t0());
    dead.kill(DeathCause::TooManyWrongKeys);
    tx.flows().insert(&dead).await.unwrap();
    let found: Vec<FlowId> = tx
        .flows()
        .open_expired_before(t0() + Duration::minutes(15), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.id())
        .collect();
    assert_eq!(found, vec![FlowId::from_bytes(id(2)), FlowId::from_bytes(id(1))]);
    assert_eq!(tx.flows().open_expired_before(t0() + Duration::minutes(15), 1).await.unwrap().len(), 1);
}

// Registrations.

pub(crate) async fn registrations_allow_one_open_registration_per_account(s: Stores) {
    let a = seed_office_and_account(&s, 1, "a@example.jp").await;
    let mut tx = s.uow.begin().await.unwrap();
    let first = draft(1, a.id(), "1301", t0());
    tx.registrations().insert(&first).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.registrations().insert(&draft(2, a.id(), "1301", t0())).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::OpenRegistration)), "{err:?}");
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    let mut expired = first.clone();
    expired.expire().unwrap();
    tx.registrations().update(&expired).await.unwrap();
    tx.registrations().insert(&draft(3, a.id(), "1301", t0() + Duration::seconds(1))).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let newest_first: Vec<RegistrationId> =
        tx.registrations().for_account(a.id()).await.unwrap().into_iter().map(|r| r.id()).collect();
    assert_eq!(newest_first, vec![RegistrationId::from_bytes(id(3)), RegistrationId::from_bytes(id(1))]);
}

pub(crate) async fn registrations_come_back_with_their_forms_and_decision(s: Stores) {
    let a = seed_office_and_account(&s, 1, "a@example.jp").await;
    let mut r = draft(1, a.id(), "1301", t0());
    r.save_establishment(EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap(), t0()).unwrap();
    r.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    r.submit(t0()).unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    tx.registrations().insert(&r).await.unwrap();
    assert_eq!(tx.registrations().get(r.id()).await.unwrap().unwrap(), r);
    let note = StaffNote::parse("お電話します。\n平日に。").unwrap();
    r.decide_with_note(StaffId::from_bytes(id(8)), NoteDecision::ContactNeeded, note, t0()).unwrap();
    let stale = r.clone();
    tx.registrations().update(&r).await.unwrap();
    let back = tx.registrations().get(r.id()).await.unwrap().unwrap();
    r.mark_saved();
    assert_eq!((back.version(), &back), (1, &r));
    let err = tx.registrations().update(&stale).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "{err:?}");
}

// R10: a form sent with errors keeps its valid fields in the draft, in place of the validated form.
pub(crate) async fn registrations_keep_their_unfinished_forms_beside_the_validated_ones(s: Stores) {
    use mypage_domain::model::ValidFields as _;
    use mypage_domain::values::{FieldError, FieldErrors, FieldProblem};
    let a = seed_office_and_account(&s, 1, "a@example.jp").await;
    let mut r = draft(1, a.id(), "1301", t0());
    let wrong = |field| FieldErrors(vec![FieldError { field, problem: FieldProblem::Required }]);
    let partial = fixtures::establishment_info().valid_fields(&wrong("phone"));
    assert!(partial.phone.is_empty() && partial.name == fixtures::establishment_info().name);
    r.keep_unfinished_establishment(partial.clone(), t0()).unwrap();
    r.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    tx.registrations().insert(&r).await.unwrap();
    let back = tx.registrations().get(r.id()).await.unwrap().unwrap();
    assert_eq!(back, r);
    assert_eq!(back.unfinished().establishment.as_ref(), Some(&partial));
    assert!(back.establishment().is_none() && back.unfinished().job_offer.is_none());
    // The job offer sent again with errors takes the validated one's place; the establishment sent whole ends
    // its unfinished form.
    r.keep_unfinished_job_offer(fixtures::job_offer().valid_fields(&wrong("wage_max")), t0()).unwrap();
    r.save_establishment(EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap(), t0()).unwrap();
    tx.registrations().update(&r).await.unwrap();
    r.mark_saved();
    let back = tx.registrations().get(r.id()).await.unwrap().unwrap();
    assert_eq!(back, r);
    assert!(back.unfinished().establishment.is_none() && back.job_offer().is_none());
    assert_eq!(back.unfinished().job_offer.as_ref().map(|j| j.wage_max.as_str()), Some(""));
}

pub(crate) async fn registrations_queue_by_office_oldest_submission_first_and_list_old_drafts(s: Stores) {
    let mut accounts = Vec::new();
    for n in 1..=4u8 {
        accounts.push(seed_office_and_account(&s, n, &format!("u{n}@example.jp")).await);
    }
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("2701")).await.unwrap();
    for (n, minutes, code) in [(1u8, 30i64, "1301"), (2, 10, "1301"), (3, 20, "2701")] {
        let mut r = draft(n, accounts[usize::from(n) - 1].id(), code, t0());
        r.save_establishment(EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap(), t0()).unwrap();
        r.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
        r.submit(t0() + Duration::minutes(minutes)).unwrap();
        tx.registrations().insert(&r).await.unwrap();
    }
    tx.registrations().insert(&draft(4, accounts[3].id(), "1301", t0() - Duration::days(20))).await.unwrap();
    let queue: Vec<RegistrationId> = tx
        .registrations()
        .pending_for_office(&OfficeCode::parse("1301").unwrap())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id())
        .collect();
    assert_eq!(queue, vec![RegistrationId::from_bytes(id(2)), RegistrationId::from_bytes(id(1))]);
    let old: Vec<RegistrationId> = tx
        .registrations()
        .drafts_saved_before(t0() - Duration::days(14), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id())
        .collect();
    assert_eq!(old, vec![RegistrationId::from_bytes(id(4))]);
}

// Establishments, offices, staff, terms.

pub(crate) async fn establishments_refuse_a_repeated_number_and_are_searched_within_an_office(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.offices().insert(&office("2701")).await.unwrap();
    let with_info = Establishment::restore(EstablishmentRecord {
        info: Some(EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap()),
        ..establishment(1, "1301-000002-1").into_record()
    });
    tx.establishments().insert(&with_info).await.unwrap();
    tx.establishments().insert(&establishment(2, "1301-000001-1")).await.unwrap();
    tx.establishments().insert(&establishment(3, "2701-000001-1")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.establishments().insert(&establishment(4, "1301-000001-1")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::EstablishmentNumber)), "{err:?}");
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.establishments().get(with_info.id()).await.unwrap().unwrap(), with_info);
    let number = EstablishmentNumber::parse("2701-000001-1").unwrap();
    assert_eq!(tx.establishments().by_number(&number).await.unwrap().unwrap().id(), EstablishmentId::from_bytes(id(3)));
    let found = tx.establishments().search(&OfficeCode::parse("1301").unwrap(), "事業所", 10).await.unwrap();
    let numbers: Vec<String> = found.iter().map(|e| e.number().to_string()).collect();
    assert_eq!(numbers, vec!["1301-000001-1", "1301-000002-1"]);
}

pub(crate) async fn establishments_keep_their_register_details_and_refuse_an_update_of_none(s: Stores) {
    use mypage_domain::values::{RegisterDetails, RegisterEntry};
    let entry = |name: &str, address: Option<&str>| RegisterEntry {
        number: EstablishmentNumber::parse("1301-000009-1").unwrap(),
        name: name.to_owned(),
        details: RegisterDetails {
            name_kana: Some("カブシキガイシャ".into()),
            postal_code: Some(mypage_domain::values::PostalCode::parse("1620846").unwrap()),
            address: address.map(str::to_owned),
            phone: Some(mypage_domain::values::PhoneNumber::parse("03-1234-5678").unwrap()),
        },
    };
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    let mut stored = Establishment::from_register(EstablishmentId::from_bytes(id(9)), entry("株式会社A", None), t0());
    tx.establishments().insert(&stored).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.establishments().get(stored.id()).await.unwrap().unwrap(), stored, "details come back as stored");
    assert!(stored.update_from_register(&entry("株式会社A 本社", Some("東京都新宿区"))));
    tx.establishments().update(&stored).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let read = tx.establishments().by_number(stored.number()).await.unwrap().unwrap();
    assert_eq!((read.name(), read.details().address.as_deref()), ("株式会社A 本社", Some("東京都新宿区")));
    assert_eq!(read, stored);
    let unknown = Establishment::from_register(EstablishmentId::from_bytes(id(10)), entry("B", None), t0());
    let err = tx.establishments().update(&unknown).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "{err:?}");
}

pub(crate) async fn offices_refuse_a_repeated_code_and_are_listed_by_code(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("2701")).await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.offices().insert(&office("1301")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::OfficeCode)), "{err:?}");
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    let codes: Vec<String> = tx.offices().all().await.unwrap().into_iter().map(|o| o.code().to_string()).collect();
    assert_eq!(codes, vec!["1301", "2701"]);
}

pub(crate) async fn staff_refuse_a_repeated_login_and_update_with_versions(s: Stores) {
    let member = StaffMember::new(
        StaffId::from_bytes(id(1)),
        OfficeCode::parse("1301").unwrap(),
        StaffLogin::parse("iidabashi.reviewer").unwrap(),
        "審査 太郎".into(),
        &[StaffRole::Reviewer, StaffRole::Counter],
        PasswordHash::new("$x$".into()),
    );
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.staff().insert(&member).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let twin =
        StaffMember::restore(StaffMemberRecord { id: StaffId::from_bytes(id(2)), ..member.clone().into_record() });
    assert!(matches!(tx.staff().insert(&twin).await, Err(RepositoryError::Duplicate(Unique::StaffLogin))));
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.staff().by_login(member.login()).await.unwrap().unwrap(), member);
    let mut changed = member.clone();
    changed.deactivate();
    tx.staff().update(&changed).await.unwrap();
    assert!(matches!(tx.staff().update(&changed).await, Err(RepositoryError::Conflict)));
    let back = tx.staff().get(member.id()).await.unwrap().unwrap();
    assert_eq!((back.active(), back.version()), (false, 1));
    let other = StaffMember::restore(StaffMemberRecord {
        id: StaffId::from_bytes(id(3)),
        login: StaffLogin::parse("iidabashi.counter").unwrap(),
        ..member.clone().into_record()
    });
    tx.staff().insert(&other).await.unwrap();
    let all: Vec<String> = tx.staff().all().await.unwrap().iter().map(|m| m.login().as_str().to_owned()).collect();
    assert_eq!(all, ["iidabashi.counter", "iidabashi.reviewer"], "every member, by office and login");
}

pub(crate) async fn terms_refuse_a_repeated_version_and_the_highest_is_current(s: Stores) {
    let doc =
        |kind, v: u32| TermsDocument { kind, version: TermsVersion(v), body: format!("第{v}版"), published_at: t0() };
    let mut tx = s.uow.begin().await.unwrap();
    assert!(tx.terms().current(TermsKind::MyPageTerms).await.unwrap().is_none());
    for v in [1, 3, 2] {
        tx.terms().publish(&doc(TermsKind::MyPageTerms, v)).await.unwrap();
    }
    tx.terms().publish(&doc(TermsKind::PrivacyPolicy, 7)).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.terms().publish(&doc(TermsKind::MyPageTerms, 2)).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::TermsVersion)), "{err:?}");
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.terms().current(TermsKind::MyPageTerms).await.unwrap().unwrap(), doc(TermsKind::MyPageTerms, 3));
}

// Throttle and audit.

pub(crate) async fn throttle_counts_hits_in_the_window_and_forgets_them(s: Stores) {
    let key = ThrottleKey::LoginFailures(email("a@example.jp"));
    let other = ThrottleKey::ClientLoginFailures("192.0.2.1".parse().unwrap());
    let mut tx = s.uow.begin().await.unwrap();
    for minutes in [0, 5, 10] {
        tx.throttle().hit(&key, t0() + Duration::minutes(minutes)).await.unwrap();
    }
    tx.throttle().hit(&other, t0()).await.unwrap();
    let hits = tx.throttle().hits_since(&key, t0() + Duration::minutes(5)).await.unwrap();
    assert_eq!((hits.count, hits.oldest), (2, Some(t0() + Duration::minutes(5))));
    assert_eq!(tx.throttle().purge_before(t0() + Duration::minutes(1)).await.unwrap(), 2);
    tx.throttle().clear(&key).await.unwrap();
    assert_eq!(tx.throttle().hits_since(&key, t0() - Duration::days(1)).await.unwrap().count, 0);
    assert_eq!(tx.throttle().hits_since(&other, t0() - Duration::days(1)).await.unwrap().count, 0);
}

/// R13: `reserve` records a hit only below the limit and answers the window's hits at it; a committed reservation
/// counts in the next transaction, a dropped one does not; `release` gives back one hit of its key at its time.
pub(crate) async fn throttle_reserves_below_the_limit_and_releases_one_hit(s: Stores) {
    let key = ThrottleKey::LoginFailures(email("a@example.jp"));
    let other = ThrottleKey::ClientLoginFailures("192.0.2.1".parse().unwrap());
    // Nanoseconds, as the real clock gives them, which the store may keep only to the microsecond.
    let at = t0() + Duration::nanoseconds(123_456_789);
    let since = t0() - Duration::minutes(15);
    let mut tx = s.uow.begin().await.unwrap();
    tx.throttle().hit(&key, since - Duration::minutes(1)).await.unwrap();
    for _ in 0..2 {
        assert_eq!(tx.throttle().reserve(&key, at, since, 2).await.unwrap(), Ok(()));
    }
    let refused = tx.throttle().reserve(&key, at, since, 2).await.unwrap().unwrap_err();
    assert_eq!(refused.count, 2, "the hit before the window does not count, the refusal is not recorded");
    assert_eq!(refused.oldest.map(|o| o.timestamp_micros()), Some(at.timestamp_micros()));
    tx.throttle().hit(&other, at).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.throttle().reserve(&key, at, since, 2).await.unwrap().map_err(|h| h.count), Err(2));
    tx.throttle().release(&key, at).await.unwrap();
    tx.throttle().release(&key, at + Duration::seconds(1)).await.unwrap();
    assert_eq!(tx.throttle().hits_since(&key, since).await.unwrap().count, 1, "one hit given back, at its time only");
    assert_eq!(tx.throttle().hits_since(&other, since).await.unwrap().count, 1, "another key keeps its hit");
    assert_eq!(tx.throttle().reserve(&key, at, since, 2).await.unwrap(), Ok(()));
    drop(tx);

    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.throttle().hits_since(&key, since).await.unwrap().count, 2, "a dropped transaction keeps nothing");
    assert_eq!(tx.throttle().reserve(&key, at, since, 3).await.unwrap(), Ok(()));
    assert_eq!(tx.throttle().reserve(&key, at, since, 3).await.unwrap().map_err(|h| h.count), Err(3));
}

/// R13: a reservation holds its key until its transaction ends; a concurrent reservation of the key waits for it,
/// then counts its hit. Two logins can thus never both see one hit fewer than the limit and both go on.
pub(crate) async fn throttle_reserve_waits_for_a_concurrent_reservation_of_its_key_and_counts_it(s: Stores) {
    let key = ThrottleKey::StaffLoginFailures(StaffLogin::parse("reviewer").unwrap());
    let since = t0() - Duration::minutes(15);
    let mut first = s.uow.begin().await.unwrap();
    assert_eq!(first.throttle().reserve(&key, t0(), since, 1).await.unwrap(), Ok(()));
    let (uow, waiting_key) = (s.uow.clone(), key.clone());
    let (started, running) = tokio::sync::oneshot::channel();
    let mut second = tokio::spawn(async move {
        let _ = started.send(());
        let mut tx = uow.begin().await.unwrap();
        let reserved = tx.throttle().reserve(&waiting_key, t0(), since, 1).await.unwrap();
        tx.commit().await.unwrap();
        reserved
    });
    running.await.unwrap();
    // A bounded look for an answer that must not come: a busy machine can only make it come later, never sooner.
    let early = tokio::time::timeout(std::time::Duration::from_millis(200), &mut second).await;
    assert!(early.is_err(), "the second reservation waits while the first transaction is open");
    first.commit().await.unwrap();
    let reserved = second.await.unwrap();
    assert_eq!(reserved.map_err(|h| h.count), Err(1), "and then sees the first one's hit");
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.throttle().hits_since(&key, since).await.unwrap(), Hits { count: 1, oldest: Some(t0()) });
}

pub(crate) async fn audit_events_of_a_subject_come_back_in_the_order_they_were_written(s: Stores) {
    let event = |n: u8, action, subject: &str| AuditEvent {
        id: AuditEventId::from_bytes(id(n)),
        at: t0(),
        actor: Actor::Staff(StaffId::from_bytes(id(9))),
        action,
        subject: subject.into(),
        client: ClientInfo { ip: Some("192.0.2.1".parse().unwrap()), user_agent: Some("test".into()) },
    };
    let written = vec![
        event(3, AuditAction::HistoryDeclared, "registration:x"),
        event(1, AuditAction::JobOfferSaved, "registration:x"),
        event(2, AuditAction::RegistrationSubmitted, "registration:x"),
    ];
    let mut tx = s.uow.begin().await.unwrap();
    for e in &written {
        tx.audit().append(e).await.unwrap();
    }
    tx.audit().append(&event(4, AuditAction::LoginFailed, "registration:y")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.audit().for_subject("registration:x").await.unwrap(), written);
}

// The unit of work.

pub(crate) async fn a_transaction_dropped_without_commit_keeps_nothing(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.accounts().insert(&account(1, "a@example.jp")).await.unwrap();
    tx.outbox().enqueue(mail(1, "a@example.jp", t0())).await.unwrap();
    assert!(
        tx.accounts().get(AccountId::from_bytes(id(1))).await.unwrap().is_some(),
        "a transaction sees its own writes"
    );
    drop(tx);
    let mut tx = s.uow.begin().await.unwrap();
    assert!(tx.accounts().get(AccountId::from_bytes(id(1))).await.unwrap().is_none());
    assert!(tx.offices().all().await.unwrap().is_empty());
    drop(tx);
    assert!(s.queue.claim(t0() + Duration::hours(1), 10, t0() + Duration::hours(2)).await.unwrap().is_empty());
}

// The mail queue.

pub(crate) async fn a_queued_mail_is_claimed_once_sent_and_its_key_erased(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.outbox().enqueue(mail(1, "a@example.jp", t0())).await.unwrap();
    tx.commit().await.unwrap();
    let lease = t0() + Duration::minutes(5);
    let claimed = s.queue.claim(t0(), 10, lease).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].attempts, 1);
    let MailTemplate::AuthKey { key, .. } = &claimed[0].mail.template else { panic!("not a key mail") };
    assert_eq!(key.expose_secret(), "ABCDE-23451");
    assert!(s.queue.claim(t0() + Duration::minutes(1), 10, lease).await.unwrap().is_empty(), "leased");
    s.queue.mark_sent(claimed[0].mail.id, t0() + Duration::minutes(1)).await.unwrap();
    assert!(s.queue.claim(t0() + Duration::hours(1), 10, lease).await.unwrap().is_empty(), "sent is never claimed");
    let sent = s.queue.list(Some(MailState::Sent), 10).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].template, "auth_key");
}

pub(crate) async fn a_mail_whose_lease_ran_out_is_claimed_again(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.outbox().enqueue(mail(1, "a@example.jp", t0())).await.unwrap();
    tx.commit().await.unwrap();
    s.queue.claim(t0(), 10, t0() + Duration::minutes(5)).await.unwrap();
    let again = s.queue.claim(t0() + Duration::minutes(6), 10, t0() + Duration::minutes(11)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
}

pub(crate) async fn a_rescheduled_mail_waits_and_a_dead_mail_can_be_queued_again(s: Stores) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.outbox().enqueue(mail(1, "a@example.jp", t0())).await.unwrap();
    tx.outbox().enqueue(mail(2, "b@example.jp", t0())).await.unwrap();
    tx.commit().await.unwrap();
    let claimed = s.queue.claim(t0(), 10, t0() + Duration::minutes(5)).await.unwrap();
    assert_eq!(claimed.len(), 2);
    let (first, second) = (claimed[0].mail.id, claimed[1].mail.id);
    s.queue.reschedule(first, t0() + Duration::minutes(30), "421 try later").await.unwrap();
    s.queue.mark_dead(second, "550 no such user").await.unwrap();
    assert!(s.queue.claim(t0() + Duration::minutes(29), 10, t0() + Duration::hours(1)).await.unwrap().is_empty());
    let due = s.queue.claim(t0() + Duration::minutes(30), 10, t0() + Duration::hours(1)).await.unwrap();
    assert_eq!(due.iter().map(|c| c.mail.id).collect::<Vec<_>>(), vec![first]);
    let dead = s.queue.list(Some(MailState::Dead), 10).await.unwrap();
    assert_eq!(dead[0].last_error.as_deref(), Some("550 no such user"));
    assert!(s.queue.requeue(second, t0() + Duration::hours(2)).await.unwrap());
    assert!(!s.queue.requeue(second, t0() + Duration::hours(2)).await.unwrap(), "only a dead mail is requeued");
    let depth = s.queue.depth().await.unwrap();
    assert!(depth.contains(&(MailState::Pending, 1)) && depth.contains(&(MailState::Sending, 1)), "{depth:?}");
    assert!(depth.contains(&(MailState::Dead, 0)) && depth.contains(&(MailState::Sent, 0)), "{depth:?}");
}

// Sessions.

fn session(hex: &str, subject: SessionSubject) -> Session {
    Session {
        id: Digest::from_hex(hex.into()),
        subject,
        data: r#"{"csrf":"x"}"#.into(),
        created_at: t0(),
        expires_at: t0() + Duration::hours(8),
        idle_expires_at: t0() + Duration::minutes(30),
        last_used_at: t0(),
        client: mypage_domain::model::ClientInfo::default(),
    }
}

pub(crate) async fn sessions_live_until_idle_or_expired_and_end_at_logout(s: Stores) {
    let employer = session("aa01", SessionSubject::Employer(AccountId::from_bytes(id(1))));
    s.sessions.save(&employer).await.unwrap();
    let id = &employer.id;
    assert_eq!(s.sessions.load(id, t0() + Duration::minutes(29)).await.unwrap(), Some(employer.clone()));
    assert_eq!(s.sessions.load(id, t0() + Duration::minutes(30)).await.unwrap(), None, "idle");
    let touched = Session { idle_expires_at: t0() + Duration::hours(9), ..employer.clone() };
    s.sessions.save(&touched).await.unwrap();
    assert!(s.sessions.load(id, t0() + Duration::hours(7)).await.unwrap().is_some(), "saving again renews it");
    assert_eq!(s.sessions.load(id, t0() + Duration::hours(8)).await.unwrap(), None, "absolute expiry");
    s.sessions.delete(id).await.unwrap();
    assert_eq!(s.sessions.load(id, t0()).await.unwrap(), None);
}

/// R14, R17: a password reset or a stopped member ends every session of that subject, and no other.
pub(crate) async fn sessions_of_one_subject_all_end_and_no_other(s: Stores) {
    let employer = SessionSubject::Employer(AccountId::from_bytes(id(1)));
    let other = SessionSubject::Employer(AccountId::from_bytes(id(2)));
    let staff = SessionSubject::Staff(StaffId::from_bytes(id(1)));
    for (hex, subject) in [("ab01", employer), ("ab02", employer), ("ab03", other), ("ab04", staff)] {
        s.sessions.save(&session(hex, subject)).await.unwrap();
    }
    s.sessions.save(&session("ab05", SessionSubject::Anonymous)).await.unwrap();
    assert_eq!(s.sessions.end_all(employer).await.unwrap(), 2);
    assert_eq!(s.sessions.end_all(SessionSubject::Anonymous).await.unwrap(), 0, "anonymous ends nothing");
    let live = |hex: &'static str| {
        let sessions = s.sessions.clone();
        async move { sessions.load(&session(hex, SessionSubject::Anonymous).id, t0()).await.unwrap().is_some() }
    };
    assert!(!live("ab01").await && !live("ab02").await, "both of the subject's sessions ended");
    assert!(live("ab03").await, "another employer's session stays");
    assert!(live("ab04").await, "a staff member with the same id bytes stays: subjects differ by kind");
    assert!(live("ab05").await);
    assert_eq!(s.sessions.end_all(employer).await.unwrap(), 0, "ending again finds none");
}

pub(crate) async fn expired_sessions_are_purged_and_live_ones_kept(s: Stores) {
    s.sessions.save(&session("aa01", SessionSubject::Anonymous)).await.unwrap();
    let staff = Session {
        idle_expires_at: t0() + Duration::hours(2),
        ..session("aa02", SessionSubject::Staff(StaffId::from_bytes(id(2))))
    };
    s.sessions.save(&staff).await.unwrap();
    assert_eq!(s.sessions.purge_expired(t0() + Duration::hours(1)).await.unwrap(), 1);
    assert_eq!(s.sessions.load(&staff.id, t0() + Duration::hours(1)).await.unwrap(), Some(staff));
}

/// R21: a member's second factor comes back as stored: its secret (sealed in the database), last step and
/// recovery-code digests, through enrolment, use and reset.
pub(crate) async fn staff_keep_their_second_factor(s: Stores) {
    use mypage_domain::model::{SecondFactorState, TotpSecret};
    let mut member = StaffMember::new(
        StaffId::from_bytes(id(1)),
        OfficeCode::parse("1301").unwrap(),
        StaffLogin::parse("iidabashi.reviewer").unwrap(),
        "審査 太郎".into(),
        &[StaffRole::Reviewer],
        PasswordHash::new("$x$".into()),
    );
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.staff().insert(&member).await.unwrap();
    tx.commit().await.unwrap();
    let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
    let digests = vec![mypage_domain::values::Digest::from_hex("ab".repeat(32))];
    for step in 0..3 {
        let sf = member.second_factor_mut();
        match step {
            0 => sf.start_enrolment(secret.clone()).unwrap(),
            1 => sf.confirm_enrolment(55_000_000, digests.clone()).unwrap(),
            _ => sf.use_code(55_000_001).unwrap(),
        }
        let mut tx = s.uow.begin().await.unwrap();
        tx.staff().update(&member).await.unwrap();
        member.mark_saved();
        tx.commit().await.unwrap();
        let mut tx = s.uow.begin().await.unwrap();
        assert_eq!(tx.staff().get(member.id()).await.unwrap().unwrap(), member, "step {step}");
    }
    assert!(matches!(member.second_factor(), SecondFactorState::Enrolled { last_step: 55_000_001, .. }));
    member.second_factor_mut().reset();
    let mut tx = s.uow.begin().await.unwrap();
    tx.staff().update(&member).await.unwrap();
    member.mark_saved();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert_eq!(tx.staff().by_login(member.login()).await.unwrap().unwrap(), member);
}

// Counter corrections and office details (R12, R14).

/// A counter registration of `address` for a fresh establishment of office 1301.
async fn seed_counter_account(s: &Stores, n: u8, address: &str) -> Account {
    let mut tx = s.uow.begin().await.unwrap();
    if tx.offices().get(&OfficeCode::parse("1301").unwrap()).await.unwrap().is_none() {
        tx.offices().insert(&office("1301")).await.unwrap();
    }
    let e = establishment(n, &format!("1301-12345{n}-7"));
    tx.establishments().insert(&e).await.unwrap();
    let a = Account::registered_at_counter(AccountId::from_bytes(id(n)), email(address), e.id(), t0());
    tx.accounts().insert(&a).await.unwrap();
    tx.commit().await.unwrap();
    a
}

pub(crate) async fn accounts_are_removed_only_from_a_current_copy_and_free_their_email(s: Stores) {
    let a = seed_counter_account(&s, 1, "taro@example.jp").await;
    let mut tx = s.uow.begin().await.unwrap();
    let mut changed = tx.accounts().get(a.id()).await.unwrap().unwrap();
    changed.correct_email(email("jiro@example.jp")).unwrap();
    tx.accounts().update(&changed).await.unwrap();
    changed.mark_saved();
    let err = tx.accounts().remove(&a).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "a stale copy: {err:?}");
    tx.accounts().remove(&changed).await.unwrap();
    assert!(tx.accounts().get(a.id()).await.unwrap().is_none());
    let err = tx.accounts().remove(&changed).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "a removed account: {err:?}");
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    assert!(tx.accounts().by_email(&email("jiro@example.jp")).await.unwrap().is_none());
    tx.accounts().insert(&account(2, "jiro@example.jp")).await.unwrap();
}

pub(crate) async fn accounts_refuse_an_update_to_an_email_another_account_has(s: Stores) {
    let a = seed_counter_account(&s, 1, "taro@example.jp").await;
    seed_counter_account(&s, 2, "jiro@example.jp").await;
    let mut tx = s.uow.begin().await.unwrap();
    let mut a = tx.accounts().get(a.id()).await.unwrap().unwrap();
    a.correct_email(email("jiro@EXAMPLE.jp")).unwrap();
    let err = tx.accounts().update(&a).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::AccountEmail)), "{err:?}");
}

pub(crate) async fn offices_update_with_versions_and_keep_their_details_and_closing(s: Stores) {
    use mypage_domain::values::{OfficeDetails, OfficeDetailsInput};
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let code = OfficeCode::parse("1301").unwrap();
    let stale = tx.offices().get(&code).await.unwrap().unwrap();
    assert_eq!((stale.version(), stale.is_closed()), (0, false));
    let mut o = stale.clone();
    let details = OfficeDetails::parse(&OfficeDetailsInput {
        name: "ハローワーク飯田橋".into(),
        phone: "03-3812-8609".into(),
        address: "東京都文京区後楽1-9-20".into(),
        opening_hours: "月曜から金曜 8時30分から17時15分".into(),
        areas: None,
        notification_email: String::new(),
    })
    .unwrap();
    o.edit(&details);
    o.close(t0()).unwrap();
    tx.offices().update(&o).await.unwrap();
    o.mark_saved();
    tx.commit().await.unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let stored = tx.offices().get(&code).await.unwrap().unwrap();
    assert_eq!(stored, o);
    assert_eq!(
        (stored.address(), stored.opening_hours(), stored.closed_at(), stored.version()),
        (Some("東京都文京区後楽1-9-20"), Some("月曜から金曜 8時30分から17時15分"), Some(t0()), 1)
    );
    let err = tx.offices().update(&stale).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "a stale copy: {err:?}");
    let err = tx.offices().update(&office("2701")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "an office that is not stored: {err:?}");
}

pub(crate) async fn offices_keep_their_areas_in_order_and_an_edit_without_areas_keeps_them(s: Stores) {
    use mypage_domain::values::{OfficeAreaInput, OfficeDetails, OfficeDetailsInput};
    let code = OfficeCode::parse("1301").unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&office("1301")).await.unwrap();
    tx.commit().await.unwrap();
    assert!(s.uow.begin().await.unwrap().offices().get(&code).await.unwrap().unwrap().areas().is_empty());

    let lines = ["東京都 千代田区", "東京都 青ヶ島村", "東京都 八丈町"];
    let areas = lines.iter().map(|l| OfficeAreaInput::from_line(l)).collect();
    let input =
        OfficeDetailsInput {
            name: "ハローワーク飯田橋".into(), areas: Some(areas), ..OfficeDetailsInput::default()
        };
    let mut tx = s.uow.begin().await.unwrap();
    let mut o = tx.offices().get(&code).await.unwrap().unwrap();
    o.edit(&OfficeDetails::parse(&input).unwrap());
    tx.offices().update(&o).await.unwrap();
    o.mark_saved();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let mut stored = tx.offices().get(&code).await.unwrap().unwrap();
    assert_eq!(stored, o);
    let read: Vec<_> = stored.areas().iter().map(|a| format!("{} {}", a.prefecture(), a.municipality())).collect();
    assert_eq!(read, lines);
    assert!(tx.offices().all().await.unwrap()[0].serves("東京都", "青ヶ島村"));

    let keep = OfficeDetailsInput { name: "ハローワーク飯田橋".into(), ..OfficeDetailsInput::default() };
    stored.edit(&OfficeDetails::parse(&keep).unwrap());
    tx.offices().update(&stored).await.unwrap();
    tx.commit().await.unwrap();
    let again = s.uow.begin().await.unwrap().offices().get(&code).await.unwrap().unwrap();
    assert_eq!((again.areas().len(), again.version()), (3, 2));
}
