//! The establishment register (R18): what an office's own records say of an establishment besides its number and
//! name — its kana, postal code (seven digits), address and phone — kept so that a reviewer can hold a claim
//! against it. Each is empty until the office's file names it.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000002_establishment_register"
    }
}

const COLUMNS: [&str; 4] = [
    "ALTER TABLE establishments ADD COLUMN name_kana TEXT NULL",
    "ALTER TABLE establishments ADD COLUMN postal_code TEXT NULL",
    "ALTER TABLE establishments ADD COLUMN address TEXT NULL",
    "ALTER TABLE establishments ADD COLUMN phone TEXT NULL",
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
