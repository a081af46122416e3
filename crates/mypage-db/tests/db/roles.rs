//! Staff roles at rest (R14): the one admin role of databases from before the split, stored as `admin`, becomes
//! the central admin's, by the migration and when an older instance still writes it.

use mypage_db::Database;
use mypage_domain::model::{Office, PasswordHash, StaffId, StaffLogin, StaffMember};
use mypage_domain::ports::UnitOfWork;
use mypage_domain::values::{OfficeCode, StaffRole};
use sea_orm::{ConnectionTrait, Statement};

use crate::harness::Fresh;

async fn execute(db: &Database, sql: &str) {
    let conn = db.connection();
    conn.execute_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
}

/// The stored roles and version of each member, by login.
async fn stored(db: &Database) -> Vec<(String, String, i64)> {
    let conn = db.connection();
    let sql = "SELECT login, roles, version FROM staff ORDER BY login";
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    rows.iter()
        .map(|r| (r.try_get("", "login").unwrap(), r.try_get("", "roles").unwrap(), r.try_get("", "version").unwrap()))
        .collect()
}

async fn roles_of(db: &Database, id: StaffId) -> Vec<StaffRole> {
    let mut tx = db.begin_read().await.unwrap();
    tx.staff().get(id).await.unwrap().unwrap().roles().to_vec()
}

pub(crate) async fn a_stored_admin_reads_as_a_central_admin_and_the_split_migration_rewrites_it(fresh: &Fresh) {
    let db = &fresh.db;
    let office = OfficeCode::parse("1301").unwrap();
    let members = [
        (1, "old.admin", "reviewer,admin"),
        (2, "old.solo", "admin"),
        (3, "old.counter", "counter"),
        (4, "new.office", "office_admin,counter"),
    ];
    let mut tx = db.begin().await.unwrap();
    tx.offices().insert(&Office::new(office.clone(), "ハローワーク飯田橋".into(), None)).await.unwrap();
    for (n, login, _) in members {
        let login = StaffLogin::parse(login).unwrap();
        let hash = PasswordHash::new("$x$".into());
        let member = StaffMember::new(StaffId::from_bytes([n; 16]), office.clone(), login, "職員".into(), &[], hash);
        tx.staff().insert(&member).await.unwrap();
    }
    tx.commit().await.unwrap();
    for (_, login, roles) in members {
        execute(db, &format!("UPDATE staff SET roles = '{roles}' WHERE login = '{login}'")).await;
    }
    // As an older instance would have written them, while or before the migration runs.
    assert_eq!(roles_of(db, StaffId::from_bytes([1; 16])).await, [StaffRole::Reviewer, StaffRole::CentralAdmin]);
    assert_eq!(roles_of(db, StaffId::from_bytes([2; 16])).await, [StaffRole::CentralAdmin]);

    execute(db, "DELETE FROM seaql_migrations WHERE version = 'm20261201_000001_split_admin_role'").await;
    db.migrate().await.unwrap();
    assert_eq!(
        stored(db).await,
        [
            ("new.office".to_owned(), "office_admin,counter".to_owned(), 0),
            ("old.admin".to_owned(), "reviewer,central_admin".to_owned(), 1),
            ("old.counter".to_owned(), "counter".to_owned(), 0),
            ("old.solo".to_owned(), "central_admin".to_owned(), 1),
        ],
        "only a whole `admin` is rewritten, and its row's version moves on"
    );
    assert_eq!(roles_of(db, StaffId::from_bytes([1; 16])).await, [StaffRole::Reviewer, StaffRole::CentralAdmin]);
    assert_eq!(roles_of(db, StaffId::from_bytes([4; 16])).await, [StaffRole::OfficeAdmin, StaffRole::Counter]);
}
