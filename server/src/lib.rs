//! Shuanglian (双联): county party-building records for individual businesses, multi-tenant.
//!
//! This crate is the top of the house: the route table and start-up (`startup`), the command
//! line (`cli`) and the demo counties (`demo`). Everything else lives in the crates below it,
//! one per layer: workflows and notify → deadlines → register → http → core. See docs/architecture.md.

pub mod cli;
pub mod demo;
mod lifecycle_cli;
pub mod startup;
pub mod web;

// The layers below, under the paths the rest of the code (and the tests) has always used.
pub use shuanglian_core::{
    clock, config, db, enums, error, insert_rows, kv, security, telemetry, tenant,
};
pub use shuanglian_deadlines as deadlines;
pub use shuanglian_evaluations as evaluations;
pub use shuanglian_http::{api, audit, auth};
pub use shuanglian_lifecycle as lifecycle;
pub use shuanglian_notify as notify;
pub use shuanglian_register::{
    business, documents, events, grids, members, onboarding, org, privacy, qq, rng, tenancy, users,
};
pub use shuanglian_statistics as statistics;
pub use shuanglian_workflows as workflows;
