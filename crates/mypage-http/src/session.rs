//! Sessions, for browsers and API clients alike, kept through the domain's `SessionStore` port so that any instance
//! serves any request.
//!
//! A visitor who has nothing to keep yet has no stored session: the CSRF token of an anonymous page's form is a
//! random value also set in its own cookie (a double-submit token, `__Host-` bound over TLS), so that a flood of
//! page views writes nothing. A session is stored only when there is something to keep (consent, a flow, a login).
//!
//! [`Sessions`] is the one lifecycle: open, resume, renew, end, and the rule that a used session is touched at most
//! once a minute. A browser holds the id in a cookie ([`around`] loads and saves it), an API client as a bearer
//! token; the store holds only the id's keyed digest. The id is renewed at login (R13), the session ends when idle,
//! and a browser's session carries its CSRF token. A store that fails is a 503, never a logged-out answer, so that
//! nobody throws away a session that is still good.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use mypage_domain::model::{AccountId, ClientInfo, StaffId};
use mypage_domain::ports::{
    Clock, Digest, DigestPurpose, InfrastructureError, KeyDigest, KeyGenerator, Session, SessionStore, SessionSubject,
};
use poem::http::header;
use poem::{Endpoint, IntoResponse, Request, Response};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::problem::Problem;

mod data;

pub(crate) use data::{FlowRef, HeldForm, OWNER_FIELD, PendingStaff, SessionData};

/// The session service: every session, cookie or bearer token, is opened, resumed, renewed and ended here.
#[derive(Clone)]
pub(crate) struct Sessions {
    store: Arc<dyn SessionStore>,
    digest: Arc<dyn KeyDigest>,
    keys: Arc<dyn KeyGenerator>,
    clock: Arc<dyn Clock>,
    idle: Duration,
    lifetime: Duration,
    secure: bool,
}

/// What an API client's session holds instead of a browser's data: it marks the session as a bearer token's, which
/// no browser session's JSON ever equals.
const BEARER: &str = "bearer";

/// A live session found by its id.
pub(crate) struct Resumed {
    /// The session as stored.
    pub(crate) session: Session,
    /// It should be saved again to stay alive (R13: sessions expire when idle).
    pub(crate) touch: bool,
}

impl Sessions {
    pub(crate) fn new(
        store: Arc<dyn SessionStore>,
        digest: Arc<dyn KeyDigest>,
        keys: Arc<dyn KeyGenerator>,
        clock: Arc<dyn Clock>,
        idle: Duration,
        lifetime: Duration,
        secure: bool,
    ) -> Self {
        Self { store, digest, keys, clock, idle, lifetime, secure }
    }

    /// The time, for the limits that sit beside sessions.
    pub(crate) fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// A fresh random token (session ids and CSRF tokens).
    pub(crate) fn token(&self) -> SecretString {
        self.keys.token()
    }

    fn digest_of(&self, id: &SecretString) -> Digest {
        self.digest.digest(DigestPurpose::SessionId, id)
    }

    /// The live session of `id`, if any; `touch` says whether it is due to be saved again. A used session is
    /// touched at most once a minute, so that a page view or an API call is not a write each time.
    pub(crate) async fn resume(&self, id: &SecretString) -> Result<Option<Resumed>, InfrastructureError> {
        let now = self.clock.now();
        let Some(session) = self.store.load(&self.digest_of(id), now).await? else { return Ok(None) };
        let touch = session.idle_expires_at < now + self.idle - Duration::minutes(1);
        Ok(Some(Resumed { session, touch }))
    }

    /// The handle under which pages and the API name the session `id` (R19): never the id itself.
    pub(crate) fn handle_of(&self, id: &SecretString) -> String {
        let digest = self.digest_of(id);
        digest.as_hex().chars().take(mypage_domain::ports::SESSION_HANDLE_LEN).collect()
    }

    /// Opens a new session for `subject`, from `client`; returns its id, which only the client keeps.
    pub(crate) async fn open(
        &self,
        subject: SessionSubject,
        data: String,
        client: &ClientInfo,
    ) -> Result<SecretString, InfrastructureError> {
        let id = self.keys.token();
        self.save(&id, subject, data, self.clock.now(), client).await?;
        Ok(id)
    }

