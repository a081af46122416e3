//! Establishments (事業所): the office's own records (R18) and those confirmed from a first-time applicant (R11).

use chrono::{DateTime, Utc};

use crate::model::EstablishmentId;
use crate::values::{EstablishmentInfo, EstablishmentNumber, OfficeCode, RegisterDetails, RegisterEntry};

/// An establishment known to the office, with its number.
///
/// Read it through its getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Establishment {
    /// Its id.
    id: EstablishmentId,
    /// 事業所番号; unique.
    number: EstablishmentNumber,
    /// 事業所名称.
    name: String,
    /// What a first-time applicant entered (case C); `None` for one imported from the office's records.
    info: Option<EstablishmentInfo>,
    /// What the office's register says of it besides number and name (R18).
    details: RegisterDetails,
    /// When it entered this system.
    created_at: DateTime<Utc>,
}

/// An establishment as stored: what a repository reads back to rebuild one with [`Establishment::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstablishmentRecord {
    /// Its id.
    pub id: EstablishmentId,
    /// 事業所番号.
    pub number: EstablishmentNumber,
    /// 事業所名称.
    pub name: String,
    /// What a first-time applicant entered (case C).
    pub info: Option<EstablishmentInfo>,
    /// What the office's register says of it (R18).
    pub details: RegisterDetails,
    /// When it entered this system.
    pub created_at: DateTime<Utc>,
}

impl Establishment {
    /// An establishment the office already holds in its records, entered by staff or the command line (R12).
    #[must_use]
    pub fn imported(id: EstablishmentId, number: EstablishmentNumber, name: String, now: DateTime<Utc>) -> Self {
        Self { id, number, name, info: None, details: RegisterDetails::default(), created_at: now }
    }

    /// An establishment of the office's register file (R18).
    #[must_use]
    pub fn from_register(id: EstablishmentId, entry: RegisterEntry, now: DateTime<Utc>) -> Self {
        let RegisterEntry { number, name, details } = entry;
        Self { id, number, name, info: None, details, created_at: now }
    }

    /// Takes the register's name and details (R18); whether anything changed.
    pub fn update_from_register(&mut self, entry: &RegisterEntry) -> bool {
        let changed = self.name != entry.name || self.details != entry.details;
        if changed {
            self.name.clone_from(&entry.name);
            self.details = entry.details.clone();
        }
        changed
    }

    /// A first-time applicant's establishment, created when staff confirm its registration with a new number
    /// (case C, R11). Its name is the one the applicant entered.
    #[must_use]
    pub fn registered(
        id: EstablishmentId,
        number: EstablishmentNumber,
        info: EstablishmentInfo,
        now: DateTime<Utc>,
    ) -> Self {
        let details = RegisterDetails {
            name_kana: Some(info.name_kana.clone()),
            postal_code: Some(info.postal_code.clone()),
            address: Some(info.address.clone()),
            phone: Some(info.phone.clone()),
        };
        Self { id, number, name: info.name.clone(), info: Some(info), details, created_at: now }
    }

    /// Rebuilds a stored establishment. For repositories.
    #[must_use]
    pub fn restore(record: EstablishmentRecord) -> Self {
        let EstablishmentRecord { id, number, name, info, details, created_at } = record;
        Self { id, number, name, info, details, created_at }
    }

    /// Takes the establishment apart into its stored form.
    #[must_use]
    pub fn into_record(self) -> EstablishmentRecord {
        let Self { id, number, name, info, details, created_at } = self;
        EstablishmentRecord { id, number, name, info, details, created_at }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> EstablishmentId {
        self.id
    }

    /// 事業所番号.
    #[must_use]
    pub fn number(&self) -> &EstablishmentNumber {
        &self.number
    }

    /// 事業所名称.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What a first-time applicant entered (case C); `None` for one imported from the office's records.
    #[must_use]
    pub fn info(&self) -> Option<&EstablishmentInfo> {
        self.info.as_ref()
    }

    /// What the office's register says of it besides number and name (R18).
    #[must_use]
    pub fn details(&self) -> &RegisterDetails {
        &self.details
    }

    /// When it entered this system.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The office of jurisdiction, from the number (R9).
    #[must_use]
    pub fn office(&self) -> OfficeCode {
        self.number.office()
    }
}
