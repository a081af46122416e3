//! Agreeing again when the terms change (R1): an employer who agreed to an older version of the privacy policy or
//! the My Page terms agrees to the versions in force at the next login, before doing anything else.

use crate::model::{AccountId, Actor, AuditAction, ClientInfo};
use crate::ports::InfrastructureError;
use crate::usecases::auth_key::load_current_terms;
use crate::usecases::{MyPage, infrastructure_from_repository};
use crate::values::{ConsentInput, CurrentTerms, TermsConsent, TermsConsentError};

/// Why the new consent was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum AgreeTermsError {
    /// No account that may log in has this id.
    #[error("no such account")]
    AccountNotFound,
    /// A box is not ticked, or a newer version was published after the page was shown (R1).
    #[error(transparent)]
    Consent(TermsConsentError),
    /// No terms are published.
    #[error("no terms are published")]
    TermsNotPublished,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(AgreeTermsError);

impl MyPage {
    /// The versions in force, when the account has not agreed to them: what the employer is asked to agree to
    /// before anything else (R1). `None` when its consent covers them (or none are published).
    ///
    /// # Errors
    /// `AccountNotFound` for an account that may not log in; `Infrastructure`.
    pub async fn terms_to_agree(&self, account: AccountId) -> Result<Option<CurrentTerms>, AgreeTermsError> {
        let mut tx = self.read().await?;
        let holder = tx
            .accounts()
            .get(account)
            .await?
            .filter(|a| a.status().can_log_in())
            .ok_or(AgreeTermsError::AccountNotFound)?;
        let current = load_current_terms(&mut tx).await?;
        Ok(current.filter(|terms| holder.consent().is_none_or(|c| !c.covers(terms))))
    }

    /// Records the employer's consent to the versions in force, with its time (R1), and audits it (R15). The
    /// boxes are checked here whatever the page did, as when an account opens.
    ///
    /// # Errors
    /// See [`AgreeTermsError`].
    pub async fn agree_to_terms(
        &self,
        account: AccountId,
        input: &ConsentInput,
        client: &ClientInfo,
    ) -> Result<(), AgreeTermsError> {
        let mut tx = self.begin().await?;
        let current = load_current_terms(&mut tx).await?.ok_or(AgreeTermsError::TermsNotPublished)?;
        let consent = TermsConsent::parse(*input, &current, self.now()).map_err(AgreeTermsError::Consent)?;
        let mut holder = tx.accounts().get(account).await?.ok_or(AgreeTermsError::AccountNotFound)?;
        holder.agree_to_terms(consent).map_err(|_| AgreeTermsError::AccountNotFound)?;
        tx.accounts().update(&holder).await?;
        self.audit(&mut tx, Actor::Employer(account), AuditAction::TermsAgreed, format!("account:{account}"), client)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
