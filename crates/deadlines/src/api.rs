//! The deadline dashboard, the notification outbox, the daily run and marking an obligation
//! done: for any org unit or grid, what is due, done and overdue, and who owns it (the county's
//! rules and holiday calendar: `settings`).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::job;
use super::model::{ObligationKind, Period, State, state};
use super::repo::{self, ObligationRow};
use crate::AppState;
use crate::audit::{self, Actor};
use crate::auth::{Auth, Principal, Role};
use crate::db::schema::{
    grid_townships as gt, grids as g, obligations as o, org_units as ou, outbox as ob,
};
use crate::db::{DbResult, Mode, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, AppResult, FieldError, Gather};
use crate::org::model::subtree_end;
use crate::org::scope::{self, Visibility};
use shuanglian_http::api::{JsonBody, PageRequest, parse_date, path_id};

#[derive(Tags)]
pub(super) enum ApiTags {
    /// 期限与逾期 / Deadlines and overdue obligations
    Deadlines,
}

pub struct DeadlineApi {
    pub state: AppState,
}

/// One obligation as the dashboard shows it.
#[derive(Debug, Clone, Object)]
pub struct ObligationView {
    pub id: String,
    pub kind: ObligationKind,
    /// 中文名称
    pub kind_label: String,
    pub kind_label_en: String,
    pub title: String,
    /// `2026Q3`, `2026H1`, `2026`, or empty for obligations dated from their subject.
    pub period: String,
    pub due_on: NaiveDate,
    /// The due date falls after the last year whose holidays the county's calendar knows: it
    /// may move when the State Council publishes that year's notice (节假日未公布，日期可能调整).
    pub due_beyond_calendar: bool,
    pub state: State,
    /// Days past the due date (overdue items; for items met late, how late they were met).
    #[oai(skip_serializing_if_is_none)]
    pub days_overdue: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub done_at: Option<NaiveDateTime>,
    /// The day the daily job first recorded it overdue.
    #[oai(skip_serializing_if_is_none)]
    pub overdue_since: Option<NaiveDate>,
    pub owner_org_unit_id: String,
    pub owner_name: String,
    pub owner_kind: String,
    pub subject_type: String,
    pub subject_id: String,
    #[oai(skip_serializing_if_is_none)]
    pub member_id: Option<String>,
}

/// Counts per owner and kind.
#[derive(Debug, Clone, Object)]
pub struct OwnerSummary {
    pub owner_org_unit_id: String,
    pub owner_name: String,
    pub kind: ObligationKind,
    pub kind_label: String,
    pub due: i64,
    pub overdue: i64,
    pub done: i64,
}

#[derive(Debug, Clone, Default, Object)]
pub struct Counts {
    pub due: i64,
    pub overdue: i64,
    pub done: i64,
}

