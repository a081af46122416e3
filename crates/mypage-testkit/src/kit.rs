//! [`TestKit`]: the domain assembled over the in-memory adapters, with helpers that set up offices, staff,
//! establishments and terms, and walk the common steps. The helpers panic on failure, as test code should.
#![expect(clippy::expect_used, reason = "set-up helpers fail the test at once with the reason")]

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use mypage_domain::model::{AccountId, ClientInfo, EstablishmentId, FlowPurpose, StaffId};
use mypage_domain::usecases::{AdminActor, CounterRegistration, KeyRequest, NewOffice, NewStaffMember, PasswordEntry};
use mypage_domain::values::{ConsentInput, StaffRole, TermsKind};
use mypage_domain::{DomainConfig, MyPage, Ports};
use secrecy::SecretString;

use crate::{
    DeterministicKeys, FakeSecondFactor, FastHasher, ManualClock, MemoryStore, PlainDigest, SequentialNumbers,
};

/// The password the helpers use for staff and employers; valid under both the office and the nist profile (R5).
pub const TEST_PASSWORD: &str = "Kyujin#Madoguchi2026";

/// The domain over in-memory adapters, and handles on the fakes to steer and inspect them.
#[derive(Clone)]
pub struct TestKit {
    /// The use cases.
    pub mypage: MyPage,
    /// The store, to inspect tables and the outbox.
    pub store: MemoryStore,
    /// The clock, to move time.
    pub clock: ManualClock,
    /// The hasher, to count verifications.
    pub hasher: Arc<FastHasher>,
}

impl Default for TestKit {
    fn default() -> Self {
        Self::new()
    }
}

impl TestKit {
    /// A kit with the default configuration.
    #[must_use]
    pub fn new() -> Self {
        Self::with_config(DomainConfig::default())
    }

    /// A kit with `config`.
    #[must_use]
    pub fn with_config(config: DomainConfig) -> Self {
        let store = MemoryStore::new();
        let clock = ManualClock::monday_morning();
        let hasher = Arc::new(FastHasher::new());
        let ports = Ports {
            store: Arc::new(store.clone()),
            clock: Arc::new(clock.clone()),
            keys: Arc::new(DeterministicKeys::new(7)),
            digest: Arc::new(PlainDigest),
            hasher: hasher.clone(),
            numbers: Arc::new(SequentialNumbers::default()),
            outbox: Arc::new(store.clone()),
            sessions: Arc::new(store.clone()),
            second_factor: Arc::new(FakeSecondFactor::default()),
        };
        Self { mypage: MyPage::new(ports, config), store, clock, hasher }
    }

    /// A client at 192.0.2.1 (a documentation address).
    #[must_use]
    pub fn client() -> ClientInfo {
        ClientInfo::from_ip(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)))
    }

    /// Publishes a first version of the privacy policy and the My Page terms.
    pub async fn publish_terms(&self) {
        for kind in TermsKind::ALL {
            self.mypage
                .publish_terms(AdminActor::System, kind, "（本文）", &ClientInfo::system())
                .await
                .expect("publish terms");
        }
    }

    /// Publishes the next version of one document: an employer who agreed to the one before agrees to it at the next
    /// login (R1).
    pub async fn revise_terms(&self, kind: TermsKind) {
        self.mypage
            .publish_terms(AdminActor::System, kind, "（改定後の本文）", &ClientInfo::system())
            .await
            .expect("publish terms");
    }

    /// Both boxes ticked for the versions in force (R1).
    pub async fn consent(&self) -> ConsentInput {
        let current = self.mypage.current_terms().await.expect("read terms").expect("terms are published");
        ConsentInput {
            privacy_policy_agreed: true,
            mypage_terms_agreed: true,
            privacy_policy_version: current.privacy_policy.version,
            mypage_terms_version: current.mypage_terms.version,
        }
    }

    /// Adds an office.
    pub async fn office(&self, code: &str, name: &str) {
        let office = NewOffice { code: code.into(), name: name.into(), phone: Some("03-0000-0000".into()) };
        self.mypage.add_office(AdminActor::System, &office, &ClientInfo::system()).await.expect("add office");
    }

    /// Adds an establishment the office already knows (its office must exist).
    pub async fn establishment(&self, number: &str, name: &str) -> EstablishmentId {
        self.mypage
            .import_establishment(AdminActor::System, number, name, &ClientInfo::system())
            .await
            .expect("import establishment")
    }

    /// Adds a staff member with [`TEST_PASSWORD`].
    pub async fn staff(&self, office: &str, login: &str, roles: &[StaffRole]) -> StaffId {
        let member = NewStaffMember {
            office: office.into(),
            login: login.into(),
            name: format!("職員 {login}"),
            roles: roles.to_vec(),
            password: SecretString::from(TEST_PASSWORD),
        };
        self.mypage.add_staff(AdminActor::System, &member, &ClientInfo::system()).await.expect("add staff")
    }

    /// Requests a key for `purpose`, with consent where needed; returns the flow token.
    pub async fn request_key(&self, purpose: FlowPurpose, email: &str) -> SecretString {
        let consent = if purpose.needs_consent() { Some(self.consent().await) } else { None };
        let request = KeyRequest { purpose, email: email.into(), consent };
        self.mypage.request_auth_key(&request, &Self::client()).await.expect("request auth key").flow_token
    }

    /// The password entry for a flow, with the newest key mailed to `email` and [`TEST_PASSWORD`].
    pub async fn entry(&self, flow_token: SecretString, email: &str) -> PasswordEntry {
        let key = self.store.last_auth_key_to(email).await.expect("a key mail was sent");
        PasswordEntry {
            flow_token,
            auth_key: SecretString::from(key),
            password: SecretString::from(TEST_PASSWORD),
            confirmation: SecretString::from(TEST_PASSWORD),
        }
    }

    /// Opens an account as case A does: `counter` (a member with the counter role) registers `email` for the
    /// establishment, and the employer agrees to the terms, reads the key and sets [`TEST_PASSWORD`]. The account is
    /// Active for that establishment, ready for its job offers (R20) and its care (R19).
    pub async fn open_at_counter(&self, counter: StaffId, email: &str, establishment_number: &str) -> AccountId {
        let registration =
            CounterRegistration { email: email.into(), establishment_number: establishment_number.into() };
        self.mypage.register_email_at_counter(counter, &registration, &Self::client()).await.expect("counter");
        let token = self.request_key(FlowPurpose::OpenMyPage, email).await;
        let entry = self.entry(token, email).await;
        self.mypage.register_password(&entry, &Self::client()).await.expect("register password").account
    }

    /// Signs up online (cases B and C, steps 1–2): a Provisional account with [`TEST_PASSWORD`].
    pub async fn sign_up(&self, email: &str) -> AccountId {
        let token = self.request_key(FlowPurpose::SignUp, email).await;
        let entry = self.entry(token, email).await;
        self.mypage.register_password(&entry, &Self::client()).await.expect("register password").account
    }
}
