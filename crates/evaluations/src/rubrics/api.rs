//! /api/v1/evaluations/rubrics: the county's rubrics and their versions. Every county user
//! reads them (they say how a grade came about); only the county admin adds a version, which
//! applies to evaluations started after it (a started one keeps its version).

use chrono::NaiveDateTime;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};

use super::input::{self, BandDto, CategoryDto, ConditionDto, RubricVersionRequest};
use crate::AppState;
use crate::api::JsonBody;
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::error::{AppError, AppResult};
use crate::rubric::Rubric;
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 考评：评分标准 / Evaluations: rubrics
    EvaluationRubrics,
}

pub struct RubricsApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object)]
pub struct RubricView {
    pub code: String,
    pub version: i32,
    pub name: String,
    /// The most points a subject can have.
    pub max: f64,
    pub categories: Vec<CategoryDto>,
    pub conditions: Vec<ConditionDto>,
    pub bands: Vec<BandDto>,
    /// The seeds' default, not yet changed by the county.
    pub seeded: bool,
    #[oai(skip_serializing_if_is_none)]
    pub created_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Object)]
pub struct RubricVersionList {
    /// Every version of every rubric the county keeps, the latest of each first.
    pub items: Vec<RubricView>,
}

#[derive(ApiResponse)]
pub enum RubricCreated {
    #[oai(status = 201)]
    Created(Json<RubricView>, #[oai(header = "Location")] String),
}

pub fn view(r: &Rubric, created: Option<(NaiveDateTime, bool)>) -> RubricView {
    RubricView {
        code: r.code.clone(),
        version: r.version,
        name: r.name.clone(),
        max: input::to_f64(r.max()),
        categories: input::categories(r),
        conditions: r
            .conditions
            .iter()
            .map(|k| ConditionDto {
                code: k.code.clone(),
                text: k.text.clone(),
                grade: k.grade.clone(),
            })
            .collect(),
        bands: r
            .bands
            .iter()
            .map(|b| BandDto {
                grade: b.grade.clone(),
                min: input::to_f64(b.min),
            })
            .collect(),
        seeded: created.is_none_or(|(_, by_county)| !by_county),
        created_at: created.map(|(at, _)| at),
    }
}

fn known(code: &str) -> AppResult<String> {
    if super::CODES.contains(&code) {
        Ok(code.to_owned())
    } else {
        Err(AppError::not_found())
    }
}

#[OpenApi(
    prefix_path = "/evaluations/rubrics",
    tag = "ApiTags::EvaluationRubrics"
)]
impl RubricsApi {
    /// 评分标准 / The county's rubrics, every version
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth) -> AppResult<Json<RubricVersionList>> {
        let call = Call::new(&self.state, auth)?;
        let items = call
            .read(|tx, _: &Principal| {
                let mut out = Vec::new();
                for code in super::CODES {
                    let rows = super::versions(tx, code)?;
                    if rows.is_empty() {
                        out.push(view(&super::current(tx, code, false)?, None));
                    }
                    for row in rows {
                        out.push(view(
                            &row.rubric()?,
                            Some((row.created_at, row.created_by.is_some())),
                        ));
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(Json(RubricVersionList { items }))
    }

    /// 评分标准的某一版本 / One version of a rubric
    #[oai(path = "/:code/versions/:version", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        code: Path<String>,
        version: Path<i32>,
    ) -> AppResult<Json<RubricView>> {
        let call = Call::new(&self.state, auth)?;
        let code = known(&code.0)?;
        let v = call
            .read(move |tx, _: &Principal| {
                if let Some(row) = super::get(tx, &code, version.0)? {
                    return Ok(view(
                        &row.rubric()?,
                        Some((row.created_at, row.created_by.is_some())),
                    ));
                }
                // The seeded version 1 before the county first used it.
                let r = super::current(tx, &code, false)?;
                if version.0 == 1 && super::versions(tx, &code)?.is_empty() {
                    return Ok(view(&r, None));
                }
                Err(AppError::not_found().into())
            })
            .await?;
        Ok(Json(v))
    }

    /// 修订评分标准 / Add a version of a rubric (the county admin)
    ///
    /// The whole rubric: categories with their maxima and rules (0 < min ≤ max ≤ the
    /// category's maximum, at most one decimal), outright conditions, and bands from the
    /// highest down to one starting at 0. Evaluations already started keep their version.
    #[oai(path = "/:code/versions", method = "post")]
    async fn add(
        &self,
        auth: Auth,
        code: Path<String>,
        body: JsonBody<RubricVersionRequest>,
    ) -> AppResult<RubricCreated> {
        let call = Call::new(&self.state, auth)?;
        if call.who().role != Role::CountyAdmin {
            return Err(AppError::forbidden_as(
                "county_admin_only",
                "评分标准只能由县级管理员修订",
                "Only the county admin changes a rubric",
            ));
        }
        let code = known(&code.0)?;
        let rubric = input::to_rubric(&code, &body.0)?;
        let v = call
            .write(move |tx, who: &Principal| {
                let row = super::add_version(tx, rubric, &who.user_id)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "rubric.version",
                    "rubric",
                    &format!("{}/{}", row.code, row.version),
                    None,
                    serde_json::json!({ "code": row.code, "version": row.version }),
                )?;
                Ok(view(&row.rubric()?, Some((row.created_at, true))))
            })
            .await?;
        let loc = format!(
            "/api/v1/evaluations/rubrics/{}/versions/{}",
            v.code, v.version
        );
        Ok(RubricCreated::Created(Json(v), loc))
    }
}
