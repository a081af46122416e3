//! Staff are told what waits for them (R20): a digest mail to an office's notification address when registrations
//! or job offers wait in its review queue, at most once per [`DomainConfig::digest_interval`] and never one per
//! submission; and the number waiting, which the console's menu shows a reviewer.
//!
//! The digest is the system's: the app runs [`MyPage::send_office_digests`] often (every minute), and the interval
//! decides whether a mail goes. Several instances may run it at once: the office's bookkeeping (when its last digest
//! went, and its watermark) is written with the office's version, so that of two runs deciding on the same office
//! only one commits its mail, and the other skips the office.
//!
//! What is new to a digest is what was submitted after the office's watermark, the newest submission time the last
//! digest counted, and not after the time that digest went: a submission's time is read before its transaction
//! commits, so one stamped before a digest may commit after it, unseen, and must still count as new to the next.
//!
//! [`DomainConfig::digest_interval`]: crate::config::DomainConfig::digest_interval

use crate::model::{Actor, AuditAction, ClientInfo, MailTemplate, StaffId};
use crate::ports::{InfrastructureError, RepositoryError};
use crate::usecases::{MyPage, infrastructure_from_repository, staff_with_role};
use crate::values::StaffRole;

/// What one run of [`MyPage::send_office_digests`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DigestReport {
    /// Offices to which a digest was queued.
    pub sent: usize,
    /// Offices another run handled at the same moment, skipped by this one.
    pub skipped: usize,
}

/// Why the digests stopped.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// The store failed; the digests committed before stay.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(DigestError);

impl MyPage {
    /// Queues one digest to each open office with a notification address whose queue holds registrations or job
    /// offers submitted after its watermark (the newest submission its last digest counted), when that digest is
    /// older than the interval (or none was sent), and records on the office the time and the newest submission
    /// counted, and the audit event `OfficeDigestSent`, in one transaction per office (R15, R16, R20). The mail
    /// gives counts and the oldest waiting time only, never an employer's details.
    ///
    /// # Errors
    /// See [`DigestError`].
    pub async fn send_office_digests(&self) -> Result<DigestReport, DigestError> {
        let mut report = DigestReport::default();
        let offices = self.read().await?.offices().all().await?;
        let client = ClientInfo::system();
        for code in offices.iter().filter(|o| !o.is_closed() && o.notification_email().is_some()).map(|o| o.code()) {
            let now = self.now();
            let mut tx = self.begin().await?;
            // Read again inside the transaction: an admin may have closed it, or another run sent its digest.
            let Some(mut office) = tx.offices().get(code).await? else { continue };
            let Some(to) = office.notification_email().cloned() else { continue };
            if office.is_closed()
                || office.last_digest_at().is_some_and(|last| now - last < self.config.digest_interval)
            {
                continue;
            }
            let queue = tx.registrations().queue_summary(code, office.digest_watermark()).await?;
            if queue.submitted_since == 0 {
                continue;
            }
            office.record_digest(now, queue.newest_submitted_at);
            match tx.offices().update(&office).await {
                Err(RepositoryError::Conflict) => {
                    report.skipped += 1;
                    continue;
                }
                other => other?,
            }
            let template = MailTemplate::OfficeDigest {
                office_name: office.name().to_owned(),
                waiting: queue.waiting,
                waiting_job_offers: queue.job_offers,
                new_since_last: queue.submitted_since,
                oldest_submitted_at: queue.oldest_submitted_at,
            };
            self.mail(&mut tx, &to, template).await?;
            self.audit(&mut tx, Actor::System, AuditAction::OfficeDigestSent, format!("office:{code}"), &client)
                .await?;
            match tx.commit().await {
                // A database that serialises the two runs may refuse the second at its commit instead.
                Err(RepositoryError::Conflict) => report.skipped += 1,
                other => {
                    other?;
                    report.sent += 1;
                }
            }
        }
        Ok(report)
    }

    /// How many registrations and job offers wait in the review queue of the member's office, for the console's
    /// menu (R20); `None` for a member without the reviewer role. Counted by the store, without reading them.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the store fails.
    pub async fn waiting_for_review(&self, staff: StaffId) -> Result<Option<u64>, InfrastructureError> {
        let mut tx = self.read().await?;
        let Some(member) = staff_with_role(&mut tx, staff, StaffRole::Reviewer).await? else {
            return Ok(None);
        };
        Ok(Some(tx.registrations().queue_summary(member.office(), None).await?.waiting))
    }
}
