//! The real binary, started as a newcomer would on its embedded defaults (SQLite and mail files in a data folder):
//! it serves the top page, `/healthz` and `/readyz`, loads the demo, and stops cleanly on SIGTERM.
#![expect(clippy::expect_used, reason = "tests fail at once with the reason")]

mod e2e;
mod office;
mod register;
mod transport;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18_181)
}

/// One GET over a plain TCP connection: the status line and the body.
async fn get(port: u16, path: &str) -> Option<(String, String)> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    Some((head.lines().next()?.to_owned(), body.to_owned()))
}

async fn start(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .env("MYPAGE_DATA_DIR", data)
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        // The metrics' default address is one per machine, and tests run side by side.
        .env("MYPAGE_METRICS", "false")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_SMTP_HOST")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server binary starts")
}

async fn wait_ready(port: u16) -> bool {
    let ready = || async { get(port, "/healthz").await.filter(|(status, _)| status.contains(" 200 ")) };
    mypage_testenv::eventually(Duration::from_secs(20), ready).await.is_some()
}

#[tokio::test]
async fn the_server_starts_on_its_embedded_defaults_serves_the_site_and_stops_on_sigterm() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let mut server = start(data.path(), port).await;
    assert!(wait_ready(port).await, "the server answers /healthz");
    let (status, body) = get(port, "/readyz").await.expect("readyz answers");
    assert!(status.contains(" 200 ") && body.contains("ready"), "{status} {body}");
    let (status, body) = get(port, "/").await.expect("the top page answers");
    assert!(status.contains(" 200 "), "{status}");
    assert!(
        body.contains("求人者マイページ開設（パスワード登録）") && body.contains("事業所登録・求人申し込み（仮登録）")
    );
    // Seed 002's help desk, by default.
    assert!(body.contains("月曜～金曜 9:30～18:00（年末年始、祝日除く）"), "the help desk's hours on the top page");
    assert!(body.contains("helpdesk@hd.hellowork.mhlw.go.jp") && body.contains("ナビダイヤル"));
    let (_, terms) = get(port, "/start/signup").await.expect("the terms page answers");
    assert!(terms.contains("プライバシーポリシー（第1版）"), "the demo published the terms");
    assert!(data.path().join("secrets").exists() && data.path().join("mypage.db").exists());
    assert!(data.path().join("demo-staff.txt").exists());

    let pid = server.id().expect("a running server has a pid");
    let killed = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    assert!(killed.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), server.wait()).await.expect("it stops").expect("it exits");
    assert!(exit.success(), "a graceful stop exits with 0, got {exit:?}");

    // A second start on the same data keeps the secrets and does not load the demo twice.
    let secrets = std::fs::read_to_string(data.path().join("secrets")).expect("secrets");
    let mut again = start(data.path(), port).await;
    assert!(wait_ready(port).await);
    assert_eq!(std::fs::read_to_string(data.path().join("secrets")).expect("secrets"), secrets);
    let _ = again.kill().await;
}

#[tokio::test]
async fn a_bad_setting_is_reported_by_its_name_and_a_good_configuration_is_summarised() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let bad = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .arg("check-config")
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_AUTH_KEY_MINUTES", "500")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("the binary runs");
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("MYPAGE_AUTH_KEY_MINUTES"), "{message}");
    let good = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .arg("check-config")
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_AUTH_KEY_MINUTES", "50")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_DEMO")
        .env_remove("MYPAGE_SECURE_COOKIES")
        .output()
        .await
        .expect("the binary runs");
    assert!(good.status.success());
    let summary = String::from_utf8_lossy(&good.stdout);
    assert!(summary.contains("auth key        50 minutes") && summary.contains("configuration is valid"), "{summary}");
    // Every lifetime and limit, with its default.
    for line in [
        "help desk       ハローワークインターネットサービス ヘルプデスク, 0570-077450, 月曜～金曜 9:30～18:00（年末年始、祝日除く）",
        "help desk mail  helpdesk@hd.hellowork.mhlw.go.jp",
        "argon2id        m=19456 KiB, t=2, p=1",
        "load shedding   503 past 64 requests waiting for a password hash, 256 waiting to write (SQLite)",
        "key requests    5 per address per hour",
        "client keys     30 per client per hour, shared by every instance",
        "draft           14 days",
        "session         idle 30 minutes, at most 8 hours",
        "login lockout   5 failures per account, 30 per client, in 15 minutes",
        "demo            on",
    ] {
        assert!(summary.contains(line), "{line} in {summary}");
    }
    let out_of_range = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .arg("check-config")
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_DRAFT_DAYS", "365")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .expect("the binary runs");
    let message = String::from_utf8_lossy(&out_of_range.stderr);
    assert!(!out_of_range.status.success());
    assert!(message.contains("MYPAGE_DRAFT_DAYS: expected a whole number from 1 to 90, got \"365\""), "{message}");
    let on_postgres = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .arg("check-config")
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_DATABASE_URL", "postgres://mypage@db.internal:5432/mypage")
        .env_remove("MYPAGE_DEMO")
        .output()
        .await
        .expect("the binary runs");
    let summary = String::from_utf8_lossy(&on_postgres.stdout);
    assert!(summary.contains("demo            off"), "a database of one's own gets no demo: {summary}");
}

