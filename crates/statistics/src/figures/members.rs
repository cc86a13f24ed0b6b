//! The member tables: each member as their history gives them on the cut-off.
//!
//! A member counts in a period when they were a party member by the cut-off (joined on or before
//! it; a member with no joining date, when the register held them by then). Their status,
//! business, presence and membership unit are today's row with every change effective after the
//! cut-off undone, newest first. Members are counted where their formal organisational
//! relationship sits (党内统计): the county's units for 隶属 and 属地 members; 流动 members, held
//! outside the county, appear in the category table only.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use strum::VariantArray;

use super::Units;
use crate::db::schema::{member_status_history as h, members as m};
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::members::model::{self as mm, BusinessStatus, Category, Distribution, MembershipStatus};
use crate::members::status::Change;
use crate::model::{Label, Table};

/// A member's state on the cut-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsOf {
    pub id: String,
    pub category: Category,
    pub membership: MembershipStatus,
    pub business: BusinessStatus,
    pub away: bool,
    pub unit_id: Option<String>,
    pub distribution: Distribution,
    pub gender: Option<String>,
    pub birth_date: Option<NaiveDate>,
}

/// One change of the history, as far as undoing it needs.
#[derive(Debug, Clone)]
pub struct Undo {
    pub change: Change,
    pub from_value: String,
    pub from_unit_id: Option<String>,
    pub from_org: Option<String>,
}

/// Undoes `changes` (newest first) on `state`: the member as they stood before them.
/// `unit_kind` tells a unit's kind, `unit_named` finds a unit by name for history written
/// before unit ids were kept.
pub fn undo(
    state: &mut AsOf,
    changes: &[Undo],
    unit_kind: &dyn Fn(&str) -> Option<crate::org::model::OrgKind>,
    unit_named: &dyn Fn(&str) -> Option<String>,
) {
    for u in changes {
        match u.change {
            Change::MembershipStatus => {
                if let Some(s) = MembershipStatus::parse(&u.from_value) {
                    state.membership = s;
                }
            }
            Change::BusinessStatus => {
                if let Some(s) = BusinessStatus::parse(&u.from_value) {
                    state.business = s;
                }
            }
            Change::Away => state.away = false,
            Change::Returned => state.away = true,
            Change::TransferIn => {
                state.unit_id = None;
                state.category = Category::Floating;
            }
            Change::TransferOut => {
                let unit = u
                    .from_unit_id
                    .clone()
                    .or_else(|| u.from_org.as_deref().and_then(unit_named));
                state.category = mm::category(unit.as_deref().and_then(unit_kind));
                state.unit_id = unit;
            }
        }
    }
}

type MemberFacts = (
    String,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    NaiveDateTime,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<String>,
    String,
);

/// (member, change, from value, from unit id, from unit name)
type HistoryFacts = (String, String, String, Option<String>, Option<String>);

/// Every member who counts on `cutoff`, as they stood then.
pub fn as_of(tx: &mut TenantTx<'_>, units: &Units, cutoff: NaiveDate) -> DbResult<Vec<AsOf>> {
    let tid = tx.tid().to_owned();
    let rows: Vec<MemberFacts> = m::table
        .filter(m::tenant_id.eq(&tid))
        .select((
            m::id,
            m::gender,
            m::birth_date,
            m::joined_party_on,
            m::created_at,
            m::membership_status,
            m::distribution,
            m::business_status,
            m::away_since,
            m::membership_unit_id,
            m::category,
        ))
        .load(tx.conn())?;
    let mut later: HashMap<String, Vec<Undo>> = HashMap::new();
    let changes: Vec<HistoryFacts> = h::table
        .filter(h::tenant_id.eq(&tid).and(h::effective_on.gt(cutoff)))
        .order((h::effective_on.desc(), h::id.desc()))
        .select((
            h::member_id,
            h::change,
            h::from_value,
            h::from_unit_id,
            h::from_org,
        ))
        .load(tx.conn())?;
    for (member, change, from_value, from_unit_id, from_org) in changes {
        if let Some(change) = Change::parse(&change) {
            later.entry(member).or_default().push(Undo {
                change,
                from_value,
                from_unit_id,
                from_org,
            });
        }
    }
    let unit_kind = |id: &str| units.kind(id);
    let unit_named = |name: &str| units.named(name);
    let mut out = Vec::with_capacity(rows.len());
    for (id, gender, birth, joined, created, ms, dist, bs, away, unit, cat) in rows {
        let counted = match joined {
            Some(j) => j <= cutoff,
            None => crate::clock::china_date_of(created) <= cutoff,
        };
        if !counted {
            continue;
        }
        let mut s = AsOf {
            id: id.clone(),
            category: Category::parse(&cat).unwrap_or(Category::Floating),
            membership: MembershipStatus::parse(&ms).unwrap_or(MembershipStatus::Full),
            business: BusinessStatus::parse(&bs).unwrap_or(BusinessStatus::Operating),
            away: away.is_some_and(|a| a <= cutoff),
            unit_id: unit,
            distribution: Distribution::parse(&dist).unwrap_or(Distribution::IndividualBusiness),
            gender,
            birth_date: birth,
        };
        if let Some(changes) = later.get(&id) {
            undo(&mut s, changes, &unit_kind, &unit_named);
        }
        out.push(s);
    }
    Ok(out)
}

