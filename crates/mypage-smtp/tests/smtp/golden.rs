//! Each rendered mail against its golden file, which a person has read as the office would send it (R7).
//! `MYPAGE_UPDATE_GOLDEN=1` rewrites the files; the diff is then reviewed like code.

use std::path::PathBuf;

use crate::{config, every_template};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn r7_every_template_matches_its_reviewed_golden_file() {
    let update = std::env::var("MYPAGE_UPDATE_GOLDEN").as_deref() == Ok("1");
    let mut mismatched = Vec::new();
    for (name, mail) in every_template("saiyou@example.jp") {
        let rendered = config().render(&mail).unwrap();
        let text = format!("Subject: {}\n\n{}", rendered.subject, rendered.body);
        let path = golden_dir().join(format!("{name}.txt"));
        if update {
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if expected != text {
            mismatched.push(name);
        }
    }
    assert!(mismatched.is_empty(), "rendered mails differ from their golden files: {mismatched:?}");
}

#[test]
fn r7_every_subject_carries_the_service_name() {
    for (name, mail) in every_template("saiyou@example.jp") {
        assert!(config().render(&mail).unwrap().subject.starts_with("【求人者マイページ】"), "{name}");
    }
}

#[test]
fn r7_the_key_mail_says_the_key_its_times_in_jst_and_what_to_do_when_it_expired() {
    let (_, mail) = every_template("saiyou@example.jp").remove(0);
    let body = config().render(&mail).unwrap().body;
    assert!(body.contains("認証キー：ABCDE-23456"));
    assert!(body.contains("2026年11月23日（月）10時00分"), "issued, in JST");
    assert!(body.contains("2026年11月23日（月）10時30分まで（30分間）"), "expiry, in JST");
    assert!(body.contains("はじめからやり直してください"));
    assert!(body.contains("system@mail.hellowork.mhlw.go.jp"), "the system address to allow");
}

#[test]
fn r7_no_mail_but_the_key_mail_carries_a_key() {
    for (name, mail) in every_template("saiyou@example.jp").into_iter().filter(|(n, _)| !n.starts_with("auth_key")) {
        assert!(!config().render(&mail).unwrap().body.contains("ABCDE-23456"), "{name}");
    }
}

#[test]
fn r17_the_reset_key_mail_names_the_reset_screen_and_where_to_start_again() {
    let (_, mail) =
        every_template("saiyou@example.jp").into_iter().find(|(n, _)| *n == "auth_key_reset_password").unwrap();
    let rendered = config().render(&mail).unwrap();
    assert_eq!(rendered.subject, "【求人者マイページ】パスワード再設定申込受付通知");
    assert!(rendered.body.contains("「パスワード再設定」画面"));
    assert!(rendered.body.contains("「パスワードを忘れた方」からはじめからやり直してください"));
}

#[test]
fn r8_a_notice_tells_an_address_still_waiting_for_its_password_where_to_set_it() {
    let (_, mail) =
        every_template("saiyou@example.jp").into_iter().find(|(n, _)| *n == "notice_open_mypage_awaiting").unwrap();
    let body = config().render(&mail).unwrap().body;
    assert!(body.contains("パスワードがまだ登録されていません"));
    assert!(body.contains("「求人者マイページ開設（パスワード登録）」からパスワードを登録してください"));
}

#[test]
fn r8_a_notice_never_shows_its_decoy_and_a_withheld_mail_has_no_text() {
    for (name, mail) in every_template("saiyou@example.jp").into_iter().filter(|(n, _)| n.starts_with("notice")) {
        let rendered = config().render(&mail).unwrap();
        assert!(!rendered.body.contains(crate::DECOY) && !rendered.subject.contains(crate::DECOY), "{name}");
    }
    assert_eq!(config().render(&crate::withheld(1, "nobody@example.jp")), None);
}

#[test]
fn the_key_mail_shows_the_help_desk_of_seed_002_by_default() {
    let (_, mail) = every_template("saiyou@example.jp").remove(0);
    let body = config().render(&mail).unwrap().body;
    assert!(body.contains("電話：0570-077450\n受付日時：月曜～金曜 9:30～18:00（年末年始、祝日除く）\n"), "{body}");
    assert!(body.contains("※ナビダイヤルのため、通話料がかかります。"), "{body}");
    assert!(body.contains("メール：helpdesk@hd.hellowork.mhlw.go.jp\n"), "{body}");
    assert!(!body.contains("8時30分"), "the old hours are gone: {body}");
}

#[test]
fn every_mail_shows_the_configured_help_desk_instead_of_the_default() {
    let mut config = config();
    config.help_desk = mypage_domain::HelpDesk {
        name: "マイページ相談窓口".into(),
        phone: "03-1234-5678".into(),
        hours: "平日 9:00～17:00".into(),
        phone_note: None,
        email: None,
    };
    for (name, mail) in every_template("saiyou@example.jp") {
        let body = config.render(&mail).unwrap().body;
        assert!(
            body.contains("■お問い合わせ先（操作方法について）\nマイページ相談窓口\n電話：03-1234-5678\n受付日時：平日 9:00～17:00\n\n"),
            "{name}: {body}"
        );
        assert!(
            !body.contains("0570-077450") && !body.contains("helpdesk@") && !body.contains("ナビダイヤル"),
            "{name}"
        );
    }
}

#[test]
fn r11_an_office_without_a_phone_is_named_alone_where_the_employer_is_told_to_ask_it() {
    use mypage_domain::model::MailTemplate;
    for (name, mut mail) in every_template("saiyou@example.jp") {
        match &mut mail.template {
            MailTemplate::ContactNeeded { office_phone, .. }
            | MailTemplate::RegistrationRejected { office_phone, .. }
            | MailTemplate::PasswordChanged { office_phone, .. } => *office_phone = None,
            _ => continue,
        }
        let body = config().render(&mail).unwrap().body;
        assert!(
            body.contains("ハローワーク飯田橋にお問い合わせください。")
                || body.contains("管轄のハローワーク飯田橋にご連絡ください。"),
            "{name}: {body}"
        );
        assert!(!body.contains("（電話：03-3812-8609）"), "{name}");
    }
}

#[test]
fn r17_the_password_changed_mail_of_an_account_without_an_establishment_says_its_office_of_jurisdiction() {
    use mypage_domain::model::{MailTemplate, OutgoingMail};
    let (_, changed) = every_template("saiyou@example.jp").into_iter().find(|(n, _)| *n == "password_changed").unwrap();
    let mail = OutgoingMail {
        template: MailTemplate::PasswordChanged {
            at: changed.created_at,
            how: mypage_domain::model::PasswordChange::Reset,
            office_name: None,
            office_phone: None,
        },
        ..changed
    };
    let body = config().render(&mail).unwrap().body;
    assert!(body.contains("管轄のハローワークにご連絡ください。"), "{body}");
}

/// Seed 002, step 6: a first-time applicant (case C) completes 本登録 at the office's counter or by phone, and its
/// receipt says so; a past applicant's receipt (`registration_received.txt`) says the office checks it.
#[test]
fn the_receipt_of_a_first_time_applicant_says_to_complete_the_final_registration_at_the_counter_or_by_phone() {
    use mypage_domain::model::MailTemplate;
    let (_, mut mail) =
        every_template("saiyou@example.jp").into_iter().find(|(name, _)| *name == "registration_received").unwrap();
    let MailTemplate::RegistrationReceived { first_time, .. } = &mut mail.template else { unreachable!() };
    *first_time = true;
    let rendered = config().render(&mail).unwrap();
    let text = format!("Subject: {}\n\n{}", rendered.subject, rendered.body);
    let path = golden_dir().join("registration_received_first_time.txt");
    if std::env::var("MYPAGE_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    assert!(text.contains("ハローワーク飯田橋の窓口または電話で、本登録の手続きを行ってください。"));
}
