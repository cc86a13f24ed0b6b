//! Statistics (issue 17): each county's half-year snapshot, cut off at 30 June and 31 December
//! (seed 001), computed from history as it stood on the cut-off (`figures`), reviewed and frozen
//! by the county admin and revised only with a reason (`rules`, `repo`, `api`, `print`); and the
//! provincial office's cross-county tables, rankings and trends (`province`), read from frozen
//! snapshots only, under disclosure control (`disclosure`).

pub mod api;
pub mod demo;
pub mod disclosure;
pub mod figures;
pub mod model;
pub mod print;
pub mod province;
pub mod repo;
pub mod rules;

// The layers below, under the paths every module of the service uses (`crate::db`, …).
pub use shuanglian_core::{clock, db, enums, error, tenant};
pub use shuanglian_deadlines as deadlines;
pub use shuanglian_evaluations as evaluations;
pub use shuanglian_evaluations::str_enum;
pub use shuanglian_http::{AppState, api as http_api, audit, auth};
pub use shuanglian_register::{business, documents, members, org, users};
pub use shuanglian_workflows as workflows;
