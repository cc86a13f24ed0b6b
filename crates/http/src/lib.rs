//! What every Shuanglian (双联) request handler stands on, below all domains: the application
//! state ([`state::AppState`]: database, sessions, settings, master key), the API conventions
//! (`api`: JSON bodies with field paths and size limits, paging, ETag/If-Match, idempotency
//! keys, the problem+json mapping), authentication (`auth`: passwords, tokens, sessions,
//! lockout, the `Auth` scheme that yields a `Principal`, TOTP rules and enrolments), the
//! append-only audit log (`audit`), and the personal-data types and county keys (`privacy`).
//! See docs/architecture.md for the crate graph.

pub mod api;
pub mod audit;
pub mod auth;
pub mod privacy;
pub mod state;

pub use state::AppState;
