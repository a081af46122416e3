//! The counters from which new establishment numbers are drawn, one per office (case C, R11).

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_number_sequences"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("CREATE TABLE number_sequences (office TEXT PRIMARY KEY, last_serial BIGINT NOT NULL)")
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
