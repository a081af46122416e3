//! Accounts and authentication flows: their rows and back.

use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountRecord, AccountStatus, AuthFlow, AuthFlowRecord, DeathCause, EstablishmentId, FlowId,
    FlowPurpose, FlowState, FlowTarget, IssuedKey, PasswordHash,
};
use mypage_domain::ports::InfrastructureError;
use mypage_domain::values::Digest;
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};

use super::{consent, consent_columns, corrupt, db_version, email, json, parse_id, to_json, version};
use crate::entities::{account, flow};

// Accounts.

impl TryFrom<account::Model> for Account {
    type Error = InfrastructureError;
    fn try_from(row: account::Model) -> Result<Self, Self::Error> {
        const T: &str = "accounts";
        Ok(Self::restore(AccountRecord {
            id: parse_id(&row.id, AccountId::from_uuid, T, "id")?,
            email: email(&row.email, T)?,
            status: AccountStatus::from_code(&row.status).ok_or_else(|| corrupt(T, "status"))?,
            establishment: row
                .establishment_id
                .as_deref()
                .map(|e| parse_id(e, EstablishmentId::from_uuid, T, "establishment_id"))
                .transpose()?,
            password: row.password_hash.map(PasswordHash::new),
            consent: consent(row.consent_privacy, row.consent_terms, row.consent_at, T)?,
            created_at: row.created_at,
            version: version(row.version, T)?,
        }))
    }
}

pub(crate) fn account_row(a: &Account, version: u64) -> account::ActiveModel {
    let (p, t, at) = consent_columns(a.consent());
    account::ActiveModel {
        id: Set(a.id().to_string()),
        email: Set(a.email().as_str().to_owned()),
        status: Set(a.status().code().to_owned()),
        establishment_id: Set(a.establishment().map(|e| e.to_string())),
        password_hash: Set(a.password().map(|h| h.as_str().to_owned())),
        consent_privacy: Set(p),
        consent_terms: Set(t),
        consent_at: Set(at),
        created_at: Set(a.created_at()),
        version: Set(db_version(version)),
    }
}

// Flows.

#[derive(Serialize, Deserialize)]
struct StoredKey {
    digest: Option<String>,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

fn target_text(t: FlowTarget) -> String {
    match t {
        FlowTarget::Key { account: Some(a) } => format!("key:{a}"),
        FlowTarget::Key { account: None } => "key:".to_owned(),
        FlowTarget::Notice { status } => format!("notice:{}", status.code()),
        FlowTarget::Nothing => "nothing".to_owned(),
    }
}

fn target(raw: &str) -> Result<FlowTarget, InfrastructureError> {
    const T: &str = "flows";
    match raw.split_once(':') {
        Some(("key", "")) => Ok(FlowTarget::Key { account: None }),
        Some(("key", id)) => Ok(FlowTarget::Key { account: Some(parse_id(id, AccountId::from_uuid, T, "target")?) }),
        Some(("notice", status)) => {
            Ok(FlowTarget::Notice { status: AccountStatus::from_code(status).ok_or_else(|| corrupt(T, "target"))? })
        }
        None if raw == "nothing" => Ok(FlowTarget::Nothing),
        _ => Err(corrupt(T, "target")),
    }
}

pub(crate) fn state_text(s: FlowState) -> String {
    match s {
        FlowState::Open => "open".to_owned(),
        FlowState::Spent => "spent".to_owned(),
        FlowState::Dead(cause) => format!("dead:{}", cause.code()),
    }
}

fn flow_state(raw: &str) -> Result<FlowState, InfrastructureError> {
    match raw {
        "open" => Ok(FlowState::Open),
        "spent" => Ok(FlowState::Spent),
        _ => raw
            .strip_prefix("dead:")
            .and_then(DeathCause::from_code)
            .map(FlowState::Dead)
            .ok_or_else(|| corrupt("flows", "state")),
    }
}

impl TryFrom<flow::Model> for AuthFlow {
    type Error = InfrastructureError;
    fn try_from(row: flow::Model) -> Result<Self, Self::Error> {
        const T: &str = "flows";
        let keys: Vec<StoredKey> = json(&row.keys, T, "keys")?;
        Ok(Self::restore(AuthFlowRecord {
            id: parse_id(&row.id, FlowId::from_uuid, T, "id")?,
            purpose: FlowPurpose::from_code(&row.purpose).ok_or_else(|| corrupt(T, "purpose"))?,
            email: email(&row.email, T)?,
            token_digest: Digest::from_hex(row.token_digest),
            target: target(&row.target)?,
            consent: consent(row.consent_privacy, row.consent_terms, row.consent_at, T)?,
            keys: keys
                .into_iter()
                .map(|k| IssuedKey {
                    digest: k.digest.map(Digest::from_hex),
                    issued_at: k.issued_at,
                    expires_at: k.expires_at,
                })
                .collect(),
            wrong_attempts: u8::try_from(row.wrong_attempts).map_err(|_| corrupt(T, "wrong_attempts"))?,
            state: flow_state(&row.state)?,
            created_at: row.created_at,
            version: version(row.version, T)?,
        }))
    }
}

pub(crate) fn flow_row(f: &AuthFlow, version: u64) -> flow::ActiveModel {
    let (p, t, at) = consent_columns(f.consent());
    let keys: Vec<StoredKey> = f
        .keys()
        .iter()
        .map(|k| StoredKey {
            digest: k.digest.as_ref().map(|d| d.as_hex().to_owned()),
            issued_at: k.issued_at,
            expires_at: k.expires_at,
        })
        .collect();
    flow::ActiveModel {
        id: Set(f.id().to_string()),
        purpose: Set(f.purpose().code().to_owned()),
        email: Set(f.email().as_str().to_owned()),
        token_digest: Set(f.token_digest().as_hex().to_owned()),
        target: Set(target_text(f.target())),
        consent_privacy: Set(p),
        consent_terms: Set(t),
        consent_at: Set(at),
        keys: Set(to_json(&keys)),
        wrong_attempts: Set(i32::from(f.wrong_attempts())),
        state: Set(state_text(f.state())),
        created_at: Set(f.created_at()),
        expires_at: Set(f.expires_at()),
        version: Set(db_version(version)),
    }
}
