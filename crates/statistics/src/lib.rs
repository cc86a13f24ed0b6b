//! Statistics (issue 17): each county's half-year snapshot, cut off at 30 June and 31 December
//! (seed 001), computed from history as it stood on the cut-off, reviewed and frozen by the county
//! admin and revised only with a reason; and the provincial office's cross-county tables, read
//! from frozen snapshots only, under disclosure control (`disclosure`).

pub mod disclosure;
