//! What the API shows of a branch evaluation: each assessment with its findings, conditions
//! and score per category, the data's proposals, and the county ranking.

use std::collections::HashMap;

use chrono::NaiveDate;
use poem_openapi::Object;
use serde::{Deserialize, Serialize};

use super::model::{Assessment, EvaluationState, Holding, Proposal};
use super::repo::EvaluationRow;
use crate::db::DbResult;
use crate::error::{AppError, FieldError};
use crate::org::model::OrgKind;
use crate::rubric::{Finding, Points, Rubric, Score, ScoreError};
use crate::rubrics::input::{points, to_f64};

const FINDINGS_MAX: usize = 200;
const EVIDENCE_MAX: usize = 500;
const NOTE_MAX: usize = 2000;

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// A rule of the rubric (e.g. `ideas.few_activities`).
    pub rule: String,
    /// Points one occurrence takes, within the rule's bounds.
    pub points: f64,
    /// Occurrences (late replies); 1 for a rule that applies once. Default 1.
    pub count: Option<u32>,
    /// Where the evidence is (up to 500 characters).
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct HoldingInput {
    /// An outright condition of the rubric (e.g. `no_activity_last_year`).
    pub code: String,
    pub evidence: Option<String>,
}

/// An assessment: the rules found to apply, the outright conditions found to hold, a note.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    #[oai(default)]
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    #[oai(default)]
    #[serde(default)]
    pub conditions: Vec<HoldingInput>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct FindingView {
    pub rule: String,
    pub rule_text: String,
    pub category: String,
    pub points: f64,
    pub count: u32,
    /// points × count.
    pub amount: f64,
    #[oai(skip_serializing_if_is_none)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct HoldingView {
    pub code: String,
    pub text: String,
    pub grade: String,
    #[oai(skip_serializing_if_is_none)]
    pub evidence: Option<String>,
}

#[derive(Debug, Clone, Object)]
pub struct CategoryScoreView {
    pub code: String,
    pub name: String,
    pub max: f64,
    pub deducted: f64,
    pub added: f64,
    /// Never below 0 nor above the maximum.
    pub score: f64,
}

#[derive(Debug, Clone, Object)]
pub struct AssessmentView {
    pub findings: Vec<FindingView>,
    pub conditions: Vec<HoldingView>,
    #[oai(skip_serializing_if_is_none)]
    pub note: Option<String>,
    pub categories: Vec<CategoryScoreView>,
    pub total: f64,
    pub grade: String,
    /// The condition that set the grade outright, whatever the points.
    #[oai(skip_serializing_if_is_none)]
    pub outright: Option<String>,
    pub by_name: String,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, Object)]
pub struct ProposalView {
    pub findings: Vec<FindingView>,
    pub conditions: Vec<HoldingView>,
}

/// One subject's evaluation for a year.
#[derive(Debug, Clone, Object)]
pub struct BranchEvaluationView {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    pub year: i32,
    pub rubric_code: String,
    /// The version scored with: fixed when the evaluation starts.
    pub rubric_version: i32,
    #[oai(skip_serializing_if_is_none)]
    pub state: Option<EvaluationState>,
    pub state_label: String,
    /// Deductions and conditions proposed from the recorded data, with their evidence.
    pub proposals: ProposalView,
    #[oai(skip_serializing_if_is_none)]
    pub self_assessment: Option<AssessmentView>,
    #[oai(skip_serializing_if_is_none)]
    pub assessment: Option<AssessmentView>,
    /// The county place among the year's assessed subjects.
    #[oai(skip_serializing_if_is_none)]
    pub rank: Option<u32>,
    pub ranked: u32,
    /// What the caller may do now.
    pub may_self_assess: bool,
    pub may_assess: bool,
    /// For If-Match; 0 before anything is recorded.
    pub version: i64,
}

/// A line of the year's list and ranking.
#[derive(Debug, Clone, Object)]
pub struct BranchEvaluationSummary {
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: OrgKind,
    /// The branch (分会) the unit belongs to.
    pub parent_name: String,
    #[oai(skip_serializing_if_is_none)]
    pub state: Option<EvaluationState>,
    pub state_label: String,
    #[oai(skip_serializing_if_is_none)]
    pub self_total: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub self_grade: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub total: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub grade: Option<String>,
    pub outright: bool,
    #[oai(skip_serializing_if_is_none)]
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Object)]
pub struct GradeCount {
    pub grade: String,
    pub count: u32,
}

