//! Setting and resetting passwords with a key: R5 (rule, hashing), R6 (single use), R17 (reset).

use mypage_domain::DomainConfig;
use mypage_domain::model::{AccountStatus, FlowPurpose};
use mypage_domain::usecases::{
    CounterRegistration, KeyRedemptionError, PasswordEntry, RegisterPasswordError, ResetPasswordError,
};
use mypage_domain::values::{PasswordPolicy, PasswordPolicyError};
use mypage_testkit::TEST_PASSWORD;

use crate::{EXISTING, World, client, secret, world, world_with};

fn with_password(entry: PasswordEntry, password: &str, confirmation: &str) -> PasswordEntry {
    PasswordEntry { password: secret(password), confirmation: secret(confirmation), ..entry }
}

#[tokio::test]
async fn r5_a_password_against_the_rule_is_refused_without_spending_a_key_attempt() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "yamada@example.jp").await.unwrap();
    let key = w.last_key("yamada@example.jp").await;
    let m = &w.kit.mypage;
    for (password, confirmation, expected) in [
        ("a1!", "a1!", PasswordPolicyError::TooShort { min: 8 }),
        ("abcdefgh!", "abcdefgh!", PasswordPolicyError::MissingDigit),
        ("Yamada#2026", "Yamada#2026", PasswordPolicyError::ContainsEmail),
        ("Kaisha#2026", "Kaisha#2025", PasswordPolicyError::ConfirmationMismatch),
    ] {
        let entry = with_password(World::entry(&requested.flow_token, "WRONGKEY22"), password, confirmation);
        let err = m.register_password(&entry, &client()).await.unwrap_err();
        assert!(matches!(err, RegisterPasswordError::Password(e) if e.all() == [expected]), "{password}");
    }
    assert_eq!(w.kit.store.read(|t| t.flows().map(|f| f.wrong_attempts()).sum::<u8>()).await, 0);
    assert!(m.register_password(&World::entry(&requested.flow_token, &key), &client()).await.is_ok());
}

#[tokio::test]
async fn r5_every_refusal_of_a_password_is_reported_at_once_and_full_width_is_refused() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "zenkaku@example.jp").await.unwrap();
    let key = w.last_key("zenkaku@example.jp").await;
    let m = &w.kit.mypage;
    let entry = with_password(World::entry(&requested.flow_token, &key), "abc", "abd");
    let Err(RegisterPasswordError::Password(refused)) = m.register_password(&entry, &client()).await else {
        panic!("the password is refused");
    };
    assert_eq!(
        refused.all(),
        [
            PasswordPolicyError::TooShort { min: 8 },
            PasswordPolicyError::MissingDigit,
            PasswordPolicyError::MissingSymbol,
            PasswordPolicyError::ConfirmationMismatch
        ]
    );
    // Typed with the IME on: refused, not folded into a half-width password the employer never typed.
    let full = "Ｋａｉｓｈａ＃２０２６";
    let entry = with_password(World::entry(&requested.flow_token, &key), full, full);
    let Err(RegisterPasswordError::Password(refused)) = m.register_password(&entry, &client()).await else {
        panic!("a full-width password is refused");
    };
    assert_eq!(refused.all(), [PasswordPolicyError::NotHalfWidth]);
    assert!(m.register_password(&World::entry(&requested.flow_token, &key), &client()).await.is_ok());
}

#[tokio::test]
async fn r5_the_nist_profile_accepts_a_long_passphrase_without_symbols() {
    let w = world_with(DomainConfig { password_policy: PasswordPolicy::Nist, ..DomainConfig::default() }).await;
    let requested = w.request(FlowPurpose::SignUp, "nist@example.jp").await.unwrap();
    let key = w.last_key("nist@example.jp").await;
    let phrase = "correct horse battery staple in tokyo";
    let entry = with_password(World::entry(&requested.flow_token, &key), phrase, phrase);
    assert!(w.kit.mypage.register_password(&entry, &client()).await.is_ok());
    assert!(w.kit.mypage.login("nist@example.jp", &secret(phrase), &client()).await.is_ok());
}

