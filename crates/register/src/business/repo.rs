//! Queries on markets, businesses and the people linked to them, inside the county's
//! transaction.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::Sort;
use super::scope::Reach;
use crate::api::PageRequest;
use crate::db::schema::{
    business_people as bp, businesses as b, grid_townships as gt, markets as mk, members as m,
    org_units as o,
};
use crate::db::{DbError, DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::error::{AppError, FieldError};
use crate::org::model::{OrgKind, subtree_end};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = b)]
pub struct BusinessRow {
    pub tenant_id: String,
    pub id: String,
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub market_id: Option<String>,
    pub stall_no: Option<String>,
    pub address: Option<String>,
    pub township_id: Option<String>,
    pub grid_id: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub status: String,
    pub status_since: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A business as written: every value already validated.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = b)]
#[diesel(treat_none_as_null = true)]
pub struct BusinessValues {
    pub kind: String,
    pub name: String,
    pub credit_code: Option<String>,
    pub market_id: Option<String>,
    pub stall_no: Option<String>,
    pub address: Option<String>,
    pub township_id: Option<String>,
    pub grid_id: Option<String>,
    pub industry: Option<String>,
    pub employee_count: Option<i32>,
    pub status: String,
    pub status_since: Option<NaiveDate>,
}

impl BusinessValues {
    pub fn from_row(r: &BusinessRow) -> Self {
        Self {
            kind: r.kind.clone(),
            name: r.name.clone(),
            credit_code: r.credit_code.clone(),
            market_id: r.market_id.clone(),
            stall_no: r.stall_no.clone(),
            address: r.address.clone(),
            township_id: r.township_id.clone(),
            grid_id: r.grid_id.clone(),
            industry: r.industry.clone(),
            employee_count: r.employee_count,
            status: r.status.clone(),
            status_since: r.status_since,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bp)]
pub struct LinkRow {
    pub tenant_id: String,
    pub id: String,
    pub business_id: String,
    pub member_id: String,
    pub role: String,
    pub since: NaiveDate,
    pub until: Option<NaiveDate>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mk)]
