//! The office digest (R20) in storage, on memory, SQLite and PostgreSQL: the queue's summary is counted by office,
//! status, kind and submission time, with its oldest and newest submission; an office keeps its notification
//! address, the time of its last digest and its watermark; and a digest recorded from a stale copy of the office is
//! refused, so that of several instances running the digest at once only one sends it (on SQLite and PostgreSQL).

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_db::Database;
use mypage_domain::model::{
    Account, AccountId, ApplicationHistory, ClientInfo, MailTemplate, NoteDecision, Office, PasswordHash,
    ProvisionalRegistration, RegistrationId, StaffId, StaffNote,
};
use mypage_domain::ports::{Clock, MailQueue, QueueSummary, RepositoryError, UnitOfWork};
use mypage_domain::usecases::{AdminActor, NewOffice};
use mypage_domain::values::{
    EmailAddress, EstablishmentInfo, EstablishmentNumber, JobOffer, OfficeCode, OfficeDetails, OfficeDetailsInput,
    TermsConsent, TermsVersion,
};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{DeterministicKeys, FakeSecondFactor, FastHasher, ManualClock, PlainDigest, fixtures};

use crate::harness::Stores;

on_every_store!(
    r20_the_queue_summary_counts_one_offices_waiting_registrations_and_those_submitted_since_a_time,
    r20_an_office_keeps_its_notification_address_last_digest_and_watermark_and_refuses_a_stale_copy,
);

