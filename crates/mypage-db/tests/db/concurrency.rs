//! Integrity under concurrency, held by the databases themselves: each test runs on SQLite and PostgreSQL with
//! the real use cases racing on a multi-threaded runtime.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use mypage_db::Database;
use mypage_domain::model::{ClientInfo, FlowPurpose, FlowState, MailId, MailTemplate, OutgoingMail, PasswordHash};
use mypage_domain::ports::{Clock, InfrastructureError, MailQueue, PasswordCheck, PasswordHasher, UnitOfWork};
use mypage_domain::usecases::{
    AdminActor, ConfirmError, HistoryInput, KeyRedemptionError, KeyRequest, LoginError, NewOffice, NewStaffMember,
    PasswordEntry, RegisterPasswordError, RequestAuthKeyError, StaffLoginError,
};
use mypage_domain::values::{ConsentInput, StaffRole, TermsKind};
use mypage_domain::{DomainConfig, MyPage, Ports};
use mypage_testkit::{
    DeterministicKeys, FakeSecondFactor, FastHasher, ManualClock, PlainDigest, TEST_PASSWORD, fixtures,
};
use secrecy::{ExposeSecret, SecretString};

/// The use cases over `db`, with a world of one office, one reviewer and published terms.
struct World {
    mypage: MyPage,
    db: Database,
    clock: ManualClock,
    reviewer: mypage_domain::model::StaffId,
    consent: ConsentInput,
}

async fn world(db: Database) -> World {
    world_with_hasher(db, Arc::new(FastHasher::new())).await
}

/// The same world, checking passwords with `hasher`.
async fn world_with_hasher(db: Database, hasher: Arc<dyn PasswordHasher>) -> World {
    let clock = ManualClock::monday_morning();
    let ports = Ports {
        store: Arc::new(db.clone()),
        clock: Arc::new(clock.clone()),
        keys: Arc::new(DeterministicKeys::new(std::process::id().into())),
        digest: Arc::new(PlainDigest),
        hasher,
        numbers: Arc::new(db.clone()),
        outbox: Arc::new(db.clone()),
        sessions: Arc::new(db.clone()),
        second_factor: Arc::new(FakeSecondFactor::default()),
    };
    let mypage = MyPage::new(ports, DomainConfig::default());
    let sys = ClientInfo::system();
    for kind in TermsKind::ALL {
        mypage.publish_terms(AdminActor::System, kind, "本文", &sys).await.unwrap();
    }
    let office = NewOffice { code: "1301".into(), name: "ハローワーク飯田橋".into(), phone: None };
    mypage.add_office(AdminActor::System, &office, &sys).await.unwrap();
    let member = NewStaffMember {
        office: "1301".into(),
        login: "reviewer".into(),
        name: "審査".into(),
        roles: vec![StaffRole::Reviewer],
        password: SecretString::from(TEST_PASSWORD),
    };
    let reviewer = mypage.add_staff(AdminActor::System, &member, &sys).await.unwrap();
    let terms = mypage.current_terms().await.unwrap().unwrap();
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };
    World { mypage, db, clock, reviewer, consent }
}

impl World {
    async fn request(&self, email: &str) -> SecretString {
        let request = KeyRequest { purpose: FlowPurpose::SignUp, email: email.into(), consent: Some(self.consent) };
        self.mypage.request_auth_key(&request, &ClientInfo::system()).await.unwrap().flow_token
    }

    /// The key of the newest mail to `email`, read from the outbox as the dispatcher would.
    async fn key(&self, email: &str) -> String {
        let claimed = self.db.claim(self.clock.now(), 100, self.clock.now() + Duration::minutes(1)).await.unwrap();
        claimed
            .iter()
            .rev()
            .find_map(|c| match &c.mail.template {
                MailTemplate::AuthKey { key, .. } if c.mail.to.as_str() == email => {
                    Some(key.expose_secret().to_owned())
                }
                _ => None,
            })
            .expect("a key mail")
    }
}

