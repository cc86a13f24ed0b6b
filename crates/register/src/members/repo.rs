//! Queries on members, inside the county's transaction.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::api::PageRequest;
use crate::db::schema::{members as m, org_units as o};
use crate::db::{AnyConnection, DbError, DbResult, TenantTx};
use crate::error::{AppError, FieldError};
use crate::org::model::subtree_end;
use crate::org::scope::Visibility;
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Text};

use super::names::pinyin_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = m)]
pub struct MemberRow {
    pub tenant_id: String,
    pub id: String,
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub id_number_enc: Option<String>,
    pub id_number_bidx: Option<String>,
    pub phone_enc: Option<String>,
    pub phone_bidx: Option<String>,
    pub home_address_enc: Option<String>,
    pub household_registration: Option<String>,
    pub is_owner: bool,
    pub business_name: String,
    pub business_registration_no: Option<String>,
    pub org_life_unit_id: Option<String>,
    pub membership_org_name: String,
    pub membership_unit_id: Option<String>,
    pub membership_status: String,
    pub distribution: String,
    pub market_id: Option<String>,
    pub business_status: String,
    pub away_since: Option<NaiveDate>,
    pub joined_party_on: Option<NaiveDate>,
    pub association_member: bool,
    pub category: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name_pinyin: String,
    pub name_initials: String,
}

/// A member as written: every value already validated, personal ones already encrypted.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = m)]
#[diesel(treat_none_as_null = true)]
pub struct MemberValues {
    pub name: String,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub id_number_enc: Option<String>,
    pub id_number_bidx: Option<String>,
    pub phone_enc: Option<String>,
    pub phone_bidx: Option<String>,
    pub home_address_enc: Option<String>,
    pub household_registration: Option<String>,
    pub is_owner: bool,
    pub business_name: String,
    pub business_registration_no: Option<String>,
    pub org_life_unit_id: Option<String>,
    pub membership_org_name: String,
    pub membership_unit_id: Option<String>,
    pub membership_status: String,
    pub distribution: String,
    pub market_id: Option<String>,
    pub business_status: String,
    pub away_since: Option<NaiveDate>,
    pub joined_party_on: Option<NaiveDate>,
    pub association_member: bool,
    pub category: String,
}

impl MemberValues {
    pub fn from_row(r: &MemberRow) -> Self {
        Self {
            name: r.name.clone(),
            gender: r.gender.clone(),
            birth_date: r.birth_date,
            id_number_enc: r.id_number_enc.clone(),
            id_number_bidx: r.id_number_bidx.clone(),
            phone_enc: r.phone_enc.clone(),
            phone_bidx: r.phone_bidx.clone(),
            home_address_enc: r.home_address_enc.clone(),
            household_registration: r.household_registration.clone(),
            is_owner: r.is_owner,
            business_name: r.business_name.clone(),
            business_registration_no: r.business_registration_no.clone(),
            org_life_unit_id: r.org_life_unit_id.clone(),
            membership_org_name: r.membership_org_name.clone(),
            membership_unit_id: r.membership_unit_id.clone(),
            membership_status: r.membership_status.clone(),
            distribution: r.distribution.clone(),
            market_id: r.market_id.clone(),
            business_status: r.business_status.clone(),
            away_since: r.away_since,
            joined_party_on: r.joined_party_on,
            association_member: r.association_member,
            category: r.category.clone(),
        }
    }
}

fn duplicate_id(e: DbError) -> DbError {
    if e.is_unique_violation() {
        AppError::conflict(
            "duplicate_id_number",
            "本县已登记该身份证号的党员",
            "A member with this ID-card number is already registered in the county",
        )
        .with_field(FieldError::new(
            "id_number",
            "taken",
            "身份证号已登记",
            "ID number already registered",
        ))
        .into()
    } else {
        e
    }
}

pub fn insert(tx: &mut TenantTx<'_>, v: &MemberValues) -> DbResult<MemberRow> {
    let tid = tx.tid().to_owned();
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    // The pinyin keys are derived here, from the name as written, so they never drift from it.
    let (pinyin, initials) = pinyin_keys(&v.name);
    diesel::insert_into(m::table)
        .values((
            m::tenant_id.eq(&tid),
            m::id.eq(&id),
            v,
            m::name_pinyin.eq(pinyin),
            m::name_initials.eq(initials),
            m::version.eq(1i64),
            m::created_at.eq(now),
            m::updated_at.eq(now),
        ))
        .execute(tx.conn())
        .map_err(|e| duplicate_id(e.into()))?;
    get(tx, &id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("inserted member vanished")).into())
}

