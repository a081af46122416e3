//! R8: one client may ask keys for at most so many addresses in a window, counted in the store (so that every
//! instance on one database shares the count), whatever the addresses and before any of them is looked at.

use std::net::IpAddr;
use std::sync::Arc;

use chrono::Duration;
use mypage_domain::DomainConfig;
use mypage_domain::model::{ClientInfo, FlowPurpose};
use mypage_domain::ports::Clock;
use mypage_domain::usecases::{
    KeyRequest, KeyRequested, RequestAuthKeyError, RequestEmailChangeError, ResendAuthKeyError,
};
use mypage_domain::{MyPage, Ports};
use mypage_testkit::{
    DeterministicKeys, FakeSecondFactor, PlainDigest, RecordingStore, SequentialNumbers, TEST_PASSWORD,
};
use secrecy::SecretString;

use crate::{World, world_with};

/// A world whose clients may each ask three keys an hour.
async fn three_an_hour() -> World {
    world_with(DomainConfig { key_requests_per_client: 3, ..DomainConfig::default() }).await
}

fn from(ip: [u8; 4]) -> ClientInfo {
    ClientInfo::from_ip(IpAddr::from(ip))
}

async fn ask(
    mypage: &MyPage,
    w: &World,
    email: &str,
    client: &ClientInfo,
) -> Result<KeyRequested, RequestAuthKeyError> {
    let consent = Some(w.kit.consent().await);
    mypage.request_auth_key(&KeyRequest { purpose: FlowPurpose::SignUp, email: email.into(), consent }, client).await
}

#[tokio::test]
async fn r8_a_client_is_refused_past_its_limit_whatever_the_addresses_and_again_served_after_the_window() {
    let w = three_an_hour().await;
    let (m, script) = (&w.kit.mypage, from([198, 51, 100, 7]));
    let t0 = w.kit.clock.now();
    let first = ask(m, &w, "one@example.jp", &script).await.unwrap();
    w.kit.clock.advance(Duration::minutes(10));
    // A resend counts as a key request of the client too.
    m.resend_auth_key(&first.flow_token, &script).await.unwrap();
    ask(m, &w, "two@example.jp", &script).await.unwrap();
    let err = ask(m, &w, "three@example.jp", &script).await.unwrap_err();
    let RequestAuthKeyError::ClientLimited { retry_after } = err else { panic!("{err:?}") };
    assert_eq!(retry_after, t0 + Duration::hours(1), "the window reopens an hour after its oldest request");
    assert!(w.kit.store.last_auth_key_to("three@example.jp").await.is_none(), "no mail for the refused request");
    let err = m.resend_auth_key(&first.flow_token, &script).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::ClientLimited { .. }), "{err:?}");
    ask(m, &w, "three@example.jp", &from([198, 51, 100, 8])).await.expect("another client has its own count");
    ask(m, &w, "four@example.jp", &ClientInfo::system()).await.expect("a request with no address is not limited");

    w.kit.clock.advance(Duration::minutes(50) + Duration::seconds(1));
    ask(m, &w, "three@example.jp", &script).await.expect("the oldest request left the window");
    assert!(matches!(ask(m, &w, "five@example.jp", &script).await, Err(RequestAuthKeyError::ClientLimited { .. })));
}

#[tokio::test]
async fn r8_the_addresses_of_one_ipv6_network_are_one_client() {
    let w = three_an_hour().await;
    let in_one_64 = |host: u16| ClientInfo::from_ip(IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, host]));
    for host in 1..=3 {
        ask(&w.kit.mypage, &w, &format!("v6.{host}@example.jp"), &in_one_64(host)).await.unwrap();
    }
    let err = ask(&w.kit.mypage, &w, "v6.4@example.jp", &in_one_64(4)).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::ClientLimited { .. }), "a new address of the same /64: {err:?}");
    let other_64 = ClientInfo::from_ip(IpAddr::from([0x2001, 0xdb8, 0, 2, 0, 0, 0, 1]));
    ask(&w.kit.mypage, &w, "v6.4@example.jp", &other_64).await.expect("another /64 is another client");
}

