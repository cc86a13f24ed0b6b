//! /api/v1/evaluations/coverage: the 百日攻坚 campaign, its 15-day cycles and their reports.
//!
//! Every county staff role reads the campaign and its reports: counts per township and branch,
//! the 通报 every unit receives; no person is named. The association committee and the county
//! admin start a campaign and issue each cycle's report, which meets that cycle's deadline.

use chrono::{Days, NaiveDate};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use super::figures::{Data, Figures};
use super::model::{self, DAYS_MAX, DEFAULT_DAYS};
use super::repo::{self, CampaignRow, NewCampaign, ReportRow};
use super::view::{self, CampaignList, CampaignView, ReportArgs, ReportView};
use crate::AppState;
use crate::api::{JsonBody, etag, path_id};
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::model::Rule;
use crate::deadlines::{self, NewObligation, ObligationKind, Period};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::error::{AppError, AppResult, FieldError};
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 考评：百日攻坚 / Evaluations: the coverage campaign
    Coverage,
}

pub struct CoverageApi {
    pub state: AppState,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
#[oai(rename = "CoverageCampaignRequest")]
pub struct CampaignRequest {
    /// 1–100 characters, e.g. 小微企业个体工商户专业市场党团组织覆盖“百日攻坚”行动.
    pub title: String,
    /// Day 1. From a year ago to 90 days ahead.
    pub starts_on: NaiveDate,
    /// The campaign's length in days (15–366, default 100). The reporting cycle is the county's
    /// rule for `coverage_report` (15 days unless the county set another).
    pub days: Option<u32>,
}

#[derive(ApiResponse)]
pub enum CampaignResponse {
    #[oai(status = 200)]
    Ok(Json<CampaignView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(Json<CampaignView>, #[oai(header = "ETag")] String),
}

pub(super) fn organisers_only(who: &Principal) -> AppResult<()> {
    if matches!(who.role, Role::AssociationCommittee | Role::CountyAdmin) {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "campaign_organisers_only",
            "百日攻坚行动由协会党委或县级管理员组织和通报",
            "The association committee or the county admin runs the campaign",
        ))
    }
}

/// The campaign with this id in the caller's county, or 404.
pub(super) fn campaign_of(tx: &mut TenantTx<'_>, id: &str) -> DbResult<CampaignRow> {
    repo::campaign(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

fn subject(c: &CampaignRow, cycle: u32) -> String {
    format!("{}:{cycle}", c.id)
}

/// Opens the campaign's report deadlines: one per cycle, due on its last day, owed by the
/// campaign's owner (the association committee).
pub(super) fn open_cycles(tx: &mut TenantTx<'_>, c: &CampaignRow) -> DbResult<()> {
    for (n, ends_on) in c.cycles() {
        let day = model::day_of(c.starts_on, ends_on);
        deadlines::repo::open(
            tx,
            NewObligation {
                kind: ObligationKind::CoverageReport,
                period: Period::Anchored,
                subject_type: "coverage_cycle",
                subject_id: &subject(c, n),
                owner_org_unit_id: &c.owner_unit_id,
                member_id: None,
                title: format!("百日攻坚第{n}轮进展通报（第{day}天）"),
                due_on: ends_on,
            },
        )?;
    }
    Ok(())
}

/// Issues a cycle's report on `on`: its figures frozen as they stood on its last day, and its
/// deadline met that day.
pub(super) fn issue_cycle(
    tx: &mut TenantTx<'_>,
    c: &CampaignRow,
    data: &Data,
    (n, ends_on): (u32, NaiveDate),
    by: &str,
    on: NaiveDate,
) -> DbResult<()> {
    let figures = data.on(ends_on).figures();
    let json = serde_json::to_string(&figures).map_err(AppError::internal)?;
    repo::insert_report(tx, &c.id, n, ends_on, &json, by, on)?;
    deadlines::close_on(
        tx,
        ObligationKind::CoverageReport,
        &subject(c, n),
        Period::Anchored,
        by,
        on,
    )?;
    Ok(())
}

pub(super) fn campaign_view(
    tx: &mut TenantTx<'_>,
    c: &CampaignRow,
    data: Option<&Data>,
) -> DbResult<CampaignView> {
    let today = crate::clock::today();
    let issued = repo::reports(tx, &c.id)?;
    let owned;
    let data = match data {
        Some(d) => d,
        None => {
            owned = Data::load(tx, &c.id)?;
            &owned
        }
    };
    let county = data.on(today.min(c.ends_on())).figures().county;
    Ok(CampaignView {
        id: c.id.clone(),
        title: c.title.clone(),
        starts_on: c.starts_on,
        ends_on: c.ends_on(),
        days: u32::try_from(c.days).unwrap_or(0),
        cycle_days: u32::try_from(c.cycle_days).unwrap_or(0),
        day: model::day_of(c.starts_on, today),
        current_cycle: model::current_cycle(
            c.starts_on,
            u32::try_from(c.days).unwrap_or(1),
            u32::try_from(c.cycle_days).unwrap_or(1),
            today,
        ),
        owner_unit_name: data.places.name(&c.owner_unit_id),
        cycles: view::cycles(c, &issued, today),
        county: (&county).into(),
        version: c.version,
    })
}

fn stored(r: &ReportRow) -> DbResult<Figures> {
    serde_json::from_str(&r.figures)
        .map_err(|e| AppError::internal(anyhow::anyhow!("stored coverage report: {e}")).into())
}

/// A cycle's report: as issued, or live as of its last day (today if earlier), compared with the
/// last report issued before it.
pub(super) fn report_of(
    tx: &mut TenantTx<'_>,
    c: &CampaignRow,
    cycle: u32,
) -> DbResult<ReportView> {
    let Some((_, ends_on)) = c.cycles().into_iter().find(|(n, _)| *n == cycle) else {
        return Err(AppError::not_found().into());
    };
    let issued = repo::reports(tx, &c.id)?;
    let n = i32::try_from(cycle).unwrap_or(0);
    let previous = issued
        .iter()
        .filter(|r| r.cycle < n)
        .max_by_key(|r| r.cycle)
        .map(|r| Ok::<_, crate::error::DbError>((u32::try_from(r.cycle).unwrap_or(0), stored(r)?)))
        .transpose()?;
    let (figures, issued_on) = match issued.iter().find(|r| r.cycle == n) {
        Some(r) => (stored(r)?, Some(r.issued_on)),
        None => {
            let as_of = ends_on.min(crate::clock::today());
            (Data::load(tx, &c.id)?.on(as_of).figures(), None)
        }
    };
    Ok(view::report(&ReportArgs {
        campaign: c,
        cycle,
        figures: &figures,
        issued_on,
        previous: previous.as_ref().map(|(n, f)| (*n, f)),
    }))
}

fn check_request(b: &CampaignRequest, today: NaiveDate) -> AppResult<(String, u32)> {
    let mut errs = Vec::new();
    let title = b.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 100 {
        errs.push(FieldError::new(
            "title",
            "invalid_length",
            "title：名称为1到100个字",
            "title: 1 to 100 characters",
        ));
    }
    let earliest = today.checked_sub_days(Days::new(366)).unwrap_or(today);
    let latest = today.checked_add_days(Days::new(90)).unwrap_or(today);
    if !(earliest..=latest).contains(&b.starts_on) {
        errs.push(FieldError::new(
            "starts_on",
            "out_of_range",
            "starts_on：开始日期应在一年前到90天后之间",
            "starts_on: from a year ago to 90 days ahead",
        ));
    }
    let days = b.days.unwrap_or(DEFAULT_DAYS);
    if !(15..=DAYS_MAX).contains(&days) {
        errs.push(FieldError::new(
            "days",
            "out_of_range",
            format!("days：行动天数应为15到{DAYS_MAX}天"),
            format!("days: 15 to {DAYS_MAX}"),
        ));
    }
    if errs.is_empty() {
        Ok((title, days))
    } else {
        Err(AppError::validation(errs))
    }
}

#[OpenApi(prefix_path = "/evaluations/coverage", tag = "ApiTags::Coverage")]
impl CoverageApi {
    /// 百日攻坚行动 / The county's coverage campaigns, newest first, with today's figures
    #[oai(path = "/", method = "get")]
    async fn list(&self, auth: Auth) -> AppResult<Json<CampaignList>> {
        let call = Call::new(&self.state, auth)?;
        let items = call
            .read(move |tx, _: &Principal| {
                let mut out = Vec::new();
                for c in repo::campaigns(tx)?.into_iter().take(20) {
                    out.push(campaign_view(tx, &c, None)?);
                }
                Ok(out)
            })
            .await?;
        Ok(Json(CampaignList { items }))
    }

    /// 启动百日攻坚 / Start a campaign (the committee, the county admin)
    ///
    /// Opens one `coverage_report` deadline per cycle, owed by the association committee: days
    /// 15, 30, … and the last day. Campaigns of a county may not overlap (409
    /// `campaign_overlaps`).
    #[oai(path = "/", method = "post")]
    async fn start(
        &self,
        auth: Auth,
        body: JsonBody<CampaignRequest>,
    ) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        organisers_only(call.who())?;
        let today = crate::clock::today();
        let (title, days) = check_request(&body.0, today)?;
        let starts_on = body.0.starts_on;
        let v = call
            .write(move |tx, who: &Principal| {
                let cycle = match deadlines::repo::rules(tx)?.rule(ObligationKind::CoverageReport) {
                    Rule::DaysAfter(n) => n,
                    _ => 15,
                };
                let end = model::cycles(starts_on, days, cycle)
                    .last()
                    .map_or(starts_on, |c| c.1);
                if repo::campaigns(tx)?
                    .iter()
                    .any(|c| c.starts_on <= end && starts_on <= c.ends_on())
                {
                    return Err(AppError::conflict(
                        "campaign_overlaps",
                        "与本县已有的百日攻坚行动时间重叠",
                        "Overlaps another campaign of the county",
                    )
                    .into());
                }
                let owner = crate::vanguard::api::committees(tx)?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        AppError::conflict(
                            "no_committee_unit",
                            "本县组织架构中没有协会党委，无法落实通报责任",
                            "The county has no association committee unit to own the reports",
                        )
                    })?;
                let c = repo::insert_campaign(
                    tx,
                    &NewCampaign {
                        title: &title,
                        starts_on,
                        days: i32::try_from(days).unwrap_or(100),
                        cycle_days: i32::try_from(cycle).unwrap_or(15),
                        owner_unit_id: &owner,
                        by: &who.user_id,
                    },
                )?;
                open_cycles(tx, &c)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "coverage.start",
                    "coverage_campaign",
                    &c.id,
                    None,
                    serde_json::json!({ "starts_on": c.starts_on, "days": c.days, "cycle_days": c.cycle_days }),
                )?;
                campaign_view(tx, &c, None)
            })
            .await?;
        let tag = etag(v.version);
        Ok(CampaignResponse::Created(Json(v), tag))
    }

    /// 行动进展 / A campaign, its cycles and today's figures
    #[oai(path = "/:id", method = "get")]
    async fn get(&self, auth: Auth, id: Path<String>) -> AppResult<CampaignResponse> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let v = call
            .read(move |tx, _: &Principal| {
                let c = campaign_of(tx, &id)?;
                campaign_view(tx, &c, None)
            })
            .await?;
        let tag = etag(v.version);
        Ok(CampaignResponse::Ok(Json(v), tag))
    }

    /// 进展通报 / A cycle's report: coverage per township and branch, ranked, with the laggards
    ///
    /// As issued once issued; before that, live as of the cycle's last day (or today).
    #[oai(path = "/:id/cycles/:cycle", method = "get")]
    async fn cycle(
        &self,
        auth: Auth,
        id: Path<String>,
        cycle: Path<u32>,
    ) -> AppResult<Json<ReportView>> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(&id.0)?;
        let v = call
            .read(move |tx, _: &Principal| {
                let c = campaign_of(tx, &id)?;
                report_of(tx, &c, cycle.0)
            })
            .await?;
        Ok(Json(v))
    }

    /// 发布进展通报 / Issue a cycle's report (the committee, the county admin)
    ///
    /// From the cycle's last day on (409 `cycle_not_over` before); once (409
    /// `cycle_already_issued`). The figures are frozen as they stood on that day and the
    /// cycle's deadline is met.
    #[oai(path = "/:id/cycles/:cycle/issue", method = "post")]
    async fn issue(
        &self,
        auth: Auth,
        id: Path<String>,
        cycle: Path<u32>,
    ) -> AppResult<Json<ReportView>> {
        let call = Call::new(&self.state, auth)?;
        organisers_only(call.who())?;
        let id = path_id(&id.0)?;
        let today = crate::clock::today();
        let n = cycle.0;
        let v = call
            .write(move |tx, who: &Principal| {
                let c = campaign_of(tx, &id)?;
                let Some((_, ends_on)) = c.cycles().into_iter().find(|(k, _)| *k == n) else {
                    return Err(AppError::not_found().into());
                };
                if today < ends_on {
                    return Err(AppError::conflict(
                        "cycle_not_over",
                        "本轮尚未结束，到本轮最后一天才能发布进展通报",
                        "The cycle is not over: issue its report from its last day",
                    )
                    .into());
                }
                let data = Data::load(tx, &c.id)?;
                issue_cycle(tx, &c, &data, (n, ends_on), &who.user_id, today)?;
                audit::record(
                    tx,
                    &Actor::of(who),
                    "coverage.issue",
                    "coverage_campaign",
                    &c.id,
                    None,
                    serde_json::json!({ "cycle": n, "as_of": ends_on }),
                )?;
                report_of(tx, &c, n)
            })
            .await?;
        Ok(Json(v))
    }

    /// 行动报表（打印） / A cycle's report (attachment 2) as print-ready HTML
    #[oai(path = "/:id/cycles/:cycle/report.html", method = "get")]
    async fn report_html(
        &self,
        auth: Auth,
        id: Path<String>,
        cycle: Path<u32>,
    ) -> AppResult<HtmlDocument> {
        Ok(self.document(auth, &id.0, cycle.0).await?.html_response())
    }

    /// 行动报表（xlsx） / A cycle's report as xlsx
    #[oai(path = "/:id/cycles/:cycle/report.xlsx", method = "get")]
    async fn report_xlsx(
        &self,
        auth: Auth,
        id: Path<String>,
        cycle: Path<u32>,
    ) -> AppResult<XlsxDocument> {
        self.document(auth, &id.0, cycle.0).await?.xlsx_response()
    }
}

impl CoverageApi {
    async fn document(
        &self,
        auth: Auth,
        id: &str,
        cycle: u32,
    ) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        let id = path_id(id)?;
        call.read(move |tx, who: &Principal| {
            let c = campaign_of(tx, &id)?;
            let r = report_of(tx, &c, cycle)?;
            let county = crate::workflows::filing::api::county_name(tx)?;
            let by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok(super::documents::report(
                &c,
                &r,
                &county,
                &by,
                crate::clock::today(),
            ))
        })
        .await
    }
}
