//! The office's own settings and no demo in production (issue 12): a configured help desk reaches the pages and the
//! mails, the demo loads only on the embedded default (its offices with their areas), and a server with secure
//! cookies refuses a database that holds the demo's staff, on SQLite and on PostgreSQL.

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::{get, wait_ready};

/// The binary on a data folder, with nothing of the caller's environment that would change what it does.
fn server(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mypage-server"));
    command
        .env("MYPAGE_DATA_DIR", data)
        // The metrics' default address is one per machine, and tests run side by side.
        .env("MYPAGE_METRICS", "false")
        .env("RUST_BACKTRACE", "0")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_SMTP_HOST")
        .env_remove("MYPAGE_CONFIG")
        .env_remove("MYPAGE_DEMO")
        .env_remove("MYPAGE_SECURE_COOKIES")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// Runs a command to its end with `input` on standard input. A server that should have refused to start but serves
/// instead would never end: the bound turns that into a failure.
async fn run(mut command: Command, input: &str) -> Output {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).await.expect("write standard input");
    drop(stdin);
    tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the command ends by itself")
        .expect("it ends")
}

fn said(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `serve` with secure cookies, as production runs it: it refuses a database with the demo's staff before it
/// listens, naming them.
async fn assert_refused_with_secure_cookies(data: &Path, database_url: Option<&str>) {
    let mut command = server(data);
    command.env("MYPAGE_SECURE_COOKIES", "true").env("MYPAGE_LISTEN", format!("127.0.0.1:{}", crate::free_port()));
    if let Some(url) = database_url {
        command.env("MYPAGE_DATABASE_URL", url);
    }
    let refused = run(command, "").await;
    let message = said(&refused);
    assert!(!refused.status.success(), "{message}");
    assert!(message.contains("this database holds the demo's staff"), "{message}");
    assert!(message.contains("iidabashi.counter") && message.contains("central.admin"), "{message}");
    assert!(!message.contains("Demo-"), "the demo password never reaches a message: {message}");
}

#[tokio::test]
async fn a_configured_help_desk_is_on_the_top_page_and_in_the_key_mail_instead_of_the_default() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = crate::free_port();
    let mut command = server(data.path());
    command
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MYPAGE_HELP_DESK_NAME", "飯田橋マイページ相談窓口")
        .env("MYPAGE_HELP_DESK_PHONE", "03-3812-8609")
        .env("MYPAGE_HELP_DESK_HOURS", "平日 8:30～17:15")
        .env("MYPAGE_HELP_DESK_PHONE_NOTE", "none")
        .env("MYPAGE_HELP_DESK_EMAIL", "soudan@iidabashi.example.jp")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut serving = command.spawn().expect("the server starts");
    assert!(wait_ready(port).await, "the server answers /healthz");
    let (_, top) = get(port, "/").await.expect("the top page answers");
    for shown in ["飯田橋マイページ相談窓口", "03-3812-8609", "平日 8:30～17:15", "soudan@iidabashi.example.jp"]
    {
        assert!(top.contains(shown), "{shown} on the top page");
    }
    assert!(!top.contains("0570-077450") && !top.contains("ナビダイヤル") && !top.contains("helpdesk@"));

    // A key mail for a sign-up (R3): the demo published the terms, which the request agrees to.
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let terms: Value = http.get(format!("{base}/terms")).send().await.expect("terms").json().await.expect("json");
    // The demo's offices come with their areas (管轄区域): an island of Tokyo is ハローワーク飯田橋's.
    // 東京都 and 青ヶ島村, percent-encoded.
    let place = "prefecture=%E6%9D%B1%E4%BA%AC%E9%83%BD&municipality=%E9%9D%92%E3%83%B6%E5%B3%B6%E6%9D%91";
    let found = http.get(format!("{base}/offices?{place}")).send().await.expect("offices");
    let found: Value = found.json().await.expect("json");
    assert_eq!(found, json!([{"code": "1301", "name": "ハローワーク飯田橋", "phone": "03-3812-8609"}]));
    let consent = json!({
        "privacy_policy_agreed": true, "mypage_terms_agreed": true,
        "privacy_policy_version": terms["privacy_policy_version"],
        "mypage_terms_version": terms["mypage_terms_version"],
    });
    let request = json!({"purpose": "sign_up", "email": "saiyou@example.jp", "consent": consent});
    let asked = http.post(format!("{base}/auth-keys")).json(&request).send().await.expect("a key request");
    assert_eq!(asked.status().as_u16(), 202);
    let mail = wait_for_mail(&data.path().join("mail")).await.expect("the key mail is written");
    assert!(mail.contains("認証キー："), "{mail}");
    assert!(
        mail.contains("飯田橋マイページ相談窓口\n電話：03-3812-8609\n受付日時：平日 8:30～17:15\nメール：soudan@iidabashi.example.jp\n"),
        "{mail}"
    );
    assert!(!mail.contains("0570-077450"), "{mail}");
    let _ = serving.kill().await;
}

