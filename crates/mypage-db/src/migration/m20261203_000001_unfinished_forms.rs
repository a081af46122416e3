//! The unfinished forms of a draft (R10): the establishment and job-offer forms last sent with errors, reduced to
//! their valid fields and kept as JSON of the raw input beside the validated forms, so that an employer who leaves
//! finds them again.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000001_unfinished_forms"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE registrations ADD COLUMN unfinished TEXT NULL")
            .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
