//! Login sessions (R4, R13), kept in a store shared by every instance.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Digest, InfrastructureError};
use crate::model::{AccountId, ClientInfo, StaffId};

/// Who a login session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSubject {
    /// Not logged in: a visitor in the middle of a flow (R4).
    Anonymous,
    /// A logged-in employer.
    Employer(AccountId),
    /// A logged-in staff member.
    Staff(StaffId),
}

/// A browser session, kept in the store so that any instance serves any request (R4, R13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The keyed digest of the session id; the id itself lives only in the cookie.
    pub id: Digest,
    /// Who it belongs to.
    pub subject: SessionSubject,
    /// The adapter's own data (flow token, CSRF token, form drafts), opaque to the store.
    pub data: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it ends whatever happens.
    pub expires_at: DateTime<Utc>,
    /// When it ends unless used before (R13: sessions expire when idle).
    pub idle_expires_at: DateTime<Utc>,
    /// When it was last used: the adapter sets it whenever it extends the idle deadline (R19: ログイン中の端末).
    pub last_used_at: DateTime<Utc>,
    /// The client that opened it: its address and shortened User-Agent, as the audit trail holds them (R19).
    pub client: ClientInfo,
}

impl Session {
    /// The name under which a page or the API shows this session: the first 16 hex digits of its stored digest.
    /// The digest is a keyed hash of the id, so the handle reveals nothing of the cookie, yet it is unique enough
    /// among one subject's few sessions (R19).
    #[must_use]
    pub fn handle(&self) -> String {
        self.id.as_hex().chars().take(SESSION_HANDLE_LEN).collect()
    }
}

/// How many hex digits of a session's digest name it ([`Session::handle`]).
pub const SESSION_HANDLE_LEN: usize = 16;

/// Login sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session (or replaces one with the same id).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn save(&self, session: &Session) -> Result<(), InfrastructureError>;
    /// Stores again a session that is still there (its data, idle expiry and last use, after a request used it);
    /// answers `false` and stores nothing when it was ended meanwhile (a logout in another tab, a password change or
    /// a closing elsewhere, R13, R19), so that a request in flight never brings an ended session back.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn update(&self, session: &Session) -> Result<bool, InfrastructureError>;
    /// The session with this id, unless it has expired or gone idle at `now`.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError>;
    /// Ends a session (logout, or renewal of the id at login).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError>;
    /// Ends every session of `subject` (a password reset or change, a member whose access is stopped: R17, R19,
    /// R14); returns how many. A session of another subject MUST stay. `Anonymous` ends nothing.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError>;
    /// The live sessions of `subject` at `now` (neither expired nor idle), newest first (R19). `Anonymous` has none.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn for_subject(
        &self,
        subject: SessionSubject,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, InfrastructureError>;
    /// Ends the session with this digest if it belongs to `subject`; answers whether one ended. A session of another
    /// subject MUST stay, so that naming someone else's session does nothing (R19).
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn end(&self, subject: SessionSubject, id: &Digest) -> Result<bool, InfrastructureError>;
    /// Removes the sessions expired or idle at `now`; returns how many.
    ///
    /// # Errors
    /// `Infrastructure` only.
    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError>;
}
