//! The hot lookups use an index, on both databases, once the tables hold 100,000 rows.

use mypage_db::Database;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

const ROWS: usize = 100_000;
const BATCH: usize = 1_000;

async fn load(db: &Database) {
    let conn = db.connection();
    conn.execute_unprepared("INSERT INTO offices (code, name) VALUES ('1301', 'ハローワーク飯田橋')").await.unwrap();
    let ts = "'2026-11-23T01:00:00+00:00'";
    for start in (0..ROWS).step_by(BATCH) {
        let range = start..start + BATCH;
        let accounts: Vec<String> = range
            .clone()
            .map(|i| format!("('a{i:08}', 'user{i}@example.jp', 'provisional', NULL, NULL, NULL, NULL, NULL, {ts}, 0)"))
            .collect();
        conn.execute_unprepared(&format!("INSERT INTO accounts VALUES {}", accounts.join(","))).await.unwrap();
        let flows: Vec<String> = range
            .clone()
            .map(|i| {
                let state = if i % 10 == 0 { "open" } else { "spent" };
                format!("('f{i:08}', 'sign_up', 'user{i}@example.jp', 'tok{i:08}', 'key:', NULL, NULL, NULL, '[]', 0, '{state}', {ts}, {ts}, 0)")
            })
            .collect();
        conn.execute_unprepared(&format!("INSERT INTO flows VALUES {}", flows.join(","))).await.unwrap();
        let registrations: Vec<String> = range
            .clone()
            .map(|i| {
                let status = ["draft", "submitted", "confirmed", "rejected"][i % 4];
                // Spread over 50 offices, as a prefecture's queue is one office's among many.
                let office = 1301 + i % 50;
                format!("('r{i:08}', 'a{i:08}', '{office}', NULL, NULL, NULL, '{status}', NULL, NULL, NULL, {ts}, {ts}, {ts}, NULL, 0, NULL, 'opening')")
            })
            .collect();
        conn.execute_unprepared(&format!("INSERT INTO registrations VALUES {}", registrations.join(",")))
            .await
            .unwrap();
        // Failures spread over an hour, 20 for each of 5,000 addresses.
        let hits: Vec<String> = range
            .map(|i| {
                let (m, sec) = ((i % 3_600) / 60, i % 60);
                format!("('login:user{}@example.jp', '2026-11-23T01:{m:02}:{sec:02}+00:00')", i % 5_000)
            })
            .collect();
        conn.execute_unprepared(&format!("INSERT INTO throttle_hits (key, at) VALUES {}", hits.join(",")))
            .await
            .unwrap();
    }
    conn.execute_unprepared("ANALYZE").await.unwrap();
}

/// The plan of `query` as one text.
async fn plan(db: &Database, query: &str) -> String {
    let conn = db.connection();
    let (sql, column) = match conn.get_database_backend() {
        DbBackend::Postgres => (format!("EXPLAIN {query}"), "QUERY PLAN"),
        _ => (format!("EXPLAIN QUERY PLAN {query}"), "detail"),
    };
    let rows = conn.query_all_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get::<String>("", column).unwrap()).collect::<Vec<_>>().join("\n")
}

pub(crate) async fn hot_lookups_use_an_index_on_100000_accounts(db: Database) {
    load(&db).await;
    let ts = "'2026-11-23T02:00:00+00:00'";
    let lookups = [
        // `by_email` answers only a live account (R19), as the partial unique index covers only those.
        ("SELECT * FROM accounts WHERE email = 'user77777@example.jp' AND status <> 'closed'", "ux_accounts_email"),
        ("SELECT * FROM accounts WHERE establishment_id = 'e1' ORDER BY created_at", "ix_accounts_establishment"),
        ("SELECT * FROM flows WHERE token_digest = 'tok00012345'", "ux_flows_token_digest"),
        (
            "SELECT * FROM flows WHERE email = 'user500@example.jp' AND purpose = 'sign_up' AND state = 'open'",
            "ix_flows_email_purpose|ux_flows_live_email_purpose",
        ),
        (
            &format!("SELECT * FROM flows WHERE state = 'open' AND expires_at < {ts} ORDER BY expires_at LIMIT 100"),
            "ix_flows_state_expiry",
        ),
        (
            "SELECT * FROM registrations WHERE account_id = 'a00001234' ORDER BY created_at DESC",
            "ix_registrations_account",
        ),
        (
            "SELECT * FROM registrations WHERE office = '1301' AND status IN ('submitted', 'contact_needed') ORDER BY submitted_at LIMIT 50",
            "ix_registrations_queue",
        ),
        (
            &format!(
                "SELECT * FROM registrations WHERE status = 'draft' AND updated_at < {ts} ORDER BY updated_at LIMIT 100"
            ),
            "ix_registrations_status_updated",
        ),
        (
            "SELECT at FROM throttle_hits WHERE key = 'login:user42@example.jp' AND at >= '2026-11-23T01:30:00+00:00'",
            "ix_throttle_hits_key_at",
        ),
    ];
    // Where two indexes fit, either will do: the planner picks the partial one when the query names its predicate.
    for (query, indexes) in lookups {
        let plan = plan(&db, query).await;
        assert!(indexes.split('|').any(|index| plan.contains(index)), "{query}\nshould use {indexes}, plan:\n{plan}");
    }
}
