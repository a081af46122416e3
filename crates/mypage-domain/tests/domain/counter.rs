//! Counter registration of an address for an existing establishment (R12).

use mypage_domain::model::AccountStatus;
use mypage_domain::usecases::{CounterRegistration, CounterRegistrationError};
use mypage_domain::values::{EmailAddressError, EstablishmentNumberError};

use crate::{EXISTING, OSAKA, client, world};

fn registration(email: &str, number: &str) -> CounterRegistration {
    CounterRegistration { email: email.into(), establishment_number: number.into() }
}

#[tokio::test]
async fn r12_staff_register_an_address_that_then_waits_for_its_password() {
    let w = world().await;
    let id = w
        .kit
        .mypage
        .register_email_at_counter(w.counter, &registration(" Saiyou@Example.JP ", EXISTING), &client())
        .await
        .unwrap();
    let account = w.kit.store.read(|t| t.account_by_email("Saiyou@example.jp").cloned()).await.unwrap();
    assert_eq!(account.id(), id);
    assert_eq!(account.status(), AccountStatus::AwaitingPassword);
    assert_eq!(account.email().as_str(), "Saiyou@example.jp");
}

#[tokio::test]
async fn r12_one_account_per_address_but_several_accounts_per_establishment() {
    let w = world().await;
    let m = &w.kit.mypage;
    m.register_email_at_counter(w.counter, &registration("a@example.jp", EXISTING), &client()).await.unwrap();
    m.register_email_at_counter(w.counter, &registration("b@example.jp", EXISTING), &client()).await.unwrap();
    let err =
        m.register_email_at_counter(w.counter, &registration("a@EXAMPLE.jp", EXISTING), &client()).await.unwrap_err();
    assert!(matches!(err, CounterRegistrationError::EmailTaken));
    let count = w.kit.store.read(|t| t.accounts().count()).await;
    assert_eq!(count, 2);
}

#[tokio::test]
async fn r12_the_address_and_the_number_are_checked() {
    let w = world().await;
    let m = &w.kit.mypage;
    let err =
        m.register_email_at_counter(w.counter, &registration("no-at-sign", EXISTING), &client()).await.unwrap_err();
    assert!(matches!(err, CounterRegistrationError::InvalidEmail(EmailAddressError::MissingAt)));
    let err = m
        .register_email_at_counter(w.counter, &registration("a@example.jp", "1301-ABCDEF-7"), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, CounterRegistrationError::InvalidEstablishmentNumber(EstablishmentNumberError::NotDigits)));
    let err = m
        .register_email_at_counter(w.counter, &registration("a@example.jp", "1301-000000-1"), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, CounterRegistrationError::EstablishmentNotFound));
}

#[tokio::test]
async fn r14_counter_staff_register_addresses_for_their_own_office_only() {
    let w = world().await;
    let err = w
        .kit
        .mypage
        .register_email_at_counter(w.counter, &registration("a@example.jp", OSAKA), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, CounterRegistrationError::OutsideOffice));
}

#[tokio::test]
async fn r12_a_registration_that_cannot_be_stored_is_reported() {
    let w = world().await;
    w.kit.store.fail_next_commits(1);
    let err = w
        .kit
        .mypage
        .register_email_at_counter(w.counter, &registration("a@example.jp", EXISTING), &client())
        .await
        .unwrap_err();
    assert!(matches!(err, CounterRegistrationError::Infrastructure(_)));
    assert_eq!(w.kit.store.read(|t| t.accounts().count()).await, 0);
}
