//! Import benchmark of the establishment register (R18): the release binary's `establishments import` of a
//! 100,000-line file, on SQLite in a temporary data folder and on PostgreSQL (a throwaway database of the test
//! environment), first into an empty register, then the same file again (every line unchanged).
//!
//! It prints, per database and run, the seconds and lines per second, and the ratio of the second run to the first.
//! Machines here are shared and noisy: compare the ratios within one run, not seconds between runs.
//!
//! `cargo bench -p mypage-server --bench register` (or `just bench-register`); `MYPAGE_BENCH_LINES` (default
//! 100000) changes the size.
#![expect(clippy::expect_used, clippy::print_stdout, reason = "a benchmark prints its figures and stops on a failure")]

use std::path::Path;
use std::time::Instant;

use tokio::process::Command;

/// Runs a command of the binary on `data` (and `database`, when given); panics when it fails unexpectedly.
async fn run(data: &Path, database: Option<&str>, args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mypage-server"));
    command
        .args(args)
        .env("MYPAGE_DATA_DIR", data)
        .env("MYPAGE_DEMO", "false")
        .env("MYPAGE_METRICS", "false")
        .env("MYPAGE_LOG", "warn")
        .env_remove("MYPAGE_DATABASE_URL")
        .env_remove("MYPAGE_CONFIG");
    if let Some(url) = database {
        command.env("MYPAGE_DATABASE_URL", url);
    }
    let output = command.output().await.expect("the binary runs");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A register of `lines` establishments of office 1301, every column filled.
fn register(lines: usize) -> String {
    let mut text = String::from("事業所番号,事業所名称,事業所名称フリガナ,郵便番号,所在地,電話番号\n");
    for i in 1..=lines {
        text.push_str(&format!(
            "1301-{i:06}-1,株式会社ベンチ{i},ベンチ,162-0846,東京都新宿区市谷左内町{i},03-5211-{:04}\n",
            i % 10_000
        ));
    }
    text
}

async fn bench(name: &str, database: Option<&str>, file: &Path, lines: usize) {
    let data = tempfile::tempdir().expect("a temporary folder");
    run(data.path(), database, &["office", "add", "1301", "ハローワーク飯田橋"]).await;
    let file = file.to_str().expect("a UTF-8 path");
    let mut seconds = Vec::new();
    for run_name in ["empty register", "same file again"] {
        let started = Instant::now();
        let printed = run(data.path(), database, &["establishments", "import", file]).await;
        let elapsed = started.elapsed().as_secs_f64();
        seconds.push(elapsed);
        let summary = printed.lines().last().unwrap_or_default().to_owned();
        #[expect(clippy::cast_precision_loss, reason = "a line count far below 2^52")]
        let rate = lines as f64 / elapsed;
        println!("{name:<10} {run_name:<16} {elapsed:>7.2} s  {rate:>9.0} lines/s  ({summary})");
    }
    println!("{name:<10} second run / first run: {:.2}", seconds[1] / seconds[0]);
}

#[tokio::main]
async fn main() {
    let lines = std::env::var("MYPAGE_BENCH_LINES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let file = folder.path().join("register.csv");
    std::fs::write(&file, register(lines)).expect("the file is written");
    println!("establishments import of {lines} lines (the process's start and migrations included)");
    bench("SQLite", None, &file, lines).await;
    match mypage_testenv::postgres::database().await {
        Ok(pg) => bench("PostgreSQL", Some(&pg.url), &file, lines).await,
        Err(why) => println!("PostgreSQL   not measured: {why}"),
    }
}
