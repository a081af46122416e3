//! R19, the account's care: changing the password and the address, the sessions, closing the account.

use chrono::Duration;
use mypage_domain::model::{AccountStatus, AuditAction, ClientInfo, FlowPurpose, MailTemplate, RegistrationStatus};
use mypage_domain::ports::{Clock, Digest, Session, SessionStore, SessionSubject};
use mypage_domain::usecases::{
    ChangePasswordError, CloseAccountError, ConfirmEmailChangeError, CounterRegistration, CurrentPasswordError,
    EndSessionError, KeyRedemptionError, LoginError, RequestEmailChangeError,
};
use mypage_testkit::TEST_PASSWORD;
use secrecy::SecretString;

use crate::{World, client, secret, world};

const NEW: &str = "Atarashii#Pass77";

async fn open(w: &World, hex: &str, subject: SessionSubject) -> Digest {
    let now = w.kit.clock.now();
    let session = Session {
        id: Digest::from_hex(hex.into()),
        subject,
        data: "{}".into(),
        created_at: now,
        expires_at: now + Duration::hours(8),
        idle_expires_at: now + Duration::minutes(30),
        last_used_at: now,
        client: ClientInfo { ip: None, user_agent: Some(format!("agent {hex}")) },
    };
    w.kit.store.save(&session).await.unwrap();
    session.id
}

async fn live(w: &World, id: &Digest) -> bool {
    w.kit.store.load(id, w.kit.clock.now()).await.unwrap().is_some()
}

async fn audited(w: &World, action: AuditAction) -> usize {
    w.kit.store.read(|t| t.audit().iter().filter(|e| e.action == action).count()).await
}

fn pw() -> SecretString {
    secret(TEST_PASSWORD)
}

#[tokio::test]
async fn r19_a_password_change_needs_the_current_one_mails_audits_and_ends_every_session() {
    let w = world().await;
    let account = w.active_account("taro@example.jp").await;
    let other = w.active_account("other@example.jp").await;
    let mine = open(&w, "aa01", SessionSubject::Employer(account)).await;
    let theirs = open(&w, "aa02", SessionSubject::Employer(other)).await;
    let m = &w.kit.mypage;
    m.change_password(account, &pw(), &secret(NEW), &secret(NEW), &client()).await.unwrap();
    assert!(!live(&w, &mine).await, "every session of the account ends");
    assert!(live(&w, &theirs).await, "another account's session stays");
    assert_eq!(audited(&w, AuditAction::PasswordChanged).await, 1);
    let how = w
        .kit
        .store
        .read_outbox(|mails| {
            mails.iter().rev().find_map(|m| match &m.mail.template {
                MailTemplate::PasswordChanged { how, .. } => Some(*how),
                _ => None,
            })
        })
        .await;
    assert_eq!(how, Some(mypage_domain::model::PasswordChange::ChangedWhileLoggedIn));
    assert!(matches!(m.login("taro@example.jp", &pw(), &client()).await, Err(LoginError::InvalidCredentials)));
    assert!(m.login("taro@example.jp", &secret(NEW), &client()).await.is_ok());
}

#[tokio::test]
async fn r19_a_wrong_current_password_is_refused_and_throttled_like_a_login() {
    let w = world().await;
    let account = w.active_account("taro@example.jp").await;
    let m = &w.kit.mypage;
    for _ in 0..5 {
        let refused = m.change_password(account, &secret("Wrong#Pass123"), &secret(NEW), &secret(NEW), &client()).await;
        assert!(matches!(refused, Err(ChangePasswordError::Current(CurrentPasswordError::WrongPassword))));
    }
    let refused = m.change_password(account, &pw(), &secret(NEW), &secret(NEW), &client()).await;
    assert!(
        matches!(refused, Err(ChangePasswordError::Current(CurrentPasswordError::Throttled { .. }))),
        "the account's login-failure limit holds even for the right password: {refused:?}"
    );
    assert!(matches!(m.login("taro@example.jp", &pw(), &client()).await, Err(LoginError::Throttled { .. })));
    assert_eq!(audited(&w, AuditAction::PasswordChanged).await, 0);
}

