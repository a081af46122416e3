//! Outgoing mail: what to send and to whom, never how (R7, R16). The SMTP adapter renders and delivers it.

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::model::{AccountStatus, FlowPurpose, MailId, RegistrationId};
use crate::values::{EmailAddress, EstablishmentNumber};

/// Which mail, with its parameters.
#[derive(Debug)]
pub enum MailTemplate {
    /// パスワード登録申込受付通知 (or the reset key mail): the key, when it was issued and until when it works (R3, R7).
    AuthKey {
        /// What the flow is for, which decides the wording.
        purpose: FlowPurpose,
        /// The key as printed (`ABCDE-FGH23`). Held in the outbox until sent; never logged.
        key: SecretString,
        /// When it was issued.
        issued_at: DateTime<Utc>,
        /// When it stops working.
        expires_at: DateTime<Utc>,
    },
    /// To an address that already has an account for which `purpose` does not fit (R8).
    AccountNotice {
        /// What was asked for.
        purpose: FlowPurpose,
        /// The existing account's status, which decides the advice.
        status: AccountStatus,
        /// A random secret of a key's size that unlocks nothing and is never shown: the outbox keeps it as it keeps
        /// a key, so that queuing a notice costs what queuing a key mail costs (R8). A claimed mail may carry it empty.
        decoy: SecretString,
    },
    /// Nothing to send: the answer to a key request for an address unknown for its purpose (R8). It is queued like
    /// any mail, with a decoy where a key mail has its key, so that the request does the same work whatever the
    /// address; the dispatcher settles it as sent without handing it to a transport, so it never leaves.
    Withheld {
        /// What was asked for.
        purpose: FlowPurpose,
        /// As for [`MailTemplate::AccountNotice`]: a secret of a key's size that unlocks nothing, kept as a key is.
        decoy: SecretString,
    },
    /// The provisional registration was received (R10).
    RegistrationReceived {
        /// Which.
        registration: RegistrationId,
        /// The office reviewing it.
        office_name: String,
        /// A first-time applicant (case C), who completes 本登録 at the office's counter or by phone (seed 002,
        /// step 6); a past applicant's claim is checked by the office itself (case B).
        first_time: bool,
    },
    /// 本登録 done; the establishment number to use from now on (R11).
    RegistrationConfirmed {
        /// The number.
        number: EstablishmentNumber,
        /// The establishment's name.
        establishment_name: String,
    },
    /// Staff will contact the employer (R11).
    ContactNeeded {
        /// What the note is about: the provisional registration or a job offer (R20).
        about: Filing,
        /// Staff's note.
        note: String,
        /// The office.
        office_name: String,
        /// The office's phone, which the mail gives for the employer to call; `None` when its admins entered none.
        office_phone: Option<String>,
    },
    /// Returned for correction (R11).
    RegistrationReturned {
        /// What was returned: the provisional registration or a job offer (R20).
        about: Filing,
        /// What to correct.
        note: String,
        /// The office.
        office_name: String,
    },
    /// Rejected (R11).
    RegistrationRejected {
        /// What was rejected: the provisional registration or a job offer (R20).
        about: Filing,
        /// Why.
        reason: String,
        /// The office.
        office_name: String,
        /// The office's phone, which the mail gives for the employer to call; `None` when its admins entered none.
        office_phone: Option<String>,
    },
    /// The password was changed, through a reset (R17) or by the employer while logged in (R19): if it was not you,
    /// call the office.
    PasswordChanged {
        /// When.
        at: DateTime<Utc>,
        /// How: a reset with an auth key, or a change while logged in.
        how: PasswordChange,
        /// The office of jurisdiction of the account's establishment, which the mail tells the employer to call;
        /// `None` for an account not yet linked to an establishment.
        office_name: Option<String>,
        /// That office's phone, when its admins entered one.
        office_phone: Option<String>,
    },
    /// To the OLD address: the account's address was changed to another (R19); if it was not you, call the office.
    EmailChanged {
        /// The new address, masked (`ta***@example.jp`).
        new_email_masked: String,
        /// When.
        at: DateTime<Utc>,
        /// The office of jurisdiction, as for [`MailTemplate::PasswordChanged`].
        office_name: Option<String>,
        /// That office's phone, when its admins entered one.
        office_phone: Option<String>,
    },
    /// To the NEW address: it is now the account's address for logging in and for mail (R19).
    EmailChangeConfirmed {
        /// When.
        at: DateTime<Utc>,
    },
    /// The employer closed the account (R19): what happens now, and whom to ask.
    AccountClosed {
        /// When.
        at: DateTime<Utc>,
        /// The office of jurisdiction, as for [`MailTemplate::PasswordChanged`].
        office_name: Option<String>,
        /// That office's phone, when its admins entered one.
        office_phone: Option<String>,
    },
    /// The employer logged out other sessions of the account from ログイン中の端末 (R19): how many, and what to do if
    /// it was not them.
    SessionsEnded {
        /// How many sessions ended.
        ended: u64,
        /// When.
        at: DateTime<Utc>,
        /// The office of jurisdiction, as for [`MailTemplate::PasswordChanged`].
        office_name: Option<String>,
        /// That office's phone, when its admins entered one.
        office_phone: Option<String>,
    },
    /// To an office's notification address: registrations and job offers wait in its review queue (R20). Counts and
    /// a time only, never an employer's details.
    OfficeDigest {
        /// The office.
        office_name: String,
        /// Submissions waiting in its queue (Submitted or ContactNeeded).
        waiting: u64,
        /// Of those, the job offers after opening; the others are provisional registrations.
        waiting_job_offers: u64,
        /// Of those, the ones submitted since the last digest.
        new_since_last: u64,
        /// When the one waiting longest was submitted.
        oldest_submitted_at: Option<DateTime<Utc>>,
    },
    /// A job offer after opening was received (R20).
    JobOfferReceived {
        /// Which.
        registration: RegistrationId,
        /// The office of jurisdiction reviewing it.
        office_name: String,
        /// Its 職種, so that an employer with several offers knows which.
        occupation: String,
    },
    /// A job offer after opening was accepted (受理, R20).
    JobOfferAccepted {
        /// Which.
        registration: RegistrationId,
        /// The office that accepted it.
        office_name: String,
        /// Its 職種.
        occupation: String,
    },
}

