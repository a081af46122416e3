//! Field-by-field parsing of the forms an employer fills in (SPEC, "Information entered").
//!
//! A form is parsed whole: every field is checked and every problem is reported with the field's stable name,
//! so that the page can show each message beside its field and keep what was typed.

use std::fmt;

use chrono::NaiveTime;

use crate::text::{digits_only, fold_width, is_hyphen_like, nfkc, trim};
use crate::values::{EmailAddress, EmailAddressError};

/// What is wrong with one field. The codes are stable: pages and the API map them to messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// A required field is empty.
    Required,
    /// More characters than allowed.
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A control character other than a line break in a multi-line field.
    ControlCharacter,
    /// A フリガナ field holds something other than katakana (hiragana is converted, not refused).
    NotKatakana,
    /// Not a postal code of seven digits.
    InvalidPostalCode,
    /// Not a Japanese telephone number (10 or 11 digits starting with 0).
    InvalidPhone,
    /// Not an `http://` or `https://` address.
    InvalidUrl,
    /// Not an e-mail address.
    InvalidEmail(EmailAddressError),
    /// Not a whole number.
    NotANumber,
    /// A number outside its range.
    OutOfRange {
        /// The smallest value allowed.
        min: u64,
        /// The largest value allowed.
        max: u64,
    },
    /// Not a time of day written `HH:MM`.
    InvalidTime,
    /// Not one of the choices offered.
    UnknownChoice,
    /// The field contradicts another field, named here.
    Conflicts {
        /// The other field's name.
        with: &'static str,
    },
    /// The value belongs to another record already (an area another open office serves).
    Taken,
    /// One entry of a list field (an office's areas) is wrong: which one, counted from 1, and how.
    InEntry {
        /// The entry's place in the list, from 1.
        entry: usize,
        /// What is wrong with it.
        problem: Box<FieldProblem>,
    },
}

impl FieldProblem {
    /// A stable code for the API.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::TooLong { .. } => "too_long",
            Self::ControlCharacter => "control_character",
            Self::NotKatakana => "not_katakana",
            Self::InvalidPostalCode => "invalid_postal_code",
            Self::InvalidPhone => "invalid_phone",
            Self::InvalidUrl => "invalid_url",
            Self::InvalidEmail(_) => "invalid_email",
            Self::NotANumber => "not_a_number",
            Self::OutOfRange { .. } => "out_of_range",
            Self::InvalidTime => "invalid_time",
            Self::UnknownChoice => "unknown_choice",
            Self::Conflicts { .. } => "conflicts",
            Self::Taken => "taken",
            Self::InEntry { problem, .. } => problem.code(),
        }
    }
}

/// One field's problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's stable name, as in the input struct (`name_kana`, `wage_min`).
    pub field: &'static str,
    /// What is wrong.
    pub problem: FieldProblem,
}

/// Every problem of one form, in field order. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FieldErrors(pub Vec<FieldError>);

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(|e| format!("{} ({})", e.field, e.problem.code())).collect();
        write!(f, "invalid fields: {}", names.join(", "))
    }
}

impl FieldErrors {
    /// The problem of one field, if it has one.
    #[must_use]
    pub fn of(&self, field: &str) -> Option<&FieldProblem> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.problem)
    }
}

/// A postal code (郵便番号): seven digits, shown `123-4567`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostalCode(String);

impl PostalCode {
    /// Seven digits, hyphen optional, full-width accepted.
    ///
    /// # Errors
    /// [`FieldProblem::InvalidPostalCode`].
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        match digits_only(raw) {
            Some(d) if d.len() == 7 => Ok(Self(d)),
            _ => Err(FieldProblem::InvalidPostalCode),
        }
    }
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..3], &self.0[3..])
    }
}

/// A Japanese telephone number as written, hyphens kept (`03-1234-5678`), full-width folded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// 10 or 11 digits starting with 0, hyphens, parentheses and spaces allowed between them.
    ///
    /// # Errors
    /// [`FieldProblem::InvalidPhone`].
    pub fn parse(raw: &str) -> Result<Self, FieldProblem> {
        let folded = fold_width(trim(raw));
        let mut written = String::new();
        let mut digits = 0;
        for c in folded.chars() {
            match c {
                '0'..='9' => {
                    digits += 1;
                    written.push(c);
                }
                '(' | ')' => written.push(c),
                c if is_hyphen_like(c) => written.push('-'),
                ' ' => {}
                _ => return Err(FieldProblem::InvalidPhone),
            }
        }
        if !(10..=11).contains(&digits) || !written.trim_start_matches('(').starts_with('0') {
            return Err(FieldProblem::InvalidPhone);
        }
        Ok(Self(written))
    }

    /// The number as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A closed list of choices with stable codes, as in a `<select>`.
