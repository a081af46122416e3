//! The contracts the account's care adds (R19), run on memory, SQLite and PostgreSQL: a subject's live sessions are
//! listed with where they came from, one is ended only by its own subject, and a closed account frees its address.

use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_domain::model::{Account, AccountId, AccountStatus, ClientInfo, PasswordHash, StaffId};
use mypage_domain::ports::{RepositoryError, Session, SessionSubject, Unique};
use mypage_domain::values::{Digest, EmailAddress, TermsConsent, TermsVersion};

use crate::harness::Stores;

on_every_store!(
    a_subjects_live_sessions_are_listed_newest_first_with_their_client,
    a_session_is_ended_only_by_its_own_subject,
    a_closed_account_frees_its_address_for_one_new_live_account,
    a_session_ended_while_a_request_used_it_is_not_brought_back,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

fn employer(n: u8) -> SessionSubject {
    SessionSubject::Employer(AccountId::from_bytes([n; 16]))
}

fn session(hex: &str, subject: SessionSubject, created_minutes: i64, client: ClientInfo) -> Session {
    let created_at = t0() + Duration::minutes(created_minutes);
    Session {
        id: Digest::from_hex(hex.into()),
        subject,
        data: "bearer".into(),
        created_at,
        expires_at: created_at + Duration::hours(8),
        idle_expires_at: created_at + Duration::minutes(30),
        last_used_at: created_at + Duration::minutes(5),
        client,
    }
}

fn client(last: u8, agent: &str) -> ClientInfo {
    ClientInfo { ip: Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))), user_agent: Some(agent.into()) }
}

/// R19: ログイン中の端末 — the live sessions of one subject, newest first, each with the client that opened it and
/// when it was last used; none of another subject, none gone idle or expired, none for Anonymous.
pub(crate) async fn a_subjects_live_sessions_are_listed_newest_first_with_their_client(s: Stores) {
    let older = session("cc01", employer(1), 0, client(1, "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"));
    let newer = session("cc02", employer(1), 10, client(2, "Mozilla/5.0 (iPhone) Safari/605.1"));
    let idle = session("cc03", employer(1), -40, ClientInfo::default());
    let others = session("cc04", employer(2), 5, ClientInfo::default());
    let staff = session("cc05", SessionSubject::Staff(StaffId::from_bytes([1; 16])), 5, ClientInfo::default());
    let anonymous = session("cc06", SessionSubject::Anonymous, 5, ClientInfo::default());
    for one in [&older, &newer, &idle, &others, &staff, &anonymous] {
        s.sessions.save(one).await.unwrap();
    }
    let now = t0() + Duration::minutes(15);
    let listed = s.sessions.for_subject(employer(1), now).await.unwrap();
    assert_eq!(listed, vec![newer.clone(), older.clone()], "newest first, with client and last use as saved");
    assert!(s.sessions.for_subject(SessionSubject::Anonymous, now).await.unwrap().is_empty());
    let touched = Session { last_used_at: now, idle_expires_at: now + Duration::minutes(30), ..older.clone() };
    s.sessions.save(&touched).await.unwrap();
    let listed = s.sessions.for_subject(employer(1), now + Duration::minutes(27)).await.unwrap();
    assert_eq!(listed, vec![touched], "saving again keeps its client and records its last use; the other went idle");
}

/// R19: a session named by another account (or by Anonymous) stays; its own subject ends it once.
pub(crate) async fn a_session_is_ended_only_by_its_own_subject(s: Stores) {
    let mine = session("dd01", employer(1), 0, ClientInfo::default());
    let keep = session("dd02", employer(1), 1, ClientInfo::default());
    s.sessions.save(&mine).await.unwrap();
    s.sessions.save(&keep).await.unwrap();
    assert!(!s.sessions.end(employer(2), &mine.id).await.unwrap(), "another account's session is not ended");
    assert!(!s.sessions.end(SessionSubject::Anonymous, &mine.id).await.unwrap());
    assert!(s.sessions.load(&mine.id, t0()).await.unwrap().is_some());
    assert!(s.sessions.end(employer(1), &mine.id).await.unwrap());
    assert!(s.sessions.load(&mine.id, t0()).await.unwrap().is_none());
    assert!(!s.sessions.end(employer(1), &mine.id).await.unwrap(), "ending again finds none");
    assert!(s.sessions.load(&keep.id, t0()).await.unwrap().is_some(), "the subject's other session stays");
}

/// R13, R19: a request that read a session and stores it again afterwards (`update`) finds it ended if it was
/// ended meanwhile, and stores nothing: a logout, a password change or a closing is never undone by a request in
/// flight. A session still there is stored again, with its new data and last use.
pub(crate) async fn a_session_ended_while_a_request_used_it_is_not_brought_back(s: Stores) {
    let live = session("ee01", employer(1), 0, client(1, "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0"));
    let ended = session("ee02", employer(1), 0, ClientInfo::default());
    s.sessions.save(&live).await.unwrap();
    s.sessions.save(&ended).await.unwrap();
    let used = t0() + Duration::minutes(10);
    let touched =
        Session { data: "{}".into(), last_used_at: used, idle_expires_at: used + Duration::minutes(30), ..live };
    assert!(s.sessions.update(&touched).await.unwrap(), "a live session is stored again");
    assert_eq!(s.sessions.load(&touched.id, used).await.unwrap(), Some(touched.clone()));

    assert_eq!(s.sessions.end_all(employer(1)).await.unwrap(), 2);
    let late = Session { last_used_at: used, idle_expires_at: used + Duration::minutes(30), ..ended };
    assert!(!s.sessions.update(&late).await.unwrap(), "an ended session answers false");
    assert!(s.sessions.load(&late.id, used).await.unwrap().is_none(), "and stays ended");
    assert!(s.sessions.for_subject(employer(1), used).await.unwrap().is_empty());
}

fn account(n: u8, address: &str) -> Account {
    let consent = TermsConsent { privacy_policy: TermsVersion(1), mypage_terms: TermsVersion(1), at: t0() };
    Account::opened_online(
        AccountId::from_bytes([n; 16]),
        EmailAddress::parse(address).unwrap(),
        PasswordHash::new("$x$".into()),
        consent,
        t0(),
    )
}

/// R12, R19: a closed account keeps its row but not its address: `by_email` no longer finds it, one new live
/// account may take the address, and a second live one is still refused.
pub(crate) async fn a_closed_account_frees_its_address_for_one_new_live_account(s: Stores) {
    let address = EmailAddress::parse("taro@example.jp").unwrap();
    let mut tx = s.uow.begin().await.unwrap();
    let mut closed = account(1, "taro@example.jp");
    tx.accounts().insert(&closed).await.unwrap();
    closed.close().unwrap();
    tx.accounts().update(&closed).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    assert!(tx.accounts().by_email(&address).await.unwrap().is_none(), "a closed account holds no address");
    let kept = tx.accounts().get(closed.id()).await.unwrap().unwrap();
    assert_eq!((kept.status(), kept.email()), (AccountStatus::Closed, &address), "its row stays for the office");
    tx.accounts().insert(&account(2, "taro@example.jp")).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let err = tx.accounts().insert(&account(3, "taro@example.jp")).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Duplicate(Unique::AccountEmail)), "one live account per address: {err:?}");
    drop(tx);

    let mut tx = s.uow.begin().await.unwrap();
    let found = tx.accounts().by_email(&address).await.unwrap().unwrap();
    assert_eq!(found.id(), AccountId::from_bytes([2; 16]), "the live account answers for the address");
}
