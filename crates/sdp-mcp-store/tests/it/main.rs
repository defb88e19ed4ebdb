#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Integration tests of the store: one contract suite run against SQLite and
//! PostgreSQL, plus checks of the SQLite file and the master key file.

#[macro_use]
mod support;

mod contract;
mod credentials;
mod keys;
mod oauth;
mod refresh_lock;
mod sqlite_files;