#[tokio::test]
async fn r5_the_password_is_stored_only_as_a_hash() {
    let w = world().await;
    w.kit.sign_up("hash@example.jp").await;
    let stored =
        w.kit.store.read(|t| t.account_by_email("hash@example.jp").unwrap().password().cloned().unwrap()).await;
    assert!(stored.as_str().starts_with("$fast$"));
    assert!(!stored.as_str().contains(TEST_PASSWORD));
    assert!(!format!("{stored:?}").contains(stored.as_str()));
}

#[tokio::test]
async fn r6_a_key_cannot_be_used_twice() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "once@example.jp").await.unwrap();
    let key = w.last_key("once@example.jp").await;
    let entry = World::entry(&requested.flow_token, &key);
    w.kit.mypage.register_password(&entry, &client()).await.unwrap();
    let err = w.kit.mypage.register_password(&entry, &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::AlreadyUsed)));
}

#[tokio::test]
async fn r6_of_two_concurrent_redemptions_of_one_key_exactly_one_succeeds() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "race@example.jp").await.unwrap();
    let key = w.last_key("race@example.jp").await;
    let (a, b) = (World::entry(&requested.flow_token, &key), World::entry(&requested.flow_token, &key));
    let c = client();
    let (ra, rb) = tokio::join!(w.kit.mypage.register_password(&a, &c), w.kit.mypage.register_password(&b, &c));
    assert_eq!(usize::from(ra.is_ok()) + usize::from(rb.is_ok()), 1);
    let loser = if ra.is_ok() { rb } else { ra };
    assert!(matches!(loser, Err(RegisterPasswordError::Key(KeyRedemptionError::AlreadyUsed))));
    assert_eq!(w.kit.store.read(|t| t.accounts().count()).await, 1);
}

#[tokio::test]
async fn r6_a_concurrent_writer_that_spent_the_flow_first_makes_the_key_already_used() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "race@example.jp").await.unwrap();
    let key = w.last_key("race@example.jp").await;
    w.kit.store.inject(mypage_testkit::Fault::Conflict);
    let err = w.kit.mypage.register_password(&World::entry(&requested.flow_token, &key), &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::AlreadyUsed)));
    assert_eq!(w.kit.store.read(|t| t.accounts().count()).await, 0);
}

#[tokio::test]
async fn r12_an_address_registered_at_the_counter_during_a_sign_up_cannot_open_a_second_account() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "both@example.jp").await.unwrap();
    let key = w.last_key("both@example.jp").await;
    let registration = CounterRegistration { email: "both@example.jp".into(), establishment_number: EXISTING.into() };
    w.kit.mypage.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    let err = w.kit.mypage.register_password(&World::entry(&requested.flow_token, &key), &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::EmailTaken));
}

#[tokio::test]
async fn r17_a_forgotten_password_is_reset_with_a_key_and_the_employer_is_told() {
    let w = world().await;
    w.active_account("forgot@example.jp").await;
    let requested = w.request(FlowPurpose::ResetPassword, "forgot@example.jp").await.unwrap();
    let key = w.last_key("forgot@example.jp").await;
    let entry = with_password(World::entry(&requested.flow_token, &key), "Atarashii#77", "Atarashii#77");
    let done = w.kit.mypage.reset_password(&entry, &client()).await.unwrap();
    assert_eq!(done.status, AccountStatus::Active);
    assert_eq!(w.kit.store.mail_codes_to("forgot@example.jp").await.last(), Some(&"password_changed"));
    // The notice names the office of jurisdiction of the account's establishment, with its phone, to call if the
    // change was not the employer's own.
    let office = w
        .kit
        .store
        .read_outbox(|mails| match &mails.last().map(|m| &m.mail.template) {
            Some(mypage_domain::model::MailTemplate::PasswordChanged { office_name, office_phone, .. }) => {
                Some((office_name.clone(), office_phone.clone()))
            }
            _ => None,
        })
        .await;
    assert_eq!(office, Some((Some("ハローワーク飯田橋".to_owned()), Some("03-0000-0000".to_owned()))));
    assert!(w.kit.mypage.login("forgot@example.jp", &secret("Atarashii#77"), &client()).await.is_ok());
    assert!(w.kit.mypage.login("forgot@example.jp", &secret(TEST_PASSWORD), &client()).await.is_err());
}

