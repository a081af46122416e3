//! Login sessions in the database, so that any instance serves any request (R13).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::ports::{Digest, InfrastructureError, Session, SessionStore, SessionSubject};
use sea_orm::sea_query::{Condition, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::convert::session_row;
use crate::entities::session;
use crate::store::{Database, infra};

#[async_trait]
impl SessionStore for Database {
    async fn save(&self, s: &Session) -> Result<(), InfrastructureError> {
        let upsert = OnConflict::column(session::Column::Id)
            .update_columns([
                session::Column::SubjectKind,
                session::Column::SubjectId,
                session::Column::Data,
                session::Column::ExpiresAt,
                session::Column::IdleExpiresAt,
                session::Column::ClientIp,
                session::Column::ClientAgent,
                session::Column::LastUsedAt,
            ])
            .to_owned();
        session::Entity::insert(session_row(s))
            .on_conflict(upsert)
            .exec_without_returning(&self.conn)
            .await
            .map_err(infra)?;
        Ok(())
    }

    async fn update(&self, s: &Session) -> Result<bool, InfrastructureError> {
        // An UPDATE, never an insert: a row deleted since the request loaded it stays deleted.
        let updated = session::Entity::update_many()
            .set(session_row(s))
            .filter(session::Column::Id.eq(s.id.as_hex()))
            .exec(&self.conn)
            .await
            .map_err(infra)?;
        Ok(updated.rows_affected > 0)
    }

    async fn load(&self, id: &Digest, now: DateTime<Utc>) -> Result<Option<Session>, InfrastructureError> {
        let row = session::Entity::find_by_id(id.as_hex().to_owned()).one(&self.conn).await.map_err(infra)?;
        row.filter(|r| now < r.expires_at && now < r.idle_expires_at).map(Session::try_from).transpose()
    }

    async fn delete(&self, id: &Digest) -> Result<(), InfrastructureError> {
        session::Entity::delete_by_id(id.as_hex().to_owned()).exec(&self.conn).await.map_err(infra)?;
        Ok(())
    }

    async fn end_all(&self, subject: SessionSubject) -> Result<u64, InfrastructureError> {
        let Some(of_subject) = of_subject(subject) else { return Ok(0) };
        Ok(session::Entity::delete_many().filter(of_subject).exec(&self.conn).await.map_err(infra)?.rows_affected)
    }

    async fn for_subject(
        &self,
        subject: SessionSubject,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, InfrastructureError> {
        let Some(of_subject) = of_subject(subject) else { return Ok(Vec::new()) };
        let live = of_subject.add(session::Column::ExpiresAt.gt(now)).add(session::Column::IdleExpiresAt.gt(now));
        let rows = session::Entity::find()
            .filter(live)
            .order_by_desc(session::Column::CreatedAt)
            .order_by_desc(session::Column::Id)
            .all(&self.conn)
            .await
            .map_err(infra)?;
        rows.into_iter().map(Session::try_from).collect()
    }

    async fn end(&self, subject: SessionSubject, id: &Digest) -> Result<bool, InfrastructureError> {
        let Some(of_subject) = of_subject(subject) else { return Ok(false) };
        let this = of_subject.add(session::Column::Id.eq(id.as_hex()));
        Ok(session::Entity::delete_many().filter(this).exec(&self.conn).await.map_err(infra)?.rows_affected > 0)
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> Result<u64, InfrastructureError> {
        let gone =
            Condition::any().add(session::Column::ExpiresAt.lte(now)).add(session::Column::IdleExpiresAt.lte(now));
        Ok(session::Entity::delete_many().filter(gone).exec(&self.conn).await.map_err(infra)?.rows_affected)
    }
}

/// The condition that picks `subject`'s sessions; `None` for `Anonymous`, whose sessions belong to nobody.
fn of_subject(subject: SessionSubject) -> Option<Condition> {
    let (kind, id) = match subject {
        SessionSubject::Anonymous => return None,
        SessionSubject::Employer(a) => ("employer", a.to_string()),
        SessionSubject::Staff(m) => ("staff", m.to_string()),
    };
    Some(Condition::all().add(session::Column::SubjectKind.eq(kind)).add(session::Column::SubjectId.eq(id)))
}
