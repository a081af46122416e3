//! Aggregates and their state machines. Each method either makes a transition the rules allow or
//! returns an error naming why not; none of them reads a clock or does I/O.

mod account;
mod audit;
mod establishment;
mod filing;
mod flow;
mod ids;
mod mail;
mod organisation;
mod registration;
mod review;
mod second_factor;
mod staff;
mod steps;
mod unfinished;

pub use account::{Account, AccountRecord, AccountStatus, AccountTransitionError, PasswordHash};
pub use audit::{Actor, AuditAction, AuditEvent, ClientInfo};
pub use establishment::{Establishment, EstablishmentRecord};
pub use filing::RegistrationKind;
pub use flow::{
    AuthFlow, AuthFlowRecord, DeathCause, FlowPurpose, FlowState, FlowStepError, FlowTarget, IssuedKey, KeyCheckError,
    UnknownFlowPurpose,
};
pub use ids::{AccountId, AuditEventId, EstablishmentId, FlowId, MailId, RegistrationId, StaffId};
pub use mail::{Filing, MailTemplate, OutgoingMail, PasswordChange};
pub use organisation::{Office, OfficeAlreadyClosed, OfficeRecord};
pub use registration::{ProvisionalRegistration, RegistrationRecord};
pub use review::{NoteDecision, RegistrationStatus, StaffNote, StaffNoteError, UnknownNoteDecision};
pub use second_factor::{SecondFactorState, SecondFactorStepError, TotpSecret};
pub use staff::{AdminScope, InvalidStaffLogin, StaffLogin, StaffMember, StaffMemberRecord};
pub use steps::{ApplicationHistory, MissingPart, RegistrationStepError, UnknownMissingPart};
pub use unfinished::{Unfinished, ValidFields};
