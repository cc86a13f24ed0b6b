//! Personal data (SPEC §11): the identifiers that are personal information (ID-card, mobile and
//! QQ numbers), their validation and masking, and the per-county keys that encrypt them at rest
//! and index them for exact search.

pub mod api;
pub use shuanglian_http::privacy::{crypto, identity, keys};
pub mod policy;
