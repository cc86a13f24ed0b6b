//! 党员先锋指数 (seed 001; issue 16 item 2): the yearly campaign. The committee opens it and
//! the list of members comes from the register (`rules::eligible`: who is evaluated, who is
//! excluded and why); each evaluated member's self-evaluation, peer evaluation (a tally),
//! organisation review or one-vote veto are recorded by the branch staff or the committee;
//! the committee puts the result on public notice for N days, where objections are recorded
//! and answered; then the stars are final, become each member's 党员先锋指数 record and close
//! the evaluation deadline; 4–5 stars are recommended and may be chosen outstanding, 1–2
//! stars get a talk and a mentor, tracked to completion; the county report closes the report
//! deadline.

pub mod api;
pub mod documents;
pub mod entries;
pub mod model;
pub mod repo;
pub mod rules;
pub mod view;
