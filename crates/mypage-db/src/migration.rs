//! Forward-only migrations, applied at start-up and by `mypage-server migrate`. One migration per file: sea-orm
//! names a migration after its module.

use sea_orm_migration::prelude::*;

mod m20261123_000001_create_schema;
mod m20261123_000002_number_sequences;
mod m20261130_000001_sessions_by_subject;
mod m20261130_000002_staff_second_factor;
mod m20261201_000001_split_admin_role;
mod m20261202_000001_office_details;
mod m20261202_000002_establishment_register;
mod m20261203_000001_unfinished_forms;
mod m20261204_000001_office_areas;
mod m20261205_000001_job_offers;
mod m20261205_000002_account_care;
mod m20261205_000003_office_digest;

/// The migrations of this crate, in order.
pub(crate) struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_schema::Migration),
            Box::new(m20261123_000002_number_sequences::Migration),
            Box::new(m20261130_000001_sessions_by_subject::Migration),
            Box::new(m20261201_000001_split_admin_role::Migration),
            Box::new(m20261130_000002_staff_second_factor::Migration),
            Box::new(m20261202_000001_office_details::Migration),
            Box::new(m20261202_000002_establishment_register::Migration),
            Box::new(m20261203_000001_unfinished_forms::Migration),
            Box::new(m20261204_000001_office_areas::Migration),
            Box::new(m20261205_000001_job_offers::Migration),
            Box::new(m20261205_000002_account_care::Migration),
            Box::new(m20261205_000003_office_digest::Migration),
        ]
    }
}
