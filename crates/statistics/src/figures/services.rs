//! Training rates and service requests on a cut-off (seed 001's training targets, seed 002's
//! service centres), added as those areas landed (issues 16 and 15).

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use strum::VariantArray;

use super::members::{AsOf, labelled};
use crate::db::schema::service_requests as sr;
use crate::db::{DbResult, TenantTx};
use crate::enums::StrEnum;
use crate::evaluations::training::{api::attended, rules};
use crate::members::model::Category;
use crate::model::{HalfYear, Label, Table};
use crate::workflows::centres::model::RequestCategory;

/// Members by category, trained or not in the year up to the cut-off (a market member needs two
/// trainings, others one; `evaluations::training::rules`). One population with the members
/// tables: the same people, so the province protects them together.
pub fn training(tx: &mut TenantTx<'_>, people: &[AsOf], cutoff: NaiveDate) -> DbResult<Table> {
    let from = NaiveDate::from_ymd_opt(cutoff.year(), 1, 1).unwrap_or(cutoff);
    let (times, _) = attended(tx, from, cutoff)?;
    Ok(training_table(people, |id| {
        times.get(id).copied().unwrap_or(0)
    }))
}

pub(crate) fn training_table(people: &[AsOf], attended: impl Fn(&str) -> u32) -> Table {
    let mut cells = vec![vec![0i64; 2]; Category::VARIANTS.len()];
    for p in people {
        let row = Category::VARIANTS
            .iter()
            .position(|c| *c == p.category)
            .unwrap_or(0);
        let trained = attended(&p.id) >= rules::sessions_needed(p.distribution);
        cells[row][usize::from(!trained)] += 1;
    }
    Table {
        key: "members_training".to_owned(),
        title: "党员培训（年内截至统计日）".to_owned(),
        population: "members".to_owned(),
        rows: labelled::<Category>(Category::label_zh),
        cols: vec![
            Label::new("trained", "已达培训要求"),
            Label::new("not_trained", "未达"),
        ],
        cells,
        provincial: true,
    }
}

/// Service requests received in the half-year, by category: answered by the cut-off or not.
pub fn service_requests(tx: &mut TenantTx<'_>, half: HalfYear) -> DbResult<Table> {
    let (from, cutoff) = half.bounds();
    let tid = tx.tid().to_owned();
    let rows: Vec<(String, Option<NaiveDate>)> = sr::table
        .filter(sr::tenant_id.eq(tid))
        .filter(sr::received_on.ge(from).and(sr::received_on.le(cutoff)))
        .select((sr::category, sr::answered_on))
        .load(tx.conn())?;
    let mut cells = vec![vec![0i64; 2]; RequestCategory::VARIANTS.len()];
    for (category, answered) in rows {
        let row = RequestCategory::VARIANTS
            .iter()
            .position(|c| Some(*c) == RequestCategory::parse(&category))
            .unwrap_or(RequestCategory::VARIANTS.len() - 1);
        let done = answered.is_some_and(|d| d <= cutoff);
        cells[row][usize::from(!done)] += 1;
    }
    Ok(Table {
        key: "service_requests".to_owned(),
        title: "党员诉求（本半年受理）".to_owned(),
        population: "service_requests".to_owned(),
        rows: RequestCategory::VARIANTS
            .iter()
            .map(|c| Label::new(c.as_str(), c.label_zh()))
            .collect(),
        cols: vec![
            Label::new("answered", "截至统计日已答复"),
            Label::new("open", "未答复"),
        ],
        cells,
        provincial: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::model::{BusinessStatus, Distribution, MembershipStatus};

    fn person(id: &str, category: Category, distribution: Distribution) -> AsOf {
        AsOf {
            id: id.to_owned(),
            category,
            membership: MembershipStatus::Full,
            business: BusinessStatus::Operating,
            away: false,
            unit_id: None,
            distribution,
            gender: None,
            birth_date: None,
        }
    }

    #[test]
    fn a_market_member_needs_two_trainings_and_each_member_counts_once() {
        let people = [
            person("a", Category::Local, Distribution::IndividualBusiness),
            person("b", Category::Local, Distribution::MarketBusiness),
            person("c", Category::Floating, Distribution::MarketBusiness),
        ];
        let t = training_table(&people, |id| match id {
            "a" => 1,
            "b" => 1,
            "c" => 2,
            _ => 0,
        });
        let row = |c: Category| {
            t.cells[Category::VARIANTS
                .iter()
                .position(|v| *v == c)
                .expect("row")]
            .clone()
        };
        assert_eq!(row(Category::Local), vec![1, 1]);
        assert_eq!(row(Category::Floating), vec![1, 0]);
        assert_eq!(t.total(), 3);
    }
}
