//! 季度报送备案 Quarterly filing (seed 000, 主要任务 2: “每季度首月10日前，各记录单位须将记录
//! 信息梳理汇总后报送上级党委备案”): each recording unit (AIC office, party branch, village)
//! files the previous quarter's records with its upper committee — a village with its
//! township committee, a party branch or an AIC office with the association committee (acting
//! for the county AIC bureau's party committee, which has no role of its own). The filing is a
//! draft generated from the records, submitted (closing the `quarterly_filing` obligation),
//! then accepted or returned with a reason; lateness is kept. The village's filing prints as
//! the 季报表 (`document`).

pub mod api;
pub mod demo;
pub mod document;
pub mod model;
pub mod repo;
pub mod review;
pub mod view;
