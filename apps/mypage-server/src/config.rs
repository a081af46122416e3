//! The server's settings, read once at start from `MYPAGE_*` environment variables and an optional TOML file; a bad
//! value is reported with its name.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mypage_domain::DomainConfig;
use mypage_domain::values::{Choice, PasswordPolicy, StaffRole};
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
    pub(crate) demo: bool,
    /// Key requests one client may make per hour (0: no limit).
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
}

/// Where settings come from: `MYPAGE_*` environment variables, then the TOML file named by `MYPAGE_CONFIG` (or
/// `--config FILE`), whose keys are the variables' names without the prefix, in lower case (`listen`,
/// `database_url`, `smtp_host`, …). A variable wins over the file.
pub(crate) struct Source {
    file: Option<(PathBuf, BTreeMap<String, String>)>,
}

/// Every setting's name, so that a misspelt key in the file is refused rather than ignored.
const SETTINGS: &[&str] = &[
    "MYPAGE_LISTEN",
    "MYPAGE_DATA_DIR",
    "MYPAGE_DATABASE_URL",
    "MYPAGE_DB_MAX_CONNECTIONS",
    "MYPAGE_SMTP_HOST",
    "MYPAGE_SMTP_PORT",
    "MYPAGE_SMTP_SECURITY",
    "MYPAGE_SMTP_USER",
    "MYPAGE_SMTP_PASSWORD",
    "MYPAGE_MAIL_FROM",
    "MYPAGE_SITE_URL",
    "MYPAGE_SECURE_COOKIES",
    "MYPAGE_BEHIND_PROXY",
    "MYPAGE_PASSWORD_POLICY",
    "MYPAGE_STAFF_SECOND_FACTOR",
    "MYPAGE_AUTH_KEY_MINUTES",
    "MYPAGE_DEMO",
    "MYPAGE_KEY_REQUESTS_PER_CLIENT",
    "MYPAGE_METRICS",
    "MYPAGE_METRICS_LISTEN",
    "MYPAGE_HEADER_TIMEOUT_SECONDS",
    "MYPAGE_BODY_TIMEOUT_SECONDS",
    "MYPAGE_IDLE_TIMEOUT_SECONDS",
    "MYPAGE_MAX_CONNECTIONS",
    "MYPAGE_LOG",
    "MYPAGE_LOG_FORMAT",
];

fn file_key(name: &str) -> String {
    name.trim_start_matches("MYPAGE_").to_ascii_lowercase()
}

impl Source {
    /// The environment, and the file of `--config FILE` or `MYPAGE_CONFIG` if one is named.
    pub(crate) fn load(config_arg: Option<&str>) -> Result<Self> {
        let path = config_arg.map(PathBuf::from).or_else(|| env("MYPAGE_CONFIG").map(PathBuf::from));
        let Some(path) = path else { return Ok(Self { file: None }) };
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("MYPAGE_CONFIG: cannot read {}", path.display()))?;
        let table: toml::Table =
            text.parse().map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {}", path.display(), e.message()))?;
        let mut values = BTreeMap::new();
        for (key, value) in table {
            if !SETTINGS.iter().any(|s| file_key(s) == key) {
                bail!("{}: unknown setting {key:?} (see docs/configuration.md)", path.display());
            }
            let text = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                other => bail!(
                    "{}: {key} must be a string, a number or true/false, not {}",
                    path.display(),
                    other.type_str()
                ),
            };
            values.insert(key, text);
        }
        Ok(Self { file: Some((path, values)) })
    }

    /// The value of a setting and how to name it in a message: the variable, or the key and its file.
    fn get(&self, name: &str) -> Option<(String, String)> {
        if let Some(v) = env(name) {
            return Some((v, name.to_owned()));
        }
        let (path, values) = self.file.as_ref()?;
        let key = file_key(name);
        let v = values.get(&key).filter(|v| !v.trim().is_empty())?;
        Some((v.clone(), format!("{key} in {}", path.display())))
    }

    fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|(v, _)| v)
    }

    fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            Some((v, label)) => v.trim().parse().map_err(|_| anyhow::anyhow!("{label}: cannot read {v:?}")),
            None => Ok(default),
        }
    }

    fn flag(&self, name: &str, default: bool) -> Result<bool> {
        match self.get(name) {
            None => Ok(default),
            Some((v, label)) => match v.trim() {
                "1" | "true" | "yes" | "on" => Ok(true),
                "0" | "false" | "no" | "off" => Ok(false),
                other => bail!("{label}: expected true or false, got {other:?}"),
            },
        }
    }

    /// A whole number in `range`, or the default.
    fn within<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let value = self.parsed(name, default)?;
        if !range.contains(&value) {
            let label = self.get(name).map(|(_, l)| l).unwrap_or_default();
            bail!("{label}: expected {} to {}, got {value}", range.start(), range.end());
        }
        Ok(value)
    }

    /// One of `choices`, or the default.
    fn choice(&self, name: &str, default: &'static str, choices: &[&'static str]) -> Result<&'static str> {
        match self.get(name) {
            None => Ok(default),
            Some((v, label)) => choices
                .iter()
                .find(|c| **c == v.trim())
                .copied()
                .ok_or_else(|| anyhow::anyhow!("{label}: expected {}, got {v:?}", choices.join(", "))),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

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
        let minutes: u64 = source.parsed("MYPAGE_AUTH_KEY_MINUTES", 30)?;
        if !(5..=120).contains(&minutes) {
            let label = source.get("MYPAGE_AUTH_KEY_MINUTES").map(|(_, l)| l).unwrap_or_default();
            bail!("{label}: expected 5 to 120, got {minutes}");
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
            db_max_connections: source.parsed("MYPAGE_DB_MAX_CONNECTIONS", 10)?,
            mail,
            mail_from: source.var("MYPAGE_MAIL_FROM").unwrap_or_else(|| "system@mail.hellowork.mhlw.go.jp".into()),
            secure_cookies: source.flag("MYPAGE_SECURE_COOKIES", false)?,
            behind_proxy: source.flag("MYPAGE_BEHIND_PROXY", false)?,
            password_policy,
            staff_second_factor,
            auth_key_ttl: Duration::from_secs(minutes * 60),
            demo: source.flag("MYPAGE_DEMO", true)?,
            key_requests_per_client: source.parsed("MYPAGE_KEY_REQUESTS_PER_CLIENT", 30)?,
            metrics,
            metrics_listen,
            header_timeout: Duration::from_secs(source.within("MYPAGE_HEADER_TIMEOUT_SECONDS", 10, 1..=300)?),
            body_timeout: Duration::from_secs(source.within("MYPAGE_BODY_TIMEOUT_SECONDS", 30, 1..=300)?),
            idle_timeout: Duration::from_secs(source.within("MYPAGE_IDLE_TIMEOUT_SECONDS", 75, 1..=3600)?),
            max_connections: source.within("MYPAGE_MAX_CONNECTIONS", 512, 1..=65_536)?,
            log,
            log_json: source.choice("MYPAGE_LOG_FORMAT", "text", &["text", "json"])? == "json",
        })
    }
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
