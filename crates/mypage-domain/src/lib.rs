//! # Employer My Page — the domain
//!
//! The three ways an employer opens a My Page account with a public employment office, and the rules R1–R17 of
//! `shared/SPEC.md`, as pure Rust: value objects ([`values`]), aggregates with their state machines ([`model`]),
//! the ports adapters implement ([`ports`]) and one use case per step ([`usecases::MyPage`]).
//!
//! **Architecture Invariant.** This crate does no I/O, reads no clock and draws no random number of its own:
//! time comes from [`ports::Clock`], randomness from [`ports::KeyGenerator`]. It depends on no adapter crate.
//!
//! `mypage-testkit` has in-memory adapters for every port; its crate docs show how to test case A with them.

pub mod config;
pub mod model;
pub mod ports;
mod text;
pub mod usecases;
pub mod values;

pub use config::{DomainConfig, HelpDesk};
pub use usecases::{MyPage, Ports};