#[derive(Debug, Clone, Object)]
pub struct BranchEvaluationList {
    pub year: i32,
    /// Subjects you see, in ranking order (the assessed first), then the rest in tree order.
    pub items: Vec<BranchEvaluationSummary>,
    /// County-wide: subjects, assessed, and the assessed per grade.
    pub subjects: u32,
    pub assessed: u32,
    pub grades: Vec<GradeCount>,
}

/// The assessment sent, checked against the rubric field by field, and its score.
pub fn check(r: &Rubric, i: &AssessmentRequest) -> Result<(Assessment, Score), AppError> {
    let mut errs = Vec::new();
    if i.findings.len() > FINDINGS_MAX || i.conditions.len() > r.conditions.len().max(1) * 2 {
        return Err(AppError::field(
            "findings",
            "too_many",
            format!("findings：最多{FINDINGS_MAX}项"),
            format!("findings: at most {FINDINGS_MAX}"),
        ));
    }
    let mut findings = Vec::new();
    for (k, f) in i.findings.iter().enumerate() {
        let p = points(&format!("findings[{k}].points"), f.points)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
        findings.push(Finding {
            rule: f.rule.clone(),
            points: p,
            count: f.count.unwrap_or(1),
            evidence: crate::optional_text(
                &format!("findings[{k}].evidence"),
                f.evidence.as_deref(),
                EVIDENCE_MAX,
                &mut errs,
            ),
        });
    }
    let conditions: Vec<Holding> = i
        .conditions
        .iter()
        .enumerate()
        .map(|(k, c)| Holding {
            code: c.code.clone(),
            evidence: crate::optional_text(
                &format!("conditions[{k}].evidence"),
                c.evidence.as_deref(),
                EVIDENCE_MAX,
                &mut errs,
            ),
        })
        .collect();
    let note = crate::optional_text("note", i.note.as_deref(), NOTE_MAX, &mut errs);
    if !errs.is_empty() {
        return Err(AppError::validation(errs));
    }
    let a = Assessment {
        findings,
        conditions,
        note,
    };
    let score = r
        .score(&a.findings, &a.holding())
        .map_err(|e| AppError::validation(vec![score_error(&a, &e)]))?;
    Ok((a, score))
}

/// An engine refusal, named by the field of the first finding it concerns.
fn score_error(a: &Assessment, e: &ScoreError) -> FieldError {
    let at = |rule: &str, what: &str| {
        let k = a.findings.iter().position(|f| f.rule == rule).unwrap_or(0);
        format!("findings[{k}].{what}")
    };
    match e {
        ScoreError::UnknownRule(r) => {
            let f = at(r, "rule");
            FieldError::new(
                &f,
                "unknown_rule",
                format!("{f}：评分标准中没有该扣分项"),
                format!("{f}: no such rule in the rubric"),
            )
        }
        ScoreError::OutOfBounds { rule, min, max } => {
            let f = at(rule, "points");
            let (zh, en) = if min == max {
                (
                    format!("该项扣（加）{max}分"),
                    format!("this rule takes {max} points"),
                )
            } else {
                (
                    format!("该项每次扣（加）{min}到{max}分"),
                    format!("this rule takes {min} to {max} points"),
                )
            };
            FieldError::new(
                &f,
                "out_of_bounds",
                format!("{f}：{zh}"),
                format!("{f}: {en}"),
            )
        }
        ScoreError::Count(r) => {
            let f = at(r, "count");
            FieldError::new(
                &f,
                "invalid_count",
                format!("{f}：该项只能计一次（按件计的项次数须大于0）"),
                format!("{f}: this rule applies once (a per-occurrence rule at least once)"),
            )
        }
        ScoreError::UnknownCondition(c) => {
            let k = a.conditions.iter().position(|h| &h.code == c).unwrap_or(0);
            let f = format!("conditions[{k}].code");
            FieldError::new(
                &f,
                "unknown_condition",
                format!("{f}：评分标准中没有该直接定级情形"),
                format!("{f}: no such condition in the rubric"),
            )
        }
    }
}

pub fn findings(r: &Rubric, fs: &[Finding]) -> Vec<FindingView> {
    fs.iter()
        .map(|f| {
            let (category, text) = r
                .categories
                .iter()
                .find_map(|c| {
                    c.rules
                        .iter()
                        .find(|x| x.code == f.rule)
                        .map(|x| (c.name.clone(), x.text.clone()))
                })
                .unwrap_or_default();
            FindingView {
                rule: f.rule.clone(),
                rule_text: text,
                category,
                points: to_f64(f.points),
                count: f.count,
                amount: to_f64(f.points.times(f.count)),
                evidence: f.evidence.clone(),
            }
        })
        .collect()
}

