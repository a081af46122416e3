//! A real SMTP server for the tests: aiosmtpd (Debian's `python3-aiosmtpd`, or from PyPI) on a free loopback port,
//! with `mypage_recorder.py` as its handler. Without it the tests print `SKIP`, or fail under `MYPAGE_TEST_STRICT=1`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// A running aiosmtpd that keeps each accepted message as a file.
pub(crate) struct SmtpServer {
    child: Option<Child>,
    python: String,
    pub(crate) port: u16,
    folder: tempfile::TempDir,
}

/// A Python that can import aiosmtpd.
fn python() -> Option<String> {
    ["/usr/bin/python3", "python3"].into_iter().map(str::to_owned).find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Says why the SMTP tests cannot run: a failure under `MYPAGE_TEST_STRICT=1`, one `SKIP` line otherwise.
pub(crate) fn skip(why: &str) {
    if std::env::var("MYPAGE_TEST_STRICT").as_deref() == Ok("1") {
        panic!("MYPAGE_TEST_STRICT=1 and no SMTP server: {why}");
    }
    #[expect(clippy::print_stdout, reason = "the one SKIP line is the test's report")]
    {
        println!("SKIP {why}");
    }
}

impl SmtpServer {
    /// Starts a server, or says why it cannot.
    pub(crate) async fn start() -> Result<Self, String> {
        let python = python().ok_or("aiosmtpd is not installed (apt-get install python3-aiosmtpd)")?;
        let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut server = Self { child: None, python, port: free_port(), folder };
        server.restart().await?;
        Ok(server)
    }

    /// Starts (again) on the same port and folder.
    pub(crate) async fn restart(&mut self) -> Result<(), String> {
        let handlers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/smtp");
        let child = Command::new(&self.python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{}", self.port), "-c", "mypage_recorder.Recorder"])
            .arg(self.folder.path())
            .env("PYTHONPATH", handlers)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| e.to_string())?;
        self.child = Some(child);
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("aiosmtpd did not start listening".into())
    }

    /// Kills the server at once, as a crash would.
    pub(crate) async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// The messages accepted so far.
    pub(crate) fn messages(&self) -> Vec<Vec<u8>> {
        read_messages(self.folder.path())
    }

    /// Waits until at least `n` messages arrived, up to `limit`.
    pub(crate) async fn wait_for(&self, n: usize, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let count = self.messages().len();
            if count >= n || tokio::time::Instant::now() >= deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn read_messages(folder: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}
