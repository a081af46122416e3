//! The account's care (R19): a closed account frees its address, so the unique rule on accounts' e-mail holds only
//! for live accounts (R12: one live account per address); and a session remembers the client that opened it and
//! when it was last used, for the list of ログイン中の端末.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261205_000002_account_care"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let ts = match manager.get_database_backend() {
            DbBackend::Postgres => "TIMESTAMPTZ",
            _ => "TEXT",
        };
        // The index keeps its name, by which a unique violation is recognised as `Unique::AccountEmail`.
        db.execute_unprepared("DROP INDEX ux_accounts_email").await?;
        db.execute_unprepared("CREATE UNIQUE INDEX ux_accounts_email ON accounts (email) WHERE status <> 'closed'")
            .await?;
        db.execute_unprepared("ALTER TABLE sessions ADD COLUMN client_ip TEXT").await?;
        db.execute_unprepared("ALTER TABLE sessions ADD COLUMN client_agent TEXT").await?;
        db.execute_unprepared(&format!("ALTER TABLE sessions ADD COLUMN last_used_at {ts}")).await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
