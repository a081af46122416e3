//! Staff are told (R20): one digest mail to an office's notification address for the submissions waiting in its
//! queue, at most once per interval, never one per submission; and the number waiting for the console's menu.

use chrono::{DateTime, Duration, Utc};
use mypage_domain::DomainConfig;
use mypage_domain::model::{Actor, AuditAction, MailTemplate};
use mypage_domain::ports::{Clock, UnitOfWork as _};
use mypage_domain::usecases::{AdminActor, DigestError, DigestReport, HistoryInput};
use mypage_domain::values::OfficeDetailsInput;
use mypage_testkit::{Fault, fixtures};

use crate::{World, client, world, world_with};

const STAFF_MAIL: &str = "kyujin@iidabashi.example.jp";

/// Gives office 1301 (ハローワーク飯田橋) its notification address.
async fn notify_iidabashi(w: &World) {
    let details = OfficeDetailsInput {
        name: "ハローワーク飯田橋".into(),
        notification_email: STAFF_MAIL.into(),
        ..OfficeDetailsInput::default()
    };
    w.kit.mypage.edit_office(AdminActor::System, "1301", &details, &client()).await.unwrap();
}

/// Submits `n` first-time registrations to `office`.
async fn submit(w: &World, office: &str, n: usize) {
    let start = w.kit.store.read(|t| t.registrations().count()).await;
    for i in start..start + n {
        w.submitted_first_timer(&format!("employer{i}@example.jp"), office).await;
    }
}

/// The digests queued, as (to, waiting, of which job offers, new since the last, oldest submission), oldest first.
async fn digests(w: &World) -> Vec<(String, u64, u64, u64, Option<DateTime<Utc>>)> {
    w.kit
        .store
        .read_outbox(|mails| {
            mails
                .iter()
                .filter_map(|m| match &m.mail.template {
                    MailTemplate::OfficeDigest {
                        office_name,
                        waiting,
                        waiting_job_offers,
                        new_since_last,
                        oldest_submitted_at,
                    } => {
                        assert_eq!(office_name, "ハローワーク飯田橋");
                        let to = m.mail.to.to_string();
                        Some((to, *waiting, *waiting_job_offers, *new_since_last, *oldest_submitted_at))
                    }
                    _ => None,
                })
                .collect()
        })
        .await
}

/// A job offer of an Active account of establishment 1301-123456-7, submitted to 1301's queue (R20).
async fn submit_job_offer(w: &World, email: &str) {
    let account = w.active_account(email).await;
    let m = &w.kit.mypage;
    let id = m.start_job_offer(account, None, &client()).await.unwrap();
    m.save_job_offer_draft(account, id, &fixtures::job_offer(), &client()).await.unwrap();
    m.submit_job_offer(account, id, &client()).await.unwrap();
}

#[tokio::test]
async fn r20_several_submissions_within_the_interval_make_one_digest_and_the_next_waits_for_the_interval() {
    // Registrations and job offers alike: the digest counts both, and the job offers apart.
    let w = world().await;
    notify_iidabashi(&w).await;
    let first = w.kit.clock.now();
    submit(&w, "1301", 2).await;
    submit_job_offer(&w, "offer@example.jp").await;
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap(), DigestReport { sent: 1, skipped: 0 });
    assert_eq!(digests(&w).await, vec![(STAFF_MAIL.to_owned(), 3, 1, 3, Some(first))]);
    let audit: Vec<(Actor, AuditAction)> = w
        .kit
        .store
        .read(|t| t.audit().iter().filter(|e| e.subject == "office:1301").map(|e| (e.actor, e.action)).collect())
        .await;
    assert_eq!(audit.last(), Some(&(Actor::System, AuditAction::OfficeDigestSent)));

    w.kit.clock.advance(Duration::minutes(10));
    submit(&w, "1301", 2).await;
    w.kit.clock.advance(Duration::minutes(49));
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0, "the interval has not passed");
    assert_eq!(digests(&w).await.len(), 1);

    w.kit.clock.advance(Duration::minutes(1));
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 1, "an hour after the first digest");
    assert_eq!(digests(&w).await.last(), Some(&(STAFF_MAIL.to_owned(), 5, 1, 2, Some(first))));

    w.kit.clock.advance(Duration::hours(3));
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0, "nothing new since the last digest");
    assert_eq!(digests(&w).await.len(), 2);
}

