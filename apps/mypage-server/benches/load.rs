//! Load benchmark of the real binary: starts `mypage-server` (release) on a temporary data folder — SQLite by
//! default, PostgreSQL with `MYPAGE_BENCH_DATABASE_URL` — and drives it over HTTP with concurrent clients.
//!
//! It prints, per scenario, requests per second, median and 99th-percentile latency, and the ratio of each
//! scenario's throughput to `/healthz` (the HTTP stack alone), then the server's resident memory. Machines here are
//! shared and noisy: compare the ratios within one run, not seconds between runs.
//!
//! `cargo bench -p mypage-server --bench load` (or `just bench`); `MYPAGE_BENCH_SECONDS` (default 5) and
//! `MYPAGE_BENCH_CLIENTS` (default 16) change the run; `MYPAGE_BENCH_ONLY=<part of a name>` runs only the scenarios
//! whose name contains it (and `/healthz`, the base), e.g. `sessions` to profile the logins.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

use std::collections::BTreeMap;
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

/// What one request got: its status and, for an answer other than the expected one, the `code` of its body.
type Outcome = String;

/// Sends a request and says what it got: `expected` answers count by status alone (their body is not read), any
/// other by status and error `code`, a request that got no answer as `no answer`.
async fn outcome(sent: reqwest::RequestBuilder, expected: u16) -> (bool, Outcome) {
    let Ok(response) = sent.send().await else {
        return (false, "no answer".to_owned());
    };
    let status = response.status().as_u16();
    if status == expected {
        return (true, status.to_string());
    }
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let code = body["code"].as_str().unwrap_or("-").to_owned();
    (false, format!("{status} {code}"))
}

