//! The API's strings: a JSON string and nothing else, held to what the document says of it.
//!
//! poem-openapi's `String` also takes a JSON number or boolean and turns it into text, which the document (`type:
//! string`) does not allow; and a string field of the document says nothing of the codes and lengths the server
//! enforces. A [`Text`] field takes only a JSON string, and its [`TextRule`] both documents and enforces a length
//! (`maxLength`, in characters, counted on the text as sent) or a closed list of codes (`enum`). What the rule
//! refuses is a malformed request (400 `invalid_request`); what passes is then checked by the domain, which may
//! refuse more, with a code per field.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use mypage_domain::values::{Choice, MAX_EMAIL_LENGTH, StaffRole, TermsKind};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use secrecy::SecretString;
use serde_json::Value;

/// What a [`Text`] field allows, written into the document and checked when a request is read.
pub(crate) trait TextRule: 'static {
    /// The most characters the text may have.
    const MAX_LENGTH: Option<usize> = None;
    /// Whether the text is a secret, never printed.
    const SECRET: bool = false;

    /// The only values allowed, when the field is a code; empty when any text is.
    fn codes() -> Vec<&'static str> {
        Vec::new()
    }
}

/// A JSON string, held to the rule `R`.
pub(crate) struct Text<R: TextRule = Free>(String, PhantomData<fn() -> R>);

impl<R: TextRule> Text<R> {
    fn checked(text: String) -> ParseResult<Self> {
        if let Some(max) = R::MAX_LENGTH
            && text.chars().count() > max
        {
            return Err(ParseError::custom(format!("a text of at most {max} characters is expected")));
        }
        let codes = R::codes();
        if !codes.is_empty() && !codes.contains(&text.as_str()) {
            return Err(ParseError::custom(format!("one of {} is expected", codes.join(", "))));
        }
        Ok(Self(text, PhantomData))
    }
}

impl<R: TextRule> Type for Text<R> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.max_length = R::MAX_LENGTH;
        schema.enum_items = R::codes().into_iter().map(Value::from).collect();
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<R: TextRule> ParseFromJSON for Text<R> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => Self::checked(text),
            Some(other) => Err(ParseError::expected_type(other)),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl<R: TextRule> ToJSON for Text<R> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl<R: TextRule> Default for Text<R> {
    fn default() -> Self {
        Self(String::new(), PhantomData)
    }
}

impl<R: TextRule> Clone for Text<R> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<R: TextRule> fmt::Debug for Text<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if R::SECRET { f.write_str("[REDACTED]") } else { fmt::Debug::fmt(&self.0, f) }
    }
}

impl<R: TextRule> std::ops::Deref for Text<R> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// A secret as read: kept as a [`SecretString`] from here on.
impl<R: TextRule> From<Text<R>> for SecretString {
    fn from(text: Text<R>) -> Self {
        SecretString::from(text.0)
    }
}

/// Text read from the domain or written by the server; a response is not checked against the rule.
impl<R: TextRule> From<String> for Text<R> {
    fn from(text: String) -> Self {
        Self(text, PhantomData)
    }
}

impl<R: TextRule> From<Text<R>> for String {
    fn from(text: Text<R>) -> Self {
        text.0
    }
}

/// Any text; the domain checks it.
pub(crate) struct Free;
impl TextRule for Free {}

/// An e-mail address: at most 254 characters (RFC 5321's path limit, as the domain counts it).
pub(crate) struct Email;
impl TextRule for Email {
    const MAX_LENGTH: Option<usize> = Some(MAX_EMAIL_LENGTH);
}

/// A secret an employer or staff member types: a password (64 characters at most under any policy), an auth key
/// or a second-factor code.
pub(crate) struct Secret;
impl TextRule for Secret {
    const MAX_LENGTH: Option<usize> = Some(64);
    const SECRET: bool = true;
}