#[tokio::test]
async fn r8_a_limit_of_zero_limits_no_client() {
    let w = world_with(DomainConfig { key_requests_per_client: 0, ..DomainConfig::default() }).await;
    let script = from([198, 51, 100, 7]);
    for n in 0..40 {
        ask(&w.kit.mypage, &w, &format!("many{n}@example.jp"), &script).await.unwrap();
    }
}

#[tokio::test]
async fn r8_an_address_change_mails_a_key_and_counts_against_the_client_limit() {
    let w = three_an_hour().await;
    let account = w.active_account("owner@example.jp").await;
    let (m, script) = (&w.kit.mypage, from([198, 51, 100, 9]));
    let password = SecretString::from(TEST_PASSWORD);
    ask(m, &w, "one@example.jp", &script).await.unwrap();
    let change = m.request_email_change(account, &password, "new@example.jp", &script).await.unwrap();
    m.resend_email_change_key(account, &change.flow_token, &script).await.unwrap();
    let err = m.request_email_change(account, &password, "newer@example.jp", &script).await.unwrap_err();
    assert!(matches!(err, RequestEmailChangeError::ClientLimited { .. }), "{err:?}");
    let err = m.resend_email_change_key(account, &change.flow_token, &script).await.unwrap_err();
    assert!(matches!(err, ResendAuthKeyError::ClientLimited { .. }), "{err:?}");
    assert!(w.kit.store.last_auth_key_to("newer@example.jp").await.is_none());
}

#[tokio::test]
async fn r8_the_periodic_purge_keeps_the_hits_of_a_client_window_longer_than_an_hour() {
    let config =
        DomainConfig { key_requests_per_client: 1, client_key_window: Duration::hours(3), ..DomainConfig::default() };
    let w = world_with(config).await;
    let script = from([198, 51, 100, 7]);
    ask(&w.kit.mypage, &w, "one@example.jp", &script).await.unwrap();
    w.kit.clock.advance(Duration::hours(2));
    w.kit.mypage.expire_stale().await.unwrap();
    let err = ask(&w.kit.mypage, &w, "two@example.jp", &script).await.unwrap_err();
    assert!(matches!(err, RequestAuthKeyError::ClientLimited { .. }), "the purge kept the hit: {err:?}");
    w.kit.clock.advance(Duration::hours(1) + Duration::seconds(1));
    let report = w.kit.mypage.expire_stale().await.unwrap();
    assert!(report.throttle_hits >= 1, "{report:?}");
    ask(&w.kit.mypage, &w, "two@example.jp", &script).await.unwrap();
}

/// The refusal of a client over its limit is decided before the address is looked at: the same error and the same
/// port calls for an unknown address and for an account's (R8).
#[tokio::test]
async fn r8_a_client_over_its_limit_is_refused_alike_for_known_and_unknown_addresses() {
    let w = world_with(DomainConfig { key_requests_per_client: 1, ..DomainConfig::default() }).await;
    w.active_account("known@example.jp").await;
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
    let script = from([198, 51, 100, 7]);
    ask(&recorded, &w, "first@example.jp", &script).await.unwrap();
    let mut seen = Vec::new();
    for email in ["ghost@example.jp", "known@example.jp"] {
        let _ = store.take();
        let request = KeyRequest { purpose: FlowPurpose::ResetPassword, email: email.into(), consent: None };
        let err = recorded.request_auth_key(&request, &script).await.unwrap_err();
        let RequestAuthKeyError::ClientLimited { retry_after } = err else { panic!("{email}: {err:?}") };
        seen.push((retry_after, store.take()));
    }
    assert_eq!(seen[0], seen[1], "R8: an unknown address and an account's are refused alike");
    assert!(!seen[0].1.iter().any(|c| c.starts_with("accounts.") || c.starts_with("flows.")), "{:?}", seen[0].1);
}
