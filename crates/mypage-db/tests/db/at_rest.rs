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

/// R8: a notice and a withheld mail carry a decoy sealed as a key is, of the same length, so that queuing either
/// costs what queuing a key mail costs; the decoy is never read back, and it is erased when the mail is settled.
pub(crate) async fn a_notice_and_a_withheld_mail_carry_a_sealed_decoy_the_size_of_a_key(db: Database) {
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
    let sealed = |text: &str, field: &str| -> usize {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        value[field].as_str().map_or(0, str::len)
    };
    let decoy = || SecretString::from("DECOY-98765");
    let templates = [
        key_mail(1, at).template,
        MailTemplate::AccountNotice {
            purpose: FlowPurpose::SignUp,
            status: mypage_domain::model::AccountStatus::Active,
            decoy: decoy(),
        },
        MailTemplate::Withheld { purpose: FlowPurpose::ResetPassword, decoy: decoy() },
    ];
    for (n, template) in (1u8..).zip(templates) {
        let to = EmailAddress::parse(&format!("m{n}@example.jp")).unwrap();
        enqueue(&db, OutgoingMail { id: MailId::from_bytes([n; 16]), to, template, created_at: at }).await;
    }
    let stored = outbox_text(&db).await;
    assert!(!stored.contains("DECOY") && !stored.contains("98765"), "{stored}");
    let rows: Vec<&str> = stored.lines().collect();
    let lengths: Vec<usize> =
        rows.iter().map(|row| sealed(row, "sealed_key").max(sealed(row, "sealed_decoy"))).collect();
    assert!(lengths[0] > 0 && lengths.iter().all(|l| *l == lengths[0]), "sealed lengths {lengths:?}");
    let claimed = db.claim(at, 10, at + Duration::minutes(5)).await.unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(claimed.iter().any(|c| c.mail.template.is_withheld()));
    for c in &claimed {
        db.mark_sent(c.mail.id, at).await.unwrap();
    }
    let settled = outbox_text(&db).await;
    assert!(settled.lines().all(|row| sealed(row, "sealed_key") + sealed(row, "sealed_decoy") == 0), "{settled}");
    assert!(db.depth().await.unwrap().contains(&(MailState::Sent, 3)));
}