/// Inserts many members in batches; returns their new ids in order. Used by the import, whose
/// rows were all checked first (a duplicate here is a race and fails the whole transaction).
pub fn insert_many(tx: &mut TenantTx<'_>, vs: &[MemberValues]) -> DbResult<Vec<String>> {
    let tid = tx.tid().to_owned();
    let now = Utc::now().naive_utc();
    let ids: Vec<String> = vs
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    let keys: Vec<(String, String)> = vs.iter().map(|v| pinyin_keys(&v.name)).collect();
    // 33 columns a row: 400 rows stay under both backends' bind-parameter limits.
    for (i, chunk) in vs.chunks(400).enumerate() {
        let rows: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(j, v)| {
                let k = i * 400 + j;
                (
                    m::tenant_id.eq(&tid),
                    m::id.eq(&ids[k]),
                    v,
                    m::name_pinyin.eq(&keys[k].0),
                    m::name_initials.eq(&keys[k].1),
                    m::version.eq(1i64),
                    m::created_at.eq(now),
                    m::updated_at.eq(now),
                )
            })
            .collect();
        crate::insert_rows!(tx.conn(), m::table, rows).map_err(|e| duplicate_id(e.into()))?;
    }
    Ok(ids)
}

/// The county's members with these ID-number blind indexes (the import matches its rows to
/// them, a chunk at a time).
pub fn by_id_number_bidx(tx: &mut TenantTx<'_>, bidxs: &[String]) -> DbResult<Vec<MemberRow>> {
    let tid = tx.tid().to_owned();
    Ok(m::table
        .filter(m::tenant_id.eq(tid))
        .filter(m::id_number_bidx.eq_any(bidxs))
        .select(MemberRow::as_select())
        .load(tx.conn())?)
}

/// Each member's id, name and the blind indexes of their ID and phone numbers: what a business
/// register's import needs to find owners, without reading whole rows of the county.
#[allow(clippy::type_complexity)]
pub fn owner_keys(
    tx: &mut TenantTx<'_>,
) -> DbResult<Vec<(String, String, Option<String>, Option<String>)>> {
    let tid = tx.tid().to_owned();
    Ok(m::table
        .filter(m::tenant_id.eq(tid))
        .select((m::id, m::name, m::id_number_bidx, m::phone_bidx))
        .load(tx.conn())?)
}

pub fn get(tx: &mut TenantTx<'_>, id: &str) -> DbResult<Option<MemberRow>> {
    let tid = tx.tid().to_owned();
    Ok(m::table
        .filter(m::tenant_id.eq(tid).and(m::id.eq(id)))
        .select(MemberRow::as_select())
        .first(tx.conn())
        .optional()?)
}

