//! /api/v1/evaluations/branches: the yearly standardisation grading of party branches and
//! service centres (seed 003). The subject's staff assess it (自评), the association committee
//! assesses it from 1 December (考评定级) and the county ranking follows; both start from the
//! deductions the recorded data proposes.
//!
//! Who sees an evaluation: anyone who sees the unit (county-wide roles all; a scoped user the
//! units of their subtree); other ids answer 404, like another county's. Who writes: the
//! self-assessment branch staff who see the unit (403 `subject_staff_only`), the assessment
//! the association committee (403 `committee_only`); both checked before the body is read.

use chrono::NaiveDate;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::model::{self, EvaluationState, Refused};
use super::repo::{self, EvaluationRow, Side};
use super::view::{self, AssessmentRequest, BranchEvaluationList, BranchEvaluationView};
use crate::AppState;
use crate::api::{JsonBody, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::error::{AppError, AppResult};
use crate::org::repo::OrgUnitRow;
use crate::org::scope;
use crate::rubric::Rubric;
use crate::workflows::handler::Call;

pub const RUBRIC: &str = "branch_standardisation";

#[derive(Tags)]
enum ApiTags {
    /// 考评：支部（党员服务中心）规范化建设考评定级 / Evaluations: branch standardisation
    BranchEvaluations,
}

pub struct BranchEvaluationsApi {
    pub state: AppState,
}

#[derive(ApiResponse)]
pub enum EvaluationResponse {
    #[oai(status = 200)]
    Ok(Json<BranchEvaluationView>, #[oai(header = "ETag")] String),
}

fn refused(r: Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

fn subject_staff_only() -> AppError {
    AppError::forbidden_as(
        "subject_staff_only",
        "自评由本支部（党员服务中心）所在分会的工作人员填报",
        "The self-assessment is made by the branch staff of the unit",
    )
}

fn committee_only() -> AppError {
    AppError::forbidden_as(
        "committee_only",
        "考评定级由协会党委组织",
        "The association committee assesses and grades",
    )
}

/// A party branch or service centre the caller sees, or 404.
fn subject(tx: &mut TenantTx<'_>, who: &Principal, unit_id: &str) -> DbResult<OrgUnitRow> {
    let u = crate::org::repo::get(tx, unit_id)?.ok_or_else(AppError::not_found)?;
    if !repo::SUBJECT_KINDS.contains(&u.kind())
        || !scope::visibility(tx, who.role, &who.user_id)?.sees(&u)
    {
        return Err(AppError::not_found().into());
    }
    Ok(u)
}

/// The rubric an evaluation is scored with: its own version once started, else the one in
/// force (stored as the county's first version when `store`).
fn rubric_of(tx: &mut TenantTx<'_>, row: Option<&EvaluationRow>, store: bool) -> DbResult<Rubric> {
    match row {
        Some(r) => crate::rubrics::get(tx, &r.rubric_code, r.rubric_version)?
            .ok_or_else(AppError::not_found)?
            .rubric(),
        None => crate::rubrics::current(tx, RUBRIC, store),
    }
}

fn detail(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    unit: &OrgUnitRow,
    year: i32,
    today: NaiveDate,
) -> DbResult<BranchEvaluationView> {
    let row = repo::get(tx, &unit.id, year)?;
    let r = rubric_of(tx, row.as_ref(), false)?;
    let (_, end) = repo::year_bounds(year);
    let facts = repo::facts(tx, unit, year, end.min(today))?;
    let proposals = view::proposal(&r, &model::propose(year, &facts));
    let users: Vec<String> = row
        .iter()
        .flat_map(|x| [x.self_by.clone(), x.assessed_by.clone()])
        .flatten()
        .collect();
    let names = crate::workflows::centres::view::names(tx, &[] as &[String], &[], &users)?;
    let name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| names.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let mut self_assessment = None;
    let mut assessment = None;
    let mut rank = None;
    let mut ranked = 0;
    if let Some(x) = &row {
        if let (Some(a), Some(on)) = (x.self_assessment()?, x.self_on) {
            self_assessment = Some(view::assessment(&r, &a, name(&x.self_by), on)?);
        }
        if let (Some(a), Some(on)) = (x.assessment()?, x.assessed_on) {
            assessment = Some(view::assessment(&r, &a, name(&x.assessed_by), on)?);
        }
        let places = view::ranking(&repo::of_year(tx, year)?);
        ranked = u32::try_from(places.len()).unwrap_or(u32::MAX);
        rank = places.get(&unit.id).copied();
    }
    let state = row.as_ref().map(EvaluationRow::state);
    let assessed = state == Some(EvaluationState::Assessed);
    let staff = who.role == Role::BranchStaff;
    Ok(BranchEvaluationView {
        unit_id: unit.id.clone(),
        unit_name: unit.name.clone(),
        unit_kind: unit.kind(),
        year,
        rubric_code: r.code.clone(),
        rubric_version: r.version,
        state,
        state_label: state.map_or("未评", |s| s.label_zh()).to_owned(),
        proposals,
        self_assessment,
        assessment,
        rank,
        ranked,
        may_self_assess: staff && model::may_self_assess(year, today, assessed).is_ok(),
        may_assess: who.role == Role::AssociationCommittee
            && model::may_assess(year, today).is_ok(),
        version: row.map_or(0, |x| x.version),
    })
}

pub(crate) fn list(
    tx: &mut TenantTx<'_>,
    who: &Principal,
    year: i32,
) -> DbResult<BranchEvaluationList> {
    let vis = scope::visibility(tx, who.role, &who.user_id)?;
    let units = repo::subjects(tx)?;
    let rows = repo::of_year(tx, year)?;
    let places = view::ranking(&rows);
    let by_unit: std::collections::HashMap<&str, &EvaluationRow> =
        rows.iter().map(|r| (r.unit_id.as_str(), r)).collect();
    let parents: Vec<String> = units.iter().filter_map(|u| u.parent_id.clone()).collect();
    let names = crate::workflows::centres::view::names(tx, &parents, &[], &[])?;
    let mut grades: Vec<view::GradeCount> = Vec::new();
    for r in rows.iter().filter_map(|r| r.grade.as_ref()) {
        match grades.iter_mut().find(|g| &g.grade == r) {
            Some(g) => g.count += 1,
            None => grades.push(view::GradeCount {
                grade: r.clone(),
                count: 1,
            }),
        }
    }
    let live = |r: &&EvaluationRow| units.iter().any(|u| u.id == r.unit_id);
    let assessed = rows
        .iter()
        .filter(|r| r.total.is_some())
        .filter(live)
        .count();
    let subjects = units.len();
    let mut items: Vec<view::BranchEvaluationSummary> = units
        .iter()
        .filter(|u| vis.sees(u))
        .map(|u| {
            let r = by_unit.get(u.id.as_str());
            let state = r.map(|r| r.state());
            view::BranchEvaluationSummary {
                unit_id: u.id.clone(),
                unit_name: u.name.clone(),
                unit_kind: u.kind(),
                parent_name: u
                    .parent_id
                    .as_ref()
                    .and_then(|p| names.get(p))
                    .cloned()
                    .unwrap_or_default(),
                state,
                state_label: state.map_or("未评", |s| s.label_zh()).to_owned(),
                self_total: r.and_then(|r| r.self_total).map(|t| f64::from(t) / 10.0),
                self_grade: r.and_then(|r| r.self_grade.clone()),
                total: r.and_then(|r| r.total).map(|t| f64::from(t) / 10.0),
                grade: r.and_then(|r| r.grade.clone()),
                outright: r.is_some_and(|r| r.outright.is_some()),
                rank: places.get(&u.id).copied(),
            }
        })
        .collect();
    // Ranked first by place; the rest keep tree order (the sort is stable).
    items.sort_by_key(|i| i.rank.unwrap_or(u32::MAX));
    Ok(BranchEvaluationList {
        year,
        items,
        subjects: u32::try_from(subjects).unwrap_or(u32::MAX),
        assessed: u32::try_from(assessed).unwrap_or(u32::MAX),
        grades,
    })
}

#[OpenApi(
    prefix_path = "/evaluations/branches",
    tag = "ApiTags::BranchEvaluations"
)]
impl BranchEvaluationsApi {
    /// 考评定级一览 / The year's subjects you see, ranked, with the county's grade counts
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        auth: Auth,
        /// Default: this year.
        year: Query<Option<i32>>,
    ) -> AppResult<Json<BranchEvaluationList>> {
        let call = Call::new(&self.state, auth)?;
        let year = crate::past_year(year.0)?;
        Ok(Json(call.read(move |tx, who| list(tx, who, year)).await?))
    }

    /// 考评定级排名（打印） / The county ranking as print-ready HTML
    #[oai(path = "/report.html", method = "get")]
    async fn report_html(&self, auth: Auth, year: Query<Option<i32>>) -> AppResult<HtmlDocument> {
        Ok(self.report(auth, year.0).await?.html_response())
    }

    /// 考评定级排名（xlsx） / The county ranking as xlsx
    #[oai(path = "/report.xlsx", method = "get")]
    async fn report_xlsx(&self, auth: Auth, year: Query<Option<i32>>) -> AppResult<XlsxDocument> {
        self.report(auth, year.0).await?.xlsx_response()
    }

    /// 单位考评 / One unit's evaluation for a year, with the proposals from the data
    #[oai(path = "/:id/:year", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
    ) -> AppResult<EvaluationResponse> {
        let call = Call::new(&self.state, auth)?;
        let today = crate::clock::today();
        let id = path_id(&id.0)?;
        let year = crate::past_year(Some(year.0)).map_err(|_| AppError::not_found())?;
        let v = call
            .read(move |tx, who: &Principal| {
                let unit = subject(tx, who, &id)?;
                detail(tx, who, &unit, year, today)
            })
            .await?;
        let tag = etag(v.version);
        Ok(EvaluationResponse::Ok(Json(v), tag))
    }

    /// 自评 / The unit's self-assessment (its branch staff), until the committee assesses
    ///
    /// If-Match is required once the evaluation exists.
    #[oai(path = "/:id/:year/self", method = "put")]
    async fn self_assess(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<AssessmentRequest>,
    ) -> AppResult<EvaluationResponse> {
        let call = Call::new(&self.state, auth)?;
        if call.who().role != Role::BranchStaff {
            return Err(subject_staff_only());
        }
        self.save(call, id.0, year.0, if_match.0, body.0, Side::Subject)
            .await
    }

    /// 考评定级 / The association committee's assessment, from 1 December of the year
    ///
    /// The committee may revise it (If-Match). The grade is the band of the total, unless an
    /// outright condition holds (近一年来没有开展党组织活动 …: 较差 at any total).
    #[oai(path = "/:id/:year/assessment", method = "put")]
    async fn assess(
        &self,
        auth: Auth,
        id: Path<String>,
        year: Path<i32>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        body: JsonBody<AssessmentRequest>,
    ) -> AppResult<EvaluationResponse> {
        let call = Call::new(&self.state, auth)?;
        if call.who().role != Role::AssociationCommittee {
            return Err(committee_only());
        }
        self.save(call, id.0, year.0, if_match.0, body.0, Side::Committee)
            .await
    }
}

