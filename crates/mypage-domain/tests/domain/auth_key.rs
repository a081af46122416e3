//! Asking for keys: R1 (terms), R2 (address), R3 (keys, attempts, caps, expiry), R4 (same session),
//! R7 (the mail), R8 (no enumeration).

use std::sync::Arc;

use chrono::Duration;
use mypage_domain::DomainConfig;
use mypage_domain::model::{AuditAction, DeathCause, FlowPurpose, MailTemplate};
use mypage_domain::usecases::AdminActor;
use mypage_domain::usecases::{
    KeyRedemptionError, KeyRequest, RegisterPasswordError, RequestAuthKeyError, ResendAuthKeyError,
};
use mypage_domain::values::{
    AuthKeyError, ConsentInput, EmailAddressError, TermsConsentError, TermsKind, TermsVersion,
};
use mypage_domain::{MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, PlainDigest, RecordingStore, SequentialNumbers, TestKit};
use secrecy::ExposeSecret;

use crate::{World, client, secret, world, world_with};

fn wrong(key: &str) -> String {
    // Another valid key: the same characters rotated.
    let mut chars: Vec<char> = key.chars().filter(|c| *c != '-').collect();
    chars.rotate_left(1);
    if chars.iter().collect::<String>() == key.replace('-', "") {
        chars[0] = if chars[0] == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

async fn register(
    w: &World,
    token: &secrecy::SecretString,
    key: &str,
) -> Result<mypage_domain::usecases::PasswordRegistered, RegisterPasswordError> {
    w.kit.mypage.register_password(&World::entry(token, key), &client()).await
}

#[tokio::test]
async fn r1_a_key_request_needs_both_documents_agreed() {
    let w = world().await;
    let mut consent = w.kit.consent().await;
    consent.privacy_policy_agreed = false;
    let request = KeyRequest { purpose: FlowPurpose::SignUp, email: "a@example.jp".into(), consent: Some(consent) };
    let err = w.kit.mypage.request_auth_key(&request, &client()).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::Consent(TermsConsentError::PrivacyPolicyNotAgreed)));
    let consent = ConsentInput { privacy_policy_agreed: true, mypage_terms_agreed: false, ..w.kit.consent().await };
    let request = KeyRequest { consent: Some(consent), ..request };
    let err = w.kit.mypage.request_auth_key(&request, &client()).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::Consent(TermsConsentError::MyPageTermsNotAgreed)));
    let request = KeyRequest { consent: None, ..request };
    let err = w.kit.mypage.request_auth_key(&request, &client()).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::Consent(TermsConsentError::PrivacyPolicyNotAgreed)));
    assert_eq!(w.kit.store.read(|t| t.flows().count()).await, 0, "no flow, no mail without consent");
    assert_eq!(w.kit.store.mail_count().await, 0);
}

#[tokio::test]
async fn r1_a_newly_published_version_must_be_read_again() {
    let w = world().await;
    let shown = w.kit.consent().await;
    let v2 = w
        .kit
        .mypage
        .publish_terms(AdminActor::Staff(w.admin), TermsKind::MyPageTerms, "第2版", &client())
        .await
        .unwrap();
    assert_eq!(v2, TermsVersion(2));
    let request = KeyRequest { purpose: FlowPurpose::SignUp, email: "a@example.jp".into(), consent: Some(shown) };
    let err = w.kit.mypage.request_auth_key(&request, &client()).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::Consent(TermsConsentError::Outdated)));
    let fresh = w.kit.consent().await;
    assert_eq!(fresh.mypage_terms_version, TermsVersion(2));
    assert!(w.kit.mypage.request_auth_key(&KeyRequest { consent: Some(fresh), ..request }, &client()).await.is_ok());
}

#[tokio::test]
async fn r1_without_published_terms_no_key_can_be_requested() {
    let kit = TestKit::new();
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: TermsVersion(1),
        mypage_terms_version: TermsVersion(1),
    };
    let request = KeyRequest { purpose: FlowPurpose::SignUp, email: "a@example.jp".into(), consent: Some(consent) };
    assert!(matches!(
        kit.mypage.request_auth_key(&request, &client()).await,
        Err(RequestAuthKeyError::TermsNotPublished)
    ));
}

