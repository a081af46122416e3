//! An office's digest of waiting submissions (R20): the address its admins give for it (通知先メールアドレス), when
//! the last digest was queued, which the interval between two digests is counted from, and its watermark, the newest
//! submission time a digest announced, after which a submission is new. All empty for the offices that were there
//! before: they get no digest until an admin gives an address.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000003_office_digest"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let ts = match db.get_database_backend() {
            DbBackend::Postgres => "TIMESTAMPTZ",
            _ => "TEXT",
        };
        let columns = [
            "ALTER TABLE offices ADD COLUMN notification_email TEXT NULL".to_owned(),
            format!("ALTER TABLE offices ADD COLUMN last_digest_at {ts} NULL"),
            format!("ALTER TABLE offices ADD COLUMN digest_watermark {ts} NULL"),
        ];
        for statement in columns {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
