//! A rendered mail as an RFC 5322 message: UTF-8 text, Japanese headers encoded (RFC 2047), a Message-ID that
//! stays the same however often the mail is sent, and a Date that is the time it was queued.

use mail_send::mail_builder::MessageBuilder;
use mypage_domain::model::OutgoingMail;

use crate::render::MailConfig;

/// A message ready for any transport. Its Debug shows no content: the body may hold an auth key.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The outbox id, for logs and the queue.
    pub id: mypage_domain::model::MailId,
    /// `<id@domain>`, stable across retries and restarts.
    pub message_id: String,
    /// The envelope sender.
    pub from: String,
    /// The recipient.
    pub to: String,
    /// The recipient, masked, for logs.
    pub to_masked: String,
    /// The template's code, for logs.
    pub template: &'static str,
    /// The subject, as rendered.
    pub subject: String,
    /// The body, as rendered (UTF-8 text), for transports that show it to a person.
    pub text: String,
    /// The whole message, CRLF line endings.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("id", &self.id)
            .field("to", &self.to_masked)
            .field("template", &self.template)
            .finish_non_exhaustive()
    }
}

/// Builds the message of an outgoing mail.
///
/// # Errors
/// [`std::io::ErrorKind::InvalidInput`] for a withheld mail, which has no message so that no transport is ever given
/// one (R8); otherwise an I/O error from the builder's writer, which writes to memory and so does not fail in practice.
pub fn build(mail: &OutgoingMail, config: &MailConfig) -> std::io::Result<Envelope> {
    let rendered = config.render(mail).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "a withheld mail has no message and is never sent")
    })?;
    let id = format!("{}@{}", mail.id, config.message_id_domain);
    let bytes = MessageBuilder::new()
        .from((config.from_name.as_str(), config.from_address.as_str()))
        .to(mail.to.as_str())
        .subject(rendered.subject.clone())
        .message_id(id.clone())
        .date(mail.created_at.timestamp())
        .header("Auto-Submitted", mail_send::mail_builder::headers::raw::Raw::new("auto-generated"))
        .text_body(rendered.body.clone())
        .write_to_vec()?;
    Ok(Envelope {
        id: mail.id,
        message_id: format!("<{id}>"),
        from: config.from_address.as_str().to_owned(),
        to: mail.to.as_str().to_owned(),
        to_masked: mail.to.masked(),
        template: mail.template.code(),
        subject: rendered.subject,
        text: rendered.body,
        bytes,
    })
}
