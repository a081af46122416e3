//! The office digest (R20): written to the office's staff, with counts, the oldest waiting time in JST and where
//! the queue is in the console; never an employer's details. It is the staff's, not an employer's: it is not one of
//! `every_template`, whose tests hold every employer's mail to the help desk's footer, and has its golden file here.

use chrono::Duration;
use mypage_domain::model::{MailId, MailTemplate, OutgoingMail};
use mypage_domain::values::EmailAddress;

use crate::{config, t0};

fn digest(oldest: Option<chrono::DateTime<chrono::Utc>>) -> OutgoingMail {
    OutgoingMail {
        id: MailId::from_bytes([0xD1; 16]),
        to: EmailAddress::parse("kyujin@iidabashi.example.jp").unwrap(),
        template: MailTemplate::OfficeDigest {
            office_name: "ハローワーク飯田橋".into(),
            waiting: 5,
            waiting_job_offers: 2,
            new_since_last: 2,
            oldest_submitted_at: oldest,
        },
        created_at: t0() + Duration::hours(1),
    }
}

#[test]
fn r20_the_digest_gives_the_counts_the_oldest_waiting_time_in_jst_and_the_consoles_queue() {
    let mut mail_config = config();
    mail_config.site_url = "https://mypage.example.go.jp/".into();
    let rendered = mail_config.render(&digest(Some(t0()))).unwrap();
    assert_eq!(rendered.subject, "【求人者マイページ】審査待ちの仮登録・求人申込みのお知らせ（ハローワーク飯田橋）");
    let body = rendered.body;
    assert!(body.starts_with("ハローワーク飯田橋\n職員各位\n"), "{body}");
    assert!(body.contains("審査待ちの件数：5件（仮登録 3件、求人の申込み 2件）"), "{body}");
    assert!(body.contains("前回のお知らせ以降の受付：2件"), "{body}");
    assert!(body.contains("最も古い受付日時：2026年11月23日（月）10時00分"), "in JST: {body}");
    assert!(body.contains("職員用画面：https://mypage.example.go.jp/staff\n"), "{body}");
    assert!(body.contains("system@mail.hellowork.mhlw.go.jp"), "{body}");
    assert!(!body.contains("ヘルプデスク"), "the employers' help desk is not the staff's: {body}");
}

#[test]
fn r20_a_digest_without_an_oldest_time_leaves_the_line_out() {
    let body = config().render(&digest(None)).unwrap().body;
    assert!(!body.contains("最も古い受付日時"), "{body}");
    assert!(body.contains("審査待ちの件数：5件"));
}

#[test]
fn r20_the_digest_matches_its_reviewed_golden_file() {
    let mut mail = digest(Some(t0()));
    mail.template = MailTemplate::OfficeDigest {
        office_name: "ハローワーク飯田橋".into(),
        waiting: 5,
        waiting_job_offers: 2,
        new_since_last: 3,
        oldest_submitted_at: Some(t0()),
    };
    let rendered = config().render(&mail).unwrap();
    let text = format!("Subject: {}\n\n{}", rendered.subject, rendered.body);
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/office_digest.txt");
    if std::env::var("MYPAGE_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), text);
}
