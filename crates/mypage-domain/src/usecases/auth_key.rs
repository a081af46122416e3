//! Asking for an auth key, and for another one in the same flow (R1, R3, R4, R7, R8).

use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;

use crate::model::{
    Account, AccountId, AccountStatus, Actor, AuditAction, AuthFlow, ClientInfo, DeathCause, FlowId, FlowPurpose,
    FlowState, FlowStepError, FlowTarget, IssuedKey, MailTemplate,
};
use crate::ports::{DigestPurpose, InfrastructureError, RepositoryError, ThrottleKey, Transaction, Unique};
use crate::usecases::{MyPage, infrastructure_from_repository, throttled};
use crate::values::{
    ConsentInput, CurrentTerms, EmailAddress, EmailAddressError, TermsConsent, TermsConsentError, TermsKind,
};

/// What the e-mail page sends.
#[derive(Debug, Clone)]
pub struct KeyRequest {
    /// Which entrance the employer came through.
    pub purpose: FlowPurpose,
    /// The address, as typed.
    pub email: String,
    /// The terms page's answer; required unless the purpose is a password reset (R1).
    pub consent: Option<ConsentInput>,
}

/// The answer to a new flow, identical whether or not a key was mailed (R8).
#[derive(Debug)]
pub struct KeyRequested {
    /// The flow's secret token. The adapter keeps it in the browser session that asked (R4) and never shows it.
    pub flow_token: SecretString,
    /// What the "mail sent" page says.
    pub sent: KeySent,
}

/// What the "mail sent" page says, identical whether or not a key was mailed (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySent {
    /// The normalised address, for "we sent a mail to …".
    pub email: EmailAddress,
    /// Until when the newest key works.
    pub expires_at: DateTime<Utc>,
    /// How many more keys this flow may request.
    pub resends_left: u8,
}

/// Why no key was requested.
#[derive(Debug, thiserror::Error)]
pub enum RequestAuthKeyError {
    /// The address is not valid (R2).
    #[error(transparent)]
    InvalidEmail(EmailAddressError),
    /// The terms were not agreed, or a newer version exists (R1).
    #[error(transparent)]
    Consent(TermsConsentError),
    /// No version of one of the documents has been published: an administrator must publish one.
    #[error("the terms have not been published")]
    TermsNotPublished,
    /// Too many key requests for this address in the last hour; try again at `retry_after` (R3).
    #[error("too many key requests for this address")]
    TooManyRequests {
        /// When a request will be accepted again.
        retry_after: DateTime<Utc>,
    },
    /// Too many key requests from this client, whatever the addresses; try again at `retry_after` (R8).
    #[error("too many key requests from this client")]
    ClientLimited {
        /// When a request will be accepted again.
        retry_after: DateTime<Utc>,
    },
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(RequestAuthKeyError);

/// Why no further key was mailed.
#[derive(Debug, thiserror::Error)]
pub enum ResendAuthKeyError {
    /// This browser session has no flow (R4): start again.
    #[error("no flow for this session")]
    FlowNotFound,
    /// The flow is dead; start again (R3).
    #[error("the flow can no longer be used")]
    FlowDead(DeathCause),
    /// The key was already used.
    #[error("the auth key has already been used")]
    AlreadyUsed,
    /// The flow has had its three keys (R3).
    #[error("no more keys may be requested in this flow")]
    KeyLimitReached,
    /// Too many key requests for this address in the last hour (R3).
    #[error("too many key requests for this address")]
    TooManyRequests {
        /// When a request will be accepted again.
        retry_after: DateTime<Utc>,
    },
    /// Too many key requests from this client, whatever the addresses; try again at `retry_after` (R8).
    #[error("too many key requests from this client")]
    ClientLimited {
        /// When a request will be accepted again.
        retry_after: DateTime<Utc>,
    },
    /// The store failed.
    #[error(transparent)]
    Infrastructure(#[from] InfrastructureError),
}
infrastructure_from_repository!(ResendAuthKeyError);

/// Who a purpose's mail goes to, given the account that holds the address (R8).
fn target_for(purpose: FlowPurpose, account: Option<&Account>) -> FlowTarget {
    match (purpose, account) {
        // An address change starts only from a logged-in employer (`request_email_change`); asked for anonymously, it
        // mails nothing and unlocks nothing (R8, R19).
        (FlowPurpose::ChangeEmail, _) => FlowTarget::Nothing,
        (FlowPurpose::OpenMyPage, Some(a)) if a.status() == AccountStatus::AwaitingPassword => {
            FlowTarget::Key { account: Some(a.id()) }
        }
        (FlowPurpose::ResetPassword, Some(a)) if a.status().can_log_in() => FlowTarget::Key { account: Some(a.id()) },
        (FlowPurpose::SignUp, None) => FlowTarget::Key { account: None },
        (_, Some(a)) => FlowTarget::Notice { status: a.status() },
        (_, None) => FlowTarget::Nothing,
    }
}

impl MyPage {
    /// The versions of the two documents in force, for the terms page (R1); `None` until both are published.
    ///
    /// # Errors
    /// [`InfrastructureError`] when the store fails.
    pub async fn current_terms(&self) -> Result<Option<CurrentTerms>, InfrastructureError> {
        let mut tx = self.read().await?;
        Ok(load_current_terms(&mut tx).await?)
    }

