//! The server's settings, read once from `MYPAGE_*` environment variables; a bad value is reported with its name.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mypage_domain::values::PasswordPolicy;
use mypage_smtp::SmtpSecurity;
use secrecy::SecretString;

/// Where mail goes.
pub(crate) enum MailSink {
    /// `.eml` files in a folder (the embedded default).
    Files(PathBuf),
    /// An SMTP server.
    Smtp { host: String, port: u16, security: SmtpSecurity, user: Option<String>, password: Option<SecretString> },
}

/// Every setting, with its default.
pub(crate) struct Config {
    pub(crate) listen: SocketAddr,
    pub(crate) data_dir: PathBuf,
    pub(crate) database_url: String,
    pub(crate) db_max_connections: u32,
    pub(crate) mail: MailSink,
    pub(crate) mail_from: String,
    pub(crate) site_url: String,
    pub(crate) secure_cookies: bool,
    pub(crate) behind_proxy: bool,
    pub(crate) password_policy: PasswordPolicy,
    pub(crate) auth_key_ttl: Duration,
    pub(crate) demo: bool,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T> {
    match var(name) {
        Some(v) => v.trim().parse().map_err(|_| anyhow::anyhow!("{name}: cannot read {v:?}")),
        None => Ok(default),
    }
}

fn flag(name: &str, default: bool) -> Result<bool> {
    match var(name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => bail!("{name}: expected true or false, got {other:?}"),
    }
}

impl Config {
    pub(crate) fn from_env() -> Result<Self> {
        let data_dir = PathBuf::from(var("MYPAGE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("MYPAGE_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("mypage.db").display()));
        let mail = match var("MYPAGE_SMTP_HOST") {
            None => MailSink::Files(data_dir.join("mail")),
            Some(host) => {
                let security = match var("MYPAGE_SMTP_SECURITY").as_deref().unwrap_or("starttls") {
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::ImplicitTls,
                    "plain" => SmtpSecurity::Plain,
                    other => bail!("MYPAGE_SMTP_SECURITY: expected starttls, tls or plain, got {other:?}"),
                };
                let default_port = match security {
                    SmtpSecurity::ImplicitTls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::Plain => 25,
                };
                MailSink::Smtp {
                    host,
                    port: parsed("MYPAGE_SMTP_PORT", default_port)?,
                    security,
                    user: var("MYPAGE_SMTP_USER"),
                    password: var("MYPAGE_SMTP_PASSWORD").map(SecretString::from),
                }
            }
        };
        let password_policy = match var("MYPAGE_PASSWORD_POLICY").as_deref().unwrap_or("office") {
            "office" => PasswordPolicy::Office,
            "nist" => PasswordPolicy::Nist,
            other => bail!("MYPAGE_PASSWORD_POLICY: expected office or nist, got {other:?}"),
        };
        let minutes: u64 = parsed("MYPAGE_AUTH_KEY_MINUTES", 30)?;
        if !(5..=120).contains(&minutes) {
            bail!("MYPAGE_AUTH_KEY_MINUTES: expected 5 to 120, got {minutes}");
        }
        let listen = parsed("MYPAGE_LISTEN", SocketAddr::from(([127, 0, 0, 1], 8080))).context("MYPAGE_LISTEN")?;
        Ok(Self {
            site_url: var("MYPAGE_SITE_URL").unwrap_or_else(|| format!("http://{listen}/")),
            listen,
            data_dir,
            database_url,
            db_max_connections: parsed("MYPAGE_DB_MAX_CONNECTIONS", 10)?,
            mail,
            mail_from: var("MYPAGE_MAIL_FROM").unwrap_or_else(|| "system@mail.hellowork.mhlw.go.jp".into()),
            secure_cookies: flag("MYPAGE_SECURE_COOKIES", false)?,
            behind_proxy: flag("MYPAGE_BEHIND_PROXY", false)?,
            password_policy,
            auth_key_ttl: Duration::from_secs(minutes * 60),
            demo: flag("MYPAGE_DEMO", true)?,
        })
    }
}