fn entry(token: &SecretString, key: &str) -> PasswordEntry {
    PasswordEntry {
        flow_token: SecretString::from(token.expose_secret().to_owned()),
        auth_key: SecretString::from(key.to_owned()),
        password: SecretString::from(TEST_PASSWORD),
        confirmation: SecretString::from(TEST_PASSWORD),
    }
}

pub(crate) async fn of_two_concurrent_redemptions_of_one_key_exactly_one_succeeds(db: Database) {
    let w = world(db).await;
    let token = w.request("race@example.jp").await;
    let key = w.key("race@example.jp").await;
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (m, e) = (w.mypage.clone(), entry(&token, &key));
            tokio::spawn(async move { m.register_password(&e, &ClientInfo::system()).await })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(
        results.iter().any(|r| matches!(r, Err(RegisterPasswordError::Key(KeyRedemptionError::AlreadyUsed)))),
        "{results:?}"
    );
}

pub(crate) async fn of_two_reviewers_confirming_at_once_exactly_one_succeeds(db: Database) {
    let w = world(db).await;
    let token = w.request("c@example.jp").await;
    let key = w.key("c@example.jp").await;
    let account = w.mypage.register_password(&entry(&token, &key), &ClientInfo::system()).await.unwrap().account;
    let m = &w.mypage;
    let c = ClientInfo::system();
    let id = m.declare_history(account, &HistoryInput::FirstTime { office: "1301".into() }, &c).await.unwrap();
    m.save_establishment_info(account, &fixtures::establishment_info(), &c).await.unwrap();
    m.save_job_offer(account, &fixtures::job_offer(), &c).await.unwrap();
    m.submit_registration(account, &c).await.unwrap();
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let (m, staff) = (w.mypage.clone(), w.reviewer);
            tokio::spawn(async move { m.confirm_registration(staff, id, &ClientInfo::system()).await })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().any(|r| matches!(r, Err(ConfirmError::AlreadyDecided))), "{results:?}");
}

pub(crate) async fn concurrent_key_requests_for_one_address_leave_one_open_flow(db: Database) {
    let w = world(db).await;
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (m, consent) = (w.mypage.clone(), w.consent);
            tokio::spawn(async move {
                let request = KeyRequest {
                    purpose: FlowPurpose::SignUp,
                    email: "same@example.jp".into(),
                    consent: Some(consent),
                };
                m.request_auth_key(&request, &ClientInfo::system()).await
            })
        })
        .collect();
    for t in tasks {
        let answer = t.await.unwrap();
        assert!(answer.is_ok(), "{answer:?}");
    }
    let mut tx = w.db.begin().await.unwrap();
    let open = tx
        .flows()
        .open_for(&mypage_domain::values::EmailAddress::parse("same@example.jp").unwrap(), FlowPurpose::SignUp)
        .await
        .unwrap();
    assert_eq!(open.map(|f| f.state()), Some(FlowState::Open));
}

/// R3, R8: the per-address cap (5 an hour) holds against a burst of parallel requests for one address: each takes
/// its slot in the transaction that checks the cap.
pub(crate) async fn parallel_key_requests_for_one_address_pass_the_hourly_cap_at_most_its_size(db: Database) {
    let w = world(db).await;
    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (m, consent) = (w.mypage.clone(), w.consent);
            tokio::spawn(async move {
                let request = KeyRequest {
                    purpose: FlowPurpose::SignUp,
                    email: "burst@example.jp".into(),
                    consent: Some(consent),
                };
                m.request_auth_key(&request, &ClientInfo::system()).await
            })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(RequestAuthKeyError::TooManyRequests { .. }) => {}
            Err(other) => panic!("only the cap may refuse: {other:?}"),
        }
    }
    assert!((1..=5).contains(&accepted), "{accepted} requests passed a cap of 5");
}