    /// The employer agreed to the terms and entered an address: start a flow and mail a key if the address is
    /// eligible for `purpose`, a notice if it has an account that does not fit, nothing if it is unknown.
    /// The answer is the same in all three cases, and so is the work: the same port calls in the same order, with a
    /// withheld mail queued where nothing is sent (R8).
    /// An earlier open flow for the same address and purpose dies (R3).
    ///
    /// # Errors
    /// See [`RequestAuthKeyError`].
    pub async fn request_auth_key(
        &self,
        request: &KeyRequest,
        client: &ClientInfo,
    ) -> Result<KeyRequested, RequestAuthKeyError> {
        let email = EmailAddress::parse(&request.email).map_err(RequestAuthKeyError::InvalidEmail)?;
        // Requests for one address at once: each that loses the race on the one-live-flow rule starts again and
        // supersedes the winner, as a later request would (R3). The hourly cap bounds how many can race.
        for _ in 0..8 {
            if let Some(requested) = self.request_once(request, &email, client).await? {
                return Ok(requested);
            }
        }
        Err(InfrastructureError::new("key requests for one address kept racing").into())
    }

    /// One attempt at [`MyPage::request_auth_key`]; `None` when a concurrent request for the same address won.
    async fn request_once(
        &self,
        request: &KeyRequest,
        email: &EmailAddress,
        client: &ClientInfo,
    ) -> Result<Option<KeyRequested>, RequestAuthKeyError> {
        let now = self.now();
        let email = email.clone();
        let mut tx = self.begin().await?;
        let consent = if request.purpose.needs_consent() {
            let input =
                request.consent.ok_or(RequestAuthKeyError::Consent(TermsConsentError::PrivacyPolicyNotAgreed))?;
            let current = load_current_terms(&mut tx).await?.ok_or(RequestAuthKeyError::TermsNotPublished)?;
            Some(TermsConsent::parse(input, &current, now).map_err(RequestAuthKeyError::Consent)?)
        } else {
            None
        };
        if let Some(retry_after) = self.reserve_client_key_request(&mut tx, client, now).await? {
            return Err(RequestAuthKeyError::ClientLimited { retry_after });
        }
        let throttle = ThrottleKey::KeyRequests(email.clone());
        if let Some(retry_after) =
            throttled(&mut tx, &throttle, self.config.key_requests_per_address_per_hour, Duration::hours(1), now)
                .await?
        {
            return Err(RequestAuthKeyError::TooManyRequests { retry_after });
        }
        if let Some(mut earlier) = tx.flows().open_for(&email, request.purpose).await? {
            earlier.kill(DeathCause::Superseded);
            match tx.flows().update(&earlier).await {
                Err(RepositoryError::Conflict) => return Ok(None),
                other => other?,
            }
        }
        let account = tx.accounts().by_email(&email).await?;
        let target = target_for(request.purpose, account.as_ref());
        let token = self.ports.keys.token();
        let token_digest = self.ports.digest.digest(DigestPurpose::FlowToken, &token);
        let (key, mail) = self.issue_key(request.purpose, target, now);
        let expires_at = key.expires_at;
        let flow = AuthFlow::start(
            self.new_id(FlowId::from_bytes),
            request.purpose,
            email.clone(),
            token_digest,
            target,
            consent,
            key,
            now,
        );
        match tx.flows().insert(&flow).await {
            Err(RepositoryError::Duplicate(Unique::LiveFlow)) => return Ok(None),
            Err(RepositoryError::Duplicate(Unique::FlowToken)) => {
                return Err(InfrastructureError::new("the key generator repeated a flow token").into());
            }
            other => other?,
        }
        self.mail(&mut tx, &email, mail).await?;
        self.audit(&mut tx, Actor::Anonymous, AuditAction::AuthKeyRequested, format!("flow:{}", flow.id()), client)
            .await?;
        match tx.commit().await {
            Err(RepositoryError::Conflict) => return Ok(None),
            other => other?,
        }
        Ok(Some(KeyRequested {
            flow_token: token,
            sent: KeySent { email, expires_at, resends_left: self.config.max_keys_per_flow.saturating_sub(1) },
        }))
    }

