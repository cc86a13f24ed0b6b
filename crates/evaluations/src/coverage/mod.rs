//! 百日攻坚 (seed 004; issue 16 item 6): a coverage campaign of a start, 100 days and a 15-day
//! reporting cycle (each report a deadline); the survey (调查摸底表) of every non-public economic
//! organisation in the businesses register; the suggested organisation form with its reason and
//! a plan per organisation; every 15 days, coverage per township and branch, ranked, with the
//! laggards listed for a talk, issued as the campaign report (报表).

pub mod api;
pub mod demo;
pub mod documents;
pub mod figures;
pub mod import_api;
pub mod input;
pub mod model;
pub mod orgs_api;
pub mod repo;
pub mod rules;
pub mod view;
