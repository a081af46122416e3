//! The key request's write path against the raw rate of its own statements (issue 15, point 2).
//!
//! In one run, on one database opened with the project's settings (`Database::connect`: WAL, `synchronous=NORMAL`,
//! the same pool), two things are timed in alternating rounds, so that the machine's noise falls on both:
//! - **raw**: the statements a sign-up key request runs (captured with PostgreSQL's `log_statement=all`), written
//!   by hand and run through the pool's connection with `execute_raw`/`query_all_raw` in one transaction, with no
//!   entity, conversion, sealing or use case around them: `BEGIN` (IMMEDIATE on SQLite, after the same one-writer
//!   gate the service uses), the two current terms, for the client's and the address's throttle keys the advisory
//!   lock (PostgreSQL), the window's hits and one more hit, the open flow for the address, the account for it, and
//!   the inserts of the flow, the outbox row and the audit event, then `COMMIT`;
//! - **service**: the real use case, `MyPage::request_auth_key`, over `mypage_db::Database`, with the testkit's fast
//!   keys and digest, every request for a new address from a new client address so that no limit refuses.
//!
//! Both from 1 task and from 16 at once; the service's rate is printed as a ratio of the raw rate. The mail is
//! queued, not sent: the dispatcher does not run here.
//!
//! `cargo bench -p mypage-db --bench write_path`: SQLite in a temporary file, then PostgreSQL when
//! `MYPAGE_BENCH_DATABASE_URL` names an empty database. `MYPAGE_BENCH_REQUESTS` (default 2000) changes the run.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

mod common;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use mypage_db::Database;
use mypage_domain::model::{ClientInfo, FlowPurpose};
use mypage_domain::ports::Clock;
use mypage_domain::usecases::{AdminActor, KeyRequest};
use mypage_domain::values::{ConsentInput, TermsKind};
use mypage_domain::{DomainConfig, MyPage};
use mypage_testkit::{FastHasher, ManualClock};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait, Value,
};
use tokio::sync::Semaphore;

/// Requests per round; the rounds alternate between raw and service.
const ROUND: usize = 250;
/// Tasks at once in the concurrent half.
const CONCURRENCY: usize = 16;

/// The statements of one key request, in the order the service runs them, with `$n` placeholders.
const TERMS: &str = r#"SELECT "terms"."kind", "terms"."version", "terms"."body", "terms"."published_at" FROM "terms" WHERE "terms"."kind" = $1 ORDER BY "terms"."version" DESC LIMIT $2"#;
const LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
const HITS: &str = r#"SELECT "throttle_hits"."at" FROM "throttle_hits" WHERE "throttle_hits"."key" = $1 AND "throttle_hits"."at" >= $2"#;
const HIT: &str = r#"INSERT INTO "throttle_hits" ("key", "at") VALUES ($1, $2)"#;
const OPEN_FLOW: &str = r#"SELECT "flows"."id", "flows"."purpose", "flows"."email", "flows"."token_digest", "flows"."target", "flows"."consent_privacy", "flows"."consent_terms", "flows"."consent_at", "flows"."keys", "flows"."wrong_attempts", "flows"."state", "flows"."created_at", "flows"."expires_at", "flows"."version" FROM "flows" WHERE "flows"."email" = $1 AND "flows"."purpose" = $2 AND "flows"."state" = $3 LIMIT $4"#;
const ACCOUNT: &str = r#"SELECT "accounts"."id", "accounts"."email", "accounts"."status", "accounts"."establishment_id", "accounts"."password_hash", "accounts"."consent_privacy", "accounts"."consent_terms", "accounts"."consent_at", "accounts"."created_at", "accounts"."version" FROM "accounts" WHERE "accounts"."email" = $1 AND "accounts"."status" <> $2 LIMIT $3"#;
const FLOW: &str = r#"INSERT INTO "flows" ("id", "purpose", "email", "token_digest", "target", "consent_privacy", "consent_terms", "consent_at", "keys", "wrong_attempts", "state", "created_at", "expires_at", "version") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"#;
const OUTBOX: &str = r#"INSERT INTO "outbox" ("id", "recipient", "template", "params", "state", "attempts", "next_attempt_at", "last_error", "message_id", "created_at", "sent_at") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"#;
const AUDIT: &str = r#"INSERT INTO "audit_events" ("id", "at", "actor_kind", "actor_id", "action", "subject", "client_ip", "user_agent") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#;
/// A flow's keys and an outbox row's parameters of the service's sizes (the token's digest is the flow's id, padded) (what a request stores, not their meaning).
const KEYS: &str = r#"[{"digest":"fb59303c1b73d15381d8c00f3d68b1854171f4f9df70c475231db1bfc5d4f3c2","issued_at":"2026-11-23T03:02:00Z","expires_at":"2026-11-23T03:32:00Z"}]"#;
const PARAMS: &str = r#"{"template":"auth_key","purpose":"sign_up","sealed_key":"3d11dc84563ed67be46db8a5437d3765c8e2ee49a269c8d72dcab1","issued_at":"2026-11-23T03:02:00Z","expires_at":"2026-11-23T03:32:00Z"}"#;

