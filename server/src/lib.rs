//! Shuanglian (双联): county party-building records for individual businesses, multi-tenant.
//!
//! Layers, top to bottom (nothing points back up): `cli` → `startup` → route table → domain
//! folders (`tenancy`, `users`) → `auth` → `api` conventions → `db`, `kv`, `error`, `config`,
//! `telemetry`, `security`. See docs/architecture.md.

pub mod api;
pub mod audit;
pub mod auth;
pub mod business;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod deadlines;
pub mod demo;
pub mod documents;
pub mod error;
pub mod events;
pub mod grids;
pub mod kv;
pub mod members;
pub mod onboarding;
pub mod org;
pub mod privacy;
pub mod qq;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod tenancy;
pub mod users;
pub mod workflows;
