//! The dual-linkage workflows of seed 000 and seed 001 (issue 5): two-way reporting,
//! performance records, quarterly filing, semi-annual feedback and floating members. Each is a
//! folder with its model, rules, storage and API; each opens and closes its obligations in the
//! deadline engine (`crate::deadlines`) and contributes to the member's time line.

pub mod feedback;
pub mod filing;
pub mod floating;
pub mod handler;
pub mod records;
pub mod reporting;
pub mod timeline;
