//! One test per case, walking it end to end through the use cases (SPEC, "The three registration cases").

use mypage_domain::model::{
    AccountStatus, ApplicationHistory, AuditAction, FlowPurpose, FlowState, RegistrationStatus,
};
use mypage_domain::usecases::{CounterRegistration, HistoryInput};
use mypage_domain::values::{EstablishmentNumber, TermsVersion};
use mypage_testkit::{TEST_PASSWORD, fixtures};

use crate::{EXISTING, World, client, secret, world};

#[tokio::test]
async fn case_a_counter_registration_then_terms_key_mail_and_password_make_an_active_account() {
    let w = world().await;
    let m = &w.kit.mypage;
    // R12: staff register the e-mail for the existing establishment.
    let registration = CounterRegistration { email: "saiyou@example.jp".into(), establishment_number: EXISTING.into() };
    let account = m.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    let before = w.kit.store.read(|t| t.account_by_email("saiyou@example.jp").cloned()).await.unwrap();
    assert_eq!(before.status(), AccountStatus::AwaitingPassword);
    assert!(before.password().is_none());

    // R1, R3, R7: terms agreed, the address entered, the key mailed.
    let requested = w.request(FlowPurpose::OpenMyPage, "saiyou@example.jp").await.unwrap();
    assert_eq!(w.kit.store.mail_codes_to("saiyou@example.jp").await, vec!["auth_key"]);
    let key = w.last_key("saiyou@example.jp").await;

    // R4, R5, R6: the same session enters the key and a password.
    let done = m.register_password(&World::entry(&requested.flow_token, &key), &client()).await.unwrap();
    assert_eq!(done.account, account);
    assert_eq!(done.status, AccountStatus::Active);
    let after = w.kit.store.read(|t| t.account_by_email("saiyou@example.jp").cloned()).await.unwrap();
    let establishment =
        w.kit.store.read(|t| t.establishments().find(|e| e.id() == after.establishment().unwrap()).cloned()).await;
    assert_eq!(*establishment.unwrap().number(), EstablishmentNumber::parse(EXISTING).unwrap());
    let consent = after.consent().unwrap();
    assert_eq!((consent.privacy_policy, consent.mypage_terms), (TermsVersion(1), TermsVersion(1)));
    let spent = w.kit.store.read(|t| t.flows().all(|f| f.state() == FlowState::Spent)).await;
    assert!(spent, "R6: the flow is spent");

    // R13: the completion screen leads to login, which works.
    let login = m.login("saiyou@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap();
    assert_eq!(login.account, account);

    // R15: every step left an audit event.
    let actions: Vec<AuditAction> = w.kit.store.read(|t| t.audit().iter().map(|e| e.action).collect()).await;
    for expected in [
        AuditAction::EmailRegisteredAtCounter,
        AuditAction::AuthKeyRequested,
        AuditAction::PasswordRegistered,
        AuditAction::LoginSucceeded,
    ] {
        assert!(actions.contains(&expected), "{expected:?} missing from {actions:?}");
    }
}

#[tokio::test]
async fn case_b_past_applicant_signs_up_files_a_job_offer_and_is_confirmed_against_its_establishment() {
    let w = world().await;
    let m = &w.kit.mypage;
    // Steps 1–2: terms, e-mail, key, password: a Provisional account.
    let requested = w.request(FlowPurpose::SignUp, "tanaka@example.co.jp").await.unwrap();
    let key = w.last_key("tanaka@example.co.jp").await;
    let done = m.register_password(&World::entry(&requested.flow_token, &key), &client()).await.unwrap();
    assert_eq!(done.status, AccountStatus::Provisional);
    let account = m.login("tanaka@example.co.jp", &secret(TEST_PASSWORD), &client()).await.unwrap().account;

    // Step 3: 過去に申し込んだことがある, with the number typed in full width.
    let history =
        HistoryInput::PastApplicant { establishment_number: "１３０１－１２３４５６－７".into() };
    let id = m.declare_history(account, &history, &client()).await.unwrap();
    // Step 4: the job offer, then the submission.
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    assert_eq!(m.submit_registration(account, &client()).await.unwrap(), id);
    assert!(w.kit.store.mail_codes_to("tanaka@example.co.jp").await.contains(&"registration_received"));
    // R10: it is in the queue of office 1301 only.
    assert_eq!(m.review_queue(w.reviewer).await.unwrap().len(), 1);
    assert!(m.review_queue(w.osaka_reviewer).await.unwrap().is_empty());

    // Step 5: 本登録 links the account to the existing establishment.
    let number = m.confirm_registration(w.reviewer, id, &client()).await.unwrap();
    assert_eq!(number.to_string(), EXISTING);
    let overview = m.overview(account).await.unwrap();
    assert_eq!(overview.account.status(), AccountStatus::Active);
    assert_eq!(*overview.establishment.unwrap().number(), number);
    assert!(matches!(overview.registration.unwrap().status(), RegistrationStatus::Confirmed { .. }));
    assert_eq!(w.kit.store.mail_codes_to("tanaka@example.co.jp").await.last(), Some(&"registration_confirmed"));
    assert!(m.review_queue(w.reviewer).await.unwrap().is_empty());
}

#[tokio::test]
async fn case_c_first_time_applicant_is_given_a_new_establishment_number_on_confirmation() {
    let w = world().await;
    let m = &w.kit.mypage;
    let account = w.kit.sign_up("hajimete@example.jp").await;
    // Step 3: 初めて申し込む, then establishment and job offer in one sitting.
    let id = m.declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &client()).await.unwrap();
    m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
    m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
    m.submit_registration(account, &client()).await.unwrap();
    let (registration, holder) = m.registration_for_review(w.reviewer, id).await.unwrap();
    assert_eq!(holder.id(), account);
    assert!(matches!(registration.history(), Some(ApplicationHistory::FirstTime { .. })));
    assert_eq!(registration.establishment().unwrap().name_kana, "カブシキガイシャ ハローテストセイサクショ");

    // Step 4: staff confirm; a new establishment with a new number under office 1301.
    let number = m.confirm_registration(w.reviewer, id, &client()).await.unwrap();
    assert_eq!(number.office().as_str(), "1301");
    assert_ne!(number.to_string(), EXISTING);
    let created = w.kit.store.read(|t| t.establishments().find(|e| *e.number() == number).cloned()).await.unwrap();
    assert_eq!(created.name(), "株式会社ハローテスト製作所");
    assert!(created.info().is_some());
    let overview = m.overview(account).await.unwrap();
    assert_eq!(overview.account.status(), AccountStatus::Active);
    assert_eq!(overview.account.establishment(), Some(created.id()));
    let confirmed = w.kit.store.read_outbox(|mails| {
        mails.iter().any(|r| {
            matches!(&r.mail.template,
            mypage_domain::model::MailTemplate::RegistrationConfirmed { number: n, .. } if *n == number)
        })
    });
    assert!(confirmed.await, "R11: the mail carries the new number");
}
