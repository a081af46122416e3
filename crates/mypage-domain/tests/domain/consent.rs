//! R1: a newer version of the terms is agreed to at the next login, before anything else, and recorded.

use mypage_domain::model::{AuditAction, ClientInfo};
use mypage_domain::usecases::{AdminActor, AgreeTermsError};
use mypage_domain::values::{ConsentInput, TermsConsentError, TermsKind, TermsVersion};
use mypage_testkit::TEST_PASSWORD;

use crate::{client, secret, world};

#[tokio::test]
async fn r1_a_new_terms_version_is_agreed_to_at_the_next_login_and_recorded() {
    let w = world().await;
    let account = w.active_account("saiyou@example.jp").await;
    let m = &w.kit.mypage;
    let pw = secret(TEST_PASSWORD);
    assert!(!m.login("saiyou@example.jp", &pw, &client()).await.unwrap().must_agree_terms);
    assert!(m.terms_to_agree(account).await.unwrap().is_none());

    m.publish_terms(AdminActor::System, TermsKind::MyPageTerms, "（改定後の本文）", &ClientInfo::system())
        .await
        .unwrap();
    let logged_in = m.login("saiyou@example.jp", &pw, &client()).await.unwrap();
    assert!(logged_in.must_agree_terms, "the account agreed to version 1 of the My Page terms, version 2 is in force");
    let current = m.terms_to_agree(account).await.unwrap().expect("the versions to agree to");
    assert_eq!((current.privacy_policy.version, current.mypage_terms.version), (TermsVersion(1), TermsVersion(2)));

    // The boxes and the versions are checked here, whatever the page did.
    let mut input = w.kit.consent().await;
    input.mypage_terms_agreed = false;
    assert!(matches!(
        m.agree_to_terms(account, &input, &client()).await,
        Err(AgreeTermsError::Consent(TermsConsentError::MyPageTermsNotAgreed))
    ));
    let outdated = ConsentInput { mypage_terms_version: TermsVersion(1), ..w.kit.consent().await };
    assert!(matches!(
        m.agree_to_terms(account, &outdated, &client()).await,
        Err(AgreeTermsError::Consent(TermsConsentError::Outdated))
    ));
    let agreed_before =
        w.kit.store.read(|t| t.audit().iter().filter(|e| e.action == AuditAction::TermsAgreed).count()).await;
    assert_eq!(agreed_before, 0, "a refused consent records nothing");

    m.agree_to_terms(account, &w.kit.consent().await, &client()).await.unwrap();
    let (consent, events) = w
        .kit
        .store
        .read(|t| {
            let consent = t.account_by_email("saiyou@example.jp").unwrap().consent().unwrap();
            let events: Vec<_> = t.audit().iter().filter(|e| e.action == AuditAction::TermsAgreed).cloned().collect();
            (consent, events)
        })
        .await;
    assert_eq!((consent.privacy_policy, consent.mypage_terms), (TermsVersion(1), TermsVersion(2)));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].subject, format!("account:{account}"));
    assert_eq!(events[0].client, client());
    assert!(!m.login("saiyou@example.jp", &pw, &client()).await.unwrap().must_agree_terms);
    assert!(m.terms_to_agree(account).await.unwrap().is_none());
}

#[tokio::test]
async fn r1_a_provisional_account_is_asked_too_and_an_account_that_cannot_log_in_cannot_agree() {
    let w = world().await;
    let provisional = w.kit.sign_up("kari@example.jp").await;
    let m = &w.kit.mypage;
    m.publish_terms(AdminActor::System, TermsKind::PrivacyPolicy, "（改定後の本文）", &ClientInfo::system())
        .await
        .unwrap();
    assert!(m.login("kari@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap().must_agree_terms);
    m.agree_to_terms(provisional, &w.kit.consent().await, &client()).await.unwrap();
    assert!(!m.login("kari@example.jp", &secret(TEST_PASSWORD), &client()).await.unwrap().must_agree_terms);

    // Registered at the counter, no password yet: it agrees when it sets its password, not here.
    let registration = mypage_domain::usecases::CounterRegistration {
        email: "madoguchi@example.jp".into(),
        establishment_number: crate::EXISTING.into(),
    };
    m.register_email_at_counter(w.counter, &registration, &client()).await.unwrap();
    let waiting = w.kit.store.read(|t| t.account_by_email("madoguchi@example.jp").unwrap().id()).await;
    assert!(matches!(
        m.agree_to_terms(waiting, &w.kit.consent().await, &client()).await,
        Err(AgreeTermsError::AccountNotFound)
    ));
    assert!(matches!(m.terms_to_agree(waiting).await, Err(AgreeTermsError::AccountNotFound)));
}
