//! Property tests of the four parsers at the boundary: no panic on any input, normalising is idempotent,
//! and what is displayed parses back to the same value.

use mypage_domain::values::{AuthKey, EmailAddress, EstablishmentNumber, NewPassword, PasswordPolicy};
use proptest::prelude::*;
use secrecy::{ExposeSecret, SecretString};

proptest! {
    #[test]
    fn email_parse_never_panics_and_its_display_parses_back(raw in "\\PC{0,80}") {
        if let Ok(email) = EmailAddress::parse(&raw) {
            let again = EmailAddress::parse(email.as_str()).unwrap();
            prop_assert_eq!(&again, &email);
            prop_assert_eq!(again.as_str(), email.as_str());
        }
    }

    #[test]
    fn email_normalising_is_idempotent_on_plausible_addresses(
        local in "[A-Za-z0-9._%+-]{1,20}", domain in "[A-Za-z0-9]{1,10}", tld in "[A-Za-z]{2,4}", pad in " {0,3}",
    ) {
        let raw = format!("{pad}{local}@{domain}.{tld}{pad}");
        let email = EmailAddress::parse(&raw).unwrap();
        prop_assert_eq!(email.domain(), format!("{domain}.{tld}").to_ascii_lowercase());
        prop_assert_eq!(EmailAddress::parse(&email.to_string()).unwrap(), email);
    }

    #[test]
    fn establishment_number_parse_never_panics_and_round_trips(raw in "\\PC{0,20}") {
        if let Ok(n) = EstablishmentNumber::parse(&raw) {
            prop_assert_eq!(EstablishmentNumber::parse(&n.to_string()).unwrap(), n.clone());
            prop_assert_eq!(EstablishmentNumber::parse(n.digits()).unwrap(), n);
        }
    }

    #[test]
    fn every_eleven_digits_are_a_number_written_with_or_without_hyphens(digits in "[0-9]{11}", full in any::<bool>()) {
        let written = format!("{}-{}-{}", &digits[..4], &digits[4..10], &digits[10..]);
        let typed = if full { written.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect() } else { written.clone() };
        let n = EstablishmentNumber::parse(&typed).unwrap();
        prop_assert_eq!(n.to_string(), written);
        prop_assert_eq!(n.digits(), digits.as_str());
    }

    #[test]
    fn auth_key_parse_never_panics_and_the_mail_form_parses_back(raw in "\\PC{0,24}", bytes in any::<[u8; 10]>()) {
        let _ = AuthKey::parse(&SecretString::from(raw));
        let key = AuthKey::from_random_bytes(bytes);
        let from_mail = AuthKey::parse(&key.for_mail()).unwrap();
        prop_assert_eq!(from_mail.canonical().expose_secret(), key.canonical().expose_secret());
        let again = AuthKey::parse(key.canonical()).unwrap();
        prop_assert_eq!(again.canonical().expose_secret(), key.canonical().expose_secret());
    }

    #[test]
    fn password_parse_never_panics_and_what_it_accepts_meets_the_office_rule(raw in "\\PC{0,40}") {
        let email = EmailAddress::parse("yamada@example.jp").unwrap();
        let secret = SecretString::from(raw);
        if let Ok(pw) = NewPassword::parse(&secret, &secret, &email, PasswordPolicy::Office) {
            let text = pw.secret().expose_secret();
            prop_assert!((8..=32).contains(&text.chars().count()));
            prop_assert!(text.chars().all(|c| c.is_ascii_graphic()));
            prop_assert!(text.chars().any(|c| c.is_ascii_digit()));
            prop_assert!(text.chars().any(|c| c.is_ascii_alphabetic()));
            prop_assert!(text.chars().any(|c| c.is_ascii_punctuation()));
            // Normalising is idempotent: the accepted password is accepted again as it is.
            let again = NewPassword::parse(pw.secret(), pw.secret(), &email, PasswordPolicy::Office).unwrap();
            prop_assert_eq!(again.secret().expose_secret(), text);
        }
    }

    #[test]
    fn a_password_built_from_each_class_is_accepted(
        letters in "[a-zA-Z]{3,10}", digits in "[0-9]{2,8}", symbols in "[!#$%&*+=?@^_~-]{1,6}",
    ) {
        let raw = format!("{letters}{digits}{symbols}");
        let email = EmailAddress::parse("yamada@example.jp").unwrap();
        let secret = SecretString::from(raw.clone());
        let result = NewPassword::parse(&secret, &secret, &email, PasswordPolicy::Office);
        if raw.to_lowercase().contains("yamada") || raw.len() > 32 {
            prop_assert!(result.is_err());
        } else {
            prop_assert!(result.is_ok() || raw.len() < 8, "{raw}");
        }
    }
}
