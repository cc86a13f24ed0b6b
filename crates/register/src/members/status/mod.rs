//! Member status changes, kept as history (issue 4 item 5): probationary → full member
//! (预备党员转正), business suspended / resumed / closed (停歇业 / 复业 / 注销), away operating
//! since (外出经营) and back, and transfers of the membership into or out of the county
//! (组织关系转入 / 转出).
//!
//! The member row stays the source of the current state (`membership_status`,
//! `business_status`, `away_since`, and for transfers `membership_unit_id` with the category
//! that follows from it); each change updates those columns and appends one history row in the
//! same transaction, and is audited. Which changes are legal is decided by [`check`].
//!
//! `rules` holds the kinds of change and [`check`]; `repo` the history table and the member
//! row's status columns; `api` the endpoints; `demo` the demo histories.

mod api;
mod demo;
mod repo;
mod rules;

pub use api::MemberStatusApi;
pub use demo::demo;
pub use repo::{HistoryRow, NewHistory, history, insert_history};
pub use rules::{Change, State, Step, check};