#[tokio::test]
async fn r20_a_submission_committed_after_a_digest_that_did_not_see_it_is_announced_by_the_next() {
    // A submission's time is read before its transaction commits: one stamped before a digest may commit after it.
    let w = world().await;
    notify_iidabashi(&w).await;
    let first = w.kit.clock.now();
    submit(&w, "1301", 1).await;
    let late = w.kit.sign_up("late@example.jp").await;
    let m = &w.kit.mypage;
    m.declare_history(late, &HistoryInput::FirstTime { office: "1301".into() }, &client()).await.unwrap();
    m.save_establishment_info(late, &fixtures::establishment_info(), &client()).await.unwrap();
    m.save_job_offer(late, &fixtures::job_offer(), &client()).await.unwrap();
    let id = w.registration_of(late).await;
    w.kit.clock.advance(Duration::minutes(1));
    let stamped = w.kit.clock.now();
    let mut submitted = w.kit.store.read(|t| t.registrations().find(|r| r.id() == id).cloned()).await.unwrap();
    submitted.submit(stamped).unwrap();

    // The digest a minute later runs before that submission commits, and announces the first one alone.
    w.kit.clock.advance(Duration::minutes(1));
    assert_eq!(m.send_office_digests().await.unwrap().sent, 1);
    assert_eq!(digests(&w).await, vec![(STAFF_MAIL.to_owned(), 1, 0, 1, Some(first))]);
    let mut tx = w.kit.store.begin().await.unwrap();
    tx.registrations().update(&submitted).await.unwrap();
    tx.commit().await.unwrap();

    w.kit.clock.advance(Duration::hours(1));
    assert_eq!(m.send_office_digests().await.unwrap().sent, 1, "stamped before the last digest, yet new to it");
    assert_eq!(digests(&w).await.last(), Some(&(STAFF_MAIL.to_owned(), 2, 0, 1, Some(first))));
    w.kit.clock.advance(Duration::hours(1));
    assert_eq!(m.send_office_digests().await.unwrap().sent, 0, "announced once");
}

#[tokio::test]
async fn r20_nothing_waiting_sends_no_digest() {
    let w = world().await;
    notify_iidabashi(&w).await;
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0);
    // A registration still a draft waits for the employer, not for the office.
    let account = w.kit.sign_up("draft@example.jp").await;
    let history = mypage_domain::usecases::HistoryInput::FirstTime { office: "1301".into() };
    w.kit.mypage.declare_history(account, &history, &client()).await.unwrap();
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0);
    assert!(digests(&w).await.is_empty());
}

#[tokio::test]
async fn r20_an_office_without_an_address_or_closed_gets_no_digest() {
    let w = world().await;
    submit(&w, "2701", 2).await;
    submit(&w, "1301", 1).await;
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0, "no office has an address");
    notify_iidabashi(&w).await;
    w.kit.mypage.close_office(AdminActor::System, "1301", &client()).await.unwrap();
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0, "a closed office gets none");
    assert_eq!(w.kit.store.mail_codes_to(STAFF_MAIL).await, Vec::<&str>::new());
}

#[tokio::test]
async fn r20_an_admin_clearing_the_address_stops_the_digest() {
    let w = world().await;
    notify_iidabashi(&w).await;
    let details = OfficeDetailsInput { name: "ハローワーク飯田橋".into(), ..OfficeDetailsInput::default() };
    w.kit.mypage.edit_office(AdminActor::System, "1301", &details, &client()).await.unwrap();
    submit(&w, "1301", 1).await;
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 0);
}

#[tokio::test]
async fn r20_two_runs_at_once_send_one_digest() {
    let w = world().await;
    notify_iidabashi(&w).await;
    submit(&w, "1301", 3).await;
    let (a, b) = tokio::join!(w.kit.mypage.send_office_digests(), w.kit.mypage.send_office_digests());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    assert_eq!(w.kit.store.mail_codes_to(STAFF_MAIL).await, vec!["office_digest"]);
}

#[tokio::test]
async fn r20_a_run_that_loses_the_office_to_another_skips_it_and_queues_nothing() {
    let w = world().await;
    notify_iidabashi(&w).await;
    submit(&w, "1301", 1).await;
    w.kit.store.inject(Fault::Conflict);
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap(), DigestReport { sent: 0, skipped: 1 });
    assert!(digests(&w).await.is_empty());
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 1, "the next run sends it");
}

#[tokio::test]
async fn r20_the_interval_is_configuration() {
    let w = world_with(DomainConfig { digest_interval: Duration::minutes(5), ..DomainConfig::default() }).await;
    notify_iidabashi(&w).await;
    submit(&w, "1301", 1).await;
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 1);
    w.kit.clock.advance(Duration::minutes(1));
    submit(&w, "1301", 1).await;
    w.kit.mypage.send_office_digests().await.unwrap();
    assert_eq!(digests(&w).await.len(), 1, "within five minutes of the first");
    w.kit.clock.advance(Duration::minutes(4));
    assert_eq!(w.kit.mypage.send_office_digests().await.unwrap().sent, 1);
}

#[tokio::test]
async fn r20_the_digest_reports_a_store_failure() {
    let w = world().await;
    w.kit.store.fail_next_begins(1);
    assert!(matches!(w.kit.mypage.send_office_digests().await, Err(DigestError::Infrastructure(_))));
}

#[tokio::test]
async fn r20_a_reviewer_sees_how_many_wait_in_the_queue_of_their_office_only() {
    let w = world().await;
    submit(&w, "1301", 3).await;
    submit(&w, "2701", 1).await;
    assert_eq!(w.kit.mypage.waiting_for_review(w.reviewer).await.unwrap(), Some(3));
    assert_eq!(w.kit.mypage.waiting_for_review(w.osaka_reviewer).await.unwrap(), Some(1));
    assert_eq!(w.kit.mypage.waiting_for_review(w.counter).await.unwrap(), None, "not a reviewer");
}
