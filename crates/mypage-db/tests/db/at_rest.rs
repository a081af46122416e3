//! What the tables hold at rest: no clear auth key, ever (R3).

use chrono::{Duration, TimeZone, Utc};
use mypage_db::Database;
use mypage_domain::model::{FlowPurpose, MailId, MailTemplate, OutgoingMail};
use mypage_domain::ports::{MailQueue, UnitOfWork};
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
