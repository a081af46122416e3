//! What a filing is (R10, R20): the provisional registration that opens an account, or a job offer after opening.

use crate::model::RegistrationStatus;

/// What a filing is: the provisional registration that opens an account (cases B and C), or a further job offer of
/// an establishment whose account is open (R20). Both are reviewed in the same queue (R11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationKind {
    /// 仮登録: the account's opening filing; at most one is open per account.
    Opening,
    /// 求人の申込み: a job offer of the account's own establishment (R20); several may be open at once.
    JobOffer,
}

impl RegistrationKind {
    /// Every kind.
    pub const ALL: [Self; 2] = [Self::Opening, Self::JobOffer];

    /// A stable code for storage and the API.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::Opening => "opening",
            Self::JobOffer => "job_offer",
        }
    }

    /// The kind with this code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The office's word for a status of a filing of this kind: a job offer is accepted (受理), not registered.
    #[must_use]
    pub fn status_label_ja(self, status: &RegistrationStatus) -> &'static str {
        match (self, status) {
            (Self::JobOffer, RegistrationStatus::Confirmed { .. }) => "受理済み",
            (Self::JobOffer, RegistrationStatus::Rejected { .. }) => "受理しない",
            _ => status.label_ja(),
        }
    }
}