    /// The employer asks for the mail again in the same browser session (R3, R4). The earlier keys keep working
    /// until they expire. The answer does not depend on the address's eligibility (R8).
    ///
    /// # Errors
    /// See [`ResendAuthKeyError`].
    /// A flow of an address change (R19) is resent only by its own account
    /// ([`MyPage::resend_email_change_key`]): here it is not found.
    pub async fn resend_auth_key(
        &self,
        flow_token: &SecretString,
        client: &ClientInfo,
    ) -> Result<KeySent, ResendAuthKeyError> {
        self.resend_key(flow_token, None, client).await
    }

    /// Another key in the flow of `flow_token`: an anonymous visitor's flow (`owner` `None`), or an address change
    /// of the account `owner` (R19), which is its actor in the audit trail. A flow of the other kind is not found.
    pub(super) async fn resend_key(
        &self,
        flow_token: &SecretString,
        owner: Option<AccountId>,
        client: &ClientInfo,
    ) -> Result<KeySent, ResendAuthKeyError> {
        let now = self.now();
        let token_digest = self.ports.digest.digest(DigestPurpose::FlowToken, flow_token);
        let mut tx = self.begin().await?;
        let mut flow = tx
            .flows()
            .by_token(&token_digest)
            .await?
            .filter(|f| match (f.purpose(), owner) {
                (FlowPurpose::ChangeEmail, Some(owner)) => f.target() == FlowTarget::Key { account: Some(owner) },
                (FlowPurpose::ChangeEmail, None) | (_, Some(_)) => false,
                (_, None) => true,
            })
            .ok_or(ResendAuthKeyError::FlowNotFound)?;
        match flow.state() {
            FlowState::Spent => return Err(ResendAuthKeyError::AlreadyUsed),
            FlowState::Dead(cause) => return Err(ResendAuthKeyError::FlowDead(cause)),
            FlowState::Open if now >= flow.expires_at() => {
                flow.kill(DeathCause::Expired);
                tx.flows().update(&flow).await?;
                tx.commit().await?;
                return Err(ResendAuthKeyError::FlowDead(DeathCause::Expired));
            }
            FlowState::Open => {}
        }
        if let Some(retry_after) = self.reserve_client_key_request(&mut tx, client, now).await? {
            return Err(ResendAuthKeyError::ClientLimited { retry_after });
        }
        let throttle = ThrottleKey::KeyRequests(flow.email().clone());
        if let Some(retry_after) =
            throttled(&mut tx, &throttle, self.config.key_requests_per_address_per_hour, Duration::hours(1), now)
                .await?
        {
            return Err(ResendAuthKeyError::TooManyRequests { retry_after });
        }
        let (key, mail) = self.issue_key(flow.purpose(), flow.target(), now);
        let expires_at = key.expires_at;
        flow.add_key(key, self.config.max_keys_per_flow).map_err(|e| match e {
            FlowStepError::KeyLimitReached => ResendAuthKeyError::KeyLimitReached,
            FlowStepError::Closed(_) => ResendAuthKeyError::AlreadyUsed,
        })?;
        tx.flows().update(&flow).await?;
        self.mail(&mut tx, flow.email(), mail).await?;
        let actor = owner.map_or(Actor::Anonymous, Actor::Employer);
        self.audit(&mut tx, actor, AuditAction::AuthKeyResent, format!("flow:{}", flow.id()), client).await?;
        tx.commit().await?;
        let used = u8::try_from(flow.keys().len()).unwrap_or(u8::MAX);
        Ok(KeySent {
            email: flow.email().clone(),
            expires_at,
            resends_left: self.config.max_keys_per_flow.saturating_sub(used),
        })
    }