#[tokio::test]
async fn offices_and_staff_are_added_from_the_command_line_with_the_password_on_standard_input() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let run = |args: &'static [&'static str], input: &'static str| {
        let data = data.path().to_owned();
        async move {
            let mut child = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
                .args(args)
                .env("MYPAGE_DATA_DIR", data)
                .env("MYPAGE_DEMO", "false")
                .env("RUST_BACKTRACE", "0")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the binary runs");
            let mut stdin = child.stdin.take().expect("stdin");
            stdin.write_all(input.as_bytes()).await.expect("write the password");
            drop(stdin);
            child.wait_with_output().await.expect("it ends")
        }
    };
    let added = run(&["office", "add", "1302", "ハローワーク新宿"], "").await;
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let again = run(&["office", "add", "1302", "ハローワーク新宿"], "").await;
    assert!(!again.status.success(), "an office code is added once");
    let staff =
        run(&["staff", "add", "1302", "shinjuku.admin", "新宿 管理", "office_admin,reviewer"], "Shinjuku#Admin2026\n")
            .await;
    assert!(staff.status.success(), "{}", String::from_utf8_lossy(&staff.stderr));
    // R14: the command line is the system, which makes central admins too; `admin` alone no longer names a role.
    let central =
        run(&["staff", "add", "1302", "central.admin", "全体 管理", "central_admin"], "Central#Admin2026\n").await;
    assert!(central.status.success(), "{}", String::from_utf8_lossy(&central.stderr));
    let old = run(&["staff", "add", "1302", "shinjuku.old", "新宿 旧", "admin"], "Shinjuku#Admin2026\n").await;
    let said = String::from_utf8_lossy(&old.stderr);
    assert!(!old.status.success() && said.contains("office_admin") && said.contains("central_admin"), "{said}");
    let weak = run(&["staff", "add", "1302", "shinjuku.counter", "新宿 窓口", "counter"], "short\n").await;
    assert!(!weak.status.success(), "the password rule applies to staff too");
    let role = run(&["staff", "add", "1302", "shinjuku.x", "新宿", "boss"], "Shinjuku#Admin2026\n").await;
    assert!(String::from_utf8_lossy(&role.stderr).contains("unknown role"));
}

#[tokio::test]
async fn outbox_requeue_goes_through_the_domain_and_refuses_a_mail_that_is_not_dead() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let run = |args: &'static [&'static str]| {
        let data = data.path().to_owned();
        async move {
            Command::new(env!("CARGO_BIN_EXE_mypage-server"))
                .args(args)
                .env("MYPAGE_DATA_DIR", data)
                .env("MYPAGE_DEMO", "false")
                .env("RUST_BACKTRACE", "0")
                .env_remove("MYPAGE_DATABASE_URL")
                .stdin(Stdio::null())
                .output()
                .await
                .expect("the binary runs")
        }
    };
    let unknown = run(&["outbox", "requeue", "0b7e3c1a-5d2f-4e8a-9c6b-1f2e3d4c5b6a"]).await;
    assert!(!unknown.status.success(), "an unknown mail is not re-queued");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("is not a dead mail"), "{stderr}");
    let without_id = run(&["outbox", "requeue"]).await;
    assert!(String::from_utf8_lossy(&without_id.stderr).contains("give the mail's id"));
}

