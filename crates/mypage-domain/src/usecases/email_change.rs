//! メールアドレスの変更 (R19): a logged-in employer proves, with an auth key mailed to it, that it reads the new
//! address, in the mechanism of R3 and R4 (resends, five wrong keys, expiry, the same browser session).
//!
//! The request answers the same whether or not the new address already has a live account (R8): such an address's
//! owner is mailed a notice instead of a key, and the requester's flow unlocks nothing.

use chrono::Duration;
use secrecy::SecretString;

use crate::model::{
    AccountId, Actor, AuditAction, AuthFlow, ClientInfo, DeathCause, FlowId, FlowPurpose, FlowTarget, KeyCheckError,
    MailTemplate,
};
use crate::ports::{DigestPurpose, InfrastructureError, RepositoryError, Unique};
use crate::usecases::account_care::{CurrentPasswordError, office_of};
use crate::usecases::{
    KeyRedemptionError, KeyRequested, KeySent, MyPage, ResendAuthKeyError, infrastructure_from_repository, throttled,
};
use crate::values::{AuthKey, EmailAddress, EmailAddressError};

/// Why no key was sent for an address change.
#[derive(Debug, thiserror::Error)]
pub enum RequestEmailChangeError {
    /// The current password did not let it go on.
    #[error(transparent)]
    Current(CurrentPasswordError),
    /// The new address is not valid (R2).
    #[error(transparent)]
    InvalidEmail(EmailAddressError),
    /// The new address is the one the account has already.
    #[error("the new address is the current one")]
    SameEmail,
    /// Too many key requests for the new address in the last hour; try again at `retry_after` (R3).
    #[error("too many key requests for this address")]
    TooManyRequests {
        /// When a request will be accepted again.
        retry_after: chrono::DateTime<chrono::Utc>,
    },
    /// Too many key requests from this client, whatever the addresses; try again at `retry_after` (R8). An
    /// address change mails a key as any key request does, and counts against the same limit.
    #[error("too many key requests from this client")]
    ClientLimited {
        /// When a request will be accepted again.
        retry_after: chrono::DateTime<chrono::Utc>,
    },
    /// The store or the hasher failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(RequestEmailChangeError);

/// Why the address was not changed.
#[derive(Debug, thiserror::Error)]
pub enum ConfirmEmailChangeError {
    /// The key was not redeemed. Each but `InvalidKey` and `WrongKey` means: start again (R3).
    #[error(transparent)]
    Key(KeyRedemptionError),
    /// Between the request and now, another account took the new address; nothing was changed.
    #[error("an account already uses this e-mail address")]
    EmailTaken,
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ConfirmEmailChangeError);

/// The address was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChanged {
    /// The account's address now.
    pub email: EmailAddress,
}

impl MyPage {
    /// Another key to the new address, in the address change of `account` that `flow_token` names (R3, R19): the
    /// flow of another account, or of another purpose, is not found. Audited as the employer's.
    ///
    /// # Errors
    /// See [`ResendAuthKeyError`].
    pub async fn resend_email_change_key(
        &self,
        account: AccountId,
        flow_token: &SecretString,
        client: &ClientInfo,
    ) -> Result<KeySent, ResendAuthKeyError> {
        self.resend_key(flow_token, Some(account), client).await
    }

    /// A logged-in employer asks to move its account to `new_email`, with its current password (R19). A key is
    /// mailed to the new address, in a flow whose token only this browser session keeps (R4); an earlier open
    /// change to the same address dies (R3). When the address has a live account, its owner is mailed a notice and
    /// the flow unlocks nothing; the answer is the same (R8).
    ///
    /// # Errors
    /// See [`RequestEmailChangeError`].
    pub async fn request_email_change(
        &self,
        account: AccountId,
        current: &SecretString,
        new_email: &str,
        client: &ClientInfo,
    ) -> Result<KeyRequested, RequestEmailChangeError> {
        let email = EmailAddress::parse(new_email).map_err(RequestEmailChangeError::InvalidEmail)?;
        let proven = self.prove_current(account, current, client).await?.map_err(RequestEmailChangeError::Current)?;
        if proven.email() == &email {
            return Err(RequestEmailChangeError::SameEmail);
        }
        for _ in 0..8 {
            if let Some(requested) = self.request_change_once(account, &email, client).await? {
                return Ok(requested);
            }
        }
        Err(InfrastructureError::new("address change requests for one address kept racing").into())
    }

