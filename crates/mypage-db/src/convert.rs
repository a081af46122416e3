//! Rows to domain values and back. Reading parses every column, so a corrupt row becomes an infrastructure error
//! naming the table and column, never an invalid value.

use chrono::{DateTime, Utc};
use mypage_domain::model::{
    Account, AccountId, AccountRecord, AccountStatus, Actor, ApplicationHistory, AuditAction, AuditEvent, AuditEventId,
    AuthFlow, AuthFlowRecord, ClientInfo, DeathCause, Establishment, EstablishmentId, EstablishmentRecord, FlowId,
    FlowPurpose, FlowState, FlowTarget, IssuedKey, MailId, MailTemplate, Office, OfficeRecord, OutgoingMail,
    PasswordHash, ProvisionalRegistration, RegistrationId, RegistrationRecord, RegistrationStatus, SecondFactorState,
    StaffId, StaffLogin, StaffMember, StaffMemberRecord, StaffNote, TotpSecret,
};
use mypage_domain::ports::{InfrastructureError, MailState, MailSummary, RepositoryError, Session, SessionSubject};
use mypage_domain::values::{
    Choice, Digest, EmailAddress, EstablishmentInfo, EstablishmentInfoInput, EstablishmentNumber, JobOffer,
    JobOfferInput, OfficeCode, StaffRole, TermsConsent, TermsDocument, TermsKind, TermsVersion,
};
use sea_orm::ActiveValue::Set;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::{account, audit_event, establishment, flow, office, outbox, registration, session, staff, terms};
use crate::seal::Sealer;

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

// Establishments and offices.

impl TryFrom<establishment::Model> for Establishment {
    type Error = InfrastructureError;
    fn try_from(row: establishment::Model) -> Result<Self, Self::Error> {
        const T: &str = "establishments";
        let info = match row.info.as_deref() {
            Some(raw) => {
                let input: EstablishmentInfoInput = json(raw, T, "info")?;
                Some(EstablishmentInfo::parse(&input).map_err(|_| corrupt(T, "info"))?)
            }
            None => None,
        };
        Ok(Self::restore(EstablishmentRecord {
            id: parse_id(&row.id, EstablishmentId::from_uuid, T, "id")?,
            number: EstablishmentNumber::parse(&row.number).map_err(|_| corrupt(T, "number"))?,
            name: row.name,
            info,
            created_at: row.created_at,
        }))
    }
}

pub(crate) fn establishment_row(e: &Establishment) -> establishment::ActiveModel {
    establishment::ActiveModel {
        id: Set(e.id().to_string()),
        number: Set(e.number().digits().to_owned()),
        office: Set(e.office().as_str().to_owned()),
        name: Set(e.name().to_owned()),
        info: Set(e.info().map(|i| to_json(&i.to_input()))),
        created_at: Set(e.created_at()),
    }
}

impl TryFrom<office::Model> for Office {
    type Error = InfrastructureError;
    fn try_from(row: office::Model) -> Result<Self, Self::Error> {
        Ok(Self::restore(OfficeRecord {
            code: OfficeCode::parse(&row.code).map_err(|_| corrupt("offices", "code"))?,
            name: row.name,
            phone: row.phone,
        }))
    }
}

pub(crate) fn office_row(o: &Office) -> office::ActiveModel {
    office::ActiveModel {
        code: Set(o.code().as_str().to_owned()),
        name: Set(o.name().to_owned()),
        phone: Set(o.phone().map(str::to_owned)),
    }
}

// Staff and terms.

/// A stored role code. `admin` is the one role of the staff admins before the role was split (R14); the
/// migration `m20261201_000001_split_admin_role` rewrites it to `central_admin`, and a row an older instance still
/// writes during an upgrade reads the same way, since that admin acted across offices.
fn stored_role(code: &str) -> Option<StaffRole> {
    match code {
        "admin" => Some(StaffRole::CentralAdmin),
        _ => StaffRole::from_code(code),
    }
}