#[derive(Debug, Clone, Object)]
pub struct Dashboard {
    /// The day the states are computed for.
    pub as_of: NaiveDate,
    pub summary: Counts,
    /// Per owner and kind, most overdue first: the first `owners` lines (default 50).
    pub by_owner: Vec<OwnerSummary>,
    /// How many (owner, kind) lines there are in all.
    pub by_owner_total: i64,
    pub items: Vec<ObligationView>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum StateFilter {
    Due,
    Overdue,
    Done,
    /// Due and overdue.
    Open,
    All,
}

/// The dashboard's filters, checked.
struct Filter {
    as_of: NaiveDate,
    state: StateFilter,
    kind: Option<ObligationKind>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    org_unit_id: Option<String>,
    grid_id: Option<String>,
    /// How many owner lines to return.
    owners: usize,
}

/// The owners a caller may see with the filters applied: `None` is the whole county.
fn owner_scope(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    f: &Filter,
) -> DbResult<Option<Vec<String>>> {
    let tid = tx.tid().to_owned();
    // Path ranges that bound the owners: the caller's subtree, then the filters inside it.
    let mut ranges: Option<Vec<String>> = match vis {
        Visibility::County => None,
        Visibility::Subtree(p) => Some(vec![p.clone()]),
        Visibility::Nothing => return Ok(Some(vec![])),
    };
    let unit_path = |tx: &mut TenantTx<'_>, id: &str| -> DbResult<Option<String>> {
        Ok(ou::table
            .filter(ou::tenant_id.eq(&tid).and(ou::id.eq(id)))
            .select(ou::path)
            .first::<String>(tx.conn())
            .optional()?)
    };
    let narrow = |ranges: Option<Vec<String>>, wanted: Vec<String>| -> Vec<String> {
        match ranges {
            None => wanted,
            // Keep each wanted subtree that lies inside a visible one (and the visible subtree
            // when a wanted one contains it).
            Some(vis) => {
                let mut out = vec![];
                for w in &wanted {
                    for v in &vis {
                        if w.starts_with(v.as_str()) {
                            out.push(w.clone());
                        } else if v.starts_with(w.as_str()) {
                            out.push(v.clone());
                        }
                    }
                }
                out
            }
        }
    };
    if let Some(id) = &f.org_unit_id {
        let path = unit_path(tx, id)?.ok_or_else(AppError::not_found)?;
        let n = narrow(ranges.clone(), vec![path]);
        if n.is_empty() {
            // A unit outside the caller's scope is as unknown as another county's.
            return Err(AppError::not_found().into());
        }
        ranges = Some(n);
    }
    if let Some(id) = &f.grid_id {
        let grid: Option<(String, Option<String>)> = g::table
            .filter(g::tenant_id.eq(&tid).and(g::id.eq(id)))
            .select((g::aic_office_id, g::party_branch_id))
            .first(tx.conn())
            .optional()?;
        let (aic, branch) = grid.ok_or_else(AppError::not_found)?;
        let townships: Vec<String> = gt::table
            .filter(gt::tenant_id.eq(&tid).and(gt::grid_id.eq(id)))
            .filter(gt::valid_to.is_null())
            .select(gt::township_id)
            .load(tx.conn())?;
        let mut wanted = vec![];
        for unit in std::iter::once(aic).chain(branch).chain(townships) {
            if let Some(p) = unit_path(tx, &unit)? {
                wanted.push(p);
            }
        }
        let n = narrow(ranges.clone(), wanted);
        if n.is_empty() && !matches!(vis, Visibility::County) {
            return Err(AppError::not_found().into());
        }
        ranges = Some(n);
    }
    let Some(ranges) = ranges else {
        return Ok(None);
    };
    let mut ids = vec![];
    for p in ranges {
        let end = subtree_end(&p);
        let mut sub: Vec<String> = ou::table
            .filter(ou::tenant_id.eq(&tid))
            .filter(ou::path.ge(&p).and(ou::path.lt(&end)))
            .select(ou::id)
            .load(tx.conn())?;
        ids.append(&mut sub);
    }
    ids.sort();
    ids.dedup();
    Ok(Some(ids))
}

fn view(
    row: ObligationRow,
    owner: Option<&(String, String)>,
    as_of: NaiveDate,
    last_known_year: i32,
) -> ObligationView {
    let kind = ObligationKind::parse(&row.kind).unwrap_or(ObligationKind::TwoWayReporting);
    let done_on = row.done_at.map(crate::clock::china_date_of);
    let st = state(row.due_on, done_on, as_of);
    let days_overdue = match (st, done_on) {
        (State::Overdue, _) => Some((as_of - row.due_on).num_days()),
        (State::Done, Some(d)) if d > row.due_on => Some((d - row.due_on).num_days()),
        _ => None,
    };
    let (owner_name, owner_kind) = owner.cloned().unwrap_or_default();
    ObligationView {
        id: row.id,
        kind,
        kind_label: kind.label_zh().to_owned(),
        kind_label_en: kind.label_en().to_owned(),
        title: row.title,
        period: row.period,
        due_on: row.due_on,
        due_beyond_calendar: chrono::Datelike::year(&row.due_on) > last_known_year,
        state: st,
        days_overdue,
        done_at: row.done_at,
        overdue_since: row.overdue_since,
        owner_org_unit_id: row.owner_org_unit_id,
        owner_name,
        owner_kind,
        subject_type: row.subject_type,
        subject_id: row.subject_id,
        member_id: row.member_id,
    }
}

