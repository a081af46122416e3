//! The server's settings, read once at start from `MYPAGE_*` environment variables and an optional TOML file; a bad
//! value is reported with its name.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mypage_credentials::Argon2Config;
use mypage_domain::values::{Choice, EmailAddress, PasswordPolicy, StaffRole};
use mypage_domain::{DomainConfig, HelpDesk};
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
    /// The staff roles that log in with a second factor (R21).
    pub(crate) staff_second_factor: Vec<StaffRole>,
    pub(crate) auth_key_ttl: Duration,
    /// How long an unsubmitted draft lives after its last save (R10).
    pub(crate) draft_ttl: Duration,
    /// The shortest time between two digests of an office's waiting submissions (R20).
    pub(crate) digest_interval: Duration,
    /// A session ends after this long without a request (R13).
    pub(crate) session_idle: Duration,
    /// A session ends after this long whatever happens.
    pub(crate) session_absolute: Duration,
    /// The login throttle's window (R13).
    pub(crate) login_window: Duration,
    /// Failed logins of one account in the window before it is throttled (R13).
    pub(crate) login_failures_per_account: u32,
    /// Failed logins from one client in the window before it is throttled (R13).
    pub(crate) login_failures_per_client: u32,
    /// Key requests one address may receive in an hour (R3).
    pub(crate) key_requests_per_address: u32,
    /// The password hash's parameters (R5).
    pub(crate) argon2: Argon2Config,
    /// The help desk every page and mail shows.
    pub(crate) help_desk: HelpDesk,
    /// Load the demo into an empty database: by default only on the embedded SQLite database of the data folder.
    pub(crate) demo: bool,
    /// Key requests one client may make per hour, whatever the addresses (R8; 0: no limit): the domain's, counted in
    /// the database, so that every instance shares the count.
    pub(crate) key_requests_per_client: u32,
    /// Serve Prometheus metrics at `/metrics` on `metrics_listen`.
    pub(crate) metrics: bool,
    /// The metrics' own listener, never the site's, so that the public cannot read them (R8).
    pub(crate) metrics_listen: SocketAddr,
    /// How long a client has to send a request's line and headers, from the connection's opening or the request's
    /// first byte.
    pub(crate) header_timeout: Duration,
    /// How long a client has to send a request's body, from the end of its headers.
    pub(crate) body_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub(crate) idle_timeout: Duration,
    /// Connections served at once on the site's listener; more wait in the operating system's queue.
    pub(crate) max_connections: u32,
    /// Which events to log (`info`, `warn`, `info,sqlx=warn`, …).
    pub(crate) log: String,
    /// One JSON object per line instead of text for a terminal.
    pub(crate) log_json: bool,
    /// SQLite: requests' writers that may wait for their turn; one more is answered 503 at once (issue 15).
    pub(crate) db_max_waiting_writers: usize,
}

mod source;
#[cfg(test)]
mod tests;

pub(crate) use source::Source;

