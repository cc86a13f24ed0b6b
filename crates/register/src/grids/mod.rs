//! Grids (管理区域网格, seed 000): one per AIC office's service area — the townships it serves
//! (kept as history) — linked with an association-branch party branch. Model, queries, API.
//! Which villages a grid's branch works with follows from where the grid's members hold their
//! membership (seed 000), so it arrives with the member register.

pub mod api;
pub mod repo;
