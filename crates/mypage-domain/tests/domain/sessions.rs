//! Sessions that must end: every session of an account whose password was reset (R17), and of a member whose
//! access was stopped, for good (R14).

use chrono::Duration;
use mypage_domain::model::FlowPurpose;
use mypage_domain::ports::{Clock, Session, SessionStore, SessionSubject};
use mypage_domain::usecases::PasswordEntry;
use mypage_domain::values::Digest;

use crate::{World, client, secret, world};

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
        client: mypage_domain::model::ClientInfo::default(),
    };
    w.kit.store.save(&session).await.unwrap();
    session.id
}

async fn live(w: &World, id: &Digest) -> bool {
    w.kit.store.load(id, w.kit.clock.now()).await.unwrap().is_some()
}

#[tokio::test]
async fn r17_a_password_reset_ends_every_session_of_the_account_and_no_other() {
    let w = world().await;
    let account = w.active_account("forgot@example.jp").await;
    let other = w.active_account("other@example.jp").await;
    let browser = open(&w, "cc01", SessionSubject::Employer(account)).await;
    let api = open(&w, "cc02", SessionSubject::Employer(account)).await;
    let others = open(&w, "cc03", SessionSubject::Employer(other)).await;
    let requested = w.request(FlowPurpose::ResetPassword, "forgot@example.jp").await.unwrap();
    let key = w.last_key("forgot@example.jp").await;
    let entry = PasswordEntry {
        password: secret("Atarashii#77"),
        confirmation: secret("Atarashii#77"),
        ..World::entry(&requested.flow_token, &key)
    };
    w.kit.mypage.reset_password(&entry, &client()).await.unwrap();
    assert!(!live(&w, &browser).await && !live(&w, &api).await, "whoever had the old password is logged out");
    assert!(live(&w, &others).await, "another account's session stays");
}

#[tokio::test]
async fn r14_stopping_a_members_access_ends_their_sessions_for_good() {
    let w = world().await;
    let session = open(&w, "dd01", SessionSubject::Staff(w.reviewer)).await;
    let admins = open(&w, "dd02", SessionSubject::Staff(w.admin)).await;
    w.kit.mypage.set_staff_active(w.admin, w.reviewer, false, &client()).await.unwrap();
    assert!(!live(&w, &session).await, "the stopped member's session ended");
    w.kit.mypage.set_staff_active(w.admin, w.reviewer, true, &client()).await.unwrap();
    assert!(!live(&w, &session).await, "restoring the access does not bring it back");
    assert!(live(&w, &admins).await, "the admin's own session stays");
}
