//! # Employer My Page — database adapter
//!
//! The domain's repositories, unit of work, mail queue and session store on sea-orm, for SQLite (the embedded
//! default: a file with WAL, foreign keys and a busy timeout) and PostgreSQL (production, several instances on
//! one database). One code path serves both; the URL chooses.

mod convert;
mod entities;
mod migration;
mod numbers;
mod queue;
mod seal;
mod sessions;
mod store;

pub use store::{Database, DbConfig, DbError};
