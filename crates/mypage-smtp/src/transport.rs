//! Transports: SMTP through mail-send, and `.eml` files in a folder (the embedded default, so that a newcomer reads
//! the key without any mail server). Logs name the mail's id, template and masked recipient, never a key.

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use mail_send::smtp::message::Message;
use mail_send::{SmtpClient, SmtpClientBuilder};
use secrecy::{ExposeSecret, SecretString};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::message::Envelope;

/// Why a mail was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth another attempt later: a 4xx reply, a connection that failed or dropped, a timeout.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Never worth another attempt: a 5xx reply (no such user, refused).
    #[error("permanent failure: {0}")]
    Permanent(String),
}

/// Hands messages to a mail system.
#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends a batch, over one connection where the transport has connections. One result per envelope, in order.
    async fn send_batch(&self, batch: &[Envelope]) -> Vec<Result<(), SendError>>;
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    ImplicitTls,
    /// STARTTLS after the greeting (port 587); refused if the server does not offer it.
    StartTls,
    /// No TLS: only for a server on the loopback interface or a trusted relay.
    Plain,
}

/// Where and how to reach the SMTP server.
#[derive(Debug)]
pub struct SmtpConfig {
    /// Host name (also the name TLS checks).
    pub host: String,
    /// Port.
    pub port: u16,
    /// Security.
    pub security: SmtpSecurity,
    /// User and password for AUTH, if the server wants them.
    pub credentials: Option<(String, SecretString)>,
    /// Limit for connecting and for each reply.
    pub timeout: Duration,
}

/// Sends through an SMTP server, one connection per batch.
#[derive(Debug)]
pub struct SmtpTransport {
    config: SmtpConfig,
}

impl SmtpTransport {
    /// A transport for `config`. Installs the ring TLS provider for the process if none is installed yet, since
    /// mail-send cannot choose between two providers when the build links both.
    #[must_use]
    pub fn new(config: SmtpConfig) -> Self {
        let _already_installed = rustls::crypto::ring::default_provider().install_default();
        Self { config }
    }

    fn builder(&self) -> Result<SmtpClientBuilder<String>, SendError> {
        let mut builder = SmtpClientBuilder::new(self.config.host.clone(), self.config.port)
            .map_err(SendError::Temporary)?
            .implicit_tls(self.config.security == SmtpSecurity::ImplicitTls)
            .timeout(self.config.timeout);
        if let Some((user, password)) = &self.config.credentials {
            builder = builder.credentials((user.clone(), password.expose_secret().to_owned()));
        }
        Ok(builder)
    }
}

fn classify(error: &mail_send::Error) -> SendError {
    match error {
        mail_send::Error::UnexpectedReply(reply) if (500..600).contains(&reply.code) => {
            SendError::Permanent(format!("{} {}", reply.code, reply.message))
        }
        mail_send::Error::UnexpectedReply(reply) => SendError::Temporary(format!("{} {}", reply.code, reply.message)),
        other => SendError::Temporary(other.to_string()),
    }
}

/// Sends each envelope in turn; after a refused message the session is reset and goes on, after a broken
/// connection the rest of the batch waits for the next attempt.
async fn send_all<T: AsyncRead + AsyncWrite + Unpin>(
    client: &mut SmtpClient<T>,
    batch: &[Envelope],
) -> Vec<Result<(), SendError>> {
    let mut results = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for envelope in batch {
        if let Some(why) = &broken {
            results.push(Err(SendError::Temporary(format!("connection lost earlier in the batch: {why}"))));
            continue;
        }
        let message = Message::new(envelope.from.as_str(), [envelope.to.as_str()], envelope.bytes.as_slice());
        match client.send(message).await {
            Ok(_) => results.push(Ok(())),
            Err(e @ mail_send::Error::UnexpectedReply(_)) => {
                results.push(Err(classify(&e)));
                if let Err(reset) = client.rset().await {
                    broken = Some(reset.to_string());
                }
            }
            Err(e) => {
                broken = Some(e.to_string());
                results.push(Err(classify(&e)));
            }
        }
    }
    results
}

#[async_trait]
impl Transport for SmtpTransport {
    async fn send_batch(&self, batch: &[Envelope]) -> Vec<Result<(), SendError>> {
        let all = |e: SendError| batch.iter().map(|_| Err(e.clone())).collect();
        let builder = match self.builder() {
            Ok(b) => b,
            Err(e) => return all(e),
        };
        if self.config.security == SmtpSecurity::Plain {
            match builder.connect_plain().await {
                Ok(mut client) => {
                    let results = send_all(&mut client, batch).await;
                    let _ = client.quit().await;
                    results
                }
                Err(e) => all(classify(&e)),
            }
        } else {
            match builder.connect().await {
                Ok(mut client) => {
                    let results = send_all(&mut client, batch).await;
                    let _ = client.quit().await;
                    results
                }
                Err(e) => all(classify(&e)),
            }
        }
    }
}

/// Writes each message as an `.eml` file (for a mail program) and a `.txt` file (to read with any editor: the
/// body of an `.eml` is base64) into a folder, and logs one line: the embedded default.
#[derive(Debug, Clone)]
pub struct FileTransport {
    folder: PathBuf,
}

impl FileTransport {
    /// A transport into `folder`, created if missing.
    #[must_use]
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self { folder: folder.into() }
    }

    async fn write(&self, envelope: &Envelope) -> std::io::Result<PathBuf> {
        tokio::fs::create_dir_all(&self.folder).await?;
        // One file per mail id: sending the same mail again after a crash rewrites the same file.
        let readable = format!("To: {}\nSubject: {}\n\n{}", envelope.to, envelope.subject, envelope.text);
        let partial = self.folder.join(format!(".{}.partial", envelope.id));
        tokio::fs::write(&partial, readable).await?;
        tokio::fs::rename(&partial, self.folder.join(format!("{}.txt", envelope.id))).await?;
        let path = self.folder.join(format!("{}.eml", envelope.id));
        tokio::fs::write(&partial, &envelope.bytes).await?;
        tokio::fs::rename(&partial, &path).await?;
        Ok(path)
    }
}

#[async_trait]
impl Transport for FileTransport {
    async fn send_batch(&self, batch: &[Envelope]) -> Vec<Result<(), SendError>> {
        let mut results = Vec::with_capacity(batch.len());
        for envelope in batch {
            match self.write(envelope).await {
                Ok(path) => {
                    tracing::info!(
                        mail = %envelope.id,
                        template = envelope.template,
                        to = %envelope.to_masked,
                        path = %path.display(),
                        "mail written to a file"
                    );
                    results.push(Ok(()));
                }
                Err(e) => results.push(Err(SendError::Temporary(format!("cannot write the mail file: {e}")))),
            }
        }
        results
    }
}