#[tokio::test]
async fn r19_r5_a_new_password_is_held_to_the_rule_of_registration() {
    let w = world().await;
    let account = w.active_account("yamadataro@example.jp").await;
    let m = &w.kit.mypage;
    let refused = m.change_password(account, &pw(), &secret("short"), &secret("short"), &client()).await;
    assert!(matches!(refused, Err(ChangePasswordError::Password(_))), "{refused:?}");
    let refused = m.change_password(account, &pw(), &secret(NEW), &secret("Atarashii#Pass78"), &client()).await;
    assert!(matches!(refused, Err(ChangePasswordError::Password(_))), "the confirmation differs");
    let local = "Yamadataro#2026x";
    let refused = m.change_password(account, &pw(), &secret(local), &secret(local), &client()).await;
    assert!(matches!(refused, Err(ChangePasswordError::Password(_))), "it contains the address's local part");
}

async fn change_to(w: &World, account: mypage_domain::model::AccountId, new: &str) -> SecretString {
    w.kit.mypage.request_email_change(account, &pw(), new, &client()).await.unwrap().flow_token
}

#[tokio::test]
async fn r19_an_address_change_mails_a_key_to_the_new_address_and_a_notice_to_the_old() {
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    let token = change_to(&w, account, "new@example.jp").await;
    assert_eq!(audited(&w, AuditAction::EmailChangeRequested).await, 1);
    let key = w.last_key("new@example.jp").await;
    let m = &w.kit.mypage;
    let changed = m.confirm_email_change(account, &token, &secret(&key), &client()).await.unwrap();
    assert_eq!(changed.email.as_str(), "new@example.jp");
    assert_eq!(audited(&w, AuditAction::EmailChanged).await, 1);
    let old = w.kit.store.mail_codes_to("old@example.jp").await;
    assert_eq!(old.last(), Some(&"email_changed"), "the old address is told: {old:?}");
    let new = w.kit.store.mail_codes_to("new@example.jp").await;
    assert_eq!(new.last(), Some(&"email_change_confirmed"));
    assert!(m.login("new@example.jp", &pw(), &client()).await.is_ok());
    assert!(m.login("old@example.jp", &pw(), &client()).await.is_err());
    let again = m.confirm_email_change(account, &token, &secret(&key), &client()).await;
    assert!(matches!(again, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::AlreadyUsed))), "single use");
}

#[tokio::test]
async fn r19_r4_an_address_change_key_works_only_in_its_flow_and_dies_after_five_wrong_keys() {
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    let other = w.active_account("other@example.jp").await;
    let token = change_to(&w, account, "new@example.jp").await;
    let key = w.last_key("new@example.jp").await;
    let m = &w.kit.mypage;
    let elsewhere = m.confirm_email_change(account, &secret("another-session"), &secret(&key), &client()).await;
    assert!(matches!(elsewhere, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::FlowNotFound))));
    let by_other = m.confirm_email_change(other, &token, &secret(&key), &client()).await;
    assert!(matches!(by_other, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::FlowNotFound))));
    let reset = w.request(FlowPurpose::ResetPassword, "old@example.jp").await.unwrap();
    let in_reset = m.confirm_email_change(account, &reset.flow_token, &secret(&key), &client()).await;
    assert!(matches!(in_reset, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::FlowNotFound))), "a reset flow");
    for remaining in (1..=4).rev() {
        let wrong = m.confirm_email_change(account, &token, &secret("AAAAA-AAAAA"), &client()).await;
        assert!(
            matches!(wrong, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::WrongKey { remaining: r })) if r == remaining),
            "{wrong:?}"
        );
    }
    let fifth = m.confirm_email_change(account, &token, &secret("AAAAA-AAAAA"), &client()).await;
    assert!(matches!(fifth, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::TooManyWrongKeys))));
    let dead = m.confirm_email_change(account, &token, &secret(&key), &client()).await;
    assert!(matches!(dead, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::FlowDead(_)))));
    let still = w.kit.store.read(|t| t.account_by_email("old@example.jp").map(|a| a.id())).await;
    assert_eq!(still, Some(account), "the address did not change");
}