fn dashboard(
    tx: &mut TenantTx<'_>,
    vis: &Visibility,
    f: &Filter,
    page: &PageRequest,
) -> DbResult<Dashboard> {
    let tid = tx.tid().to_owned();
    let owners = owner_scope(tx, vis, f)?;
    // The same filters for the counts and the page.
    macro_rules! filtered {
        ($q:expr, $state:expr) => {{
            let mut q = $q.filter(o::tenant_id.eq(tid.clone())).into_boxed();
            if let Some(ids) = &owners {
                q = q.filter(o::owner_org_unit_id.eq_any(ids.clone()));
            }
            if let Some(k) = f.kind {
                q = q.filter(o::kind.eq(k.as_str()));
            }
            if let Some(d) = f.from {
                q = q.filter(o::due_on.ge(d));
            }
            if let Some(d) = f.to {
                q = q.filter(o::due_on.le(d));
            }
            match $state {
                StateFilter::Due => q.filter(o::done_at.is_null()).filter(o::due_on.ge(f.as_of)),
                StateFilter::Overdue => {
                    q.filter(o::done_at.is_null()).filter(o::due_on.lt(f.as_of))
                }
                StateFilter::Done => q.filter(o::done_at.is_not_null()),
                StateFilter::Open => q.filter(o::done_at.is_null()),
                StateFilter::All => q,
            }
        }};
    }
    let tallies = super::repo::tallies(
        tx,
        &super::repo::TallyFilter {
            owners: owners.as_deref(),
            kind: f.kind,
            from: f.from,
            to: f.to,
        },
        f.as_of,
    )?;
    let summary = tallies.iter().fold(Counts::default(), |s, t| Counts {
        due: s.due + t.due,
        overdue: s.overdue + t.overdue,
        done: s.done + t.done,
    });
    let mut q = filtered!(o::table.select(ObligationRow::as_select()), f.state);
    if let Some(after) = &page.after {
        let at: Option<NaiveDate> = o::table
            .filter(o::tenant_id.eq(&tid).and(o::id.eq(after)))
            .select(o::due_on)
            .first(tx.conn())
            .optional()?;
        if let Some(at) = at {
            // A row comparison, which both backends answer as one index range on (tenant_id,
            // due_on, id); the equivalent `a > x OR (a = x AND b > y)` made PostgreSQL read the
            // county from its first due day on every later page.
            q = q.filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "(obligations.due_on, obligations.id) > (",
                )
                .bind::<diesel::sql_types::Date, _>(at)
                .sql(", ")
                .bind::<diesel::sql_types::Text, _>(after.clone())
                .sql(")"),
            );
        }
    }
    // With a set of owners, SQLite (which keeps no statistics) would walk the whole county in
    // due order through obligations_due_idx to find a page of a township's few hundred: 16 ms.
    // `+` keeps it on the owners' index, sorting their rows instead.
    let by_due = match (tx.conn(), &owners) {
        (crate::db::AnyConnection::Sqlite(_), Some(_)) => "+obligations.due_on",
        _ => "obligations.due_on",
    };
    let rows: Vec<ObligationRow> = q
        .order((
            diesel::dsl::sql::<diesel::sql_types::Date>(by_due).asc(),
            o::id.asc(),
        ))
        .limit(page.fetch())
        .load(tx.conn())?;
    let (rows, next_cursor) = page.finish(rows, |r| r.id.as_str());
    // Owner names for the page and the summary.
    let mut wanted: Vec<String> = rows.iter().map(|r| r.owner_org_unit_id.clone()).collect();
    wanted.extend(tallies.iter().map(|t| t.owner_org_unit_id.clone()));
    wanted.sort();
    wanted.dedup();
    let mut names: HashMap<String, (String, String)> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let got: Vec<(String, String, String)> = ou::table
            .filter(ou::tenant_id.eq(&tid))
            .filter(ou::id.eq_any(chunk))
            .select((ou::id, ou::name, ou::kind))
            .load(tx.conn())?;
        names.extend(got.into_iter().map(|(id, n, k)| (id, (n, k))));
    }
    let last_known_year = super::repo::calendar(tx)?.last_known_year();
    let items = rows
        .into_iter()
        .map(|r| {
            let owner = names.get(&r.owner_org_unit_id);
            view(r, owner, f.as_of, last_known_year)
        })
        .collect();
    let mut by_owner: Vec<OwnerSummary> = tallies
        .into_iter()
        .filter_map(|t| {
            let kind = ObligationKind::parse(&t.kind)?;
            Some(OwnerSummary {
                owner_name: names
                    .get(&t.owner_org_unit_id)
                    .map(|n| n.0.clone())
                    .unwrap_or_default(),
                owner_org_unit_id: t.owner_org_unit_id,
                kind,
                kind_label: kind.label_zh().to_owned(),
                due: t.due,
                overdue: t.overdue,
                done: t.done,
            })
        })
        .collect();
    by_owner.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| a.owner_name.cmp(&b.owner_name))
            .then_with(|| a.kind.as_str().cmp(b.kind.as_str()))
    });
    // A whole county has thousands of lines; a screen shows the worst few.
    let by_owner_total = by_owner.len() as i64;
    by_owner.truncate(f.owners);
    Ok(Dashboard {
        as_of: f.as_of,
        summary,
        by_owner,
        by_owner_total,
        items,
        next_cursor,
    })
}

