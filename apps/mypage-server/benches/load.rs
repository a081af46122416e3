//! Load benchmark of the real binary: starts `mypage-server` (release) on a temporary data folder — SQLite by
//! default, PostgreSQL with `MYPAGE_BENCH_DATABASE_URL` — and drives it over HTTP with concurrent clients.
//!
//! It prints, per scenario, requests per second, median and 99th-percentile latency, and the ratio of each
//! scenario's throughput to `/healthz` (the HTTP stack alone), then the server's resident memory. Machines here are
//! shared and noisy: compare the ratios within one run, not seconds between runs.
//!
//! `cargo bench -p mypage-server --bench load` (or `just bench`); `MYPAGE_BENCH_SECONDS` (default 5) and
//! `MYPAGE_BENCH_CLIENTS` (default 16) change the run.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::process::Command;

const PASSWORD: &str = "Kyujin#Madoguchi2026";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// The server's resident memory now and at its peak, in MiB, from `/proc`.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The newest auth key in the mail files of the data folder.
fn key_in_mail_files(data: &Path, email: &str) -> Option<String> {
    let mut texts: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(data.join("mail"))
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "txt"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, std::fs::read_to_string(e.path()).ok()?)))
        .filter(|(_, text)| text.contains(email))
        .collect();
    texts.sort_by_key(|(t, _)| *t);
    texts.last()?.1.lines().find_map(|l| l.trim().strip_prefix("認証キー：").map(|k| k.trim().to_owned()))
}

struct Figures {
    name: &'static str,
    /// The server's resident memory after the scenario, in MiB.
    rss_after: f64,
    requests: usize,
    failures: usize,
    seconds: f64,
    latencies: Vec<Duration>,
}

impl Figures {
    fn rps(&self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "request counts are far below 2^52")]
        let n = self.requests as f64;
        n / self.seconds
    }

    fn percentile(&mut self, p: f64) -> f64 {
        self.latencies.sort();
        if self.latencies.is_empty() {
            return 0.0;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "an index into the sorted latencies"
        )]
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

/// Runs `clients` loops of `request` for `seconds`; each request returns whether it succeeded.
async fn run<F, Fut>(name: &'static str, pid: u32, clients: u64, seconds: u64, request: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let counter = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (request, counter) = (Arc::clone(&request), Arc::clone(&counter));
        tasks.spawn(async move {
            let (mut latencies, mut failures) = (Vec::new(), 0);
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let ok = request(n).await;
                latencies.push(t.elapsed());
                failures += usize::from(!ok);
            }
            (latencies, failures)
        });
    }
    let mut figures = Figures { name, rss_after: 0.0, requests: 0, failures: 0, seconds: 0.0, latencies: Vec::new() };
    while let Some(done) = tasks.join_next().await {
        let (latencies, failures) = done.expect("a client task");
        figures.requests += latencies.len();
        figures.failures += failures;
        figures.latencies.extend(latencies);
    }
    figures.seconds = started.elapsed().as_secs_f64();
    figures.rss_after = memory(pid).0;
    figures
}

#[tokio::main]
async fn main() {
    let seconds = setting("MYPAGE_BENCH_SECONDS", 5);
    let clients = setting("MYPAGE_BENCH_CLIENTS", 16);
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mypage-server"));
    command
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MYPAGE_LOG", "warn")
        .env("MYPAGE_KEY_REQUESTS_PER_CLIENT", "0")
        // The demo publishes the terms the logins below agree to; on PostgreSQL it loads only when asked for.
        .env("MYPAGE_DEMO", "true")
        .env_remove("MYPAGE_SMTP_HOST")
        .env_remove("MYPAGE_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    let database = match std::env::var("MYPAGE_BENCH_DATABASE_URL") {
        Ok(url) => {
            command.env("MYPAGE_DATABASE_URL", url);
            "PostgreSQL"
        }
        Err(_) => {
            command.env_remove("MYPAGE_DATABASE_URL");
            "SQLite"
        }
    };
    let mut server = command.spawn().expect("the server starts");
    let pid = server.id().expect("a pid");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build().expect("an HTTP client");
    let mut ready = false;
    for _ in 0..300 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server became ready");
    let (idle_rss, _) = memory(pid);

    // One account to log in with: the key is read from the mail file the server writes.
    let terms: Value =
        http.get(format!("{base}/api/v1/terms")).send().await.expect("terms").json().await.expect("json");
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": terms["privacy_policy_version"], "mypage_terms_version": terms["mypage_terms_version"],
    });
    let asked: Value = http
        .post(format!("{base}/api/v1/auth-keys"))
        .json(&json!({"purpose": "sign_up", "email": "bench@example.jp", "consent": consent}))
        .send()
        .await
        .expect("a key request")
        .json()
        .await
        .expect("json");
    let mut key = None;
    for _ in 0..100 {
        key = key_in_mail_files(data.path(), "bench@example.jp");
        if key.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let entry = json!({"flow_token": asked["flow_token"], "auth_key": key.expect("the key mail"), "password": PASSWORD, "confirmation": PASSWORD});
    let registered = http.post(format!("{base}/api/v1/passwords")).json(&entry).send().await.expect("password");
    assert_eq!(registered.status(), 201, "the bench account is registered");

    let get = |path: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        move |_| {
            let (http, url) = (http.clone(), format!("{base}{path}"));
            async move { http.get(url).send().await.is_ok_and(|r| r.status().is_success()) }
        }
    };
    let mut results = vec![
        run("GET /healthz (HTTP stack alone)", pid, clients, seconds, get("/healthz")).await,
        run("GET / (top page, new session)", pid, clients, seconds, get("/")).await,
        run("GET /api/v1/terms (database read)", pid, clients, seconds, get("/api/v1/terms")).await,
    ];
    let (h, b, c) = (http.clone(), base.clone(), consent.clone());
    results.push(
        run("POST /api/v1/auth-keys (write + outbox)", pid, clients, seconds, move |n| {
            let (http, url) = (h.clone(), format!("{b}/api/v1/auth-keys"));
            let body = json!({"purpose": "sign_up", "email": format!("load{n}@example.jp"), "consent": c});
            async move { http.post(url).json(&body).send().await.is_ok_and(|r| r.status() == 202) }
        })
        .await,
    );
    let (h, b) = (http.clone(), base.clone());
    results.push(
        run("POST /api/v1/sessions (argon2id login)", pid, clients, seconds, move |_| {
            let (http, url) = (h.clone(), format!("{b}/api/v1/sessions"));
            async move {
                let body = json!({"email": "bench@example.jp", "password": PASSWORD});
                http.post(url).json(&body).send().await.is_ok_and(|r| r.status() == 201)
            }
        })
        .await,
    );
    let (rss, peak) = memory(pid);

    println!();
    println!("Employer My Page load benchmark: {database}, {clients} clients, {seconds} s per scenario");
    println!(
        "{:<42} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9}",
        "scenario", "req/s", "p50 ms", "p99 ms", "failures", "ratio", "RSS MiB"
    );
    let base_rps = results.first().map_or(1.0, Figures::rps);
    for f in &mut results {
        let (rps, p50, p99) = (f.rps(), f.percentile(0.5), f.percentile(0.99));
        println!(
            "{:<42} {rps:>9.0} {p50:>9.2} {p99:>9.2} {:>9} {:>8.3} {:>9.1}",
            f.name,
            f.failures,
            rps / base_rps,
            f.rss_after
        );
    }
    println!("server memory: {idle_rss:.1} MiB idle, {rss:.1} MiB after the run, {peak:.1} MiB at its peak");
    let _ = server.kill().await;
}
