//! `EmailAddress` (R2): the address an account is known by and mails go to.

use std::fmt;

use crate::text::{fold_width, trim};

/// The longest address SMTP can carry in a path (RFC 5321 §4.5.3.1.3), and the limit R2 sets.
pub const MAX_EMAIL_LENGTH: usize = 254;
const MAX_LOCAL_PART: usize = 64;
const MAX_LABEL: usize = 63;

/// A syntactically valid e-mail address, normalised: trimmed, full-width characters folded,
/// the domain lower-cased. The local part keeps its case (RFC 5321 makes it the receiving server's business).
///
/// Two addresses are equal when their normalised forms are equal, so `Taro@Example.JP` and `Taro@example.jp`
/// name the same account (R2).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// Why a text is not an e-mail address (R2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    /// Nothing was entered.
    #[error("the e-mail address is empty")]
    Empty,
    /// Longer than 254 characters.
    #[error("the e-mail address is longer than {MAX_EMAIL_LENGTH} characters")]
    TooLong,
    /// A line break or other control character: never accepted, since it could inject mail headers.
    #[error("the e-mail address contains a control character")]
    ControlCharacter,
    /// Characters outside ASCII (after folding full-width forms).
    #[error("the e-mail address contains characters other than half-width letters, digits and symbols")]
    NotAscii,
    /// No `@`, or more than one.
    #[error("the e-mail address must contain exactly one @")]
    MissingAt,
    /// The part before `@` is empty, too long or holds a character not allowed there.
    #[error("the part before @ is not valid")]
    InvalidLocalPart,
    /// The part after `@` is not a domain name with at least one dot.
    #[error("the part after @ is not a valid domain")]
    InvalidDomain,
}

impl EmailAddress {
    /// Parses what a person typed.
    ///
    /// Dots are accepted anywhere in the local part, including doubled or before `@`
    /// (`taro..yamada.@docomo.ne.jp`): Japanese mobile carriers issued such addresses for years,
    /// and refusing them would shut out real employers.
    ///
    /// # Errors
    /// Returns the [`EmailAddressError`] that names the first problem found.
    pub fn parse(raw: &str) -> Result<Self, EmailAddressError> {
        // Control characters are checked before trimming, so that a trailing CR/LF is refused, not silently dropped.
        if raw.chars().any(char::is_control) {
            return Err(EmailAddressError::ControlCharacter);
        }
        let folded = fold_width(trim(raw));
        if folded.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if folded.chars().count() > MAX_EMAIL_LENGTH {
            return Err(EmailAddressError::TooLong);
        }
        if !folded.is_ascii() {
            return Err(EmailAddressError::NotAscii);
        }
        let mut parts = folded.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailAddressError::MissingAt);
        };
        if local.is_empty() || local.len() > MAX_LOCAL_PART || !local.chars().all(is_atext_or_dot) {
            return Err(EmailAddressError::InvalidLocalPart);
        }
        let domain = domain.to_ascii_lowercase();
        if !is_domain(&domain) {
            return Err(EmailAddressError::InvalidDomain);
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The normalised address, as mails are sent to it and as it is stored.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`, which R5 forbids inside a password.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// The domain, lower-cased.
    #[must_use]
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }

    /// The address as logs show it: the first two characters of the local part, then `***` (`ta***@example.jp`).
    #[must_use]
    pub fn masked(&self) -> String {
        let shown: String = self.local_part().chars().take(2).collect();
        format!("{shown}***@{}", self.domain())
    }
}

fn is_atext_or_dot(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= MAX_LABEL
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic()))
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Debug masks the address, so that a `{:?}` in a log line never prints it whole.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_trims_and_lowercases_only_the_domain() {
        let email = EmailAddress::parse("  Taro.Yamada@Example.CO.JP \u{3000}").unwrap();
        assert_eq!(email.as_str(), "Taro.Yamada@example.co.jp");
        assert_eq!(email, EmailAddress::parse("Taro.Yamada@example.co.jp").unwrap());
        assert_ne!(email, EmailAddress::parse("taro.yamada@example.co.jp").unwrap());
    }

    #[test]
    fn r2_folds_full_width_input() {
        let email = EmailAddress::parse("ｉｎｆｏ＠ｅｘａｍｐｌｅ．ｊｐ").unwrap();
        assert_eq!(email.as_str(), "info@example.jp");
    }

    #[test]
    fn r2_refuses_line_breaks_that_could_inject_headers() {
        assert_eq!(
            EmailAddress::parse("a@example.jp\r\nBcc: x@evil.example"),
            Err(EmailAddressError::ControlCharacter)
        );
        assert_eq!(EmailAddress::parse("a@example.jp\n"), Err(EmailAddressError::ControlCharacter));
        assert_eq!(EmailAddress::parse("a\u{0}@example.jp"), Err(EmailAddressError::ControlCharacter));
    }

    #[test]
    fn r2_refuses_more_than_254_characters() {
        let domain = format!("{}.{}.{}.jp", "b".repeat(63), "c".repeat(63), "d".repeat(58));
        let longest = format!("{}@{domain}", "a".repeat(64));
        assert_eq!(longest.len(), 254);
        assert!(EmailAddress::parse(&longest).is_ok());
        assert_eq!(EmailAddress::parse(&format!("a{longest}")), Err(EmailAddressError::TooLong));
    }

    #[test]
    fn r2_accepts_carrier_style_dots_in_the_local_part() {
        assert!(EmailAddress::parse("taro..yamada.@docomo.ne.jp").is_ok());
    }

    #[test]
    fn r2_names_each_syntax_problem() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailAddressError::Empty));
        assert_eq!(EmailAddress::parse("example.jp"), Err(EmailAddressError::MissingAt));
        assert_eq!(EmailAddress::parse("a@b@example.jp"), Err(EmailAddressError::MissingAt));
        assert_eq!(EmailAddress::parse("@example.jp"), Err(EmailAddressError::InvalidLocalPart));
        assert_eq!(EmailAddress::parse("a b@example.jp"), Err(EmailAddressError::InvalidLocalPart));
        assert_eq!(EmailAddress::parse("a@localhost"), Err(EmailAddressError::InvalidDomain));
        assert_eq!(EmailAddress::parse("a@-x.jp"), Err(EmailAddressError::InvalidDomain));
        assert_eq!(EmailAddress::parse("山田@example.jp"), Err(EmailAddressError::NotAscii));
    }

    #[test]
    fn logs_see_a_masked_address() {
        let email = EmailAddress::parse("taro@example.jp").unwrap();
        assert_eq!(email.masked(), "ta***@example.jp");
        assert_eq!(format!("{email:?}"), "EmailAddress(ta***@example.jp)");
    }
}
