//! `EstablishmentNumber` (事業所番号) and `OfficeCode` (R9).

use std::fmt;

use crate::text::digits_only;

/// An establishment number: 11 digits written 4-6-1 (`1301-123456-7`).
/// The first four digits are the code of the office of jurisdiction (管轄ハローワーク).
///
/// Stored and compared as the 11 digits; shown with hyphens.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EstablishmentNumber(String);

/// Why a text is not an establishment number (R9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EstablishmentNumberError {
    /// Nothing was entered.
    #[error("the establishment number is empty")]
    Empty,
    /// Something other than digits, hyphens and spaces.
    #[error("the establishment number may hold only digits and hyphens")]
    NotDigits,
    /// Not 11 digits.
    #[error("the establishment number has {0} digits instead of 11")]
    WrongLength(usize),
}

impl EstablishmentNumber {
    /// Parses what a person typed: hyphens optional, full-width digits and hyphens accepted.
    ///
    /// # Errors
    /// Returns the [`EstablishmentNumberError`] naming the problem.
    pub fn parse(raw: &str) -> Result<Self, EstablishmentNumberError> {
        let digits = digits_only(raw).ok_or(EstablishmentNumberError::NotDigits)?;
        match digits.len() {
            0 => Err(EstablishmentNumberError::Empty),
            11 => Ok(Self(digits)),
            n => Err(EstablishmentNumberError::WrongLength(n)),
        }
    }

    /// Builds a number from its three parts, as an allocator does.
    ///
    /// # Errors
    /// [`EstablishmentNumberError::WrongLength`] when `serial` is over six digits or `check` over one.
    pub fn from_parts(office: &OfficeCode, serial: u32, check: u8) -> Result<Self, EstablishmentNumberError> {
        if serial > 999_999 || check > 9 {
            return Err(EstablishmentNumberError::WrongLength(12));
        }
        Ok(Self(format!("{}{serial:06}{check}", office.as_str())))
    }

    /// The 11 digits without hyphens, as stored.
    #[must_use]
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The office of jurisdiction: the first four digits.
    #[must_use]
    pub fn office(&self) -> OfficeCode {
        OfficeCode(self.0[..4].to_owned())
    }
}

impl fmt::Display for EstablishmentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{}", &self.0[..4], &self.0[4..10], &self.0[10..])
    }
}

impl fmt::Debug for EstablishmentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EstablishmentNumber({self})")
    }
}

/// The four-digit code of a public employment office (the first part of an establishment number).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OfficeCode(String);

/// Why a text is not an office code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfficeCodeError {
    /// Not exactly four digits.
    #[error("an office code is four digits")]
    NotFourDigits,
}

impl OfficeCode {
    /// Parses four digits, full-width accepted.
    ///
    /// # Errors
    /// [`OfficeCodeError::NotFourDigits`] for anything else.
    pub fn parse(raw: &str) -> Result<Self, OfficeCodeError> {
        match digits_only(raw) {
            Some(digits) if digits.len() == 4 => Ok(Self(digits)),
            _ => Err(OfficeCodeError::NotFourDigits),
        }
    }

    /// The four digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OfficeCode({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r9_hyphens_are_optional() {
        let a = EstablishmentNumber::parse("1301-123456-7").unwrap();
        let b = EstablishmentNumber::parse("13011234567").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "1301-123456-7");
        assert_eq!(a.digits(), "13011234567");
    }

    #[test]
    fn r9_full_width_digits_and_hyphens_are_normalised() {
        let n = EstablishmentNumber::parse("１３０１－１２３４５６ー７").unwrap();
        assert_eq!(n.to_string(), "1301-123456-7");
    }

    #[test]
    fn r9_the_first_four_digits_are_the_office() {
        let n = EstablishmentNumber::parse("1301-123456-7").unwrap();
        assert_eq!(n.office(), OfficeCode::parse("1301").unwrap());
    }

    #[test]
    fn r9_names_each_problem() {
        assert_eq!(EstablishmentNumber::parse(" "), Err(EstablishmentNumberError::Empty));
        assert_eq!(EstablishmentNumber::parse("1301-12345-7"), Err(EstablishmentNumberError::WrongLength(10)));
        assert_eq!(EstablishmentNumber::parse("1301-12345A-7"), Err(EstablishmentNumberError::NotDigits));
        assert_eq!(OfficeCode::parse("130"), Err(OfficeCodeError::NotFourDigits));
        assert_eq!(OfficeCode::parse("13a1"), Err(OfficeCodeError::NotFourDigits));
    }

    #[test]
    fn from_parts_pads_the_serial() {
        let office = OfficeCode::parse("2701").unwrap();
        let n = EstablishmentNumber::from_parts(&office, 42, 3).unwrap();
        assert_eq!(n.to_string(), "2701-000042-3");
        assert!(EstablishmentNumber::from_parts(&office, 1_000_000, 0).is_err());
    }
}