pub trait Choice: Sized + Copy + 'static {
    /// Every choice, in display order.
    const ALL: &'static [Self];
    /// The stable code.
    fn code(self) -> &'static str;
    /// The Japanese label the office uses.
    fn label_ja(self) -> &'static str;
    /// The choice with this code.
    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// Declares a [`Choice`] enum with its codes and labels.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }
        impl $crate::values::Choice for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn code(self) -> &'static str { match self { $(Self::$variant => $code),+ } }
            fn label_ja(self) -> &'static str { match self { $(Self::$variant => $label),+ } }
        }
    };
}
pub(crate) use choice_enum;

/// Whether a field must be filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Required,
    Optional,
}

/// Collects the problems of one form while its fields are parsed.
///
/// Each method returns a usable value even when the field is wrong (an empty text, zero), so that the caller
/// builds its struct in one expression and [`Fields::finish`] returns it only if nothing was wrong.
#[derive(Default)]
pub(crate) struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    pub(crate) fn fail(&mut self, field: &'static str, problem: FieldProblem) {
        self.errors.push(FieldError { field, problem });
    }

    pub(crate) fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    /// The problems so far. Called when a required field came back `None`, which always records a problem.
    pub(crate) fn into_errors(self) -> FieldErrors {
        FieldErrors(self.errors)
    }

    pub(crate) fn finish<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.errors.is_empty() { Ok(value) } else { Err(FieldErrors(self.errors)) }
    }

    fn clean(&mut self, field: &'static str, raw: &str, max: usize, need: Need, multiline: bool) -> Option<String> {
        let text = nfkc(trim(raw)).replace("\r\n", "\n").replace('\r', "\n");
        let bad = |c: char| if multiline { c.is_control() && c != '\n' } else { c.is_control() };
        if text.chars().any(bad) {
            self.fail(field, FieldProblem::ControlCharacter);
            return None;
        }
        if text.is_empty() {
            if need == Need::Required {
                self.fail(field, FieldProblem::Required);
            }
            return None;
        }
        if text.chars().count() > max {
            self.fail(field, FieldProblem::TooLong { max });
            return None;
        }
        Some(text)
    }

    /// A one-line text of at most `max` characters, NFKC-normalised.
    pub(crate) fn line(&mut self, field: &'static str, raw: &str, max: usize) -> String {
        self.clean(field, raw, max, Need::Required, false).unwrap_or_default()
    }

    /// An optional one-line text.
    pub(crate) fn opt_line(&mut self, field: &'static str, raw: &str, max: usize) -> Option<String> {
        self.clean(field, raw, max, Need::Optional, false)
    }

    /// A multi-line text; line breaks are kept as `\n`.
    pub(crate) fn lines(&mut self, field: &'static str, raw: &str, max: usize, need: Need) -> Option<String> {
        self.clean(field, raw, max, need, true)
    }

    /// A フリガナ: katakana, the prolonged sound mark, the middle dot, spaces, ASCII letters and digits.
    /// Hiragana is turned into katakana and half-width katakana into full-width.
    pub(crate) fn kana(&mut self, field: &'static str, raw: &str, max: usize) -> String {
        let Some(text) = self.clean(field, raw, max, Need::Required, false) else {
            return String::new();
        };
        let kana: String = text
            .chars()
            .map(|c| match c {
                '\u{3041}'..='\u{3096}' => char::from_u32(c as u32 + 0x60).unwrap_or(c),
                _ => c,
            })
            .collect();
        let ok = |c: char| matches!(c, '\u{30A1}'..='\u{30FA}' | 'ー' | '・' | ' ') || c.is_ascii_alphanumeric();
        if kana.chars().all(ok) {
            kana
        } else {
            self.fail(field, FieldProblem::NotKatakana);
            String::new()
        }
    }

    pub(crate) fn parsed<T>(
        &mut self,
        field: &'static str,
        raw: &str,
        need: Need,
        parse: impl FnOnce(&str) -> Result<T, FieldProblem>,
    ) -> Option<T> {
        if trim(raw).is_empty() {
            if need == Need::Required {
                self.fail(field, FieldProblem::Required);
            }
            return None;
        }
        match parse(raw) {
            Ok(v) => Some(v),
            Err(p) => {
                self.fail(field, p);
                None
            }
        }
    }

    pub(crate) fn postal(&mut self, field: &'static str, raw: &str, need: Need) -> Option<PostalCode> {
        self.parsed(field, raw, need, PostalCode::parse)
    }

    pub(crate) fn phone(&mut self, field: &'static str, raw: &str, need: Need) -> Option<PhoneNumber> {
        self.parsed(field, raw, need, PhoneNumber::parse)
    }

    pub(crate) fn email(&mut self, field: &'static str, raw: &str) -> Option<EmailAddress> {
        self.parsed(field, raw, Need::Required, |r| EmailAddress::parse(r).map_err(FieldProblem::InvalidEmail))
    }

    pub(crate) fn url(&mut self, field: &'static str, raw: &str, max: usize) -> Option<String> {
        self.parsed(field, raw, Need::Optional, |r| {
            let url = fold_width(trim(r));
            let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
            match rest {
                _ if url.chars().count() > max => Err(FieldProblem::TooLong { max }),
                Some(rest) if !rest.is_empty() && url.chars().all(|c| c.is_ascii_graphic()) => Ok(url),
                _ => Err(FieldProblem::InvalidUrl),
            }
        })
    }

    /// A whole number in `min..=max`; digits may be full-width and grouped with commas (`1,000,000`).
    pub(crate) fn number(&mut self, field: &'static str, raw: &str, min: u64, max: u64, need: Need) -> Option<u64> {
        self.parsed(field, raw, need, |r| {
            let folded: String = fold_width(trim(r)).chars().filter(|c| *c != ',').collect();
            let n: u64 = folded.parse().map_err(|_| FieldProblem::NotANumber)?;
            if (min..=max).contains(&n) { Ok(n) } else { Err(FieldProblem::OutOfRange { min, max }) }
        })
    }

    pub(crate) fn time(&mut self, field: &'static str, raw: &str) -> Option<NaiveTime> {
        self.parsed(field, raw, Need::Required, |r| {
            let folded = fold_width(trim(r));
            NaiveTime::parse_from_str(&folded, "%H:%M").map_err(|_| FieldProblem::InvalidTime)
        })
    }

    pub(crate) fn choice<C: Choice>(&mut self, field: &'static str, raw: &str) -> Option<C> {
        self.parsed(field, raw, Need::Required, |r| C::from_code(trim(r)).ok_or(FieldProblem::UnknownChoice))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postal_codes_and_phones_accept_what_people_type() {
        assert_eq!(PostalCode::parse("１００－８９１６").unwrap().to_string(), "100-8916");
        assert_eq!(PostalCode::parse("100-891"), Err(FieldProblem::InvalidPostalCode));
        assert_eq!(PhoneNumber::parse("０３ー５２５３ー１１１１").unwrap().as_str(), "03-5253-1111");
        assert_eq!(PhoneNumber::parse("(03)5253-1111").unwrap().as_str(), "(03)5253-1111");
        assert_eq!(PhoneNumber::parse("090-1234-5678").unwrap().as_str(), "090-1234-5678");
        assert_eq!(PhoneNumber::parse("3-5253-1111"), Err(FieldProblem::InvalidPhone));
        assert_eq!(PhoneNumber::parse("03-5253-1111 内線2"), Err(FieldProblem::InvalidPhone));
    }

    #[test]
    fn kana_fields_convert_hiragana_and_half_width() {
        let mut f = Fields::default();
        assert_eq!(f.kana("k", "かぶしきがいしゃ ﾊﾛｰ", 30), "カブシキガイシャ ハロー");
        assert_eq!(f.kana("k2", "株式会社", 30), "");
        assert_eq!(f.finish(()).unwrap_err().of("k2"), Some(&FieldProblem::NotKatakana));
    }

    #[test]
    fn numbers_take_commas_and_full_width_digits() {
        let mut f = Fields::default();
        assert_eq!(f.number("n", "１,０００,０００", 0, 10_000_000, Need::Required), Some(1_000_000));
        assert_eq!(f.number("m", "12.5", 0, 100, Need::Required), None);
        assert_eq!(f.number("o", "101", 0, 100, Need::Required), None);
        let errors = f.finish(()).unwrap_err();
        assert_eq!(errors.of("m"), Some(&FieldProblem::NotANumber));
        assert_eq!(errors.of("o"), Some(&FieldProblem::OutOfRange { min: 0, max: 100 }));
    }

    #[test]
    fn one_line_fields_refuse_line_breaks_and_multi_line_fields_keep_them() {
        let mut f = Fields::default();
        assert_eq!(f.lines("body", "一行目\r\n二行目", 100, Need::Required).as_deref(), Some("一行目\n二行目"));
        assert_eq!(f.line("name", "株式会社\nハロー", 100), "");
        assert_eq!(
            f.finish(()).unwrap_err().0,
            vec![FieldError { field: "name", problem: FieldProblem::ControlCharacter }]
        );
    }
}
