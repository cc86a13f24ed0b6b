//! Shuanglian (双联): county party-building records for individual businesses, multi-tenant.
//!
//! Layers, top to bottom (nothing points back up): `cli` → `startup` → route table → domain
//! folders (`tenancy`, `users`) → `auth` → `api` conventions → `db`, `kv`, `error`, `config`,
//! `telemetry`, `security`. See docs/architecture.md.

pub mod business;
pub mod cli;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod events;
pub mod grids;
pub mod members;
pub mod onboarding;
pub mod org;
pub mod privacy;
pub mod qq;
pub mod startup;
pub mod tenancy;
pub mod users;
pub mod workflows;

// The ground layer, under the paths the rest of the code has always used.
pub use shuanglian_core::{clock, config, db, error, insert_rows, kv, security, telemetry};
pub use shuanglian_http::{api, audit, auth};