/// An identifier as people type it, hyphens and full-width digits allowed: an establishment number, an office
/// code, a staff login.
pub(crate) struct Identifier;
impl TextRule for Identifier {
    const MAX_LENGTH: Option<usize> = Some(64);
}

/// A token the server issued (a flow token).
pub(crate) struct Token;
impl TextRule for Token {
    const MAX_LENGTH: Option<usize> = Some(128);
}

/// One of the codes of a domain [`Choice`] (`industry`, `employment_type`, `wage_kind`, a staff role).
pub(crate) struct OneOf<C>(PhantomData<fn() -> C>);
impl<C: Choice> TextRule for OneOf<C> {
    fn codes() -> Vec<&'static str> {
        C::ALL.iter().map(|c| c.code()).collect()
    }
}

/// One of the codes of a domain [`Choice`], or empty where the field does not apply (`age_exception` without an
/// age limit).
pub(crate) struct OneOfOrEmpty<C>(PhantomData<fn() -> C>);
impl<C: Choice> TextRule for OneOfOrEmpty<C> {
    fn codes() -> Vec<&'static str> {
        std::iter::once("").chain(C::ALL.iter().map(|c| c.code())).collect()
    }
}

/// 雇用期間の定め: `none` or `fixed`, as the domain reads it.
pub(crate) struct ContractCodes;
impl TextRule for ContractCodes {
    fn codes() -> Vec<&'static str> {
        vec!["none", "fixed"]
    }
}

/// 年齢制限: `none` (不問) or `limited`, as the domain reads it.
pub(crate) struct AgeCodes;
impl TextRule for AgeCodes {
    fn codes() -> Vec<&'static str> {
        vec!["none", "limited"]
    }
}

/// The kind of a terms document: `privacy_policy` or `mypage_terms`.
pub(crate) struct TermsKinds;
impl TextRule for TermsKinds {
    fn codes() -> Vec<&'static str> {
        TermsKind::ALL.iter().map(|k| k.code()).collect()
    }
}

/// A staff role's code.
pub(crate) type Role = Text<OneOf<StaffRole>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_json_string_within_the_rule_is_read() {
        assert!(Text::<Free>::parse_from_json(Some(Value::from(123))).is_err());
        assert!(Text::<Free>::parse_from_json(Some(Value::Bool(true))).is_err());
        assert!(Text::<Free>::parse_from_json(Some(Value::Null)).is_err());
        assert_eq!(Text::<Free>::parse_from_json(Some(Value::from("123"))).unwrap().to_string(), "123");
        let longest = "あ".repeat(MAX_EMAIL_LENGTH);
        assert!(Text::<Email>::parse_from_json(Some(Value::from(longest.clone()))).is_ok());
        assert!(Text::<Email>::parse_from_json(Some(Value::from(longest + "a"))).is_err());
        assert!(Role::parse_from_json(Some(Value::from("reviewer"))).is_ok());
        assert!(Role::parse_from_json(Some(Value::from("root"))).is_err());
        assert!(Text::<OneOfOrEmpty<StaffRole>>::parse_from_json(Some(Value::from(""))).is_ok());
    }

    #[test]
    fn the_document_says_what_is_enforced() {
        let MetaSchemaRef::Inline(schema) = Role::schema_ref() else { panic!("an inline schema") };
        assert_eq!(schema.ty, "string");
        let codes: Vec<&str> = schema.enum_items.iter().filter_map(Value::as_str).collect();
        assert_eq!(codes, StaffRole::ALL.iter().map(|r| r.code()).collect::<Vec<_>>());
        let MetaSchemaRef::Inline(schema) = Text::<Email>::schema_ref() else { panic!("an inline schema") };
        assert_eq!(schema.max_length, Some(MAX_EMAIL_LENGTH));
    }

    #[test]
    fn a_secret_is_never_printed() {
        let password = Text::<Secret>::parse_from_json(Some(Value::from("Hellowork#2026"))).unwrap();
        assert_eq!(format!("{password:?}"), "[REDACTED]");
    }
}
