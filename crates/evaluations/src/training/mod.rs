//! Training rates (seed 001; issue 16 item 3): per year and member category against the
//! seed's targets, per org unit, and who is missing, from attendance at activities of kind
//! training (the service centres' activities).

pub mod api;
pub mod rules;
