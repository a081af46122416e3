//! The login's own path without the hash (issue 15): the real use case (`MyPage::login`: reserve the attempt and
//! read the account, then record the outcome, release the reservation and write the audit event) on one database,
//! with the testkit's `FastHasher` (a salted SHA-256, microseconds) in place of argon2, so that what is measured is
//! everything a login does besides hashing. The HTTP work and the session's creation are not in it.
//!
//! Each of 16 tasks logs in to its own account from its own address, as real logins come, for a few seconds.
//! `cargo bench -p mypage-db --bench login_path`: SQLite in a temporary file, then PostgreSQL when
//! `MYPAGE_BENCH_DATABASE_URL` names an empty database. `MYPAGE_BENCH_SECONDS` (default 3) changes the run.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mypage_db::Database;
use mypage_domain::model::{Account, AccountId, ClientInfo};
use mypage_domain::ports::{Clock, PasswordHasher, UnitOfWork};
use mypage_domain::usecases::AdminActor;
use mypage_domain::values::{EmailAddress, TermsConsent, TermsKind};
use mypage_domain::{DomainConfig, MyPage};
use mypage_testkit::{FastHasher, ManualClock};
use secrecy::SecretString;

const PASSWORD: &str = "Kyujin#Madoguchi2026";
/// Logins at once, each to its own account from its own address.
const CONCURRENCY: usize = 16;

async fn measure(name: &str, db: &Database, seconds: u64) {
    let clock = ManualClock::monday_morning();
    let hasher = Arc::new(FastHasher::new());
    let ports =
        common::ports(db, &clock, u64::from(std::process::id()), Arc::clone(&hasher) as Arc<dyn PasswordHasher>);
    let mypage = MyPage::new(ports, DomainConfig::default());
    let sys = ClientInfo::system();
    for kind in TermsKind::ALL {
        mypage.publish_terms(AdminActor::System, kind, "本文", &sys).await.expect("terms");
    }
    let terms = mypage.current_terms().await.expect("terms").expect("published terms");
    let consent = TermsConsent {
        privacy_policy: terms.privacy_policy.version,
        mypage_terms: terms.mypage_terms.version,
        at: clock.now(),
    };
    let password = SecretString::from(PASSWORD);
    let mut tx = db.begin().await.expect("a transaction");
    for i in 0..CONCURRENCY {
        let email = EmailAddress::parse(&format!("login{i}@example.jp")).expect("an address");
        let id = AccountId::from_bytes([u8::try_from(i + 1).expect("few accounts"); 16]);
        let hash = hasher.hash(&password).await.expect("a hash");
        tx.accounts().insert(&Account::opened_online(id, email, hash, consent, clock.now())).await.expect("account");
    }
    tx.commit().await.expect("commit");

    let done = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|i| {
            let (mypage, done, password) = (mypage.clone(), Arc::clone(&done), password.clone());
            let client = ClientInfo::from_ip([198, 51, 100, u8::try_from(i).expect("few clients")].into());
            tokio::spawn(async move {
                let email = format!("login{i}@example.jp");
                while Instant::now() < deadline {
                    mypage.login(&email, &password, &client).await.expect("a login");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a login task");
    }
    let elapsed = started.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "login counts are far below 2^52")]
    let n = done.load(Ordering::Relaxed) as f64;
    println!(
        "{name:<10} {CONCURRENCY} at once: {n:>7.0} logins in {elapsed:.1} s, {:>6.0}/s, {:>6.1} µs each",
        n / elapsed,
        elapsed * 1e6 / n
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let seconds = std::env::var("MYPAGE_BENCH_SECONDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    println!("the login's path without the hash (FastHasher), {seconds} s per database");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = common::sqlite(&dir).await;
    measure("SQLite", &db, seconds).await;
    drop(db);
    if let Ok(url) = std::env::var("MYPAGE_BENCH_DATABASE_URL") {
        let db = common::open(url, "PostgreSQL").await;
        measure("PostgreSQL", &db, seconds).await;
    }
}
