//! What an admin edits of an office (R14): its name, the phone number employers are told to call, its address and
//! its opening hours, each checked field by field so that a page shows each problem beside its field.

use super::fields::{Fields, Need};
use super::{FieldErrors, OfficeArea, OfficeAreaInput, PhoneNumber, parse_office_areas};

/// The most characters of an office's name.
pub const OFFICE_NAME_MAX: usize = 60;
/// The most characters of an office's address.
pub const OFFICE_ADDRESS_MAX: usize = 120;
/// The most characters of an office's opening hours.
pub const OFFICE_HOURS_MAX: usize = 100;

/// An office's details as typed; every field a string, empty when not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct OfficeDetailsInput {
    /// 名称.
    pub name: String,
    /// 電話番号.
    pub phone: String,
    /// 所在地.
    pub address: String,
    /// 開庁時間 (`月曜～金曜 8:30～17:15`).
    pub opening_hours: String,
    /// 管轄区域, replacing the office's when given; `None` keeps them.
    pub areas: Option<Vec<OfficeAreaInput>>,
}

/// An office's details, checked: a name of 1 to 60 characters, a phone number (R9's neighbour: 10 or 11 digits
/// starting with 0), an address and opening hours on one line each. Only the name is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeDetails {
    name: String,
    phone: Option<PhoneNumber>,
    address: Option<String>,
    opening_hours: Option<String>,
    areas: Option<Vec<OfficeArea>>,
}

impl OfficeDetails {
    /// Checks every field and reports each wrong one by its name (`name`, `phone`, `address`, `opening_hours`).
    ///
    /// # Errors
    /// [`FieldErrors`], one per wrong field.
    pub fn parse(input: &OfficeDetailsInput) -> Result<Self, FieldErrors> {
        let mut f = Fields::default();
        let name = f.line("name", &input.name, OFFICE_NAME_MAX);
        let phone = f.phone("phone", &input.phone, Need::Optional);
        let address = f.opt_line("address", &input.address, OFFICE_ADDRESS_MAX);
        let opening_hours = f.opt_line("opening_hours", &input.opening_hours, OFFICE_HOURS_MAX);
        let areas = match input.areas.as_deref().map(parse_office_areas) {
            Some(Err(errors)) => {
                errors.0.into_iter().for_each(|e| f.fail(e.field, e.problem));
                None
            }
            Some(Ok(areas)) => Some(areas),
            None => None,
        };
        f.finish(Self { name, phone, address, opening_hours, areas })
    }

    /// 名称.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// 電話番号, as written.
    #[must_use]
    pub fn phone(&self) -> Option<&str> {
        self.phone.as_ref().map(PhoneNumber::as_str)
    }

    /// 所在地.
    #[must_use]
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }

    /// 開庁時間.
    #[must_use]
    pub fn opening_hours(&self) -> Option<&str> {
        self.opening_hours.as_deref()
    }

    /// 管轄区域, when they were given.
    #[must_use]
    pub fn areas(&self) -> Option<&[OfficeArea]> {
        self.areas.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::FieldProblem;

    #[test]
    fn details_are_normalised_and_only_the_name_is_required() {
        let input = OfficeDetailsInput {
            name: " ハローワーク飯田橋 ".into(),
            phone: "０３－３８１２－８６０９".into(),
            ..OfficeDetailsInput::default()
        };
        let details = OfficeDetails::parse(&input).unwrap();
        assert_eq!(details.name(), "ハローワーク飯田橋");
        assert_eq!(details.phone(), Some("03-3812-8609"));
        assert_eq!((details.address(), details.opening_hours()), (None, None));
    }

    #[test]
    fn each_wrong_field_is_reported_by_its_name() {
        let input = OfficeDetailsInput {
            name: String::new(),
            phone: "12345".into(),
            address: "東京都\u{7}".into(),
            opening_hours: "あ".repeat(OFFICE_HOURS_MAX + 1),
            areas: None,
        };
        let errors = OfficeDetails::parse(&input).unwrap_err();
        assert_eq!(errors.of("name"), Some(&FieldProblem::Required));
        assert_eq!(errors.of("phone"), Some(&FieldProblem::InvalidPhone));
        assert_eq!(errors.of("address"), Some(&FieldProblem::ControlCharacter));
        assert_eq!(errors.of("opening_hours"), Some(&FieldProblem::TooLong { max: OFFICE_HOURS_MAX }));
    }
}
