//! The county's register: tenancy (counties), user accounts with sign-in and TOTP enrolment,
//! the org tree, AIC grids, party members (with status history and consent), businesses and
//! markets, the real-name QQ groups, spreadsheets in and out, the masking policy, live updates
//! and printable documents. Everything later (deadlines, workflows) reads it.
//! See docs/architecture.md for the crate graph.

pub mod business;
pub mod documents;
pub mod events;
pub mod grids;
pub mod members;
pub mod onboarding;
pub mod org;
pub mod privacy;
pub mod qq;
pub mod rng;
pub mod tenancy;
pub mod users;

// The layers below, under the paths every module of the service uses (`crate::db`, …).
pub use shuanglian_core::{
    clock, config, db, enums, error, insert_rows, kv, security, telemetry, tenant,
};
pub use shuanglian_http::{AppState, api, audit, auth};
