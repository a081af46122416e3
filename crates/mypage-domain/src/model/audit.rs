//! Audit events (R15): who did what, when, from which client.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::model::{AccountId, AuditEventId, StaffId};

/// Who acted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// Someone not logged in (entering an e-mail, a key).
    Anonymous,
    /// A logged-in employer.
    Employer(AccountId),
    /// A staff member.
    Staff(StaffId),
    /// The system itself (expiry, the command line).
    System,
}

/// The client a request came from, as far as the adapter knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// The client's address (after the trusted proxy's header).
    pub ip: Option<IpAddr>,
    /// The User-Agent, shortened by the adapter.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// No client: a command or a background job.
    #[must_use]
    pub fn system() -> Self {
        Self::default()
    }

    /// A client known by its address.
    #[must_use]
    pub fn from_ip(ip: IpAddr) -> Self {
        Self { ip: Some(ip), user_agent: None }
    }
}

/// What happened. The codes are stable: they are stored and searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    /// Staff registered an e-mail at the counter (R12).
    EmailRegisteredAtCounter,
    /// An establishment of the office's register file changed its name or details (R18).
    EstablishmentUpdated,
    /// A key was requested (a flow started); the event does not say whether a key was mailed (R8).
    AuthKeyRequested,
    /// Another key was requested in a flow.
    AuthKeyResent,
    /// A wrong key was entered.
    WrongAuthKey,
    /// A password was set through a flow (R5, R17).
    PasswordRegistered,
    /// An employer logged in.
    LoginSucceeded,
    /// A login failed.
    LoginFailed,
    /// A stored hash was upgraded to the current parameters at login (R5).
    PasswordRehashed,
    /// The application history was declared.
    HistoryDeclared,
    /// Establishment information was saved.
    EstablishmentInfoSaved,
    /// The job offer was saved.
    JobOfferSaved,
    /// Establishment information sent with errors was kept without its wrong fields (R10).
    EstablishmentInfoKept,
    /// A job offer sent with errors was kept without its wrong fields (R10).
    JobOfferKept,
    /// The registration was submitted.
    RegistrationSubmitted,
    /// Staff confirmed it (本登録).
    RegistrationConfirmed,
    /// Staff marked it "contact needed".
    RegistrationContactNeeded,
    /// Staff returned it for correction.
    RegistrationReturned,
    /// Staff rejected it.
    RegistrationRejected,
    /// A draft expired.
    DraftExpired,
    /// A flow expired.
    FlowExpired,
    /// A terms version was published.
    TermsPublished,
    /// An establishment was entered from the office's records.
    EstablishmentImported,
    /// An office was added.
    OfficeAdded,
    /// A staff member was added.
    StaffAdded,
    /// A staff member logged in.
    StaffLoggedIn,
    /// A staff login failed.
    StaffLoginFailed,
    /// An admin put a dead mail back in the queue.
    MailRequeued,
    /// An admin stopped a staff member's access.
    StaffDeactivated,
    /// An admin gave a stopped staff member access again.
    StaffReactivated,
    /// A staff member confirmed a new second factor with its first code (R21).
    SecondFactorEnrolled,
    /// A staff member's second-factor code was accepted at login (R21).
    SecondFactorUsed,
    /// A wrong or replayed second-factor code or recovery code was given at login (R21).
    SecondFactorFailed,
    /// A staff member logged in with a recovery code, which is now spent (R21).
    RecoveryCodeUsed,
    /// An admin reset a member's second factor; the member enrols again (R21).
    SecondFactorReset,
    /// Counter staff corrected the address of a registration awaiting its password (R12).
    CounterEmailCorrected,
    /// Counter staff withdrew a registration awaiting its password (R12).
    CounterRegistrationWithdrawn,
    /// An admin edited an office's details (R14).
    OfficeEdited,
    /// An admin closed an office (R14).
    OfficeClosed,
    /// An employer changed the password while logged in; every other session ended (R19).
    PasswordChanged,
    /// An employer asked to change the e-mail address; a key went to the new one (R19).
    EmailChangeRequested,
    /// An employer's new e-mail address was confirmed with its key (R19).
    EmailChanged,
    /// An employer ended one of the account's sessions (R19).
    SessionEnded,
    /// An employer ended every other session of the account (R19).
    SessionsEnded,
    /// An employer closed the account; its address is free again, its records stay (R19).
    AccountClosed,
    /// A registration or job offer still open was withdrawn when its account closed (R19).
    RegistrationWithdrawn,
    /// An employer agreed to a newer version of the terms at login (R1).
    TermsAgreed,
    /// An Active employer started a job offer, new or copied from an earlier one (R20).
    JobOfferStarted,
    /// An Active employer submitted a job offer to the office's queue (R20).
    JobOfferSubmitted,
    /// Staff accepted a job offer (受理, R20).
    JobOfferAccepted,
    /// An employer discarded a job offer draft (R20).
    JobOfferDiscarded,
    /// The office was mailed how many registrations and job offers wait (R20).
    OfficeDigestSent,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [Self; 52] = [
        Self::EmailRegisteredAtCounter,
        Self::EstablishmentUpdated,
        Self::AuthKeyRequested,
        Self::AuthKeyResent,
        Self::WrongAuthKey,
        Self::PasswordRegistered,
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::PasswordRehashed,
        Self::HistoryDeclared,
        Self::EstablishmentInfoSaved,
        Self::JobOfferSaved,
        Self::EstablishmentInfoKept,
        Self::JobOfferKept,
        Self::RegistrationSubmitted,
        Self::RegistrationConfirmed,
        Self::RegistrationContactNeeded,
        Self::RegistrationReturned,
        Self::RegistrationRejected,
        Self::DraftExpired,
        Self::FlowExpired,
        Self::TermsPublished,
        Self::EstablishmentImported,
        Self::OfficeAdded,
        Self::StaffAdded,
        Self::StaffLoggedIn,
        Self::StaffLoginFailed,
        Self::MailRequeued,
        Self::StaffDeactivated,
        Self::StaffReactivated,
        Self::SecondFactorEnrolled,
        Self::SecondFactorUsed,
        Self::SecondFactorFailed,
        Self::RecoveryCodeUsed,
        Self::SecondFactorReset,
        Self::CounterEmailCorrected,
        Self::CounterRegistrationWithdrawn,
        Self::OfficeEdited,
        Self::OfficeClosed,
        Self::PasswordChanged,
        Self::EmailChangeRequested,
        Self::EmailChanged,
        Self::SessionEnded,
        Self::SessionsEnded,
        Self::AccountClosed,
        Self::RegistrationWithdrawn,
        Self::TermsAgreed,
        Self::JobOfferStarted,
        Self::JobOfferSubmitted,
        Self::JobOfferAccepted,
        Self::JobOfferDiscarded,
        Self::OfficeDigestSent,
    ];

    /// The action with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The stable code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::EmailRegisteredAtCounter => "email_registered_at_counter",
            Self::EstablishmentUpdated => "establishment_updated",
            Self::AuthKeyRequested => "auth_key_requested",
            Self::AuthKeyResent => "auth_key_resent",
            Self::WrongAuthKey => "wrong_auth_key",
            Self::PasswordRegistered => "password_registered",
            Self::LoginSucceeded => "login_succeeded",
            Self::LoginFailed => "login_failed",
            Self::PasswordRehashed => "password_rehashed",
            Self::HistoryDeclared => "history_declared",
            Self::EstablishmentInfoSaved => "establishment_info_saved",
            Self::JobOfferSaved => "job_offer_saved",
            Self::EstablishmentInfoKept => "establishment_info_kept",
            Self::JobOfferKept => "job_offer_kept",
            Self::RegistrationSubmitted => "registration_submitted",
            Self::RegistrationConfirmed => "registration_confirmed",
            Self::RegistrationContactNeeded => "registration_contact_needed",
            Self::RegistrationReturned => "registration_returned",
            Self::RegistrationRejected => "registration_rejected",
            Self::DraftExpired => "draft_expired",
            Self::FlowExpired => "flow_expired",
            Self::TermsPublished => "terms_published",
            Self::EstablishmentImported => "establishment_imported",
            Self::OfficeAdded => "office_added",
            Self::StaffAdded => "staff_added",
            Self::StaffLoggedIn => "staff_logged_in",
            Self::StaffLoginFailed => "staff_login_failed",
            Self::MailRequeued => "mail_requeued",
            Self::StaffDeactivated => "staff_deactivated",
            Self::StaffReactivated => "staff_reactivated",
            Self::SecondFactorEnrolled => "second_factor_enrolled",
            Self::SecondFactorUsed => "second_factor_used",
            Self::SecondFactorFailed => "second_factor_failed",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::SecondFactorReset => "second_factor_reset",
            Self::CounterEmailCorrected => "counter_email_corrected",
            Self::CounterRegistrationWithdrawn => "counter_registration_withdrawn",
            Self::OfficeEdited => "office_edited",
            Self::OfficeClosed => "office_closed",
            Self::PasswordChanged => "password_changed",
            Self::EmailChangeRequested => "email_change_requested",
            Self::EmailChanged => "email_changed",
            Self::SessionEnded => "session_ended",
            Self::SessionsEnded => "sessions_ended",
            Self::AccountClosed => "account_closed",
            Self::RegistrationWithdrawn => "registration_withdrawn",
            Self::TermsAgreed => "terms_agreed",
            Self::JobOfferStarted => "job_offer_started",
            Self::JobOfferSubmitted => "job_offer_submitted",
            Self::JobOfferAccepted => "job_offer_accepted",
            Self::JobOfferDiscarded => "job_offer_discarded",
            Self::OfficeDigestSent => "office_digest_sent",
        }
    }
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Its id.
    pub id: AuditEventId,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: AuditAction,
    /// What it was done to, as `kind:id` (`account:…`, `registration:…`, `flow:…`).
    pub subject: String,
    /// From where.
    pub client: ClientInfo,
}
