//! What the tables hold at rest: no clear auth key, ever (R3).

use chrono::{Duration, TimeZone, Utc};
use mypage_db::{Database, DbConfig};
use mypage_domain::model::{FlowPurpose, MailId, MailTemplate, OutgoingMail};
use mypage_domain::ports::{MailQueue, MailState, UnitOfWork};
use mypage_domain::values::EmailAddress;
use sea_orm::{ConnectionTrait, Statement};
use secrecy::{ExposeSecret, SecretString};

async fn outbox_text(db: &Database) -> String {
    let conn = db.connection();
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), "SELECT params FROM outbox"))
        .await
        .unwrap();
    rows.iter().map(|r| r.try_get::<String>("", "params").unwrap()).collect::<Vec<_>>().join("\n")
}

fn key_mail(n: u8, at: chrono::DateTime<Utc>) -> OutgoingMail {
    OutgoingMail {
        id: MailId::from_bytes([n; 16]),
        to: EmailAddress::parse(&format!("m{n}@example.jp")).unwrap(),
        template: MailTemplate::AuthKey {
            purpose: FlowPurpose::SignUp,
            key: SecretString::from("QWERT-23456"),
            issued_at: at,
            expires_at: at + Duration::minutes(30),
        },
        created_at: at,
    }
}

async fn enqueue(db: &Database, mail: OutgoingMail) {
    let mut tx = db.begin().await.unwrap();
    tx.outbox().enqueue(mail).await.unwrap();
    tx.commit().await.unwrap();
}

/// R16: a mail sealed under a key this instance does not hold (another instance's secrets, a rotation) goes dead
/// alone with its reason; the rest of the batch is sent, and a key ring with the earlier key opens it again.
pub(crate) async fn a_row_no_key_opens_goes_dead_alone_and_a_key_ring_opens_it(fresh: &crate::harness::Fresh) {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
    let stranger = fresh.reopen(|url| DbConfig::new(url, [7; 32])).await;
    enqueue(&stranger, key_mail(1, at)).await;
    enqueue(&fresh.db, key_mail(2, at)).await;
    enqueue(&fresh.db, key_mail(3, at)).await;
    let claimed = fresh.db.claim(at, 10, at + Duration::minutes(5)).await.unwrap();
    let mut ids: Vec<MailId> = claimed.iter().map(|c| c.mail.id).collect();
    ids.sort_by_key(|id| id.to_string());
    assert_eq!(ids, vec![MailId::from_bytes([2; 16]), MailId::from_bytes([3; 16])], "the readable ones are sent");
    let dead = fresh.db.list(Some(MailState::Dead), 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].id, MailId::from_bytes([1; 16]));
    let reason = dead[0].last_error.clone().unwrap_or_default();
    assert!(reason.contains("cannot be read"), "{reason}");
    assert!(!reason.contains("QWERT"), "the reason names no secret: {reason}");
    let later = at + Duration::minutes(1);
    assert!(fresh.db.claim(later, 10, later + Duration::minutes(5)).await.unwrap().is_empty(), "not retried forever");
    let ring = fresh
        .reopen(|url| DbConfig::new(url, crate::harness::TEST_OUTBOX_KEY).with_previous_outbox_keys([[7; 32]]))
        .await;
    assert!(ring.requeue(MailId::from_bytes([1; 16]), later).await.unwrap());
    let again = ring.claim(later, 10, later + Duration::minutes(5)).await.unwrap();
    let MailTemplate::AuthKey { key, .. } = &again[0].mail.template else { panic!("a key mail") };
    assert_eq!(key.expose_secret(), "QWERT-23456", "the earlier key of the ring opens it");
}

pub(crate) async fn the_outbox_holds_the_auth_key_sealed_and_erases_it_once_sent(db: Database) {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
    let mail = OutgoingMail {
        id: MailId::from_bytes([3; 16]),
        to: EmailAddress::parse("a@example.jp").unwrap(),
        template: MailTemplate::AuthKey {
            purpose: FlowPurpose::OpenMyPage,
            key: SecretString::from("QWERT-23456"),
            issued_at: at,
            expires_at: at + Duration::minutes(30),
        },
        created_at: at,
    };
    let mut tx = db.begin().await.unwrap();
    tx.outbox().enqueue(mail).await.unwrap();
    tx.commit().await.unwrap();
    let stored = outbox_text(&db).await;
    assert!(!stored.contains("QWERT") && !stored.contains("23456"), "{stored}");
    let claimed = db.claim(at, 10, at + Duration::minutes(5)).await.unwrap();
    let MailTemplate::AuthKey { key, .. } = &claimed[0].mail.template else { panic!("a key mail") };
    assert_eq!(key.expose_secret(), "QWERT-23456");
    db.mark_sent(claimed[0].mail.id, at).await.unwrap();
    assert!(outbox_text(&db).await.contains(r#""sealed_key":null"#));
}
