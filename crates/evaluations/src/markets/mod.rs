//! 市场党建“六化”标准 (seed 001; issue 16 item 5): each listed market's checklist of the six
//! standards per year with evidence per item, spot checks with their result, and the county's
//! yearly coverage targets shown as progress; next to each checklist, what the register and
//! the trainings show (members, a party organisation of its own, members trained twice).

pub mod api;
pub mod model;
pub mod repo;