pub struct MarketFactsRow {
    pub tenant_id: String,
    pub id: String,
    pub address: Option<String>,
    pub operator: Option<String>,
    pub stall_count: Option<i32>,
    pub grid_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A market's own facts, beside its org unit.
#[derive(Debug, Clone, Default, Insertable, AsChangeset)]
#[diesel(table_name = mk)]
#[diesel(treat_none_as_null = true)]
pub struct MarketFacts {
    pub address: Option<String>,
    pub operator: Option<String>,
    pub stall_count: Option<i32>,
    pub grid_id: Option<String>,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn duplicate(e: DbError) -> DbError {
    if e.is_unique_violation() {
        AppError::conflict(
            "duplicate_business",
            "本县已有相同统一社会信用代码或相同摊位号的经营主体",
            "A business with this credit code or stall number already exists in the county",
        )
        .into()
    } else {
        e
    }
}

/// Refuses a credit code or stall number another business of the county holds (409, naming
/// the field). The unique indexes stay the last word under concurrency.
pub fn check_unique(
    tx: &mut TenantTx<'_>,
    v: &BusinessValues,
    except: Option<&str>,
) -> DbResult<()> {
    let tid = tx.tid().to_owned();
    if let Some(code) = &v.credit_code {
        let mut q = b::table
            .filter(b::tenant_id.eq(&tid).and(b::credit_code.eq(code)))
            .select(b::id)
            .into_boxed();
        if let Some(e) = except {
            q = q.filter(b::id.ne(e.to_owned()));
        }
        if q.first::<String>(tx.conn()).optional()?.is_some() {
            return Err(AppError::conflict(
                "duplicate_credit_code",
                "本县已登记该统一社会信用代码的经营主体",
                "A business with this credit code is already registered in the county",
            )
            .with_field(FieldError::new(
                "credit_code",
                "taken",
                "credit_code：统一社会信用代码已登记",
                "credit_code already registered",
            ))
            .into());
        }
    }
    if let (Some(market), Some(stall)) = (&v.market_id, &v.stall_no) {
        let mut q = b::table
            .filter(
                b::tenant_id
                    .eq(&tid)
                    .and(b::market_id.eq(market))
                    .and(b::stall_no.eq(stall)),
            )
            .select(b::id)
            .into_boxed();
        if let Some(e) = except {
            q = q.filter(b::id.ne(e.to_owned()));
        }
        if q.first::<String>(tx.conn()).optional()?.is_some() {
            return Err(AppError::conflict(
                "duplicate_stall",
                "该市场的这个摊位号已有经营主体",
                "This stall number of the market is taken",
            )
            .with_field(FieldError::new(
                "stall_no",
                "taken",
                "stall_no：摊位号已被占用",
                "stall_no already taken",
            ))
            .into());
        }
    }
    Ok(())
}

pub fn insert(tx: &mut TenantTx<'_>, v: &BusinessValues) -> DbResult<BusinessRow> {
    check_unique(tx, v, None)?;
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    diesel::insert_into(b::table)
        .values((
            b::tenant_id.eq(&tid),
            b::id.eq(&id),
            v,
            b::version.eq(1i64),
            b::created_at.eq(now),
            b::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| duplicate(e.into()))?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted business vanished")).into())
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<BusinessRow>> {
    let tid = tx.tid().to_owned();
    Ok(b::table
        .filter(b::tenant_id.eq(tid).and(b::id.eq(id)))
        .select(BusinessRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Writes new values if the business is at `expected`.
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &BusinessValues,
) -> DbResult<BusinessRow> {
    let cur = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if cur.version != expected {
        return Err(AppError::precondition_failed().into());
    }
    check_unique(tx, v, Some(id))?;
    let tid = tx.tid().to_owned();
    let n = diesel::update(
        b::table.filter(
            b::tenant_id
                .eq(&tid)
                .and(b::id.eq(id))
                .and(b::version.eq(expected)),
        ),
    )
    .set((
        v,
        b::version.eq(expected + 1),
        b::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())
    .map_err(|e| duplicate(e.into()))?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

/// Whether the caller reaches a business: its grid is linked to them, its market or township
/// lies in their subtree, or a person currently linked to it is a member they see.
pub fn visible(tx: &mut TenantTx<'_>, reach: &Reach, r: &BusinessRow) -> DbResult<bool> {
    let vis = match reach {
        Reach::County => return Ok(true),
        Reach::Nothing => return Ok(false),
        Reach::Scoped { vis, .. } => vis.clone(),
    };
    if r.grid_id.as_deref().is_some_and(|g| reach.sees_grid(g)) {
        return Ok(true);
    }
    for unit in [&r.market_id, &r.township_id].into_iter().flatten() {
        if crate::org::repo::get(tx, unit)?.is_some_and(|u| vis.sees(&u)) {
            return Ok(true);
        }
    }
    for link in links_of_business(tx, &r.id, false)? {
        if let Some(member) = crate::members::repo::get(tx, &link.member_id)?
            && crate::members::repo::visible(tx, &vis, &member)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of the registered name.
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub kind: Option<&'static str>,
    pub market_id: Option<String>,
    pub grid_id: Option<String>,
    pub township_id: Option<String>,
    pub status: Option<&'static str>,
}

pub fn list(
    tx: &mut TenantTx<'_>,
    reach: &Reach,
    page: &PageRequest,
    sort: Sort,
    f: &Filter,
) -> DbResult<Vec<BusinessRow>> {
    let tid = tx.tid().to_owned();
    let mut q = b::table
        .filter(b::tenant_id.eq(&tid))
        .select(BusinessRow::as_select())
        .into_boxed();
    match reach {
        Reach::County => {}
        Reach::Nothing => return Ok(Vec::new()),
        Reach::Scoped { path, grids, .. } => {
            let units = || {
                o::table
                    .filter(
                        o::tenant_id
                            .eq(tid.clone())
                            .and(o::path.ge(path.clone()))
                            .and(o::path.lt(subtree_end(path))),
                    )
                    .select(o::id)
            };
            let seen_members = m::table
                .filter(
                    m::tenant_id.eq(tid.clone()).and(
                        m::org_life_unit_id
                            .eq_any(units().select(o::id.nullable()))
                            .or(m::membership_unit_id.eq_any(units().select(o::id.nullable()))),
                    ),
                )
                .select(m::id);
            let linked = bp::table
                .filter(
                    bp::tenant_id
                        .eq(tid.clone())
                        .and(bp::until.is_null())
                        .and(bp::member_id.eq_any(seen_members)),
                )
                .select(bp::business_id);
            q = q.filter(
                b::grid_id
                    .eq_any(grids.clone())
                    .or(b::market_id.eq_any(units().select(o::id.nullable())))
                    .or(b::township_id.eq_any(units().select(o::id.nullable())))
                    .or(b::id.eq_any(linked).nullable()),
            );
        }
    }
    if let Some(n) = &f.name {
        q = q.filter(b::name.like(format!("%{}%", like_escape(n))).escape('\\'));
    }
    if let Some(c) = &f.credit_code {
        q = q.filter(b::credit_code.eq(c.clone()));
    }
    if let Some(k) = f.kind {
        q = q.filter(b::kind.eq(k));
    }
    if let Some(mkt) = &f.market_id {
        q = q.filter(b::market_id.eq(mkt.clone()));
    }
    if let Some(g) = &f.grid_id {
        q = q.filter(b::grid_id.eq(g.clone()));
    }
    if let Some(t) = &f.township_id {
        q = q.filter(b::township_id.eq(t.clone()));
    }
    if let Some(s) = f.status {
        q = q.filter(b::status.eq(s));
    }
    match sort {
        Sort::Created => {
            if let Some(after) = &page.after {
                q = q.filter(b::id.gt(after.clone()));
            }
            q = q.order(b::id.asc());
        }
        Sort::CreatedDesc => {
            if let Some(after) = &page.after {
                q = q.filter(b::id.lt(after.clone()));
            }
            q = q.order(b::id.desc());
        }
        Sort::Name => {
            if let Some(after) = &page.after {
                let name: Option<String> = b::table
                    .filter(b::tenant_id.eq(&tid).and(b::id.eq(after)))
                    .select(b::name)
                    .first(tx.conn())
                    .optional()?;
                let name = name.ok_or_else(|| {
                    AppError::field(
                        "cursor",
                        "invalid_cursor",
                        "cursor：翻页游标无效",
                        "cursor is not valid",
                    )
                })?;
                q = q.filter(
                    b::name
                        .gt(name.clone())
                        .or(b::name.eq(name).and(b::id.gt(after.clone()))),
                );
            }
            q = q.order((b::name.asc(), b::id.asc()));
        }
    }
    Ok(q.limit(page.fetch()).load(tx.conn())?)
}

/// The grid serving a township now, if any: where a business there is placed by default.
pub fn grid_of_township(tx: &mut TenantTx<'_>, township_id: &str) -> DbResult<Option<String>> {
    let tid = tx.tid().to_owned();
    Ok(gt::table
        .filter(
            gt::tenant_id
                .eq(tid)
                .and(gt::township_id.eq(township_id))
                .and(gt::valid_to.is_null()),
        )
        .select(gt::grid_id)
        .first(tx.conn())
        .optional()?)
}

// ---- people ------------------------------------------------------------------------------

/// Links a member to a business from `since`; 409 when the same open link exists.
pub fn link(
    tx: &mut TenantTx<'_>,
    business_id: &str,
    member_id: &str,
    role: &str,
    since: NaiveDate,
    actor: &str,
) -> DbResult<LinkRow> {
    let tid = tx.tid().to_owned();
    let open = bp::table
        .filter(
            bp::tenant_id
                .eq(&tid)
                .and(bp::business_id.eq(business_id))
                .and(bp::member_id.eq(member_id))
                .and(bp::role.eq(role))
                .and(bp::until.is_null()),
        )
        .select(bp::id)
        .first::<String>(tx.conn())
        .optional()?;
    if open.is_some() {
        return Err(already_linked().into());
    }
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(bp::table)
        .values((
            bp::tenant_id.eq(&tid),
            bp::id.eq(&id),
            bp::business_id.eq(business_id),
            bp::member_id.eq(member_id),
            bp::role.eq(role),
            bp::since.eq(since),
            bp::until.eq(None::<NaiveDate>),
            bp::recorded_by.eq(actor),
            bp::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(tx.conn())
        .map_err(|e| {
            let e = DbError::from(e);
            if e.is_unique_violation() {
                already_linked().into()
            } else {
                e
            }
        })?;
    get_link(tx, business_id, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted link vanished")).into())
}

fn already_linked() -> AppError {
    AppError::conflict(
        "already_linked",
        "该党员已以此身份关联到该经营主体",
        "The member is already linked to this business in this role",
    )
}

pub fn get_link(
    tx: &mut TenantTx<'_>,
    business_id: &str,
    link_id: &str,
) -> DbResult<Option<LinkRow>> {
    let tid = tx.tid().to_owned();
    Ok(bp::table
        .filter(
            bp::tenant_id
                .eq(tid)
                .and(bp::business_id.eq(business_id))
                .and(bp::id.eq(link_id)),
        )
        .select(LinkRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Ends an open link on `until`.
pub fn end_link(tx: &mut TenantTx<'_>, link: &LinkRow, until: NaiveDate) -> DbResult<LinkRow> {
    if link.until.is_some() {
        return Err(AppError::conflict(
            "link_ended",
            "该关联已结束",
            "This link has already ended",
        )
        .into());
    }
    if until < link.since {
        return Err(AppError::field(
            "until",
            "before_since",
            "until：结束日期不能早于开始日期",
            "until cannot be before since",
        )
        .into());
    }
    let tid = tx.tid().to_owned();
    diesel::update(bp::table.filter(bp::tenant_id.eq(&tid).and(bp::id.eq(&link.id))))
        .set(bp::until.eq(Some(until)))
        .execute(tx.conn())?;
    get_link(tx, &link.business_id, &link.id)?.ok_or_else(|| AppError::not_found().into())
}

/// A business's links, oldest first (open ones only unless `all`).
pub fn links_of_business(
    tx: &mut TenantTx<'_>,
    business_id: &str,
    all: bool,
) -> DbResult<Vec<LinkRow>> {
    let tid = tx.tid().to_owned();
    let mut q = bp::table
        .filter(bp::tenant_id.eq(tid).and(bp::business_id.eq(business_id)))
        .select(LinkRow::as_select())
        .into_boxed();
    if !all {
        q = q.filter(bp::until.is_null());
    }
    Ok(q.order(bp::id.asc()).load(tx.conn())?)
}

/// A member's links, oldest first (open ones only unless `all`).
pub fn links_of_member(
    tx: &mut TenantTx<'_>,
    member_id: &str,
    all: bool,
) -> DbResult<Vec<LinkRow>> {
    let tid = tx.tid().to_owned();
    let mut q = bp::table
        .filter(bp::tenant_id.eq(tid).and(bp::member_id.eq(member_id)))
        .select(LinkRow::as_select())
        .into_boxed();
    if !all {
        q = q.filter(bp::until.is_null());
    }
    Ok(q.order(bp::id.asc()).load(tx.conn())?)
}

/// Member names by id, for showing links.
pub fn member_names(
    tx: &mut TenantTx<'_>,
    ids: &[String],
) -> DbResult<std::collections::HashMap<String, String>> {
    let tid = tx.tid().to_owned();
    Ok(m::table
        .filter(m::tenant_id.eq(tid).and(m::id.eq_any(ids)))
        .select((m::id, m::name))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect())
}

// ---- markets -----------------------------------------------------------------------------

/// A market: its org unit and, once recorded, its facts.
#[derive(Debug, Clone)]
pub struct Market {
    pub unit: crate::org::repo::OrgUnitRow,
    pub facts: Option<MarketFactsRow>,
}

impl Market {
    /// The version an ETag carries: 0 until facts are recorded.
    pub fn version(&self) -> i64 {
        self.facts.as_ref().map_or(0, |f| f.version)
    }
}

pub fn facts(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<MarketFactsRow>> {
    let tid = tx.tid().to_owned();
    Ok(mk::table
        .filter(mk::tenant_id.eq(tid).and(mk::id.eq(id)))
        .select(MarketFactsRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// The market with this id: an org unit of kind market.
pub fn market(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<Market>> {
    let Some(unit) = crate::org::repo::get(tx, id)? else {
        return Ok(None);
    };
    if unit.kind() != OrgKind::Market {
        return Ok(None);
    }
    let facts = facts(tx, id)?;
    Ok(Some(Market { unit, facts }))
}

/// Whether the caller reaches a market: its unit lies in their subtree or its grid is linked.
pub fn market_visible(reach: &Reach, m: &Market) -> bool {
    reach.sees_unit(&m.unit)
        || m.facts
            .as_ref()
            .and_then(|f| f.grid_id.as_deref())
            .is_some_and(|g| reach.sees_grid(g))
}

/// Records or replaces a market's facts if they are at `expected` (0: none yet).
pub fn put_facts(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &MarketFacts,
) -> DbResult<MarketFactsRow> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let cur = facts(tx, id)?;
    if cur.as_ref().map_or(0, |f| f.version) != expected {
        return Err(AppError::precondition_failed().into());
    }
    if cur.is_none() {
        diesel::insert_into(mk::table)
            .values((
                mk::tenant_id.eq(&tid),
                mk::id.eq(id),
                v,
                mk::version.eq(1i64),
                mk::created_at.eq(now),
                mk::updated_at.eq(now),
            ))
            .execute(tx.conn())
            .map_err(|e| {
                let e = DbError::from(e);
                // Two first writes raced: the loser's precondition no longer holds.
                if e.is_unique_violation() {
                    AppError::precondition_failed().into()
                } else {
                    e
                }
            })?;
    } else {
        let n = diesel::update(
            mk::table.filter(
                mk::tenant_id
                    .eq(&tid)
                    .and(mk::id.eq(id))
                    .and(mk::version.eq(expected)),
            ),
        )
        .set((v, mk::version.eq(expected + 1), mk::updated_at.eq(now)))
        .execute(tx.conn())?;
        if n == 0 {
            return Err(AppError::precondition_failed().into());
        }
    }
    facts(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

#[derive(Debug, Clone, Default)]
pub struct MarketFilter {
    pub name: Option<String>,
    pub grid_id: Option<String>,
}

/// Market units (with their facts) the caller reaches, in id order.
pub fn markets(
    tx: &mut TenantTx<'_>,
    reach: &Reach,
    page: &PageRequest,
    f: &MarketFilter,
) -> DbResult<Vec<Market>> {
    let tid = tx.tid().to_owned();
    let mut q = o::table
        .filter(
            o::tenant_id
                .eq(&tid)
                .and(o::kind.eq(OrgKind::Market.as_str())),
        )
        .select(crate::org::repo::OrgUnitRow::as_select())
        .into_boxed();
    match reach {
        Reach::County => {}
        Reach::Nothing => return Ok(Vec::new()),
        Reach::Scoped { path, grids, .. } => {
            let in_grids = mk::table
                .filter(
                    mk::tenant_id
                        .eq(tid.clone())
                        .and(mk::grid_id.eq_any(grids.clone())),
                )
                .select(mk::id);
            q = q.filter(
                o::path
                    .ge(path.clone())
                    .and(o::path.lt(subtree_end(path)))
                    .or(o::id.eq_any(in_grids)),
            );
        }
    }
    if let Some(n) = &f.name {
        q = q.filter(o::name.like(format!("%{}%", like_escape(n))).escape('\\'));
    }
    if let Some(g) = &f.grid_id {
        let in_grid = mk::table
            .filter(mk::tenant_id.eq(tid.clone()).and(mk::grid_id.eq(g.clone())))
            .select(mk::id);
        q = q.filter(o::id.eq_any(in_grid));
    }
    if let Some(after) = &page.after {
        q = q.filter(o::id.gt(after.clone()));
    }
    let units: Vec<crate::org::repo::OrgUnitRow> =
        q.order(o::id.asc()).limit(page.fetch()).load(tx.conn())?;
    let ids: Vec<&str> = units.iter().map(|u| u.id.as_str()).collect();
    let mut facts: std::collections::HashMap<String, MarketFactsRow> = mk::table
        .filter(mk::tenant_id.eq(&tid).and(mk::id.eq_any(ids)))
        .select(MarketFactsRow::as_select())
        .load::<MarketFactsRow>(tx.conn())?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    Ok(units
        .into_iter()
        .map(|unit| {
            let facts = facts.remove(&unit.id);
            Market { unit, facts }
        })
        .collect())
}
