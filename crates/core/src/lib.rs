//! The ground layer of Shuanglian (双联): what every other crate stands on and nothing here
//! knows about a domain. Errors (`AppError`, problem+json), settings, the one clock ("today in
//! China"), the database (pool, tenant and platform transactions, schema, migrations), the
//! key-value store and its pub/sub, telemetry, the master key, the tenant id, and the one way an enum is named by strings.
//! See docs/architecture.md for the crate graph.

pub mod clock;
pub mod config;
pub mod db;
pub mod enums;
pub mod error;
pub mod kv;
pub mod security;
pub mod telemetry;
pub mod tenant;
