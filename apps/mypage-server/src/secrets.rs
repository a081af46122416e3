//! The server's secrets — the key of the keyed digests (auth keys, flow tokens, session ids) and the outbox key —
//! generated on first run into the data folder (mode 0600) and read from there afterwards.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::{Context, Result, bail};
use mypage_credentials::ChaChaKeyGenerator;
use mypage_domain::ports::KeyGenerator;
use secrecy::{ExposeSecret, SecretBox};

/// The two 32-byte keys, and earlier outbox keys kept to open mails queued before a rotation
/// (`outbox.previous=` lines).
pub(crate) struct Secrets {
    pub(crate) digest: SecretBox<[u8; 32]>,
    pub(crate) outbox: SecretBox<[u8; 32]>,
    pub(crate) outbox_previous: Vec<SecretBox<[u8; 32]>>,
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let bytes: Vec<u8> =
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect::<Option<_>>()?;
    bytes.try_into().ok()
}

impl Secrets {
    /// Reads `dir/secrets`, creating it with fresh keys if it does not exist.
    pub(crate) fn load_or_create(dir: &Path, keys: &ChaChaKeyGenerator) -> Result<Self> {
        let path = dir.join("secrets");
        if !path.exists() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            writeln!(
                file,
                "# Employer My Page server secrets. Keep this file; losing it voids sessions, pending keys and queued key mails."
            )?;
            writeln!(file, "digest={}", keys.token().expose_secret())?;
            writeln!(file, "outbox={}", keys.token().expose_secret())?;
            tracing::info!(path = %path.display(), "server secrets generated");
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let find =
            |name: &str| text.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).and_then(|h| unhex(h.trim()));
        let (Some(digest), Some(outbox)) = (find("digest"), find("outbox")) else {
            bail!("{}: expected lines digest=<64 hex digits> and outbox=<64 hex digits>", path.display());
        };
        let mut outbox_previous = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if let Some(hex) = line.strip_prefix("outbox.previous=") {
                let key = unhex(hex.trim())
                    .with_context(|| format!("{} line {}: outbox.previous=<64 hex digits>", path.display(), n + 1))?;
                outbox_previous.push(SecretBox::new(Box::new(key)));
            }
        }
        Ok(Self { digest: SecretBox::new(Box::new(digest)), outbox: SecretBox::new(Box::new(outbox)), outbox_previous })
    }
}