#[derive(Debug, Clone, Object)]
pub struct OutboxItem {
    pub id: String,
    /// `overdue`, `due_soon`, `escalated`, `activity` or `activity_cancelled`
    pub topic: String,
    /// The obligation the notice is about (none for an activity's notice).
    #[oai(skip_serializing_if_is_none)]
    pub obligation_id: Option<String>,
    /// The activity the notice is about.
    #[oai(skip_serializing_if_is_none)]
    pub activity_id: Option<String>,
    pub recipient_org_unit_id: String,
    pub recipient_name: String,
    pub subject: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    /// When the notice was handed to its channels (each delivery has its own status:
    /// `GET /notifications/deliveries`).
    #[oai(skip_serializing_if_is_none)]
    pub dispatched_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Object)]
pub struct OutboxPage {
    pub items: Vec<OutboxItem>,
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// The day to run for (default today; not in the future).
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Object)]
pub struct RunReport {
    pub as_of: NaiveDate,
    /// Periodic obligations opened.
    pub opened: i64,
    /// Obligations closed by the job (QQ groups whose organisers all joined).
    pub closed: i64,
    /// Open obligations recorded overdue for the first time (one notification each).
    pub newly_overdue: i64,
    /// Reminders written for obligations due within three days.
    pub reminders: i64,
}

#[derive(Debug, Clone, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What was done (kept in the audit log).
    pub note: Option<String>,
}

/// Kinds met by a workflow of their own close there; the county-level dates without one yet are
/// marked done by the county.
fn completed_by_hand(kind: ObligationKind) -> bool {
    matches!(
        kind,
        ObligationKind::DataVerification | ObligationKind::StatisticsCutoff
    )
}

