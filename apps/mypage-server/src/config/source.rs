//! Where the settings come from: the `MYPAGE_*` environment variables and the optional TOML file, with the list
//! of every setting's name, so that a misspelt key is refused rather than ignored.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

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
    "MYPAGE_ARGON2_IMPLEMENTATION",
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
    pub(super) fn get(&self, name: &str) -> Option<(String, String)> {
        if let Some(v) = self.vars.get(name).filter(|v| !v.trim().is_empty()) {
            return Some((v.clone(), name.to_owned()));
        }
        let (path, values) = self.file.as_ref()?;
        let key = file_key(name);
        let v = values.get(&key).filter(|v| !v.trim().is_empty())?;
        Some((v.clone(), format!("{key} in {}", path.display())))
    }

    pub(super) fn var(&self, name: &str) -> Option<String> {
        self.get(name).map(|(v, _)| v)
    }

    pub(super) fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T> {
        match self.get(name) {
            Some((v, label)) => v.trim().parse().map_err(|_| anyhow::anyhow!("{label}: cannot read {v:?}")),
            None => Ok(default),
        }
    }

    pub(super) fn flag(&self, name: &str, default: bool) -> Result<bool> {
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
    pub(super) fn within<T>(&self, name: &str, default: T, range: std::ops::RangeInclusive<T>) -> Result<T>
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
    pub(super) fn text(&self, name: &str, default: &str, max: usize) -> Result<String> {
        let Some((v, label)) = self.get(name) else { return Ok(default.to_owned()) };
        let v = v.trim();
        if v.chars().count() > max || v.chars().any(char::is_control) {
            bail!("{label}: expected one line of 1 to {max} characters");
        }
        Ok(v.to_owned())
    }

    /// Like [`Source::text`], where `none` means nothing is shown.
    pub(super) fn optional_text(&self, name: &str, default: Option<&str>, max: usize) -> Result<Option<String>> {
        match self.get(name) {
            Some((v, _)) if v.trim() == "none" => Ok(None),
            Some(_) => self.text(name, "", max).map(Some),
            None => Ok(default.map(str::to_owned)),
        }
    }

    /// One of `choices`, or the default.
    pub(super) fn choice(&self, name: &str, default: &'static str, choices: &[&'static str]) -> Result<&'static str> {
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
