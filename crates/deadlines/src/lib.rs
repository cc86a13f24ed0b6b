//! The deadline engine (issue 5 item 6): every dated obligation in the seeds, its due date per
//! county and year, and for any org unit or grid what is due, done and overdue, and who owns it.
//!
//! Workflows open an obligation when it arises and close it when it is met
//! ([`repo::open`], [`repo::close`]); the daily job ([`job`]) materialises the periodic and
//! county-level ones and records newly overdue items with a notification in the outbox.

pub mod api;
pub mod calendar;
pub mod demo;
pub mod job;
pub mod model;
pub mod national;
pub mod notices;
pub mod province;
pub mod repo;
pub mod rules;
pub mod settings;

pub use model::{ObligationKind, Period, State};
pub use repo::{NewObligation, close, close_on, open, reschedule, withdraw};

// The layers below, under the paths every module of the service uses (`crate::db`, …).
pub use shuanglian_core::{
    clock, config, db, enums, error, insert_rows, kv, security, telemetry, tenant,
};
pub use shuanglian_http::{AppState, audit, auth};
pub use shuanglian_register::{
    business, documents, events, grids, members, onboarding, org, privacy, qq, rng, tenancy, users,
};