/// Whether a member belongs to what the caller sees: their org-life unit or membership unit
/// lies in the caller's subtree.
pub fn visible(tx: &mut TenantTx<'_>, vis: &Visibility, r: &MemberRow) -> DbResult<bool> {
    match vis {
        Visibility::County => Ok(true),
        Visibility::Nothing => Ok(false),
        Visibility::Subtree(_) => {
            for unit in [&r.org_life_unit_id, &r.membership_unit_id]
                .into_iter()
                .flatten()
            {
                if crate::org::repo::get(tx, unit)?.is_some_and(|u| vis.sees(&u)) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }
}

/// List order. Both keep a stable keyset (ties broken by id) so cursors never skip or repeat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    /// Registration order (ids are time-ordered UUIDv7).
    #[default]
    Registered,
    /// By pinyin of the name, as Chinese users expect a name list.
    Pinyin,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub name_prefix: Option<String>,
    /// Lower-case Latin letters: a prefix of the initials (`zs`) or of the full pinyin (`zhangs`).
    pub pinyin_prefix: Option<String>,
    pub phone_bidx: Option<String>,
    pub id_number_bidx: Option<String>,
    pub category: Option<&'static str>,
    pub membership_status: Option<&'static str>,
    pub business_status: Option<&'static str>,
    /// A subtree path: members whose org-life or membership unit is inside it.
    pub within: Option<String>,
    /// A grid's township paths: members whose business place (their market, or else their
    /// org-life unit) lies in one of them. `Some(empty)` matches nothing.
    pub business_place_in: Option<Vec<String>>,
    pub market_id: Option<String>,
    pub order: Order,
}

/// `[p, hi)`: exactly the strings that start with `p`, in code-point order (SQLite's BINARY
/// collation and PostgreSQL's `COLLATE "C"` on UTF-8 both compare so). `hi` is `p` with its
/// last character incremented; `None` when there is no bound (a prefix of only U+10FFFF).
fn prefix_range(p: &str) -> (String, Option<String>) {
    let mut hi: Vec<char> = p.chars().collect();
    while let Some(last) = hi.pop() {
        // The next scalar value: surrogates are not characters, so U+D7FF is followed by U+E000.
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(c) = next {
            hi.push(c);
            return (p.to_owned(), Some(hi.into_iter().collect()));
        }
    }
    (p.to_owned(), None)
}

/// A prefix at least this many names share is "common" (see `list`): there the register in id
/// order yields a page within a few thousand rows, sooner than sorting every match.
const COMMON: i64 = 500;

/// Whether at least [`COMMON`] names fall in `[lo, hi)`, `col` being the indexed name: an
/// index-only count that stops there.
fn common_prefix(
    tx: &mut TenantTx<'_>,
    tid: &str,
    col: &str,
    lo: &str,
    hi: Option<&str>,
) -> DbResult<bool> {
    let mut q = m::table
        .filter(m::tenant_id.eq(tid))
        .filter(sql::<Bool>(&format!("{col} >= ")).bind::<Text, _>(lo.to_owned()))
        .select(m::tenant_id)
        .limit(COMMON)
        .into_boxed();
    if let Some(hi) = hi {
        q = q.filter(sql::<Bool>(&format!("{col} < ")).bind::<Text, _>(hi.to_owned()));
    }
    Ok(q.load::<String>(tx.conn())?.len() as i64 >= COMMON)
}

pub fn list(tx: &mut TenantTx<'_>, page: &PageRequest, f: &Filter) -> DbResult<Vec<MemberRow>> {
    let tid = tx.tid().to_owned();
    let mut q = m::table
        .filter(m::tenant_id.eq(&tid))
        .select(MemberRow::as_select())
        .into_boxed();
    if let Some(n) = &f.name_prefix {
        // A range, not LIKE: LIKE cannot seek an index (PostgreSQL's default collation is not
        // code-point order, SQLite's LIKE ignores case), so a prefix few names share walked the
        // whole county in id order (issue 18: 70-80 ms for 王建 on PostgreSQL). PostgreSQL
        // compares in C order, as its index members_name_c_idx is built (migration 000102).
        let (lo, hi) = prefix_range(n);
        // The name in code-point order, as the index holds it on each backend.
        let sqlite = matches!(tx.conn(), AnyConnection::Sqlite(_));
        let indexed = if sqlite {
            "members.name"
        } else {
            r#"members.name COLLATE "C""#
        };
        // Which way is fast depends on how many names share the prefix. SQLite keeps no
        // statistics, so count, in the index and up to COMMON: for a common prefix walk the
        // register in id order (`+` keeps SQLite off the name index), which stops after a page;
        // for a rare one, seek. PostgreSQL plans from its statistics. (Hiding the index from it
        // the same way made it scan and sort the county: 124 ms for 王.)
        let common = sqlite
            && f.order == Order::Registered
            && common_prefix(tx, &tid, indexed, &lo, hi.as_deref())?;
        let col = if common { "+members.name" } else { indexed };
        q = q.filter(sql::<Bool>(&format!("{col} >= ")).bind::<Text, _>(lo));
        if let Some(hi) = hi {
            q = q.filter(sql::<Bool>(&format!("{col} < ")).bind::<Text, _>(hi));
        }
    }
    if let Some(p) = &f.pinyin_prefix {
        // Keys are lower-case ASCII (ordered the same under every collation), so a prefix is a
        // range both backends answer from their indexes.
        let (lo, hi) = prefix_range(p);
        let hi = hi.unwrap_or_default();
        q = q.filter(
            m::name_initials
                .ge(lo.clone())
                .and(m::name_initials.lt(hi.clone()))
                .or(m::name_pinyin.ge(lo).and(m::name_pinyin.lt(hi))),
        );
    }
    if let Some(mk) = &f.market_id {
        q = q.filter(m::market_id.eq(mk.clone()));
    }
    if let Some(paths) = &f.business_place_in {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut in_place: Box<
            dyn BoxableExpression<
                    m::table,
                    _,
                    SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
                >,
        > = Box::new(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >("1 = 0"));
        for p in paths {
            let units = || {
                o::table
                    .filter(
                        o::tenant_id
                            .eq(tid.clone())
                            .and(o::path.ge(p.clone()))
                            .and(o::path.lt(subtree_end(p))),
                    )
                    .select(o::id.nullable())
            };
            in_place = Box::new(
                in_place.or(m::market_id.eq_any(units()).or(m::market_id
                    .is_null()
                    .and(m::org_life_unit_id.eq_any(units())))),
            );
        }
        q = q.filter(in_place);
    }
    if let Some(b) = &f.phone_bidx {
        q = q.filter(m::phone_bidx.eq(b.clone()));
    }
    if let Some(b) = &f.id_number_bidx {
        q = q.filter(m::id_number_bidx.eq(b.clone()));
    }
    if let Some(c) = f.category {
        q = q.filter(m::category.eq(c));
    }
    if let Some(s) = f.membership_status {
        q = q.filter(m::membership_status.eq(s));
    }
    if let Some(s) = f.business_status {
        q = q.filter(m::business_status.eq(s));
    }
    if let Some(p) = &f.within {
        // The subtree's unit ids, used for both unit columns.
        let units = || {
            o::table
                .filter(
                    o::tenant_id
                        .eq(tid.clone())
                        .and(o::path.ge(p.clone()))
                        .and(o::path.lt(subtree_end(p))),
                )
                .select(o::id.nullable())
        };
        q = q.filter(
            m::org_life_unit_id
                .eq_any(units())
                .or(m::membership_unit_id.eq_any(units())),
        );
    }
    match f.order {
        Order::Registered => {
            if let Some(after) = &page.after {
                q = q.filter(m::id.gt(after.clone()));
            }
            q = q.order(m::id.asc());
        }
        Order::Pinyin => {
            if let Some(after) = &page.after {
                let key: Option<String> = m::table
                    .filter(m::tenant_id.eq(&tid).and(m::id.eq(after)))
                    .select(m::name_pinyin)
                    .first(tx.conn())
                    .optional()?;
                let key = key.unwrap_or_default();
                q = q.filter(
                    m::name_pinyin
                        .gt(key.clone())
                        .or(m::name_pinyin.eq(key).and(m::id.gt(after.clone()))),
                );
            }
            q = q.order((m::name_pinyin.asc(), m::id.asc()));
        }
    }
    Ok(q.limit(page.fetch()).load(tx.conn())?)
}

/// Every member `f` matches and `keep` accepts, in register order (`f.order` must be
/// `Registered`), read a thousand at a time; `None` as soon as more than `max` are kept, so
/// the caller can refuse the work as too large without reading the rest.
pub fn all(
    tx: &mut TenantTx<'_>,
    f: &Filter,
    max: usize,
    mut keep: impl FnMut(&MemberRow) -> bool,
) -> DbResult<Option<Vec<MemberRow>>> {
    let mut out = Vec::new();
    let mut page = PageRequest {
        limit: 1000,
        after: None,
    };
    loop {
        let rows = list(tx, &page, f)?;
        let more = rows.len() > page.limit as usize;
        let last = rows.get(page.limit as usize - 1).map(|r| r.id.clone());
        out.extend(rows.into_iter().take(page.limit as usize).filter(&mut keep));
        if out.len() > max {
            return Ok(None);
        }
        if !more {
            return Ok(Some(out));
        }
        page.after = last;
    }
}

/// Writes new values if the member is at `expected`.
pub fn update(
    tx: &mut TenantTx<'_>,
    id: &str,
    expected: i64,
    v: &MemberValues,
) -> DbResult<MemberRow> {
    let tid = tx.tid().to_owned();
    let cur = get(tx, id)?.ok_or_else(AppError::not_found)?;
    if cur.version != expected {
        return Err(AppError::precondition_failed().into());
    }
    let n = diesel::update(
        m::table.filter(
            m::tenant_id
                .eq(&tid)
                .and(m::id.eq(id))
                .and(m::version.eq(expected)),
        ),
    )
    .set((
        v,
        m::name_pinyin.eq(pinyin_keys(&v.name).0),
        m::name_initials.eq(pinyin_keys(&v.name).1),
        m::version.eq(expected + 1),
        m::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(tx.conn())
    .map_err(|e| duplicate_id(e.into()))?;
    if n == 0 {
        return Err(AppError::precondition_failed().into());
    }
    get(tx, id)?.ok_or_else(|| AppError::not_found().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ranges_hold_exactly_the_strings_with_the_prefix() {
        assert_eq!(prefix_range("wj"), ("wj".into(), Some("wk".into())));
        assert_eq!(prefix_range("z"), ("z".into(), Some("{".into())));
        assert_eq!(prefix_range("王"), ("王".into(), Some("玌".into())));
        assert_eq!(prefix_range("a\u{D7FF}").1, Some("a\u{E000}".into()));
        assert_eq!(prefix_range("a\u{10FFFF}").1, Some("b".into()));
        assert_eq!(prefix_range("\u{10FFFF}").1, None);
        // Rust compares strings by code point, as both backends do here.
        let (lo, hi) = prefix_range("王建");
        let hi = hi.expect("a bound");
        for inside in ["王建", "王建国", "王建\u{10FFFF}x"] {
            assert!(lo.as_str() <= inside && inside < hi.as_str(), "{inside}");
        }
        for outside in ["王", "王丽", "王廻", "玌", "wang", ""] {
            assert!(
                !(lo.as_str() <= outside && outside < hi.as_str()),
                "{outside}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn a_prefix_range_agrees_with_starts_with(p in "\\PC{0,4}", s in "\\PC{0,6}") {
            let (lo, hi) = prefix_range(&p);
            let inside = lo.as_str() <= s.as_str() && hi.as_deref().is_none_or(|h| s.as_str() < h);
            proptest::prop_assert_eq!(inside, s.starts_with(&p));
        }
    }
}