#[tokio::test]
async fn r2_a_malformed_address_is_refused_before_anything_is_stored() {
    let w = world().await;
    let events = w.kit.store.read(|t| t.audit().len()).await;
    let err = w.request(FlowPurpose::SignUp, "a@example.jp\r\nBcc: b@example.jp").await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::InvalidEmail(EmailAddressError::ControlCharacter)));
    assert_eq!(w.kit.store.read(|t| t.audit().len()).await, events);
    assert_eq!(w.kit.store.read(|t| t.flows().count()).await, 0);
    assert_eq!(w.kit.store.mail_count().await, 0);
}

#[tokio::test]
async fn r8_an_unknown_address_gets_the_same_answer_and_a_mail_that_is_never_sent() {
    let w = world().await;
    w.active_account("known@example.jp").await;
    let mails = w.kit.store.mail_count().await;
    let eligible = w.request(FlowPurpose::SignUp, "new@example.jp").await.unwrap();
    let taken = w.request(FlowPurpose::SignUp, "known@example.jp").await.unwrap();
    let reset_unknown = w.request(FlowPurpose::ResetPassword, "nobody@example.jp").await.unwrap();
    let reset_known = w.request(FlowPurpose::ResetPassword, "known@example.jp").await.unwrap();
    for other in [&taken, &reset_unknown, &reset_known] {
        assert_eq!(other.sent.expires_at, eligible.sent.expires_at);
        assert_eq!(other.sent.resends_left, eligible.sent.resends_left);
        assert_eq!(other.flow_token.expose_secret().len(), eligible.flow_token.expose_secret().len());
    }
    // A key to the new address, a notice to the taken one, a reset key to the known one, and for the unknown one a
    // withheld mail, queued as the others are and never sent: it carries no key.
    assert_eq!(w.kit.store.mail_count().await, mails + 4);
    assert_eq!(w.kit.store.mail_codes_to("new@example.jp").await, vec!["auth_key"]);
    assert_eq!(w.kit.store.mail_codes_to("nobody@example.jp").await, vec!["withheld"]);
    assert_eq!(w.kit.store.last_auth_key_to("nobody@example.jp").await, None);
    let to_known = w.kit.store.mail_codes_to("known@example.jp").await;
    assert_eq!(&to_known[to_known.len() - 2..], ["account_notice", "auth_key"]);
}

#[tokio::test]
async fn r8_a_flow_that_mailed_nothing_refuses_keys_like_any_other() {
    let w = world().await;
    let requested = w.request(FlowPurpose::OpenMyPage, "stranger@example.jp").await.unwrap();
    let err = register(&w, &requested.flow_token, "ABCDE23456").await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { remaining: 4 })));
    let resent = w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap();
    assert_eq!(resent.resends_left, 1);
    assert_eq!(w.kit.store.mail_codes_to("stranger@example.jp").await, vec!["withheld", "withheld"]);
    assert_eq!(w.kit.store.last_auth_key_to("stranger@example.jp").await, None, "no key ever leaves for it");
}

#[tokio::test]
async fn r8_the_decoy_of_a_notice_or_of_a_withheld_mail_is_no_key_of_its_flow() {
    let w = world().await;
    w.active_account("known@example.jp").await;
    for (purpose, email) in [(FlowPurpose::SignUp, "known@example.jp"), (FlowPurpose::OpenMyPage, "nobody@example.jp")]
    {
        let requested = w.request(purpose, email).await.unwrap();
        let decoy = w
            .kit
            .store
            .read_outbox(|mails| match &mails.last().unwrap().mail.template {
                MailTemplate::AccountNotice { decoy, .. } | MailTemplate::Withheld { decoy, .. } => {
                    decoy.expose_secret().to_owned()
                }
                other => panic!("{purpose:?} to {email}: {}", other.code()),
            })
            .await;
        assert_eq!(decoy.len(), "ABCDE-23456".len(), "the size of a key, so that it costs what a key costs to seal");
        let err = register(&w, &requested.flow_token, &decoy).await.unwrap_err();
        assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { remaining: 4 })), "{err:?}");
    }
}

/// The four kinds of address a key request may name, each made fresh for one purpose.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Unknown,
    AwaitingPassword,
    Provisional,
    Active,
}

