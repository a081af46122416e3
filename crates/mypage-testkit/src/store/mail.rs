//! The mail side of the store: the recording outbox a transaction writes to, and the [`MailQueue`] the
//! dispatcher claims mails from (R16).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::{MailId, MailTemplate, OutgoingMail};
use mypage_domain::ports::{
    ClaimedMail, InfrastructureError, MailQueue, MailState, MailSummary, Outbox, RepositoryError,
};
use secrecy::ExposeSecret;

use super::MemoryStore;

/// A mail as the recording outbox keeps it, readable by tests, with its delivery state (R16).
#[derive(Debug)]
pub struct RecordedMail {
    /// The mail as the domain queued it.
    pub mail: OutgoingMail,
    /// Where it stands.
    pub state: MailState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is due, or when its lease ends while sending.
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
}

impl RecordedMail {
    pub(super) fn queued(mail: OutgoingMail) -> Self {
        let due = mail.created_at;
        Self { mail, state: MailState::Pending, attempts: 0, next_attempt_at: due, last_error: None }
    }

    pub(super) fn summary(&self) -> MailSummary {
        MailSummary {
            id: self.mail.id,
            to: self.mail.to.clone(),
            template: self.code().to_owned(),
            state: self.state,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error.clone(),
            created_at: self.mail.created_at,
        }
    }
}

