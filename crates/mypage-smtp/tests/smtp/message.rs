//! The MIME message: Japanese headers encoded, a stable Message-ID, the body as UTF-8 text.

use mail_parser::MessageParser;
use mypage_smtp::build;

use crate::{config, every_template, t0};

#[test]
fn japanese_subjects_are_encoded_and_decode_back() {
    for (name, mail) in every_template("saiyou@example.jp") {
        let envelope = build(&mail, &config()).unwrap();
        let raw = String::from_utf8_lossy(&envelope.bytes);
        let header_block = raw.split("\r\n\r\n").next().unwrap();
        assert!(header_block.is_ascii(), "{name}: headers must be 7-bit, encoded per RFC 2047");
        let parsed = MessageParser::default().parse(&envelope.bytes).unwrap();
        assert_eq!(parsed.subject(), Some(config().render(&mail).unwrap().subject.as_str()), "{name}");
        assert_eq!(
            parsed.body_text(0).unwrap().replace("\r\n", "\n").trim_end(),
            config().render(&mail).unwrap().body.trim_end(),
            "{name}"
        );
        let from = parsed.from().unwrap().first().unwrap();
        assert_eq!(from.address(), Some("system@mail.hellowork.mhlw.go.jp"));
        assert_eq!(from.name(), Some("ハローワークインターネットサービス"));
    }
}

#[test]
fn r16_the_same_mail_builds_the_same_message_with_its_own_message_id() {
    let (_, mail) = every_template("saiyou@example.jp").remove(0);
    let (a, b) = (build(&mail, &config()).unwrap(), build(&mail, &config()).unwrap());
    assert_eq!(a.bytes, b.bytes, "a resend after a crash is the same message");
    assert_eq!(a.message_id, format!("<{}@mail.hellowork.mhlw.go.jp>", mail.id));
    let parsed = MessageParser::default().parse(&a.bytes).unwrap();
    assert_eq!(parsed.message_id(), Some(format!("{}@mail.hellowork.mhlw.go.jp", mail.id).as_str()));
    assert_eq!(parsed.date().unwrap().to_timestamp(), t0().timestamp(), "dated when queued");
}

#[test]
fn the_envelope_carries_a_masked_recipient_for_logs() {
    let (_, mail) = every_template("saiyou@example.jp").remove(0);
    let envelope = build(&mail, &config()).unwrap();
    assert_eq!(envelope.to_masked, "sa***@example.jp");
    assert_eq!(envelope.to, "saiyou@example.jp");
}

#[test]
fn r8_a_withheld_mail_builds_no_message() {
    let err = build(&crate::withheld(1, "nobody@example.jp"), &config()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