/// A stored member, its TOTP secret opened with `sealer` (R21).
pub(crate) fn staff_member(row: staff::Model, sealer: &Sealer) -> Result<StaffMember, InfrastructureError> {
    const T: &str = "staff";
    let context = format!("staff:{}", row.id);
    let secret = || {
        let sealed = row.totp_secret.as_deref().ok_or_else(|| corrupt(T, "totp_secret"))?;
        let bytes = sealer.open_bytes(&context, sealed).ok_or_else(|| corrupt(T, "totp_secret"))?;
        Ok::<_, InfrastructureError>(TotpSecret::from_bytes(bytes))
    };
    let second_factor = match row.second_factor.as_str() {
        "none" => SecondFactorState::NotEnrolled,
        "enrolling" => SecondFactorState::Enrolling { secret: secret()? },
        "enrolled" => SecondFactorState::Enrolled {
            secret: secret()?,
            last_step: row
                .totp_last_step
                .and_then(|s| u64::try_from(s).ok())
                .ok_or_else(|| corrupt(T, "totp_last_step"))?,
            recovery_codes: row
                .recovery_codes
                .split(',')
                .filter(|d| !d.is_empty())
                .map(|d| Digest::from_hex(d.to_owned()))
                .collect(),
        },
        _ => return Err(corrupt(T, "second_factor")),
    };
    let roles = row
        .roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| stored_role(r).ok_or_else(|| corrupt(T, "roles")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StaffMember::restore(StaffMemberRecord {
        id: parse_id(&row.id, StaffId::from_uuid, T, "id")?,
        office: OfficeCode::parse(&row.office).map_err(|_| corrupt(T, "office"))?,
        login: StaffLogin::parse(&row.login).map_err(|_| corrupt(T, "login"))?,
        name: row.name,
        roles,
        password: PasswordHash::new(row.password_hash),
        active: row.active,
        second_factor,
        version: version(row.version, T)?,
    }))
}

/// The row of a member, its TOTP secret sealed with `sealer` for this row only (R21).
pub(crate) fn staff_row(
    m: &StaffMember,
    version: u64,
    sealer: &Sealer,
) -> Result<staff::ActiveModel, InfrastructureError> {
    let roles: Vec<&str> = m.roles().iter().map(|r| r.code()).collect();
    let context = format!("staff:{}", m.id());
    let seal = |secret: &TotpSecret| {
        sealer.seal_bytes(&context, secret.expose()).ok_or_else(|| InfrastructureError::new("no randomness to seal"))
    };
    let (state, secret, last_step, codes) = match m.second_factor() {
        SecondFactorState::NotEnrolled => ("none", None, None, String::new()),
        SecondFactorState::Enrolling { secret } => ("enrolling", Some(seal(secret)?), None, String::new()),
        SecondFactorState::Enrolled { secret, last_step, recovery_codes } => {
            let codes: Vec<&str> = recovery_codes.iter().map(Digest::as_hex).collect();
            ("enrolled", Some(seal(secret)?), Some(i64::try_from(*last_step).unwrap_or(i64::MAX)), codes.join(","))
        }
    };
    Ok(staff::ActiveModel {
        second_factor: Set(state.to_owned()),
        totp_secret: Set(secret),
        totp_last_step: Set(last_step),
        recovery_codes: Set(codes),
        id: Set(m.id().to_string()),
        office: Set(m.office().as_str().to_owned()),
        login: Set(m.login().as_str().to_owned()),
        name: Set(m.name().to_owned()),
        roles: Set(roles.join(",")),
        password_hash: Set(m.password().as_str().to_owned()),
        active: Set(m.active()),
        version: Set(db_version(version)),
    })
}

impl TryFrom<terms::Model> for TermsDocument {
    type Error = InfrastructureError;
    fn try_from(row: terms::Model) -> Result<Self, Self::Error> {
        Ok(Self {
            kind: TermsKind::from_code(&row.kind).ok_or_else(|| corrupt("terms", "kind"))?,
            version: TermsVersion(u32::try_from(row.version).map_err(|_| corrupt("terms", "version"))?),
            body: row.body,
            published_at: row.published_at,
        })
    }
}

