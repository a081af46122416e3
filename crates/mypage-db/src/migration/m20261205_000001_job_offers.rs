//! Job offers after opening (R20): a registration's `kind`, `opening` (cases B and C, every row before) or
//! `job_offer`; and the rule of one open registration per account narrowed to opening ones, since an Active
//! employer may have several job offers open at once.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000001_job_offers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("ALTER TABLE registrations ADD COLUMN kind TEXT NOT NULL DEFAULT 'opening'").await?;
        db.execute_unprepared("DROP INDEX ux_registrations_open_per_account").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_registrations_open_per_account ON registrations (account_id) \
             WHERE kind = 'opening' AND status IN ('draft', 'submitted', 'contact_needed', 'returned')",
        )
        .await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
