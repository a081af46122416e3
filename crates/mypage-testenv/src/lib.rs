//! # mypage-testenv
//!
//! The real services the integration tests of Employer My Page run against, started from Debian's packages on a
//! fresh machine, so that no test needs a container or a download:
//!
//! - [`postgres`]: a fresh database per test on a throwaway PostgreSQL cluster (`initdb` and `pg_ctl` in a
//!   temporary folder, stopped when the test process ends), or on the server of `MYPAGE_TEST_POSTGRES_URL`;
//! - [`smtp::SmtpServer`]: aiosmtpd with a handler that keeps every accepted message as a file.
//!
//! A test that cannot get its service calls [`skip`]: one `SKIP <why>` line and a pass, or a failure under
//! `MYPAGE_TEST_STRICT=1`, as CI runs.

pub mod postgres;
pub mod smtp;

/// Whether `MYPAGE_TEST_STRICT=1`: no test may skip.
pub fn strict() -> bool {
    std::env::var("MYPAGE_TEST_STRICT").as_deref() == Ok("1")
}

/// Says why a test cannot run: a panic under `MYPAGE_TEST_STRICT=1`, one `SKIP` line otherwise.
///
/// # Panics
/// Under `MYPAGE_TEST_STRICT=1`, always: that is the point.
pub fn skip(why: &str) {
    assert!(!strict(), "MYPAGE_TEST_STRICT=1 and a service is missing: {why}");
    #[expect(clippy::print_stdout, reason = "the one SKIP line is the test's report")]
    {
        println!("SKIP {why}");
    }
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(18_181)
}

/// Polls `probe` until it gives a value or `deadline` has passed since the first try: a test waits for a condition
/// (a mail written, a server ready), never for a fixed time, and a busy machine only makes it wait longer.
pub async fn eventually<T, F, Fut>(deadline: std::time::Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let until = std::time::Instant::now() + deadline;
    loop {
        if let Some(value) = probe().await {
            return Some(value);
        }
        if std::time::Instant::now() >= until {
            return None;
        }
        // Between tries, not instead of one: the condition decides when the wait ends.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
