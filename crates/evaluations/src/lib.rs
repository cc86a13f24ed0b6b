//! Evaluations (issue 16): members (the vanguard index), branches and service centres
//! (规范化建设考评定级), markets (六化) and the coverage campaign, all scored by one engine.
//! Rubrics are data (`rubric`): categories with maxima, deduction and addition rules with their
//! bounds, conditions that grade a subject outright, and grade bands; the seeded defaults come
//! from the seeds (`seeded`). Scoring is a plain function that unit tests reach directly.
//!
//! So far the engine, the seeded branch rubric, and the rules of the vanguard index's
//! eligibility and stars (`vanguard`), of training rates (`training`) and of the campaign's
//! suggested organisation forms (`campaign`); storage per county and version, the evaluations
//! themselves and their API follow.

pub mod campaign;
pub mod rubric;
pub mod seeded;
pub mod training;
pub mod vanguard;