impl MailTemplate {
    /// A stable code for storage and the templates.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::AuthKey { .. } => "auth_key",
            Self::AccountNotice { .. } => "account_notice",
            Self::Withheld { .. } => "withheld",
            Self::RegistrationReceived { .. } => "registration_received",
            Self::RegistrationConfirmed { .. } => "registration_confirmed",
            Self::ContactNeeded { .. } => "contact_needed",
            Self::RegistrationReturned { .. } => "registration_returned",
            Self::RegistrationRejected { .. } => "registration_rejected",
            Self::PasswordChanged { .. } => "password_changed",
            Self::OfficeDigest { .. } => "office_digest",
            Self::EmailChanged { .. } => "email_changed",
            Self::EmailChangeConfirmed { .. } => "email_change_confirmed",
            Self::AccountClosed { .. } => "account_closed",
            Self::SessionsEnded { .. } => "sessions_ended",
            Self::JobOfferReceived { .. } => "job_offer_received",
            Self::JobOfferAccepted { .. } => "job_offer_accepted",
        }
    }

    /// Whether this mail is never sent: a withheld one, which only stands in for a mail (R8).
    #[must_use]
    pub fn is_withheld(&self) -> bool {
        matches!(self, Self::Withheld { .. })
    }
}

/// How a password came to change, which decides the wording of [`MailTemplate::PasswordChanged`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    /// Reset with an auth key, after it was forgotten (R17).
    Reset,
    /// Changed by the employer while logged in, with the current password (R19).
    ChangedWhileLoggedIn,
}

impl PasswordChange {
    /// A stable code for storage.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Reset => "reset",
            Self::ChangedWhileLoggedIn => "changed",
        }
    }

    /// The way with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Reset, Self::ChangedWhileLoggedIn].into_iter().find(|c| c.code() == code)
    }
}

/// What a decision mail (R11) is about: the provisional registration, or a job offer after opening (R20), named by
/// its 職種.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filing {
    /// The provisional registration that opens the account (cases B and C).
    Registration,
    /// A job offer of an open account.
    JobOffer {
        /// Its 職種.
        occupation: String,
    },
}

/// A mail to queue in the same transaction as the change that causes it (R16).
#[derive(Debug)]
pub struct OutgoingMail {
    /// Its id, also the seed of its stable Message-ID.
    pub id: MailId,
    /// The recipient.
    pub to: EmailAddress,
    /// What to send.
    pub template: MailTemplate,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
}
