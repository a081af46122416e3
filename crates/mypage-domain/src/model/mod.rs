//! Aggregates and their state machines. Each method either makes a transition the rules allow or
//! returns an error naming why not; none of them reads a clock or does I/O.

mod account;
mod audit;
mod flow;
mod ids;
mod mail;
mod organisation;
mod registration;
mod review;
mod second_factor;
mod unfinished;

pub use account::{Account, AccountRecord, AccountStatus, AccountTransitionError, PasswordHash};
pub use audit::{Actor, AuditAction, AuditEvent, ClientInfo};
pub use flow::{
    AuthFlow, AuthFlowRecord, DeathCause, FlowPurpose, FlowState, FlowStepError, FlowTarget, IssuedKey, KeyCheckError,
    UnknownFlowPurpose,
};
pub use ids::{AccountId, AuditEventId, EstablishmentId, FlowId, MailId, RegistrationId, StaffId};
pub use mail::{MailTemplate, OutgoingMail};
pub use organisation::{
    AdminScope, Establishment, EstablishmentRecord, InvalidStaffLogin, Office, OfficeAlreadyClosed, OfficeRecord,
    StaffLogin, StaffMember, StaffMemberRecord,
};
pub use registration::{
    ApplicationHistory, MissingPart, ProvisionalRegistration, RegistrationRecord, RegistrationStepError,
    UnknownMissingPart,
};
pub use review::{NoteDecision, RegistrationStatus, StaffNote, StaffNoteError, UnknownNoteDecision};
pub use second_factor::{SecondFactorState, SecondFactorStepError, TotpSecret};
pub use unfinished::{Unfinished, ValidFields};
