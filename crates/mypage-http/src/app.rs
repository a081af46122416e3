//! What every handler shares: the use cases, the settings the app passes in, the ports beside the use cases, and
//! who the client of a request is.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use chrono::Duration;
use mypage_domain::model::{ClientInfo, Office};
use mypage_domain::ports::{Clock, KeyDigest, KeyGenerator, SessionStore};
use mypage_domain::{HelpDesk, MyPage};
use poem::Request;
use poem::http::header;

use crate::limits::ClientLimiter;
use crate::problem::Problem;

/// What the pages say and how sessions behave; the app fills it from its configuration.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Set the cookie's `Secure` flag and `__Host-` prefix: on whenever the site is served over TLS.
    pub secure_cookies: bool,
    /// The help desk, shown in every footer and on the help page.
    pub help_desk: HelpDesk,
    /// The system address mails come from, which pages tell employers to allow (R7).
    pub system_address: String,
    /// A session ends after this long without a request (R13).
    pub session_idle: Duration,
    /// A session ends after this long whatever happens.
    pub session_lifetime: Duration,
    /// The site is reached only through one reverse proxy, which appends the client's address to
    /// `X-Forwarded-For`: take the client from there (the last address), not from the connection.
    pub behind_proxy: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            help_desk: HelpDesk::default(),
            system_address: "system@mail.hellowork.mhlw.go.jp".into(),
            session_idle: Duration::minutes(30),
            session_lifetime: Duration::hours(8),
            behind_proxy: false,
        }
    }
}

/// The ports the web adapter needs beside the use cases.
#[derive(Clone)]
pub struct HttpPorts {
    /// Where sessions live.
    pub sessions: Arc<dyn SessionStore>,
    /// Digests of session ids.
    pub digest: Arc<dyn KeyDigest>,
    /// Session ids and CSRF tokens.
    pub keys: Arc<dyn KeyGenerator>,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// Everything a handler needs beside its session.
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) mypage: MyPage,
    pub(crate) config: Arc<HttpConfig>,
    /// The per-client limit on forms held across a login: each is stored in a new anonymous session, so a
    /// script posting forms with a same-origin header cannot fill the session store.
    pub(crate) held_forms: Arc<ClientLimiter>,
    /// The time, for what a page says about lifetimes (a key's, a session's).
    pub(crate) clock: Arc<dyn Clock>,
}

impl App {
    /// Every office, for the choices of a form; a failed read is the request's failure, never an empty list.
    pub(crate) async fn offices(&self) -> Result<Vec<Office>, Problem> {
        self.mypage.offices().await.map_err(|e| Problem::unavailable(&e))
    }

    /// The time now.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// The client of a request, for the audit trail and the throttles (R13, R15). Behind the one trusted proxy, the
/// last address of `X-Forwarded-For` is the one the proxy saw; earlier ones are the client's own claims.
pub(crate) fn client(req: &Request) -> ClientInfo {
    let forwarded = req
        .data::<App>()
        .filter(|app| app.config.behind_proxy)
        .and_then(|_| req.header("x-forwarded-for"))
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    let ip: Option<IpAddr> = forwarded.or_else(|| req.remote_addr().as_socket_addr().map(SocketAddr::ip));
    let user_agent = req.header(header::USER_AGENT).map(|ua| ua.chars().take(200).collect());
    ClientInfo { ip, user_agent }
}
