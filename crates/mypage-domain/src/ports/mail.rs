//! Mail ports (R16): the outbox a transaction queues mails in, and the queue the dispatcher drains.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{InfrastructureError, RepositoryError};
use crate::model::{MailId, OutgoingMail};
use crate::values::EmailAddress;

/// The mail outbox (R16): mails queued here are sent after the transaction commits, and only if it does.
#[async_trait]
pub trait Outbox: Send {
    /// Queues a mail. A withheld mail ([`crate::model::MailTemplate::Withheld`]) is queued like any other and is
    /// never sent. An adapter that protects a key mail's key (the database seals it) MUST do the same to the decoy of
    /// a notice or a withheld mail, so that the three answers to a key request cost the same (R8).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn enqueue(&mut self, mail: OutgoingMail) -> Result<(), RepositoryError>;
}

/// Where a queued mail stands (R16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailState {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a dispatcher, until its lease runs out.
    Sending,
    /// Accepted by the mail server, or withheld and settled without being sent (R8): the two are not told apart,
    /// so that the counts do not depend on which addresses have accounts.
    Sent,
    /// Given up after the configured attempts; an admin may queue it again.
    Dead,
}

impl MailState {
    /// A stable code for storage.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }

    /// The state with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Dead].into_iter().find(|s| s.code() == code)
    }
}

/// A mail a dispatcher claimed: send it, then mark it sent, reschedule it or mark it dead.
#[derive(Debug)]
pub struct ClaimedMail {
    /// The mail, with its secrets.
    pub mail: OutgoingMail,
    /// Attempts made so far, this one included.
    pub attempts: u32,
}

/// What an admin sees of a queued mail: never its parameters, which may hold a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSummary {
    /// Its id.
    pub id: MailId,
    /// The recipient.
    pub to: EmailAddress,
    /// The template's code.
    pub template: String,
    /// Where it stands.
    pub state: MailState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is due (pending) or its lease ends (sending).
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error, if any.
    pub last_error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}

/// The outbox as the mail dispatcher sees it (R16): mails queued by committed transactions, claimed, sent once.
#[async_trait]
pub trait MailQueue: Send + Sync {
    /// Claims up to `limit` mails that are due at `now` — pending ones whose next attempt has come, and sending
    /// ones whose lease ran out (a dispatcher that died) — oldest due first, leases them until `lease_until` and
    /// counts the attempt.
    ///
    /// # Errors
    /// MUST NOT hand the same mail to two concurrent claimers while its lease runs; `Infrastructure` otherwise.
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMail>, InfrastructureError>;
    /// The mail server accepted the mail, or it was a withheld one, settled without being sent (R8): it is never
    /// sent again, and its secret parameters are erased.
    ///
    /// # Errors
    /// `Infrastructure` only. Marking a mail that is not `Sending` changes nothing.
    async fn mark_sent(&self, id: MailId, at: DateTime<Utc>) -> Result<(), InfrastructureError>;
    /// The attempt failed and may be retried at `next_attempt_at`.
    ///
    /// # Errors
    /// `Infrastructure` only. A mail that is not `Sending` is left alone.
    async fn reschedule(
        &self,
        id: MailId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), InfrastructureError>;
    /// The mail is given up.
    ///
    /// # Errors
    /// `Infrastructure` only. A mail that is not `Sending` is left alone.
    async fn mark_dead(&self, id: MailId, error: &str) -> Result<(), InfrastructureError>;
    /// Queues a dead mail again, due at `now`; false when it was not dead.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn requeue(&self, id: MailId, now: DateTime<Utc>) -> Result<bool, InfrastructureError>;
    /// Mails in `state` (all when `None`), newest first, at most `limit`.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn list(&self, state: Option<MailState>, limit: usize) -> Result<Vec<MailSummary>, InfrastructureError>;
    /// How many mails are in each state.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn depth(&self) -> Result<Vec<(MailState, u64)>, InfrastructureError>;
}
