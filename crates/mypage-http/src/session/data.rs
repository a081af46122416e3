//! What a browser's session remembers between requests: its CSRF token, the consent and flow of an entrance (R1,
//! R4), a notice for the next page, the pending second step of a login (R1, R21) and a form held across a login.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A flow started in this browser (R4): its token never leaves the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct FlowRef {
    pub(crate) token: String,
    pub(crate) purpose: String,
    pub(crate) email: String,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) resends_left: u8,
}

/// What a browser's session remembers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct SessionData {
    pub(crate) csrf: String,
    pub(crate) consent: Option<(u32, u32)>,
    pub(crate) flow: Option<FlowRef>,
    pub(crate) notice: Option<String>,
    /// A staff member whose password was right, waiting for the second step (R21).
    #[serde(default)]
    pub(crate) pending_staff: Option<PendingStaff>,
    /// A long form sent after the employer's session had ended, shown again after the next employer login (R13).
    #[serde(default)]
    pub(crate) held: Option<HeldForm>,
    /// An employer whose password was right, who agrees to newer terms before any employer session opens (R1).
    #[serde(default)]
    pub(crate) pending_consent: Option<String>,
}

/// A form sent after the session it belonged to had ended: where it was sent and its fields (the CSRF token left
/// out). It is only shown again, in its form, to the employer who logs in next in this browser; nothing is saved
/// until that employer sends it again from the page, with this session's token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct HeldForm {
    pub(crate) path: String,
    pub(crate) fields: Vec<(String, String)>,
    /// The account the page was shown to (its `owner` field): the form is shown again only if that employer is the
    /// one who logs in next, so that a shared computer shows nobody another's form and nobody can plant one.
    #[serde(default)]
    pub(crate) owner: String,
}

/// The hidden field of a long form that names the account it was shown to.
pub(crate) const OWNER_FIELD: &str = "owner";

/// The second step a staff login waits for (R21), with the member's id: a code, or enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum PendingStaff {
    /// The member gives a code or a recovery code.
    Code(String),
    /// The member enrols before any staff session opens.
    Enrol(String),
}