    /// The session `id` with its data, alive for another idle period (never past its lifetime from `created_at`),
    /// used now, opened by `client` (R19: ログイン中の端末).
    fn session(
        &self,
        id: &SecretString,
        subject: SessionSubject,
        data: String,
        created_at: DateTime<Utc>,
        client: &ClientInfo,
    ) -> Session {
        let now = self.clock.now();
        Session {
            id: self.digest_of(id),
            subject,
            data,
            created_at,
            expires_at: created_at + self.lifetime,
            idle_expires_at: now + self.idle,
            last_used_at: now,
            client: client.clone(),
        }
    }

    /// Saves a new session `id` (see [`Self::session`]).
    pub(crate) async fn save(
        &self,
        id: &SecretString,
        subject: SessionSubject,
        data: String,
        created_at: DateTime<Utc>,
        client: &ClientInfo,
    ) -> Result<(), InfrastructureError> {
        self.store.save(&self.session(id, subject, data, created_at, client)).await
    }

    /// Saves again a session a request used, only if it is still there: `false` when it was ended while the request
    /// ran (a logout elsewhere, a password change, a closing: R13, R19), which the request must not undo.
    pub(crate) async fn keep(
        &self,
        id: &SecretString,
        subject: SessionSubject,
        data: String,
        created_at: DateTime<Utc>,
        client: &ClientInfo,
    ) -> Result<bool, InfrastructureError> {
        self.store.update(&self.session(id, subject, data, created_at, client)).await
    }

    /// Renews a session at login (R13): the old id ends, a new one begins, so that an id planted before login is
    /// worthless after it.
    pub(crate) async fn renew(
        &self,
        old: Option<&SecretString>,
        subject: SessionSubject,
        data: String,
        client: &ClientInfo,
    ) -> Result<SecretString, InfrastructureError> {
        if let Some(old) = old {
            self.end(old).await?;
        }
        self.open(subject, data, client).await
    }

    /// Ends the session `id` (logout).
    pub(crate) async fn end(&self, id: &SecretString) -> Result<(), InfrastructureError> {
        self.store.delete(&self.digest_of(id)).await
    }

    /// Opens an API client's session (a bearer token) for `subject`, from `client`; returns the token.
    pub(crate) async fn open_bearer(
        &self,
        subject: SessionSubject,
        client: &ClientInfo,
    ) -> Result<SecretString, InfrastructureError> {
        self.open(subject, BEARER.to_owned(), client).await
    }

    /// The subject of a bearer token, touched when due; `None` when the token is no live API session. A browser's
    /// session id is not a bearer token: a stolen cookie does not open the API, nor a token the pages.
    pub(crate) async fn bearer(&self, token: &SecretString) -> Result<Option<SessionSubject>, InfrastructureError> {
        let Some(resumed) = self.resume(token).await? else { return Ok(None) };
        let Resumed { session, touch } = resumed;
        if session.data != BEARER {
            return Ok(None);
        }
        if touch && !self.keep(token, session.subject, session.data, session.created_at, &session.client).await? {
            // Ended since it was read: the token is no live session.
            return Ok(None);
        }
        Ok(Some(session.subject))
    }

    /// Whether the request carries a live staff member's session: its bearer token, or its browser cookie. Read
    /// before a large body is (see `security`), so that only staff can make the server hold one.
    pub(crate) async fn is_staff(&self, req: &Request) -> bool {
        let id = bearer_token(req).or_else(|| cookie_value(req, self.cookie_name()));
        let Some(id) = id.map(|id| SecretString::from(id.to_owned())) else { return false };
        matches!(
            self.resume(&id).await,
            Ok(Some(Resumed { session: Session { subject: SessionSubject::Staff(_), .. }, .. }))
        )
    }

    /// The cookie's name. `__Host-` binds it to this host and path `/` when served over TLS.
    pub(crate) fn cookie_name(&self) -> &'static str {
        if self.secure { "__Host-mypage" } else { "mypage" }
    }

    /// The anonymous CSRF cookie's name, bound the same way.
    fn csrf_cookie_name(&self) -> &'static str {
        if self.secure { "__Host-mypage-csrf" } else { "mypage-csrf" }
    }

    fn cookie(&self, name: &str, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
    }
}

