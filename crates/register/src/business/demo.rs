//! Demo data for the business register: market facts, businesses of every kind and status
//! (stalls in the markets, individual businesses, small-micro enterprises), their owners and
//! employees among the demo members, and businesses with no party member (most of a county's).
//! Deterministic for a seed; rows go in by the hundred so the large presets stay quick.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;

use super::model::credit_code_check_char;
use crate::db::schema::{
    business_people as bp, businesses as b, grid_townships as gt, grids as g, markets as mk,
    members as m, org_units as o,
};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::org::model::OrgKind;
use crate::rng::Rng;

/// Businesses with no party member, per member: the small preset's 5,000 members come with
/// ≈ 30,000 businesses (SPEC §13).
const UNLINKED_PER_MEMBER: usize = 5;

const ROADS: [&str; 12] = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "胜利路",
    "新华路",
    "文化路",
    "环城路",
    "工业路",
    "商城大道",
    "城北路",
    "江滨路",
];
const INDUSTRIES: [&str; 10] = [
    "批发和零售业",
    "住宿和餐饮业",
    "居民服务业",
    "制造业",
    "农副产品加工",
    "交通运输业",
    "信息技术服务",
    "建筑装饰业",
    "文化体育娱乐",
    "租赁和商务服务",
];
const TRADES: [&str; 14] = [
    "五金店",
    "服装店",
    "小吃店",
    "便利店",
    "茶叶店",
    "竹制品厂",
    "建材店",
    "理发店",
    "水果店",
    "农资店",
    "汽修店",
    "眼镜店",
    "饰品店",
    "电器行",
];
const FIRMS: [&str; 6] = [
    "商贸有限公司",
    "竹木制品有限公司",
    "电子商务有限公司",
    "餐饮管理有限公司",
    "工艺品有限公司",
    "农业开发有限公司",
];

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub markets: usize,
    pub businesses: usize,
    pub links: usize,
}

#[derive(Insertable)]
#[diesel(table_name = b, treat_none_as_null = true)]
struct NewBusiness {
    tenant_id: String,
    id: String,
    kind: &'static str,
    name: String,
    credit_code: Option<String>,
    market_id: Option<String>,
    stall_no: Option<String>,
    address: Option<String>,
    township_id: Option<String>,
    grid_id: Option<String>,
    industry: Option<&'static str>,
    employee_count: Option<i32>,
    status: &'static str,
    status_since: Option<NaiveDate>,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = bp, treat_none_as_null = true)]
struct NewLink {
    tenant_id: String,
    id: String,
    business_id: String,
    member_id: String,
    role: &'static str,
    since: NaiveDate,
    until: Option<NaiveDate>,
    recorded_by: &'static str,
    created_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = mk, treat_none_as_null = true)]