#[tokio::test]
async fn r19_r8_a_change_to_an_address_with_an_account_reveals_nothing_and_tells_its_owner() {
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    w.active_account("taken@example.jp").await;
    let m = &w.kit.mypage;
    let requested = m.request_email_change(account, &pw(), "taken@example.jp", &client()).await.unwrap();
    assert_eq!(requested.sent.email.as_str(), "taken@example.jp", "the same answer as for a free address");
    let codes = w.kit.store.mail_codes_to("taken@example.jp").await;
    assert_eq!(codes.last(), Some(&"account_notice"), "the owner is told, and no key is sent: {codes:?}");
    let guess = m.confirm_email_change(account, &requested.flow_token, &secret("AAAAA-AAAAA"), &client()).await;
    assert!(matches!(guess, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::WrongKey { .. }))));
    let same = m.request_email_change(account, &pw(), "old@EXAMPLE.jp", &client()).await;
    assert!(matches!(same, Err(RequestEmailChangeError::SameEmail)), "{same:?}");
    let wrong = m.request_email_change(account, &secret("Wrong#Pass123"), "x@example.jp", &client()).await;
    assert!(matches!(wrong, Err(RequestEmailChangeError::Current(CurrentPasswordError::WrongPassword))));
}

#[tokio::test]
async fn r12_r19_an_address_taken_while_its_key_was_in_the_mail_ends_in_a_clear_error_with_nothing_written() {
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    let token = change_to(&w, account, "race@example.jp").await;
    let key = w.last_key("race@example.jp").await;
    w.kit.sign_up("race@example.jp").await;
    let mails = w.kit.store.mail_count().await;
    let m = &w.kit.mypage;
    let raced = m.confirm_email_change(account, &token, &secret(&key), &client()).await;
    assert!(matches!(raced, Err(ConfirmEmailChangeError::EmailTaken)), "{raced:?}");
    assert_eq!(w.kit.store.mail_count().await, mails, "no mail queued");
    assert_eq!(audited(&w, AuditAction::EmailChanged).await, 0);
    assert!(m.login("old@example.jp", &pw(), &client()).await.is_ok(), "the account keeps its address");
}

