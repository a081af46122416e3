//! The server's transport, attacked as a client would: `/metrics` only on its own listener (R8), the security
//! headers on every response and HSTS behind TLS, a request that stalls in its headers or its body cut at its
//! timeout, a kept-alive connection closed once idle, and the bound on open connections.
//!
//! Each test waits on a condition (the server closing a connection, an answer) with a bound, never on a fixed sleep
//! longer than the timeout under test.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

use crate::{free_port, wait_ready};

/// The server on `port`, with the embedded defaults, metrics off unless `settings` say otherwise, and `settings`.
fn start(data: &Path, port: u16, settings: &[(&str, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .env("MYPAGE_DATA_DIR", data)
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MYPAGE_METRICS", "false")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_SMTP_HOST")
        .env_remove("MYPAGE_CONFIG")
        .envs(settings.iter().map(|(name, value)| (*name, value.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts")
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect(("127.0.0.1", port)).await.expect("the server accepts the connection")
}

/// Reads until the server closes the connection, waiting at most `limit`: what it sent before closing, or `None`
/// if the connection is still open.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    // End of stream or a reset: closed either way.
    let _closed = tokio::time::timeout(limit, stream.read_to_end(&mut got)).await.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

/// One GET on a kept-alive connection: its status line, once the whole answer is in (at most 10 seconds).
async fn exchange(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("the request is sent");
    let read = async {
        let mut got = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            let n = stream.read(&mut chunk).await.expect("the answer is read");
            assert!(n > 0, "the server closed the connection before answering");
            got.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&got);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head
                    .lines()
                    .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .expect("a content length");
                if body.len() >= length {
                    return head.lines().next().unwrap_or_default().to_owned();
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read).await.expect("an answer within 10 seconds")
}

async fn terminate(server: &mut Child) {
    let pid = server.id().expect("a running server has a pid");
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    assert!(killed.success());
}

#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_the_public_one_answers_404() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let (port, metrics_port) = (free_port(), free_port());
    let _server = start(
        data.path(),
        port,
        &[("MYPAGE_METRICS", "true".into()), ("MYPAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))],
    );
    assert!(wait_ready(port).await);
    let http = reqwest::Client::new();
    let public = http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.expect("the site answers");
    assert_eq!(public.status(), 404, "the public listener serves no metrics");
    let body = public.text().await.expect("a body");
    assert!(!body.contains("mypage_mail_queue_depth"), "{body}");
    let scrape = http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("the metrics listener answers");
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.expect("the metrics");
    for expected in
        ["mypage_mail_queue_depth{state=\"pending\"} 0", "mypage_mails_sent_total 0", "mypage_database_up 1"]
    {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    let site = http.get(format!("http://127.0.0.1:{metrics_port}/")).send().await.expect("an answer");
    assert_eq!(site.status(), 404, "the metrics listener serves nothing of the site");
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_hsts_when_the_site_is_served_over_tls() {
    let expected = [
        ("content-security-policy", "default-src 'self'"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ];
    let http = reqwest::Client::new();
    for tls in [false, true] {
        let data = tempfile::tempdir().expect("a temporary folder");
        let (port, metrics_port) = (free_port(), free_port());
        let _server = start(
            data.path(),
            port,
            &[
                ("MYPAGE_METRICS", "true".into()),
                ("MYPAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}")),
                ("MYPAGE_SECURE_COOKIES", tls.to_string()),
            ],
        );
        assert!(wait_ready(port).await);
        let site = format!("http://127.0.0.1:{port}");
        let metrics = format!("http://127.0.0.1:{metrics_port}");
        for (method, url, status) in [
            ("GET", format!("{site}/healthz"), 200),
            ("GET", format!("{site}/readyz"), 200),
            ("POST", format!("{site}/healthz"), 405),
            ("GET", format!("{site}/metrics"), 404),
            ("GET", format!("{site}/"), 200),
            ("GET", format!("{site}/login"), 200),
            ("GET", format!("{metrics}/metrics"), 200),
            ("GET", format!("{metrics}/anything"), 404),
        ] {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
            let response = http.request(method.clone(), &url).send().await.expect("an answer");
            let what = format!("{method} {url} (TLS {tls})");
            assert_eq!(response.status().as_u16(), status, "{what}");
            let headers = response.headers();
            for (name, value) in expected {
                let got = headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default();
                assert!(got.contains(value), "{what}: {name} is {got:?}");
            }
            let hsts = headers.get("strict-transport-security").and_then(|v| v.to_str().ok());
            if tls {
                assert_eq!(hsts, Some("max-age=31536000; includeSubDomains"), "{what}");
            } else {
                assert_eq!(hsts, None, "{what}: no HSTS over plain HTTP");
            }
        }
    }
}

#[tokio::test]
async fn a_request_that_stops_in_its_line_or_headers_is_cut_at_the_header_timeout() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let _server = start(
        data.path(),
        port,
        &[("MYPAGE_HEADER_TIMEOUT_SECONDS", "1".into()), ("MYPAGE_IDLE_TIMEOUT_SECONDS", "60".into())],
    );
    assert!(wait_ready(port).await);
    let mut silent = connect(port).await;
    let mut half_line = connect(port).await;
    half_line.write_all(b"GET /log").await.expect("sent");
    let mut half_headers = connect(port).await;
    half_headers.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slo").await.expect("sent");
    let opened = Instant::now();
    for (what, stream) in
        [("nothing", &mut silent), ("half a line", &mut half_line), ("half the headers", &mut half_headers)]
    {
        let answer = read_until_closed(stream, Duration::from_secs(10)).await;
        assert_eq!(answer.as_deref(), Some(""), "a connection that sent {what} is closed, unanswered, within 10 s");
    }
    assert!(opened.elapsed() >= Duration::from_millis(900), "not before the timeout: {:?}", opened.elapsed());

    // A request whose parts arrive within the timeout is served.
    let mut slow = connect(port).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\n").await.expect("sent");
    // The client's own pace, the input under test (not a wait for the server): a pause far inside the timeout.
    tokio::time::sleep(Duration::from_millis(100)).await;
    slow.write_all(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n").await.expect("sent");
    let answer = read_until_closed(&mut slow, Duration::from_secs(10)).await.expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
}

#[tokio::test]
async fn a_body_that_stops_half_way_is_answered_408_at_the_body_timeout_and_its_connection_closed() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let _server = start(
        data.path(),
        port,
        &[
            ("MYPAGE_BODY_TIMEOUT_SECONDS", "1".into()),
            ("MYPAGE_HEADER_TIMEOUT_SECONDS", "60".into()),
            ("MYPAGE_IDLE_TIMEOUT_SECONDS", "60".into()),
        ],
    );
    assert!(wait_ready(port).await);
    for path in ["/login", "/api/v1/auth/login"] {
        let mut stream = connect(port).await;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("sent");
        stream.write_all(b"email=owner%40example.jp&pass").await.expect("sent");
        let sent = Instant::now();
        let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
        let answer = answer.unwrap_or_else(|| panic!("{path}: the connection is closed within 10 s"));
        assert!(answer.starts_with("HTTP/1.1 408 "), "{path}: {answer}");
        assert!(sent.elapsed() >= Duration::from_millis(900), "{path}: not before the timeout");
    }
}

#[tokio::test]
async fn a_kept_alive_connection_outlives_the_header_timeout_and_is_closed_at_the_idle_timeout() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let _server = start(
        data.path(),
        port,
        &[("MYPAGE_HEADER_TIMEOUT_SECONDS", "1".into()), ("MYPAGE_IDLE_TIMEOUT_SECONDS", "3".into())],
    );
    assert!(wait_ready(port).await);
    let mut kept = connect(port).await;
    assert!(exchange(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200 "));
    // The client's own idleness, the input under test: longer than the header timeout, shorter than the idle
    // timeout, so that the header timeout is shown not to run while a kept-alive connection is idle.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(exchange(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200 "));
    let answered = Instant::now();
    let rest = read_until_closed(&mut kept, Duration::from_secs(10)).await;
    assert_eq!(rest.as_deref(), Some(""), "closed, without another answer, within 10 s");
    assert!(answered.elapsed() >= Duration::from_millis(2500), "not before the idle timeout: {:?}", answered.elapsed());
}

#[tokio::test]
async fn past_the_connection_bound_a_new_connection_waits_until_one_closes_and_a_stop_does_not_wait_for_idle_ones() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let mut server = start(
        data.path(),
        port,
        &[
            ("MYPAGE_MAX_CONNECTIONS", "2".into()),
            ("MYPAGE_HEADER_TIMEOUT_SECONDS", "60".into()),
            ("MYPAGE_IDLE_TIMEOUT_SECONDS", "60".into()),
        ],
    );
    assert!(wait_ready(port).await);
    let mut first = connect(port).await;
    assert!(exchange(&mut first, "/healthz").await.starts_with("HTTP/1.1 200 "));
    let mut second = connect(port).await;
    assert!(exchange(&mut second, "/healthz").await.starts_with("HTTP/1.1 200 "));
    let mut third = connect(port).await;
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").await.expect("sent");
    let mut byte = [0; 1];
    let early = tokio::time::timeout(Duration::from_secs(1), third.read(&mut byte)).await;
    assert!(early.is_err(), "a third connection is not served while two are open: {early:?}");
    drop(first);
    let answer = read_until_closed(&mut third, Duration::from_secs(10)).await.expect("served once one closed");
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    assert!(exchange(&mut second, "/healthz").await.starts_with("HTTP/1.1 200 "), "the open one still serves");

    // A stop closes the idle connection at once instead of waiting for its timeout or the grace period.
    terminate(&mut server).await;
    let exit = tokio::time::timeout(Duration::from_secs(5), server.wait()).await.expect("stops within 5 s");
    assert!(exit.expect("it exits").success());
    assert_eq!(read_until_closed(&mut second, Duration::from_secs(5)).await.as_deref(), Some(""));
}

#[tokio::test]
async fn the_transport_settings_have_defaults_and_ranges_and_a_metrics_address_in_use_is_named() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let run = |args: &'static [&'static str], settings: Vec<(&'static str, String)>| {
        let data = data.path().to_owned();
        async move {
            Command::new(env!("CARGO_BIN_EXE_mypage-server"))
                .args(args)
                .env("MYPAGE_DATA_DIR", data)
                .env_remove("MYPAGE_CONFIG")
                .env_remove("MYPAGE_DATABASE_URL")
                .env_remove("MYPAGE_SMTP_HOST")
                .env("RUST_BACKTRACE", "0")
                .envs(settings)
                .stdin(Stdio::null())
                .output()
                .await
                .expect("the binary runs")
        }
    };
    let defaults = run(&["check-config"], vec![]).await;
    let summary = String::from_utf8_lossy(&defaults.stdout);
    for line in [
        "metrics         http://127.0.0.1:9464/metrics",
        "timeouts        headers 10 s, body 30 s, idle 75 s",
        "connections     at most 512",
    ] {
        assert!(summary.contains(line), "{line} in {summary}");
    }
    for (name, bad) in [
        ("MYPAGE_HEADER_TIMEOUT_SECONDS", "0"),
        ("MYPAGE_BODY_TIMEOUT_SECONDS", "301"),
        ("MYPAGE_IDLE_TIMEOUT_SECONDS", "soon"),
        ("MYPAGE_MAX_CONNECTIONS", "0"),
        ("MYPAGE_METRICS_LISTEN", "9464"),
        ("MYPAGE_METRICS_LISTEN", "127.0.0.1:8080"),
    ] {
        let refused = run(&["check-config"], vec![(name, bad.to_owned())]).await;
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success() && message.contains(name), "{name}={bad}: {message}");
    }

    // The metrics' address taken by another program stops the server with the setting's name.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("its address").to_string();
    let port = free_port().to_string();
    let settings = vec![("MYPAGE_LISTEN", format!("127.0.0.1:{port}")), ("MYPAGE_METRICS_LISTEN", address)];
    let stopped = tokio::time::timeout(Duration::from_secs(60), run(&[], settings)).await.expect("it stops");
    let message = String::from_utf8_lossy(&stopped.stderr);
    assert!(!stopped.status.success() && message.contains("MYPAGE_METRICS_LISTEN"), "{message}");
}
