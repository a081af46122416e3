//! Outgoing mail: outbox rows and back, the stored template parameters sealed with the outbox key (R8).

use chrono::{DateTime, Utc};
use mypage_domain::model::{
    AccountStatus, Filing, FlowPurpose, MailId, MailTemplate, OutgoingMail, PasswordChange, RegistrationId,
};
use mypage_domain::ports::{InfrastructureError, MailState, MailSummary};
use mypage_domain::values::EstablishmentNumber;
use sea_orm::ActiveValue::Set;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{corrupt, email, json, parse_id, to_json};
use crate::entities::outbox;
use crate::seal::Sealer;

// Mail.

/// A template's parameters as stored in the outbox. The auth key is stored until the mail is sent, then erased; so is
/// the decoy of a notice or a withheld mail, sealed as a key is so that the three cost the same (R8).
#[derive(Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
enum StoredTemplate {
    /// `sealed_key` is the key sealed by [`crate::seal::Sealer`]; `None` once the mail was sent.
    AuthKey {
        purpose: String,
        sealed_key: Option<String>,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    /// `sealed_decoy` is sealed like a key and never opened: a decoy is never used. Rows queued before decoys
    /// existed have none.
    AccountNotice {
        purpose: String,
        status: String,
        #[serde(default)]
        sealed_decoy: Option<String>,
    },
    /// Never sent (R8); `sealed_decoy` as for a notice.
    Withheld {
        purpose: String,
        sealed_decoy: Option<String>,
    },
    /// `first_time` is absent from rows queued before the receipt told case C how 本登録 is done.
    RegistrationReceived {
        registration: String,
        office_name: String,
        #[serde(default)]
        first_time: bool,
    },
    RegistrationConfirmed {
        number: String,
        establishment_name: String,
    },
    /// `office_phone` is absent from rows queued before mails gave it; `about` from rows queued before job offers
    /// (R20), which were all about a registration.
    ContactNeeded {
        #[serde(default)]
        about: StoredFiling,
        note: String,
        office_name: String,
        #[serde(default)]
        office_phone: Option<String>,
    },
    RegistrationReturned {
        #[serde(default)]
        about: StoredFiling,
        note: String,
        office_name: String,
    },
    RegistrationRejected {
        #[serde(default)]
        about: StoredFiling,
        reason: String,
        office_name: String,
        #[serde(default)]
        office_phone: Option<String>,
    },
    /// The office is absent from rows queued before mails named it.
    PasswordChanged {
        at: DateTime<Utc>,
        #[serde(default)]
        office_name: Option<String>,
        #[serde(default)]
        office_phone: Option<String>,
        /// `reset` or `changed`; absent from rows queued before a password could be changed while logged in,
        /// which were all resets.
        #[serde(default)]
        how: Option<String>,
    },
    EmailChanged {
        new_email_masked: String,
        at: DateTime<Utc>,
        office_name: Option<String>,
        office_phone: Option<String>,
    },
    EmailChangeConfirmed {
        at: DateTime<Utc>,
    },
    AccountClosed {
        at: DateTime<Utc>,
        office_name: Option<String>,
        office_phone: Option<String>,
    },
    SessionsEnded {
        ended: u64,
        at: DateTime<Utc>,
        office_name: Option<String>,
        office_phone: Option<String>,
    },
    JobOfferReceived {
        registration: String,
        office_name: String,
        occupation: String,
    },
    JobOfferAccepted {
        registration: String,
        office_name: String,
        occupation: String,
    },
    OfficeDigest {
        office_name: String,
        waiting: u64,
        waiting_job_offers: u64,
        new_since_last: u64,
        oldest_submitted_at: Option<DateTime<Utc>>,
    },
}

/// What a decision mail is about (R20), as stored.
#[derive(Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredFiling {
    #[default]
    Registration,
    JobOffer {
        occupation: String,
    },
}

impl From<&Filing> for StoredFiling {
    fn from(about: &Filing) -> Self {
        match about {
            Filing::Registration => Self::Registration,
            Filing::JobOffer { occupation } => Self::JobOffer { occupation: occupation.clone() },
        }
    }
}

impl From<StoredFiling> for Filing {
    fn from(about: StoredFiling) -> Self {
        match about {
            StoredFiling::Registration => Self::Registration,
            StoredFiling::JobOffer { occupation } => Self::JobOffer { occupation },
        }
    }
}

