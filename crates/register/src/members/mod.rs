//! Party members (党员), SPEC §3: the register every workflow reads. Model and rules, queries,
//! API. Personal identifiers are encrypted with the county's keys and shown masked.

pub mod api;
pub mod consent;
pub mod model;
pub mod names;
pub mod repo;
pub mod status;
