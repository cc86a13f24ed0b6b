//! Real-name party-building QQ groups (实名制党建QQ群, seed 000 and SPEC §2): groups per grid or
//! region, each kept by a designated branch staff maintainer; the expected roster (QQ numbers
//! encrypted, matched by blind index, shown masked); imports of the group's actual member list
//! with the diff against the roster; the county's join deadline and who is late; the roster's
//! history. Model and rules, parsing of pasted and uploaded lists, queries, API, demo data.

pub mod api;
pub mod demo;
pub mod links;
pub mod model;
pub mod parse;
pub mod repo;
pub mod rules;
