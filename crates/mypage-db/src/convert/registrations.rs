//! Provisional registrations and job offers after opening (R20): their rows and back, with the application history
//! stored as JSON and the kind as its code.

use mypage_domain::model::{
    AccountId, ApplicationHistory, EstablishmentId, ProvisionalRegistration, RegistrationId, RegistrationKind,
    RegistrationRecord, RegistrationStatus, StaffId, StaffNote, Unfinished,
};
use mypage_domain::ports::InfrastructureError;
use mypage_domain::values::{
    EstablishmentInfo, EstablishmentInfoInput, EstablishmentNumber, JobOffer, JobOfferInput, OfficeCode,
};
use sea_orm::ActiveValue::Set;
use serde::{Deserialize, Serialize};

use super::{corrupt, db_version, json, parse_id, to_json, version};
use crate::entities::registration;

// Registrations.

/// The unfinished forms of a draft: the raw inputs, whose fields each passed their rule, read back as they are.
#[derive(Default, Serialize, Deserialize)]
struct StoredUnfinished {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    establishment: Option<EstablishmentInfoInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    job_offer: Option<JobOfferInput>,
}

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
        let unfinished = match row.unfinished.as_deref() {
            Some(raw) => {
                let StoredUnfinished { establishment, job_offer } = json(raw, T, "unfinished")?;
                Unfinished { establishment, job_offer }
            }
            None => Unfinished::default(),
        };
        let note = || row.note.as_deref().and_then(|n| StaffNote::parse(n).ok()).ok_or_else(|| corrupt(T, "note"));
        let status = match row.status.as_str() {
            "draft" => RegistrationStatus::Draft,
            "submitted" => RegistrationStatus::Submitted,
            "contact_needed" => RegistrationStatus::ContactNeeded { note: note()? },
            "returned" => RegistrationStatus::Returned { note: note()? },
            "rejected" => RegistrationStatus::Rejected { reason: note()? },
            "expired" => RegistrationStatus::Expired,
            "withdrawn" => RegistrationStatus::Withdrawn,
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
            kind: RegistrationKind::from_code(&row.kind).ok_or_else(|| corrupt(T, "kind"))?,
            account: parse_id(&row.account_id, AccountId::from_uuid, T, "account_id")?,
            history,
            establishment,
            job_offer,
            unfinished,
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
    let Unfinished { establishment, job_offer } = r.unfinished().clone();
    let unfinished = (establishment.is_some() || job_offer.is_some())
        .then(|| to_json(&StoredUnfinished { establishment, job_offer }));
    registration::ActiveModel {
        id: Set(r.id().to_string()),
        account_id: Set(r.account().to_string()),
        office: Set(r.office().map(|o| o.as_str().to_owned())),
        history: Set(history),
        establishment: Set(r.establishment().map(|e| to_json(&e.to_input()))),
        job_offer: Set(r.job_offer().map(|j| to_json(&j.to_input()))),
        unfinished: Set(unfinished),
        status: Set(r.status().code().to_owned()),
        note: Set(note),
        confirmed_establishment: Set(confirmed_establishment),
        confirmed_number: Set(confirmed_number),
        created_at: Set(r.created_at()),
        updated_at: Set(r.updated_at()),
        submitted_at: Set(r.submitted_at()),
        decided_by: Set(r.decided_by().map(|s| s.to_string())),
        version: Set(db_version(version)),
        kind: Set(r.kind().code().to_owned()),
    }
}
