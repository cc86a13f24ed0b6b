//! Evaluations (issue 16): members (the vanguard index), branches and service centres
//! (规范化建设考评定级), markets (六化) and the coverage campaign, all scored by one engine.
//! Rubrics are data (`rubric`): categories with maxima, deduction and addition rules with their
//! bounds, conditions that grade a subject outright, and grade bands; the seeded defaults come
//! from the seeds (`seeded`) and each county keeps its versions (`rubrics`). Scoring is a plain
//! function that unit tests reach directly.
//!
//! Areas: the branch standardisation grading (`branches`), the vanguard index (`vanguard`),
//! training rates (`training`), the markets' six standards (`markets`) and the 百日攻坚
//! coverage campaign (`coverage`).

/// An enum stored by name and sent as JSON, with its zh-CN label: the derives of
/// [`enums::StrEnum`] (the one enum-string mechanism) plus `label_zh`. Exported for the
/// statistics above; the caller needs serde, strum and poem-openapi.
#[macro_export]
macro_rules! str_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident => $zh:literal,)* }) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            poem_openapi::Enum,
        )]
        #[serde(rename_all = "snake_case")]
        #[oai(rename_all = "snake_case")]
        #[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray)]
        #[strum(serialize_all = "snake_case")]
        $(#[$m])*
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            pub fn label_zh(self) -> &'static str {
                match self { $($name::$v => $zh,)* }
            }
        }
    };
}

pub mod branches;
pub mod coverage;
pub mod demo;
pub mod markets;
pub mod rubric;
pub mod rubrics;
pub mod seeded;
pub mod training;
pub mod vanguard;

// The layers below, under the paths every module of the service uses (`crate::db`, …).
pub use shuanglian_core::{clock, db, enums, error, insert_rows};
pub use shuanglian_deadlines as deadlines;
pub use shuanglian_http::{AppState, api, audit, auth};
pub use shuanglian_register::{business, documents, members, onboarding, org, rng, users};
pub use shuanglian_workflows as workflows;

/// An optional free text of a form: trimmed, empty as absent, at most `max` characters (else
/// an error naming `field` is added). Every evaluation's evidence and notes are checked here.
pub(crate) fn optional_text(
    field: &str,
    v: Option<&str>,
    max: usize,
    errs: &mut Vec<error::FieldError>,
) -> Option<String> {
    let t = v.map(str::trim).filter(|t| !t.is_empty())?;
    if t.chars().count() > max {
        errs.push(error::FieldError::new(
            field,
            "too_long",
            format!("{field}：最多{max}个字"),
            format!("{field}: at most {max} characters"),
        ));
    }
    Some(t.to_owned())
}

/// A year an evaluation may concern: 2000 to this year (default this year), else 422 naming
/// `year`. Every evaluation's list and report checks its year here.
pub(crate) fn past_year(given: Option<i32>) -> error::AppResult<i32> {
    use chrono::Datelike;
    let this = clock::today().year();
    let y = given.unwrap_or(this);
    if (2000..=this).contains(&y) {
        Ok(y)
    } else {
        Err(error::AppError::field(
            "year",
            "out_of_range",
            format!("year：年份应在2000到{this}之间"),
            format!("year must be between 2000 and {this}"),
        ))
    }
}
