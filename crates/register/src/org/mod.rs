//! The county's org tree (SPEC §2): the association committee and its branches, party branches
//! and service centres; townships and villages; AIC offices; markets and their party
//! organisations. Model and rules, queries, API.

pub mod api;
pub mod model;
pub mod repo;
pub mod scope;
