//! Offices (ハローワーク) (R14), with the address their digest of waiting submissions goes to (R20).

use chrono::{DateTime, Utc};

use crate::values::{EmailAddress, OfficeArea, OfficeCode, OfficeDetails};

/// A public employment office: the unit that owns establishments, staff and a review queue (R14).
///
/// Read it through its getters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    /// The four-digit code.
    code: OfficeCode,
    /// The name (ハローワーク飯田橋).
    name: String,
    /// The phone number employers are told to call.
    phone: Option<String>,
    /// Its address (所在地).
    address: Option<String>,
    /// Its opening hours (開庁時間), as employers read them.
    opening_hours: Option<String>,
    /// Its areas (管轄区域): where the employers it serves work.
    areas: Vec<OfficeArea>,
    /// Where the digest of its waiting submissions goes (通知先メールアドレス, R20); `None` sends none.
    notification_email: Option<EmailAddress>,
    /// When the last digest was queued, if one was: the interval to the next is counted from it.
    last_digest_at: Option<DateTime<Utc>>,
    /// The newest submission time a digest has announced, if one was: a waiting submission stamped after it is new
    /// to the next digest. Not `last_digest_at`: a submission stamped before a digest may commit after it, unseen.
    digest_watermark: Option<DateTime<Utc>>,
    /// When an admin closed it; a closed office takes no new registrations or staff, and its staff keep read access.
    closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    version: u64,
}

/// An office as stored: what a repository reads back to rebuild one with [`Office::restore`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeRecord {
    /// The four-digit code.
    pub code: OfficeCode,
    /// The name.
    pub name: String,
    /// The phone number employers are told to call.
    pub phone: Option<String>,
    /// Its address.
    pub address: Option<String>,
    /// Its opening hours.
    pub opening_hours: Option<String>,
    /// Its areas (管轄区域).
    pub areas: Vec<OfficeArea>,
    /// Where its digest goes.
    pub notification_email: Option<EmailAddress>,
    /// When its last digest was queued.
    pub last_digest_at: Option<DateTime<Utc>>,
    /// The newest submission time a digest has announced.
    pub digest_watermark: Option<DateTime<Utc>>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// Optimistic-concurrency version.
    pub version: u64,
}

/// An office that is closed already cannot be closed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the office is closed already")]
pub struct OfficeAlreadyClosed;

impl Office {
    /// A new, open office, its name already checked by the use case that adds it.
    #[must_use]
    pub fn new(code: OfficeCode, name: String, phone: Option<String>) -> Self {
        Self {
            code,
            name,
            phone,
            address: None,
            opening_hours: None,
            areas: Vec::new(),
            notification_email: None,
            last_digest_at: None,
            digest_watermark: None,
            closed_at: None,
            version: 0,
        }
    }

    /// Rebuilds a stored office. For repositories.
    #[must_use]
    pub fn restore(record: OfficeRecord) -> Self {
        let OfficeRecord {
            code,
            name,
            phone,
            address,
            opening_hours,
            areas,
            notification_email,
            last_digest_at,
            digest_watermark,
            closed_at,
            version,
        } = record;
        Self {
            code,
            name,
            phone,
            address,
            opening_hours,
            areas,
            notification_email,
            last_digest_at,
            digest_watermark,
            closed_at,
            version,
        }
    }

    /// Takes the office apart into its stored form.
    #[must_use]
    pub fn into_record(self) -> OfficeRecord {
        let Self {
            code,
            name,
            phone,
            address,
            opening_hours,
            areas,
            notification_email,
            last_digest_at,
            digest_watermark,
            closed_at,
            version,
        } = self;
        OfficeRecord {
            code,
            name,
            phone,
            address,
            opening_hours,
            areas,
            notification_email,
            last_digest_at,
            digest_watermark,
            closed_at,
            version,
        }
    }

    /// An admin replaces its name, phone, address, opening hours and notification address, and its areas when they
    /// were given (R14).
    /// A closed office may be edited too: its details stay what employers of its past registrations are told.
    pub fn edit(&mut self, details: &OfficeDetails) {
        self.name = details.name().to_owned();
        self.phone = details.phone().map(str::to_owned);
        self.address = details.address().map(str::to_owned);
        self.opening_hours = details.opening_hours().map(str::to_owned);
        self.notification_email = details.notification_email().cloned();
        if let Some(areas) = details.areas() {
            self.areas = areas.to_vec();
        }
    }

    /// Its areas (管轄区域), in the order the office gave them.
    #[must_use]
    pub fn areas(&self) -> &[OfficeArea] {
        &self.areas
    }

    /// Whether a place (a prefecture and a municipality, as an employer typed them) lies in its areas.
    #[must_use]
    pub fn serves(&self, prefecture: &str, municipality: &str) -> bool {
        self.areas.iter().any(|a| a.contains(prefecture, municipality))
    }

    /// The system queued a digest of its waiting submissions at `at`, announcing those submitted up to `newest`, the
    /// newest submission time among those it counted (R20). The watermark never moves back.
    pub fn record_digest(&mut self, at: DateTime<Utc>, newest: Option<DateTime<Utc>>) {
        self.last_digest_at = Some(at);
        self.digest_watermark = self.digest_watermark.max(newest);
    }

    /// Where the digest of its waiting submissions goes (通知先メールアドレス, R20), if its admins gave an address.
    #[must_use]
    pub fn notification_email(&self) -> Option<&EmailAddress> {
        self.notification_email.as_ref()
    }

    /// When its last digest was queued, if one was (R20).
    #[must_use]
    pub fn last_digest_at(&self) -> Option<DateTime<Utc>> {
        self.last_digest_at
    }

    /// The newest submission time a digest has announced, if one was: submissions stamped after it are new (R20).
    #[must_use]
    pub fn digest_watermark(&self) -> Option<DateTime<Utc>> {
        self.digest_watermark
    }

    /// An admin closes it: from `at` on it takes no new registrations and no new staff (R14).
    ///
    /// # Errors
    /// [`OfficeAlreadyClosed`] when it was closed before.
    pub fn close(&mut self, at: DateTime<Utc>) -> Result<(), OfficeAlreadyClosed> {
        if self.closed_at.is_some() {
            return Err(OfficeAlreadyClosed);
        }
        self.closed_at = Some(at);
        Ok(())
    }

    /// The repository stored this copy with `update`: the copy now carries the stored version (one more), so that
    /// it can be updated again in the same transaction.
    pub fn mark_saved(&mut self) {
        self.version += 1;
    }

    /// The four-digit code.
    #[must_use]
    pub fn code(&self) -> &OfficeCode {
        &self.code
    }

    /// The name (ハローワーク飯田橋).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The phone number employers are told to call.
    #[must_use]
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_deref()
    }

    /// Its address (所在地).
    #[must_use]
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// Its opening hours (開庁時間).
    #[must_use]
    pub fn opening_hours(&self) -> Option<&str> {
        self.opening_hours.as_deref()
    }

    /// When an admin closed it, if it is closed.
    #[must_use]
    pub fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.closed_at
    }

    /// Whether it is closed: no new counter registrations, first-time applications naming it, or staff (R14).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }

    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }
}
