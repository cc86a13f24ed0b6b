//! Businesses (个体工商户, 小微企业, market stalls) and markets (商品交易市场), SPEC §3: records
//! of their own, linked to members as owners or employees. Model and rules, reach, queries,
//! APIs, demo data; `bulk` reads and writes them many at a time for the register import.

pub mod api;
pub mod bulk;
pub mod demo;
pub mod market_api;
pub mod model;
pub mod repo;
pub mod scope;
