//! Periodic clean-up by the system: drafts and flows past their lifetime (R3, R10), old throttle hits.

use chrono::Duration;

use crate::model::{Actor, AuditAction, ClientInfo, DeathCause};
use crate::ports::InfrastructureError;
use crate::usecases::{MyPage, infrastructure_from_repository};

/// What one run expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpiryReport {
    /// Drafts expired (R10).
    pub drafts: usize,
    /// Flows whose keys had all expired (R3).
    pub flows: usize,
    /// Throttle hits older than any window, removed.
    pub throttle_hits: u64,
}

/// Why the clean-up stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExpireError {
    /// The store failed; what was committed before stays.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ExpireError);

/// Records handled per transaction, so that a large backlog never holds one long transaction.
const BATCH: usize = 100;

impl MyPage {
    /// Expires drafts unsaved for longer than the draft lifetime and flows whose every key expired.
    /// Safe to run from several instances at once: a record another run expired first is skipped.
    ///
    /// # Errors
    /// See [`ExpireError`].
    pub async fn expire_stale(&self) -> Result<ExpiryReport, ExpireError> {
        let mut report = ExpiryReport::default();
        let client = ClientInfo::system();
        loop {
            let now = self.now();
            let mut tx = self.begin().await?;
            let drafts = tx.registrations().drafts_saved_before(now - self.config.draft_ttl, BATCH).await?;
            let found = drafts.len();
            for mut draft in drafts {
                if draft.expire().is_ok() {
                    tx.registrations().update(&draft).await?;
                    self.audit(
                        &mut tx,
                        Actor::System,
                        AuditAction::DraftExpired,
                        format!("registration:{}", draft.id()),
                        &client,
                    )
                    .await?;
                    report.drafts += 1;
                }
            }
            tx.commit().await?;
            if found < BATCH {
                break;
            }
        }
        loop {
            let now = self.now();
            let mut tx = self.begin().await?;
            let flows = tx.flows().open_expired_before(now, BATCH).await?;
            let found = flows.len();
            for mut flow in flows {
                flow.kill(DeathCause::Expired);
                tx.flows().update(&flow).await?;
                self.audit(&mut tx, Actor::System, AuditAction::FlowExpired, format!("flow:{}", flow.id()), &client)
                    .await?;
                report.flows += 1;
            }
            tx.commit().await?;
            if found < BATCH {
                break;
            }
        }
        let mut tx = self.begin().await?;
        // The longest window: the address's hour, the login window, the client's key window (R3, R8, R13).
        let horizon = Duration::hours(1).max(self.config.login_window).max(self.config.client_key_window);
        report.throttle_hits = tx.throttle().purge_before(self.now() - horizon).await?;
        tx.commit().await?;
        Ok(report)
    }
}
