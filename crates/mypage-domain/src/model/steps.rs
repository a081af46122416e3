//! The steps of a provisional registration (R9, R10): the application history an employer declares first, the
//! parts a submission needs, and why the state machine refuses a step.

use crate::values::{EstablishmentNumber, OfficeCode};

/// 求人申し込み実績: what the employer declares on the first screen of the registration (R9, R10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationHistory {
    /// 過去にハローワークに求人を申し込んだことがある: case B, with the establishment number.
    PastApplicant {
        /// The number claimed; staff check the claim (R11).
        number: EstablishmentNumber,
    },
    /// 初めて申し込む: case C, with the office of jurisdiction chosen from the list of offices.
    FirstTime {
        /// The office that will review it.
        office: OfficeCode,
    },
}

impl ApplicationHistory {
    /// The office of jurisdiction, whose queue receives the registration (R10).
    #[must_use]
    pub fn office(&self) -> OfficeCode {
        match self {
            Self::PastApplicant { number } => number.office(),
            Self::FirstTime { office } => office.clone(),
        }
    }
}
/// What is missing for a submission: the parts of a registration, each entered in its own step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPart {
    /// 求人申し込み実績.
    History,
    /// 事業所情報 (case C only).
    EstablishmentInfo,
    /// 求人情報.
    JobOffer,
}

impl MissingPart {
    /// Every part, in the order the steps ask for them.
    pub const ALL: [Self; 3] = [Self::History, Self::EstablishmentInfo, Self::JobOffer];

    /// A stable code for the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::History => "history",
            Self::EstablishmentInfo => "establishment_info",
            Self::JobOffer => "job_offer",
        }
    }

    /// The part with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// A code that names no registration part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown registration part: history, establishment_info or job_offer")]
pub struct UnknownMissingPart;

impl std::str::FromStr for MissingPart {
    type Err = UnknownMissingPart;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::from_code(code).ok_or(UnknownMissingPart)
    }
}

impl TryFrom<&str> for MissingPart {
    type Error = UnknownMissingPart;

    fn try_from(code: &str) -> Result<Self, Self::Error> {
        code.parse()
    }
}
/// A step the registration's state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationStepError {
    /// The employer may not edit it now (submitted or decided).
    #[error("the registration can no longer be edited ({0})")]
    NotEditable(&'static str),
    /// Establishment information belongs to a first-time applicant (case C) only.
    #[error("establishment information is entered only by a first-time applicant")]
    NotFirstTime,
    /// The application history must come first.
    #[error("the application history has not been declared")]
    HistoryNotDeclared,
    /// Parts are missing.
    #[error("the registration is incomplete: {0:?}")]
    Incomplete(Vec<MissingPart>),
    /// Staff may decide only a registration in the queue; someone decided it already.
    #[error("the registration has already been decided ({0})")]
    AlreadyDecided(&'static str),
}
