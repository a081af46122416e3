//! Value objects: each is a newtype with a private field and a `parse` constructor, so that a value that
//! exists is a valid one ("parse, don't validate"). Normalising happens once, inside `parse`.

mod auth_key;
mod digest;
mod email;
mod establishment_info;
mod establishment_number;
mod fields;
mod job_offer;
mod jst;
mod office_areas;
mod office_details;
mod password;
mod register;
mod terms;

pub use auth_key::{AUTH_KEY_ALPHABET, AUTH_KEY_LEN, AuthKey, AuthKeyError};
pub use digest::Digest;
pub use email::{EmailAddress, EmailAddressError, MAX_EMAIL_LENGTH};
pub use establishment_info::{EstablishmentInfo, EstablishmentInfoInput, Industry};
pub use establishment_number::{EstablishmentNumber, EstablishmentNumberError, OfficeCode, OfficeCodeError};
pub(crate) use fields::choice_enum;
pub use fields::{Choice, FieldError, FieldErrors, FieldProblem, PhoneNumber, PostalCode};
pub use job_offer::{
    AgeException, AgeRequirement, ContractPeriod, EmploymentType, JobOffer, JobOfferInput, Selection, SocialInsurance,
    Wage, WageKind, WorkingHours,
};
pub use jst::jst;
pub use office_areas::{
    MUNICIPALITY_MAX, OFFICE_AREAS_MAX, OfficeArea, OfficeAreaInput, PREFECTURES, parse_office_areas,
};
pub use office_details::{OFFICE_ADDRESS_MAX, OFFICE_HOURS_MAX, OFFICE_NAME_MAX, OfficeDetails, OfficeDetailsInput};
pub use password::{NewPassword, PasswordPolicy, PasswordPolicyError, PasswordPolicyErrors, normalize_password};
pub use register::{
    COLUMN_ADDRESS, COLUMN_KANA, COLUMN_NAME, COLUMN_NUMBER, COLUMN_PHONE, COLUMN_POSTAL_CODE, LineProblem,
    MAX_REGISTER_LINES, REGISTER_COLUMNS, RegisterDetails, RegisterEncoding, RegisterEntry, RegisterFile,
    RegisterFileError, RegisterLine, RejectedLine,
};
pub use terms::{ConsentInput, CurrentTerms, TermsConsent, TermsConsentError, TermsDocument, TermsKind, TermsVersion};

choice_enum! {
    /// What a staff member may do (R14). A member holds one or more roles, and acts within its own office unless
    /// it is a central admin ([`crate::model::AdminScope`]).
    StaffRole {
        /// 窓口: registers e-mail addresses for existing establishments (R12).
        Counter = ("counter", "窓口"),
        /// 審査: decides provisional registrations (R11).
        Reviewer = ("reviewer", "審査"),
        /// 所属ハローワークの管理: lists, adds, stops and restores the staff of its own office, and enters its
        /// establishments; gives any role but the central admin's.
        OfficeAdmin = ("office_admin", "所属ハローワークの管理"),
        /// 全体の管理: offices, terms versions (R1), the staff of every office and the dead mails (R16).
        /// Databases from before the split stored it as `admin`.
        CentralAdmin = ("central_admin", "全体の管理"),
    }
}