    /// Takes one of the client's key requests in its window (R8), in the key request's own transaction and before
    /// the address's own limit, so that the refusal never depends on the address; when none is left, the time one
    /// reopens. Counted in the store, so that every instance on one database shares the count; the slot is kept
    /// only if the request commits. A request with no client address (not over TCP), or a limit of 0, is not
    /// limited here.
    ///
    /// The order of the throttle keys a key request reserves is fixed, the client's then the address's (see
    /// [`ThrottleRepository::reserve`](crate::ports::ThrottleRepository::reserve)), so that two requests never
    /// wait for each other's.
    pub(super) async fn reserve_client_key_request(
        &self,
        tx: &mut Box<dyn Transaction>,
        client: &ClientInfo,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, RepositoryError> {
        let (Some(ip), limit @ 1..) = (client.ip, self.config.key_requests_per_client) else { return Ok(None) };
        throttled(tx, &ThrottleKey::ClientKeyRequests(ip), limit, self.config.client_key_window, now).await
    }

    /// One key request: a key and its mail for an eligible flow, a notice for an existing account that does not
    /// fit, a withheld mail otherwise (R8). A key is drawn and digested in every case, and every case queues one
    /// mail carrying a secret of a key's size — the key, or that same unused key as a decoy whose digest no flow
    /// keeps — so that the three paths make the same port calls and the outbox seals the same amount.
    pub(super) fn issue_key(
        &self,
        purpose: FlowPurpose,
        target: FlowTarget,
        now: DateTime<Utc>,
    ) -> (IssuedKey, MailTemplate) {
        let key = self.ports.keys.auth_key();
        let digest = self.ports.digest.digest(DigestPurpose::AuthKey, key.canonical());
        let ttl = self.config.auth_key_ttl;
        match target {
            FlowTarget::Key { .. } => {
                let issued = AuthFlow::key_window(now, ttl, Some(digest));
                let mail = MailTemplate::AuthKey {
                    purpose,
                    key: key.for_mail(),
                    issued_at: issued.issued_at,
                    expires_at: issued.expires_at,
                };
                (issued, mail)
            }
            FlowTarget::Notice { status } => (
                AuthFlow::key_window(now, ttl, None),
                MailTemplate::AccountNotice { purpose, status, decoy: key.for_mail() },
            ),
            FlowTarget::Nothing => {
                (AuthFlow::key_window(now, ttl, None), MailTemplate::Withheld { purpose, decoy: key.for_mail() })
            }
        }
    }
}

pub(super) async fn load_current_terms(tx: &mut Box<dyn Transaction>) -> Result<Option<CurrentTerms>, RepositoryError> {
    let privacy = tx.terms().current(TermsKind::PrivacyPolicy).await?;
    let terms = tx.terms().current(TermsKind::MyPageTerms).await?;
    Ok(privacy.zip(terms).map(|(privacy_policy, mypage_terms)| CurrentTerms { privacy_policy, mypage_terms }))
}