pub(super) fn county_admin(p: &Principal) -> AppResult<()> {
    if p.role == Role::CountyAdmin {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

pub(super) fn parse_kind(s: &str) -> Result<ObligationKind, FieldError> {
    ObligationKind::parse(s).ok_or_else(|| {
        FieldError::new(
            "kind",
            "invalid_kind",
            "kind：期限种类无效",
            "kind: not a kind of deadline",
        )
    })
}

#[OpenApi(tag = "ApiTags::Deadlines")]
impl DeadlineApi {
    /// 期限看板：应办、已办、逾期及责任单位 / The deadline dashboard: due, done, overdue and owners
    ///
    /// Scoped to what the caller sees; `org_unit_id` narrows to a unit's subtree, `grid_id` to a
    /// grid (its AIC office, party branch and current townships with their villages).
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/deadlines", method = "get")]
    async fn dashboard(
        &self,
        auth: Auth,
        org_unit_id: Query<Option<String>>,
        grid_id: Query<Option<String>>,
        /// due | overdue | done | open | all (default)
        state: Query<Option<StateFilter>>,
        kind: Query<Option<String>>,
        /// The day to compute states for (default: today in China).
        as_of: Query<Option<String>>,
        /// Only obligations due on or after this day.
        from: Query<Option<String>>,
        /// Only obligations due on or before this day.
        to: Query<Option<String>>,
        limit: Query<Option<shuanglian_http::api::PageLimit>>,
        cursor: Query<Option<String>>,
        /// How many owner lines (`by_owner`), most overdue first: 0 to 1000, default 50.
        #[oai(validator(maximum(value = "1000")))]
        owners: Query<Option<u32>>,
    ) -> AppResult<Json<Dashboard>> {
        let tid = auth.0.tenant()?;
        let mut errs = vec![];
        let as_of = as_of.0.map(|s| parse_date("as_of", &s)).gather(&mut errs);
        let from = from.0.map(|s| parse_date("from", &s)).gather(&mut errs);
        let to = to.0.map(|s| parse_date("to", &s)).gather(&mut errs);
        let kind = kind.0.map(|s| parse_kind(&s)).gather(&mut errs);
        if !errs.is_empty() {
            return Err(AppError::validation(errs));
        }
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let unit = org_unit_id.0.map(|s| path_id(&s)).transpose()?;
        let grid = grid_id.0.map(|s| path_id(&s)).transpose()?;
        let f = Filter {
            as_of: as_of.unwrap_or_else(crate::clock::today),
            state: state.0.unwrap_or(StateFilter::All),
            kind,
            from,
            to,
            org_unit_id: unit,
            grid_id: grid,
            owners: owners.0.unwrap_or(50) as usize,
        };
        let who: (Role, String) = (auth.0.role, auth.0.user_id.clone());
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let vis = scope::visibility(tx, who.0, &who.1)?;
                dashboard(tx, &vis, &f, &page)
            })
            .await?;
        Ok(Json(out))
    }

    /// 待发送的提醒与逾期通知（县级管理员）/ Notifications waiting in the outbox (county admin)
    #[oai(path = "/deadlines/outbox", method = "get")]
    async fn outbox(
        &self,
        auth: Auth,
        topic: Query<Option<String>>,
        limit: Query<Option<shuanglian_http::api::PageLimit>>,
        cursor: Query<Option<String>>,
    ) -> AppResult<Json<OutboxPage>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let page = PageRequest::parse(limit.0, cursor.0.as_deref())?;
        let topic = topic.0;
        let out = self
            .state
            .db
            .tenant(tid, Mode::Read, move |tx| {
                let tid = tx.tid().to_owned();
                let mut q = ob::table.filter(ob::tenant_id.eq(tid.clone())).into_boxed();
                if let Some(t) = topic {
                    q = q.filter(ob::topic.eq(t));
                }
                if let Some(a) = &page.after {
                    q = q.filter(ob::id.gt(a.clone()));
                }
                type Row = (
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    String,
                    String,
                    String,
                    NaiveDateTime,
                    Option<NaiveDateTime>,
                );
                let rows: Vec<Row> = q
                    .order(ob::id.asc())
                    .limit(page.fetch())
                    .select((
                        ob::id,
                        ob::topic,
                        ob::obligation_id,
                        ob::activity_id,
                        ob::recipient_org_unit_id,
                        ob::subject,
                        ob::body,
                        ob::created_at,
                        ob::dispatched_at,
                    ))
                    .load(tx.conn())?;
                let (rows, next_cursor) = page.finish(rows, |r| r.0.as_str());
                let ids: Vec<String> = rows.iter().map(|r| r.4.clone()).collect();
                let names: HashMap<String, String> = ou::table
                    .filter(ou::tenant_id.eq(&tid).and(ou::id.eq_any(&ids)))
                    .select((ou::id, ou::name))
                    .load::<(String, String)>(tx.conn())?
                    .into_iter()
                    .collect();
                let items = rows
                    .into_iter()
                    .map(|r| OutboxItem {
                        recipient_name: names.get(&r.4).cloned().unwrap_or_default(),
                        id: r.0,
                        topic: r.1,
                        obligation_id: r.2,
                        activity_id: r.3,
                        recipient_org_unit_id: r.4,
                        subject: r.5,
                        body: r.6,
                        created_at: r.7,
                        dispatched_at: r.8,
                    })
                    .collect();
                Ok(OutboxPage { items, next_cursor })
            })
            .await?;
        Ok(Json(out))
    }

    /// 立即运行本县的每日期限任务（县级管理员）/ Run the daily deadline job for this county now
    ///
    /// The job also runs by itself once a day; running it again changes nothing twice.
    #[oai(path = "/deadlines/run", method = "post")]
    async fn run(&self, auth: Auth, body: JsonBody<RunRequest>) -> AppResult<Json<RunReport>> {
        let tid = auth.0.tenant()?;
        county_admin(&auth.0)?;
        let today = crate::clock::today();
        let as_of = body.0.as_of.unwrap_or(today);
        if as_of > today {
            return Err(AppError::field(
                "as_of",
                "future_date",
                "as_of：不能晚于今天",
                "as_of cannot be in the future",
            ));
        }
        let r = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| job::run_tenant(tx, as_of))
            .await?;
        Ok(Json(RunReport {
            as_of,
            opened: r.opened as i64,
            closed: r.closed as i64,
            newly_overdue: r.newly_overdue as i64,
            reminders: r.reminders as i64,
        }))
    }

    /// 标记县级事项已完成 / Mark a county-level obligation done
    ///
    /// For the dates of seed 001/002 that have no workflow of their own yet (data verification,
    /// statistics cut-offs):
    /// the county admin or the association committee marks them done. Workflow obligations
    /// close when their workflow step is taken (409 `completed_by_workflow`).
    #[oai(path = "/deadlines/:id/complete", method = "post")]
    async fn complete(
        &self,
        auth: Auth,
        id: Path<String>,
        body: JsonBody<CompleteRequest>,
    ) -> AppResult<Json<ObligationView>> {
        let tid = auth.0.tenant()?;
        let id = path_id(&id.0)?;
        if !matches!(auth.0.role, Role::CountyAdmin | Role::AssociationCommittee) {
            return Err(AppError::forbidden());
        }
        let note = body
            .0
            .note
            .map(|n| n.trim().chars().take(500).collect::<String>());
        let actor = Actor::of(&auth.0);
        let out = self
            .state
            .db
            .tenant(tid, Mode::Write, move |tx| {
                let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let kind = ObligationKind::parse(&row.kind).ok_or_else(AppError::not_found)?;
                if !completed_by_hand(kind) {
                    return Err(AppError::conflict(
                        "completed_by_workflow",
                        "此事项在其业务流程中办结，不能直接标记完成",
                        "This obligation is met through its workflow, not marked by hand",
                    )
                    .into());
                }
                if row.done_at.is_some() {
                    return Err(AppError::conflict(
                        "already_done",
                        "此事项已标记完成",
                        "This obligation is already done",
                    )
                    .into());
                }
                let period = Period::parse(&row.period).unwrap_or(Period::Anchored);
                repo::close(tx, kind, &row.subject_id, period, &actor.id)?;
                audit::record(
                    tx,
                    &actor,
                    "obligation.complete",
                    "obligation",
                    &row.id,
                    note.as_deref(),
                    serde_json::json!({ "kind": kind.as_str(), "period": row.period }),
                )?;
                let row = repo::get(tx, &id)?.ok_or_else(AppError::not_found)?;
                let owner: Option<(String, String)> = ou::table
                    .filter(ou::tenant_id.eq(tx.tid().to_owned()))
                    .filter(ou::id.eq(&row.owner_org_unit_id))
                    .select((ou::name, ou::kind))
                    .first(tx.conn())
                    .optional()?;
                let last = repo::calendar(tx)?.last_known_year();
                Ok(view(row, owner.as_ref(), crate::clock::today(), last))
            })
            .await?;
        Ok(Json(out))
    }
}
