//! The black-box suite, in one test executable. Each module was once its own executable; as
//! one, the suite links once instead of ~40 times (each link wrote a 160 MB file: a cold
//! build filled a CI disk and the linker died of SIGBUS). Pick a part with a filter:
//! `cargo test -p shuanglian-tests --test suite -- floating::`.
//!
//! `qq` stays its own executable: it installs a process-wide log subscriber to prove that QQ
//! numbers never reach the logs, and that must not capture (and slow) every other test.

mod activities;
mod architecture;
mod audit;
mod auth;
mod bounded_uploads;
mod business;
mod clock;
mod consent;
mod console;
mod conventions;
mod coverage;
mod deadline_job;
mod deadline_tallies;
mod deadlines;
mod dual_linkage;
mod evaluations;
mod event_stream;
mod fault_procs;
mod faults;
mod feedback;
mod filing;
mod floating;
mod grids;
mod isolation;
mod letters;
mod lifecycle;
mod market_standards;
mod member_edits;
mod member_search;
mod member_status;
mod members;
mod messy_sheets;
mod national_calendar;
mod notifications;
mod onboarding;
mod org;
mod panic_safety;
mod permissions;
mod postgres_only_rls;
mod privacy_policy;
mod records;
mod records_world;
mod registrations;
mod reporting;
mod scope_holes;
mod scope_writes;
mod service_requests;
mod shutdown;
mod statistics;
mod tenancy;
mod tenant_keys;
mod totp;
mod training;
mod vanguard;
