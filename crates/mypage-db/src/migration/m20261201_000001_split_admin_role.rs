//! The admin role split in two (R14): a member stored with the role `admin`, which acted across offices, becomes
//! a central admin (`central_admin`), so that nobody loses or gains a right at the upgrade. Office admins
//! (`office_admin`) are made afterwards, by a central admin or the command line.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000001_split_admin_role"
    }
}

/// `staff.roles` is a comma-separated list of role codes, each once: framed by commas, `admin` is one whole item
/// and never part of another code. The version moves on, so that a copy read before the upgrade is not written
/// back over the new roles.
const REWRITE: &str = "UPDATE staff \
    SET roles = SUBSTR(REPLACE(',' || roles || ',', ',admin,', ',central_admin,'), 2, \
                       LENGTH(REPLACE(',' || roles || ',', ',admin,', ',central_admin,')) - 2), \
        version = version + 1 \
    WHERE ',' || roles || ',' LIKE '%,admin,%'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(REWRITE).await?;
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
