//! Establishments (事業所), offices (ハローワーク) and their staff (R12, R14).

use chrono::{DateTime, Utc};

use crate::model::{EstablishmentId, PasswordHash, StaffId};
use crate::values::{EstablishmentInfo, EstablishmentNumber, OfficeCode, StaffRole};

/// An establishment known to the office, with its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    /// Its id.
    pub id: EstablishmentId,
    /// 事業所番号; unique.
    pub number: EstablishmentNumber,
    /// 事業所名称.
    pub name: String,
    /// What a first-time applicant entered (case C); `None` for one imported from the office's records.
    pub info: Option<EstablishmentInfo>,
    /// When it entered this system.
    pub created_at: DateTime<Utc>,
}

impl Establishment {
    /// The office of jurisdiction, from the number (R9).
    #[must_use]
    pub fn office(&self) -> OfficeCode {
        self.number.office()
    }
}

/// A public employment office: the unit that owns establishments, staff and a review queue (R14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// The four-digit code.
    pub code: OfficeCode,
    /// The name (ハローワーク飯田橋).
    pub name: String,
    /// The phone number employers are told to call.
    pub phone: Option<String>,
}

/// A staff member's login name: 3–64 ASCII letters, digits, `.`, `_`, `-`, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StaffLogin(String);

/// Why a login name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a staff login is 3 to 64 letters, digits, '.', '_' or '-'")]
pub struct InvalidStaffLogin;

impl StaffLogin {
    /// Parses a login name, lower-cased.
    ///
    /// # Errors
    /// [`InvalidStaffLogin`].
    pub fn parse(raw: &str) -> Result<Self, InvalidStaffLogin> {
        let s = crate::text::fold_width(crate::text::trim(raw)).to_ascii_lowercase();
        let ok = (3..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if ok { Ok(Self(s)) } else { Err(InvalidStaffLogin) }
    }

    /// The normalised login.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A member of an office's staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    /// Its id.
    pub id: StaffId,
    /// The office it belongs to; it sees and acts on this office only (R14).
    pub office: OfficeCode,
    /// The login name.
    pub login: StaffLogin,
    /// The name shown in the console and the audit trail.
    pub name: String,
    /// What it may do.
    pub roles: Vec<StaffRole>,
    /// Its password's hash.
    pub password: PasswordHash,
    /// A disabled member cannot log in or act.
    pub active: bool,
    /// Optimistic-concurrency version.
    pub version: u64,
}

impl StaffMember {
    /// Whether it holds `role` and is active.
    #[must_use]
    pub fn may(&self, role: StaffRole) -> bool {
        self.active && self.roles.contains(&role)
    }
}
