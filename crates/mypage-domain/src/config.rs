//! The domain's settings, and the office's help desk that every adapter shows. The app fills them; the domain never
//! reads the environment.

use chrono::Duration;

use crate::values::{PasswordPolicy, StaffRole};

/// Limits and lifetimes of the rules (R3, R5, R10, R13, R20).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainConfig {
    /// How long a key works after it is mailed (R3). The seeds say 30 and 50 minutes; 30 is the default.
    pub auth_key_ttl: Duration,
    /// Keys one flow may request, the first included (R3).
    pub max_keys_per_flow: u8,
    /// Wrong keys that kill a flow (R3).
    pub max_wrong_keys: u8,
    /// Key requests (new flows and resends) an address may receive in an hour (R3).
    pub key_requests_per_address_per_hour: u32,
    /// Key requests (new flows, resends and address changes) one client may make in `client_key_window`, whatever
    /// the addresses, so that a script cannot mail keys to a list of addresses (R8); 0 turns this limit off. The
    /// count is kept in the store, so that every instance on one database shares it. An IPv6 client counts as its
    /// /64 network.
    pub key_requests_per_client: u32,
    /// The sliding window of `key_requests_per_client`.
    pub client_key_window: Duration,
    /// The password rule (R5).
    pub password_policy: PasswordPolicy,
    /// How long an unsubmitted draft lives after its last save (R10).
    pub draft_ttl: Duration,
    /// The login throttle's sliding window (R13).
    pub login_window: Duration,
    /// Failed logins of one account in the window before it is throttled (R13).
    pub login_failures_per_account: u32,
    /// Failed logins from one client in the window before it is throttled (R13).
    pub login_failures_per_client: u32,
    /// The roles whose holders log in with a second factor (R21): reviewers and both admins by default.
    pub staff_second_factor: Vec<StaffRole>,
    /// The shortest time between two digests of an office's waiting submissions (R20): submissions that arrive
    /// sooner wait for the next digest. 60 minutes by default.
    pub digest_interval: Duration,
}

impl DomainConfig {
    /// Whether a member holding `roles` logs in with a second factor (R21).
    #[must_use]
    pub fn requires_second_factor(&self, roles: &[StaffRole]) -> bool {
        roles.iter().any(|r| self.staff_second_factor.contains(r))
    }
}

impl Default for DomainConfig {
    fn default() -> Self {
        Self {
            auth_key_ttl: Duration::minutes(30),
            max_keys_per_flow: 3,
            max_wrong_keys: 5,
            key_requests_per_address_per_hour: 5,
            key_requests_per_client: 30,
            client_key_window: Duration::hours(1),
            password_policy: PasswordPolicy::Office,
            draft_ttl: Duration::days(14),
            login_window: Duration::minutes(15),
            login_failures_per_account: 5,
            login_failures_per_client: 30,
            staff_second_factor: vec![StaffRole::Reviewer, StaffRole::OfficeAdmin, StaffRole::CentralAdmin],
            digest_interval: Duration::minutes(60),
        }
    }
}

/// The office's help desk, which every page footer and every mail shows (seed 002, 「操作方法に関するお問い合わせ」).
/// It is configuration, not code: an office sets its own, and the adapters only lay it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpDesk {
    /// Who answers (ハローワークインターネットサービス ヘルプデスク).
    pub name: String,
    /// The phone number, as printed.
    pub phone: String,
    /// When the phone is answered, as printed.
    pub hours: String,
    /// A note under the phone (the ナビダイヤル's call charge); `None` for no note.
    pub phone_note: Option<String>,
    /// The help desk's e-mail address, as printed; `None` when it takes no mail.
    pub email: Option<String>,
}

impl Default for HelpDesk {
    /// The help desk of the Hello Work Internet Service, as seed 002 gives it.
    fn default() -> Self {
        Self {
            name: "ハローワークインターネットサービス ヘルプデスク".into(),
            phone: "0570-077450".into(),
            hours: "月曜～金曜 9:30～18:00（年末年始、祝日除く）".into(),
            phone_note: Some(
                "※ナビダイヤルのため、通話料がかかります。※ご利用の電話回線によっては、接続できない場合があります。"
                    .into(),
            ),
            email: Some("helpdesk@hd.hellowork.mhlw.go.jp".into()),
        }
    }
}
