//! New establishment numbers (case C, R11): a counter per office, advanced in its own transaction so that two
//! instances never hand out the same number; numbers already held by an establishment are skipped.
//!
//! The serials start at 500001 and the last digit is the digit sum modulo 10: a stand-in for the office's own
//! numbering, which an office plugs in through the `EstablishmentNumberAllocator` port.

use async_trait::async_trait;
use mypage_domain::ports::{EstablishmentNumberAllocator, InfrastructureError};
use mypage_domain::values::{EstablishmentNumber, OfficeCode};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};

use crate::entities::establishment;
use crate::store::{Database, infra};

const FIRST_SERIAL: i64 = 500_000;

fn check_digit(office: &OfficeCode, serial: u32) -> u8 {
    let digits = format!("{}{serial:06}", office.as_str());
    let sum: u32 = digits.bytes().map(|b| u32::from(b - b'0')).sum();
    u8::try_from(sum % 10).unwrap_or(0)
}

#[async_trait]
impl EstablishmentNumberAllocator for Database {
    async fn allocate(&self, office: &OfficeCode) -> Result<EstablishmentNumber, InfrastructureError> {
        loop {
            let (tx, _turn) = self.begin_tx().await.map_err(infra)?;
            let backend = tx.get_database_backend();
            let (a, b) = if backend == sea_orm::DbBackend::Postgres { ("$1", "$2") } else { ("?", "?") };
            let sql = format!(
                "INSERT INTO number_sequences (office, last_serial) VALUES ({a}, {b}) \
                 ON CONFLICT (office) DO UPDATE SET last_serial = number_sequences.last_serial + 1 RETURNING last_serial"
            );
            let row = tx
                .query_one_raw(Statement::from_sql_and_values(
                    backend,
                    sql,
                    [office.as_str().into(), (FIRST_SERIAL + 1).into()],
                ))
                .await
                .map_err(infra)?
                .ok_or_else(|| InfrastructureError::new("the number counter returned nothing"))?;
            let serial: i64 = row.try_get("", "last_serial").map_err(infra)?;
            tx.commit().await.map_err(infra)?;
            let serial =
                u32::try_from(serial).map_err(|_| InfrastructureError::new("the office's numbers are used up"))?;
            let number = EstablishmentNumber::from_parts(office, serial, check_digit(office, serial))
                .map_err(|_| InfrastructureError::new("the office's numbers are used up"))?;
            let taken = establishment::Entity::find()
                .filter(establishment::Column::Number.eq(number.digits()))
                .count(&self.conn)
                .await
                .map_err(infra)?;
            if taken == 0 {
                return Ok(number);
            }
        }
    }
}