struct NewMarket {
    tenant_id: String,
    id: String,
    address: Option<String>,
    operator: Option<String>,
    stall_count: Option<i32>,
    grid_id: Option<String>,
    version: i64,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A valid credit code, unique in the county by its sequence number: `92` (individual
/// business) or `91` (enterprise), the county code, a 9-digit organisation part, the check.
fn credit_code(prefix: &str, county: &str, seq: usize) -> Option<String> {
    let body = format!("{prefix}{county}{:09}", seq % 1_000_000_000);
    credit_code_check_char(&body).map(|c| format!("{body}{c}"))
}

/// Fills one county's business register from its org tree, grids and members (already there).
pub fn generate(tx: &mut TenantTx<'_>, county: &str, seed: u64) -> DbResult<Counts> {
    let tid = tx.tid().to_owned();
    let mut rng = Rng::new(seed);
    let now = Utc::now().naive_utc();
    let mut counts = Counts::default();

    let grid_of_office: HashMap<String, String> = g::table
        .filter(g::tenant_id.eq(&tid))
        .select((g::aic_office_id, g::id))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect();
    let grid_of_township: HashMap<String, String> = gt::table
        .filter(gt::tenant_id.eq(&tid).and(gt::valid_to.is_null()))
        .select((gt::township_id, gt::grid_id))
        .load::<(String, String)>(tx.conn())?
        .into_iter()
        .collect();
    let townships: Vec<(String, String)> = o::table
        .filter(
            o::tenant_id
                .eq(&tid)
                .and(o::kind.eq(OrgKind::Township.as_str())),
        )
        .select((o::id, o::name))
        .order(o::id.asc())
        .load(tx.conn())?;
    let market_units: Vec<(String, String, Option<String>)> = o::table
        .filter(
            o::tenant_id
                .eq(&tid)
                .and(o::kind.eq(OrgKind::Market.as_str())),
        )
        .select((o::id, o::name, o::parent_id))
        .order(o::id.asc())
        .load(tx.conn())?;

    // Market facts: the grid is the supervising office's.
    let mut market_grid: HashMap<String, Option<String>> = HashMap::new();
    let mut markets = Vec::new();
    for (id, name, office) in &market_units {
        let grid = office.as_ref().and_then(|o| grid_of_office.get(o).cloned());
        market_grid.insert(id.clone(), grid.clone());
        markets.push(NewMarket {
            tenant_id: tid.clone(),
            id: id.clone(),
            address: Some(format!(
                "{}{}号",
                ROADS[rng.below(ROADS.len())],
                1 + rng.below(300)
            )),
            operator: Some(if rng.below(3) == 0 {
                format!("{name}服务中心")
            } else {
                format!(
                    "{}市场开发有限公司",
                    name.chars().take(2).collect::<String>()
                )
            }),
            stall_count: Some(80 + rng.below(720) as i32),
            grid_id: grid,
            version: 1,
            created_at: date(2005 + rng.below(15) as i32, 1 + rng.below(12) as u32, 1)
                .and_hms_opt(2, 0, 0)
                .unwrap_or(now)
                .min(now),
            updated_at: now,
        });
    }
    for chunk in markets.chunks(500) {
        crate::insert_rows!(tx.conn(), mk::table, chunk)?;
    }
    counts.markets = markets.len();

    type MemberFacts = (String, String, bool, Option<String>, String);
    let people: Vec<MemberFacts> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::name,
            m::is_owner,
            m::market_id,
            m::business_status,
        ))
        .order(m::id.asc())
        .load(tx.conn())?;