/// The text of the first mail the file transport writes, waiting for the dispatcher (which polls its queue).
async fn wait_for_mail(folder: &Path) -> Option<String> {
    mypage_testenv::eventually(Duration::from_secs(30), || async {
        let written = std::fs::read_dir(folder).ok().and_then(|entries| {
            entries.filter_map(Result::ok).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "txt"))
        });
        written.and_then(|path| std::fs::read_to_string(path).ok())
    })
    .await
}

#[tokio::test]
async fn with_secure_cookies_the_server_refuses_the_demo_staff_but_serves_an_office_of_its_own() {
    let demo = tempfile::tempdir().expect("a temporary folder");
    let loaded = run(
        {
            let mut c = server(demo.path());
            c.arg("demo");
            c
        },
        "",
    )
    .await;
    assert!(loaded.status.success() && said(&loaded).contains("demo data loaded"), "{}", said(&loaded));
    assert_refused_with_secure_cookies(demo.path(), None).await;
    let mut asked = server(demo.path());
    asked.env("MYPAGE_SECURE_COOKIES", "true").env("MYPAGE_DEMO", "true").arg("check-config");
    let asked = run(asked, "").await;
    assert!(!asked.status.success() && said(&asked).contains("MYPAGE_DEMO: the demo's staff share one password"));

    // An office of its own, with a first admin named as the demo names its own: not the demo.
    let own = tempfile::tempdir().expect("a temporary folder");
    for (args, input) in [
        (&["office", "add", "1301", "ハローワーク飯田橋", "03-3812-8609"][..], ""),
        (&["staff", "add", "1301", "central.admin", "全体 管理", "central_admin"][..], "Central#Admin2026\n"),
    ] {
        let mut c = server(own.path());
        c.env("MYPAGE_SECURE_COOKIES", "true").args(args);
        let done = run(c, input).await;
        assert!(done.status.success(), "{}", said(&done));
    }
    let port = crate::free_port();
    let mut c = server(own.path());
    c.env("MYPAGE_SECURE_COOKIES", "true")
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut serving = c.spawn().expect("the server starts");
    assert!(wait_ready(port).await, "a database without the demo is served");
    assert!(!own.path().join("demo-staff.txt").exists(), "secure cookies never load the demo");
    let _ = serving.kill().await;
}

#[tokio::test]
async fn on_postgresql_the_server_starts_without_the_demo_and_refuses_it_with_secure_cookies_once_loaded() {
    let pg = match mypage_testenv::postgres::database().await {
        Ok(pg) => pg,
        Err(why) => {
            mypage_testenv::skip(&format!("PostgreSQL is not available: {why}"));
            return;
        }
    };
    let data = tempfile::tempdir().expect("a temporary folder");
    let port = crate::free_port();
    let mut command = server(data.path());
    command
        .env("MYPAGE_DATABASE_URL", &pg.url)
        .env("MYPAGE_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut serving = command.spawn().expect("the server starts");
    assert!(wait_ready(port).await, "the server answers /healthz");
    let (status, _) = get(port, "/api/v1/terms").await.expect("the terms answer");
    assert!(status.contains(" 503 "), "no demo, so no terms published: {status}");
    let (_, offices) = get(port, "/api/v1/offices").await.expect("the offices answer");
    assert_eq!(offices.trim(), "[]", "no demo, so no office");
    let _ = serving.kill().await;
    assert!(!data.path().join("demo-staff.txt").exists(), "no demo staff were made");
    for table in ["offices", "staff", "establishments", "terms"] {
        assert_eq!(pg.rows(table).await, Ok(0), "no demo, so nothing in {table}");
    }

    // Asked for, the demo loads into that empty database (no office, no staff login taken); production refuses it.
    let mut demo = server(data.path());
    demo.env("MYPAGE_DATABASE_URL", &pg.url).arg("demo");
    let loaded = run(demo, "").await;
    assert!(loaded.status.success() && said(&loaded).contains("demo data loaded"), "{}", said(&loaded));
    assert_refused_with_secure_cookies(data.path(), Some(&pg.url)).await;
    pg.drop_database().await;
}

#[tokio::test]
async fn the_demo_command_refuses_a_deployment_served_with_secure_cookies() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let mut demo = server(data.path());
    demo.env("MYPAGE_SECURE_COOKIES", "true").arg("demo");
    let refused = run(demo, "").await;
    assert!(!refused.status.success(), "{}", said(&refused));
    assert!(said(&refused).contains("the demo's staff share one password"), "{}", said(&refused));
    assert!(!data.path().join("demo-staff.txt").exists(), "no demo staff were made");
}