pub fn holdings(r: &Rubric, hs: &[Holding]) -> Vec<HoldingView> {
    hs.iter()
        .map(|h| {
            let k = r.conditions.iter().find(|k| k.code == h.code);
            HoldingView {
                code: h.code.clone(),
                text: k.map(|k| k.text.clone()).unwrap_or_default(),
                grade: k.map(|k| k.grade.clone()).unwrap_or_default(),
                evidence: h.evidence.clone(),
            }
        })
        .collect()
}

pub fn proposal(r: &Rubric, p: &Proposal) -> ProposalView {
    ProposalView {
        findings: findings(r, &p.findings),
        conditions: holdings(r, &p.conditions),
    }
}

/// An assessment as stored, scored again with the rubric it was made with (the stored total
/// and grade are what lists and rankings read; this shows how they came about).
pub fn assessment(
    r: &Rubric,
    a: &Assessment,
    by_name: String,
    on: NaiveDate,
) -> DbResult<AssessmentView> {
    let s = r
        .score(&a.findings, &a.holding())
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored assessment: {e:?}")))?;
    Ok(AssessmentView {
        findings: findings(r, &a.findings),
        conditions: holdings(r, &a.conditions),
        note: a.note.clone(),
        categories: s
            .categories
            .iter()
            .zip(&r.categories)
            .map(|(c, rc)| CategoryScoreView {
                code: c.code.clone(),
                name: rc.name.clone(),
                max: to_f64(c.max),
                deducted: to_f64(c.deducted),
                added: to_f64(c.added),
                score: to_f64(c.score),
            })
            .collect(),
        total: to_f64(s.total),
        grade: s.grade,
        outright: s.outright,
        by_name,
        on,
    })
}

/// The county places of a year's assessed subjects.
pub fn ranking(rows: &[EvaluationRow]) -> HashMap<String, u32> {
    let assessed: Vec<&EvaluationRow> = rows.iter().filter(|r| r.total.is_some()).collect();
    let keys: Vec<(Points, bool)> = assessed
        .iter()
        .map(|r| (Points(r.total.unwrap_or(0)), r.outright.is_some()))
        .collect();
    assessed
        .iter()
        .zip(super::model::rank(&keys))
        .map(|(r, k)| (r.unit_id.clone(), k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> Vec<String> {
        let r = crate::seeded::branch_standardisation();
        let mut codes: Vec<String> = r
            .categories
            .iter()
            .flat_map(|c| c.rules.iter().map(|x| x.code.clone()))
            .collect();
        codes.push("no.such.rule".to_owned());
        codes
    }

    proptest! {
        /// Whatever findings and conditions arrive, the checker answers (a score or a 422
        /// naming a field) and never panics; a score keeps every category within 0 and its
        /// maximum and the total within the rubric's.
        #[test]
        fn any_assessment_is_scored_or_refused(
            picks in proptest::collection::vec((0usize..40, any::<f64>(), proptest::option::of(any::<u32>())), 0..30),
            conds in proptest::collection::vec(0usize..5, 0..4),
        ) {
            let r = crate::seeded::branch_standardisation();
            let codes = rules();
            let conditions = ["no_activity_last_year", "secretary_violation", "mass_incident", "x", ""];
            let input = AssessmentRequest {
                findings: picks
                    .iter()
                    .map(|(i, p, c)| FindingInput {
                        rule: codes[i % codes.len()].clone(),
                        points: *p,
                        count: *c,
                        evidence: None,
                    })
                    .collect(),
                conditions: conds
                    .iter()
                    .map(|i| HoldingInput { code: conditions[*i].to_owned(), evidence: None })
                    .collect(),
                note: None,
            };
            match check(&r, &input) {
                Ok((_, s)) => {
                    prop_assert!(s.total >= Points::ZERO && s.total <= r.max());
                    for (c, rc) in s.categories.iter().zip(&r.categories) {
                        prop_assert!(c.score >= Points::ZERO && c.score <= rc.max);
                    }
                }
                Err(e) => {
                    prop_assert_eq!(e.status, poem::http::StatusCode::UNPROCESSABLE_ENTITY);
                    prop_assert!(!e.fields.is_empty());
                }
            }
        }
    }
}