#[tokio::test]
async fn r19_sessions_are_listed_and_ended_one_by_one_or_all_but_this_one() {
    let w = world().await;
    let account = w.active_account("taro@example.jp").await;
    let other = w.active_account("other@example.jp").await;
    let first = open(&w, "ab01", SessionSubject::Employer(account)).await;
    w.kit.clock.advance(Duration::minutes(1));
    let second = open(&w, "ab02", SessionSubject::Employer(account)).await;
    w.kit.clock.advance(Duration::minutes(1));
    let third = open(&w, "ab03", SessionSubject::Employer(account)).await;
    let theirs = open(&w, "ab04", SessionSubject::Employer(other)).await;
    let m = &w.kit.mypage;
    let listed = m.sessions(account).await.unwrap();
    let handles: Vec<&str> = listed.iter().map(|s| s.handle.as_str()).collect();
    assert_eq!(handles, ["ab03", "ab02", "ab01"], "newest first, named by their digest's prefix");
    assert_eq!(listed[0].client.user_agent.as_deref(), Some("agent ab03"));
    let foreign = m.end_session(account, "ab04", &client()).await;
    assert!(matches!(foreign, Err(EndSessionError::NotFound)), "another account's session is not ours to end");
    assert!(live(&w, &theirs).await);
    m.end_session(account, "ab02", &client()).await.unwrap();
    assert!(!live(&w, &second).await);
    assert_eq!(audited(&w, AuditAction::SessionEnded).await, 1);
    assert_eq!(m.end_other_sessions(account, "ab03", &client()).await.unwrap(), 1);
    assert!(!live(&w, &first).await && live(&w, &third).await, "only this one stays");
    assert!(live(&w, &theirs).await);
    assert_eq!(audited(&w, AuditAction::SessionsEnded).await, 1);
    // Each ending is told to the account's address, with how many; nothing is mailed when none ended.
    let told = w
        .kit
        .store
        .read_outbox(|mails| {
            mails
                .iter()
                .filter_map(|m| match &m.mail.template {
                    MailTemplate::SessionsEnded { ended, .. } => Some((m.mail.to.as_str().to_owned(), *ended)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .await;
    assert_eq!(told, [("taro@example.jp".to_owned(), 1), ("taro@example.jp".to_owned(), 1)]);
    assert_eq!(m.end_other_sessions(account, "ab03", &client()).await.unwrap(), 0);
    assert_eq!(
        w.kit.store.mail_codes_to("taro@example.jp").await.iter().filter(|c| **c == "sessions_ended").count(),
        2
    );
}

#[tokio::test]
async fn r19_closing_withdraws_the_pending_registration_ends_the_sessions_and_frees_the_address() {
    let w = world().await;
    let account = w.submitted_first_timer("closing@example.jp", "1301").await;
    let registration = w.registration_of(account).await;
    let session = open(&w, "cd01", SessionSubject::Employer(account)).await;
    let m = &w.kit.mypage;
    assert_eq!(m.review_queue(w.reviewer).await.unwrap().len(), 1);
    let wrong = m.close_account(account, &secret("Wrong#Pass123"), &client()).await;
    assert!(matches!(wrong, Err(CloseAccountError::Current(CurrentPasswordError::WrongPassword))));
    m.close_account(account, &pw(), &client()).await.unwrap();
    assert!(!live(&w, &session).await);
    assert!(m.review_queue(w.reviewer).await.unwrap().is_empty(), "it left the office's queue");
    let (status, kept) = w
        .kit
        .store
        .read(|t| {
            let r = t.registrations().find(|r| r.id() == registration).map(|r| r.status().clone());
            (r, t.accounts().find(|a| a.id() == account).map(|a| a.status()))
        })
        .await;
    assert_eq!(status, Some(RegistrationStatus::Withdrawn));
    assert_eq!(kept, Some(AccountStatus::Closed), "the account stays for the office's records");
    assert_eq!(audited(&w, AuditAction::RegistrationWithdrawn).await, 1);
    assert_eq!(audited(&w, AuditAction::AccountClosed).await, 1);
    let codes = w.kit.store.mail_codes_to("closing@example.jp").await;
    assert_eq!(codes.last(), Some(&"account_closed"));
    assert!(matches!(m.login("closing@example.jp", &pw(), &client()).await, Err(LoginError::InvalidCredentials)));
    let again = m.close_account(account, &pw(), &client()).await;
    assert!(matches!(again, Err(CloseAccountError::Current(CurrentPasswordError::NotLoggedIn))));
    // Case B: the address signs up again.
    let reopened = w.kit.sign_up("closing@example.jp").await;
    assert_ne!(reopened, account);
    assert!(m.login("closing@example.jp", &pw(), &client()).await.is_ok());
}

#[tokio::test]
async fn r12_r19_a_closed_accounts_address_can_be_registered_at_the_counter_and_asks_for_a_key_as_unknown() {
    let w = world().await;
    let account = w.active_account("counter@example.jp").await;
    let m = &w.kit.mypage;
    m.close_account(account, &pw(), &client()).await.unwrap();
    let before = w.kit.store.mail_codes_to("counter@example.jp").await.len();
    w.request(FlowPurpose::ResetPassword, "counter@example.jp").await.unwrap();
    let codes = w.kit.store.mail_codes_to("counter@example.jp").await;
    assert_eq!(codes.get(before), Some(&"withheld"), "a reset for a closed account's address mails nothing: {codes:?}");
    let registration =
        CounterRegistration { email: "counter@example.jp".into(), establishment_number: crate::EXISTING.into() };
    m.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    let requested = w.request(FlowPurpose::OpenMyPage, "counter@example.jp").await.unwrap();
    let key = w.last_key("counter@example.jp").await;
    let opened = m.register_password(&World::entry(&requested.flow_token, &key), &client()).await.unwrap();
    assert_ne!(opened.account, account, "case A opens a new account with the address");
    assert_eq!(opened.status, AccountStatus::Active);
}

#[tokio::test]
async fn r19_a_store_of_sessions_never_ends_a_session_named_by_another_account() {
    let w = world().await;
    let account = w.active_account("taro@example.jp").await;
    let other = w.active_account("jiro@example.jp").await;
    let theirs = open(&w, "ef01", SessionSubject::Employer(other)).await;
    let store: &dyn SessionStore = &w.kit.store;
    assert!(!store.end(SessionSubject::Employer(account), &theirs).await.unwrap());
    assert!(live(&w, &theirs).await);
}

#[tokio::test]
async fn r15_r19_every_step_of_the_care_is_in_the_accounts_audit_trail_with_its_client() {
    let w = world().await;
    let account = w.active_account("trail@example.jp").await;
    open(&w, "fa01", SessionSubject::Employer(account)).await;
    open(&w, "fa02", SessionSubject::Employer(account)).await;
    let m = &w.kit.mypage;
    m.end_session(account, "fa01", &client()).await.unwrap();
    m.end_other_sessions(account, "fa02", &client()).await.unwrap();
    m.change_password(account, &pw(), &secret(NEW), &secret(NEW), &client()).await.unwrap();
    let token = m.request_email_change(account, &secret(NEW), "trail2@example.jp", &client()).await.unwrap().flow_token;
    let key = w.last_key("trail2@example.jp").await;
    m.confirm_email_change(account, &token, &secret(&key), &client()).await.unwrap();
    m.close_account(account, &secret(NEW), &client()).await.unwrap();
    let subject = format!("account:{account}");
    let trail: Vec<AuditAction> = w
        .kit
        .store
        .read(|t| t.audit().iter().filter(|e| e.subject == subject && e.client == client()).map(|e| e.action).collect())
        .await;
    let care: Vec<AuditAction> = trail
        .into_iter()
        .filter(|a| {
            matches!(
                a,
                AuditAction::SessionEnded
                    | AuditAction::SessionsEnded
                    | AuditAction::PasswordChanged
                    | AuditAction::EmailChangeRequested
                    | AuditAction::EmailChanged
                    | AuditAction::AccountClosed
            )
        })
        .collect();
    assert_eq!(
        care,
        [
            AuditAction::SessionEnded,
            AuditAction::SessionsEnded,
            AuditAction::PasswordChanged,
            AuditAction::EmailChangeRequested,
            AuditAction::EmailChanged,
            AuditAction::AccountClosed,
        ]
    );
}

#[tokio::test]
async fn r19_r3_an_address_change_key_expires_and_a_resent_one_still_works_until_its_own_expiry() {
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    let token = change_to(&w, account, "new@example.jp").await;
    let first = w.last_key("new@example.jp").await;
    let m = &w.kit.mypage;
    w.kit.clock.advance(Duration::minutes(20));
    m.resend_email_change_key(account, &token, &client()).await.unwrap();
    let second = w.last_key("new@example.jp").await;
    assert_ne!(first, second);
    w.kit.clock.advance(Duration::minutes(15));
    let late = m.confirm_email_change(account, &token, &secret(&first), &client()).await;
    assert!(matches!(late, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::KeyExpired))), "{late:?}");
    m.confirm_email_change(account, &token, &secret(&second), &client()).await.unwrap();
    let expired = change_to(&w, account, "newer@example.jp").await;
    let key = w.last_key("newer@example.jp").await;
    w.kit.clock.advance(Duration::minutes(31));
    let dead = m.confirm_email_change(account, &expired, &secret(&key), &client()).await;
    assert!(matches!(dead, Err(ConfirmEmailChangeError::Key(KeyRedemptionError::KeyExpired))), "{dead:?}");
}

#[tokio::test]
async fn r19_r15_a_change_key_is_resent_only_for_its_own_account_and_audited_as_the_employers() {
    use mypage_domain::model::Actor;
    use mypage_domain::usecases::ResendAuthKeyError;
    let w = world().await;
    let account = w.active_account("old@example.jp").await;
    let other = w.active_account("other@example.jp").await;
    let token = change_to(&w, account, "new@example.jp").await;
    let m = &w.kit.mypage;
    let anonymous = m.resend_auth_key(&token, &client()).await;
    assert!(matches!(anonymous, Err(ResendAuthKeyError::FlowNotFound)), "not through the visitors' resend");
    let by_other = m.resend_email_change_key(other, &token, &client()).await;
    assert!(matches!(by_other, Err(ResendAuthKeyError::FlowNotFound)), "not by another account");
    let reset = w.request(FlowPurpose::ResetPassword, "old@example.jp").await.unwrap();
    let reset_as_change = m.resend_email_change_key(account, &reset.flow_token, &client()).await;
    assert!(matches!(reset_as_change, Err(ResendAuthKeyError::FlowNotFound)), "a reset flow is a visitor's");
    assert_eq!(audited(&w, AuditAction::AuthKeyResent).await, 0, "nothing refused was recorded");

    let sent = m.resend_email_change_key(account, &token, &client()).await.unwrap();
    assert_eq!(sent.email.as_str(), "new@example.jp");
    let actors: Vec<Actor> = w
        .kit
        .store
        .read(|t| t.audit().iter().filter(|e| e.action == AuditAction::AuthKeyResent).map(|e| e.actor).collect())
        .await;
    assert_eq!(actors, [Actor::Employer(account)], "the resend is the employer's (R15)");
    assert_eq!(w.kit.store.mail_codes_to("new@example.jp").await, ["auth_key", "auth_key"]);
}