#[tokio::test]
async fn r17_a_reset_applies_the_same_key_and_password_rules() {
    let w = world().await;
    w.active_account("forgot@example.jp").await;
    let requested = w.request(FlowPurpose::ResetPassword, "forgot@example.jp").await.unwrap();
    let key = w.last_key("forgot@example.jp").await;
    let weak = with_password(World::entry(&requested.flow_token, &key), "short", "short");
    let err = w.kit.mypage.reset_password(&weak, &client()).await.unwrap_err();
    assert!(
        matches!(err, ResetPasswordError::Password(e) if matches!(e.first(), PasswordPolicyError::TooShort { .. }))
    );
    let err =
        w.kit.mypage.reset_password(&World::entry(&requested.flow_token, "ZZZZZ22222"), &client()).await.unwrap_err();
    assert!(matches!(err, ResetPasswordError::Key(KeyRedemptionError::WrongKey { remaining: 4 })));
}

#[tokio::test]
async fn r17_a_reset_flow_cannot_be_used_on_the_registration_screen_nor_the_reverse() {
    let w = world().await;
    w.active_account("forgot@example.jp").await;
    let reset = w.request(FlowPurpose::ResetPassword, "forgot@example.jp").await.unwrap();
    let key = w.last_key("forgot@example.jp").await;
    let err = w.kit.mypage.register_password(&World::entry(&reset.flow_token, &key), &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowNotFound)));
    let signup = w.request(FlowPurpose::SignUp, "fresh@example.jp").await.unwrap();
    let key = w.last_key("fresh@example.jp").await;
    let err = w.kit.mypage.reset_password(&World::entry(&signup.flow_token, &key), &client()).await.unwrap_err();
    assert!(matches!(err, ResetPasswordError::Key(KeyRedemptionError::FlowNotFound)));
}

#[tokio::test]
async fn r17_an_address_still_waiting_for_its_first_password_gets_a_notice_not_a_reset_key() {
    let w = world().await;
    let registration =
        CounterRegistration { email: "waiting@example.jp".into(), establishment_number: EXISTING.into() };
    w.kit.mypage.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    w.request(FlowPurpose::ResetPassword, "waiting@example.jp").await.unwrap();
    assert_eq!(w.kit.store.mail_codes_to("waiting@example.jp").await, vec!["account_notice"]);
}

#[tokio::test]
async fn a_failed_commit_keeps_nothing_and_the_same_key_works_on_retry() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "retry@example.jp").await.unwrap();
    let key = w.last_key("retry@example.jp").await;
    let entry = World::entry(&requested.flow_token, &key);
    w.kit.store.fail_next_commits(1);
    let err = w.kit.mypage.register_password(&entry, &client()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Infrastructure(_)));
    assert_eq!(w.kit.store.read(|t| t.accounts().count()).await, 0);
    assert!(w.kit.mypage.register_password(&entry, &client()).await.is_ok());
}

#[tokio::test]
async fn a_failed_commit_of_a_reset_is_reported_and_keeps_the_old_password() {
    let w = world().await;
    w.active_account("forgot@example.jp").await;
    let requested = w.request(FlowPurpose::ResetPassword, "forgot@example.jp").await.unwrap();
    let key = w.last_key("forgot@example.jp").await;
    let entry = with_password(World::entry(&requested.flow_token, &key), "Atarashii#77", "Atarashii#77");
    w.kit.store.fail_next_commits(1);
    assert!(matches!(w.kit.mypage.reset_password(&entry, &client()).await, Err(ResetPasswordError::Infrastructure(_))));
    assert!(w.kit.mypage.login("forgot@example.jp", &secret(TEST_PASSWORD), &client()).await.is_ok());
}
