//! The server's settings, read once at start from `MYPAGE_*` environment variables and an optional TOML file; a bad
//! value is reported with its name.

use std::collections::BTreeMap;
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
    /// The `MYPAGE_*` variables, read once.
    vars: BTreeMap<String, String>,
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
    "MYPAGE_DRAFT_DAYS",
    "MYPAGE_SESSION_IDLE_MINUTES",
    "MYPAGE_SESSION_ABSOLUTE_HOURS",
    "MYPAGE_LOGIN_WINDOW_MINUTES",
    "MYPAGE_LOGIN_FAILURES_PER_ACCOUNT",
    "MYPAGE_LOGIN_FAILURES_PER_CLIENT",
    "MYPAGE_KEY_REQUESTS_PER_ADDRESS",
    "MYPAGE_ARGON2_MEMORY_KIB",
    "MYPAGE_ARGON2_ITERATIONS",
    "MYPAGE_ARGON2_PARALLELISM",
    "MYPAGE_HELP_DESK_NAME",
    "MYPAGE_HELP_DESK_PHONE",
    "MYPAGE_HELP_DESK_HOURS",
    "MYPAGE_HELP_DESK_PHONE_NOTE",
    "MYPAGE_HELP_DESK_EMAIL",
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
        let vars = SETTINGS.iter().filter_map(|name| Some(((*name).to_owned(), env(name)?))).collect();
        let path = config_arg.map(PathBuf::from).or_else(|| env("MYPAGE_CONFIG").map(PathBuf::from));
        let Some(path) = path else { return Ok(Self { vars, file: None }) };
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
        Ok(Self { vars, file: Some((path, values)) })
    }

    /// Settings given as variables only, for the tests of what a setting reaches.
    #[cfg(test)]
    pub(crate) fn from_vars(pairs: &[(&str, &str)]) -> Self {
        let vars = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Self { vars, file: None }
    }

    /// The value of a setting and how to name it in a message: the variable, or the key and its file.
    fn get(&self, name: &str) -> Option<(String, String)> {
        if let Some(v) = self.vars.get(name).filter(|v| !v.trim().is_empty()) {
            return Some((v.clone(), name.to_owned()));
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

    /// A whole number in `range`, or the default; the error names the setting and its range.
    fn within<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T>
    where
        T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    {
        let Some((v, label)) = self.get(name) else { return Ok(default) };
        let (start, end) = (range.start(), range.end());
        match v.trim().parse::<T>() {
            Ok(value) if range.contains(&value) => Ok(value),
            _ => bail!("{label}: expected a whole number from {start} to {end}, got {:?}", v.trim()),
        }
    }

    /// A line of text of 1 to `max` characters without control characters, or the default.
    fn text(&self, name: &str, default: &str, max: usize) -> Result<String> {
        let Some((v, label)) = self.get(name) else { return Ok(default.to_owned()) };
        let v = v.trim();
        if v.chars().count() > max || v.chars().any(char::is_control) {
            bail!("{label}: expected one line of 1 to {max} characters");
        }
        Ok(v.to_owned())
    }

    /// Like [`Source::text`], where `none` means nothing is shown.
    fn optional_text(&self, name: &str, default: Option<&str>, max: usize) -> Result<Option<String>> {
        match self.get(name) {
            Some((v, _)) if v.trim() == "none" => Ok(None),
            Some(_) => self.text(name, "", max).map(Some),
            None => Ok(default.map(str::to_owned)),
        }
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
        })
    }

    /// The domain's settings, as every command wires them.
    pub(crate) fn domain_config(&self) -> Result<DomainConfig> {
        Ok(DomainConfig {
            auth_key_ttl: chrono::Duration::from_std(self.auth_key_ttl)?,
            password_policy: self.password_policy,
            staff_second_factor: self.staff_second_factor.clone(),
            draft_ttl: chrono::Duration::from_std(self.draft_ttl)?,
            login_window: chrono::Duration::from_std(self.login_window)?,
            login_failures_per_account: self.login_failures_per_account,
            login_failures_per_client: self.login_failures_per_client,
            key_requests_per_address_per_hour: self.key_requests_per_address,
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

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use mypage_domain::model::RegistrationStatus;
    use mypage_domain::ports::Clock;
    use mypage_domain::usecases::HistoryInput;
    use mypage_testkit::TestKit;

    use super::{Config, Source};

    fn load(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        Config::load(&Source::from_vars(pairs))
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        match load(pairs) {
            Ok(_) => panic!("{pairs:?} was accepted"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn every_lifetime_and_limit_out_of_its_range_is_refused_by_name_with_its_range() {
        for (name, range) in [
            ("MYPAGE_AUTH_KEY_MINUTES", "5 to 120"),
            ("MYPAGE_DRAFT_DAYS", "1 to 90"),
            ("MYPAGE_SESSION_IDLE_MINUTES", "5 to 480"),
            ("MYPAGE_SESSION_ABSOLUTE_HOURS", "1 to 72"),
            ("MYPAGE_LOGIN_WINDOW_MINUTES", "1 to 1440"),
            ("MYPAGE_LOGIN_FAILURES_PER_ACCOUNT", "3 to 20"),
            ("MYPAGE_LOGIN_FAILURES_PER_CLIENT", "5 to 1000"),
            ("MYPAGE_KEY_REQUESTS_PER_ADDRESS", "3 to 50"),
            ("MYPAGE_ARGON2_MEMORY_KIB", "7168 to 1048576"),
            ("MYPAGE_ARGON2_ITERATIONS", "1 to 10"),
            ("MYPAGE_ARGON2_PARALLELISM", "1 to 16"),
        ] {
            for bad in ["0", "9999999", "-1", "ten"] {
                let message = error(&[(name, bad)]);
                assert_eq!(
                    message,
                    format!("{name}: expected a whole number from {range}, got {bad:?}"),
                    "{name}={bad}"
                );
            }
        }
    }

    #[test]
    fn every_lifetime_and_limit_reaches_the_domain_the_hasher_and_the_sessions() {
        let config = load(&[
            ("MYPAGE_AUTH_KEY_MINUTES", "50"),
            ("MYPAGE_DRAFT_DAYS", "3"),
            ("MYPAGE_SESSION_IDLE_MINUTES", "20"),
            ("MYPAGE_SESSION_ABSOLUTE_HOURS", "4"),
            ("MYPAGE_LOGIN_WINDOW_MINUTES", "30"),
            ("MYPAGE_LOGIN_FAILURES_PER_ACCOUNT", "10"),
            ("MYPAGE_LOGIN_FAILURES_PER_CLIENT", "100"),
            ("MYPAGE_KEY_REQUESTS_PER_ADDRESS", "8"),
            ("MYPAGE_ARGON2_MEMORY_KIB", "47104"),
            ("MYPAGE_ARGON2_ITERATIONS", "1"),
            ("MYPAGE_ARGON2_PARALLELISM", "2"),
        ])
        .unwrap();
        let domain = config.domain_config().unwrap();
        assert_eq!(domain.auth_key_ttl, Duration::minutes(50));
        assert_eq!(domain.draft_ttl, Duration::days(3));
        assert_eq!(domain.login_window, Duration::minutes(30));
        assert_eq!((domain.login_failures_per_account, domain.login_failures_per_client), (10, 100));
        assert_eq!(domain.key_requests_per_address_per_hour, 8);
        assert_eq!((config.session_idle.as_secs(), config.session_absolute.as_secs()), (20 * 60, 4 * 3600));
        let argon2 = config.argon2;
        assert_eq!((argon2.memory_kib, argon2.iterations, argon2.parallelism), (47_104, 1, 2));
    }

    #[test]
    fn the_defaults_are_the_rules_defaults() {
        let config = load(&[]).unwrap();
        let domain = config.domain_config().unwrap();
        assert_eq!(domain, mypage_domain::DomainConfig::default());
        assert_eq!(config.argon2, mypage_credentials::Argon2Config::default());
        assert_eq!((config.session_idle.as_secs(), config.session_absolute.as_secs()), (30 * 60, 8 * 3600));
        assert_eq!(config.help_desk, mypage_domain::HelpDesk::default());
    }

    #[test]
    fn a_weak_argon2_pair_and_a_session_cap_below_its_idle_time_are_refused() {
        let message = error(&[("MYPAGE_ARGON2_MEMORY_KIB", "7168"), ("MYPAGE_ARGON2_ITERATIONS", "2")]);
        assert!(message.starts_with("MYPAGE_ARGON2_MEMORY_KIB × MYPAGE_ARGON2_ITERATIONS: 7168 × 2 is below 35840"));
        assert!(load(&[("MYPAGE_ARGON2_MEMORY_KIB", "7168"), ("MYPAGE_ARGON2_ITERATIONS", "5")]).is_ok());
        let message = error(&[("MYPAGE_SESSION_IDLE_MINUTES", "180"), ("MYPAGE_SESSION_ABSOLUTE_HOURS", "2")]);
        assert!(message.starts_with("MYPAGE_SESSION_ABSOLUTE_HOURS: shorter than MYPAGE_SESSION_IDLE_MINUTES"));
    }

    #[test]
    fn the_help_desk_is_seed_002s_unless_configured_and_none_turns_a_line_off() {
        let default = load(&[]).unwrap().help_desk;
        assert_eq!(default.hours, "月曜～金曜 9:30～18:00（年末年始、祝日除く）");
        assert_eq!(default.email.as_deref(), Some("helpdesk@hd.hellowork.mhlw.go.jp"));
        assert!(default.phone_note.is_some_and(|n| n.contains("ナビダイヤル")));
        let desk = load(&[
            ("MYPAGE_HELP_DESK_NAME", "マイページ相談窓口"),
            ("MYPAGE_HELP_DESK_PHONE", "03-1234-5678"),
            ("MYPAGE_HELP_DESK_HOURS", "平日 9:00～17:00"),
            ("MYPAGE_HELP_DESK_PHONE_NOTE", "none"),
            ("MYPAGE_HELP_DESK_EMAIL", "soudan@office.example.jp"),
        ])
        .unwrap()
        .help_desk;
        assert_eq!(
            (desk.name.as_str(), desk.phone.as_str(), desk.hours.as_str()),
            ("マイページ相談窓口", "03-1234-5678", "平日 9:00～17:00")
        );
        assert_eq!((desk.phone_note, desk.email.as_deref()), (None, Some("soudan@office.example.jp")));
        assert!(error(&[("MYPAGE_HELP_DESK_EMAIL", "not an address")]).starts_with("MYPAGE_HELP_DESK_EMAIL:"));
        assert!(error(&[("MYPAGE_HELP_DESK_PHONE", "call us")]).starts_with("MYPAGE_HELP_DESK_PHONE:"));
        let long = "あ".repeat(101);
        assert_eq!(
            error(&[("MYPAGE_HELP_DESK_NAME", &long)]),
            "MYPAGE_HELP_DESK_NAME: expected one line of 1 to 100 characters"
        );
    }

    #[test]
    fn the_demo_loads_by_default_only_on_the_embedded_database_and_never_with_secure_cookies() {
        assert!(load(&[]).unwrap().demo, "the embedded default tries the service at once");
        let postgres = ("MYPAGE_DATABASE_URL", "postgres://mypage@db.internal/mypage");
        assert!(!load(&[postgres]).unwrap().demo, "a database of one's own starts empty");
        assert!(load(&[postgres, ("MYPAGE_DEMO", "true")]).unwrap().demo, "unless the demo is asked for");
        assert!(!load(&[("MYPAGE_SECURE_COOKIES", "true")]).unwrap().demo);
        let message = error(&[("MYPAGE_SECURE_COOKIES", "true"), ("MYPAGE_DEMO", "true")]);
        assert!(message.starts_with("MYPAGE_DEMO: the demo's staff share one password"), "{message}");
    }

    // R10: the draft lifetime set for the server is the one the domain expires drafts by.
    #[tokio::test]
    async fn r10_a_draft_expires_after_the_configured_lifetime_not_the_default() {
        let config = load(&[("MYPAGE_DRAFT_DAYS", "1")]).unwrap();
        let kit = TestKit::with_config(config.domain_config().unwrap());
        kit.publish_terms().await;
        kit.office("1301", "ハローワーク飯田橋").await;
        let account = kit.sign_up("slow@example.jp").await;
        let first = HistoryInput::FirstTime { office: "1301".into() };
        kit.mypage.declare_history(account, &first, &TestKit::client()).await.unwrap();
        let expires = kit.mypage.overview(account).await.unwrap().draft_expires_at.unwrap();
        assert_eq!(expires - kit.clock.now(), Duration::days(1));

        kit.clock.advance(Duration::hours(23));
        kit.mypage.expire_stale().await.unwrap();
        let status = || async { kit.mypage.overview(account).await.unwrap().registration.unwrap().status().clone() };
        assert_eq!(status().await, RegistrationStatus::Draft, "still within the day");
        // Past the day: the upkeep expires drafts saved before now less the lifetime.
        kit.clock.advance(Duration::minutes(61));
        kit.mypage.expire_stale().await.unwrap();
        assert_eq!(status().await, RegistrationStatus::Expired, "a day after its last save, not 14");
    }
}