    let mut businesses: Vec<NewBusiness> = Vec::new();
    let mut links: Vec<NewLink> = Vec::new();
    let mut stall_seq: HashMap<String, usize> = HashMap::new();
    let mut code_seq = 0usize;
    let mut new_business = |rng: &mut Rng,
                            owner_name: Option<&str>,
                            market: Option<&String>,
                            status: &'static str|
     -> NewBusiness {
        code_seq += 1;
        let (town_id, town_name) = townships
            .get(rng.below(townships.len().max(1)))
            .cloned()
            .unwrap_or_default();
        let trade = TRADES[rng.below(TRADES.len())];
        let since = date(2008 + rng.below(18) as i32, 1 + rng.below(12) as u32, 1);
        let (kind, name, code, stall, grid, township) = if let Some(mkt) = market {
            let n = stall_seq.entry(mkt.clone()).or_insert(0);
            *n += 1;
            let stall = format!("{}-{:03}", ["A", "B", "C", "D"][*n % 4], *n);
            // About half the stalls trade under a licence of their own.
            let code = (rng.below(2) == 0)
                .then(|| credit_code("92", county, code_seq))
                .flatten();
            let who = owner_name.map_or_else(|| rng.person_name(), str::to_owned);
            (
                "market_stall",
                format!("{who}{trade}"),
                code,
                Some(stall),
                market_grid.get(mkt).cloned().flatten(),
                None,
            )
        } else if rng.below(10) == 0 {
            let place = town_name
                .trim_end_matches("街道")
                .trim_end_matches('镇')
                .to_owned();
            (
                "small_micro_enterprise",
                format!(
                    "{place}{}{}",
                    rng.person_name(),
                    FIRMS[rng.below(FIRMS.len())]
                ),
                credit_code("91", county, code_seq),
                None,
                grid_of_township.get(&town_id).cloned(),
                Some(town_id.clone()),
            )
        } else {
            let who = owner_name.map_or_else(|| rng.person_name(), str::to_owned);
            (
                "individual_business",
                format!("{town_name}{who}{trade}"),
                credit_code("92", county, code_seq),
                None,
                grid_of_township.get(&town_id).cloned(),
                Some(town_id.clone()),
            )
        };
        NewBusiness {
            tenant_id: tid.clone(),
            id: uuid::Uuid::now_v7().to_string(),
            kind,
            name,
            credit_code: code,
            market_id: market.cloned(),
            stall_no: stall,
            address: Some(format!(
                "{town_name}{}{}号",
                ROADS[rng.below(ROADS.len())],
                1 + rng.below(500)
            )),
            township_id: township,
            grid_id: grid,
            industry: Some(INDUSTRIES[rng.below(INDUSTRIES.len())]),
            employee_count: Some(rng.below(if kind == "small_micro_enterprise" {
                60
            } else {
                6
            }) as i32),
            status,
            status_since: Some(since),
            version: 1,
            // Registered here on that date, so that the register as it stood on a past day
            // (statistics' cut-offs) holds it.
            created_at: since.and_hms_opt(2, 0, 0).unwrap_or(now).min(now),
            updated_at: now,
        }
    };
    let link =
        |business: &NewBusiness, member: &str, role: &'static str, since: NaiveDate| NewLink {
            tenant_id: business.tenant_id.clone(),
            id: uuid::Uuid::now_v7().to_string(),
            business_id: business.id.clone(),
            member_id: member.to_owned(),
            role,
            since,
            until: None,
            recorded_by: "demo-data",
            created_at: now,
        };
    // Owners get their business (the member's business status is the business's); employees
    // join one nearby; a few people have moved on from an earlier job (an ended link).
    for (id, name, is_owner, market, status) in &people {
        let status: &'static str = match status.as_str() {
            "suspended" => "suspended",
            "closed" => "closed",
            _ => "operating",
        };
        let since = date(2010 + rng.below(15) as i32, 1 + rng.below(12) as u32, 1);
        if *is_owner || businesses.is_empty() {
            let biz = new_business(&mut rng, Some(name), market.as_ref(), status);
            links.push(link(&biz, id, "owner", since));
            businesses.push(biz);
        } else {
            let at = businesses.len() - 1 - rng.below(businesses.len().min(50));
            links.push(link(&businesses[at], id, "employee", since));
            if rng.below(10) == 0 {
                let earlier = rng.below(businesses.len());
                let mut old = link(&businesses[earlier], id, "employee", date(2005, 3, 1));
                if old.business_id != businesses[at].id {
                    old.until = Some(since);
                    links.push(old);
                }
            }
        }
    }
    // Businesses with no party member among their people.
    let unlinked = people.len() * UNLINKED_PER_MEMBER;
    for i in 0..unlinked {
        let market = (rng.below(100) < 25)
            .then(|| market_units.get(rng.below(market_units.len().max(1))))
            .flatten()
            .map(|(id, _, _)| id);
        let status = match i % 20 {
            0 => "suspended",
            1 => "closed",
            _ => "operating",
        };
        let biz = new_business(&mut rng, None, market, status);
        businesses.push(biz);
        // Write as we go: the large preset has hundreds of thousands.
        if businesses.len() >= 20_000 {
            counts.businesses += flush_businesses(tx, &mut businesses)?;
        }
    }
    // The people's businesses were generated first, so they are all still here or flushed
    // before their links are written: flush businesses, then links.
    counts.businesses += flush_businesses(tx, &mut businesses)?;
    for chunk in links.chunks(500) {
        crate::insert_rows!(tx.conn(), bp::table, chunk)?;
    }
    counts.links = links.len();
    Ok(counts)
}

fn flush_businesses(tx: &mut TenantTx<'_>, rows: &mut Vec<NewBusiness>) -> DbResult<usize> {
    // 17 values a row: 500 rows stay under SQLite's and PostgreSQL's parameter limits.
    for chunk in rows.chunks(500) {
        crate::insert_rows!(tx.conn(), b::table, chunk)?;
    }
    let n = rows.len();
    rows.clear();
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::business::model::CreditCode;

    #[test]
    fn demo_credit_codes_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for i in 1..5_000 {
            let c = credit_code(if i % 2 == 0 { "91" } else { "92" }, "330523", i).expect("code");
            assert!(CreditCode::parse("c", &c).is_ok(), "{c}");
            assert!(seen.insert(c[2..].to_owned()), "{c}");
        }
    }
}