pub(crate) async fn concurrent_wrong_keys_are_all_counted(db: Database) {
    let w = world(db).await;
    let token = w.request("guess@example.jp").await;
    let key = w.key("guess@example.jp").await;
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let (m, e) = (w.mypage.clone(), entry(&token, "ZZZZZ22222"));
            tokio::spawn(async move { m.register_password(&e, &ClientInfo::system()).await })
        })
        .collect();
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Err(RegisterPasswordError::Key(_))));
    }
    let err = w.mypage.register_password(&entry(&token, &key), &ClientInfo::system()).await.unwrap_err();
    assert!(matches!(err, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(_))), "{err:?}");
}

/// A hasher that counts the passwords it checks (dummy verifications included) and takes a few milliseconds over
/// each, as argon2id takes tens, so that parallel logins overlap as they do in production.
#[derive(Default)]
struct CountingHasher {
    inner: FastHasher,
    checked: std::sync::atomic::AtomicUsize,
}

impl CountingHasher {
    fn checked(&self) -> usize {
        self.checked.load(std::sync::atomic::Ordering::SeqCst)
    }

    async fn check(&self) {
        self.checked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[async_trait::async_trait]
impl PasswordHasher for CountingHasher {
    async fn hash(&self, password: &SecretString) -> Result<PasswordHash, InfrastructureError> {
        self.inner.hash(password).await
    }
    async fn verify(&self, password: &SecretString, hash: &PasswordHash) -> Result<PasswordCheck, InfrastructureError> {
        self.check().await;
        self.inner.verify(password, hash).await
    }
    async fn verify_nothing(&self, password: &SecretString) -> Result<(), InfrastructureError> {
        self.check().await;
        self.inner.verify_nothing(password).await
    }
}

/// How a burst of parallel logins ended: passwords checked by the hasher, wrong answers, throttled answers.
#[derive(Debug, PartialEq, Eq)]
struct Burst {
    checked: usize,
    wrong: usize,
    throttled: usize,
}

/// Runs `logins` at once and sorts their answers; any other answer fails the test.
async fn burst<F>(hasher: &CountingHasher, logins: Vec<F>) -> Burst
where
    F: Future<Output = Result<(), bool>> + Send + 'static,
{
    let before = hasher.checked();
    let tasks: Vec<_> = logins.into_iter().map(tokio::spawn).collect();
    let (mut wrong, mut throttled) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Err(true) => throttled += 1,
            Err(false) => wrong += 1,
            Ok(()) => panic!("a wrong password logged in"),
        }
    }
    Burst { checked: hasher.checked() - before, wrong, throttled }
}

/// The employer login's answer as `burst` sorts it: `Err(true)` throttled, `Err(false)` wrong.
fn sorted_login<T>(answer: Result<T, LoginError>) -> Result<(), bool> {
    match answer {
        Ok(_) => Ok(()),
        Err(LoginError::Throttled { .. }) => Err(true),
        Err(LoginError::InvalidCredentials) => Err(false),
        Err(e) => panic!("{e:?}"),
    }
}

/// A client address per number, so that only the account's limit applies.
fn nth_client(n: u8) -> ClientInfo {
    ClientInfo::from_ip(std::net::IpAddr::from([198, 51, 100, n]))
}

/// R13: 50 wrong passwords for one account sent at once, each from its own client: the limit (5) is reserved
/// before the hash is checked, so exactly 5 are checked and the rest are throttled without a verification.
pub(crate) async fn concurrent_wrong_passwords_for_one_account_check_at_most_the_limit(db: Database) {
    let hasher = Arc::new(CountingHasher::default());
    let w = world_with_hasher(db, hasher.clone()).await;
    let token = w.request("target@example.jp").await;
    let key = w.key("target@example.jp").await;
    w.mypage.register_password(&entry(&token, &key), &ClientInfo::system()).await.unwrap();
    let logins = (0..50)
        .map(|n| {
            let m = w.mypage.clone();
            async move {
                sorted_login(m.login("target@example.jp", &SecretString::from("Wrong#2026"), &nth_client(n)).await)
            }
        })
        .collect();
    assert_eq!(burst(&hasher, logins).await, Burst { checked: 5, wrong: 5, throttled: 45 });
}

