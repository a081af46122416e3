//! Tests of the mail adapter: each template against its reviewed golden file, the MIME message, the file transport,
//! the dispatcher's decisions, and delivery through a real SMTP server (aiosmtpd) on loopback.
#![expect(clippy::unwrap_used, reason = "tests fail at once with the reason")]

mod digest;
mod dispatcher;
mod golden;
mod message;
mod with_server;

use chrono::{DateTime, Duration, TimeZone, Utc};
use mypage_domain::model::{AccountStatus, Filing, FlowPurpose, MailId, MailTemplate, OutgoingMail, RegistrationId};
use mypage_domain::values::{EmailAddress, EstablishmentNumber};
use mypage_smtp::MailConfig;
use secrecy::SecretString;

/// 2026-11-23 10:00 JST.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

pub(crate) fn config() -> MailConfig {
    MailConfig::hello_work().unwrap()
}

/// The decoy a notice carries in these tests; it must never appear in a message (R8).
pub(crate) const DECOY: &str = "DECOY-23456";

/// A withheld mail to `to` (R8): queued like a key mail, never sent.
pub(crate) fn withheld(n: u8, to: &str) -> OutgoingMail {
    let mut id = [0u8; 16];
    id[0] = n;
    id[15] = 0xBB;
    OutgoingMail {
        id: MailId::from_bytes(id),
        to: EmailAddress::parse(to).unwrap(),
        template: MailTemplate::Withheld { purpose: FlowPurpose::ResetPassword, decoy: SecretString::from(DECOY) },
        created_at: t0(),
    }
}

/// One mail of each template that is sent, named as its golden file.
pub(crate) fn every_template(to: &str) -> Vec<(&'static str, OutgoingMail)> {
    let key = |purpose| MailTemplate::AuthKey {
        purpose,
        key: SecretString::from("ABCDE-23456"),
        issued_at: t0(),
        expires_at: t0() + Duration::minutes(30),
    };
    let notice = |purpose, status| MailTemplate::AccountNotice { purpose, status, decoy: SecretString::from(DECOY) };
    let templates = vec![
        ("auth_key_open_mypage", key(FlowPurpose::OpenMyPage)),
        ("auth_key_sign_up", key(FlowPurpose::SignUp)),
        ("auth_key_reset_password", key(FlowPurpose::ResetPassword)),
        ("notice_sign_up_active", notice(FlowPurpose::SignUp, AccountStatus::Active)),
        ("notice_open_mypage_awaiting", notice(FlowPurpose::OpenMyPage, AccountStatus::AwaitingPassword)),
        ("notice_reset_password_awaiting", notice(FlowPurpose::ResetPassword, AccountStatus::AwaitingPassword)),
        ("auth_key_change_email", key(FlowPurpose::ChangeEmail)),
        ("notice_change_email_active", notice(FlowPurpose::ChangeEmail, AccountStatus::Active)),
        (
            "password_changed_while_logged_in",
            MailTemplate::PasswordChanged {
                at: t0(),
                how: mypage_domain::model::PasswordChange::ChangedWhileLoggedIn,
                office_name: Some("ハローワーク飯田橋".into()),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "email_changed",
            MailTemplate::EmailChanged {
                new_email_masked: "ji***@example.jp".into(),
                at: t0(),
                office_name: Some("ハローワーク飯田橋".into()),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        ("email_change_confirmed", MailTemplate::EmailChangeConfirmed { at: t0() }),
        ("account_closed", MailTemplate::AccountClosed { at: t0(), office_name: None, office_phone: None }),
        (
            "sessions_ended",
            MailTemplate::SessionsEnded {
                ended: 2,
                at: t0(),
                office_name: Some("ハローワーク飯田橋".into()),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "registration_received",
            MailTemplate::RegistrationReceived {
                registration: RegistrationId::from_bytes([7; 16]),
                office_name: "ハローワーク飯田橋".into(),
                first_time: false,
            },
        ),
        (
            "registration_confirmed",
            MailTemplate::RegistrationConfirmed {
                number: EstablishmentNumber::parse("1301-900001-5").unwrap(),
                establishment_name: "株式会社ハローテスト製作所".into(),
            },
        ),
        (
            "contact_needed",
            MailTemplate::ContactNeeded {
                about: Filing::Registration,
                note: "求人票の賃金欄について確認させてください。\n平日の日中にお電話いたします。".into(),
                office_name: "ハローワーク飯田橋".into(),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "registration_returned",
            MailTemplate::RegistrationReturned {
                about: Filing::Registration,
                note: "就業場所の住所を番地まで入力してください。".into(),
                office_name: "ハローワーク飯田橋".into(),
            },
        ),
        (
            "registration_rejected",
            MailTemplate::RegistrationRejected {
                about: Filing::Registration,
                reason: "事業所の所在地を確認できませんでした。".into(),
                office_name: "ハローワーク飯田橋".into(),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "password_changed",
            MailTemplate::PasswordChanged {
                at: t0(),
                how: mypage_domain::model::PasswordChange::Reset,
                office_name: Some("ハローワーク飯田橋".into()),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "job_offer_received",
            MailTemplate::JobOfferReceived {
                registration: RegistrationId::from_bytes([8; 16]),
                office_name: "ハローワーク飯田橋".into(),
                occupation: "一般事務".into(),
            },
        ),
        (
            "job_offer_accepted",
            MailTemplate::JobOfferAccepted {
                registration: RegistrationId::from_bytes([8; 16]),
                office_name: "ハローワーク飯田橋".into(),
                occupation: "一般事務".into(),
            },
        ),
        (
            "job_offer_contact_needed",
            MailTemplate::ContactNeeded {
                about: Filing::JobOffer { occupation: "一般事務".into() },
                note: "賃金の上限について確認させてください。".into(),
                office_name: "ハローワーク飯田橋".into(),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
        (
            "job_offer_returned",
            MailTemplate::RegistrationReturned {
                about: Filing::JobOffer { occupation: "一般事務".into() },
                note: "就業時間の補足に休憩の時間帯を入力してください。".into(),
                office_name: "ハローワーク飯田橋".into(),
            },
        ),
        (
            "job_offer_rejected",
            MailTemplate::RegistrationRejected {
                about: Filing::JobOffer { occupation: "一般事務".into() },
                reason: "年齢制限の例外事由に当たりません。".into(),
                office_name: "ハローワーク飯田橋".into(),
                office_phone: Some("03-3812-8609".into()),
            },
        ),
    ];
    templates
        .into_iter()
        .enumerate()
        .map(|(i, (name, template))| {
            let mut id = [0u8; 16];
            id[0] = u8::try_from(i).unwrap();
            id[15] = 0xAA;
            (
                name,
                OutgoingMail {
                    id: MailId::from_bytes(id),
                    to: EmailAddress::parse(to).unwrap(),
                    template,
                    created_at: t0(),
                },
            )
        })
        .collect()
}
