//! Reading a registration: its getters.

use chrono::{DateTime, Utc};

use super::ProvisionalRegistration;
use crate::model::{
    AccountId, ApplicationHistory, RegistrationId, RegistrationKind, RegistrationStatus, StaffId, Unfinished,
};
use crate::values::{EstablishmentInfo, JobOffer};

/// Reading a registration.
impl ProvisionalRegistration {
    /// Its id.
    #[must_use]
    pub fn id(&self) -> RegistrationId {
        self.id
    }

    /// An opening registration or a job offer after opening (R20).
    #[must_use]
    pub fn kind(&self) -> RegistrationKind {
        self.kind
    }

    /// Its status in the office's words for its kind: a job offer is 受理済み where a registration is 本登録済み.
    #[must_use]
    pub fn status_label_ja(&self) -> &'static str {
        self.kind.status_label_ja(&self.status)
    }

    /// The Provisional account filing it.
    #[must_use]
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// 求人申し込み実績, once declared.
    #[must_use]
    pub fn history(&self) -> Option<&ApplicationHistory> {
        self.history.as_ref()
    }

    /// 事業所情報, case C.
    #[must_use]
    pub fn establishment(&self) -> Option<&EstablishmentInfo> {
        self.establishment.as_ref()
    }

    /// 求人情報.
    #[must_use]
    pub fn job_offer(&self) -> Option<&JobOffer> {
        self.job_offer.as_ref()
    }

    /// The forms last sent with errors, reduced to their valid fields; each is in place of its validated form.
    #[must_use]
    pub fn unfinished(&self) -> &Unfinished {
        &self.unfinished
    }

    /// Where it stands.
    #[must_use]
    pub fn status(&self) -> &RegistrationStatus {
        &self.status
    }

    /// When the draft was started.
    #[must_use]
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// When the employer last saved it; a draft expires a configured time after this.
    #[must_use]
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }

    /// When it was last submitted.
    #[must_use]
    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at
    }

    /// Who decided it last.
    #[must_use]
    pub fn decided_by(&self) -> Option<StaffId> {
        self.decided_by
    }

    /// Optimistic-concurrency version; repositories refuse an update made from a stale copy.
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }
}