/// R13, R14: the same for a staff member's login.
pub(crate) async fn concurrent_wrong_passwords_for_one_staff_member_check_at_most_the_limit(db: Database) {
    let hasher = Arc::new(CountingHasher::default());
    let w = world_with_hasher(db, hasher.clone()).await;
    let logins = (0..50)
        .map(|n| {
            let m = w.mypage.clone();
            async move {
                match m.staff_login("reviewer", &SecretString::from("Wrong#2026"), &nth_client(n)).await {
                    Ok(_) => Ok(()),
                    Err(StaffLoginError::Throttled { .. }) => Err(true),
                    Err(StaffLoginError::InvalidCredentials) => Err(false),
                    Err(e) => panic!("{e:?}"),
                }
            }
        })
        .collect();
    assert_eq!(burst(&hasher, logins).await, Burst { checked: 5, wrong: 5, throttled: 45 });
}

/// R13: one client trying 60 addresses at once gets the per-client limit (30) checked, and no more.
pub(crate) async fn one_client_spraying_addresses_in_parallel_checks_at_most_its_limit(db: Database) {
    let hasher = Arc::new(CountingHasher::default());
    let w = world_with_hasher(db, hasher.clone()).await;
    let logins = (0..60)
        .map(|n| {
            let m = w.mypage.clone();
            async move {
                let email = format!("spray{n}@example.jp");
                sorted_login(m.login(&email, &SecretString::from("Wrong#2026"), &nth_client(1)).await)
            }
        })
        .collect();
    assert_eq!(burst(&hasher, logins).await, Burst { checked: 30, wrong: 30, throttled: 30 });
}