impl World {
    /// A new address of `kind`, unused by any flow of `purpose`.
    async fn address(&self, kind: Kind, purpose: FlowPurpose) -> String {
        let email = format!("{kind:?}.{}@example.jp", purpose.code()).to_lowercase();
        match kind {
            Kind::Unknown => {}
            Kind::AwaitingPassword => {
                let registration = mypage_domain::usecases::CounterRegistration {
                    email: email.clone(),
                    establishment_number: crate::EXISTING.into(),
                };
                self.kit.mypage.register_email_at_counter(self.counter, &registration, &client()).await.unwrap();
            }
            Kind::Provisional => {
                self.kit.sign_up(&email).await;
            }
            Kind::Active => {
                self.active_account(&email).await;
            }
        }
        email
    }
}

/// A request and its resend, for each purpose: the same repositories, the same methods, in the same order, so that
/// the answer takes as long whatever the address (R8).
#[tokio::test]
async fn r8_a_key_request_makes_the_same_port_calls_for_unknown_awaiting_provisional_and_active_addresses() {
    let w = world().await;
    let store = RecordingStore::new(w.kit.store.clone());
    let ports = Ports {
        store: Arc::new(store.clone()),
        clock: Arc::new(w.kit.clock.clone()),
        keys: Arc::new(DeterministicKeys::new(8)),
        digest: Arc::new(PlainDigest),
        hasher: w.kit.hasher.clone(),
        numbers: Arc::new(SequentialNumbers::default()),
        outbox: Arc::new(w.kit.store.clone()),
        sessions: Arc::new(w.kit.store.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let recorded = MyPage::new(ports, w.kit.mypage.config().clone());
    for purpose in [FlowPurpose::OpenMyPage, FlowPurpose::SignUp, FlowPurpose::ResetPassword] {
        let mut seen = Vec::new();
        for kind in [Kind::Unknown, Kind::AwaitingPassword, Kind::Provisional, Kind::Active] {
            let email = w.address(kind, purpose).await;
            let consent = if purpose.needs_consent() { Some(w.kit.consent().await) } else { None };
            let _ = store.take();
            let request = KeyRequest { purpose, email, consent };
            let requested = recorded.request_auth_key(&request, &client()).await.unwrap();
            recorded.resend_auth_key(&requested.flow_token, &client()).await.unwrap();
            seen.push((kind, store.take()));
        }
        let (_, unknown) = &seen[0];
        for (kind, calls) in &seen[1..] {
            assert_eq!(calls, unknown, "R8: {purpose:?} for an address {kind:?} and for an unknown one");
        }
        // Each of the two queues a mail: a key, a notice or a withheld one, which costs what the others cost.
        assert_eq!(unknown.iter().filter(|c| **c == "outbox.enqueue").count(), 2, "{purpose:?}: {unknown:?}");
    }
}

#[tokio::test]
async fn r3_a_key_works_for_30_minutes_by_default() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "late@example.jp").await.unwrap();
    let key = w.last_key("late@example.jp").await;
    w.kit.clock.advance(Duration::minutes(30));
    let err = register(&w, &requested.flow_token, &key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::KeyExpired)));
}

#[tokio::test]
async fn r3_the_key_lifetime_is_configuration() {
    let w = world_with(DomainConfig { auth_key_ttl: Duration::minutes(50), ..DomainConfig::default() }).await;
    let requested = w.request(FlowPurpose::SignUp, "late@example.jp").await.unwrap();
    let key = w.last_key("late@example.jp").await;
    w.kit.clock.advance(Duration::minutes(49));
    assert!(register(&w, &requested.flow_token, &key).await.is_ok());
}

#[tokio::test]
async fn r3_five_wrong_keys_kill_the_flow_even_for_the_right_key() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "guess@example.jp").await.unwrap();
    let key = w.last_key("guess@example.jp").await;
    for remaining in (1..=4).rev() {
        let err = register(&w, &requested.flow_token, &wrong(&key)).await.unwrap_err();
        assert!(
            matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { remaining: r }) if r == remaining)
        );
    }
    let err = register(&w, &requested.flow_token, &wrong(&key)).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::TooManyWrongKeys)));
    let err = register(&w, &requested.flow_token, &key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(DeathCause::TooManyWrongKeys))));
    let wrong_events =
        w.kit.store.read(|t| t.audit().iter().filter(|e| e.action == AuditAction::WrongAuthKey).count()).await;
    assert_eq!(wrong_events, 5);
}

