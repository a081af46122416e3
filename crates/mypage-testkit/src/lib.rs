//! # Employer My Page — test kit
//!
//! In-memory implementations of every port of `mypage-domain`, so that the domain (and an embedding service's
//! use of it) can be tested without a database, a mail server or a slow hasher:
//!
//! - [`MemoryStore`]: the repositories and the unit of work, with unique constraints, optimistic versions,
//!   rollback of anything not committed, a recording outbox, commits that can be told to fail and injected
//!   conflicts that imitate a concurrent writer ([`Fault`]);
//! - [`ManualClock`], [`DeterministicKeys`], [`FastHasher`], [`PlainDigest`], [`SequentialNumbers`],
//!   [`FakeSecondFactor`];
//! - [`RecordingStore`], which wraps a store and records each port call, to show that a use case does the same
//!   work whatever the data (R8);
//! - [`TestKit`], which assembles them with the domain and has set-up helpers, and [`fixtures`] with valid forms.
//!
//! The contract suite in `mypage-db` runs the same tests against these adapters and the real databases, so a test
//! that passes here means the same on SQLite and PostgreSQL.
//!
//! ## Unit-testing case A
//!
//! Staff register the employer's e-mail at the counter; the employer agrees to the terms, enters the address,
//! reads the key from the mail and sets a password; the account is then Active and can log in.
//!
//! ```
//! use mypage_domain::model::{AccountStatus, FlowPurpose};
//! use mypage_domain::usecases::{CounterRegistration, KeyRequest, PasswordEntry};
//! use mypage_domain::values::StaffRole;
//! use mypage_testkit::{TestKit, TEST_PASSWORD};
//! use secrecy::SecretString;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let kit = TestKit::new();
//! kit.publish_terms().await;
//! kit.office("1301", "ハローワーク飯田橋").await;
//! kit.establishment("1301-123456-7", "株式会社ハローテスト").await;
//! let counter = kit.staff("1301", "iidabashi.counter", &[StaffRole::Counter]).await;
//!
//! // R12: the e-mail is registered at the counter.
//! let registration = CounterRegistration {
//!     email: "saiyou@example.jp".into(),
//!     establishment_number: "1301-123456-7".into(),
//! };
//! kit.mypage.register_email_at_counter(counter, &registration, &TestKit::client()).await.unwrap();
//!
//! // R1, R3: terms agreed, address entered, a key mailed.
//! let request = KeyRequest {
//!     purpose: FlowPurpose::OpenMyPage,
//!     email: "saiyou@example.jp".into(),
//!     consent: Some(kit.consent().await),
//! };
//! let requested = kit.mypage.request_auth_key(&request, &TestKit::client()).await.unwrap();
//! let key = kit.store.last_auth_key_to("saiyou@example.jp").await.expect("the key mail");
//!
//! // R4, R5, R6: in the same browser session (the flow token), the key and a new password.
//! let entry = PasswordEntry {
//!     flow_token: requested.flow_token,
//!     auth_key: SecretString::from(key.to_lowercase()), // typed in lower case: still accepted
//!     password: SecretString::from(TEST_PASSWORD),
//!     confirmation: SecretString::from(TEST_PASSWORD),
//! };
//! let done = kit.mypage.register_password(&entry, &TestKit::client()).await.unwrap();
//! assert_eq!(done.status, AccountStatus::Active);
//!
//! // R13: the employer logs in.
//! let login = kit
//!     .mypage
//!     .login("saiyou@example.jp", &SecretString::from(TEST_PASSWORD), &TestKit::client())
//!     .await
//!     .unwrap();
//! assert_eq!(login.account, done.account);
//! # });
//! ```

mod fakes;
pub mod fixtures;
mod kit;
mod recording;
mod second_factor;
mod store;

pub use fakes::{DeterministicKeys, FastHasher, ManualClock, PlainDigest, SequentialNumbers};
pub use kit::{TEST_PASSWORD, TestKit};
pub use recording::RecordingStore;
pub use second_factor::FakeSecondFactor;
pub use store::{Fault, MemoryStore, RecordedMail, Tables};