pub(crate) fn terms_row(d: &TermsDocument) -> terms::ActiveModel {
    terms::ActiveModel {
        kind: Set(d.kind.code().to_owned()),
        version: Set(i32::try_from(d.version.0).unwrap_or(i32::MAX)),
        body: Set(d.body.clone()),
        published_at: Set(d.published_at),
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

// Registrations.

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredHistory {
    PastApplicant { number: String },
    FirstTime { office: String },
}

impl TryFrom<registration::Model> for ProvisionalRegistration {
    type Error = InfrastructureError;
    fn try_from(row: registration::Model) -> Result<Self, Self::Error> {
        const T: &str = "registrations";
        let history = match row.history.as_deref() {
            Some(raw) => Some(match json::<StoredHistory>(raw, T, "history")? {
                StoredHistory::PastApplicant { number } => ApplicationHistory::PastApplicant {
                    number: EstablishmentNumber::parse(&number).map_err(|_| corrupt(T, "history"))?,
                },
                StoredHistory::FirstTime { office } => ApplicationHistory::FirstTime {
                    office: OfficeCode::parse(&office).map_err(|_| corrupt(T, "history"))?,
                },
            }),
            None => None,
        };
        let establishment = match row.establishment.as_deref() {
            Some(raw) => Some(
                EstablishmentInfo::parse(&json::<EstablishmentInfoInput>(raw, T, "establishment")?)
                    .map_err(|_| corrupt(T, "establishment"))?,
            ),
            None => None,
        };
        let job_offer = match row.job_offer.as_deref() {
            Some(raw) => Some(
                JobOffer::parse(&json::<JobOfferInput>(raw, T, "job_offer")?).map_err(|_| corrupt(T, "job_offer"))?,
            ),
            None => None,
        };
        let note = || row.note.as_deref().and_then(|n| StaffNote::parse(n).ok()).ok_or_else(|| corrupt(T, "note"));
        let status = match row.status.as_str() {
            "draft" => RegistrationStatus::Draft,
            "submitted" => RegistrationStatus::Submitted,
            "contact_needed" => RegistrationStatus::ContactNeeded { note: note()? },
            "returned" => RegistrationStatus::Returned { note: note()? },
            "rejected" => RegistrationStatus::Rejected { reason: note()? },
            "expired" => RegistrationStatus::Expired,
            "confirmed" => RegistrationStatus::Confirmed {
                establishment: parse_id(
                    row.confirmed_establishment.as_deref().unwrap_or_default(),
                    EstablishmentId::from_uuid,
                    T,
                    "confirmed_establishment",
                )?,
                number: EstablishmentNumber::parse(row.confirmed_number.as_deref().unwrap_or_default())
                    .map_err(|_| corrupt(T, "confirmed_number"))?,
            },
            _ => return Err(corrupt(T, "status")),
        };
        Ok(Self::restore(RegistrationRecord {
            id: parse_id(&row.id, RegistrationId::from_uuid, T, "id")?,
            account: parse_id(&row.account_id, AccountId::from_uuid, T, "account_id")?,
            history,
            establishment,
            job_offer,
            status,
            created_at: row.created_at,
            updated_at: row.updated_at,
            submitted_at: row.submitted_at,
            decided_by: row
                .decided_by
                .as_deref()
                .map(|s| parse_id(s, StaffId::from_uuid, T, "decided_by"))
                .transpose()?,
            version: version(row.version, T)?,
        }))
    }
}

pub(crate) fn registration_row(r: &ProvisionalRegistration, version: u64) -> registration::ActiveModel {
    let history = r.history().map(|h| {
        to_json(&match h {
            ApplicationHistory::PastApplicant { number } => {
                StoredHistory::PastApplicant { number: number.digits().to_owned() }
            }
            ApplicationHistory::FirstTime { office } => StoredHistory::FirstTime { office: office.as_str().to_owned() },
        })
    });
    let (note, confirmed_establishment, confirmed_number) = match &r.status() {
        RegistrationStatus::ContactNeeded { note } | RegistrationStatus::Returned { note } => {
            (Some(note.as_str().to_owned()), None, None)
        }
        RegistrationStatus::Rejected { reason } => (Some(reason.as_str().to_owned()), None, None),
        RegistrationStatus::Confirmed { establishment, number } => {
            (None, Some(establishment.to_string()), Some(number.digits().to_owned()))
        }
        _ => (None, None, None),
    };
    registration::ActiveModel {
        id: Set(r.id().to_string()),
        account_id: Set(r.account().to_string()),
        office: Set(r.office().map(|o| o.as_str().to_owned())),
        history: Set(history),
        establishment: Set(r.establishment().map(|e| to_json(&e.to_input()))),
        job_offer: Set(r.job_offer().map(|j| to_json(&j.to_input()))),
        status: Set(r.status().code().to_owned()),
        note: Set(note),
        confirmed_establishment: Set(confirmed_establishment),
        confirmed_number: Set(confirmed_number),
        created_at: Set(r.created_at()),
        updated_at: Set(r.updated_at()),
        submitted_at: Set(r.submitted_at()),
        decided_by: Set(r.decided_by().map(|s| s.to_string())),
        version: Set(db_version(version)),
    }
}

// Audit events.

pub(crate) fn audit_row(e: &AuditEvent) -> audit_event::ActiveModel {
    let (kind, id) = match e.actor {
        Actor::Anonymous => ("anonymous", None),
        Actor::Employer(a) => ("employer", Some(a.to_string())),
        Actor::Staff(s) => ("staff", Some(s.to_string())),
        Actor::System => ("system", None),
    };
    audit_event::ActiveModel {
        seq: sea_orm::ActiveValue::NotSet,
        id: Set(e.id.to_string()),
        at: Set(e.at),
        actor_kind: Set(kind.to_owned()),
        actor_id: Set(id),
        action: Set(e.action.code().to_owned()),
        subject: Set(e.subject.clone()),
        client_ip: Set(e.client.ip.map(|ip| ip.to_string())),
        user_agent: Set(e.client.user_agent.clone()),
    }
}

impl TryFrom<audit_event::Model> for AuditEvent {
    type Error = InfrastructureError;
    fn try_from(row: audit_event::Model) -> Result<Self, Self::Error> {
        const T: &str = "audit_events";
        let actor_id = row.actor_id.as_deref().unwrap_or_default();
        let actor = match row.actor_kind.as_str() {
            "anonymous" => Actor::Anonymous,
            "system" => Actor::System,
            "employer" => Actor::Employer(parse_id(actor_id, AccountId::from_uuid, T, "actor_id")?),
            "staff" => Actor::Staff(parse_id(actor_id, StaffId::from_uuid, T, "actor_id")?),
            _ => return Err(corrupt(T, "actor_kind")),
        };
        Ok(Self {
            id: parse_id(&row.id, AuditEventId::from_uuid, T, "id")?,
            at: row.at,
            actor,
            action: AuditAction::from_code(&row.action).ok_or_else(|| corrupt(T, "action"))?,
            subject: row.subject,
            client: ClientInfo {
                ip: row.client_ip.as_deref().map(|ip| ip.parse().map_err(|_| corrupt(T, "client_ip"))).transpose()?,
                user_agent: row.user_agent,
            },
        })
    }
}

// Mail.

/// A template's parameters as stored in the outbox. The auth key is stored until the mail is sent, then erased; so is
/// the decoy of a notice or a withheld mail, sealed as a key is so that the three cost the same (R8).
#[derive(Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
enum StoredTemplate {
    /// `sealed_key` is the key sealed by [`crate::seal::Sealer`]; `None` once the mail was sent.
    AuthKey {
        purpose: String,
        sealed_key: Option<String>,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    /// `sealed_decoy` is sealed like a key and never opened: a decoy is never used. Rows queued before decoys
    /// existed have none.
    AccountNotice {
        purpose: String,
        status: String,
        #[serde(default)]
        sealed_decoy: Option<String>,
    },
    /// Never sent (R8); `sealed_decoy` as for a notice.
    Withheld {
        purpose: String,
        sealed_decoy: Option<String>,
    },
    RegistrationReceived {
        registration: String,
        office_name: String,
    },
    RegistrationConfirmed {
        number: String,
        establishment_name: String,
    },
    ContactNeeded {
        note: String,
        office_name: String,
    },
    RegistrationReturned {
        note: String,
        office_name: String,
    },
    RegistrationRejected {
        reason: String,
        office_name: String,
    },
    PasswordChanged {
        at: DateTime<Utc>,
    },
}

pub(crate) fn outbox_row(mail: &OutgoingMail, sealer: &Sealer) -> outbox::ActiveModel {
    let stored = match &mail.template {
        MailTemplate::AuthKey { purpose, key, issued_at, expires_at } => StoredTemplate::AuthKey {
            purpose: purpose.code().to_owned(),
            sealed_key: Some(sealer.seal(mail.id, key.expose_secret())),
            issued_at: *issued_at,
            expires_at: *expires_at,
        },
        MailTemplate::AccountNotice { purpose, status, decoy } => StoredTemplate::AccountNotice {
            purpose: purpose.code().to_owned(),
            status: status.code().to_owned(),
            sealed_decoy: Some(sealer.seal(mail.id, decoy.expose_secret())),
        },
        MailTemplate::Withheld { purpose, decoy } => StoredTemplate::Withheld {
            purpose: purpose.code().to_owned(),
            sealed_decoy: Some(sealer.seal(mail.id, decoy.expose_secret())),
        },
        MailTemplate::RegistrationReceived { registration, office_name } => StoredTemplate::RegistrationReceived {
            registration: registration.to_string(),
            office_name: office_name.clone(),
        },
        MailTemplate::RegistrationConfirmed { number, establishment_name } => StoredTemplate::RegistrationConfirmed {
            number: number.digits().to_owned(),
            establishment_name: establishment_name.clone(),
        },
        MailTemplate::ContactNeeded { note, office_name } => {
            StoredTemplate::ContactNeeded { note: note.clone(), office_name: office_name.clone() }
        }
        MailTemplate::RegistrationReturned { note, office_name } => {
            StoredTemplate::RegistrationReturned { note: note.clone(), office_name: office_name.clone() }
        }
        MailTemplate::RegistrationRejected { reason, office_name } => {
            StoredTemplate::RegistrationRejected { reason: reason.clone(), office_name: office_name.clone() }
        }
        MailTemplate::PasswordChanged { at } => StoredTemplate::PasswordChanged { at: *at },
    };
    outbox::ActiveModel {
        id: Set(mail.id.to_string()),
        recipient: Set(mail.to.as_str().to_owned()),
        template: Set(mail.template.code().to_owned()),
        params: Set(to_json(&stored)),
        state: Set(MailState::Pending.code().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(mail.created_at),
        last_error: Set(None),
        message_id: Set(mail.id.to_string()),
        created_at: Set(mail.created_at),
        sent_at: Set(None),
    }
}

/// The parameters with the secret erased, as stored once the mail is sent.
pub(crate) fn scrubbed_params(raw: &str) -> String {
    match serde_json::from_str::<StoredTemplate>(raw) {
        Ok(StoredTemplate::AuthKey { purpose, issued_at, expires_at, .. }) => {
            to_json(&StoredTemplate::AuthKey { purpose, sealed_key: None, issued_at, expires_at })
        }
        Ok(StoredTemplate::AccountNotice { purpose, status, .. }) => {
            to_json(&StoredTemplate::AccountNotice { purpose, status, sealed_decoy: None })
        }
        Ok(StoredTemplate::Withheld { purpose, .. }) => {
            to_json(&StoredTemplate::Withheld { purpose, sealed_decoy: None })
        }
        Ok(other) => to_json(&other),
        Err(_) => String::from("{}"),
    }
}

pub(crate) fn outgoing_mail(row: &outbox::Model, sealer: &Sealer) -> Result<OutgoingMail, InfrastructureError> {
    const T: &str = "outbox";
    let id = parse_id(&row.id, MailId::from_uuid, T, "id")?;
    let purpose = |p: &str| FlowPurpose::from_code(p).ok_or_else(|| corrupt(T, "params"));
    let template = match json::<StoredTemplate>(&row.params, T, "params")? {
        StoredTemplate::AuthKey { purpose: p, sealed_key, issued_at, expires_at } => MailTemplate::AuthKey {
            purpose: purpose(&p)?,
            key: SecretString::from(
                sealed_key.and_then(|sealed| sealer.open(id, &sealed)).ok_or_else(|| corrupt(T, "params"))?,
            ),
            issued_at,
            expires_at,
        },
        // A decoy is not opened: it is never used, and a row should not go dead for want of it.
        StoredTemplate::AccountNotice { purpose: p, status, sealed_decoy: _ } => MailTemplate::AccountNotice {
            purpose: purpose(&p)?,
            status: AccountStatus::from_code(&status).ok_or_else(|| corrupt(T, "params"))?,
            decoy: SecretString::from(String::new()),
        },
        StoredTemplate::Withheld { purpose: p, sealed_decoy: _ } => {
            MailTemplate::Withheld { purpose: purpose(&p)?, decoy: SecretString::from(String::new()) }
        }
        StoredTemplate::RegistrationReceived { registration, office_name } => MailTemplate::RegistrationReceived {
            registration: parse_id(&registration, RegistrationId::from_uuid, T, "params")?,
            office_name,
        },
        StoredTemplate::RegistrationConfirmed { number, establishment_name } => MailTemplate::RegistrationConfirmed {
            number: EstablishmentNumber::parse(&number).map_err(|_| corrupt(T, "params"))?,
            establishment_name,
        },
        StoredTemplate::ContactNeeded { note, office_name } => MailTemplate::ContactNeeded { note, office_name },
        StoredTemplate::RegistrationReturned { note, office_name } => {
            MailTemplate::RegistrationReturned { note, office_name }
        }
        StoredTemplate::RegistrationRejected { reason, office_name } => {
            MailTemplate::RegistrationRejected { reason, office_name }
        }
        StoredTemplate::PasswordChanged { at } => MailTemplate::PasswordChanged { at },
    };
    Ok(OutgoingMail { id, to: email(&row.recipient, T)?, template, created_at: row.created_at })
}

pub(crate) fn mail_summary(row: &outbox::Model) -> Result<MailSummary, InfrastructureError> {
    const T: &str = "outbox";
    Ok(MailSummary {
        id: parse_id(&row.id, MailId::from_uuid, T, "id")?,
        to: email(&row.recipient, T)?,
        template: row.template.clone(),
        state: MailState::from_code(&row.state).ok_or_else(|| corrupt(T, "state"))?,
        attempts: u32::try_from(row.attempts).map_err(|_| corrupt(T, "attempts"))?,
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error.clone(),
        created_at: row.created_at,
    })
}

// Sessions.

pub(crate) fn session_row(s: &Session) -> session::ActiveModel {
    let (kind, id) = match s.subject {
        SessionSubject::Anonymous => ("anonymous", None),
        SessionSubject::Employer(a) => ("employer", Some(a.to_string())),
        SessionSubject::Staff(m) => ("staff", Some(m.to_string())),
    };
    session::ActiveModel {
        id: Set(s.id.as_hex().to_owned()),
        subject_kind: Set(kind.to_owned()),
        subject_id: Set(id),
        data: Set(s.data.clone()),
        created_at: Set(s.created_at),
        expires_at: Set(s.expires_at),
        idle_expires_at: Set(s.idle_expires_at),
    }
}

impl TryFrom<session::Model> for Session {
    type Error = InfrastructureError;
    fn try_from(row: session::Model) -> Result<Self, Self::Error> {
        const T: &str = "sessions";
        let id = row.subject_id.as_deref().unwrap_or_default();
        let subject = match row.subject_kind.as_str() {
            "anonymous" => SessionSubject::Anonymous,
            "employer" => SessionSubject::Employer(parse_id(id, AccountId::from_uuid, T, "subject_id")?),
            "staff" => SessionSubject::Staff(parse_id(id, StaffId::from_uuid, T, "subject_id")?),
            _ => return Err(corrupt(T, "subject_kind")),
        };
        Ok(Self {
            id: Digest::from_hex(row.id),
            subject,
            data: row.data,
            created_at: row.created_at,
            expires_at: row.expires_at,
            idle_expires_at: row.idle_expires_at,
        })
    }
}

/// Turns a store read into the repository's error type.
pub(crate) fn read<T, R>(rows: Vec<R>) -> Result<Vec<T>, RepositoryError>
where
    T: TryFrom<R, Error = InfrastructureError>,
{
    rows.into_iter().map(|r| T::try_from(r).map_err(RepositoryError::from)).collect()
}
