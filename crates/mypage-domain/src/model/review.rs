//! Where a provisional registration stands, and the staff's review of it (本登録, R11): the status, the staff
//! note and the decisions that carry one.

use crate::model::EstablishmentId;
use crate::text::{nfkc, trim};
use crate::values::EstablishmentNumber;

/// A staff note or reason (R11): 1–1000 characters, line breaks allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffNote(String);

/// Why a note is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StaffNoteError {
    /// Nothing written: the employer must be told what to do.
    #[error("the note is empty")]
    Empty,
    /// Over 1000 characters.
    #[error("the note is longer than 1000 characters")]
    TooLong,
    /// A control character other than a line break.
    #[error("the note contains a control character")]
    ControlCharacter,
}

impl StaffNote {
    /// The longest note, in characters.
    pub const MAX: usize = 1000;

    /// Parses what staff typed.
    ///
    /// # Errors
    /// [`StaffNoteError`].
    pub fn parse(raw: &str) -> Result<Self, StaffNoteError> {
        let text = nfkc(trim(raw)).replace("\r\n", "\n");
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(StaffNoteError::ControlCharacter);
        }
        match text.chars().count() {
            0 => Err(StaffNoteError::Empty),
            n if n > Self::MAX => Err(StaffNoteError::TooLong),
            _ => Ok(Self(text)),
        }
    }

    /// The text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a registration stands.
///
/// ```text
/// Draft --submit--> Submitted --confirm--> Confirmed
///   |                 |  ^  \--reject--> Rejected
///   | (ttl)           |  |   \--contact needed--> ContactNeeded --(confirm | return | reject)
///   v                 v  |
/// Expired           Returned --submit--^
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationStatus {
    /// Being filled in.
    Draft,
    /// In the office's review queue.
    Submitted,
    /// Staff will contact the employer; still in the queue.
    ContactNeeded {
        /// What staff wrote.
        note: StaffNote,
    },
    /// Sent back for correction; the employer edits and submits again.
    Returned {
        /// What to correct.
        note: StaffNote,
    },
    /// 本登録: the account is Active for this establishment.
    Confirmed {
        /// The establishment, existing (case B) or created (case C).
        establishment: EstablishmentId,
        /// Its number.
        number: EstablishmentNumber,
    },
    /// Refused.
    Rejected {
        /// Why.
        reason: StaffNote,
    },
    /// A draft left unsubmitted past its lifetime.
    Expired,
    /// Ended because its account was closed (R19): it leaves the office's queue.
    Withdrawn,
}

impl RegistrationStatus {
    /// A stable code for storage and the API.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ContactNeeded { .. } => "contact_needed",
            Self::Returned { .. } => "returned",
            Self::Confirmed { .. } => "confirmed",
            Self::Rejected { .. } => "rejected",
            Self::Expired => "expired",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The office's word for it, as the staff console shows it (R11).
    #[must_use]
    pub fn label_ja(&self) -> &'static str {
        match self {
            Self::Draft => "入力中",
            Self::Submitted => "審査待ち",
            Self::ContactNeeded { .. } => "連絡が必要",
            Self::Returned { .. } => "修正依頼中",
            Self::Confirmed { .. } => "本登録済み",
            Self::Rejected { .. } => "本登録しない",
            Self::Expired => "期限切れ",
            Self::Withdrawn => "取下げ",
        }
    }

    /// Whether the employer may change it.
    #[must_use]
    pub fn is_editable(&self) -> bool {
        matches!(self, Self::Draft | Self::Returned { .. })
    }

    /// Whether it waits for staff (in the office's queue).
    #[must_use]
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Submitted | Self::ContactNeeded { .. })
    }

    /// Whether it is still open: an account has at most one open registration.
    #[must_use]
    pub fn is_open(&self) -> bool {
        self.is_editable() || self.is_pending()
    }
}

/// A staff decision that carries a note (R11): the three ways a reviewer answers a registration other than
/// confirming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteDecision {
    /// 連絡が必要: staff will contact the employer; the registration stays in the queue.
    ContactNeeded,
    /// 修正を依頼: sent back for correction; the employer edits and submits again.
    Return,
    /// 本登録しない: refused, for the reason given.
    Reject,
}

impl NoteDecision {
    /// Every decision, in the order the console offers them.
    pub const ALL: [Self; 3] = [Self::ContactNeeded, Self::Return, Self::Reject];

    /// A stable snake_case code, for forms, the API and its document.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ContactNeeded => "contact_needed",
            Self::Return => "return",
            Self::Reject => "reject",
        }
    }

    /// The status the registration takes, with the note.
    #[must_use]
    pub fn status(self, note: StaffNote) -> RegistrationStatus {
        match self {
            Self::ContactNeeded => RegistrationStatus::ContactNeeded { note },
            Self::Return => RegistrationStatus::Returned { note },
            Self::Reject => RegistrationStatus::Rejected { reason: note },
        }
    }
}

/// A code that names no staff decision: never taken for a rejection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown staff decision: contact_needed, return or reject")]
pub struct UnknownNoteDecision;

impl std::str::FromStr for NoteDecision {
    type Err = UnknownNoteDecision;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|d| d.as_str() == code).ok_or(UnknownNoteDecision)
    }
}

impl TryFrom<&str> for NoteDecision {
    type Error = UnknownNoteDecision;

    fn try_from(code: &str) -> Result<Self, Self::Error> {
        code.parse()
    }
}