#[tokio::test]
async fn r3_wrong_keys_are_counted_per_flow_so_a_new_key_does_not_reset_them() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "guess@example.jp").await.unwrap();
    let key = w.last_key("guess@example.jp").await;
    for _ in 0..3 {
        register(&w, &requested.flow_token, &wrong(&key)).await.unwrap_err();
    }
    w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap();
    let err = register(&w, &requested.flow_token, &wrong(&key)).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { remaining: 1 })));
}

#[tokio::test]
async fn r3_every_unexpired_key_of_the_flow_is_accepted_so_a_late_mail_still_works() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "slow@example.jp").await.unwrap();
    let first = w.last_key("slow@example.jp").await;
    w.kit.clock.advance(Duration::minutes(5));
    w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap();
    assert_ne!(w.last_key("slow@example.jp").await, first);
    assert!(register(&w, &requested.flow_token, &first).await.is_ok());
}

#[tokio::test]
async fn r3_a_flow_may_ask_for_at_most_three_keys() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "again@example.jp").await.unwrap();
    assert_eq!(requested.sent.resends_left, 2);
    let m = &w.kit.mypage;
    assert_eq!(m.resend_auth_key(&requested.flow_token, &client()).await.unwrap().resends_left, 1);
    assert_eq!(m.resend_auth_key(&requested.flow_token, &client()).await.unwrap().resends_left, 0);
    let err = m.resend_auth_key(&requested.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::KeyLimitReached));
    assert_eq!(w.kit.store.mail_codes_to("again@example.jp").await.len(), 3);
}

#[tokio::test]
async fn r3_an_address_may_receive_a_limited_number_of_key_requests_an_hour() {
    let w = world_with(DomainConfig { key_requests_per_address_per_hour: 3, ..DomainConfig::default() }).await;
    for _ in 0..3 {
        w.request(FlowPurpose::SignUp, "flood@example.jp").await.unwrap();
        w.kit.clock.advance(Duration::minutes(1));
    }
    let err = w.request(FlowPurpose::SignUp, "flood@example.jp").await.unwrap_err();
    let RequestAuthKeyError::TooManyRequests { retry_after } = err else { panic!("{err:?}") };
    use mypage_domain::ports::Clock;
    assert_eq!(retry_after, w.kit.clock.now() - Duration::minutes(3) + Duration::hours(1));
    // R8: an unknown address meets the same cap.
    for _ in 0..3 {
        w.request(FlowPurpose::ResetPassword, "ghost@example.jp").await.unwrap();
    }
    assert!(matches!(
        w.request(FlowPurpose::ResetPassword, "ghost@example.jp").await,
        Err(RequestAuthKeyError::TooManyRequests { .. })
    ));
    w.kit.clock.advance(Duration::hours(1));
    assert!(w.request(FlowPurpose::SignUp, "flood@example.jp").await.is_ok());
}

#[tokio::test]
async fn r3_resending_counts_against_the_hourly_cap() {
    let w = world_with(DomainConfig { key_requests_per_address_per_hour: 2, ..DomainConfig::default() }).await;
    let requested = w.request(FlowPurpose::SignUp, "flood@example.jp").await.unwrap();
    w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap();
    let err = w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::TooManyRequests { .. }));
}

#[tokio::test]
async fn r3_starting_again_kills_the_earlier_flow_and_its_keys() {
    let w = world().await;
    let first = w.request(FlowPurpose::SignUp, "twice@example.jp").await.unwrap();
    let first_key = w.last_key("twice@example.jp").await;
    let second = w.request(FlowPurpose::SignUp, "twice@example.jp").await.unwrap();
    let err = register(&w, &first.flow_token, &first_key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(DeathCause::Superseded))));
    let err = w.kit.mypage.resend_auth_key(&first.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::FlowDead(DeathCause::Superseded)));
    // The earlier flow's key does not open the new flow either.
    let err = register(&w, &second.flow_token, &first_key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { .. })));
}

#[tokio::test]
async fn r3_an_expired_flow_cannot_ask_for_another_key() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "old@example.jp").await.unwrap();
    w.kit.clock.advance(Duration::minutes(31));
    let err = w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::FlowDead(DeathCause::Expired)));
}