    /// One attempt at [`MyPage::request_email_change`]; `None` when a concurrent request for the address won.
    async fn request_change_once(
        &self,
        account: AccountId,
        email: &EmailAddress,
        client: &ClientInfo,
    ) -> Result<Option<KeyRequested>, RequestEmailChangeError> {
        let now = self.now();
        let purpose = FlowPurpose::ChangeEmail;
        let mut tx = self.begin().await?;
        // The client's limit, then the address's, in the order of every key request (R8).
        if let Some(retry_after) = self.reserve_client_key_request(&mut tx, client, now).await? {
            return Err(RequestEmailChangeError::ClientLimited { retry_after });
        }
        let throttle = crate::ports::ThrottleKey::KeyRequests(email.clone());
        let limit = self.config.key_requests_per_address_per_hour;
        if let Some(retry_after) = throttled(&mut tx, &throttle, limit, Duration::hours(1), now).await? {
            return Err(RequestEmailChangeError::TooManyRequests { retry_after });
        }
        if let Some(mut earlier) = tx.flows().open_for(email, purpose).await? {
            earlier.kill(DeathCause::Superseded);
            match tx.flows().update(&earlier).await {
                Err(RepositoryError::Conflict) => return Ok(None),
                other => other?,
            }
        }
        let target = match tx.accounts().by_email(email).await? {
            Some(holder) => FlowTarget::Notice { status: holder.status() },
            None => FlowTarget::Key { account: Some(account) },
        };
        let token = self.ports.keys.token();
        let token_digest = self.ports.digest.digest(DigestPurpose::FlowToken, &token);
        let (key, mail) = self.issue_key(purpose, target, now);
        let expires_at = key.expires_at;
        let id = self.new_id(FlowId::from_bytes);
        let flow = AuthFlow::start(id, purpose, email.clone(), token_digest, target, None, key, now);
        match tx.flows().insert(&flow).await {
            Err(RepositoryError::Duplicate(Unique::LiveFlow)) => return Ok(None),
            Err(RepositoryError::Duplicate(Unique::FlowToken)) => {
                return Err(InfrastructureError::new("the key generator repeated a flow token").into());
            }
            other => other?,
        }
        self.mail(&mut tx, email, mail).await?;
        let subject = format!("account:{account}");
        self.audit(&mut tx, Actor::Employer(account), AuditAction::EmailChangeRequested, subject, client).await?;
        match tx.commit().await {
            Err(RepositoryError::Conflict) => return Ok(None),
            other => other?,
        }
        let resends_left = self.config.max_keys_per_flow.saturating_sub(1);
        Ok(Some(KeyRequested { flow_token: token, sent: KeySent { email: email.clone(), expires_at, resends_left } }))
    }

    /// The employer enters the key of its address change in the browser session that asked (R4): the account's
    /// address becomes the new one. The old address is mailed a notice (with the new one masked, and what to do if it
    /// was not you), the new one a confirmation. A wrong key is counted; the fifth kills the flow (R3).
    ///
    /// # Errors
    /// See [`ConfirmEmailChangeError`].
    pub async fn confirm_email_change(
        &self,
        account: AccountId,
        flow_token: &SecretString,
        key: &SecretString,
        client: &ClientInfo,
    ) -> Result<EmailChanged, ConfirmEmailChangeError> {
        // Wrong keys entered at once must all be counted (R3): the one whose update conflicts tries again.
        for _ in 0..5 {
            match self.confirm_once(account, flow_token, key, client).await {
                Err(Retry::Again) => {}
                Err(Retry::Refused(e)) => return Err(e),
                Ok(done) => return Ok(done),
            }
        }
        Err(InfrastructureError::new("wrong keys for one flow kept racing").into())
    }

