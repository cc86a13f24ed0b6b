//! The dual-linkage workflows of seed 000 and seed 001 (issue 5): two-way reporting,
//! performance records, quarterly filing, semi-annual feedback and floating members. Each is a
//! folder with its model, rules, storage and API; each opens and closes its obligations in the
//! deadline engine (`crate::deadlines`) and contributes to the member's time line. The service
//! centres of seed 002 (issue 15) live in `registrations`, `centres` (requests), `activities` and `letters`.

pub mod activities;
pub mod centres;
pub mod feedback;
pub mod filing;
pub mod floating;
pub mod handler;
pub mod letters;
pub mod records;
pub mod registrations;
pub mod reporting;
pub mod timeline;

// The layers below, under the paths every module of the service uses (`crate::db`, …).
pub use shuanglian_core::{
    clock, config, db, enums, error, insert_rows, kv, security, telemetry, tenant,
};
pub use shuanglian_deadlines as deadlines;
pub use shuanglian_http::{AppState, api, audit, auth};
pub use shuanglian_register::{
    business, documents, events, grids, members, onboarding, org, privacy, qq, rng, tenancy, users,
};
