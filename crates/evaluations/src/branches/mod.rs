//! 支部（党员服务中心）规范化建设考评定级 (seed 003; issue 16 item 4): each year a party
//! branch or service centre assesses itself against the county's rubric, the association
//! committee assesses it in December, and the county ranks the assessed. The recorded data
//! proposes the deductions it can decide (few activities, late replies, no registration) and
//! the outright 较差 of a year without activity, each with its evidence.

pub mod api;
pub mod documents;
pub mod model;
pub mod repo;
pub mod view;