impl BranchEvaluationsApi {
    async fn save(
        &self,
        call: Call<'_>,
        unit_id: String,
        year: i32,
        if_match: Option<String>,
        input: AssessmentRequest,
        side: Side,
    ) -> AppResult<EvaluationResponse> {
        let today = crate::clock::today();
        let id = path_id(&unit_id)?;
        let expected = crate::api::if_match_opt(if_match.as_deref())?;
        let year = crate::past_year(Some(year)).map_err(|_| AppError::not_found())?;
        let v = call
            .write(move |tx, who: &Principal| {
                let unit = subject(tx, who, &id)?;
                let row = repo::get(tx, &unit.id, year)?;
                let assessed = row.as_ref().is_some_and(|r| r.total.is_some());
                match side {
                    Side::Subject => {
                        model::may_self_assess(year, today, assessed).map_err(refused)?
                    }
                    Side::Committee => model::may_assess(year, today).map_err(refused)?,
                }
                let existing = match (&row, expected) {
                    (Some(r), Some(v)) => Some((r, v)),
                    (Some(_), None) => return Err(AppError::precondition_required().into()),
                    (None, _) => None,
                };
                let rubric = rubric_of(tx, row.as_ref(), true)?;
                let (a, score) = view::check(&rubric, &input)?;
                let saved = repo::save(
                    tx,
                    existing,
                    &unit.id,
                    year,
                    &rubric,
                    side,
                    &a,
                    &score,
                    &who.user_id,
                    today,
                )?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    match side {
                        Side::Subject => "branch_evaluation.self",
                        Side::Committee => "branch_evaluation.assess",
                    },
                    "branch_evaluation",
                    &saved.id,
                    None,
                    serde_json::json!({
                        "unit_id": unit.id,
                        "year": year,
                        "rubric_version": rubric.version,
                        "total": score.total.to_string(),
                        "grade": score.grade,
                    }),
                )?;
                detail(tx, who, &unit, year, today)
            })
            .await?;
        let tag = etag(v.version);
        Ok(EvaluationResponse::Ok(Json(v), tag))
    }

    async fn report(&self, auth: Auth, year: Option<i32>) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let year = crate::past_year(year)?;
        call.read(move |tx, who: &Principal| {
            let l = list(tx, who, year)?;
            let county = crate::workflows::filing::api::county_name(tx)?;
            let by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok(super::documents::ranking(
                &l,
                &county,
                &by,
                crate::clock::today(),
            ))
        })
        .await
    }
}