/// The browser session of one request, shared between the middleware and the handler.
#[derive(Debug)]
pub(crate) struct SessionState {
    /// The cookie's id, when the browser sent a live one.
    id: Option<SecretString>,
    /// The client that opened the stored session, or this request's client for a new one (R19).
    opened_by: ClientInfo,
    /// This request's client: a renewed session is opened by it.
    current: ClientInfo,
    subject: SessionSubject,
    pub(crate) data: SessionData,
    created_at: DateTime<Utc>,
    /// A page shows a form to a visitor without a stored session: its token goes in the anonymous CSRF cookie.
    anonymous_form: bool,
    dirty: bool,
    renew: bool,
    end: bool,
}

impl SessionState {
    /// A visitor without a stored session; `csrf` is the anonymous CSRF cookie's token, when the browser sent one.
    fn fresh(sessions: &Sessions, csrf: Option<&str>, client: ClientInfo) -> Self {
        let csrf = csrf
            .filter(|t| t.len() >= 16 && t.len() <= 128 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
            .map_or_else(|| sessions.token().expose_secret().to_owned(), str::to_owned);
        Self {
            id: None,
            opened_by: client.clone(),
            current: client,
            subject: SessionSubject::Anonymous,
            data: SessionData { csrf, ..SessionData::default() },
            created_at: sessions.clock.now(),
            anonymous_form: false,
            dirty: false,
            renew: false,
            end: false,
        }
    }

    /// Keep what changed in `data`.
    pub(crate) fn changed(&mut self) {
        self.dirty = true;
    }

    /// The CSRF token for a form on the page being rendered. A visitor without a stored session gets it in the
    /// anonymous CSRF cookie too, so that it can be checked when the form comes back; nothing is stored for that.
    pub(crate) fn csrf(&mut self) -> String {
        if self.id.is_none() {
            self.anonymous_form = true;
        }
        self.data.csrf.clone()
    }

    /// Logs in (or out, with `Anonymous`): a new id, so that an id planted before login is worthless (R13).
    pub(crate) fn become_subject(&mut self, subject: SessionSubject) {
        self.subject = subject;
        self.data.flow = None;
        self.data.pending_staff = None;
        self.data.pending_consent = None;
        if !matches!(subject, SessionSubject::Employer(_)) {
            self.data.held = None;
        }
        self.renew = true;
        self.dirty = true;
    }

    /// A staff login waits for its second step (R21), under a new id: an id planted before the password is
    /// worthless for the code or the enrolment secret.
    pub(crate) fn pend_staff(&mut self, pending: PendingStaff) {
        self.data.pending_staff = Some(pending);
        self.renew = true;
        self.dirty = true;
    }

    /// An employer's login waits for the consent to newer terms (R1), under a new id: the session is the
    /// employer's, so that ending the account's sessions (a password change or reset, a closing: R17, R19) ends it
    /// too and the account's list of sessions shows it, but it opens nothing but the consent ([`Self::employer`] is
    /// `None`) until the employer agrees.
    pub(crate) fn pend_consent(&mut self, account: AccountId) {
        self.become_subject(SessionSubject::Employer(account));
        self.data.pending_consent = Some(account.to_string());
    }

    /// The employer whose login waits for the consent to newer terms (R1), if this session is one.
    pub(crate) fn pending_consent(&self) -> Option<AccountId> {
        match self.subject {
            SessionSubject::Employer(id) if self.data.pending_consent.as_deref() == Some(id.to_string().as_str()) => {
                Some(id)
            }
            _ => None,
        }
    }

    /// Ends the session (logout).
    pub(crate) fn end(&mut self) {
        self.end = true;
    }

    /// Goes on under a new id, as the same subject: after a password change every session of the account ended,
    /// and this browser alone stays logged in with a fresh one (R19).
    pub(crate) fn reopen(&mut self) {
        self.renew = true;
        self.dirty = true;
    }

    /// The handle of this browser's session (R19), when it has a stored one.
    pub(crate) fn handle(&self, sessions: &Sessions) -> Option<String> {
        self.id.as_ref().map(|id| sessions.handle_of(id))
    }

    /// When the session began; it ends a lifetime after this, however busy.
    pub(crate) fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }

    /// The logged-in employer, if any: not while its login waits for the consent to newer terms (R1).
    pub(crate) fn employer(&self) -> Option<AccountId> {
        match self.subject {
            SessionSubject::Employer(id) if self.data.pending_consent.is_none() => Some(id),
            _ => None,
        }
    }

