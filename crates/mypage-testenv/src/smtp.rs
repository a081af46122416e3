//! A real SMTP server for the tests: aiosmtpd (Debian's `python3-aiosmtpd`, or from PyPI) on a free loopback port,
//! with `mypage_recorder.py` as its handler. Without it the tests print `SKIP`, or fail under `MYPAGE_TEST_STRICT=1`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// A running aiosmtpd that keeps each accepted message as a file.
pub struct SmtpServer {
    child: Option<Child>,
    python: String,
    /// The loopback port it listens on.
    pub port: u16,
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

impl SmtpServer {
    /// Starts a server, or says why it cannot.
    ///
    /// # Errors
    /// aiosmtpd is missing or does not listen.
    pub async fn start() -> Result<Self, String> {
        let python = python().ok_or("aiosmtpd is not installed (apt-get install python3-aiosmtpd)")?;
        let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut server = Self { child: None, python, port: crate::free_port(), folder };
        server.restart().await?;
        Ok(server)
    }

    /// Starts (again) on the same port and folder.
    ///
    /// # Errors
    /// aiosmtpd does not start or does not listen.
    pub async fn restart(&mut self) -> Result<(), String> {
        let handlers = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
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
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
    }

    /// The messages accepted so far.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        read_messages(self.folder.path())
    }

    /// Waits until at least `n` messages arrived, up to `limit`.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> usize {
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
