//! POST /api/v1/evaluations/coverage/{id}/surveys/import: the 调查摸底表 through the spreadsheet
//! flow every import uses (upload, detected layout, saved mapping, a dry run listing every bad
//! cell, then a commit of all rows or none), each row checked by the same rules as a survey
//! typed in (`input::survey`).

use std::collections::HashMap;

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{OpenApi, Tags};

use super::api::campaign_of;
use super::input::{self, SurveyRequest};
use super::model::{OrgSetup, OwnerIdentity};
use super::orgs_api::values;
use super::repo::{self, SurveyRow, SurveyValues};
use crate::AppState;
use crate::api::body::UploadBody;
use crate::api::path_id;
use crate::audit;
use crate::auth::Auth;
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult};
use crate::onboarding::api::import_sheet;
use crate::onboarding::columns::Sheet;
use crate::onboarding::report::{ImportReport, Outcome};
use crate::onboarding::survey_sheet::{self, SurveyRow as SheetRow};

#[derive(Tags)]
enum ApiTags {
    /// 考评：百日攻坚 / Evaluations: the coverage campaign
    Coverage,
}

pub struct CoverageImportApi {
    pub state: AppState,
}

/// A survey to write: the business, the survey read (with the version it had), the values.
type Write = (String, Option<(SurveyRow, i64)>, SurveyValues);

fn request(r: &SheetRow) -> SurveyRequest {
    SurveyRequest {
        employees: r.employees,
        party_full: r.party_full,
        party_probationary: r.party_probationary,
        league_members: r.league_members,
        party_org: OrgSetup::parse(r.party_org).unwrap_or(OrgSetup::None),
        league_org: OrgSetup::parse(r.league_org).unwrap_or(OrgSetup::None),
        instructor: r.instructor,
        owner_identity: OwnerIdentity::parse(r.owner_identity).unwrap_or(OwnerIdentity::Masses),
        management: r.management.clone(),
        activities: r.activities,
        venue: r.venue,
        surveyed_on: r.surveyed_on,
    }
}

/// The stored values of a survey, but its surveyor: what a re-import compares.
fn same(old: &SurveyRow, v: &SurveyValues) -> bool {
    (
        old.employees,
        old.party_full,
        old.party_probationary,
        old.league_members,
        &old.party_org,
        &old.league_org,
        old.instructor,
        &old.owner_identity,
        &old.management,
        old.activities,
        old.venue,
        old.surveyed_on,
    ) == (
        v.employees,
        v.party_full,
        v.party_probationary,
        v.league_members,
        &v.party_org,
        &v.league_org,
        v.instructor,
        &v.owner_identity,
        &v.management,
        v.activities,
        v.venue,
        v.surveyed_on,
    )
}

#[OpenApi(prefix_path = "/evaluations/coverage", tag = "ApiTags::Coverage")]
impl CoverageImportApi {
    /// 导入调查摸底表 / Import survey rows (attachment 1) from xlsx or CSV (county admin)
    ///
    /// Columns: 统一社会信用代码 (else 单位名称, unique in the register), 员工人数, 正式党员人数,
    /// 预备党员人数, 团员人数, 党组织设置 and 团组织设置 (未建立 / 单独组建 / 联合组建 / 挂靠组建 /
    /// 行业组建), 党建指导员 (是/否), 业主身份 (党员 / 团员 / 群众), 管理关系, 开展活动 (是/否),
    /// 活动场地 (有/无), 摸底日期. Each row is checked as a survey typed in; `dry_run=true` (the
    /// default) writes nothing; `dry_run=false` writes every row or, if any is rejected, none
    /// (422 `import_rejected`) unless `skip_invalid=true`. Importing the same file again changes
    /// nothing; a changed row replaces the organisation's survey.
    #[oai(path = "/:id/surveys/import", method = "post")]
    async fn import(
        &self,
        auth: Auth,
        id: Path<String>,
        dry_run: Query<Option<bool>>,
        /// A saved mapping of this county's headers (`/import-mappings`).
        mapping: Query<Option<String>>,
        skip_invalid: Query<Option<bool>>,
        file: UploadBody,
    ) -> AppResult<Json<ImportReport>> {
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        let query = (dry_run.0, mapping.0, skip_invalid.0);
        import_sheet(
            &self.state,
            auth,
            Sheet::CoverageSurvey,
            query,
            file,
            move |tx, _keys, up| {
                let c = campaign_of(tx, &id)?;
                if today < c.starts_on || today > c.ends_on() {
                    return Err(AppError::conflict(
                        "campaign_not_running",
                        "行动未开始或已结束，不能导入调查摸底表",
                        "The campaign is not running: surveys are closed",
                    )
                    .into());
                }
                let mut sheet = survey_sheet::read(tx, &up.table, &up.mapping)?;
                let existing: HashMap<String, SurveyRow> = repo::surveys(tx, &c.id)?
                    .into_iter()
                    .map(|s| (s.business_id.clone(), s))
                    .collect();
                let who = up.actor.id.clone();
                let mut writes: Vec<Write> = Vec::new();
                let mut unchanged = 0;
                for row in &sheet.read {
                    let s = match input::survey(&request(row), c.starts_on, today) {
                        Ok(s) => s,
                        Err(errs) => {
                            for e in &errs {
                                sheet.errors.push(survey_sheet::field_error(row.row, e));
                            }
                            continue;
                        }
                    };
                    let v = values(&s, &who);
                    match existing.get(&row.business_id) {
                        Some(old) if same(old, &v) => unchanged += 1,
                        Some(old) => writes.push((row.business_id.clone(), Some((old.clone(), old.version)), v)),
                        None => writes.push((row.business_id.clone(), None, v)),
                    }
                }
                let created = writes.iter().filter(|w| w.1.is_none()).count();
                let none = Default::default();
                let outcome = Outcome {
                    rows: sheet.rows,
                    created,
                    updated: writes.len() - created,
                    unchanged,
                    errors: &sheet.errors,
                    fixes: &sheet.fixes,
                    unknown: &none,
                    suggestions: &Default::default(),
                };
                let report = outcome.report(up.dry_run, &up.layout, &up.table);
                outcome.settle(report, up.dry_run, up.skip_invalid, || {
                    let import_id = uuid::Uuid::now_v7().to_string();
                    for (business, old, v) in &writes {
                        let old = old.as_ref().map(|(r, n)| (r, *n));
                        repo::save_survey(tx, &c.id, business, old, v)?;
                    }
                    audit::record(
                        tx,
                        &up.actor,
                        "coverage.survey_import",
                        "coverage_campaign",
                        &c.id,
                        None,
                        serde_json::json!({ "import_id": import_id, "sha256": up.sha, "written": writes.len() }),
                    )?;
                    Ok(import_id)
                })
            },
        )
        .await
    }
}
