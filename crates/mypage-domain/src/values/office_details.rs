//! What an admin edits of an office (R14): its name, the phone number employers are told to call, its address and
//! its opening hours, and the address its digest of waiting submissions goes to (R20), each checked field by field
//! so that a page shows each problem beside its field.

use super::fields::{Fields, Need};
use super::{EmailAddress, FieldErrors, FieldProblem, OfficeArea, OfficeAreaInput, PhoneNumber, parse_office_areas};

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
    /// 通知先メールアドレス: where the digest of waiting submissions goes (R20); empty for none.
    pub notification_email: String,
}

/// An office's details, checked: a name of 1 to 60 characters, a phone number (R9's neighbour: 10 or 11 digits
/// starting with 0), an address and opening hours on one line each, and a notification address (R2's rules). Only
/// the name is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeDetails {
    name: String,
    phone: Option<PhoneNumber>,
    address: Option<String>,
    opening_hours: Option<String>,
    areas: Option<Vec<OfficeArea>>,
    notification_email: Option<EmailAddress>,
}

impl OfficeDetails {
    /// Checks every field and reports each wrong one by its name (`name`, `phone`, `address`, `opening_hours`,
    /// `areas`, `notification_email`).
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
        let notification_email = f.parsed("notification_email", &input.notification_email, Need::Optional, |r| {
            EmailAddress::parse(r).map_err(FieldProblem::InvalidEmail)
        });
        f.finish(Self { name, phone, address, opening_hours, areas, notification_email })
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

    /// 通知先メールアドレス, where the digest of waiting submissions goes (R20).
    #[must_use]
    pub fn notification_email(&self) -> Option<&EmailAddress> {
        self.notification_email.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            notification_email: "staff@".into(),
        };
        let errors = OfficeDetails::parse(&input).unwrap_err();
        assert_eq!(errors.of("name"), Some(&FieldProblem::Required));
        assert_eq!(errors.of("phone"), Some(&FieldProblem::InvalidPhone));
        assert_eq!(errors.of("address"), Some(&FieldProblem::ControlCharacter));
        assert_eq!(errors.of("opening_hours"), Some(&FieldProblem::TooLong { max: OFFICE_HOURS_MAX }));
        assert!(matches!(errors.of("notification_email"), Some(FieldProblem::InvalidEmail(_))));
    }

    #[test]
    fn the_notification_address_is_optional_and_parsed_as_an_email() {
        let input = OfficeDetailsInput {
            name: "ハローワーク飯田橋".into(),
            notification_email: " Kyujin@Iidabashi.Example.JP ".into(),
            ..OfficeDetailsInput::default()
        };
        let details = OfficeDetails::parse(&input).unwrap();
        assert_eq!(details.notification_email().map(EmailAddress::as_str), Some("Kyujin@iidabashi.example.jp"));
        let none =
            OfficeDetails::parse(&OfficeDetailsInput { name: "飯田橋".into(), ..OfficeDetailsInput::default() });
        assert_eq!(none.unwrap().notification_email(), None);
    }
}