    /// The logged-in staff member, if any.
    pub(crate) fn staff(&self) -> Option<StaffId> {
        match self.subject {
            SessionSubject::Staff(id) => Some(id),
            _ => None,
        }
    }
}

/// The handle handlers and extractors take from the request's data.
pub(crate) type SessionHandle = Arc<Mutex<SessionState>>;

/// The token of the request's `Authorization: Bearer …` header; the scheme's name in any case (RFC 9110, 11.1), as
/// the API's security scheme reads it.
pub(crate) fn bearer_token(req: &Request) -> Option<&str> {
    let value = req.header(header::AUTHORIZATION)?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

fn cookie_value<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        },
    )
}

impl Sessions {
    /// The browser's session of a request: its cookie's live session, or a fresh anonymous one.
    async fn load(&self, req: &Request) -> Result<SessionState, InfrastructureError> {
        let anonymous = cookie_value(req, self.csrf_cookie_name());
        let current = crate::app::client(req);
        let fresh = || SessionState::fresh(self, anonymous, current.clone());
        let Some(raw) = cookie_value(req, self.cookie_name()) else { return Ok(fresh()) };
        let id = SecretString::from(raw.to_owned());
        let Some(Resumed { session, touch }) = self.resume(&id).await? else { return Ok(fresh()) };
        // Data this adapter cannot read (written by another version) starts the session afresh.
        let Ok(data) = serde_json::from_str::<SessionData>(&session.data) else { return Ok(fresh()) };
        Ok(SessionState {
            id: Some(id),
            opened_by: session.client,
            current,
            subject: session.subject,
            data,
            created_at: session.created_at,
            anonymous_form: false,
            dirty: touch,
            renew: false,
            end: false,
        })
    }

    /// Writes what the handler changed and sets the cookie.
    async fn store_state(&self, state: &SessionState, response: &mut Response) -> Result<(), InfrastructureError> {
        if state.end {
            if let Some(id) = &state.id {
                self.end(id).await?;
            }
            self.set_cookie(response, self.cookie_name(), "", 0);
            return Ok(());
        }
        if !state.dirty {
            if state.id.is_none() && state.anonymous_form {
                self.set_cookie(response, self.csrf_cookie_name(), &state.data.csrf, self.idle.num_seconds());
            }
            return Ok(());
        }
        let mut data = state.data.clone();
        let id = match (&state.id, state.renew) {
            (Some(id), false) => {
                let data = serde_json::to_string(&data).map_err(InfrastructureError::new)?;
                if !self.keep(id, state.subject, data, state.created_at, &state.opened_by).await? {
                    // The session was ended while this request ran: it stays ended, and the browser forgets it.
                    self.set_cookie(response, self.cookie_name(), "", 0);
                    return Ok(());
                }
                SecretString::from(id.expose_secret().to_owned())
            }
            (old, _) => {
                if state.renew {
                    // A token seen before login (by whoever planted the session) is worthless after it.
                    data.csrf = self.token().expose_secret().to_owned();
                }
                let data = serde_json::to_string(&data).map_err(InfrastructureError::new)?;
                self.renew(old.as_ref(), state.subject, data, &state.current).await?
            }
        };
        self.set_cookie(response, self.cookie_name(), id.expose_secret(), self.idle.num_seconds());
        Ok(())
    }

    fn set_cookie(&self, response: &mut Response, name: &str, value: &str, max_age: i64) {
        if let Ok(v) = self.cookie(name, value, max_age).parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// Loads the browser's session before the handler and saves it after, setting the cookie when needed. A store
/// that cannot be read or written answers 503: the browser keeps its cookie and can try again.
pub(crate) async fn around<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let Some(sessions) = req.data::<Sessions>().cloned() else {
        return Ok(ep.call(req).await?.into_response());
    };
    let state = sessions.load(&req).await.map_err(|e| Problem::unavailable(&e))?;
    let handle: SessionHandle = Arc::new(Mutex::new(state));
    req.set_data(handle.clone());
    // What the handler changed is kept even when it answers with a problem: a flow that ended stays ended.
    let outcome = ep.call(req).await.map(IntoResponse::into_response);
    let mut response = match outcome {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    let state = handle.lock().await;
    sessions.store_state(&state, &mut response).await.map_err(|e| Problem::unavailable(&e))?;
    Ok(response)
}
