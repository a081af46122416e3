//! Sessions: their rows and back.

use mypage_domain::model::{AccountId, ClientInfo, StaffId};
use mypage_domain::ports::{InfrastructureError, Session, SessionSubject};
use mypage_domain::values::Digest;
use sea_orm::ActiveValue::Set;

use super::{corrupt, parse_id};
use crate::entities::session;

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
        client_ip: Set(s.client.ip.map(|ip| ip.to_string())),
        client_agent: Set(s.client.user_agent.clone()),
        last_used_at: Set(Some(s.last_used_at)),
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
        let ip = row.client_ip.as_deref().map(str::parse).transpose().map_err(|_| corrupt(T, "client_ip"))?;
        Ok(Self {
            id: Digest::from_hex(row.id),
            subject,
            data: row.data,
            created_at: row.created_at,
            expires_at: row.expires_at,
            idle_expires_at: row.idle_expires_at,
            // A session saved before the column existed was last used no earlier than it was created.
            last_used_at: row.last_used_at.unwrap_or(row.created_at),
            client: ClientInfo { ip, user_agent: row.client_agent },
        })
    }
}