#[tokio::test]
async fn settings_come_from_a_toml_file_where_a_variable_wins_and_an_unknown_key_is_named() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let file = data.path().join("mypage.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9090\"\nauth_key_minutes = 50\nmetrics = false\nlog_format = \"json\"\nsmtp_host = \"mail.example.jp\"\n",
    )
    .expect("write the file");
    let check = |args: Vec<String>, envs: Vec<(&'static str, String)>| {
        let data = data.path().to_owned();
        async move {
            Command::new(env!("CARGO_BIN_EXE_mypage-server"))
                .args(args)
                .env("MYPAGE_DATA_DIR", data)
                .env_remove("MYPAGE_CONFIG")
                .env_remove("MYPAGE_AUTH_KEY_MINUTES")
                .env_remove("MYPAGE_SMTP_HOST")
                .envs(envs)
                .env("RUST_BACKTRACE", "0")
                .output()
                .await
                .expect("the binary runs")
        }
    };
    let path = file.display().to_string();
    let by_flag = check(vec!["--config".into(), path.clone(), "check-config".into()], vec![]).await;
    let summary = String::from_utf8_lossy(&by_flag.stdout);
    assert!(by_flag.status.success(), "{}", String::from_utf8_lossy(&by_flag.stderr));
    for line in [
        "listen          127.0.0.1:9090",
        "auth key        50 minutes",
        "metrics         off",
        "(json)",
        "SMTP mail.example.jp:587",
    ] {
        assert!(summary.contains(line), "{line} in {summary}");
    }
    let overridden = check(
        vec!["check-config".into()],
        vec![("MYPAGE_CONFIG", path.clone()), ("MYPAGE_AUTH_KEY_MINUTES", "20".into())],
    )
    .await;
    let summary = String::from_utf8_lossy(&overridden.stdout);
    assert!(summary.contains("auth key        20 minutes") && summary.contains("127.0.0.1:9090"), "{summary}");

    std::fs::write(&file, "auth_key_minute = 50\n").expect("write the file");
    let misspelt = check(vec!["check-config".into()], vec![("MYPAGE_CONFIG", path.clone())]).await;
    assert!(!misspelt.status.success());
    assert!(String::from_utf8_lossy(&misspelt.stderr).contains("unknown setting \"auth_key_minute\""));
    std::fs::write(&file, "auth_key_minutes = 500\n").expect("write the file");
    let bad = check(vec!["check-config".into()], vec![("MYPAGE_CONFIG", path)]).await;
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(
        !bad.status.success() && message.contains("auth_key_minutes in") && message.contains("mypage.toml"),
        "{message}"
    );
}

#[tokio::test]
async fn requests_carry_an_id_into_json_logs_and_metrics_count_them_by_route() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let (port, metrics_port) = (free_port(), free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .env("MYPAGE_DATA_DIR", data.path())
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MYPAGE_METRICS_LISTEN", format!("127.0.0.1:{metrics_port}"))
        .env("MYPAGE_LOG_FORMAT", "json")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_SMTP_HOST")
        .env_remove("MYPAGE_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the server starts");
    assert!(wait_ready(port).await);
    let http = reqwest::Client::new();
    let top = http
        .get(format!("http://127.0.0.1:{port}/"))
        .header("x-request-id", "forged-by-the-client")
        .send()
        .await
        .expect("the top page answers");
    let id = top.headers().get("x-request-id").and_then(|v| v.to_str().ok()).expect("a request id").to_owned();
    assert_ne!(id, "forged-by-the-client", "without a trusted proxy, the client's id is not taken");
    let _ = http.get(format!("http://127.0.0.1:{port}/no-such-page-{id}")).send().await;
    let metrics = http.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.expect("metrics answer");
    let text = metrics.text().await.expect("metrics text");
    for expected in [
        "mypage_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1",
        "mypage_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1",
        "mypage_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"} 1",
        "mypage_mail_queue_depth{state=\"pending\"} 0",
        "mypage_mail_queue_depth{state=\"dead\"} 0",
        "mypage_mails_sent_total 0",
        "mypage_mails_dead_total 0",
        "mypage_password_hashes_waiting 0",
        "mypage_requests_shed_total{queue=\"password_hash\"} 0",
        "mypage_requests_shed_total{queue=\"database_writer\"} 0",
        "mypage_database_writers_waiting 0",
        "mypage_database_up 1",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }

    let pid = server.id().expect("a pid");
    std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    let mut out = String::new();
    server.stdout.take().expect("stdout").read_to_string(&mut out).await.expect("read the log");
    let _ = server.wait().await;
    let lines: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    let request = lines
        .iter()
        .find(|l| l["span"]["id"] == id.as_str() && l["fields"]["message"] == "request")
        .unwrap_or_else(|| panic!("a log line of request {id} in {out}"));
    assert_eq!((request["fields"]["status"].as_u64(), request["span"]["path"].as_str()), (Some(200), Some("/")));
    assert!(!out.contains("Demo-"), "the demo password never reaches the log");
}