pub(crate) fn outbox_row(mail: &OutgoingMail, sealer: &Sealer) -> outbox::ActiveModel {
    let stored = match &mail.template {
        MailTemplate::AuthKey { purpose, key, issued_at, expires_at } => StoredTemplate::AuthKey {
            purpose: purpose.code().to_owned(),
            sealed_key: Some(sealer.seal(mail.id, key.expose_secret())),
            issued_at: *issued_at,
            expires_at: *expires_at,
        },
        MailTemplate::AccountNotice { purpose, status, decoy } => StoredTemplate::AccountNotice {
            purpose: purpose.code().to_owned(),
            status: status.code().to_owned(),
            sealed_decoy: Some(sealer.seal(mail.id, decoy.expose_secret())),
        },
        MailTemplate::Withheld { purpose, decoy } => StoredTemplate::Withheld {
            purpose: purpose.code().to_owned(),
            sealed_decoy: Some(sealer.seal(mail.id, decoy.expose_secret())),
        },
        MailTemplate::RegistrationReceived { registration, office_name, first_time } => {
            StoredTemplate::RegistrationReceived {
                registration: registration.to_string(),
                office_name: office_name.clone(),
                first_time: *first_time,
            }
        }
        MailTemplate::RegistrationConfirmed { number, establishment_name } => StoredTemplate::RegistrationConfirmed {
            number: number.digits().to_owned(),
            establishment_name: establishment_name.clone(),
        },
        MailTemplate::ContactNeeded { about, note, office_name, office_phone } => StoredTemplate::ContactNeeded {
            about: about.into(),
            note: note.clone(),
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        MailTemplate::RegistrationReturned { about, note, office_name } => StoredTemplate::RegistrationReturned {
            about: about.into(),
            note: note.clone(),
            office_name: office_name.clone(),
        },
        MailTemplate::RegistrationRejected { about, reason, office_name, office_phone } => {
            StoredTemplate::RegistrationRejected {
                about: about.into(),
                reason: reason.clone(),
                office_name: office_name.clone(),
                office_phone: office_phone.clone(),
            }
        }
        MailTemplate::PasswordChanged { at, how, office_name, office_phone } => StoredTemplate::PasswordChanged {
            at: *at,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
            how: Some(how.code().to_owned()),
        },
        MailTemplate::EmailChanged { new_email_masked, at, office_name, office_phone } => {
            StoredTemplate::EmailChanged {
                new_email_masked: new_email_masked.clone(),
                at: *at,
                office_name: office_name.clone(),
                office_phone: office_phone.clone(),
            }
        }
        MailTemplate::EmailChangeConfirmed { at } => StoredTemplate::EmailChangeConfirmed { at: *at },
        MailTemplate::AccountClosed { at, office_name, office_phone } => StoredTemplate::AccountClosed {
            at: *at,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        MailTemplate::SessionsEnded { ended, at, office_name, office_phone } => StoredTemplate::SessionsEnded {
            ended: *ended,
            at: *at,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        MailTemplate::JobOfferReceived { registration, office_name, occupation } => StoredTemplate::JobOfferReceived {
            registration: registration.to_string(),
            office_name: office_name.clone(),
            occupation: occupation.clone(),
        },
        MailTemplate::JobOfferAccepted { registration, office_name, occupation } => StoredTemplate::JobOfferAccepted {
            registration: registration.to_string(),
            office_name: office_name.clone(),
            occupation: occupation.clone(),
        },
        MailTemplate::OfficeDigest {
            office_name,
            waiting,
            waiting_job_offers,
            new_since_last,
            oldest_submitted_at,
        } => StoredTemplate::OfficeDigest {
            office_name: office_name.clone(),
            waiting: *waiting,
            waiting_job_offers: *waiting_job_offers,
            new_since_last: *new_since_last,
            oldest_submitted_at: *oldest_submitted_at,
        },
    };
    outbox::ActiveModel {
        id: Set(mail.id.to_string()),
        recipient: Set(mail.to.as_str().to_owned()),
        template: Set(mail.template.code().to_owned()),
        params: Set(to_json(&stored)),
        state: Set(MailState::Pending.code().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(mail.created_at),
        last_error: Set(None),
        message_id: Set(mail.id.to_string()),
        created_at: Set(mail.created_at),
        sent_at: Set(None),
    }
}

/// The parameters with the secret erased, as stored once the mail is sent.
pub(crate) fn scrubbed_params(raw: &str) -> String {
    match serde_json::from_str::<StoredTemplate>(raw) {
        Ok(StoredTemplate::AuthKey { purpose, issued_at, expires_at, .. }) => {
            to_json(&StoredTemplate::AuthKey { purpose, sealed_key: None, issued_at, expires_at })
        }
        Ok(StoredTemplate::AccountNotice { purpose, status, .. }) => {
            to_json(&StoredTemplate::AccountNotice { purpose, status, sealed_decoy: None })
        }
        Ok(StoredTemplate::Withheld { purpose, .. }) => {
            to_json(&StoredTemplate::Withheld { purpose, sealed_decoy: None })
        }
        Ok(other) => to_json(&other),
        Err(_) => String::from("{}"),
    }
}

pub(crate) fn outgoing_mail(row: &outbox::Model, sealer: &Sealer) -> Result<OutgoingMail, InfrastructureError> {
    const T: &str = "outbox";
    let id = parse_id(&row.id, MailId::from_uuid, T, "id")?;
    let purpose = |p: &str| FlowPurpose::from_code(p).ok_or_else(|| corrupt(T, "params"));
    let template = match json::<StoredTemplate>(&row.params, T, "params")? {
        StoredTemplate::AuthKey { purpose: p, sealed_key, issued_at, expires_at } => MailTemplate::AuthKey {
            purpose: purpose(&p)?,
            key: SecretString::from(
                sealed_key.and_then(|sealed| sealer.open(id, &sealed)).ok_or_else(|| corrupt(T, "params"))?,
            ),
            issued_at,
            expires_at,
        },
        // A decoy is not opened: it is never used, and a row should not go dead for want of it.
        StoredTemplate::AccountNotice { purpose: p, status, sealed_decoy: _ } => MailTemplate::AccountNotice {
            purpose: purpose(&p)?,
            status: AccountStatus::from_code(&status).ok_or_else(|| corrupt(T, "params"))?,
            decoy: SecretString::from(String::new()),
        },
        StoredTemplate::Withheld { purpose: p, sealed_decoy: _ } => {
            MailTemplate::Withheld { purpose: purpose(&p)?, decoy: SecretString::from(String::new()) }
        }
        StoredTemplate::RegistrationReceived { registration, office_name, first_time } => {
            MailTemplate::RegistrationReceived {
                registration: parse_id(&registration, RegistrationId::from_uuid, T, "params")?,
                office_name,
                first_time,
            }
        }
        StoredTemplate::RegistrationConfirmed { number, establishment_name } => MailTemplate::RegistrationConfirmed {
            number: EstablishmentNumber::parse(&number).map_err(|_| corrupt(T, "params"))?,
            establishment_name,
        },
        StoredTemplate::ContactNeeded { about, note, office_name, office_phone } => {
            MailTemplate::ContactNeeded { about: about.into(), note, office_name, office_phone }
        }
        StoredTemplate::RegistrationReturned { about, note, office_name } => {
            MailTemplate::RegistrationReturned { about: about.into(), note, office_name }
        }
        StoredTemplate::RegistrationRejected { about, reason, office_name, office_phone } => {
            MailTemplate::RegistrationRejected { about: about.into(), reason, office_name, office_phone }
        }
        StoredTemplate::PasswordChanged { at, office_name, office_phone, how } => {
            let how = match how.as_deref() {
                None => PasswordChange::Reset,
                Some(code) => PasswordChange::from_code(code).ok_or_else(|| corrupt(T, "params"))?,
            };
            MailTemplate::PasswordChanged { at, how, office_name, office_phone }
        }
        StoredTemplate::EmailChanged { new_email_masked, at, office_name, office_phone } => {
            MailTemplate::EmailChanged { new_email_masked, at, office_name, office_phone }
        }
        StoredTemplate::EmailChangeConfirmed { at } => MailTemplate::EmailChangeConfirmed { at },
        StoredTemplate::AccountClosed { at, office_name, office_phone } => {
            MailTemplate::AccountClosed { at, office_name, office_phone }
        }
        StoredTemplate::SessionsEnded { ended, at, office_name, office_phone } => {
            MailTemplate::SessionsEnded { ended, at, office_name, office_phone }
        }
        StoredTemplate::JobOfferReceived { registration, office_name, occupation } => MailTemplate::JobOfferReceived {
            registration: parse_id(&registration, RegistrationId::from_uuid, T, "params")?,
            office_name,
            occupation,
        },
        StoredTemplate::JobOfferAccepted { registration, office_name, occupation } => MailTemplate::JobOfferAccepted {
            registration: parse_id(&registration, RegistrationId::from_uuid, T, "params")?,
            office_name,
            occupation,
        },
        StoredTemplate::OfficeDigest {
            office_name,
            waiting,
            waiting_job_offers,
            new_since_last,
            oldest_submitted_at,
        } => {
            MailTemplate::OfficeDigest { office_name, waiting, waiting_job_offers, new_since_last, oldest_submitted_at }
        }
    };
    Ok(OutgoingMail { id, to: email(&row.recipient, T)?, template, created_at: row.created_at })
}

pub(crate) fn mail_summary(row: &outbox::Model) -> Result<MailSummary, InfrastructureError> {
    const T: &str = "outbox";
    Ok(MailSummary {
        id: parse_id(&row.id, MailId::from_uuid, T, "id")?,
        to: email(&row.recipient, T)?,
        template: row.template.clone(),
        state: MailState::from_code(&row.state).ok_or_else(|| corrupt(T, "state"))?,
        attempts: u32::try_from(row.attempts).map_err(|_| corrupt(T, "attempts"))?,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error.clone(),
        created_at: row.created_at,
    })
}

#[cfg(test)]
mod tests {
    use super::StoredTemplate;

    #[test]
    fn mails_queued_before_they_named_the_office_still_read_and_a_new_one_keeps_its_phone() {
        let old =
            r#"{"template":"registration_rejected","reason":"確認できません。","office_name":"ハローワーク飯田橋"}"#;
        let Ok(StoredTemplate::RegistrationRejected { office_phone, .. }) = serde_json::from_str(old) else {
            panic!("an old row reads as a rejection");
        };
        assert_eq!(office_phone, None);
        let new = StoredTemplate::ContactNeeded {
            about: super::StoredFiling::JobOffer { occupation: "一般事務".into() },
            note: "お電話します。".into(),
            office_name: "ハローワーク飯田橋".into(),
            office_phone: Some("03-3812-8609".into()),
        };
        let Ok(StoredTemplate::ContactNeeded { office_phone, .. }) = serde_json::from_str(&super::to_json(&new)) else {
            panic!("a new row reads as a contact request");
        };
        assert_eq!(office_phone.as_deref(), Some("03-3812-8609"));
        let old = r#"{"template":"password_changed","at":"2026-11-23T01:00:00Z"}"#;
        let Ok(StoredTemplate::PasswordChanged { office_name: None, office_phone: None, .. }) =
            serde_json::from_str(old)
        else {
            panic!("an old password notice reads, naming no office");
        };
    }

    #[test]
    fn a_receipt_queued_before_it_told_case_c_how_to_finish_reads_as_a_past_applicants() {
        let old = r#"{"template":"registration_received","registration":"0707","office_name":"ハローワーク飯田橋"}"#;
        let Ok(StoredTemplate::RegistrationReceived { first_time, .. }) = serde_json::from_str(old) else {
            panic!("an old row reads as a receipt");
        };
        assert!(!first_time);
        let new = StoredTemplate::RegistrationReceived {
            registration: "0707".into(),
            office_name: "ハローワーク飯田橋".into(),
            first_time: true,
        };
        let Ok(StoredTemplate::RegistrationReceived { first_time, .. }) = serde_json::from_str(&super::to_json(&new))
        else {
            panic!("a new row reads as a receipt");
        };
        assert!(first_time);
    }

    #[test]
    fn a_decision_queued_before_job_offers_is_about_the_registration_and_a_job_offers_names_it() {
        let old =
            r#"{"template":"registration_returned","note":"直してください。","office_name":"ハローワーク飯田橋"}"#;
        let Ok(StoredTemplate::RegistrationReturned { about: super::StoredFiling::Registration, .. }) =
            serde_json::from_str(old)
        else {
            panic!("an old row reads as about the registration");
        };
        let new = StoredTemplate::RegistrationRejected {
            about: super::StoredFiling::JobOffer { occupation: "一般事務".into() },
            reason: "受理できません。".into(),
            office_name: "ハローワーク飯田橋".into(),
            office_phone: None,
        };
        let Ok(StoredTemplate::RegistrationRejected { about: super::StoredFiling::JobOffer { occupation }, .. }) =
            serde_json::from_str(&super::to_json(&new))
        else {
            panic!("a job offer's rejection reads back as one");
        };
        assert_eq!(occupation, "一般事務");
    }
}
