//! What the per-client key limit (R8) costs a key request: the same key requests, through the real use case, on one
//! database, with the limit off and on, in alternating rounds of one run, so that the machine's noise falls on both.
//!
//! With the limit on, each request reserves its client's throttle key (PostgreSQL: an advisory lock on it) and
//! counts its client's hits in the window before it records one more. The clients are 100 addresses taken in turn,
//! so that each ends the run with 20 hits in its window: near the default limit of 30, the most a count ever reads.
//!
//! `cargo bench -p mypage-db --bench client_limit`: SQLite in a temporary file, then PostgreSQL when
//! `MYPAGE_BENCH_DATABASE_URL` names an empty database (or a throwaway cluster can start, as in the tests).
//! `MYPAGE_BENCH_REQUESTS` (default 2000) changes the run.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use mypage_db::Database;
use mypage_domain::model::{ClientInfo, FlowPurpose};
use mypage_domain::usecases::{AdminActor, KeyRequest};
use mypage_domain::values::{ConsentInput, TermsKind};
use mypage_domain::{DomainConfig, MyPage};
use mypage_testkit::{FastHasher, ManualClock};

/// Requests per round; the rounds alternate between the limit off and on.
const ROUND: usize = 100;
/// Clients taken in turn.
const CLIENTS: usize = 100;
/// Requests at once in the concurrent half.
const CONCURRENCY: usize = 16;

fn instance(db: &Database, clock: &ManualClock, seed: u64, limit: u32) -> MyPage {
    let ports = common::ports(db, clock, seed, Arc::new(FastHasher::new()));
    // Every request is for a new address: only the client's limit differs between the two.
    let config = DomainConfig { key_requests_per_client: limit, ..DomainConfig::default() };
    MyPage::new(ports, config)
}

fn client(n: usize) -> ClientInfo {
    let n = u8::try_from(n % CLIENTS).expect("fewer than 256 clients");
    ClientInfo::from_ip([198, 51, 100, n].into())
}

/// The wall time of `count` requests from `start`, `at_once` at a time.
async fn round(
    mypage: &MyPage,
    consent: ConsentInput,
    tag: &str,
    start: usize,
    count: usize,
    at_once: usize,
) -> Duration {
    let began = Instant::now();
    let mut next = start;
    while next < start + count {
        let tasks: Vec<_> = (next..(next + at_once).min(start + count))
            .map(|n| {
                let (mypage, email) = (mypage.clone(), format!("{tag}{n}@example.jp"));
                tokio::spawn(async move {
                    let request = KeyRequest { purpose: FlowPurpose::SignUp, email, consent: Some(consent) };
                    mypage.request_auth_key(&request, &client(n)).await.expect("a key request")
                })
            })
            .collect();
        next += tasks.len();
        for task in tasks {
            task.await.expect("the request's task");
        }
    }
    began.elapsed()
}

async fn measure(name: &str, db: &Database, requests: usize) {
    let clock = ManualClock::monday_morning();
    let seed = u64::from(std::process::id()) << 8;
    let (off, on) = (instance(db, &clock, seed, 0), instance(db, &clock, seed + 1, 30));
    let sys = ClientInfo::system();
    for kind in TermsKind::ALL {
        off.publish_terms(AdminActor::System, kind, "本文", &sys).await.expect("terms");
    }
    let terms = off.current_terms().await.expect("terms").expect("published terms");
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };
    // A warm-up round of each, not counted.
    round(&off, consent, "warm-off", 0, ROUND, 1).await;
    round(&on, consent, "warm-on", 0, ROUND, 1).await;
    for at_once in [1, CONCURRENCY] {
        // A new window for every client: each run adds 20 hits per client, below the limit of 30.
        clock.advance(chrono::Duration::minutes(61));
        let (mut time_off, mut time_on) = (Duration::ZERO, Duration::ZERO);
        let mut start = 0;
        while start < requests {
            time_off += round(&off, consent, &format!("off{at_once}."), start, ROUND, at_once).await;
            time_on += round(&on, consent, &format!("on{at_once}."), start, ROUND, at_once).await;
            start += ROUND;
        }
        #[expect(clippy::cast_precision_loss, reason = "request counts are far below 2^52")]
        let n = start as f64;
        let per = |t: Duration| t.as_secs_f64() * 1e6 / n;
        let (us_off, us_on) = (per(time_off), per(time_on));
        println!(
            "{name:<10} {at_once:>2} at once  limit off {us_off:>7.1} µs/request ({:>6.0}/s)  on {us_on:>7.1} µs/request \
             ({:>6.0}/s)  cost {:>+6.1} µs ({:>+5.1} %)",
            1e6 / us_off,
            1e6 / us_on,
            us_on - us_off,
            (us_on / us_off - 1.0) * 100.0
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let requests = std::env::var("MYPAGE_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    println!("per-client key limit (R8): {requests} key requests each way, {CLIENTS} clients taken in turn");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = common::sqlite(&dir).await;
    measure("SQLite", &db, requests).await;
    drop(db);

    let (url, throwaway) = match std::env::var("MYPAGE_BENCH_DATABASE_URL") {
        Ok(url) => (url, None),
        Err(_) => match mypage_testenv::postgres::database().await {
            Ok(test_db) => (test_db.url.clone(), Some(test_db)),
            Err(why) => {
                println!("PostgreSQL skipped: {why}");
                return;
            }
        },
    };
    let db = common::open(url, "PostgreSQL").await;
    measure("PostgreSQL", &db, requests).await;
    drop(db);
    if let Some(test_db) = throwaway {
        test_db.drop_database().await;
    }
}
