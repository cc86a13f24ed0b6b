//! County user accounts (and the platform's own accounts): model, queries, API.

pub mod api;
pub mod model;
pub mod repo;
pub mod signin;
pub mod totp_api;