impl Config {
    pub(crate) fn load(source: &Source) -> Result<Self> {
        let data_dir = PathBuf::from(source.var("MYPAGE_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = source
            .var("MYPAGE_DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("mypage.db").display()));
        let mail = match source.var("MYPAGE_SMTP_HOST") {
            None => MailSink::Files(data_dir.join("mail")),
            Some(host) => {
                let security = match source.choice("MYPAGE_SMTP_SECURITY", "starttls", &["starttls", "tls", "plain"])? {
                    "tls" => SmtpSecurity::ImplicitTls,
                    "plain" => SmtpSecurity::Plain,
                    _ => SmtpSecurity::StartTls,
                };
                let default_port = match security {
                    SmtpSecurity::ImplicitTls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::Plain => 25,
                };
                MailSink::Smtp {
                    host,
                    port: source.parsed("MYPAGE_SMTP_PORT", default_port)?,
                    security,
                    user: source.var("MYPAGE_SMTP_USER"),
                    password: source.var("MYPAGE_SMTP_PASSWORD").map(SecretString::from),
                }
            }
        };
        let password_policy = match source.choice("MYPAGE_PASSWORD_POLICY", "office", &["office", "nist"])? {
            "nist" => PasswordPolicy::Nist,
            _ => PasswordPolicy::Office,
        };
        let staff_second_factor = second_factor_roles(source)?;
        let minutes: u64 = source.within("MYPAGE_AUTH_KEY_MINUTES", 30, 5..=120)?;
        let session_idle = Duration::from_secs(60 * source.within("MYPAGE_SESSION_IDLE_MINUTES", 30, 5..=480)?);
        let session_absolute = Duration::from_secs(3600 * source.within("MYPAGE_SESSION_ABSOLUTE_HOURS", 8, 1..=72)?);
        if session_absolute < session_idle {
            bail!("MYPAGE_SESSION_ABSOLUTE_HOURS: shorter than MYPAGE_SESSION_IDLE_MINUTES, which would never apply");
        }
        let argon2 = argon2_config(source)?;
        let (database_given, secure_cookies) =
            (source.get("MYPAGE_DATABASE_URL").is_some(), source.flag("MYPAGE_SECURE_COOKIES", false)?);
        // The demo's staff share one password written to a file: fine on one machine, never in production.
        let demo = source.flag("MYPAGE_DEMO", !database_given && !secure_cookies)?;
        if demo && secure_cookies {
            bail!(
                "MYPAGE_DEMO: the demo's staff share one password written to a file, so a server with \
                 MYPAGE_SECURE_COOKIES=true never loads them; unset MYPAGE_DEMO"
            );
        }
        let listen = source.parsed("MYPAGE_LISTEN", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        let metrics = source.flag("MYPAGE_METRICS", true)?;
        let metrics_listen = source.parsed("MYPAGE_METRICS_LISTEN", SocketAddr::from(([127, 0, 0, 1], 9464)))?;
        if metrics && metrics_listen == listen {
            bail!(
                "MYPAGE_METRICS_LISTEN: {metrics_listen} is the site's address; metrics are never served to the site's visitors"
            );
        }
        let log = match source.get("MYPAGE_LOG") {
            None => "info".to_owned(),
            Some((v, label)) => {
                v.parse::<tracing_subscriber::filter::Targets>()
                    .with_context(|| format!("{label}: cannot read {v:?}"))?;
                v
            }
        };
        Ok(Self {
            site_url: source.var("MYPAGE_SITE_URL").unwrap_or_else(|| format!("http://{listen}/")),
            listen,
            data_dir,
            database_url,
            db_max_connections: source.within("MYPAGE_DB_MAX_CONNECTIONS", 10, 1..=1000)?,
            mail,
            mail_from: source.var("MYPAGE_MAIL_FROM").unwrap_or_else(|| "system@mail.hellowork.mhlw.go.jp".into()),
            secure_cookies,
            behind_proxy: source.flag("MYPAGE_BEHIND_PROXY", false)?,
            password_policy,
            staff_second_factor,
            auth_key_ttl: Duration::from_secs(minutes * 60),
            draft_ttl: Duration::from_secs(86_400 * source.within("MYPAGE_DRAFT_DAYS", 14, 1..=90)?),
            digest_interval: Duration::from_secs(60 * source.within("MYPAGE_DIGEST_MINUTES", 60, 5..=1440)?),
            session_idle,
            session_absolute,
            login_window: Duration::from_secs(60 * source.within("MYPAGE_LOGIN_WINDOW_MINUTES", 15, 1..=1440)?),
            login_failures_per_account: source.within("MYPAGE_LOGIN_FAILURES_PER_ACCOUNT", 5, 3..=20)?,
            login_failures_per_client: source.within("MYPAGE_LOGIN_FAILURES_PER_CLIENT", 30, 5..=1000)?,
            key_requests_per_address: source.within("MYPAGE_KEY_REQUESTS_PER_ADDRESS", 5, 3..=50)?,
            argon2,
            help_desk: help_desk(source)?,
            demo,
            key_requests_per_client: source.within("MYPAGE_KEY_REQUESTS_PER_CLIENT", 30, 0..=100_000)?,
            metrics,
            metrics_listen,
            header_timeout: Duration::from_secs(source.within("MYPAGE_HEADER_TIMEOUT_SECONDS", 10, 1..=300)?),
            body_timeout: Duration::from_secs(source.within("MYPAGE_BODY_TIMEOUT_SECONDS", 30, 1..=300)?),
            idle_timeout: Duration::from_secs(source.within("MYPAGE_IDLE_TIMEOUT_SECONDS", 75, 1..=3600)?),
            max_connections: source.within("MYPAGE_MAX_CONNECTIONS", 512, 1..=65_536)?,
            log,
            log_json: source.choice("MYPAGE_LOG_FORMAT", "text", &["text", "json"])? == "json",
            db_max_waiting_writers: source.within("MYPAGE_DB_MAX_WAITING_WRITERS", 256, 0..=100_000)?,
        })
    }

    /// The domain's settings, as every command wires them.
    pub(crate) fn domain_config(&self) -> Result<DomainConfig> {
        Ok(DomainConfig {
            auth_key_ttl: chrono::Duration::from_std(self.auth_key_ttl)?,
            password_policy: self.password_policy,
            staff_second_factor: self.staff_second_factor.clone(),
            draft_ttl: chrono::Duration::from_std(self.draft_ttl)?,
            digest_interval: chrono::Duration::from_std(self.digest_interval)?,
            login_window: chrono::Duration::from_std(self.login_window)?,
            login_failures_per_account: self.login_failures_per_account,
            login_failures_per_client: self.login_failures_per_client,
            key_requests_per_address_per_hour: self.key_requests_per_address,
            key_requests_per_client: self.key_requests_per_client,
            ..DomainConfig::default()
        })
    }
}

/// The smallest product of argon2's memory and passes the server accepts: OWASP's weakest recommended pair,
/// m=7168 KiB with t=5, so that a smaller memory must be paid for with more passes.
const ARGON2_MIN_COST: u64 = 7168 * 5;

/// `MYPAGE_ARGON2_*`: the password hash's parameters (R5), OWASP's m=19456 KiB, t=2, p=1 by default.
fn argon2_config(source: &Source) -> Result<Argon2Config> {
    let default = Argon2Config::default();
    let config = Argon2Config {
        memory_kib: source.within("MYPAGE_ARGON2_MEMORY_KIB", default.memory_kib, 7168..=1_048_576)?,
        iterations: source.within("MYPAGE_ARGON2_ITERATIONS", default.iterations, 1..=10)?,
        parallelism: source.within("MYPAGE_ARGON2_PARALLELISM", default.parallelism, 1..=16)?,
        implementation: source
            .choice("MYPAGE_ARGON2_IMPLEMENTATION", default.implementation.as_str(), &["argon2-rust", "rustcrypto"])?
            .parse()?,
        max_waiting: source.within("MYPAGE_ARGON2_MAX_WAITING", default.max_waiting, 0..=100_000)?,
        ..default
    };
    if u64::from(config.memory_kib) * u64::from(config.iterations) < ARGON2_MIN_COST {
        bail!(
            "MYPAGE_ARGON2_MEMORY_KIB × MYPAGE_ARGON2_ITERATIONS: {} × {} is below {ARGON2_MIN_COST} \
             (OWASP's weakest recommended pair is 7168 KiB with 5 passes)",
            config.memory_kib,
            config.iterations
        );
    }
    Ok(config)
}

/// `MYPAGE_HELP_DESK_*`: the help desk pages and mails show, seed 002's by default.
fn help_desk(source: &Source) -> Result<HelpDesk> {
    let default = HelpDesk::default();
    let phone = source.text("MYPAGE_HELP_DESK_PHONE", &default.phone, 30)?;
    if !phone.chars().all(|c| c.is_ascii_digit() || "-+() ".contains(c)) {
        bail!("MYPAGE_HELP_DESK_PHONE: expected digits, hyphens, spaces, + and parentheses, got {phone:?}");
    }
    let email = source.optional_text("MYPAGE_HELP_DESK_EMAIL", default.email.as_deref(), 254)?;
    if let Some(email) = &email {
        EmailAddress::parse(email).with_context(|| format!("MYPAGE_HELP_DESK_EMAIL: {email:?} is not an address"))?;
    }
    Ok(HelpDesk {
        name: source.text("MYPAGE_HELP_DESK_NAME", &default.name, 100)?,
        phone,
        hours: source.text("MYPAGE_HELP_DESK_HOURS", &default.hours, 100)?,
        phone_note: source.optional_text("MYPAGE_HELP_DESK_PHONE_NOTE", default.phone_note.as_deref(), 200)?,
        email,
    })
}

/// `MYPAGE_STAFF_SECOND_FACTOR`: the roles that log in with a second factor (R21), as a comma-separated list of
/// role codes, or `all` or `none`; reviewers and both admins by default.
fn second_factor_roles(source: &Source) -> Result<Vec<StaffRole>> {
    let Some((value, label)) = source.get("MYPAGE_STAFF_SECOND_FACTOR") else {
        return Ok(DomainConfig::default().staff_second_factor);
    };
    match value.trim() {
        "all" => return Ok(StaffRole::ALL.to_vec()),
        "none" => return Ok(Vec::new()),
        _ => {}
    }
    value
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            StaffRole::from_code(r).ok_or_else(|| {
                let codes: Vec<&str> = StaffRole::ALL.iter().map(|role| role.code()).collect();
                anyhow::anyhow!("{label}: expected all, none or a list of {}, got {r:?}", codes.join(", "))
            })
        })
        .collect()
}