pub(crate) async fn concurrent_claimers_never_share_a_mail(db: Database) {
    let clock = ManualClock::monday_morning();
    let now = clock.now();
    let mut tx = db.begin().await.unwrap();
    for n in 0..60u8 {
        let mut bytes = [0u8; 16];
        bytes[0] = n;
        bytes[15] = 1;
        let mail = OutgoingMail {
            id: MailId::from_bytes(bytes),
            to: mypage_domain::values::EmailAddress::parse(&format!("m{n}@example.jp")).unwrap(),
            template: MailTemplate::PasswordChanged {
                at: now,
                how: mypage_domain::model::PasswordChange::Reset,
                office_name: None,
                office_phone: None,
            },
            created_at: now,
        };
        tx.outbox().enqueue(mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = db.claim(now, 7, now + Duration::minutes(5)).await.unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    mine.extend(batch.into_iter().map(|c| c.mail.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let distinct: HashSet<MailId> = all.iter().copied().collect();
    assert_eq!((all.len(), distinct.len()), (60, 60), "every mail claimed exactly once");
}

pub(crate) async fn concurrent_allocations_never_repeat_a_number_and_skip_taken_ones(db: Database) {
    use mypage_domain::ports::EstablishmentNumberAllocator;
    use mypage_domain::values::OfficeCode;
    let w = world(db).await;
    // The office already holds the first number the counter would give.
    w.mypage
        .import_establishment(AdminActor::System, "1301-500001-6", "既存の事業所", &ClientInfo::system())
        .await
        .unwrap();
    let office = OfficeCode::parse("1301").unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (db, office) = (w.db.clone(), office.clone());
            tokio::spawn(async move { db.allocate(&office).await.unwrap() })
        })
        .collect();
    let mut numbers = HashSet::new();
    for t in tasks {
        let n = t.await.unwrap();
        assert_eq!(n.office(), office);
        assert_ne!(n.to_string(), "1301-500001-6");
        assert!(numbers.insert(n.to_string()), "repeated {n}");
    }
    assert_eq!(numbers.len(), 8);
}

/// The read-only use cases (pages, queues, lists) take a read transaction: while a writer holds its lock (SQLite's
/// `BEGIN IMMEDIATE`), they answer at once from the last committed state instead of queueing behind it.
pub(crate) async fn a_page_that_only_reads_does_not_wait_for_a_writer_nor_see_its_uncommitted_work(db: Database) {
    let w = world(db.clone()).await;
    let mut writer = db.begin().await.unwrap();
    let office = mypage_domain::model::Office::new(
        mypage_domain::values::OfficeCode::parse("2701").unwrap(),
        "ハローワーク大阪東".into(),
        None,
    );
    writer.offices().insert(&office).await.unwrap();
    let read = tokio::time::timeout(std::time::Duration::from_secs(2), w.mypage.offices()).await;
    let offices = read.expect("the read does not wait for the writer").unwrap();
    assert_eq!(offices.len(), 1, "the uncommitted office is not seen");
    assert!(tokio::time::timeout(std::time::Duration::from_secs(2), w.mypage.current_terms()).await.is_ok());
    writer.commit().await.unwrap();
    assert_eq!(w.mypage.offices().await.unwrap().len(), 2);
}

/// R12: counter staff correct an address while the employer redeems the key mailed to it. Exactly one wins: the
/// account is opened at the old address and the correction refused, or the address corrected and the old key dead.
pub(crate) async fn a_correction_racing_the_redemption_of_the_old_key_lets_exactly_one_succeed(db: Database) {
    use mypage_domain::model::{AccountStatus, DeathCause};
    use mypage_domain::usecases::{CorrectCounterEmailError, CounterRegistration};
    let w = world(db).await;
    let (m, sys) = (&w.mypage, ClientInfo::system());
    m.import_establishment(AdminActor::System, "1301-123456-7", "株式会社ハローテスト", &sys).await.unwrap();
    let member = NewStaffMember {
        office: "1301".into(),
        login: "counter".into(),
        name: "窓口".into(),
        roles: vec![StaffRole::Counter],
        password: SecretString::from(TEST_PASSWORD),
    };
    let counter = m.add_staff(AdminActor::System, &member, &sys).await.unwrap();
    let at_counter =
        CounterRegistration { email: "old@example.jp".into(), establishment_number: "1301-123456-7".into() };
    let account = m.register_email_at_counter(counter, &at_counter, &sys).await.unwrap();
    let request =
        KeyRequest { purpose: FlowPurpose::OpenMyPage, email: "old@example.jp".into(), consent: Some(w.consent) };
    let token = m.request_auth_key(&request, &sys).await.unwrap().flow_token;
    let key = w.key("old@example.jp").await;

    let redeem = {
        let (m, e) = (m.clone(), entry(&token, &key));
        tokio::spawn(async move { m.register_password(&e, &ClientInfo::system()).await })
    };
    let correct = {
        let m = m.clone();
        tokio::spawn(
            async move { m.correct_counter_email(counter, account, "new@example.jp", &ClientInfo::system()).await },
        )
    };
    let (redeemed, corrected) = (redeem.await.unwrap(), correct.await.unwrap());
    assert_ne!(redeemed.is_ok(), corrected.is_ok(), "exactly one wins: {redeemed:?} {corrected:?}");
    let mut tx = w.db.begin_read().await.unwrap();
    let stored = tx.accounts().get(account).await.unwrap().unwrap();
    if redeemed.is_ok() {
        assert_eq!((stored.email().as_str(), stored.status()), ("old@example.jp", AccountStatus::Active));
        assert!(
            matches!(
                corrected,
                Err(CorrectCounterEmailError::NotAwaitingPassword | CorrectCounterEmailError::Concurrent)
            ),
            "{corrected:?}"
        );
    } else {
        assert_eq!((stored.email().as_str(), stored.status()), ("new@example.jp", AccountStatus::AwaitingPassword));
        let again = m.register_password(&entry(&token, &key), &sys).await.unwrap_err();
        assert!(
            matches!(again, RegisterPasswordError::Key(KeyRedemptionError::FlowDead(DeathCause::Withdrawn))),
            "the old key stays dead: {again:?}"
        );
    }
}