#[tokio::test]
async fn r3_keys_are_stored_only_as_keyed_digests() {
    let w = world().await;
    w.request(FlowPurpose::SignUp, "digest@example.jp").await.unwrap();
    let key = w.last_key("digest@example.jp").await.replace('-', "");
    let stored = w.kit.store.read(|t| format!("{:?}", t.flows().collect::<Vec<_>>())).await;
    let audit = w.kit.store.read(|t| format!("{:?}", t.audit())).await;
    assert!(!stored.contains(&key) && !audit.contains(&key));
    let digests = w
        .kit
        .store
        .read(|t| t.flows().flat_map(|f| f.keys().iter().map(|k| k.digest.is_some())).collect::<Vec<_>>())
        .await;
    assert_eq!(digests, vec![true]);
}

#[tokio::test]
async fn r3_keys_are_typed_case_insensitively_in_full_width_and_malformed_ones_are_not_counted() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "typing@example.jp").await.unwrap();
    let key = w.last_key("typing@example.jp").await;
    let err = register(&w, &requested.flow_token, "ABC").await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::InvalidKey(AuthKeyError::WrongLength(3)))));
    let attempts = w.kit.store.read(|t| t.flows().map(|f| f.wrong_attempts()).sum::<u8>()).await;
    assert_eq!(attempts, 0);
    let full_width: String = key
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { 'ー' })
        .collect();
    assert!(register(&w, &requested.flow_token, &full_width).await.is_ok());
}

#[tokio::test]
async fn r4_a_key_is_accepted_only_in_the_browser_session_that_asked_for_it() {
    let w = world().await;
    let mine = w.request(FlowPurpose::SignUp, "mine@example.jp").await.unwrap();
    let other = w.request(FlowPurpose::SignUp, "other@example.jp").await.unwrap();
    let key = w.last_key("mine@example.jp").await;
    let err = register(&w, &secret("a-token-no-session-holds"), &key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowNotFound)));
    let err = register(&w, &other.flow_token, &key).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { .. })));
    assert!(register(&w, &mine.flow_token, &key).await.is_ok());
    let err = w.kit.mypage.resend_auth_key(&secret("a-token-no-session-holds"), &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::FlowNotFound));
}

#[tokio::test]
async fn r7_the_key_mail_says_when_the_key_was_issued_and_until_when_it_works() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "mail@example.jp").await.unwrap();
    let times = w.kit.store.read_outbox(|mails| match &mails[0].mail.template {
        MailTemplate::AuthKey { issued_at, expires_at, purpose, .. } => Some((*issued_at, *expires_at, *purpose)),
        _ => None,
    });
    let (issued, expires, purpose) = times.await.unwrap();
    assert_eq!(expires - issued, Duration::minutes(30));
    assert_eq!(expires, requested.sent.expires_at);
    assert_eq!(purpose, FlowPurpose::SignUp);
}

#[tokio::test]
async fn resending_after_the_password_was_set_says_the_key_was_used() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "done@example.jp").await.unwrap();
    let key = w.last_key("done@example.jp").await;
    register(&w, &requested.flow_token, &key).await.unwrap();
    let err = w.kit.mypage.resend_auth_key(&requested.flow_token, &client()).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::AlreadyUsed));
}

#[tokio::test]
async fn r3_a_wrong_key_whose_count_races_another_change_is_still_counted() {
    let w = world().await;
    let requested = w.request(FlowPurpose::SignUp, "race@example.jp").await.unwrap();
    w.kit.store.inject(mypage_testkit::Fault::Conflict);
    let err = register(&w, &requested.flow_token, "ZZZZZ22222").await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::WrongKey { remaining: 4 })));
    assert_eq!(w.kit.store.read(|t| t.flows().map(|f| f.wrong_attempts()).sum::<u8>()).await, 1);
}

#[tokio::test]
async fn r3_a_request_that_loses_a_race_for_its_address_starts_again_and_is_answered() {
    let w = world().await;
    w.kit.store.inject(mypage_testkit::Fault::Duplicate(mypage_domain::ports::Unique::LiveFlow));
    let requested = w.request(FlowPurpose::SignUp, "race@example.jp").await.unwrap();
    let key = w.last_key("race@example.jp").await;
    assert!(register(&w, &requested.flow_token, &key).await.is_ok());
    assert_eq!(
        w.kit.store.mail_codes_to("race@example.jp").await,
        vec!["auth_key"],
        "one mail: the lost attempt kept nothing"
    );
}
