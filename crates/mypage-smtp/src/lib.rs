//! # Employer My Page — mail
//!
//! Every mail the domain asks for, rendered in Japanese ([`MailConfig::render`]); built as a MIME message with a
//! stable Message-ID ([`build`]); handed to a [`Transport`] — SMTP through mail-send ([`SmtpTransport`]: implicit
//! TLS, STARTTLS or plain, AUTH, timeouts, one connection per batch) or `.eml` files ([`FileTransport`]); and
//! sent from the outbox by the [`Dispatcher`], which retries with backoff and never loses a mail (R3, R7, R16).

mod dispatcher;
mod message;
mod render;
mod transport;

pub use dispatcher::{DispatchConfig, DispatchReport, DispatchTotals, Dispatcher};
pub use message::{Envelope, build};
pub use render::{MailConfig, Rendered};
pub use transport::{FileTransport, SendError, SmtpConfig, SmtpSecurity, SmtpTransport, Transport};
