//! Notifications that are delivered (issue 15 item 5). Notices are written to the outbox by the
//! workflows that decide them (`deadlines::notices`); here they reach people:
//! - `model`: channels, statuses, quiet hours, the retry schedule, settings checks (plain rules);
//! - `repo`: handing notices to channels, claiming due deliveries (leases; `FOR UPDATE SKIP
//!   LOCKED` on PostgreSQL), recording outcomes;
//! - `worker`: the round every replica runs;
//! - `sms` (Alibaba Cloud SMS API, signed), `webhook` (HMAC-SHA256, idempotency key), and
//!   `fake`, a local gateway speaking the SMS protocol for tests and the demo;
//! - `api` (county settings, my preferences) and `inbox` (my inbox, delivery status, the
//!   dead-letter list with retry, the QQ group text).

pub mod api;
pub mod fake;
pub mod inbox;
pub mod model;
pub mod repo;
pub mod sms;
pub mod webhook;
pub mod worker;

pub use shuanglian_core::{clock, config, db, enums, error, insert_rows, tenant};
pub use shuanglian_deadlines::notices;
pub use shuanglian_http::{AppState, audit, auth};

/// The HTTP helpers under the name the other crates use.
pub(crate) use shuanglian_http::api as api_helpers;
