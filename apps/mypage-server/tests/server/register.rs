//! R18 with the real binary, as an office starts: a fresh data folder without the demo, `office add`, `staff add`,
//! then `establishments import` of a Shift_JIS (CP932) register of 1,000 lines of which 3 are wrong: reported by
//! line number with nothing imported, imported without them on `--skip-invalid`, unchanged the second time; then
//! case A on an imported number and case B's history step naming one, over the API.

use std::path::Path;
use std::process::{Output, Stdio};

use mypage_testkit::TEST_PASSWORD;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::e2e::{Backend, Instance};

/// The lines (1-based, the header being line 1) of the three wrong establishments.
const WRONG: [usize; 3] = [101, 501, 901];

/// The register: a header and 1,000 establishments of office 1301, written in Shift_JIS with Windows line breaks
/// as an office's system exports it; the lines of [`WRONG`] have a short number, no name, a bad postal code.
fn register() -> Vec<u8> {
    let mut text = String::from("事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\r\n");
    for i in 1..=1000_usize {
        let number = format!("1301-{i:06}-1");
        let line = match i + 1 {
            101 => "1301-12,株式会社短番号,,,,".to_owned(),
            501 => format!("{number},,メイショウナシ,,,"),
            901 => format!("{number},株式会社郵便,,12,東京都新宿区,"),
            _ => format!(
                "{number},株式会社テスト{i},テスト,162-0846,東京都新宿区市谷左内町{i},03-5211-{:04}",
                i % 10_000
            ),
        };
        text.push_str(&line);
        text.push_str("\r\n");
    }
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable, "the test register is all Shift_JIS");
    bytes.into_owned()
}

/// Runs a command of the binary on `data` without the demo; `stdin` is written to its standard input.
async fn command(data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mypage-server"))
        .args(args)
        .env("MYPAGE_DATA_DIR", data)
        .env("MYPAGE_DEMO", "false")
        .env("MYPAGE_METRICS", "false")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_SMTP_HOST")
        .env_remove("MYPAGE_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server binary starts");
    let mut input = child.stdin.take().expect("a standard input");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).await.expect("the input is written");
    }
    drop(input);
    child.wait_with_output().await.expect("the command ends")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn r18_an_office_loads_its_shift_jis_register_reports_three_bad_lines_and_cases_a_and_b_use_it() {
    let data = tempfile::tempdir().expect("a temporary folder");
    let file = data.path().join("register.csv");
    std::fs::write(&file, register()).expect("the register is written");
    let file = file.to_str().expect("a UTF-8 path");

    let office = command(data.path(), &["office", "add", "1301", "ハローワーク飯田橋", "03-3812-8609"], None).await;
    assert!(office.status.success(), "{}", String::from_utf8_lossy(&office.stderr));
    for (login, role) in [("iidabashi.counter", "counter"), ("central.admin", "central_admin")] {
        let added = command(data.path(), &["staff", "add", "1301", login, "職員", role], Some(TEST_PASSWORD)).await;
        assert!(added.status.success(), "{login}: {}", String::from_utf8_lossy(&added.stderr));
    }

    let first = command(data.path(), &["establishments", "import", file], None).await;
    let printed = stdout(&first);
    assert!(!first.status.success(), "a rejected line fails the command: {printed}");
    let reported: Vec<&str> = printed.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(reported.len(), 3, "{printed}");
    for (line, wrong) in reported.iter().zip(WRONG) {
        assert!(line.starts_with(&format!("line {wrong}")), "{line}");
    }
    assert!(printed.contains("Shift_JIS (CP932)"), "{printed}");
    assert_eq!(printed.lines().last(), Some("imported 0, updated 0, unchanged 0, rejected 3"));

    let dry = command(data.path(), &["establishments", "import", file, "--skip-invalid", "--dry-run"], None).await;
    assert_eq!(stdout(&dry).lines().last(), Some("imported 997, updated 0, unchanged 0, rejected 3"));
    let skipping = command(data.path(), &["establishments", "import", file, "--skip-invalid"], None).await;
    assert_eq!(stdout(&skipping).lines().last(), Some("imported 997, updated 0, unchanged 0, rejected 3"));
    let again = command(data.path(), &["establishments", "import", file, "--skip-invalid"], None).await;
    assert_eq!(stdout(&again).lines().last(), Some("imported 0, updated 0, unchanged 997, rejected 3"));

    let backend = Backend::sqlite(data.path());
    let server = Instance::start_with_demo(&backend, data.path(), mypage_testenv::free_port(), false).await;
    let admin = server.staff_login("central.admin", TEST_PASSWORD).await;
    for kind in ["privacy_policy", "mypage_terms"] {
        let terms = json!({"kind": kind, "body": "第1版"});
        let (status, body) = server.call("POST", "/staff/admin/terms", Some(&admin), Some(terms)).await;
        assert_eq!(status, 201, "{body}");
    }

    // Case A on an imported number.
    let counter = server.staff_login("iidabashi.counter", TEST_PASSWORD).await;
    let at_counter = json!({"email": "iroha@example.jp", "establishment_number": "1301-000002-1"});
    let (status, body) = server.call("POST", "/staff/counter-registrations", Some(&counter), Some(at_counter)).await;
    assert_eq!(status, 201, "{body}");
    let flow = server.request_key("open_mypage", "iroha@example.jp").await;
    let key = backend.mailbox.key_for("iroha@example.jp", 0).await;
    assert_eq!(server.register_password(&flow, &key).await, "active");

    // Case B's history step, naming another imported number.
    let flow = server.request_key("sign_up", "nihohe@example.jp").await;
    let key = backend.mailbox.key_for("nihohe@example.jp", 0).await;
    assert_eq!(server.register_password(&flow, &key).await, "provisional");
    let token = server.login("nihohe@example.jp").await;
    let history = json!({"kind": "past", "establishment_number": "1301-000003-1"});
    server.put(&token, "/mypage/registration/history", history).await;
}
