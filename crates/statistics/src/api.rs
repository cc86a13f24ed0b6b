//! /api/v1/statistics: a county's half-year snapshots. The county admin computes a period
//! after its cut-off, reviews it and freezes it (which meets the `statistics_cutoff` deadline
//! and publishes it to the province); a correction after freezing is the next revision, with
//! its reason. The association committee reads them too. Counts only: no person is named.

use chrono::NaiveDateTime;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::{DbResult, TenantTx};
use crate::deadlines::{self, ObligationKind};
use crate::documents::{HtmlDocument, XlsxDocument};
use crate::error::{AppError, AppResult};
use crate::http_api::{JsonBody, etag, if_match};
use crate::model::{Figures, HalfYear, SnapshotState};
use crate::repo::{self, SnapshotRow};
use crate::rules::{self, Compute, DiffTable, Refused};
use crate::workflows::handler::Call;

#[derive(Tags)]
enum ApiTags {
    /// 统计：半年统计快照 / Statistics: half-year snapshots
    Statistics,
}

pub struct StatisticsApi {
    pub state: AppState,
}

/// One revision of a period's snapshot.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "StatRevision")]
pub struct RevisionView {
    pub revision: i32,
    pub state: SnapshotState,
    pub state_label: String,
    /// Why this revision exists (from revision 2 on).
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    pub computed_at: NaiveDateTime,
    #[oai(skip_serializing_if_is_none)]
    pub reviewed_at: Option<NaiveDateTime>,
    #[oai(skip_serializing_if_is_none)]
    pub frozen_at: Option<NaiveDateTime>,
    pub version: i64,
}

impl From<&SnapshotRow> for RevisionView {
    fn from(r: &SnapshotRow) -> Self {
        Self {
            revision: r.revision,
            state: r.state(),
            state_label: r.state().label_zh().to_owned(),
            reason: r.reason.clone(),
            computed_at: r.computed_at,
            reviewed_at: r.reviewed_at,
            frozen_at: r.frozen_at,
            version: r.version,
        }
    }
}

/// A period and where its snapshot stands.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "StatPeriod")]
pub struct PeriodView {
    /// e.g. 2026H1
    pub period: String,
    pub label: String,
    pub cutoff: chrono::NaiveDate,
    /// Whether the cut-off has passed (only then may it be computed).
    pub over: bool,
    /// Newest first.
    pub revisions: Vec<RevisionView>,
}

/// A revision with its figures.
#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "StatSnapshot")]
pub struct SnapshotView {
    pub period: String,
    pub label: String,
    pub current: RevisionView,
    /// Every revision of the period, newest first.
    pub revisions: Vec<RevisionView>,
    pub figures: Figures,
}

