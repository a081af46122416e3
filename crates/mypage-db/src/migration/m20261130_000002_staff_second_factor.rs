//! The staff's second factor (R21): its state (`none`, `enrolling`, `enrolled`), the TOTP secret sealed under the
//! database's sealing key, the last time step a code was accepted for, and the digests of the unused recovery codes
//! (comma-separated). Every member starts without one and enrols at the next login when a role requires it.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261130_000002_staff_second_factor"
    }
}

const COLUMNS: [&str; 4] = [
    "ALTER TABLE staff ADD COLUMN second_factor TEXT NOT NULL DEFAULT 'none'",
    "ALTER TABLE staff ADD COLUMN totp_secret TEXT NULL",
    "ALTER TABLE staff ADD COLUMN totp_last_step BIGINT NULL",
    "ALTER TABLE staff ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT ''",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in COLUMNS {
            manager.get_connection().execute_unprepared(statement).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