/// Runs a test of several instances at once on SQLite and PostgreSQL (`digest::concurrent::postgres::…`).
mod concurrent {
    mod sqlite {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn r20_four_instances_sending_digests_at_once_queue_one_mail() {
            let fresh = crate::harness::sqlite().await;
            super::super::four_instances_sending_digests_at_once_queue_one_mail(fresh.db.clone()).await;
            fresh.finish().await;
        }
    }
    mod postgres {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn r20_four_instances_sending_digests_at_once_queue_one_mail() {
            match crate::harness::postgres().await {
                Ok(fresh) => {
                    super::super::four_instances_sending_digests_at_once_queue_one_mail(fresh.db.clone()).await;
                    fresh.finish().await;
                }
                Err(why) => crate::harness::skip(&why),
            }
        }
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap()
}

fn id(n: u8) -> [u8; 16] {
    [n; 16]
}

fn code(c: &str) -> OfficeCode {
    OfficeCode::parse(c).unwrap()
}

fn account(n: u8) -> Account {
    let consent = TermsConsent { privacy_policy: TermsVersion(1), mypage_terms: TermsVersion(1), at: t0() };
    let address = EmailAddress::parse(&format!("digest{n}@example.jp")).unwrap();
    Account::opened_online(AccountId::from_bytes(id(n)), address, PasswordHash::new("$x$".into()), consent, t0())
}

/// A first-time registration of account `n` for `office`, submitted `minutes` after t0 when given.
fn registration(n: u8, office: &str, minutes: Option<i64>) -> ProvisionalRegistration {
    let history = ApplicationHistory::FirstTime { office: code(office) };
    let mut r =
        ProvisionalRegistration::draft(RegistrationId::from_bytes(id(n)), AccountId::from_bytes(id(n)), history, t0());
    if let Some(minutes) = minutes {
        r.save_establishment(EstablishmentInfo::parse(&fixtures::establishment_info()).unwrap(), t0()).unwrap();
        r.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
        r.submit(t0() + Duration::minutes(minutes)).unwrap();
    }
    r
}

pub(crate) async fn r20_the_queue_summary_counts_one_offices_waiting_registrations_and_those_submitted_since_a_time(
    s: Stores,
) {
    let mut tx = s.uow.begin().await.unwrap();
    for c in ["1301", "2701"] {
        tx.offices().insert(&Office::new(code(c), format!("ハローワーク{c}"), None)).await.unwrap();
    }
    for n in 1..=5 {
        tx.accounts().insert(&account(n)).await.unwrap();
    }
    tx.registrations().insert(&registration(1, "1301", Some(30))).await.unwrap();
    tx.registrations().insert(&registration(2, "1301", Some(10))).await.unwrap();
    let mut contact = registration(3, "1301", Some(20));
    let note = StaffNote::parse("お電話します。").unwrap();
    contact.decide_with_note(StaffId::from_bytes(id(9)), NoteDecision::ContactNeeded, note, t0()).unwrap();
    tx.registrations().insert(&contact).await.unwrap();
    tx.registrations().insert(&registration(4, "2701", Some(5))).await.unwrap();
    tx.registrations().insert(&registration(5, "1301", None)).await.unwrap();
    tx.accounts().insert(&account(6)).await.unwrap();
    let number = EstablishmentNumber::parse("1301-123456-7").unwrap();
    let mut offer = ProvisionalRegistration::job_offer_draft(
        RegistrationId::from_bytes(id(6)),
        AccountId::from_bytes(id(6)),
        number,
        t0(),
    );
    offer.save_job_offer(JobOffer::parse(&fixtures::job_offer()).unwrap(), t0()).unwrap();
    offer.submit(t0() + Duration::minutes(40)).unwrap();
    tx.registrations().insert(&offer).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let summary = |waiting, job_offers, submitted_since, oldest_and_newest: Option<(i64, i64)>| QueueSummary {
        waiting,
        job_offers,
        submitted_since,
        oldest_submitted_at: oldest_and_newest.map(|(m, _)| t0() + Duration::minutes(m)),
        newest_submitted_at: oldest_and_newest.map(|(_, m)| t0() + Duration::minutes(m)),
    };
    let iidabashi = code("1301");
    let r = tx.registrations();
    let all = r.queue_summary(&iidabashi, None).await.unwrap();
    assert_eq!(all, summary(4, 1, 4, Some((10, 40))), "a draft does not wait");
    let since = Some(t0() + Duration::minutes(10));
    assert_eq!(
        r.queue_summary(&iidabashi, since).await.unwrap(),
        summary(4, 1, 3, Some((10, 40))),
        "after, not at, the time"
    );
    let since = Some(t0() + Duration::minutes(30));
    assert_eq!(r.queue_summary(&iidabashi, since).await.unwrap(), summary(4, 1, 1, Some((10, 40))));
    assert_eq!(
        r.queue_summary(&iidabashi, all.newest_submitted_at).await.unwrap(),
        summary(4, 1, 0, Some((10, 40))),
        "nothing after the newest, as stored and read back"
    );
    assert_eq!(r.queue_summary(&code("2701"), None).await.unwrap(), summary(1, 0, 1, Some((5, 5))));
    assert_eq!(r.queue_summary(&code("4101"), None).await.unwrap(), QueueSummary::default(), "an empty queue");
}

pub(crate) async fn r20_an_office_keeps_its_notification_address_last_digest_and_watermark_and_refuses_a_stale_copy(
    s: Stores,
) {
    let mut tx = s.uow.begin().await.unwrap();
    tx.offices().insert(&Office::new(code("1301"), "ハローワーク飯田橋".into(), None)).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let stale = tx.offices().get(&code("1301")).await.unwrap().unwrap();
    assert_eq!(
        (stale.notification_email(), stale.last_digest_at(), stale.digest_watermark()),
        (None, None, None),
        "none before an admin gives one"
    );
    let mut office = stale.clone();
    let input = OfficeDetailsInput {
        name: "ハローワーク飯田橋".into(),
        notification_email: "kyujin@iidabashi.example.jp".into(),
        ..OfficeDetailsInput::default()
    };
    office.edit(&OfficeDetails::parse(&input).unwrap());
    office.record_digest(t0() + Duration::minutes(5), Some(t0()));
    tx.offices().update(&office).await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = s.uow.begin().await.unwrap();
    let stored = tx.offices().get(&code("1301")).await.unwrap().unwrap();
    assert_eq!(stored.notification_email().map(EmailAddress::as_str), Some("kyujin@iidabashi.example.jp"));
    assert_eq!(
        (stored.last_digest_at(), stored.digest_watermark(), stored.version()),
        (Some(t0() + Duration::minutes(5)), Some(t0()), 1)
    );
    let mut late = stale;
    late.record_digest(t0() + Duration::minutes(6), Some(t0() + Duration::minutes(1)));
    let err = tx.offices().update(&late).await.unwrap_err();
    assert!(matches!(err, RepositoryError::Conflict), "{err:?}");
}

/// Four instances run the digest at the same moment over one database: one mail is queued, and the others skip the
/// office, whichever way the database serialises them; the office's watermark is the newest submission (R16, R20).
async fn four_instances_sending_digests_at_once_queue_one_mail(db: Database) {
    let clock = ManualClock::monday_morning();
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: Arc::new(clock.clone()),
        keys: Arc::new(DeterministicKeys::new(std::process::id().into())),
        digest: Arc::new(PlainDigest),
        hasher: Arc::new(FastHasher::new()),
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let mypage = MyPage::new(ports, DomainConfig::default());
    let sys = ClientInfo::system();
    let office = NewOffice { code: "1301".into(), name: "ハローワーク飯田橋".into(), phone: None };
    mypage.add_office(AdminActor::System, &office, &sys).await.unwrap();
    let details = OfficeDetailsInput {
        name: "ハローワーク飯田橋".into(),
        notification_email: "kyujin@iidabashi.example.jp".into(),
        ..OfficeDetailsInput::default()
    };
    mypage.edit_office(AdminActor::System, "1301", &details, &sys).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for n in 1..=3 {
        tx.accounts().insert(&account(n)).await.unwrap();
        tx.registrations().insert(&registration(n, "1301", Some(i64::from(n)))).await.unwrap();
    }
    tx.commit().await.unwrap();
    clock.advance(Duration::hours(1));

    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let m = mypage.clone();
            tokio::spawn(async move { m.send_office_digests().await })
        })
        .collect();
    let mut sent = 0;
    for t in tasks {
        let report = t.await.unwrap().unwrap();
        sent += report.sent;
    }
    assert_eq!(sent, 1);
    let now = clock.now();
    let mails = db.claim(now, 100, now + Duration::minutes(1)).await.unwrap();
    let digests: Vec<_> = mails.iter().filter(|c| c.mail.template.code() == "office_digest").collect();
    assert_eq!(digests.len(), 1);
    let MailTemplate::OfficeDigest { waiting, new_since_last, .. } = &digests[0].mail.template else {
        panic!("a digest");
    };
    assert_eq!((*waiting, *new_since_last), (3, 3));
    let mut tx = db.begin().await.unwrap();
    let office = tx.offices().get(&code("1301")).await.unwrap().unwrap();
    let newest = Some(t0() + Duration::minutes(3));
    assert_eq!(office.digest_watermark(), newest, "the newest submission the digest counted");
}
