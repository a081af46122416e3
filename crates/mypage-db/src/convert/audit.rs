//! Audit events: their rows and back.

use mypage_domain::model::{AccountId, Actor, AuditAction, AuditEvent, AuditEventId, ClientInfo, StaffId};
use mypage_domain::ports::InfrastructureError;
use sea_orm::ActiveValue::Set;

use super::{corrupt, parse_id};
use crate::entities::audit_event;

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