impl RecordedMail {
    /// The template's code (`auth_key`, `account_notice`, …).
    #[must_use]
    pub fn code(&self) -> &'static str {
        self.mail.template.code()
    }

    /// The auth key it carries, as printed in the mail.
    #[must_use]
    pub fn auth_key(&self) -> Option<String> {
        match &self.mail.template {
            MailTemplate::AuthKey { key, .. } => Some(key.expose_secret().to_owned()),
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
pub(super) struct PendingMail(pub(super) Vec<OutgoingMail>);

#[async_trait]
impl Outbox for PendingMail {
    async fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError> {
        self.0.push(mail);
        Ok(())
    }
}

/// The in-memory queue copies a claimed mail for the dispatcher; the template's secret is copied too.
fn copy_mail(mail: &OutgoingMail) -> OutgoingMail {
    use mypage_domain::model::MailTemplate as T;
    let template = match &mail.template {
        T::AuthKey { purpose, key, issued_at, expires_at } => T::AuthKey {
            purpose: *purpose,
            key: secrecy::SecretString::from(key.expose_secret().to_owned()),
            issued_at: *issued_at,
            expires_at: *expires_at,
        },
        T::AccountNotice { purpose, status, decoy } => T::AccountNotice {
            purpose: *purpose,
            status: *status,
            decoy: secrecy::SecretString::from(decoy.expose_secret().to_owned()),
        },
        T::Withheld { purpose, decoy } => {
            T::Withheld { purpose: *purpose, decoy: secrecy::SecretString::from(decoy.expose_secret().to_owned()) }
        }
        T::RegistrationReceived { registration, office_name, first_time } => T::RegistrationReceived {
            registration: *registration,
            office_name: office_name.clone(),
            first_time: *first_time,
        },
        T::RegistrationConfirmed { number, establishment_name } => {
            T::RegistrationConfirmed { number: number.clone(), establishment_name: establishment_name.clone() }
        }
        T::ContactNeeded { about, note, office_name, office_phone } => T::ContactNeeded {
            about: about.clone(),
            note: note.clone(),
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        T::RegistrationReturned { about, note, office_name } => {
            T::RegistrationReturned { about: about.clone(), note: note.clone(), office_name: office_name.clone() }
        }
        T::RegistrationRejected { about, reason, office_name, office_phone } => T::RegistrationRejected {
            about: about.clone(),
            reason: reason.clone(),
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        T::PasswordChanged { at, how, office_name, office_phone } => T::PasswordChanged {
            at: *at,
            how: *how,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        T::EmailChanged { new_email_masked, at, office_name, office_phone } => T::EmailChanged {
            new_email_masked: new_email_masked.clone(),
            at: *at,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        T::EmailChangeConfirmed { at } => T::EmailChangeConfirmed { at: *at },
        T::AccountClosed { at, office_name, office_phone } => {
            T::AccountClosed { at: *at, office_name: office_name.clone(), office_phone: office_phone.clone() }
        }
        T::SessionsEnded { ended, at, office_name, office_phone } => T::SessionsEnded {
            ended: *ended,
            at: *at,
            office_name: office_name.clone(),
            office_phone: office_phone.clone(),
        },
        T::OfficeDigest { office_name, waiting, waiting_job_offers, new_since_last, oldest_submitted_at } => {
            T::OfficeDigest {
                office_name: office_name.clone(),
                waiting: *waiting,
                waiting_job_offers: *waiting_job_offers,
                new_since_last: *new_since_last,
                oldest_submitted_at: *oldest_submitted_at,
            }
        }
        T::JobOfferReceived { registration, office_name, occupation } => T::JobOfferReceived {
            registration: *registration,
            office_name: office_name.clone(),
            occupation: occupation.clone(),
        },
        T::JobOfferAccepted { registration, office_name, occupation } => T::JobOfferAccepted {
            registration: *registration,
            office_name: office_name.clone(),
            occupation: occupation.clone(),
        },
    };
    OutgoingMail { id: mail.id, to: mail.to.clone(), template, created_at: mail.created_at }
}

impl MemoryStore {
    async fn with_sending(&self, id: MailId, f: impl FnOnce(&mut RecordedMail)) {
        let mut state = self.state.lock().await;
        if let Some(m) = state.outbox.iter_mut().find(|m| m.mail.id == id && m.state == MailState::Sending) {
            f(m);
        }
    }
}

#[async_trait]
impl MailQueue for MemoryStore {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMail>, InfrastructureError> {
        let mut state = self.state.lock().await;
        let mut due: Vec<&mut RecordedMail> = state
            .outbox
            .iter_mut()
            .filter(|m| matches!(m.state, MailState::Pending | MailState::Sending) && m.next_attempt_at <= now)
            .collect();
        due.sort_by_key(|m| m.next_attempt_at);
        Ok(due
            .into_iter()
            .take(limit)
            .map(|m| {
                m.state = MailState::Sending;
                m.attempts += 1;
                m.next_attempt_at = lease_until;
                ClaimedMail { mail: copy_mail(&m.mail), attempts: m.attempts }
            })
            .collect())
    }

    async fn mark_sent(&self, id: MailId, _at: DateTime<Utc>) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Sent;
            m.last_error = None;
        })
        .await;
        Ok(())
    }

    async fn reschedule(
        &self,
        id: MailId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Pending;
            m.next_attempt_at = next_attempt_at;
            m.last_error = Some(error.to_owned());
        })
        .await;
        Ok(())
    }

    async fn mark_dead(&self, id: MailId, error: &str) -> Result<(), InfrastructureError> {
        self.with_sending(id, |m| {
            m.state = MailState::Dead;
            m.last_error = Some(error.to_owned());
        })
        .await;
        Ok(())
    }

    async fn requeue(&self, id: MailId, now: DateTime<Utc>) -> Result<bool, InfrastructureError> {
        let mut state = self.state.lock().await;
        let Some(m) = state.outbox.iter_mut().find(|m| m.mail.id == id && m.state == MailState::Dead) else {
            return Ok(false);
        };
        m.state = MailState::Pending;
        m.next_attempt_at = now;
        Ok(true)
    }

    async fn list(&self, state: Option<MailState>, limit: usize) -> Result<Vec<MailSummary>, InfrastructureError> {
        let guard = self.state.lock().await;
        let mut found: Vec<MailSummary> = guard
            .outbox
            .iter()
            .rev()
            .filter(|m| state.is_none_or(|s| s == m.state))
            .take(limit)
            .map(RecordedMail::summary)
            .collect();
        found.sort_by_key(|m| std::cmp::Reverse(m.created_at));
        Ok(found)
    }

    async fn depth(&self) -> Result<Vec<(MailState, u64)>, InfrastructureError> {
        let guard = self.state.lock().await;
        Ok([MailState::Pending, MailState::Sending, MailState::Sent, MailState::Dead]
            .into_iter()
            .map(|s| (s, guard.outbox.iter().filter(|m| m.state == s).count() as u64))
            .collect())
    }
}
