//! One module per screen: its state, its keys and its drawing.

pub mod calendar;
pub mod counties;
pub mod deadlines;
pub mod evaluations;
pub mod grids;
pub mod import;
pub mod notices;
pub mod overview;
pub mod privacy;
pub mod province;
pub mod requests;
pub mod rosters;
pub mod signin;
pub mod statistics;
pub mod users;
