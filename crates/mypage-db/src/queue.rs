//! The outbox as a mail queue (R16): claims that several instances can make at once without sending a mail twice.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mypage_domain::model::MailId;
use mypage_domain::ports::{ClaimedMail, InfrastructureError, MailQueue, MailState, MailSummary};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use crate::convert::{mail_summary, outgoing_mail, scrubbed_params};
use crate::entities::outbox;
use crate::store::{Database, infra};

impl Database {
    /// Moves a mail that is `Sending` to another state; a mail in any other state is left alone.
    async fn settle(&self, id: MailId, change: outbox::ActiveModel) -> Result<(), InfrastructureError> {
        outbox::Entity::update_many()
            .set(change)
            .filter(outbox::Column::Id.eq(id.to_string()))
            .filter(outbox::Column::State.eq(MailState::Sending.code()))
            .exec(&self.conn)
            .await
            .map_err(infra)?;
        Ok(())
    }
}

impl Database {
    /// Gives up a claimed mail by its stored id, which may not even parse.
    async fn bury(&self, id: &str, error: &str) -> Result<(), InfrastructureError> {
        let mut change = unchanged();
        change.state = Set(MailState::Dead.code().to_owned());
        change.last_error = Set(Some(short(error)));
        outbox::Entity::update_many()
            .set(change)
            .filter(outbox::Column::Id.eq(id))
            .filter(outbox::Column::State.eq(MailState::Sending.code()))
            .exec(&self.conn)
            .await
            .map_err(infra)?;
        Ok(())
    }
}

fn unchanged() -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        recipient: sea_orm::ActiveValue::NotSet,
        template: sea_orm::ActiveValue::NotSet,
        params: sea_orm::ActiveValue::NotSet,
        state: sea_orm::ActiveValue::NotSet,
        attempts: sea_orm::ActiveValue::NotSet,
        next_attempt_at: sea_orm::ActiveValue::NotSet,
        last_error: sea_orm::ActiveValue::NotSet,
        message_id: sea_orm::ActiveValue::NotSet,
        created_at: sea_orm::ActiveValue::NotSet,
        sent_at: sea_orm::ActiveValue::NotSet,
    }
}

/// Error texts come from mail servers; they are cut so that a chatty server cannot fill the table.
fn short(error: &str) -> String {
    error.chars().take(500).collect()
}

#[async_trait]
impl MailQueue for Database {
    async fn claim(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease_until: DateTime<Utc>,
    ) -> Result<Vec<ClaimedMail>, InfrastructureError> {
        let backend = self.backend();
        // PostgreSQL: rows locked by another claimer are skipped, so two instances never claim the same mail.
        // SQLite: the IMMEDIATE transaction makes claimers take turns.
        let (sql, lock) = match backend {
            DbBackend::Postgres => ("$1", " FOR UPDATE SKIP LOCKED"),
            _ => ("?", ""),
        };
        let p = |n: usize| if sql == "$1" { format!("${n}") } else { "?".to_owned() };
        let text = format!(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = {} \
             WHERE id IN (SELECT id FROM outbox WHERE state IN ('pending', 'sending') AND next_attempt_at <= {} \
             ORDER BY next_attempt_at LIMIT {}{lock}) RETURNING *",
            p(1),
            p(2),
            p(3)
        );
        let statement =
            Statement::from_sql_and_values(backend, text, [lease_until.into(), now.into(), (limit as i64).into()]);
        let (tx, _turn) = self.begin_tx().await.map_err(infra)?;
        let rows = outbox::Entity::find().from_raw_sql(statement).all(&tx).await.map_err(infra)?;
        tx.commit().await.map_err(infra)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX);
            match outgoing_mail(&row, &self.sealer) {
                Ok(mail) => claimed.push(ClaimedMail { mail, attempts }),
                // A row this instance cannot read (sealed under a key it does not hold, or corrupt) would fail the
                // batch on every claim and stop all mail: it goes dead alone, with its reason, and the rest is sent.
                Err(e) => {
                    tracing::error!(mail = %row.id, error = %e, "an outbox row cannot be read; it is given up");
                    self.bury(&row.id, &format!("cannot be read: {e}")).await?;
                }
            }
        }
        claimed.sort_by_key(|c| c.mail.created_at);
        Ok(claimed)
    }

    async fn mark_sent(&self, id: MailId, at: DateTime<Utc>) -> Result<(), InfrastructureError> {
        let Some(row) = outbox::Entity::find_by_id(id.to_string()).one(&self.conn).await.map_err(infra)? else {
            return Ok(());
        };
        let mut change = unchanged();
        change.state = Set(MailState::Sent.code().to_owned());
        change.sent_at = Set(Some(at));
        change.last_error = Set(None);
        change.params = Set(scrubbed_params(&row.params));
        self.settle(id, change).await
    }

    async fn reschedule(
        &self,
        id: MailId,
        next_attempt_at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), InfrastructureError> {
        let mut change = unchanged();
        change.state = Set(MailState::Pending.code().to_owned());
        change.next_attempt_at = Set(next_attempt_at);
        change.last_error = Set(Some(short(error)));
        self.settle(id, change).await
    }

    async fn mark_dead(&self, id: MailId, error: &str) -> Result<(), InfrastructureError> {
        let mut change = unchanged();
        change.state = Set(MailState::Dead.code().to_owned());
        change.last_error = Set(Some(short(error)));
        self.settle(id, change).await
    }

    async fn requeue(&self, id: MailId, now: DateTime<Utc>) -> Result<bool, InfrastructureError> {
        let mut change = unchanged();
        change.state = Set(MailState::Pending.code().to_owned());
        change.next_attempt_at = Set(now);
        let rows = outbox::Entity::update_many()
            .set(change)
            .filter(outbox::Column::Id.eq(id.to_string()))
            .filter(outbox::Column::State.eq(MailState::Dead.code()))
            .exec(&self.conn)
            .await
            .map_err(infra)?
            .rows_affected;
        Ok(rows > 0)
    }

    async fn list(&self, state: Option<MailState>, limit: usize) -> Result<Vec<MailSummary>, InfrastructureError> {
        let mut query = outbox::Entity::find();
        if let Some(state) = state {
            query = query.filter(outbox::Column::State.eq(state.code()));
        }
        let rows =
            query.order_by_desc(outbox::Column::CreatedAt).limit(limit as u64).all(&self.conn).await.map_err(infra)?;
        rows.iter().map(mail_summary).collect()
    }

    async fn depth(&self) -> Result<Vec<(MailState, u64)>, InfrastructureError> {
        let mut depth = Vec::new();
        for state in [MailState::Pending, MailState::Sending, MailState::Sent, MailState::Dead] {
            let n = outbox::Entity::find()
                .filter(outbox::Column::State.eq(state.code()))
                .count(&self.conn)
                .await
                .map_err(infra)?;
            depth.push((state, n));
        }
        Ok(depth)
    }
}
