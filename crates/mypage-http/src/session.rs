//! Browser sessions, kept through the domain's `SessionStore` port so that any instance serves any request.
//!
//! The cookie holds a random id; the store holds only its keyed digest. The id is renewed at login (R13), the
//! session ends when idle, and every form carries the session's CSRF token.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use mypage_domain::model::{AccountId, StaffId};
use mypage_domain::ports::{Clock, DigestPurpose, KeyDigest, KeyGenerator, Session, SessionStore, SessionSubject};
use poem::http::header;
use poem::{Endpoint, IntoResponse, Request, Response};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// The cookie's name. `__Host-` binds it to this host and path `/` when served over TLS.
pub(crate) fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-mypage" } else { "mypage" }
}

/// A flow started in this browser (R4): its token never leaves the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FlowRef {
    pub(crate) token: String,
    pub(crate) purpose: String,
    pub(crate) email: String,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) resends_left: u8,
}

/// What a session remembers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SessionData {
    pub(crate) csrf: String,
    pub(crate) consent: Option<(u32, u32)>,
    pub(crate) flow: Option<FlowRef>,
    pub(crate) notice: Option<String>,
}

/// The session of one request, shared between the middleware and the handler.
#[derive(Debug)]
pub(crate) struct SessionState {
    /// The cookie's id, when the browser sent a live one.
    id: Option<SecretString>,
    pub(crate) subject: SessionSubject,
    pub(crate) data: SessionData,
    created_at: DateTime<Utc>,
    dirty: bool,
    renew: bool,
    end: bool,
}

impl SessionState {
    pub(crate) fn changed(&mut self) {
        self.dirty = true;
    }

    /// The CSRF token for a form on the page being rendered. A new session is kept from here on, so that the token
    /// is there when the form comes back; a page without a form creates no session.
    pub(crate) fn csrf(&mut self) -> String {
        if self.id.is_none() {
            self.dirty = true;
        }
        self.data.csrf.clone()
    }

    /// Logs in (or out, with `Anonymous`): a new id, so that an id planted before login is worthless (R13).
    pub(crate) fn become_subject(&mut self, subject: SessionSubject) {
        self.subject = subject;
        self.data.flow = None;
        self.renew = true;
        self.dirty = true;
    }

    /// Ends the session (logout).
    pub(crate) fn end(&mut self) {
        self.end = true;
    }

    pub(crate) fn employer(&self) -> Option<AccountId> {
        match self.subject {
            SessionSubject::Employer(id) => Some(id),
            _ => None,
        }
    }

    pub(crate) fn staff(&self) -> Option<StaffId> {
        match self.subject {
            SessionSubject::Staff(id) => Some(id),
            _ => None,
        }
    }
}

/// The handle handlers take from the request's data.
pub(crate) type SessionHandle = Arc<Mutex<SessionState>>;

/// What the session middleware needs.
#[derive(Clone)]
pub(crate) struct SessionPorts {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) digest: Arc<dyn KeyDigest>,
    pub(crate) keys: Arc<dyn KeyGenerator>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) idle: Duration,
    pub(crate) lifetime: Duration,
    pub(crate) secure: bool,
}

fn cookie_value<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        },
    )
}

impl SessionPorts {
    async fn load(&self, req: &Request) -> SessionState {
        let now = self.clock.now();
        let fresh = |keys: &dyn KeyGenerator| SessionState {
            id: None,
            subject: SessionSubject::Anonymous,
            data: SessionData { csrf: keys.token().expose_secret().to_owned(), ..SessionData::default() },
            created_at: now,
            dirty: false,
            renew: false,
            end: false,
        };
        let Some(raw) = cookie_value(req, cookie_name(self.secure)) else { return fresh(self.keys.as_ref()) };
        let id = SecretString::from(raw.to_owned());
        let digest = self.digest.digest(DigestPurpose::SessionId, &id);
        match self.store.load(&digest, now).await {
            Ok(Some(session)) => match serde_json::from_str::<SessionData>(&session.data) {
                Ok(data) => SessionState {
                    id: Some(id),
                    subject: session.subject,
                    data,
                    created_at: session.created_at,
                    // Touch the session so that it stays alive while used (R13: expires when idle), at most once a
                    // minute, so that a page view is not a write.
                    dirty: session.idle_expires_at < now + self.idle - Duration::minutes(1),
                    renew: false,
                    end: false,
                },
                Err(_) => fresh(self.keys.as_ref()),
            },
            Ok(None) => fresh(self.keys.as_ref()),
            Err(e) => {
                tracing::error!(error = %e, "the session store failed; serving without a session");
                fresh(self.keys.as_ref())
            }
        }
    }

    fn cookie(&self, value: &str, max_age: i64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}", cookie_name(self.secure))
    }

    async fn save(&self, state: &SessionState, response: &mut Response) {
        let now = self.clock.now();
        if state.end {
            if let Some(id) = &state.id {
                let _ = self.store.delete(&self.digest.digest(DigestPurpose::SessionId, id)).await;
            }
            if let Ok(v) = self.cookie("", 0).parse() {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            return;
        }
        if !state.dirty {
            return;
        }
        let (id, created_at) = match (&state.id, state.renew) {
            (Some(id), false) => (SecretString::from(id.expose_secret().to_owned()), state.created_at),
            (old, _) => {
                if let Some(old) = old {
                    let _ = self.store.delete(&self.digest.digest(DigestPurpose::SessionId, old)).await;
                }
                (self.keys.token(), now)
            }
        };
        let mut data = state.data.clone();
        if state.renew {
            // A token seen before login (by whoever planted the session) is worthless after it.
            data.csrf = self.keys.token().expose_secret().to_owned();
        }
        let session = Session {
            id: self.digest.digest(DigestPurpose::SessionId, &id),
            subject: state.subject,
            data: serde_json::to_string(&data).unwrap_or_default(),
            created_at,
            expires_at: created_at + self.lifetime,
            idle_expires_at: now + self.idle,
        };
        if let Err(e) = self.store.save(&session).await {
            tracing::error!(error = %e, "the session could not be saved");
            return;
        }
        if let Ok(v) = self.cookie(id.expose_secret(), self.idle.num_seconds()).parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
}

/// Loads the session before the handler and saves it after, setting the cookie when needed.
pub(crate) async fn around<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let Some(ports) = req.data::<SessionPorts>().cloned() else {
        return Ok(ep.call(req).await?.into_response());
    };
    let handle: SessionHandle = Arc::new(Mutex::new(ports.load(&req).await));
    req.set_data(handle.clone());
    let mut response = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let state = handle.lock().await;
    ports.save(&state, &mut response).await;
    Ok(response)
}
