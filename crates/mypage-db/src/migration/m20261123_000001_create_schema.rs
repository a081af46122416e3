//! The first schema: every table, its unique rules and the indexes of the hot lookups.
//!
//! Unique rules that hold for some rows only (one open flow per address and purpose, one open registration per
//! account) are partial unique indexes, which both databases support. Lookup indexes are plain, so that a query
//! with bound parameters can use them on PostgreSQL's generic plans too.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_create_schema"
    }
}

/// The DDL, with the few types that differ between the two databases filled in.
fn ddl(backend: DbBackend) -> String {
    let (ts, serial) = match backend {
        DbBackend::Postgres => ("TIMESTAMPTZ", "BIGSERIAL PRIMARY KEY"),
        _ => ("TEXT", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    };
    format!(
        r"
CREATE TABLE offices (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT
);
CREATE TABLE establishments (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    office TEXT NOT NULL REFERENCES offices (code),
    name TEXT NOT NULL,
    info TEXT,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX ux_establishments_number ON establishments (number);
CREATE INDEX ix_establishments_office ON establishments (office, number);
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    establishment_id TEXT REFERENCES establishments (id),
    password_hash TEXT,
    consent_privacy INTEGER,
    consent_terms INTEGER,
    consent_at {ts},
    created_at {ts} NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_accounts_email ON accounts (email);
CREATE INDEX ix_accounts_establishment ON accounts (establishment_id, created_at);
CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    office TEXT NOT NULL REFERENCES offices (code),
    login TEXT NOT NULL,
    name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_staff_login ON staff (login);
CREATE TABLE terms (
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    published_at {ts} NOT NULL,
    PRIMARY KEY (kind, version)
);
CREATE TABLE flows (
    id TEXT PRIMARY KEY,
    purpose TEXT NOT NULL,
    email TEXT NOT NULL,
    token_digest TEXT NOT NULL,
    target TEXT NOT NULL,
    consent_privacy INTEGER,
    consent_terms INTEGER,
    consent_at {ts},
    keys TEXT NOT NULL,
    wrong_attempts INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_flows_token_digest ON flows (token_digest);
CREATE UNIQUE INDEX ux_flows_live_email_purpose ON flows (email, purpose) WHERE state = 'open';
CREATE INDEX ix_flows_email_purpose ON flows (email, purpose);
CREATE INDEX ix_flows_state_expiry ON flows (state, expires_at);
CREATE TABLE registrations (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    office TEXT,
    history TEXT,
    establishment TEXT,
    job_offer TEXT,
    status TEXT NOT NULL,
    note TEXT,
    confirmed_establishment TEXT,
    confirmed_number TEXT,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    submitted_at {ts},
    decided_by TEXT,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX ux_registrations_open_per_account ON registrations (account_id)
    WHERE status IN ('draft', 'submitted', 'contact_needed', 'returned');
CREATE INDEX ix_registrations_account ON registrations (account_id, created_at);
CREATE INDEX ix_registrations_queue ON registrations (office, status, submitted_at);
CREATE INDEX ix_registrations_status_updated ON registrations (status, updated_at);
CREATE TABLE throttle_hits (
    id {serial},
    key TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX ix_throttle_hits_key_at ON throttle_hits (key, at);
CREATE INDEX ix_throttle_hits_at ON throttle_hits (at);
CREATE TABLE audit_events (
    seq {serial},
    id TEXT NOT NULL UNIQUE,
    at {ts} NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    client_ip TEXT,
    user_agent TEXT
);
CREATE INDEX ix_audit_events_subject ON audit_events (subject, seq);
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    template TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at {ts} NOT NULL,
    last_error TEXT,
    message_id TEXT NOT NULL,
    created_at {ts} NOT NULL,
    sent_at {ts}
);
CREATE INDEX ix_outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX ix_outbox_state_created ON outbox (state, created_at);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id TEXT,
    data TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    idle_expires_at {ts} NOT NULL
);
CREATE INDEX ix_sessions_idle ON sessions (idle_expires_at);
CREATE INDEX ix_sessions_expires ON sessions (expires_at);
"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[expect(elided_lifetimes_in_paths, reason = "the trait declares the manager's lifetime elided")]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in ddl(db.get_database_backend()).split(';').map(str::trim).filter(|s| !s.is_empty()) {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        // All of the schema or none of it, on both databases.
        Some(true)
    }
}