#[derive(Debug, Clone, Object, Deserialize, Serialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
#[oai(rename = "StatComputeRequest")]
pub struct ComputeRequest {
    /// Required once the period is frozen: why a new revision (1–500 characters).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Object, Serialize, Deserialize)]
#[oai(rename = "StatDiff")]
pub struct DiffView {
    pub from: String,
    pub from_revision: i32,
    pub to: String,
    pub to_revision: i32,
    pub tables: Vec<DiffTable>,
}

#[derive(ApiResponse)]
pub enum SnapshotResponse {
    #[oai(status = 200)]
    Ok(Json<SnapshotView>, #[oai(header = "ETag")] String),
    #[oai(status = 201)]
    Created(Json<SnapshotView>, #[oai(header = "ETag")] String),
}

fn readers_only(who: &Principal) -> AppResult<()> {
    if matches!(who.role, Role::CountyAdmin | Role::AssociationCommittee) {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "statistics_readers_only",
            "半年统计由县级管理员和协会党委查看",
            "The county admin and the association committee read the statistics",
        ))
    }
}

fn admins_only(who: &Principal) -> AppResult<()> {
    if who.role == Role::CountyAdmin {
        Ok(())
    } else {
        Err(AppError::forbidden_as(
            "statistics_admins_only",
            "半年统计由县级管理员生成、审核和冻结",
            "The county admin computes, reviews and freezes the statistics",
        ))
    }
}

fn refused(r: Refused) -> AppError {
    AppError::conflict(r.code, r.zh, r.en)
}

/// The periods a county sees: the current half and the six before it.
fn periods(today: chrono::NaiveDate) -> Vec<HalfYear> {
    let mut h = HalfYear::of(today);
    let mut out = Vec::new();
    for _ in 0..7 {
        out.push(h);
        h = h.previous();
    }
    out
}

fn view(rows: &[SnapshotRow], current: &SnapshotRow, half: HalfYear) -> DbResult<SnapshotView> {
    Ok(SnapshotView {
        period: half.to_string(),
        label: half.label_zh(),
        current: current.into(),
        revisions: rows.iter().map(RevisionView::from).collect(),
        figures: current.figures()?,
    })
}

/// A period's revision: the one asked for, else the newest; 404 when there is none.
fn snapshot_of(
    tx: &mut TenantTx<'_>,
    half: HalfYear,
    revision: Option<i32>,
) -> DbResult<SnapshotView> {
    let rows = repo::revisions(tx, half)?;
    let current = match revision {
        Some(n) => rows.iter().find(|r| r.revision == n),
        None => rows.first(),
    }
    .ok_or_else(AppError::not_found)?;
    view(&rows, current, half)
}

/// The revision a diff or the province uses: the newest frozen one, else the newest.
fn settled(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Option<SnapshotRow>> {
    let rows = repo::revisions(tx, half)?;
    Ok(rows
        .iter()
        .find(|r| r.state() == SnapshotState::Frozen)
        .or(rows.first())
        .cloned())
}

fn check_reason(reason: Option<&str>) -> AppResult<Option<String>> {
    let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if r.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "too_long",
            "reason：修订原因最多500个字",
            "reason: at most 500 characters",
        ));
    }
    Ok(Some(r.to_owned()))
}

/// The province whose office reads this county: its first two digits.
pub(crate) fn province_of(county_code: &str) -> Option<String> {
    county_code
        .get(..2)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .map(|p| format!("{p}0000"))
}

#[OpenApi(prefix_path = "/statistics", tag = "ApiTags::Statistics")]
impl StatisticsApi {
    /// 统计期 / The county's half-year periods and where each snapshot stands
    #[oai(path = "/periods", method = "get")]
    async fn periods(&self, auth: Auth) -> AppResult<Json<Vec<PeriodView>>> {
        let call = Call::new(&self.state, auth)?;
        readers_only(call.who())?;
        let today = crate::clock::today();
        let v = call
            .read(move |tx, _: &Principal| {
                let rows = repo::all(tx)?;
                Ok(periods(today)
                    .into_iter()
                    .map(|h| PeriodView {
                        period: h.to_string(),
                        label: h.label_zh(),
                        cutoff: h.cutoff(),
                        over: today > h.cutoff(),
                        revisions: rows
                            .iter()
                            .filter(|r| r.period == h.to_string())
                            .map(RevisionView::from)
                            .collect(),
                    })
                    .collect())
            })
            .await?;
        Ok(Json(v))
    }

