//! Establishments, offices, staff members and terms documents: their rows and back.

use mypage_domain::model::{
    Establishment, EstablishmentId, EstablishmentRecord, Office, OfficeRecord, PasswordHash, SecondFactorState,
    StaffId, StaffLogin, StaffMember, StaffMemberRecord, TotpSecret,
};
use mypage_domain::ports::InfrastructureError;
use mypage_domain::values::{
    Choice, Digest, EstablishmentInfo, EstablishmentInfoInput, EstablishmentNumber, OfficeArea, OfficeAreaInput,
    OfficeCode, PhoneNumber, PostalCode, RegisterDetails, StaffRole, TermsDocument, TermsKind, TermsVersion,
};
use sea_orm::ActiveValue::Set;

use super::{corrupt, db_version, email, json, parse_id, to_json, version};
use crate::entities::{establishment, office, staff, terms};
use crate::seal::Sealer;

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
            details: RegisterDetails {
                name_kana: row.name_kana,
                postal_code: row
                    .postal_code
                    .map(|p| PostalCode::parse(&p).map_err(|_| corrupt(T, "postal_code")))
                    .transpose()?,
                address: row.address,
                phone: row.phone.map(|p| PhoneNumber::parse(&p).map_err(|_| corrupt(T, "phone"))).transpose()?,
            },
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
        name_kana: Set(e.details().name_kana.clone()),
        postal_code: Set(e.details().postal_code.as_ref().map(ToString::to_string)),
        address: Set(e.details().address.clone()),
        phone: Set(e.details().phone.as_ref().map(|p| p.as_str().to_owned())),
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
            address: row.address,
            opening_hours: row.opening_hours,
            areas: areas_from_json(&row.areas)?,
            notification_email: row.notification_email.as_deref().map(|e| email(e, "offices")).transpose()?,
            last_digest_at: row.last_digest_at,
            digest_watermark: row.digest_watermark,
            closed_at: row.closed_at,
            version: version(row.version, "offices")?,
        }))
    }
}

/// An office's areas as stored: `[["東京都","千代田区"], …]`.
fn areas_to_json(areas: &[OfficeArea]) -> String {
    let pairs: Vec<[&str; 2]> = areas.iter().map(|a| [a.prefecture(), a.municipality()]).collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned())
}

/// An office's stored areas, each parsed again as the domain's value.
fn areas_from_json(json: &str) -> Result<Vec<OfficeArea>, InfrastructureError> {
    let pairs: Vec<[String; 2]> = serde_json::from_str(json).map_err(|_| corrupt("offices", "areas"))?;
    pairs
        .into_iter()
        .map(|[prefecture, municipality]| {
            OfficeArea::parse(&OfficeAreaInput { prefecture, municipality }).map_err(|_| corrupt("offices", "areas"))
        })
        .collect()
}

pub(crate) fn office_row(o: &Office, version: u64) -> office::ActiveModel {
    office::ActiveModel {
        code: Set(o.code().as_str().to_owned()),
        name: Set(o.name().to_owned()),
        phone: Set(o.phone().map(str::to_owned)),
        address: Set(o.address().map(str::to_owned)),
        opening_hours: Set(o.opening_hours().map(str::to_owned)),
        areas: Set(areas_to_json(o.areas())),
        notification_email: Set(o.notification_email().map(|e| e.as_str().to_owned())),
        last_digest_at: Set(o.last_digest_at()),
        digest_watermark: Set(o.digest_watermark()),
        closed_at: Set(o.closed_at()),
        version: Set(db_version(version)),
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
