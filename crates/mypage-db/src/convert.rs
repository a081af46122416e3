//! Rows to domain values and back. Reading parses every column, so a corrupt row becomes an infrastructure error
//! naming the table and column, never an invalid value.

mod accounts;
mod audit;
mod mail;
mod organisation;
mod registrations;
mod sessions;

use chrono::{DateTime, Utc};
use mypage_domain::ports::{InfrastructureError, RepositoryError};
use mypage_domain::values::{EmailAddress, TermsConsent, TermsVersion};
use serde::Serialize;
use uuid::Uuid;

pub(crate) use accounts::{account_row, flow_row, state_text};
pub(crate) use audit::audit_row;
pub(crate) use mail::{mail_summary, outbox_row, outgoing_mail, scrubbed_params};
pub(crate) use organisation::{establishment_row, office_row, staff_member, staff_row, terms_row};
pub(crate) use registrations::registration_row;
pub(crate) use sessions::session_row;

/// A row that does not parse.
pub(crate) fn corrupt(table: &str, column: &str) -> InfrastructureError {
    InfrastructureError::new(format!("corrupt row in {table}.{column}"))
}

fn parse_id<T>(raw: &str, make: fn(Uuid) -> T, table: &str, column: &str) -> Result<T, InfrastructureError> {
    Uuid::parse_str(raw).map(make).map_err(|_| corrupt(table, column))
}

fn email(raw: &str, table: &str) -> Result<EmailAddress, InfrastructureError> {
    EmailAddress::parse(raw).map_err(|_| corrupt(table, "email"))
}

fn json<T: serde::de::DeserializeOwned>(raw: &str, table: &str, column: &str) -> Result<T, InfrastructureError> {
    serde_json::from_str(raw).map_err(|_| corrupt(table, column))
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain structs of strings, numbers and booleans cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

fn consent(
    privacy: Option<i32>,
    terms: Option<i32>,
    at: Option<DateTime<Utc>>,
    table: &str,
) -> Result<Option<TermsConsent>, InfrastructureError> {
    match (privacy, terms, at) {
        (Some(p), Some(t), Some(at)) => Ok(Some(TermsConsent {
            privacy_policy: TermsVersion(u32::try_from(p).map_err(|_| corrupt(table, "consent_privacy"))?),
            mypage_terms: TermsVersion(u32::try_from(t).map_err(|_| corrupt(table, "consent_terms"))?),
            at,
        })),
        (None, None, None) => Ok(None),
        _ => Err(corrupt(table, "consent")),
    }
}

fn consent_columns(c: Option<TermsConsent>) -> (Option<i32>, Option<i32>, Option<DateTime<Utc>>) {
    match c {
        Some(c) => (
            Some(i32::try_from(c.privacy_policy.0).unwrap_or(i32::MAX)),
            Some(i32::try_from(c.mypage_terms.0).unwrap_or(i32::MAX)),
            Some(c.at),
        ),
        None => (None, None, None),
    }
}

fn version(v: i64, table: &str) -> Result<u64, InfrastructureError> {
    u64::try_from(v).map_err(|_| corrupt(table, "version"))
}

pub(crate) fn db_version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Turns a store read into the repository's error type.
pub(crate) fn read<T, R>(rows: Vec<R>) -> Result<Vec<T>, RepositoryError>
where
    T: TryFrom<R, Error = InfrastructureError>,
{
    rows.into_iter().map(|r| T::try_from(r).map_err(RepositoryError::from)).collect()
}