    /// 生成统计 / Compute a period's snapshot (the county admin), after its cut-off
    ///
    /// The first computation is revision 1; an open revision is computed again (its review is
    /// cleared); once frozen, a new revision needs `reason`. 409 `period_not_over`,
    /// `revision_needs_reason`.
    #[oai(path = "/periods/:period/compute", method = "post")]
    async fn compute(
        &self,
        auth: Auth,
        period: Path<String>,
        body: JsonBody<ComputeRequest>,
    ) -> AppResult<SnapshotResponse> {
        let call = Call::new(&self.state, auth)?;
        admins_only(call.who())?;
        let half = HalfYear::parse("period", &period.0)?;
        let reason = check_reason(body.0.reason.as_deref())?;
        let today = crate::clock::today();
        let (v, created) = call
            .write(move |tx, who: &Principal| {
                let rows = repo::revisions(tx, half)?;
                let latest = rows.first().map(|r| (r.state(), r.revision));
                let step =
                    rules::compute(half, today, latest, reason.as_deref()).map_err(refused)?;
                let figures = crate::figures::compute(tx, half)?;
                let json = serde_json::to_string(&figures).map_err(AppError::internal)?;
                let revision = match (step, rows.first()) {
                    (Compute::Again, Some(open)) => {
                        repo::recompute(tx, open, &json, &who.user_id)?;
                        open.revision
                    }
                    (Compute::New(n), _) => {
                        repo::insert(tx, half, n, &json, reason.as_deref(), &who.user_id)?;
                        n
                    }
                    (Compute::Again, None) => return Err(AppError::not_found().into()),
                };
                audit::record(
                    tx,
                    &Actor::of(who),
                    "statistics.compute",
                    "stat_snapshot",
                    &half.to_string(),
                    reason.as_deref(),
                    serde_json::json!({ "period": half.to_string(), "revision": revision }),
                )?;
                Ok((
                    snapshot_of(tx, half, Some(revision))?,
                    step != Compute::Again,
                ))
            })
            .await?;
        let tag = etag(v.current.version);
        Ok(if created {
            SnapshotResponse::Created(Json(v), tag)
        } else {
            SnapshotResponse::Ok(Json(v), tag)
        })
    }

    /// 统计快照 / A period's snapshot: the newest revision, or `revision`
    #[oai(path = "/periods/:period", method = "get")]
    async fn get(
        &self,
        auth: Auth,
        period: Path<String>,
        revision: Query<Option<i32>>,
    ) -> AppResult<SnapshotResponse> {
        let call = Call::new(&self.state, auth)?;
        readers_only(call.who())?;
        let half = HalfYear::parse("period", &period.0)?;
        let v = call
            .read(move |tx, _: &Principal| snapshot_of(tx, half, revision.0))
            .await?;
        let tag = etag(v.current.version);
        Ok(SnapshotResponse::Ok(Json(v), tag))
    }

    /// 审核 / Review the newest revision (the county admin; If-Match)
    #[oai(path = "/periods/:period/review", method = "post")]
    async fn review(
        &self,
        auth: Auth,
        period: Path<String>,
        #[oai(name = "If-Match")] if_match_h: Header<Option<String>>,
    ) -> AppResult<SnapshotResponse> {
        self.advance(
            auth,
            &period.0,
            if_match_h.0.as_deref(),
            SnapshotState::Reviewed,
        )
        .await
    }

    /// 冻结 / Freeze the reviewed revision (the county admin; If-Match)
    ///
    /// Meets the period's `statistics_cutoff` deadline and publishes the figures to the
    /// provincial office. A frozen revision never changes.
    #[oai(path = "/periods/:period/freeze", method = "post")]
    async fn freeze(
        &self,
        auth: Auth,
        period: Path<String>,
        #[oai(name = "If-Match")] if_match_h: Header<Option<String>>,
    ) -> AppResult<SnapshotResponse> {
        self.advance(
            auth,
            &period.0,
            if_match_h.0.as_deref(),
            SnapshotState::Frozen,
        )
        .await
    }

    /// 两期对比 / The difference between two periods (each its frozen revision, else its newest)
    #[oai(path = "/diff", method = "get")]
    async fn diff(
        &self,
        auth: Auth,
        from: Query<String>,
        to: Query<String>,
    ) -> AppResult<Json<DiffView>> {
        let call = Call::new(&self.state, auth)?;
        readers_only(call.who())?;
        let from = HalfYear::parse("from", &from.0)?;
        let to = HalfYear::parse("to", &to.0)?;
        let v = call
            .read(move |tx, _: &Principal| {
                let (Some(a), Some(b)) = (settled(tx, from)?, settled(tx, to)?) else {
                    return Err(AppError::conflict(
                        "snapshot_missing",
                        "两期中有一期尚未生成统计",
                        "One of the two periods has no snapshot yet",
                    )
                    .into());
                };
                Ok(DiffView {
                    from: from.to_string(),
                    from_revision: a.revision,
                    to: to.to_string(),
                    to_revision: b.revision,
                    tables: rules::diff(&a.figures()?, &b.figures()?),
                })
            })
            .await?;
        Ok(Json(v))
    }