/// The raw statements, prepared for one backend (SQLite takes `?` in order).
struct Raw {
    backend: DbBackend,
    conn: DatabaseConnection,
    /// One writer at a time on SQLite, as the service's write gate.
    gate: Option<Arc<Semaphore>>,
    /// Ids, unique across the run.
    next: AtomicU32,
}

impl Raw {
    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        let sql = if self.backend == DbBackend::Sqlite {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' {
                    out.push('?');
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            out
        } else {
            sql.to_owned()
        };
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    fn id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        uuid::Uuid::from_u128(u128::from(n) << 64 | u128::from(std::process::id())).to_string()
    }

    /// One key request's statements in one transaction.
    async fn request(&self, email: &str, ip: Ipv4Addr, now: DateTime<Utc>) {
        let _turn = match &self.gate {
            Some(gate) => Some(gate.acquire().await.expect("the gate")),
            None => None,
        };
        let options = match self.backend {
            DbBackend::Sqlite => TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            },
            _ => TransactionOptions::default(),
        };
        let tx = self.conn.begin_with_options(options).await.expect("begin");
        for kind in ["privacy_policy", "mypage_terms"] {
            tx.query_all_raw(self.stmt(TERMS, vec![kind.into(), 1_u64.into()])).await.expect("terms");
        }
        let since = now - chrono::Duration::hours(1);
        for key in [format!("client-keys:{ip}"), format!("key-requests:{email}")] {
            if self.backend == DbBackend::Postgres {
                tx.execute_raw(self.stmt(LOCK, vec![key.clone().into()])).await.expect("lock");
            }
            tx.query_all_raw(self.stmt(HITS, vec![key.clone().into(), since.into()])).await.expect("hits");
            tx.execute_raw(self.stmt(HIT, vec![key.into(), now.into()])).await.expect("hit");
        }
        let open = vec![email.into(), "sign_up".into(), "open".into(), 1_u64.into()];
        tx.query_all_raw(self.stmt(OPEN_FLOW, open)).await.expect("open flow");
        tx.query_all_raw(self.stmt(ACCOUNT, vec![email.into(), "closed".into(), 1_u64.into()])).await.expect("account");
        let (flow, mail, event) = (self.id(), self.id(), self.id());
        let expires = now + chrono::Duration::minutes(30);
        let flow_row: Vec<Value> = vec![
            flow.clone().into(),
            "sign_up".into(),
            email.into(),
            format!("{:0>64}", flow.replace('-', "")).into(),
            "key:".into(),
            Some(1_i32).into(),
            Some(1_i32).into(),
            Some(now).into(),
            KEYS.into(),
            0_i32.into(),
            "open".into(),
            now.into(),
            expires.into(),
            0_i64.into(),
        ];
        tx.execute_raw(self.stmt(FLOW, flow_row)).await.expect("flow");
        let mail_row: Vec<Value> = vec![
            mail.clone().into(),
            email.into(),
            "auth_key".into(),
            PARAMS.into(),
            "pending".into(),
            0_i32.into(),
            now.into(),
            Option::<String>::None.into(),
            mail.into(),
            now.into(),
            Option::<DateTime<Utc>>::None.into(),
        ];
        tx.execute_raw(self.stmt(OUTBOX, mail_row)).await.expect("outbox");
        let event_row: Vec<Value> = vec![
            event.into(),
            now.into(),
            "anonymous".into(),
            Option::<String>::None.into(),
            "auth_key_requested".into(),
            format!("flow:{flow}").into(),
            Some(ip.to_string()).into(),
            Option::<String>::None.into(),
        ];
        tx.execute_raw(self.stmt(AUDIT, event_row)).await.expect("audit");
        tx.commit().await.expect("commit");
    }
}

