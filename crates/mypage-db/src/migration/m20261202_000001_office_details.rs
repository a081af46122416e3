//! An office's details and its closing (R14): the address and opening hours admins enter beside the name and phone,
//! the time an admin closed it (a closed office takes no new registrations or staff), and the version an admin's
//! edit is checked against, as every other aggregate's.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000001_office_details"
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
            "ALTER TABLE offices ADD COLUMN address TEXT NULL".to_owned(),
            "ALTER TABLE offices ADD COLUMN opening_hours TEXT NULL".to_owned(),
            format!("ALTER TABLE offices ADD COLUMN closed_at {ts} NULL"),
            "ALTER TABLE offices ADD COLUMN version BIGINT NOT NULL DEFAULT 0".to_owned(),
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