    /// 统计表（打印） / A period's 统计表 as print-ready HTML
    #[oai(path = "/periods/:period/report.html", method = "get")]
    async fn report_html(
        &self,
        auth: Auth,
        period: Path<String>,
        revision: Query<Option<i32>>,
    ) -> AppResult<HtmlDocument> {
        Ok(self
            .document(auth, &period.0, revision.0)
            .await?
            .html_response())
    }

    /// 统计表（xlsx） / A period's 统计表 as xlsx
    #[oai(path = "/periods/:period/report.xlsx", method = "get")]
    async fn report_xlsx(
        &self,
        auth: Auth,
        period: Path<String>,
        revision: Query<Option<i32>>,
    ) -> AppResult<XlsxDocument> {
        self.document(auth, &period.0, revision.0)
            .await?
            .xlsx_response()
    }
}

impl StatisticsApi {
    async fn advance(
        &self,
        auth: Auth,
        period: &str,
        header: Option<&str>,
        to: SnapshotState,
    ) -> AppResult<SnapshotResponse> {
        let call = Call::new(&self.state, auth)?;
        admins_only(call.who())?;
        let county = call.who().tenant_code.clone();
        let half = HalfYear::parse("period", period)?;
        let expected = if_match(header)?;
        let today = crate::clock::today();
        let v = call
            .write(move |tx, who: &Principal| {
                let rows = repo::revisions(tx, half)?;
                let latest = rows.first().ok_or_else(AppError::not_found)?;
                rules::advance(latest.state(), to).map_err(refused)?;
                repo::advance(tx, latest, expected, to, &who.user_id)?;
                if to == SnapshotState::Frozen {
                    // The deadline is owed by the association committee (the daily job opens
                    // it there).
                    for committee in crate::evaluations::vanguard::api::committees(tx)? {
                        deadlines::close_on(
                            tx,
                            ObligationKind::StatisticsCutoff,
                            &committee,
                            half.period(),
                            &who.user_id,
                            today,
                        )?;
                    }
                }
                audit::record(
                    tx,
                    &Actor::of(who),
                    if to == SnapshotState::Frozen {
                        "statistics.freeze"
                    } else {
                        "statistics.review"
                    },
                    "stat_snapshot",
                    &half.to_string(),
                    None,
                    serde_json::json!({ "period": half.to_string(), "revision": latest.revision }),
                )?;
                snapshot_of(tx, half, Some(latest.revision))
            })
            .await?;
        if to == SnapshotState::Frozen
            && let Some(p) = county.as_deref().and_then(province_of)
        {
            crate::province::published(&self.state, &p).await;
        }
        let tag = etag(v.current.version);
        Ok(SnapshotResponse::Ok(Json(v), tag))
    }

    async fn document(
        &self,
        auth: Auth,
        period: &str,
        revision: Option<i32>,
    ) -> AppResult<crate::documents::Document> {
        let call = Call::new(&self.state, auth)?;
        readers_only(call.who())?;
        let half = HalfYear::parse("period", period)?;
        call.read(move |tx, who: &Principal| {
            let v = snapshot_of(tx, half, revision)?;
            let county = crate::workflows::filing::api::county_name(tx)?;
            let by = crate::users::repo::get(tx, &who.user_id)?
                .map(|u| u.display_name)
                .unwrap_or_default();
            Ok(crate::print::report(
                &v,
                &county,
                &by,
                crate::clock::today(),
            ))
        })
        .await
    }
}
