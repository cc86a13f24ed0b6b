//! Personal data (SPEC §11): the identifier types (ID-card, mobile and QQ numbers) with their
//! validation and masking, and the per-county keys that encrypt them at rest and index them for
//! exact search. The county's masking policy and its API live with the register.

pub mod crypto;
pub mod identity;
pub mod keys;
