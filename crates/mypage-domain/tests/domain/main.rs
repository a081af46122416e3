//! Black-box tests of the domain through its use cases, over the in-memory adapters of `mypage-testkit`.
//! Each rule's tests name it (`r3_…`); each case has one test that walks it end to end (`case_a_…`).
#![expect(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail the test at once")]

mod account_care;
mod admin;
mod auth_key;
mod cases;
mod client_limit;
mod consent;
mod console;
mod corrections;
mod counter;
mod digest;
mod job_offers;
mod login;
mod maintenance;
mod model;
mod password;
mod properties;
mod register;
mod registration;
mod review;
mod reviewing;
mod second_factor;
mod sessions;
mod shedding;
mod unit_of_work;

use mypage_domain::DomainConfig;
use mypage_domain::model::{AccountId, ClientInfo, FlowPurpose, StaffId};
use mypage_domain::usecases::{HistoryInput, KeyRequest, KeyRequested, PasswordEntry, RequestAuthKeyError};
use mypage_domain::values::StaffRole;
use mypage_testkit::{TEST_PASSWORD, TestKit, fixtures};
use secrecy::SecretString;

/// An establishment the office knows, under office 1301.
pub const EXISTING: &str = "1301-123456-7";
/// An establishment of office 2701.
pub const OSAKA: &str = "2701-654321-0";

/// A kit with terms, two offices, two establishments and staff in both offices.
pub struct World {
    /// The kit.
    pub kit: TestKit,
    /// Counter role at 1301.
    pub counter: StaffId,
    /// Reviewer role at 1301.
    pub reviewer: StaffId,
    /// Reviewer role at 2701.
    pub osaka_reviewer: StaffId,
    /// Central admin role, a member of 1301: acts across offices (R14).
    pub admin: StaffId,
    /// Office admin role at 1301: its own office's staff only (R14).
    pub office_admin: StaffId,
}

/// A world with the default configuration.
pub async fn world() -> World {
    world_with(DomainConfig::default()).await
}

/// A world with `config`.
pub async fn world_with(config: DomainConfig) -> World {
    let kit = TestKit::with_config(config);
    kit.publish_terms().await;
    kit.office("1301", "ハローワーク飯田橋").await;
    kit.office("2701", "ハローワーク大阪東").await;
    kit.establishment(EXISTING, "株式会社ハローテスト").await;
    kit.establishment(OSAKA, "大阪テスト株式会社").await;
    let counter = kit.staff("1301", "iidabashi.counter", &[StaffRole::Counter]).await;
    let reviewer = kit.staff("1301", "iidabashi.reviewer", &[StaffRole::Reviewer]).await;
    let osaka_reviewer = kit.staff("2701", "osaka.reviewer", &[StaffRole::Reviewer]).await;
    let admin = kit.staff("1301", "central.admin", &[StaffRole::CentralAdmin]).await;
    let office_admin = kit.staff("1301", "iidabashi.admin", &[StaffRole::OfficeAdmin]).await;
    World { kit, counter, reviewer, osaka_reviewer, admin, office_admin }
}

/// The client every request comes from.
pub fn client() -> ClientInfo {
    TestKit::client()
}

/// A secret string.
pub fn secret(s: &str) -> SecretString {
    SecretString::from(s)
}

impl World {
    /// Requests a key, with consent where the purpose needs it.
    pub async fn request(&self, purpose: FlowPurpose, email: &str) -> Result<KeyRequested, RequestAuthKeyError> {
        let consent = if purpose.needs_consent() { Some(self.kit.consent().await) } else { None };
        self.kit.mypage.request_auth_key(&KeyRequest { purpose, email: email.into(), consent }, &client()).await
    }

    /// A password entry for `token` with an explicit key and the test password.
    pub fn entry(token: &SecretString, key: &str) -> PasswordEntry {
        PasswordEntry {
            flow_token: secret(secrecy::ExposeSecret::expose_secret(token)),
            auth_key: secret(key),
            password: secret(TEST_PASSWORD),
            confirmation: secret(TEST_PASSWORD),
        }
    }

    /// The newest key mailed to `email`.
    pub async fn last_key(&self, email: &str) -> String {
        self.kit.store.last_auth_key_to(email).await.expect("a key mail")
    }

    /// Case A up to an Active account.
    pub async fn active_account(&self, email: &str) -> AccountId {
        let registration =
            mypage_domain::usecases::CounterRegistration { email: email.into(), establishment_number: EXISTING.into() };
        self.kit.mypage.register_email_at_counter(self.counter, &registration, &client()).await.unwrap();
        let requested = self.request(FlowPurpose::OpenMyPage, email).await.unwrap();
        let key = self.last_key(email).await;
        self.kit.mypage.register_password(&Self::entry(&requested.flow_token, &key), &client()).await.unwrap().account
    }

    /// A Provisional account with a submitted case C registration; returns the account.
    pub async fn submitted_first_timer(&self, email: &str, office: &str) -> AccountId {
        let account = self.kit.sign_up(email).await;
        let m = &self.kit.mypage;
        m.declare_history(account, &HistoryInput::FirstTime { office: office.into() }, &client()).await.unwrap();
        m.save_establishment_info(account, &fixtures::establishment_info(), &client()).await.unwrap();
        m.save_job_offer(account, &fixtures::job_offer(), &client()).await.unwrap();
        m.submit_registration(account, &client()).await.unwrap();
        account
    }

    /// The id of the account's latest registration.
    pub async fn registration_of(&self, account: AccountId) -> mypage_domain::model::RegistrationId {
        self.kit.mypage.overview(account).await.unwrap().registration.expect("a registration").id()
    }
}