    async fn confirm_once(
        &self,
        account: AccountId,
        flow_token: &SecretString,
        key: &SecretString,
        client: &ClientInfo,
    ) -> Result<EmailChanged, Retry> {
        let no_flow = || Retry::Refused(ConfirmEmailChangeError::Key(KeyRedemptionError::FlowNotFound));
        let token = self.ports.digest.digest(DigestPurpose::FlowToken, flow_token);
        let mut tx = self.begin().await?;
        let mut flow = match tx.flows().by_token(&token).await? {
            Some(flow) if flow.purpose() == FlowPurpose::ChangeEmail => flow,
            _ => return Err(no_flow()),
        };
        // A flow of another account's change is no flow of this session's employer.
        if matches!(flow.target(), FlowTarget::Key { account: Some(id) } if id != account) {
            return Err(no_flow());
        }
        let key = AuthKey::parse(key)
            .map_err(|e| Retry::Refused(ConfirmEmailChangeError::Key(KeyRedemptionError::InvalidKey(e))))?;
        let key = self.ports.digest.digest(DigestPurpose::AuthKey, key.canonical());
        if let Err(refused) = flow.check_key(&key, self.now(), self.config.max_wrong_keys) {
            if matches!(
                refused,
                KeyCheckError::WrongKey { .. } | KeyCheckError::TooManyWrongKeys | KeyCheckError::Expired
            ) {
                match tx.flows().update(&flow).await {
                    Err(RepositoryError::Conflict) => return Err(Retry::Again),
                    other => other?,
                }
                if !matches!(refused, KeyCheckError::Expired) {
                    let subject = format!("flow:{}", flow.id());
                    self.audit(&mut tx, Actor::Employer(account), AuditAction::WrongAuthKey, subject, client).await?;
                }
                tx.commit().await?;
            }
            return Err(Retry::Refused(ConfirmEmailChangeError::Key(refused.into())));
        }
        // A right key: only a flow that mails keys has one, and it names this account.
        let mut found = tx.accounts().get(account).await?.ok_or_else(no_flow)?;
        flow.spend();
        match tx.flows().update(&flow).await {
            Err(RepositoryError::Conflict) => {
                return Err(Retry::Refused(ConfirmEmailChangeError::Key(KeyRedemptionError::AlreadyUsed)));
            }
            other => other?,
        }
        let old = found.email().clone();
        found.change_email(flow.email().clone()).map_err(|_| no_flow())?;
        match tx.accounts().update(&found).await {
            Err(RepositoryError::Duplicate(Unique::AccountEmail)) => {
                return Err(Retry::Refused(ConfirmEmailChangeError::EmailTaken));
            }
            Err(RepositoryError::Conflict) => return Err(Retry::Again),
            other => other?,
        }
        let now = self.now();
        let (office_name, office_phone) = office_of(&mut tx, &found).await?;
        let notice =
            MailTemplate::EmailChanged { new_email_masked: found.email().masked(), at: now, office_name, office_phone };
        self.mail(&mut tx, &old, notice).await?;
        self.mail(&mut tx, found.email(), MailTemplate::EmailChangeConfirmed { at: now }).await?;
        let subject = format!("account:{account}");
        self.audit(&mut tx, Actor::Employer(account), AuditAction::EmailChanged, subject, client).await?;
        match tx.commit().await {
            Err(RepositoryError::Duplicate(Unique::AccountEmail)) => {
                return Err(Retry::Refused(ConfirmEmailChangeError::EmailTaken));
            }
            other => other?,
        }
        Ok(EmailChanged { email: found.email().clone() })
    }
}

/// One attempt's failure: a refusal to answer, or a conflict that calls for another attempt.
enum Retry {
    Again,
    Refused(ConfirmEmailChangeError),
}

impl From<RepositoryError> for Retry {
    fn from(e: RepositoryError) -> Self {
        Self::Refused(e.into())
    }
}

impl From<InfrastructureError> for Retry {
    fn from(e: InfrastructureError) -> Self {
        Self::Refused(e.into())
    }
}