/// A client address of its own for request `n` of a round.
fn ip(round: u32, n: usize) -> Ipv4Addr {
    Ipv4Addr::from(0x0a00_0000 | (round << 12) | u32::try_from(n).expect("few requests"))
}

/// The wall time of `ROUND` requests by `at_once` tasks, through the raw statements or the service.
async fn round(
    raw: &Arc<Raw>,
    mypage: &MyPage,
    consent: ConsentInput,
    service: bool,
    at_once: usize,
    tag: u32,
) -> Duration {
    let now = ManualClock::monday_morning().now();
    let began = Instant::now();
    let tasks: Vec<_> = (0..at_once)
        .map(|task| {
            let (raw, mypage) = (Arc::clone(raw), mypage.clone());
            tokio::spawn(async move {
                for n in (task..ROUND).step_by(at_once) {
                    let email = format!("r{tag}.{n}@example.jp");
                    if service {
                        let request = KeyRequest { purpose: FlowPurpose::SignUp, email, consent: Some(consent) };
                        let client = ClientInfo::from_ip(ip(tag, n).into());
                        mypage.request_auth_key(&request, &client).await.expect("a key request");
                    } else {
                        raw.request(&email, ip(tag, n), now).await;
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a request task");
    }
    began.elapsed()
}

async fn measure(name: &str, db: &Database, requests: usize) {
    let clock = ManualClock::monday_morning();
    let ports = common::ports(db, &clock, u64::from(std::process::id()), Arc::new(FastHasher::new()));
    let mypage = MyPage::new(ports, DomainConfig::default());
    let sys = ClientInfo::system();
    for kind in TermsKind::ALL {
        mypage.publish_terms(AdminActor::System, kind, "本文", &sys).await.expect("terms");
    }
    let terms = mypage.current_terms().await.expect("terms").expect("published terms");
    let consent = ConsentInput {
        privacy_policy_agreed: true,
        mypage_terms_agreed: true,
        privacy_policy_version: terms.privacy_policy.version,
        mypage_terms_version: terms.mypage_terms.version,
    };
    let backend = db.backend();
    let gate = (backend == DbBackend::Sqlite).then(|| Arc::new(Semaphore::new(1)));
    let raw = Arc::new(Raw { backend, conn: db.connection().clone(), gate, next: AtomicU32::new(0) });
    let mut tag = 0;
    // A warm-up round of each, not counted.
    for service in [false, true] {
        tag += 1;
        round(&raw, &mypage, consent, service, 1, tag).await;
    }
    for at_once in [1, CONCURRENCY] {
        let (mut time_raw, mut time_service) = (Duration::ZERO, Duration::ZERO);
        let mut done = 0;
        while done < requests {
            tag += 2;
            time_raw += round(&raw, &mypage, consent, false, at_once, tag).await;
            time_service += round(&raw, &mypage, consent, true, at_once, tag + 1).await;
            done += ROUND;
        }
        #[expect(clippy::cast_precision_loss, reason = "request counts are far below 2^52")]
        let n = done as f64;
        let (raw_rate, service_rate) = (n / time_raw.as_secs_f64(), n / time_service.as_secs_f64());
        println!(
            "{name:<10} {at_once:>2} at once  raw {raw_rate:>6.0}/s ({:>6.1} µs)  service {service_rate:>6.0}/s ({:>6.1} µs)  ratio {:.2}",
            time_raw.as_secs_f64() * 1e6 / n,
            time_service.as_secs_f64() * 1e6 / n,
            service_rate / raw_rate
        );
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let requests = std::env::var("MYPAGE_BENCH_REQUESTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000);
    println!("the key request's write path: {requests} requests each way, raw statements vs the use case");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = common::sqlite(&dir).await;
    measure("SQLite", &db, requests).await;
    drop(db);
    if let Ok(url) = std::env::var("MYPAGE_BENCH_DATABASE_URL") {
        let db = common::open(url, "PostgreSQL").await;
        measure("PostgreSQL", &db, requests).await;
    }
}