/// Age bands of the 党内统计 tables, by age on the cut-off.
const AGE_BANDS: [(u32, &str, &str); 8] = [
    (30, "to30", "30岁及以下"),
    (35, "31_35", "31至35岁"),
    (40, "36_40", "36至40岁"),
    (45, "41_45", "41至45岁"),
    (50, "46_50", "46至50岁"),
    (55, "51_55", "51至55岁"),
    (60, "56_60", "56至60岁"),
    (u32::MAX, "over60", "61岁及以上"),
];

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

fn count<K: PartialEq>(members: &[AsOf], keys: &[K], key: impl Fn(&AsOf) -> K) -> Vec<i64> {
    let mut out = vec![0; keys.len()];
    for m in members {
        let k = key(m);
        if let Some(i) = keys.iter().position(|x| *x == k) {
            out[i] += 1;
        }
    }
    out
}

pub(crate) fn labelled<E: StrEnum + Copy>(label: impl Fn(E) -> &'static str) -> Vec<Label> {
    E::VARIANTS
        .iter()
        .map(|v| Label::new(v.as_str(), label(*v)))
        .collect()
}

const POP: &str = "members";

/// The member tables on `cutoff`.
pub fn tables(members: &[AsOf], units: &Units, cutoff: NaiveDate) -> Vec<Table> {
    let status_zh = |s: MembershipStatus| match s {
        MembershipStatus::Full => "正式党员",
        MembershipStatus::Probationary => "预备党员",
    };
    let statuses = MembershipStatus::VARIANTS;
    let by_status = |pick: &dyn Fn(&AsOf) -> bool| {
        let these: Vec<AsOf> = members.iter().filter(|m| pick(m)).cloned().collect();
        count(&these, statuses, |m| m.membership)
    };
    let category_status = Table {
        key: "members_category_status".into(),
        title: "党员数（按类别、正式/预备）".into(),
        population: POP.into(),
        rows: labelled::<Category>(Category::label_zh),
        cols: labelled::<MembershipStatus>(status_zh),
        cells: Category::VARIANTS
            .iter()
            .map(|c| by_status(&|m: &AsOf| m.category == *c))
            .collect(),
        provincial: true,
    };
    let distribution = Table::flat(
        "members_distribution",
        "党员分布",
        POP,
        Distribution::VARIANTS
            .iter()
            .zip(count(members, Distribution::VARIANTS, |m| m.distribution))
            .map(|(d, n)| {
                let zh = match d {
                    Distribution::IndividualBusiness => "个体工商户",
                    Distribution::MarketBusiness => "市场内个体工商户",
                };
                (Label::new(d.as_str(), zh), n)
            })
            .collect(),
    );
    let genders = [Some("male"), Some("female"), None];
    let gender_counts = count(members, &genders, |m| match m.gender.as_deref() {
        Some("male") => Some("male"),
        Some("female") => Some("female"),
        _ => None,
    });
    let gender = Table::flat(
        "members_gender",
        "党员性别",
        POP,
        vec![
            (Label::new("male", "男"), gender_counts[0]),
            (Label::new("female", "女"), gender_counts[1]),
            (Label::new("unknown", "未填"), gender_counts[2]),
        ],
    );
    let mut ages = vec![0i64; AGE_BANDS.len() + 1];
    for m in members {
        let i = m.birth_date.map_or(AGE_BANDS.len(), |b| {
            let a = age_on(b, cutoff);
            AGE_BANDS
                .iter()
                .position(|(max, _, _)| a <= *max)
                .unwrap_or(AGE_BANDS.len() - 1)
        });
        ages[i] += 1;
    }
    let mut age_cols: Vec<(Label, i64)> = AGE_BANDS
        .iter()
        .zip(&ages)
        .map(|((_, k, zh), n)| (Label::new(*k, *zh), *n))
        .collect();
    age_cols.push((Label::new("unknown", "未填"), ages[AGE_BANDS.len()]));
    let age = Table::flat("members_age", "党员年龄（截止日）", POP, age_cols);
    let business = Table::flat(
        "members_business",
        "党员所在经营主体状态",
        POP,
        BusinessStatus::VARIANTS
            .iter()
            .zip(count(members, BusinessStatus::VARIANTS, |m| m.business))
            .map(|(b, n)| {
                let zh = match b {
                    BusinessStatus::Operating => "经营",
                    BusinessStatus::Suspended => "停歇业",
                    BusinessStatus::Closed => "注销",
                };
                (Label::new(b.as_str(), zh), n)
            })
            .collect(),
    );
    let away = count(members, &[false, true], |m| m.away);
    let presence = Table::flat(
        "members_presence",
        "党员在本地经营/外出经营",
        POP,
        vec![
            (Label::new("present", "在本地经营"), away[0]),
            (Label::new("away", "外出经营"), away[1]),
        ],
    );
    // Counted where the membership sits: the county's units only, grouped by branch or township.
    // Each held member's group, walked up the tree once.
    let held: Vec<((String, String), MembershipStatus)> = members
        .iter()
        .filter(|m| m.category != Category::Floating)
        .filter_map(|m| Some((units.group(m.unit_id.as_deref()?), m.membership)))
        .collect();
    let mut groups: Vec<(String, String)> = held.iter().map(|(g, _)| g.clone()).collect();
    groups.sort();
    groups.dedup();
    let mut cells = vec![vec![0i64; statuses.len()]; groups.len()];
    for (g, status) in &held {
        if let (Ok(r), Some(c)) = (
            groups.binary_search(g),
            statuses.iter().position(|s| s == status),
        ) {
            cells[r][c] += 1;
        }
    }
    let by_unit = Table {
        key: "members_units".into(),
        title: "党员数（按组织关系所在分会、乡镇）".into(),
        population: "members_held".into(),
        rows: groups
            .iter()
            .map(|(id, name)| Label::new(id.clone(), name.clone()))
            .collect(),
        cols: labelled::<MembershipStatus>(status_zh),
        cells,
        provincial: false,
    };
    vec![
        category_status,
        distribution,
        gender,
        age,
        business,
        presence,
        by_unit,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::model::OrgKind;

    fn member() -> AsOf {
        AsOf {
            id: "m1".to_owned(),
            category: Category::Floating,
            membership: MembershipStatus::Full,
            business: BusinessStatus::Closed,
            away: false,
            unit_id: None,
            distribution: Distribution::IndividualBusiness,
            gender: None,
            birth_date: None,
        }
    }

    #[test]
    fn undoing_later_changes_gives_the_member_on_the_cutoff() {
        // Today: full, closed, held outside the county. After the cut-off they were made full,
        // their business closed, and they transferred out of 下源村.
        let mut s = member();
        let changes = vec![
            Undo {
                change: Change::TransferOut,
                from_value: "in_county".into(),
                from_unit_id: None,
                from_org: Some("下源村".into()),
            },
            Undo {
                change: Change::BusinessStatus,
                from_value: "operating".into(),
                from_unit_id: None,
                from_org: None,
            },
            Undo {
                change: Change::MembershipStatus,
                from_value: "probationary".into(),
                from_unit_id: None,
                from_org: None,
            },
        ];
        let kind = |id: &str| (id == "v1").then_some(OrgKind::Village);
        let named = |n: &str| (n == "下源村").then(|| "v1".to_owned());
        undo(&mut s, &changes, &kind, &named);
        assert_eq!(s.unit_id.as_deref(), Some("v1"));
        assert_eq!(s.category, Category::Local);
        assert_eq!(s.business, BusinessStatus::Operating);
        assert_eq!(s.membership, MembershipStatus::Probationary);
    }

    #[test]
    fn ages_are_taken_on_the_cutoff() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        assert_eq!(age_on(d(1996, 6, 30), d(2026, 6, 30)), 30);
        assert_eq!(age_on(d(1996, 7, 1), d(2026, 6, 30)), 29);
    }

    #[test]
    fn every_member_table_to_the_province_adds_up_to_the_same_total() {
        let mut a = member();
        a.category = Category::Local;
        a.unit_id = Some("v1".into());
        a.birth_date = NaiveDate::from_ymd_opt(1980, 1, 1);
        a.gender = Some("female".into());
        let mut b = member();
        b.away = true;
        let members = vec![a, b.clone(), b];
        let units = Units::default();
        let tables = tables(
            &members,
            &units,
            NaiveDate::from_ymd_opt(2026, 6, 30).expect("d"),
        );
        for t in tables.iter().filter(|t| t.provincial) {
            assert_eq!(t.total(), 3, "{}", t.key);
            assert_eq!(t.population, POP);
        }
        let held = tables
            .iter()
            .find(|t| t.key == "members_units")
            .expect("units");
        assert_eq!(held.total(), 1);
        assert!(!held.provincial);
    }
}