/// Registers an account with a password: a sign-up key request, the key from its mail file, the password.
async fn register(http: &reqwest::Client, base: &str, data: &Path, email: &str, consent: &Value) {
    let asked: Value = http
        .post(format!("{base}/api/v1/auth-keys"))
        .json(&json!({"purpose": "sign_up", "email": email, "consent": consent}))
        .send()
        .await
        .expect("a key request")
        .json()
        .await
        .expect("json");
    let mut key = None;
    for _ in 0..500 {
        key = key_in_mail_files(data, email);
        if key.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let entry = json!({"flow_token": asked["flow_token"], "auth_key": key.expect("the key mail"), "password": PASSWORD, "confirmation": PASSWORD});
    let registered = http.post(format!("{base}/api/v1/passwords")).json(&entry).send().await.expect("password");
    assert_eq!(registered.status(), 201, "the bench account is registered");
}

struct Figures {
    name: &'static str,
    /// The server's resident memory after the scenario, in MiB.
    rss_after: f64,
    requests: usize,
    failures: usize,
    /// How many requests got each outcome, expected or not: nothing is hidden.
    outcomes: BTreeMap<Outcome, usize>,
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

/// Runs `clients` loops of `request(client, n)` for `seconds` (`client` is the loop's index, `n` counts every
/// request); each request returns whether it succeeded and what it got.
async fn run<F, Fut>(name: &'static str, pid: u32, clients: u64, seconds: u64, request: F) -> Figures
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (bool, Outcome)> + Send,
{
    let request = Arc::new(request);
    let counter = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for client in 0..usize::try_from(clients).expect("a number of clients") {
        let (request, counter) = (Arc::clone(&request), Arc::clone(&counter));
        tasks.spawn(async move {
            let (mut latencies, mut failures, mut outcomes) = (Vec::new(), 0, BTreeMap::<Outcome, usize>::new());
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let (ok, got) = request(client, n).await;
                latencies.push(t.elapsed());
                failures += usize::from(!ok);
                *outcomes.entry(got).or_default() += 1;
            }
            (latencies, failures, outcomes)
        });
    }
    let mut figures = Figures {
        name,
        rss_after: 0.0,
        requests: 0,
        failures: 0,
        outcomes: BTreeMap::new(),
        seconds: 0.0,
        latencies: Vec::new(),
    };
    while let Some(done) = tasks.join_next().await {
        let (latencies, failures, outcomes) = done.expect("a client task");
        figures.requests += latencies.len();
        figures.failures += failures;
        figures.latencies.extend(latencies);
        for (got, n) in outcomes {
            *figures.outcomes.entry(got).or_default() += n;
        }
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

    // One account per client to log in with, each client from its own loopback address, as real logins come: one
    // account logging in 16 times at once from one address meets the per-account limit (R13), which counts every
    // attempt not yet finished, and is right to.
    let terms: Value =
        http.get(format!("{base}/api/v1/terms")).send().await.expect("terms").json().await.expect("json");
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": terms["privacy_policy_version"], "mypage_terms_version": terms["mypage_terms_version"],
    });
    // Registered 16 at once (below the hashing queue's bound): each waits for its key's mail, which the dispatcher
    // writes in batches.
    for first in (0..clients).step_by(16) {
        let mut registering = tokio::task::JoinSet::new();
        for i in first..clients.min(first + 16) {
            let (http, base, data, consent) = (http.clone(), base.clone(), data.path().to_owned(), consent.clone());
            registering
                .spawn(async move { register(&http, &base, &data, &format!("bench{i}@example.jp"), &consent).await });
        }
        while let Some(done) = registering.join_next().await {
            done.expect("a registration");
        }
    }
    let mut logins = Vec::new();
    for i in 0..clients {
        let email = format!("bench{i}@example.jp");
        let address = std::net::Ipv4Addr::from(
            u32::from(std::net::Ipv4Addr::new(127, 0, 1, 0)) + u32::try_from(i).expect("few clients"),
        );
        let from =
            reqwest::Client::builder().local_address(std::net::IpAddr::V4(address)).build().expect("an HTTP client");
        logins.push((from, email));
    }
    let logins = Arc::new(logins);

    let get = |path: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        move |_, _| {
            let (http, url) = (http.clone(), format!("{base}{path}"));
            async move { outcome(http.get(url), 200).await }
        }
    };
    // `/healthz` always runs: it is the ratios' base.
    let only = std::env::var("MYPAGE_BENCH_ONLY").unwrap_or_default();
    let wanted = |name: &str| name.contains(&only);
    let mut results = vec![run("GET /healthz (HTTP stack alone)", pid, clients, seconds, get("/healthz")).await];
    for (name, path) in [("GET / (top page, new session)", "/"), ("GET /api/v1/terms (database read)", "/api/v1/terms")]
    {
        if wanted(name) {
            results.push(run(name, pid, clients, seconds, get(path)).await);
        }
    }
    let (h, b, c) = (http.clone(), base.clone(), consent.clone());
    if wanted("POST /api/v1/auth-keys") {
        results.push(
            run("POST /api/v1/auth-keys (write + outbox)", pid, clients, seconds, move |_, n| {
                let (http, url) = (h.clone(), format!("{b}/api/v1/auth-keys"));
                let body = json!({"purpose": "sign_up", "email": format!("load{n}@example.jp"), "consent": c});
                async move { outcome(http.post(url).json(&body), 202).await }
            })
            .await,
        );
    }
    let (b, logins) = (base.clone(), Arc::clone(&logins));
    if wanted("POST /api/v1/sessions") {
        results.push(
            run("POST /api/v1/sessions (argon2id login)", pid, clients, seconds, move |client, _| {
                let (http, email) = logins[client].clone();
                let url = format!("{b}/api/v1/sessions");
                async move {
                    let body = json!({"email": email, "password": PASSWORD});
                    outcome(http.post(url).json(&body), 201).await
                }
            })
            .await,
        );
    }
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
    println!("answers per scenario (status, and the error code of any unexpected one):");
    for f in &results {
        let counts: Vec<String> = f.outcomes.iter().map(|(got, n)| format!("{got}: {n}")).collect();
        println!("  {:<40} {}", f.name, counts.join(", "));
    }
    println!("server memory: {idle_rss:.1} MiB idle, {rss:.1} MiB after the run, {peak:.1} MiB at its peak");
    let _ = server.kill().await;
}
